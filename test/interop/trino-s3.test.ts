import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Session } from "../../src/engine/session.js";
import { textRows } from "../helpers/lakehouse.js";
import type { TestRestServer } from "../helpers/rest-server.js";
import { type S3RestLakehouse, startS3RestLakehouse } from "../helpers/s3-rest.js";
import { type S3ServerKind, s3Skip, type TestS3Server } from "../helpers/s3-server.js";
import { startTrino, type TestTrino, type TrinoError, trinoSkip } from "../helpers/trino.js";

// A real Trino 476 on an S3 warehouse through our REST catalog, with Trino's native S3 file
// system.
//
// On MinIO Trino is given no S3 keys: with iceberg.rest-catalog.vended-credentials-enabled it asks
// for vended credentials and uses the STS credentials the catalog hands out per table. Trino 476
// takes only s3.access-key-id, s3.secret-access-key and s3.session-token from the table config,
// and only when all three are there (IcebergRestCatalogFileSystemFactory); endpoint, region and
// path style must be in its catalog properties (not secrets).
//
// versitygw has no STS, and the keys the catalog vends there (its own, static mode) come without
// a session token, which Trino 476 ignores ("Unable to load credentials from any of the providers
// in the chain"). So there Trino runs with keys of its own in its catalog properties.

/** No AWS credentials for Trino from anywhere but its catalog (and no slow IMDS look-ups). */
const NO_AWS_ENV = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "",
  AWS_EC2_METADATA_DISABLED: "true",
};

/** The messages of a Trino failure and its causes, one per line. */
const causes = (info: unknown): string => {
  const f = info as { type?: string; message?: string; cause?: unknown } | undefined;
  return f ? `${f.type}: ${f.message}\n${causes(f.cause)}` : "";
};

const cases: { kind: S3ServerKind; vended: boolean }[] = [
  { kind: "minio", vended: true },
  { kind: "versitygw", vended: false },
];

for (const { kind, vended } of cases) {
  const label = vended ? "sts vended credentials, no keys" : "Trino's own keys";
  describe(`interop with Trino on an S3 warehouse (${kind}, ${label})`, {
    skip: trinoSkip || s3Skip(kind),
  }, () => {
    let lake: S3RestLakehouse;
    let s3: TestS3Server;
    let server: TestRestServer;
    let trino: TestTrino;
    let session: Session;
    const q = async (sql: string) => (await trino.query(sql)).rows.map((r) => r.map(String).join("\t"));
    const objectsUnder = (prefix: string) => lake.objectsUnder(prefix);
    /** Iceberg catalog properties of a Trino catalog on our server (as client `id:secret`). */
    const catalogProperties = (credential: string, vending: boolean): Record<string, string> => ({
      "iceberg.rest-catalog.security": "OAUTH2",
      "iceberg.rest-catalog.oauth2.credential": credential,
      "iceberg.rest-catalog.vended-credentials-enabled": String(vending),
      "fs.native-s3.enabled": "true",
      "s3.endpoint": s3.endpoint,
      "s3.region": s3.region,
      "s3.path-style-access": "true",
      ...(vended ? {} : { "s3.aws-access-key": s3.accessKeyId, "s3.aws-secret-key": s3.secretAccessKey }),
    });
    before(async () => {
      lake = await startS3RestLakehouse({
        kind,
        clients: { trino: "trino-secret", reader: "reader-secret" },
        readOnly: ["reader"],
        vending: vended ? "sts" : "off",
      });
      ({ s3, server, session } = lake);
      trino = await startTrino({
        restUri: server.uri,
        warehouse: "lake",
        env: NO_AWS_ENV,
        extraCatalogProperties: catalogProperties("trino:trino-secret", vended),
      });
    });
    after(async () => {
      await trino?.stop();
      await lake?.stop();
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

    if (vended)
      it("without vended credentials Trino cannot reach the files; a read-only principal's credentials read but do not write", async () => {
        const props = (credential: string, vending: boolean) =>
          Object.entries({
            "iceberg.catalog.type": "rest",
            "iceberg.rest-catalog.uri": server.uri,
            "iceberg.rest-catalog.warehouse": "lake",
            ...catalogProperties(credential, vending),
          })
            .map(([k, v]) => `"${k}" = '${v}'`)
            .join(", ");
        await trino.query(`CREATE CATALOG novend USING iceberg WITH (${props("trino:trino-secret", false)})`);
        await trino.query(
          `CREATE CATALOG reader USING iceberg WITH (${props("reader:reader-secret", true)})`,
        );
        await assert.rejects(trino.query("SELECT count(*) FROM novend.ours.events"), (e: TrinoError) =>
          /Unable to load credentials from any of the providers/.test(causes(e.failureInfo)),
        );
        assert.deepEqual(
          await q("SELECT count(*) FROM reader.ours.events"),
          await q("SELECT count(*) FROM iceberg.ours.events"),
        );
        // Trino's message is "HIVE_WRITER_CLOSE_ERROR: Error committing write parquet to Hive";
        // MinIO's refusal is in the causes.
        await assert.rejects(
          trino.query("INSERT INTO reader.ours.events VALUES (2000, 'r', TIMESTAMP '2024-06-02 00:00:00')"),
          (e: TrinoError) => /Access Denied/i.test(causes(e.failureInfo)),
        );
        assert.deepEqual(await textRows(session, "SELECT count(*) FROM lake.ours.events WHERE id = 2000"), [
          "0",
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
}
