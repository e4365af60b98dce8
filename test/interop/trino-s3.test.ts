import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { Session } from "../../src/engine/session.js";
import { textRows } from "../helpers/lakehouse.js";
import { startRestServer, type TestRestServer } from "../helpers/rest-server.js";
import { s3Skip, startS3Server, type TestS3Server } from "../helpers/s3-server.js";
import { startTrino, type TestTrino, trinoSkip } from "../helpers/trino.js";

// A real Trino 476 on an S3 warehouse (real MinIO) through our REST catalog, with its native S3
// file system. Trino is given no S3 keys: with iceberg.rest-catalog.vended-credentials-enabled it
// asks for vended credentials and uses the STS credentials the catalog hands out per table (Trino
// 476 takes only s3.access-key-id, s3.secret-access-key and s3.session-token from the table
// config, and only when all three are there; endpoint, region and path style must be in its
// catalog properties).

/** No AWS credentials for Trino from anywhere but the catalog (and no slow IMDS look-ups). */
const NO_AWS_ENV = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "",
  AWS_EC2_METADATA_DISABLED: "true",
};

describe("interop with Trino on an S3 warehouse (minio, sts vended credentials)", {
  skip: trinoSkip || s3Skip("minio"),
}, () => {
  let s3: TestS3Server;
  let server: TestRestServer;
  let trino: TestTrino;
  let session: Session;
  const q = async (sql: string) => (await trino.query(sql)).rows.map((r) => r.map(String).join("\t"));
  /** Keys in the bucket under `prefix`, listed with the S3 server's root keys. */
  const objectsUnder = async (prefix: string): Promise<string[]> => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    try {
      const out = await client.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key!);
    } finally {
      client.destroy();
    }
  };
  before(async () => {
    s3 = await startS3Server("minio");
    await s3.createBucket("lake");
    server = await startRestServer({
      auth: { enabled: true, clients: { trino: "trino-secret" } },
      warehouses: [{ name: "lake", location: "s3://lake/warehouse" }],
      s3: {
        endpoint: s3.endpoint,
        region: s3.region,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      },
      delegation: { vending: "sts", durationSeconds: 900 },
    });
    session = await server.lakehouse.session({ catalog: "lake" });
    trino = await startTrino({
      restUri: server.uri,
      warehouse: "lake",
      env: NO_AWS_ENV,
      extraCatalogProperties: {
        "iceberg.rest-catalog.security": "OAUTH2",
        "iceberg.rest-catalog.oauth2.credential": "trino:trino-secret",
        "iceberg.rest-catalog.vended-credentials-enabled": "true",
        "fs.native-s3.enabled": "true",
        // Not secrets, and Trino 476 does not take them from the table config.
        "s3.endpoint": s3.endpoint,
        "s3.region": s3.region,
        "s3.path-style-access": "true",
      },
    });
  });
  after(async () => {
    await trino?.stop();
    session?.close();
    await server?.stop();
    await s3?.stop();
  });

  it("Trino creates a partitioned table on S3, inserts, deletes and runs CTAS; we read them", async () => {
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
    for (const path of await q('SELECT file_path FROM iceberg.tr."trips$files"'))
      assert.match(path, /^s3:\/\/lake\/warehouse\/tr\/trips/);
    const [deletes] = await q('SELECT count(*) FROM iceberg.tr."trips$files" WHERE content = 1');
    assert.ok(Number(deletes) >= 1, "Trino wrote a position delete file");
    assert.deepEqual(
      await textRows(session, "SELECT id, city, fare, day FROM lake.tr.trips ORDER BY id"),
      theirs,
    );
    assert.deepEqual(await textRows(session, "SELECT id, fare FROM lake.tr.rome ORDER BY id"), [
      "2\t8.00",
      "5\t9.90",
    ]);
    const snapshots = await trino.query(
      'SELECT snapshot_id FROM iceberg.tr."trips$snapshots" ORDER BY committed_at',
    );
    assert.deepEqual(
      await textRows(
        session,
        `SELECT count(*) FROM lake.tr.trips FOR VERSION AS OF ${snapshots.rows[1]![0]}`,
      ),
      ["4"],
    );
  });

  it("Trino reads, filters and appends to a table we created and wrote on S3", async () => {
    await session.execute("CREATE SCHEMA lake.ours");
    await session.execute(
      "CREATE TABLE lake.ours.events (id BIGINT, kind VARCHAR, ts TIMESTAMP) WITH (partitioning = ARRAY['kind', 'day(ts)'])",
    );
    await session.execute(
      "INSERT INTO lake.ours.events SELECT i, CASE WHEN i % 3 = 0 THEN 'a' ELSE 'b' END, TIMESTAMP '2024-05-01' + INTERVAL (i) HOUR FROM range(60) t(i)",
    );
    await session.execute("DELETE FROM lake.ours.events WHERE id % 10 = 0");
    const [ours] = await textRows(session, "SELECT count(*), sum(id) FROM lake.ours.events");
    assert.deepEqual(await q("SELECT count(*), sum(id) FROM iceberg.ours.events"), [ours]);
    const filter = "kind = 'a' AND ts >= TIMESTAMP '2024-05-02 00:00:00'";
    assert.deepEqual(
      await q(`SELECT count(*) FROM iceberg.ours.events WHERE ${filter}`),
      await textRows(session, `SELECT count(*) FROM lake.ours.events WHERE ${filter}`),
    );
    await trino.query(
      "INSERT INTO iceberg.ours.events VALUES (1000, 'trino', TIMESTAMP '2024-06-01 00:00:00')",
    );
    assert.deepEqual(await textRows(session, "SELECT count(*), max(id) FROM lake.ours.events"), [
      `${Number(ours!.split("\t")[0]) + 1}\t1000`,
    ]);
  });

  it("Trino drops its tables (the catalog purges their files) and the schema", async () => {
    const table = await server.lakehouse.catalog("lake").loadTable({ namespace: ["tr"], name: "trips" });
    const prefix = `${table.metadata.location.replace(/^s3:\/\/lake\//, "")}/`;
    assert.ok((await objectsUnder(prefix)).length > 0);
    await trino.query("DROP TABLE iceberg.tr.rome");
    await trino.query("DROP TABLE iceberg.tr.trips");
    await trino.query("DROP SCHEMA iceberg.tr");
    assert.equal(await server.lakehouse.catalog("lake").namespaceExists(["tr"]), false);
    assert.deepEqual(await objectsUnder(prefix), []);
  });
});
