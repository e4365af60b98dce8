import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStatement } from "../../src/engine/sql/statement.js";
import { prepareUpdate } from "../../src/engine/statements/update.js";
import { ConflictingChangesError, DataError, ValidationError } from "../../src/errors.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";

describe("UPDATE and MERGE (row-level changes)", () => {
  const fx = useTempLakehouse("m");
  const rows = (sql: string) => textRows(fx.session, sql);
  const lastSnapshot = async (t: string) =>
    (
      await rows(
        `SELECT operation, summary['added-records'], summary['added-position-deletes'], summary['deleted-data-files'] FROM iceberg.m."${t}$snapshots" ORDER BY committed_at DESC, snapshot_id LIMIT 1`,
      )
    )[0];

  const create = async (name: string, extra = "") => {
    await fx.session.execute(
      `CREATE TABLE iceberg.m.${name} (id BIGINT NOT NULL, cat VARCHAR, v DECIMAL(10, 2)) WITH (partitioning = ARRAY['cat']${extra})`,
    );
    await fx.session.execute(
      `INSERT INTO iceberg.m.${name} SELECT i, ['a', 'b', 'c'][i % 3 + 1], i * 1.5 FROM range(12) t(i)`,
    );
  };

  it("UPDATE writes the new rows and position deletes for the old ones; rows can change partition", async () => {
    await create("upd");
    const r = await fx.session.execute(
      "UPDATE iceberg.m.upd AS u SET v = u.v * 2, cat = 'z' WHERE u.id IN (1, 2)",
    );
    assert.equal(r.updateType, "UPDATE");
    assert.equal(r.updateCount, 2n);
    assert.deepEqual(await rows("SELECT id, cat, v FROM iceberg.m.upd WHERE id < 4 ORDER BY id"), [
      "0\ta\t0.00",
      "1\tz\t3.00",
      "2\tz\t6.00",
      "3\ta\t4.50",
    ]);
    assert.deepEqual(await rows("SELECT count(*), sum(v) FROM iceberg.m.upd"), ["12\t103.50"]);
    assert.equal(await lastSnapshot("upd"), "overwrite\t2\t2\tNULL");
    assert.deepEqual(
      await rows('SELECT partition.cat FROM iceberg.m."upd$files" WHERE content = 0 ORDER BY 1'),
      ["a", "b", "c", "z"],
    );
    // A whole partition updated: its file is replaced, no delete file written.
    await fx.session.execute("UPDATE iceberg.m.upd SET v = 0 WHERE cat = 'a'");
    assert.equal(await lastSnapshot("upd"), "overwrite\t4\tNULL\t1");
    assert.deepEqual(await rows("SELECT count(*), sum(v) FROM iceberg.m.upd WHERE cat = 'a'"), ["4\t0.00"]);
  });

  it("UPDATE under copy-on-write rewrites the affected files", async () => {
    await create("updcow", ", extra_properties = MAP(ARRAY['write.update.mode'], ARRAY['copy-on-write'])");
    await fx.session.execute("UPDATE iceberg.m.updcow SET v = -1 WHERE id = 4");
    assert.deepEqual(await rows("SELECT v FROM iceberg.m.updcow WHERE id = 4"), ["-1.00"]);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.m.updcow"), ["12"]);
    assert.deepEqual(await rows('SELECT count(*) FROM iceberg.m."updcow$files" WHERE content <> 0'), ["0"]);
  });

  it("UPDATE refuses bad values and columns, naming them, and leaves the table unchanged", async () => {
    await create("updbad");
    const before = await rows('SELECT count(*) FROM iceberg.m."updbad$snapshots"');
    await assert.rejects(
      fx.session.execute("UPDATE iceberg.m.updbad SET v = 'abc' WHERE id = 3"),
      (e: unknown) => e instanceof DataError && /'abc'.*column 'v'/.test((e as Error).message),
    );
    await assert.rejects(
      fx.session.execute("UPDATE iceberg.m.updbad SET id = NULL WHERE id = 3"),
      (e: unknown) => e instanceof DataError && /NOT NULL column: id/.test((e as Error).message),
    );
    await assert.rejects(
      fx.session.execute("UPDATE iceberg.m.updbad SET nope = 1"),
      (e: unknown) => e instanceof ValidationError && /'nope'/.test((e as Error).message),
    );
    assert.deepEqual(await rows('SELECT count(*) FROM iceberg.m."updbad$snapshots"'), before);
    assert.deepEqual(await rows("SELECT count(*), sum(v) FROM iceberg.m.updbad"), ["12\t99.00"]);
  });

  it("UPDATE conflicts with a concurrent append of matching rows (serializable)", async () => {
    await create("updser");
    const other = await fx.lakehouse.session();
    try {
      const s = parseStatement("UPDATE iceberg.m.updser SET v = 0 WHERE cat = 'b'");
      const prepared = await prepareUpdate(fx.session, s as Extract<typeof s, { kind: "update" }>);
      await other.execute("INSERT INTO iceberg.m.updser VALUES (100, 'b', 1)");
      await assert.rejects(prepared.commit(), ConflictingChangesError);
      assert.deepEqual(
        await rows("SELECT count(*) FROM iceberg.m.updser WHERE v = 0"),
        ["1"],
        "only id 0 has v = 0",
      );
    } finally {
      other.close();
    }
  });

  it("MERGE updates, deletes and inserts by its WHEN clauses in order", async () => {
    await create("mrg");
    await fx.session.execute("CREATE TABLE iceberg.m.src (id BIGINT, cat VARCHAR, v DECIMAL(10, 2))");
    await fx.session.execute(
      "INSERT INTO iceberg.m.src VALUES (1, 'b', 100), (5, 'c', -1), (50, 'n', 5), (51, 'n', 6), (7, 'b', 70)",
    );
    const r = await fx.session.execute(`MERGE INTO iceberg.m.mrg t USING iceberg.m.src s ON t.id = s.id
      WHEN MATCHED AND s.v < 0 THEN DELETE
      WHEN MATCHED THEN UPDATE SET v = s.v
      WHEN NOT MATCHED AND s.id <> 51 THEN INSERT (id, cat, v) VALUES (s.id, s.cat, s.v)`);
    assert.equal(r.updateType, "MERGE");
    assert.equal(r.updateCount, 4n, "2 updated, 1 deleted, 1 inserted");
    assert.deepEqual(
      await rows("SELECT id, v FROM iceberg.m.mrg WHERE id IN (1, 5, 7, 50, 51) ORDER BY id"),
      ["1\t100.00", "7\t70.00", "50\t5.00"],
    );
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.m.mrg"), ["12"]);
    // Source from a subquery with column aliases; INSERT without a column list.
    await fx.session.execute(`MERGE INTO iceberg.m.mrg AS t USING (VALUES (60, 'q', 1.5), (0, 'a', 9)) AS s(id, cat, v)
      ON t.id = s.id WHEN MATCHED THEN UPDATE SET cat = 'matched' WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.cat, s.v)`);
    assert.deepEqual(await rows("SELECT id, cat, v FROM iceberg.m.mrg WHERE id IN (0, 60) ORDER BY id"), [
      "0\tmatched\t0.00",
      "60\tq\t1.50",
    ]);
  });

  it("MERGE into an empty table inserts; a target row matched twice fails with Trino's error and changes nothing", async () => {
    await fx.session.execute("CREATE TABLE iceberg.m.empty (id BIGINT, name VARCHAR)");
    await fx.session.execute(`MERGE INTO iceberg.m.empty t USING (VALUES (1, 'x'), (2, 'y')) AS s(id, name) ON t.id = s.id
      WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name)`);
    assert.deepEqual(await rows("SELECT id, name FROM iceberg.m.empty ORDER BY id"), ["1\tx", "2\ty"]);
    const snapshots = await rows('SELECT count(*) FROM iceberg.m."empty$snapshots"');
    await assert.rejects(
      fx.session.execute(`MERGE INTO iceberg.m.empty t USING (VALUES (1, 'p'), (1, 'q')) AS s(id, name) ON t.id = s.id
        WHEN MATCHED THEN UPDATE SET name = s.name`),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message === "One MERGE target table row matched more than one source row",
    );
    assert.deepEqual(await rows('SELECT count(*) FROM iceberg.m."empty$snapshots"'), snapshots);
    assert.deepEqual(await rows("SELECT id, name FROM iceberg.m.empty ORDER BY id"), ["1\tx", "2\ty"]);
  });
});
