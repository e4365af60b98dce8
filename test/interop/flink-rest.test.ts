import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Session } from "../../src/engine/session.js";
import { type FlinkSession, flinkSkip, startFlink } from "../helpers/flink.js";
import { textRows } from "../helpers/lakehouse.js";
import {
  openRestClient,
  type RestClientLakehouse,
  startRestServer,
  type TestRestServer,
} from "../helpers/rest-server.js";

// Apache Flink (PyFlink's Table API in batch mode) with Iceberg's Flink runtime (catalog-type=rest,
// OAuth2 client credentials) against our REST catalog server; our engine reads Flink's tables
// through our REST client and Flink reads and appends to ours.
describe("interop with Flink through the REST catalog", { skip: flinkSkip }, () => {
  let server: TestRestServer;
  let flink: FlinkSession;
  let client: RestClientLakehouse;
  let session: Session;
  before(async () => {
    server = await startRestServer({
      auth: { enabled: true, clients: { flink: "flink-secret", aichemy: "aichemy-secret" } },
    });
    // The configuration docs/rest-catalog.md shows, and nothing more.
    flink = await startFlink({ restUri: server.uri, credential: "flink:flink-secret", catalogName: "lake" });
    assert.equal(
      flink.catalogSql,
      `CREATE CATALOG \`lake\` WITH ('type'='iceberg', 'catalog-type'='rest', 'uri'='${server.uri}', 'credential'='flink:flink-secret')`,
    );
    client = await openRestClient(server, { credential: "aichemy:aichemy-secret" });
    session = client.session;
  });
  after(async () => {
    await client?.close();
    await flink?.stop();
    await server?.stop();
  });

  it("Flink creates a database and a partitioned table and inserts; we read the same rows", async () => {
    const r = await flink.sql([
      "CREATE DATABASE lake.fl",
      `CREATE TABLE lake.fl.orders (id BIGINT, customer STRING, region STRING, amount DECIMAL(10,2), ts TIMESTAMP(6), order_day DATE)
         PARTITIONED BY (region) WITH ('format-version'='2')`,
      `INSERT INTO lake.fl.orders VALUES
         (1, 'ann', 'eu', 10.50, TIMESTAMP '2024-01-01 10:00:00', DATE '2024-01-01'),
         (2, 'bob', 'us', 20.00, TIMESTAMP '2024-01-01 11:30:00.123456', DATE '2024-01-01'),
         (3, 'cid', 'eu', 30.25, TIMESTAMP '2024-01-02 09:00:00', DATE '2024-01-02')`,
      "INSERT INTO lake.fl.orders VALUES (4, 'dan', 'us', 40.00, TIMESTAMP '2024-01-03 12:00:00', DATE '2024-01-03')",
      "SELECT id, customer, region, amount, ts, order_day FROM lake.fl.orders ORDER BY id",
      "SELECT region, count(*), sum(amount) FROM lake.fl.orders GROUP BY region ORDER BY region",
    ]);
    assert.deepEqual(r[4]!.rows, [
      [1, "ann", "eu", "10.50", "2024-01-01T10:00:00", "2024-01-01"],
      [2, "bob", "us", "20.00", "2024-01-01T11:30:00.123456", "2024-01-01"],
      [3, "cid", "eu", "30.25", "2024-01-02T09:00:00", "2024-01-02"],
      [4, "dan", "us", "40.00", "2024-01-03T12:00:00", "2024-01-03"],
    ]);
    assert.deepEqual(r[5]!.rows, [
      ["eu", 2, "40.75"],
      ["us", 2, "60.00"],
    ]);
    // Our engine, through our REST client: the same rows, two snapshots, one file per region and insert.
    assert.deepEqual(
      await textRows(
        session,
        "SELECT id, customer, region, amount, ts, order_day FROM rest.fl.orders ORDER BY id",
      ),
      [
        "1\tann\teu\t10.50\t2024-01-01 10:00:00\t2024-01-01",
        "2\tbob\tus\t20.00\t2024-01-01 11:30:00.123456\t2024-01-01",
        "3\tcid\teu\t30.25\t2024-01-02 09:00:00\t2024-01-02",
        "4\tdan\tus\t40.00\t2024-01-03 12:00:00\t2024-01-03",
      ],
    );
    assert.deepEqual(await textRows(session, 'SELECT count(*) FROM rest.fl."orders$snapshots"'), ["2"]);
    assert.deepEqual(
      await textRows(
        session,
        'SELECT partition.region, count(*) FROM rest.fl."orders$files" GROUP BY 1 ORDER BY 1',
      ),
      ["eu\t1", "us\t2"],
    );
    assert.deepEqual(await textRows(session, "SELECT sum(amount) FROM rest.fl.orders WHERE region = 'us'"), [
      "60.00",
    ]);
  });

  it("Flink reads and appends to a table we created and wrote", async () => {
    await session.execute("CREATE SCHEMA rest.ours");
    await session.execute(
      "CREATE TABLE rest.ours.readings (sensor VARCHAR, v DOUBLE, day DATE) WITH (partitioning = ARRAY['sensor', 'month(day)'])",
    );
    await session.execute(
      "INSERT INTO rest.ours.readings SELECT 's' || (i % 3), i * 0.5, DATE '2024-01-01' + INTERVAL (i) DAY FROM range(90) t(i)",
    );
    const [ours] = await textRows(
      session,
      "SELECT count(*), sum(v) FROM rest.ours.readings WHERE sensor = 's1' AND day >= DATE '2024-02-01'",
    );
    assert.equal(ours, "20\t595.0");
    const r = await flink.sql([
      "SELECT count(*), sum(v) FROM lake.ours.readings",
      "SELECT count(*), sum(v) FROM lake.ours.readings WHERE sensor = 's1' AND `day` >= DATE '2024-02-01'",
      "INSERT INTO lake.ours.readings VALUES ('s9', 1.0, DATE '2025-01-01')",
      "SELECT count(*) FROM lake.ours.readings",
    ]);
    assert.deepEqual(r[0]!.rows, [[90, 2002.5]]);
    assert.deepEqual(r[1]!.rows, [[20, 595]]);
    assert.deepEqual(r[3]!.rows, [[91]]);
    // Flink's append: a new snapshot in our table, in the partition its spec gives the row.
    assert.deepEqual(await textRows(session, "SELECT count(*), sum(v) FROM rest.ours.readings"), [
      "91\t2003.5",
    ]);
    assert.deepEqual(
      await textRows(session, "SELECT sensor, v, day FROM rest.ours.readings WHERE sensor = 's9'"),
      ["s9\t1.0\t2025-01-01"],
    );
    assert.deepEqual(await textRows(session, 'SELECT count(*) FROM rest.ours."readings$snapshots"'), ["2"]);
  });
  it("Flink upserts by primary key (equality deletes); we read the merged rows", async () => {
    const r = await flink.sql([
      `CREATE TABLE lake.fl.accounts (id BIGINT, name STRING, balance BIGINT, PRIMARY KEY (id) NOT ENFORCED)
         WITH ('format-version'='2', 'write.upsert.enabled'='true')`,
      "INSERT INTO lake.fl.accounts VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cid', 30)",
      "INSERT INTO lake.fl.accounts VALUES (2, 'bob', 25), (4, 'dan', 40)",
      "INSERT INTO lake.fl.accounts VALUES (1, 'ann', 11)",
      "SELECT id, name, balance FROM lake.fl.accounts ORDER BY id",
    ]);
    const flinkRows = r[4]!.rows.map((row) => row.join("\t"));
    assert.deepEqual(flinkRows, ["1\tann\t11", "2\tbob\t25", "3\tcid\t30", "4\tdan\t40"]);
    const [eqDeletes] = await textRows(
      session,
      'SELECT count(*) FROM rest.fl."accounts$files" WHERE content = 2',
    );
    assert.ok(Number(eqDeletes) > 0, "Flink's upserts wrote equality delete files");
    assert.deepEqual(
      await textRows(session, "SELECT id, name, balance FROM rest.fl.accounts ORDER BY id"),
      flinkRows,
    );
    assert.deepEqual(await textRows(session, "SELECT count(*) FROM rest.fl.accounts WHERE balance > 20"), [
      "3",
    ]);
  });
});
