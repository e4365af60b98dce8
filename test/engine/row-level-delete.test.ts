import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStatement } from "../../src/engine/sql/statement.js";
import { prepareDelete } from "../../src/engine/statements/delete.js";
import { ConflictingChangesError } from "../../src/errors.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";

/** The parsed DELETE statement of `sql`. */
function deleteStatement(sql: string) {
  const s = parseStatement(sql);
  assert.equal(s.kind, "delete");
  return s as Extract<typeof s, { kind: "delete" }>;
}

describe("DELETE FROM (row-level deletes)", () => {
  const fx = useTempLakehouse("d");
  const rows = (sql: string) => textRows(fx.session, sql);
  const snapshots = (t: string) =>
    rows(
      `SELECT operation, summary['deleted-records'], summary['added-position-deletes'], summary['deleted-data-files'], summary['added-delete-files'] FROM iceberg.d."${t}$snapshots" ORDER BY committed_at, snapshot_id`,
    );

  const create = async (name: string, extra = "") => {
    await fx.session.execute(
      `CREATE TABLE iceberg.d.${name} (id BIGINT, cat VARCHAR, v DOUBLE) WITH (partitioning = ARRAY['cat']${extra})`,
    );
    await fx.session.execute(
      `INSERT INTO iceberg.d.${name} SELECT i, CASE i % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END, i * 1.5 FROM range(30) t(i)`,
    );
  };

  it("drops the files of whole partitions without writing delete files", async () => {
    await create("whole");
    const r = await fx.session.execute("DELETE FROM iceberg.d.whole WHERE cat = 'a'");
    assert.equal(r.updateCount, 10n);
    assert.deepEqual(await rows("SELECT count(*), sum(id) FROM iceberg.d.whole"), ["20\t300"]);
    assert.deepEqual((await snapshots("whole")).at(-1), "delete\t10\tNULL\t1\tNULL");
    assert.deepEqual(await rows('SELECT count(*) FROM iceberg.d."whole$files" WHERE content <> 0'), ["0"]);
  });

  it("writes position delete files (merge-on-read), one per partition, and reads through them", async () => {
    await create("mor");
    const r = await fx.session.execute("DELETE FROM iceberg.d.mor AS m WHERE m.id IN (1, 2, 4) OR m.v > 40");
    // v > 40 means id > 26: 27, 28, 29.
    assert.equal(r.updateCount, 6n);
    assert.deepEqual(await rows("SELECT count(*), sum(id) FROM iceberg.d.mor"), [
      `24\t${435 - 1 - 2 - 4 - 27 - 28 - 29}`,
    ]);
    assert.deepEqual((await snapshots("mor")).at(-1), "delete\tNULL\t6\tNULL\t3");
    const deletes = await rows(
      'SELECT partition.cat, record_count FROM iceberg.d."mor$files" WHERE content = 1 ORDER BY 1',
    );
    assert.deepEqual(deletes, ["a\t1", "b\t3", "c\t2"]);
    // A second delete in the same partition adds to the earlier one; count(*) is not taken
    // from metadata once deletes exist.
    await fx.session.execute("DELETE FROM iceberg.d.mor WHERE id = 7");
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.d.mor WHERE cat = 'b'"), ["6"]);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.d.mor"), ["23"]);
    // Time travel still sees the rows.
    const [first] = await rows(
      'SELECT snapshot_id FROM iceberg.d."mor$snapshots" ORDER BY committed_at LIMIT 1',
    );
    assert.deepEqual(await rows(`SELECT count(*) FROM iceberg.d.mor FOR VERSION AS OF ${first}`), ["30"]);
  });

  it("rewrites the affected files under write.delete.mode = copy-on-write", async () => {
    await create("cow", ", extra_properties = MAP(ARRAY['write.delete.mode'], ARRAY['copy-on-write'])");
    await fx.session.execute("DELETE FROM iceberg.d.cow WHERE id IN (3, 4)");
    assert.deepEqual(await rows("SELECT count(*), sum(id) FROM iceberg.d.cow"), ["28\t428"]);
    assert.deepEqual(await rows('SELECT count(*) FROM iceberg.d."cow$files" WHERE content <> 0'), ["0"]);
    assert.deepEqual(await rows('SELECT count(*) FROM iceberg.d."cow$files"'), ["3"]);
    // Summary counts are of files: two files of 10 rows removed, their 18 other rows re-added.
    assert.deepEqual((await snapshots("cow")).at(-1), "overwrite\t20\tNULL\t2\tNULL");
  });

  it("deletes nothing when nothing matches, and everything without WHERE", async () => {
    await create("all");
    const none = await fx.session.execute("DELETE FROM iceberg.d.all WHERE id > 1000");
    assert.equal(none.updateCount, 0n);
    assert.equal((await snapshots("all")).length, 1, "no snapshot for an empty delete");
    const all = await fx.session.execute("DELETE FROM iceberg.d.all");
    assert.equal(all.updateCount, 30n);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.d.all"), ["0"]);
    await assert.rejects(fx.session.execute("DELETE FROM iceberg.d.all WHERE nope = 1"), /nope/);
    await assert.rejects(fx.session.execute("DELETE FROM iceberg.d.missing"), /does not exist/);
  });

  it("fails under serializable isolation when a concurrent append adds matching rows, and changes nothing", async () => {
    await create("ser");
    const other = await fx.lakehouse.session();
    try {
      const prepared = await prepareDelete(
        fx.session,
        deleteStatement("DELETE FROM iceberg.d.ser WHERE cat = 'b' AND id < 10"),
      );
      // Another writer appends a row the DELETE would have matched.
      await other.execute("INSERT INTO iceberg.d.ser VALUES (5, 'b', 1.0)");
      await assert.rejects(
        prepared.commit(),
        (e: unknown) =>
          e instanceof ConflictingChangesError && /conflicting files/.test((e as Error).message),
      );
      assert.deepEqual(await rows("SELECT count(*) FROM iceberg.d.ser"), ["31"]);
      // An append elsewhere does not conflict.
      const again = await prepareDelete(
        fx.session,
        deleteStatement("DELETE FROM iceberg.d.ser WHERE cat = 'b' AND id < 10"),
      );
      await other.execute("INSERT INTO iceberg.d.ser VALUES (100, 'c', 1.0)");
      await again.commit();
      assert.deepEqual(await rows("SELECT count(*) FROM iceberg.d.ser WHERE cat = 'b' AND id < 10"), ["0"]);
      assert.deepEqual(await rows("SELECT count(*) FROM iceberg.d.ser"), ["28"]);
      // On a branch, conflicts are checked along the branch: an append to main does not
      // conflict, a matching append to the branch does.
      await fx.session.execute("CALL iceberg.system.create_branch('d', 'ser', 'b1')");
      const [mainC] = await rows("SELECT count(*) FROM iceberg.d.ser WHERE cat = 'c'");
      const onBranch = (cats: string) =>
        prepareDelete(fx.session, deleteStatement(`DELETE FROM iceberg.d."ser@b1" WHERE cat IN (${cats})`));
      const first = await onBranch("'c'");
      await other.execute("INSERT INTO iceberg.d.ser VALUES (101, 'c', 1.0)");
      await first.commit();
      const aRows = await rows("SELECT count(*) FROM iceberg.d.ser FOR VERSION AS OF 'b1' WHERE cat = 'a'");
      assert.notDeepEqual(aRows, ["0"]);
      const second = await onBranch("'a', 'c'");
      await other.execute(`INSERT INTO iceberg.d."ser@b1" VALUES (102, 'c', 1.0)`);
      await assert.rejects(second.commit(), ConflictingChangesError);
      assert.deepEqual(
        await rows("SELECT count(*) FROM iceberg.d.ser FOR VERSION AS OF 'b1' WHERE cat = 'a'"),
        aRows,
        "the conflicting delete changed nothing",
      );
      assert.deepEqual(
        await rows("SELECT count(*) FROM iceberg.d.ser FOR VERSION AS OF 'b1' WHERE cat = 'c'"),
        ["1"],
      );
      assert.deepEqual(
        await rows("SELECT count(*) FROM iceberg.d.ser WHERE cat = 'c'"),
        [String(Number(mainC) + 1)],
        "main kept its rows and gained the one appended to it",
      );
    } finally {
      other.close();
    }
  });

  it("commits under snapshot isolation despite a concurrent matching append; concurrent deletes of the same rows conflict", async () => {
    await create(
      "snap",
      ", extra_properties = MAP(ARRAY['write.delete.isolation-level'], ARRAY['snapshot'])",
    );
    const other = await fx.lakehouse.session();
    try {
      const prepared = await prepareDelete(
        fx.session,
        deleteStatement("DELETE FROM iceberg.d.snap WHERE cat = 'b' AND id < 10"),
      );
      await other.execute("INSERT INTO iceberg.d.snap VALUES (5, 'b', 1.0)");
      await prepared.commit();
      assert.deepEqual(await rows("SELECT id FROM iceberg.d.snap WHERE cat = 'b' AND id < 10"), ["5"]);
      // Two deletes of overlapping rows: the second to commit fails.
      const a = await prepareDelete(fx.session, deleteStatement("DELETE FROM iceberg.d.snap WHERE id = 11"));
      await other.execute("DELETE FROM iceberg.d.snap WHERE id IN (11, 14)");
      await assert.rejects(a.commit(), ConflictingChangesError);
      assert.deepEqual(await rows("SELECT count(*) FROM iceberg.d.snap WHERE id IN (11, 14)"), ["0"]);
    } finally {
      other.close();
    }
  });
});
