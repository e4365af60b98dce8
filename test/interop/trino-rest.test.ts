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
import { startTrino, type TestTrino, trinoSkip } from "../helpers/trino.js";

// A real Trino (io.trino:trino-server from Maven Central) with iceberg.catalog.type=rest
// against our REST catalog server: Trino creates, inserts, deletes and queries; our engine
// reads Trino's tables and Trino reads ours.
describe("interop with Trino through the REST catalog", { skip: trinoSkip }, () => {
  let server: TestRestServer;
  let trino: TestTrino;
  let client: RestClientLakehouse;
  let session: Session;
  const q = async (sql: string) => (await trino.query(sql)).rows.map((r) => r.map(String).join("\t"));
  before(async () => {
    server = await startRestServer({
      auth: {
        enabled: true,
        clients: { trino: "trino-secret" },
        tokens: { "aichemy-test-token-0001": "aichemy" },
      },
    });
    trino = await startTrino({
      restUri: server.uri,
      extraCatalogProperties: {
        "iceberg.rest-catalog.security": "OAUTH2",
        "iceberg.rest-catalog.oauth2.credential": "trino:trino-secret",
      },
    });
    client = await openRestClient(server, { token: "aichemy-test-token-0001" });
    session = client.session;
  });
  after(async () => {
    await client?.close();
    await trino?.stop();
    await server?.stop();
  });

  it("Trino creates a partitioned table, inserts, deletes rows and runs CTAS; we read them", async () => {
    await trino.query("CREATE SCHEMA iceberg.tr");
    await trino.query(
      "CREATE TABLE iceberg.tr.trips (id BIGINT, city VARCHAR, fare DECIMAL(8,2), day DATE) WITH (partitioning = ARRAY['city'])",
    );
    await trino.query(`INSERT INTO iceberg.tr.trips VALUES
      (1, 'paris', 12.50, DATE '2024-03-01'), (2, 'rome', 8.00, DATE '2024-03-01'),
      (3, 'paris', 30.00, DATE '2024-03-02'), (4, 'oslo', 22.75, DATE '2024-03-03')`);
    await trino.query("INSERT INTO iceberg.tr.trips VALUES (5, 'rome', 9.90, DATE '2024-03-04')");
    await trino.query("DELETE FROM iceberg.tr.trips WHERE id = 3");
    await trino.query(
      "CREATE TABLE iceberg.tr.rome AS SELECT id, fare FROM iceberg.tr.trips WHERE city = 'rome'",
    );
    const theirs = await q(
      "SELECT id, city, CAST(fare AS VARCHAR), CAST(day AS VARCHAR) FROM iceberg.tr.trips ORDER BY id",
    );
    assert.deepEqual(theirs, [
      "1\tparis\t12.50\t2024-03-01",
      "2\trome\t8.00\t2024-03-01",
      "4\toslo\t22.75\t2024-03-03",
      "5\trome\t9.90\t2024-03-04",
    ]);
    assert.deepEqual(
      await textRows(session, "SELECT id, city, fare, day FROM rest.tr.trips ORDER BY id"),
      theirs,
    );
    assert.deepEqual(await textRows(session, "SELECT id, fare FROM rest.tr.rome ORDER BY id"), [
      "2\t8.00",
      "5\t9.90",
    ]);
    const [deletes] = await q('SELECT count(*) FROM iceberg.tr."trips$files" WHERE content = 1');
    assert.ok(Number(deletes) >= 1, "Trino wrote a position delete file that we applied");
    const snapshots = await trino.query(
      'SELECT snapshot_id FROM iceberg.tr."trips$snapshots" ORDER BY committed_at',
    );
    const firstInsert = String(snapshots.rows[1]![0]);
    assert.deepEqual(
      await textRows(session, `SELECT count(*) FROM rest.tr.trips FOR VERSION AS OF ${firstInsert}`),
      ["4"],
    );
  });

  it("Trino reads, filters and appends to a table we created", async () => {
    await session.execute("CREATE SCHEMA rest.ours");
    await session.execute(
      "CREATE TABLE rest.ours.events (id BIGINT, kind VARCHAR, ts TIMESTAMP) WITH (partitioning = ARRAY['kind', 'day(ts)'])",
    );
    await session.execute(
      "INSERT INTO rest.ours.events SELECT i, CASE WHEN i % 3 = 0 THEN 'a' ELSE 'b' END, TIMESTAMP '2024-05-01' + INTERVAL (i) HOUR FROM range(60) t(i)",
    );
    assert.deepEqual(await q("SELECT count(*), sum(id) FROM iceberg.ours.events"), ["60\t1770"]);
    assert.deepEqual(
      await q(
        "SELECT count(*) FROM iceberg.ours.events WHERE kind = 'a' AND ts >= TIMESTAMP '2024-05-02 00:00:00'",
      ),
      [
        (
          await textRows(
            session,
            "SELECT count(*) FROM rest.ours.events WHERE kind = 'a' AND ts >= TIMESTAMP '2024-05-02 00:00:00'",
          )
        )[0],
      ],
    );
    await trino.query(
      "INSERT INTO iceberg.ours.events VALUES (1000, 'trino', TIMESTAMP '2024-06-01 00:00:00')",
    );
    assert.deepEqual(await textRows(session, "SELECT count(*), max(id) FROM rest.ours.events"), ["61\t1000"]);
    assert.deepEqual(await q("SHOW TABLES FROM iceberg.ours"), ["events"]);
  });

  it("Trino drops a table (with purge) and the namespace", async () => {
    await trino.query("DROP TABLE iceberg.tr.rome");
    assert.equal(
      await client.lakehouse.catalog("rest").tableExists({ namespace: ["tr"], name: "rome" }),
      false,
    );
    await trino.query("DROP TABLE iceberg.tr.trips");
    await trino.query("DROP SCHEMA iceberg.tr");
    assert.equal(await client.lakehouse.catalog("rest").namespaceExists(["tr"]), false);
  });
});
