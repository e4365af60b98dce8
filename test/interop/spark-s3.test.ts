import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Session } from "../../src/engine/session.js";
import { textRows } from "../helpers/lakehouse.js";
import type { TestRestServer } from "../helpers/rest-server.js";
import { type S3RestLakehouse, startS3RestLakehouse } from "../helpers/s3-rest.js";
import { s3Skip } from "../helpers/s3-server.js";
import { type SparkSession, sparkSkip, startSpark } from "../helpers/spark.js";

// Apache Spark (Iceberg 1.12 runtime + iceberg-aws-bundle, S3FileIO) on an S3 warehouse through
// our REST catalog. Spark is given no S3 keys: it reaches the table files only with what the
// catalog hands out per table, either vended credentials (STS credentials scoped to the table on
// MinIO; the server's own keys on versitygw, which has no STS) or remote signing (the server
// signs each S3 request at the table's /sign endpoint). Endpoint, region and path style come from
// the table config as well. A second Spark catalog connects as a read-only principal, whose
// writes the store (STS credentials) or the catalog (signing) refuses.

/** No AWS credentials for Spark from anywhere but the catalog (and no slow IMDS look-ups). */
const NO_AWS_ENV = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "",
  AWS_EC2_METADATA_DISABLED: "true",
};

const cases = [
  { kind: "minio", vending: "sts", delegation: "vended-credentials" },
  { kind: "versitygw", vending: "static", delegation: "vended-credentials" },
  { kind: "minio", vending: "off", delegation: "remote-signing" },
] as const;

