import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import { fileUri } from "../../src/io/location.js";
import { tempLakehouse, textRows } from "../helpers/lakehouse.js";
import { pyicebergSkip, runPython } from "../helpers/python.js";

// PyIceberg (a real, independent Iceberg implementation) shares our SQL catalog database:
// pyiceberg's SqlCatalog uses the same iceberg_tables / iceberg_namespace_properties layout.
const CLIENT = join(import.meta.dirname, "pyiceberg_client.py");

describe("interop with PyIceberg through the shared SQL catalog", { skip: pyicebergSkip }, () => {
  let lakehouse: Lakehouse;
  let session: Session;
  let dir: string;
  let close: () => Promise<void>;
  const py = (...args: string[]) =>
    runPython(CLIENT, [join(dir, "catalog.db"), fileUri(join(dir, "warehouse")), ...args]) as Record<
      string,
      unknown
    >;
  before(async () => {
    ({ lakehouse, dir, close } = await tempLakehouse());
    session = await lakehouse.session();
  });
  after(async () => {
    session.close();
    await close();
  });

  it("PyIceberg reads what we write: partitioned by day, bucket, truncate and identity, after two appends", async () => {
    await session.execute("CREATE SCHEMA iceberg.ours");
    await session.execute(`CREATE TABLE iceberg.ours.events (id BIGINT, kind VARCHAR, ts TIMESTAMP, amount DECIMAL(10, 2), tags ARRAY(VARCHAR))
      WITH (partitioning = ARRAY['day(ts)', 'bucket(id, 8)', 'truncate(kind, 2)', 'kind'])`);
    await session.execute(`INSERT INTO iceberg.ours.events SELECT i, CASE WHEN i % 3 = 0 THEN 'click' WHEN i % 3 = 1 THEN 'view' ELSE NULL END,
      TIMESTAMP '2024-03-01' + INTERVAL (i * 7) HOUR, (i * 1.25)::DECIMAL(10,2), ['t' || (i % 4)] FROM range(200) t(i)`);
    await session.execute(
      "INSERT INTO iceberg.ours.events VALUES (1000, 'buy', TIMESTAMP '2024-12-31 23:59:59', 99.99, ARRAY['x', 'y'])",
    );
    const all = py("read", "ours.events") as { rows: Record<string, unknown>[]; snapshots: number };
    assert.equal(all.rows.length, 201);
    assert.equal(all.snapshots, 2);
    const ours = await textRows(
      session,
      "SELECT sum(id), sum(amount), count(kind), max(ts) FROM iceberg.ours.events",
    );
    const theirs = [
      all.rows.reduce((n, r) => n + Number(r.id), 0),
      all.rows.reduce((n, r) => n + Number(r.amount), 0).toFixed(2),
      all.rows.filter((r) => r.kind !== null).length,
      all.rows
        .map((r) => String(r.ts))
        .sort()
        .at(-1)!
        .replace("T", " "),
    ].join("\t");
    assert.equal(ours[0], theirs);
    // PyIceberg prunes with our partition values and bounds: a wrong bucket or day value would lose rows.
    for (const filter of [
      "id = 77",
      "id = 1000",
      "ts >= '2024-03-20T00:00:00' and ts < '2024-03-21T00:00:00'",
      "kind = 'view'",
      "amount > 200",
    ]) {
      const theirsFiltered = py("read", "ours.events", filter) as { rows: unknown[] };
      const sqlFilter = filter.replace(
        /'(\d{4}-\d\d-\d\dT[\d:]+)'/g,
        (_m, t) => `TIMESTAMP '${String(t).replace("T", " ")}'`,
      );
      const [count] = await textRows(session, `SELECT count(*) FROM iceberg.ours.events WHERE ${sqlFilter}`);
      assert.equal(String(theirsFiltered.rows.length), count, filter);
    }
  });

  it("we read what PyIceberg writes: partitioned appends, schema evolution and a delete", async () => {
    const written = py("write", "theirs.metrics") as { snapshots: number };
    assert.ok(written.snapshots >= 4);
    const theirs = py("read", "theirs.metrics") as { rows: Record<string, unknown>[] };
    const [ours] = await textRows(
      session,
      "SELECT count(*), sum(id), count(score), min(id) FROM iceberg.theirs.metrics",
    );
    const ids = theirs.rows.map((r) => Number(r.id));
    assert.equal(ours, `${theirs.rows.length}\t${ids.reduce((a, b) => a + b, 0)}\t1\t${Math.min(...ids)}`);
    assert.deepEqual(
      await textRows(session, "SELECT name, score FROM iceberg.theirs.metrics WHERE id = 100"),
      ["n100\t1.5"],
    );
    assert.equal(
      (await textRows(session, "SELECT count(*) FROM iceberg.theirs.metrics WHERE id < 10"))[0],
      "0",
    );
    // And we can keep writing to PyIceberg's table; PyIceberg sees it.
    await session.execute(
      "INSERT INTO iceberg.theirs.metrics VALUES (500, 'ours', TIMESTAMP '2024-01-04 00:00:00', 2.5)",
    );
    const after = py("read", "theirs.metrics", "id = 500") as { rows: Record<string, unknown>[] };
    assert.deepEqual(
      after.rows.map((r) => [r.name, r.score]),
      [["ours", 2.5]],
    );
  });
  it("PyIceberg reads our DELETE, UPDATE, MERGE, optimize and expire_snapshots: position deletes, whole files dropped, copy-on-write", async () => {
    await session.execute("CREATE SCHEMA iceberg.dels");
    for (const [name, extra] of [
      ["mor", ""],
      [
        "cow",
        ", extra_properties = MAP(ARRAY['write.delete.mode', 'write.update.mode', 'write.merge.mode'], ARRAY['copy-on-write', 'copy-on-write', 'copy-on-write'])",
      ],
    ]) {
      await session.execute(
        `CREATE TABLE iceberg.dels.${name} (id BIGINT, cat VARCHAR) WITH (partitioning = ARRAY['cat', 'bucket(id, 4)']${extra})`,
      );
      await session.execute(
        `INSERT INTO iceberg.dels.${name} SELECT i, ['a', 'b', 'c'][i % 3 + 1] FROM range(300) t(i)`,
      );
      await session.execute(`DELETE FROM iceberg.dels.${name} WHERE cat = 'a'`);
      await session.execute(`DELETE FROM iceberg.dels.${name} WHERE id % 7 = 0 OR id BETWEEN 100 AND 120`);
      await session.execute(`UPDATE iceberg.dels.${name} SET id = id + 1000, cat = 'u' WHERE id < 30`);
      await session.execute(`MERGE INTO iceberg.dels.${name} t USING (SELECT i AS id FROM range(280, 320) r(i)) s ON t.id = s.id
        WHEN MATCHED AND s.id % 2 = 0 THEN DELETE WHEN MATCHED THEN UPDATE SET cat = 'm'
        WHEN NOT MATCHED THEN INSERT (id, cat) VALUES (s.id, 'new')`);
      const ours = await textRows(session, `SELECT id, cat FROM iceberg.dels.${name} ORDER BY id`);
      const theirs = py("read", `dels.${name}`) as { rows: { id: number; cat: string }[] };
      assert.deepEqual(
        theirs.rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => `${r.id}\t${r.cat}`),
        ours,
        `${name}: PyIceberg sees the same rows`,
      );
      assert.ok(ours.length > 100 && ours.length < 200, `${name}: ${ours.length} rows left`);
      const filtered = py("read", `dels.${name}`, "id >= 200") as { rows: unknown[] };
      assert.equal(filtered.rows.length, ours.filter((r) => Number(r.split("\t")[0]) >= 200).length);
      // After compaction (deletes folded in) and snapshot expiry, PyIceberg still reads the same rows.
      await session.execute(`ALTER TABLE iceberg.dels.${name} EXECUTE optimize`);
      await session.execute(
        `ALTER TABLE iceberg.dels.${name} EXECUTE expire_snapshots(retention_threshold => '0s')`,
      );
      const compacted = py("read", `dels.${name}`) as {
        rows: { id: number; cat: string }[];
        snapshots: number;
      };
      assert.equal(compacted.snapshots, 1);
      assert.deepEqual(
        compacted.rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => `${r.id}\t${r.cat}`),
        ours,
        `${name}: the same rows after optimize and expire_snapshots`,
      );
    }
  });
  it("PyIceberg reads our table after partition and schema evolution, with deletes across specs", async () => {
    await session.execute("CREATE SCHEMA iceberg.evo");
    await session.execute(
      "CREATE TABLE iceberg.evo.t (id BIGINT, cat VARCHAR, ts TIMESTAMP) WITH (partitioning = ARRAY['cat'])",
    );
    await session.execute(
      "INSERT INTO iceberg.evo.t SELECT i, ['a', 'b'][i % 2 + 1], TIMESTAMP '2024-01-01' + INTERVAL (i) DAY FROM range(40) t(i)",
    );
    await session.execute(
      "ALTER TABLE iceberg.evo.t SET PROPERTIES partitioning = ARRAY['month(ts)', 'bucket(id, 4)']",
    );
    await session.execute("ALTER TABLE iceberg.evo.t ADD COLUMN note VARCHAR");
    // Nested fields and positions: info(b, a) after note moves next to id.
    await session.execute("ALTER TABLE iceberg.evo.t ADD COLUMN info ROW(a INTEGER)");
    await session.execute("ALTER TABLE iceberg.evo.t ADD COLUMN info.b VARCHAR FIRST");
    await session.execute("ALTER TABLE iceberg.evo.t ALTER COLUMN note AFTER id");
    await session.execute(
      "INSERT INTO iceberg.evo.t (id, cat, ts, note, info) SELECT i, ['a', 'b'][i % 2 + 1], TIMESTAMP '2024-01-01' + INTERVAL (i) DAY, 'n' || i, ROW('b' || i, i) FROM range(40, 100) t(i)",
    );
    await session.execute("DELETE FROM iceberg.evo.t WHERE id % 5 = 0 OR info.a = 41");
    const ours = await textRows(
      session,
      "SELECT id, cat, coalesce(note, '-'), coalesce(info.b, '-'), coalesce(CAST(info.a AS VARCHAR), '-') FROM iceberg.evo.t ORDER BY id",
    );
    const theirs = py("read", "evo.t") as {
      rows: { id: number; cat: string; note: string | null; info: { a: number; b: string } | null }[];
      schema: [number, string, string][];
    };
    assert.deepEqual(
      theirs.rows
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((r) => `${r.id}\t${r.cat}\t${r.note ?? "-"}\t${r.info?.b ?? "-"}\t${r.info?.a ?? "-"}`),
      ours,
    );
    assert.deepEqual(
      theirs.schema.map((f) => f[1]),
      ["id", "note", "cat", "ts", "info"],
    );
    assert.match(theirs.schema[4]![2], /^struct<\d+: b: optional string, \d+: a: optional int>$/);
    const filtered = py("read", "evo.t", "ts >= '2024-02-01T00:00:00' and ts < '2024-03-01T00:00:00'") as {
      rows: unknown[];
    };
    const [count] = await textRows(
      session,
      "SELECT count(*) FROM iceberg.evo.t WHERE ts >= TIMESTAMP '2024-02-01' AND ts < TIMESTAMP '2024-03-01'",
    );
    assert.equal(String(filtered.rows.length), count);
  });
});
