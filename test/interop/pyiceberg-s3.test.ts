import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Session } from "../../src/engine/session.js";
import { textRows } from "../helpers/lakehouse.js";
import { pyicebergSkip, runPythonAsync } from "../helpers/python.js";
import type { TestRestServer } from "../helpers/rest-server.js";
import { type S3RestLakehouse, startS3RestLakehouse } from "../helpers/s3-rest.js";
import { s3Skip } from "../helpers/s3-server.js";

// PyIceberg on an S3 warehouse (real MinIO) through our REST catalog. PyIceberg is given no
// S3 keys at all: it reaches the data only with the STS credentials the catalog vends for
// each table (PyIceberg asks with X-Iceberg-Access-Delegation: vended-credentials).
const CLIENT = join(import.meta.dirname, "pyiceberg_rest.py");
// versitygw has no STS: there the catalog vends its own keys (static mode), so only the
// read-write path is checked.
for (const [kind, vending] of [
  ["minio", "sts"],
  ["versitygw", "static"],
] as const) {
  describe(`interop with PyIceberg on an S3 warehouse (${kind}, ${vending} vended credentials)`, {
    skip: pyicebergSkip || s3Skip(kind),
  }, () => {
    let lake: S3RestLakehouse;
    let server: TestRestServer;
    let session: Session;
    const py = (credential: string, ...args: string[]) =>
      runPythonAsync(CLIENT, [server.uri, credential, ...args], {
        AICHEMY_PYICEBERG_PROPS: JSON.stringify({ warehouse: "lake" }),
        // No ambient AWS credentials either.
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
      }) as Promise<{ rows: { id: number }[] }>;
    before(async () => {
      lake = await startS3RestLakehouse({
        kind,
        clients: { pyiceberg: "pyiceberg-secret", reader: "reader-secret" },
        readOnly: ["reader"],
        vending,
      });
      ({ server, session } = lake);
    });
    after(async () => {
      await lake?.stop();
    });

    it("PyIceberg creates, appends, overwrites, deletes and evolves a table on S3; we read it", async () => {
      await py("pyiceberg:pyiceberg-secret", "write", "pyi.sales");
      const theirs = await py("pyiceberg:pyiceberg-secret", "read", "pyi.sales");
      const expected = [...[3, 4, 5, 6, 7, 8, 9], ...[100, 101, 102, 103, 104], 200];
      assert.deepEqual(
        theirs.rows.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b),
        expected,
      );
      const ours = await textRows(session, "SELECT id FROM lake.pyi.sales ORDER BY id");
      assert.deepEqual(ours.map(Number), expected);
      const t = await server.lakehouse.catalog("lake").loadTable({ namespace: ["pyi"], name: "sales" });
      assert.match(t.metadata.location, /^s3:\/\/lake\/warehouse\/pyi\/sales/);
    });

    it("PyIceberg reads and appends to our S3 table; a read-only principal reads but cannot append", async () => {
      await session.execute("CREATE SCHEMA lake.ours");
      await session.execute(
        "CREATE TABLE lake.ours.t (id BIGINT, name VARCHAR) WITH (partitioning = ARRAY['name'])",
      );
      await session.execute("INSERT INTO lake.ours.t VALUES (1, 'a'), (2, 'b'), (3, 'a')");
      const read = await py("reader:reader-secret", "read", "ours.t");
      assert.deepEqual(read.rows.map((r: { id: number }) => r.id).sort(), [1, 2, 3]);
      if (vending === "sts")
        await assert.rejects(
          py("reader:reader-secret", "append", "ours.t", JSON.stringify([{ id: 9, name: "z" }])),
          /ACCESS_DENIED|AccessDenied|ForbiddenException/,
        );
      await py("pyiceberg:pyiceberg-secret", "append", "ours.t", JSON.stringify([{ id: 4, name: "c" }]));
      assert.deepEqual(await textRows(session, "SELECT id FROM lake.ours.t ORDER BY id"), [
        "1",
        "2",
        "3",
        "4",
      ]);
    });
  });
}