for (const { kind, vending, delegation } of cases) {
  const label = delegation === "remote-signing" ? "remote signing" : `${vending} vended credentials`;
  describe(`interop with Spark on an S3 warehouse (${kind}, ${label})`, {
    skip: sparkSkip || s3Skip(kind),
  }, () => {
    let lake: S3RestLakehouse;
    let server: TestRestServer;
    let spark: SparkSession;
    let session: Session;
    const objectsUnder = (prefix: string) => lake.objectsUnder(prefix);
    before(async () => {
      lake = await startS3RestLakehouse({
        kind,
        clients: { spark: "spark-secret", reader: "reader-secret" },
        readOnly: ["reader"],
        vending,
      });
      ({ server, session } = lake);
      const catalogProperties: Record<string, string> = {
        "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        // Iceberg Java sends no X-Iceberg-Access-Delegation header unless told to.
        "header.X-Iceberg-Access-Delegation": delegation,
        // DROP TABLE ... PURGE: Spark drops the table (purgeRequested=false), then deletes its
        // files itself through the table's FileIO; under remote signing the server keeps signing
        // inside a dropped table's location for a while, so that works too.
      };
      // A second catalog `reader` in the same Spark: the same server as a read-only principal.
      const reader = "spark.sql.catalog.reader";
      const readerConf: Record<string, string> = {
        [reader]: "org.apache.iceberg.spark.SparkCatalog",
        [`${reader}.type`]: "rest",
        [`${reader}.uri`]: server.uri,
        [`${reader}.warehouse`]: "lake",
        [`${reader}.credential`]: "reader:reader-secret",
        [`${reader}.cache-enabled`]: "false",
      };
      for (const [k, v] of Object.entries(catalogProperties)) readerConf[`${reader}.${k}`] = v;
      spark = await startSpark({
        restUri: server.uri,
        credential: "spark:spark-secret",
        warehouse: "lake",
        catalogName: "lake",
        s3: true,
        env: NO_AWS_ENV,
        catalogProperties,
        conf: readerConf,
      });
    });
    after(async () => {
      await spark?.stop();
      await lake?.stop();
    });

    it("Spark creates a partitioned table on S3, inserts, merges and deletes; we read every version", async () => {
      const r = await spark.sql([
        "CREATE NAMESPACE lake.sp",
        `CREATE TABLE lake.sp.orders (id BIGINT, customer STRING, amount DECIMAL(10,2), ts TIMESTAMP)
           USING iceberg PARTITIONED BY (days(ts))
           TBLPROPERTIES ('format-version'='2', 'write.delete.mode'='merge-on-read', 'write.merge.mode'='merge-on-read', 'write.update.mode'='copy-on-write')`,
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
        "SELECT file_path FROM lake.sp.orders.files",
      ]);
      const sparkRows = r[7]!.rows.map((row) => row.join("\t"));
      assert.deepEqual(sparkRows, ["1\tANN\t10.50", "2\tbob\t25.00", "4\tdan\t40.00", "5\teve\t50.00"]);
      assert.equal(Number(r[8]!.rows[0]![0]), 4, "Spark's time travel to the first snapshot");
      assert.ok(Number(r[9]!.rows[0]![0]) > 0, "merge-on-read wrote delete files");
      for (const [path] of r[10]!.rows) assert.match(String(path), /^s3:\/\/lake\/warehouse\/sp\/orders/);
      assert.deepEqual(
        await textRows(session, "SELECT id, customer, amount FROM lake.sp.orders ORDER BY id"),
        sparkRows,
      );
      assert.deepEqual(
        await textRows(session, `SELECT count(*) FROM lake.sp.orders FOR VERSION AS OF ${r[3]!.rows[0]![0]}`),
        ["4"],
      );
      const [snapshots] = await textRows(session, 'SELECT count(*) FROM lake.sp."orders$snapshots"');
      assert.equal(Number(snapshots), 4, "INSERT, MERGE, DELETE and UPDATE made one snapshot each");
    });

    it("Spark reads, filters and appends to a table we created and wrote on S3", async () => {
      await session.execute("CREATE SCHEMA lake.ours");
      await session.execute(
        "CREATE TABLE lake.ours.readings (sensor VARCHAR, v DOUBLE, day DATE) WITH (partitioning = ARRAY['sensor', 'month(day)'])",
      );
      await session.execute(
        "INSERT INTO lake.ours.readings SELECT 's' || (i % 3), i * 0.5, DATE '2024-01-01' + INTERVAL (i) DAY FROM range(90) t(i)",
      );
      await session.execute("DELETE FROM lake.ours.readings WHERE sensor = 's2' AND day < DATE '2024-02-01'");
      const [ours] = await textRows(session, "SELECT count(*), round(sum(v), 2) FROM lake.ours.readings");
      const [filtered] = await textRows(
        session,
        "SELECT count(*) FROM lake.ours.readings WHERE sensor = 's1' AND day >= DATE '2024-02-01'",
      );
      const r = await spark.sql([
        "SELECT count(*), round(sum(v), 2) FROM lake.ours.readings",
        "SELECT count(*) FROM lake.ours.readings WHERE sensor = 's1' AND day >= DATE '2024-02-01'",
        "INSERT INTO lake.ours.readings VALUES ('s9', 1.0, DATE '2025-01-01')",
      ]);
      assert.equal(r[0]!.rows[0]!.map(Number).join("\t"), ours!.split("\t").map(Number).join("\t"));
      assert.ok(Number(r[0]!.rows[0]![0]) < 90, "Spark applies our delete");
      assert.equal(String(r[1]!.rows[0]![0]), filtered);
      assert.deepEqual(
        await textRows(session, "SELECT count(*) FROM lake.ours.readings WHERE sensor = 's9'"),
        ["1"],
      );
    });

    it("Spark as a read-only principal reads our table and Spark's, and cannot write", async () => {
      const r = await spark.sql([
        "SELECT count(*) FROM reader.ours.readings",
        "SELECT id FROM reader.sp.orders ORDER BY id",
      ]);
      assert.deepEqual(
        [String(r[0]!.rows[0]![0])],
        await textRows(session, "SELECT count(*) FROM lake.ours.readings"),
      );
      assert.deepEqual(
        r[1]!.rows.map((row) => String(row[0])),
        await textRows(session, "SELECT id FROM lake.sp.orders ORDER BY id"),
      );
      // Static vending hands out the server's own keys: nothing stops a write at the store there.
      if (vending === "static") return;
      await assert.rejects(
        spark.sql(["INSERT INTO reader.ours.readings VALUES ('r', 0.0, DATE '2025-01-01')"]),
        // MinIO refuses the STS credentials' write; the catalog refuses to sign it.
        delegation === "remote-signing" ? /code: 403|Forbidden/ : /Access Denied|AccessDenied|403/,
      );
      assert.deepEqual(
        await textRows(session, "SELECT count(*) FROM lake.ours.readings WHERE sensor = 'r'"),
        ["0"],
      );
    });

    it("Spark drops its table with PURGE: the table's files are deleted, then the namespace", async () => {
      const table = await server.lakehouse.catalog("lake").loadTable({ namespace: ["sp"], name: "orders" });
      const prefix = `${table.metadata.location.replace(/^s3:\/\/lake\//, "")}/`;
      assert.ok((await objectsUnder(prefix)).length > 0);
      await spark.sql(["DROP TABLE lake.sp.orders PURGE", "DROP NAMESPACE lake.sp"]);
      assert.equal(await server.lakehouse.catalog("lake").namespaceExists(["sp"]), false);
      assert.deepEqual(await objectsUnder(prefix), []);
    });
  });
}
