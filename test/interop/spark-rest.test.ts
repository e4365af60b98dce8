import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Session } from "../../src/engine/session.js";
import { textRows } from "../helpers/lakehouse.js";
import {
  openRestClient,
  type RestClientLakehouse,
  startRestServer,
  type TestRestServer,
} from "../helpers/rest-server.js";
import { type SparkSession, sparkSkip, startSpark } from "../helpers/spark.js";

// Apache Spark with the Iceberg runtime (type=rest, OAuth2 client credentials) against our
// REST catalog server; our engine reads Spark's tables through our REST client and Spark
// reads ours.
describe("interop with Spark through the REST catalog", { skip: sparkSkip }, () => {
  let server: TestRestServer;
  let spark: SparkSession;
  let client: RestClientLakehouse;
  let session: Session;
  before(async () => {
    server = await startRestServer({
      auth: { enabled: true, clients: { spark: "spark-secret", aichemy: "aichemy-secret" } },
    });
    spark = await startSpark({ restUri: server.uri, credential: "spark:spark-secret", catalogName: "lake" });
    client = await openRestClient(server, { credential: "aichemy:aichemy-secret" });
    session = client.session;
  });
  after(async () => {
    await client?.close();
    await spark?.stop();
    await server?.stop();
  });

  it("Spark creates, inserts, merges, updates and deletes (merge-on-read); we read every version", async () => {
    const r = await spark.sql([
      "CREATE NAMESPACE lake.sp",
      `CREATE TABLE lake.sp.orders (id BIGINT, customer STRING, amount DECIMAL(10,2), ts TIMESTAMP)
         USING iceberg PARTITIONED BY (days(ts))
         TBLPROPERTIES ('format-version'='2', 'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read', 'write.merge.mode'='merge-on-read')`,
      `INSERT INTO lake.sp.orders VALUES
         (1, 'ann', 10.50, TIMESTAMP '2024-01-01 10:00:00'),
         (2, 'bob', 20.00, TIMESTAMP '2024-01-01 11:00:00'),
         (3, 'cid', 30.25, TIMESTAMP '2024-01-02 09:00:00'),
         (4, 'dan', 40.00, TIMESTAMP '2024-01-03 12:00:00')`,
      "SELECT snapshot_id FROM lake.sp.orders.snapshots ORDER BY committed_at",
      `MERGE INTO lake.sp.orders t
         USING (SELECT 2 AS id, 'bob' AS customer, CAST(25.00 AS DECIMAL(10,2)) AS amount, TIMESTAMP '2024-01-01 11:00:00' AS ts
                UNION ALL SELECT 5, 'eve', CAST(50.00 AS DECIMAL(10,2)), TIMESTAMP '2024-01-04 08:00:00') s
         ON t.id = s.id
         WHEN MATCHED THEN UPDATE SET amount = s.amount
         WHEN NOT MATCHED THEN INSERT *`,
      "DELETE FROM lake.sp.orders WHERE id = 3",
      "UPDATE lake.sp.orders SET customer = 'ANN' WHERE id = 1",
      "SELECT id, customer, CAST(amount AS STRING) AS amount FROM lake.sp.orders ORDER BY id",
      "SELECT count(*) FROM lake.sp.orders VERSION AS OF {{3.0.snapshot_id}}",
      "SELECT count(*) FROM lake.sp.orders.delete_files",
    ]);
    const sparkRows = r[7]!.rows.map((row) => row.join("\t"));
    assert.deepEqual(sparkRows, ["1\tANN\t10.50", "2\tbob\t25.00", "4\tdan\t40.00", "5\teve\t50.00"]);
    assert.equal(Number(r[8]!.rows[0]![0]), 4, "Spark's time travel to the first snapshot");
    assert.ok(Number(r[9]!.rows[0]![0]) > 0, "merge-on-read wrote delete files");
    // Our engine, through our REST client.
    assert.deepEqual(
      await textRows(session, "SELECT id, customer, amount FROM rest.sp.orders ORDER BY id"),
      sparkRows,
    );
    const first = String(r[3]!.rows[0]![0]);
    assert.deepEqual(
      await textRows(session, `SELECT count(*) FROM rest.sp.orders FOR VERSION AS OF ${first}`),
      ["4"],
    );
    const [snapshots] = await textRows(session, 'SELECT count(*) FROM rest.sp."orders$snapshots"');
    assert.equal(Number(snapshots), 4, "INSERT, MERGE, DELETE and UPDATE made one snapshot each");
  });

  it("Spark runs CREATE TABLE AS SELECT (a staged create) and time travel by timestamp", async () => {
    const r = await spark.sql([
      "CREATE TABLE lake.sp.big_orders USING iceberg AS SELECT id, customer FROM lake.sp.orders WHERE amount >= 25",
      "SELECT committed_at FROM lake.sp.big_orders.snapshots",
      "INSERT INTO lake.sp.big_orders VALUES (99, 'zed')",
      "SELECT count(*) FROM lake.sp.big_orders TIMESTAMP AS OF '{{1.0.committed_at}}'",
      "SELECT count(*) FROM lake.sp.big_orders",
    ]);
    assert.equal(Number(r[3]!.rows[0]![0]), 3);
    assert.equal(Number(r[4]!.rows[0]![0]), 4);
    assert.deepEqual(await textRows(session, "SELECT id FROM rest.sp.big_orders ORDER BY id"), [
      "2",
      "4",
      "5",
      "99",
    ]);
  });

  it("Spark reads and appends to a table we created and wrote", async () => {
    await session.execute("CREATE SCHEMA rest.ours");
    await session.execute(
      "CREATE TABLE rest.ours.readings (sensor VARCHAR, v DOUBLE, day DATE) WITH (partitioning = ARRAY['sensor', 'month(day)'])",
    );
    await session.execute(
      "INSERT INTO rest.ours.readings SELECT 's' || (i % 3), i * 0.5, DATE '2024-01-01' + INTERVAL (i) DAY FROM range(90) t(i)",
    );
    const r = await spark.sql([
      "SELECT count(*), round(sum(v), 2) FROM lake.ours.readings",
      "SELECT count(*) FROM lake.ours.readings WHERE sensor = 's1' AND day >= DATE '2024-02-01'",
      "INSERT INTO lake.ours.readings VALUES ('s9', 1.0, DATE '2025-01-01')",
    ]);
    assert.deepEqual(r[0]!.rows[0]!.map(Number), [90, 2002.5]);
    const [ours] = await textRows(
      session,
      "SELECT count(*) FROM rest.ours.readings WHERE sensor = 's1' AND day >= DATE '2024-02-01'",
    );
    assert.equal(String(r[1]!.rows[0]![0]), ours);
    assert.deepEqual(await textRows(session, "SELECT count(*) FROM rest.ours.readings"), ["91"]);
  });
  it("Spark reads our DELETE, UPDATE, MERGE (position deletes and copy-on-write), optimize and expire_snapshots like we do", async () => {
    for (const [name, mode] of [
      ["rl_mor", "merge-on-read"],
      ["rl_cow", "copy-on-write"],
    ]) {
      await session.execute(
        `CREATE TABLE rest.ours.${name} (id BIGINT, cat VARCHAR, v DOUBLE) WITH (partitioning = ARRAY['cat', 'bucket(id, 4)'], extra_properties = MAP(ARRAY['write.delete.mode', 'write.update.mode', 'write.merge.mode'], ARRAY['${mode}', '${mode}', '${mode}']))`,
      );
      await session.execute(
        `INSERT INTO rest.ours.${name} SELECT i, ['a', 'b', 'c'][i % 3 + 1], i / 4 FROM range(400) t(i)`,
      );
      await session.execute(`DELETE FROM rest.ours.${name} WHERE cat = 'a' AND id < 200 OR id % 11 = 0`);
      await session.execute(`UPDATE rest.ours.${name} SET v = -v, cat = 'u' WHERE id BETWEEN 50 AND 80`);
      await session.execute(`MERGE INTO rest.ours.${name} t USING (SELECT i AS id FROM range(390, 420) r(i)) s ON t.id = s.id
        WHEN MATCHED AND s.id % 2 = 0 THEN DELETE WHEN MATCHED THEN UPDATE SET cat = 'm'
        WHEN NOT MATCHED THEN INSERT (id, cat, v) VALUES (s.id, 'new', 0)`);
    }
    // A third table, compacted and expired after the same changes.
    await session.execute(
      "CREATE TABLE rest.ours.rl_opt WITH (partitioning = ARRAY['cat']) AS SELECT * FROM rest.ours.rl_mor WHERE false",
    );
    await session.execute(
      "INSERT INTO rest.ours.rl_opt SELECT i, ['a', 'b', 'c'][i % 3 + 1], i / 4 FROM range(400) t(i)",
    );
    await session.execute("INSERT INTO rest.ours.rl_opt SELECT i, 'd', 0 FROM range(400, 450) t(i)");
    await session.execute("DELETE FROM rest.ours.rl_opt WHERE id % 7 = 0");
    await session.execute("ALTER TABLE rest.ours.rl_opt EXECUTE optimize");
    await session.execute(
      "ALTER TABLE rest.ours.rl_opt EXECUTE expire_snapshots(retention_threshold => '0s')",
    );
    const r = await spark.sql([
      "SELECT id, cat, v FROM lake.ours.rl_mor ORDER BY id",
      "SELECT id, cat, v FROM lake.ours.rl_cow ORDER BY id",
      "SELECT count(*) FROM lake.ours.rl_mor.delete_files",
      "SELECT count(*), sum(id) FROM lake.ours.rl_opt",
      "SELECT count(*) FROM lake.ours.rl_opt.snapshots",
    ]);
    const [optRow] = await textRows(session, "SELECT count(*), sum(id) FROM rest.ours.rl_opt");
    assert.equal(r[3]!.rows[0]!.join("\t"), optRow, "Spark reads the compacted, expired table like we do");
    assert.equal(Number(r[4]!.rows[0]![0]), 1);
    for (const [i, name] of ["rl_mor", "rl_cow"].entries()) {
      const ours = await textRows(session, `SELECT id, cat, v FROM rest.ours.${name} ORDER BY id`);
      assert.deepEqual(
        r[i]!.rows.map((row) => `${row[0]}\t${row[1]}\t${Number(row[2])}`),
        ours.map((line) => {
          const [id, cat, v] = line.split("\t");
          return `${id}\t${cat}\t${Number(v)}`;
        }),
        `${name}: Spark reads the rows we read`,
      );
    }
    assert.ok(Number(r[2]!.rows[0]![0]) > 0, "merge-on-read wrote delete files that Spark applies");
  });

  // Renders Spark's JSON values like our VARCHAR casts: NULL, timestamps with a space.
  const sparkText = (rows: unknown[][]) =>
    rows.map((row) =>
      row
        .map((v) => (v === null ? "NULL" : typeof v === "string" ? v.replace("T", " ") : String(v)))
        .join("\t"),
    );
  const evolvedColumns = "ts, id, note, cat, info.a, info.c, info.bb";

  it("Spark evolves schema (nested add, reorder, widen, rename, drop, identifier) and partitioning, deletes across specs; we read it all", async () => {
    const r = await spark.sql([
      `CREATE TABLE lake.sp.evo (id INT NOT NULL, cat STRING, info STRUCT<a: INT, b: STRING>, ts TIMESTAMP_NTZ, extra STRING)
         USING iceberg PARTITIONED BY (cat) TBLPROPERTIES ('format-version'='2', 'write.delete.mode'='merge-on-read')`,
      `INSERT INTO lake.sp.evo VALUES
         (1, 'a', named_struct('a', 1, 'b', 'x'), TIMESTAMP_NTZ '2024-01-01 10:00:00', 'e1'),
         (2, 'b', named_struct('a', 2, 'b', 'y'), TIMESTAMP_NTZ '2024-02-01 10:00:00', 'e2'),
         (3, 'a', named_struct('a', 3, 'b', NULL), TIMESTAMP_NTZ '2024-03-01 10:00:00', 'e3')`,
      "ALTER TABLE lake.sp.evo ADD PARTITION FIELD months(ts)",
      "ALTER TABLE lake.sp.evo DROP PARTITION FIELD cat",
      "ALTER TABLE lake.sp.evo ALTER COLUMN id TYPE BIGINT",
      "ALTER TABLE lake.sp.evo ADD COLUMN info.c DOUBLE AFTER a",
      "ALTER TABLE lake.sp.evo RENAME COLUMN info.b TO bb",
      "ALTER TABLE lake.sp.evo DROP COLUMN extra",
      "ALTER TABLE lake.sp.evo ALTER COLUMN ts FIRST",
      "ALTER TABLE lake.sp.evo ADD COLUMN note STRING AFTER id",
      "ALTER TABLE lake.sp.evo SET IDENTIFIER FIELDS id",
      `INSERT INTO lake.sp.evo VALUES
         (TIMESTAMP_NTZ '2024-03-05 00:00:00', 5000000000, 'n', 'c', named_struct('a', 4, 'c', 4.5, 'bb', 'z'))`,
      "DELETE FROM lake.sp.evo WHERE id = 2",
      `SELECT ${evolvedColumns} FROM lake.sp.evo ORDER BY id`,
      "SELECT * FROM lake.sp.evo LIMIT 0",
      "SELECT count(*) FROM lake.sp.evo.delete_files",
    ]);
    const sparkRows = sparkText(r[13]!.rows);
    assert.equal(sparkRows.length, 3);
    assert.ok(Number(r[15]!.rows[0]![0]) > 0, "Spark's DELETE wrote a position delete file");
    assert.deepEqual(
      await textRows(session, `SELECT ${evolvedColumns} FROM rest.sp.evo ORDER BY id`),
      sparkRows,
    );
    assert.deepEqual(
      (await textRows(session, "DESCRIBE rest.sp.evo")).map((x) => x.split("\t").slice(0, 2).join(" ")),
      [
        "ts timestamp(6)",
        "id bigint",
        "note varchar",
        "cat varchar",
        "info row(a integer, c double, bb varchar)",
      ],
    );
    assert.deepEqual(r[14]!.columns, ["ts", "id", "note", "cat", "info"]);
    const table = await client.lakehouse.catalog("rest").loadTable({ namespace: ["sp"], name: "evo" });
    assert.deepEqual(table.schema().identifierFieldIds, [table.schema().findFieldByName("id")!.id]);
    assert.equal(table.metadata.partitionSpecs.length, 3, "(cat), (cat, months(ts)), (months(ts))");
    // Files of both specs prune: the February file (spec 0, cat=b) by its bounds.
    const all = await session.rewriteQuery("SELECT * FROM rest.sp.evo");
    const march = await session.rewriteQuery("SELECT * FROM rest.sp.evo WHERE ts >= TIMESTAMP '2024-03-01'");
    assert.ok(march.scans[0]!.plan.tasks.length < all.scans[0]!.plan.tasks.length);
    assert.deepEqual(
      await textRows(session, "SELECT id FROM rest.sp.evo WHERE ts >= TIMESTAMP '2024-03-01' ORDER BY id"),
      ["3", "5000000000"],
    );
  });

  it("Spark reads our table after the same schema and partition evolution, with deletes across specs", async () => {
    for (const sql of [
      "CREATE TABLE rest.ours.evo (id INTEGER NOT NULL, cat VARCHAR, info ROW(a INTEGER, b VARCHAR), ts TIMESTAMP(6), extra VARCHAR) WITH (partitioning = ARRAY['cat'])",
      `INSERT INTO rest.ours.evo VALUES
         (1, 'a', ROW(1, 'x'), TIMESTAMP '2024-01-01 10:00:00', 'e1'),
         (2, 'b', ROW(2, 'y'), TIMESTAMP '2024-02-01 10:00:00', 'e2'),
         (3, 'a', ROW(3, NULL), TIMESTAMP '2024-03-01 10:00:00', 'e3')`,
      "ALTER TABLE rest.ours.evo SET PROPERTIES partitioning = ARRAY['month(ts)']",
      "ALTER TABLE rest.ours.evo ALTER COLUMN id SET DATA TYPE BIGINT",
      "ALTER TABLE rest.ours.evo ADD COLUMN info.c DOUBLE AFTER a",
      "ALTER TABLE rest.ours.evo RENAME COLUMN info.b TO bb",
      "ALTER TABLE rest.ours.evo DROP COLUMN extra",
      "ALTER TABLE rest.ours.evo ALTER COLUMN ts FIRST",
      "ALTER TABLE rest.ours.evo ADD COLUMN note VARCHAR AFTER id",
      "ALTER TABLE rest.ours.evo SET IDENTIFIER FIELDS id",
      "INSERT INTO rest.ours.evo VALUES (TIMESTAMP '2024-03-05 00:00:00', 5000000000, 'n', 'c', ROW(4, 4.5, 'z'))",
      "DELETE FROM rest.ours.evo WHERE id = 2 OR info.bb = 'z' AND note IS NULL",
    ])
      await session.execute(sql);
    const r = await spark.sql([
      `SELECT ${evolvedColumns} FROM lake.ours.evo ORDER BY id`,
      "SELECT * FROM lake.ours.evo LIMIT 0",
      "SHOW TBLPROPERTIES lake.ours.evo ('identifier-fields')",
      "SELECT count(*) FROM lake.ours.evo WHERE ts >= TIMESTAMP_NTZ '2024-03-01 00:00:00'",
    ]);
    assert.deepEqual(
      sparkText(r[0]!.rows),
      await textRows(session, `SELECT ${evolvedColumns} FROM rest.ours.evo ORDER BY id`),
    );
    assert.equal(r[0]!.rows.length, 3);
    assert.deepEqual(r[1]!.columns, ["ts", "id", "note", "cat", "info"]);
    assert.equal(String(r[2]!.rows[0]![1]), "[id]");
    assert.equal(Number(r[3]!.rows[0]![0]), 2);
  });

  it("Spark writes a format-version 3 table with deletion vectors (DELETE, UPDATE, MERGE); we read it and refuse to write it", async () => {
    const r = await spark.sql([
      `CREATE TABLE lake.sp.v3 (id BIGINT, cat STRING, v DOUBLE) USING iceberg PARTITIONED BY (cat)
         TBLPROPERTIES ('format-version'='3', 'write.delete.mode'='merge-on-read', 'write.update.mode'='merge-on-read', 'write.merge.mode'='merge-on-read')`,
      "INSERT INTO lake.sp.v3 SELECT id, CASE WHEN id % 3 = 0 THEN 'a' WHEN id % 3 = 1 THEN 'b' ELSE 'c' END, id / 4.0 FROM range(300)",
      "DELETE FROM lake.sp.v3 WHERE id % 7 = 0",
      "DELETE FROM lake.sp.v3 WHERE id % 11 = 0",
      "UPDATE lake.sp.v3 SET v = -v WHERE id BETWEEN 100 AND 120",
      `MERGE INTO lake.sp.v3 t USING (SELECT id FROM range(290, 310)) s ON t.id = s.id
         WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT (id, cat, v) VALUES (s.id, 'new', 0.0)`,
      "SELECT id, cat, v FROM lake.sp.v3 ORDER BY id",
      "SELECT file_format, count(*) FROM lake.sp.v3.delete_files GROUP BY file_format",
    ]);
    assert.deepEqual(
      r[7]!.rows.map((row) => row.join("\t")).sort(),
      [`PUFFIN\t${r[7]!.rows.find((x) => x[0] === "PUFFIN")?.[1]}`],
      "Spark wrote deletion vectors (Puffin), not position delete files",
    );
    const table = await client.lakehouse.catalog("rest").loadTable({ namespace: ["sp"], name: "v3" });
    assert.equal(table.metadata.formatVersion, 3);
    const ours = await textRows(session, "SELECT id, cat, v FROM rest.sp.v3 ORDER BY id");
    assert.deepEqual(
      ours.map((line) => {
        const [id, cat, v] = line.split("\t");
        return `${id}\t${cat}\t${Number(v)}`;
      }),
      r[6]!.rows.map((row) => `${row[0]}\t${row[1]}\t${Number(row[2])}`),
      "one Puffin file holds the vectors of several data files; each applies to its own",
    );
    // Writes would need row lineage and deletion vectors: refused, and nothing changes.
    const before = table.metadata.currentSnapshotId;
    await assert.rejects(
      session.execute("INSERT INTO rest.sp.v3 VALUES (1000, 'x', 1.0)"),
      /format-version 3 tables is not supported yet/,
    );
    await assert.rejects(
      session.execute("DELETE FROM rest.sp.v3 WHERE id = 1"),
      /format-version 3 tables is not supported yet/,
    );
    const afterTable = await client.lakehouse.catalog("rest").loadTable({ namespace: ["sp"], name: "v3" });
    assert.equal(afterTable.metadata.currentSnapshotId, before);
  });
});
