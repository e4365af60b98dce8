import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import { StorageError } from "../../src/errors.js";
import type { FileIO } from "../../src/io/file-io.js";
import type { ResolvingFileIO } from "../../src/io/resolving-file-io.js";
import type { S3Options } from "../../src/io/s3-file-io.js";
import { reachableFiles } from "../../src/table/purge.js";
import { textRows } from "../helpers/lakehouse.js";
import { type S3Proxy, startS3Proxy } from "../helpers/s3-proxy.js";
import {
  type S3ServerKind,
  s3OptionsOf,
  s3Skip,
  startS3Server,
  type TestS3Server,
} from "../helpers/s3-server.js";

/**
 * The engine on an S3 warehouse, against real MinIO and versitygw: every write path goes to
 * the store (DuckDB writes locally, we upload, then commit), scans read cached copies, and a
 * store that fails mid-write leaves the table exactly as it was.
 */
for (const kind of ["minio", "versitygw"] as S3ServerKind[]) {
  describe(`S3 warehouse (${kind})`, { skip: s3Skip(kind) }, () => {
    let server: TestS3Server;
    let proxy: S3Proxy;
    let dir: string;
    let lakehouse: Lakehouse;
    let session: Session;
    const rows = (sql: string) => textRows(session, sql);
    const s3 = (endpoint: string): S3Options => ({ ...s3OptionsOf(server), endpoint, maxAttempts: 2 });
    const open = async (name: string, endpoint = proxy.endpoint) =>
      Lakehouse.open({
        dataDir: join(dir, name),
        warehouses: [{ name: "lake", location: "s3://lake/warehouse" }],
        s3: s3(endpoint),
        threads: 2,
      });
    const io = () => lakehouse.store.io as ResolvingFileIO;
    const objects = async (fio: FileIO, prefix: string) => {
      const out: string[] = [];
      for await (const f of fio.list(prefix)) out.push(f.location);
      return out.sort();
    };

    before(async () => {
      server = await startS3Server(kind);
      await server.createBucket("lake");
      proxy = await startS3Proxy(server.endpoint);
      dir = mkdtempSync(join(tmpdir(), `s3-warehouse-${kind}-`));
      lakehouse = await open("a");
      session = await lakehouse.session({ catalog: "lake" });
      await session.execute("CREATE SCHEMA lake.db");
    });
    after(async () => {
      session?.close();
      await lakehouse?.close();
      await proxy?.close();
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("creates, writes and reads a partitioned table whose every file is on S3", async () => {
      await session.execute(
        "CREATE TABLE lake.db.t (id BIGINT, cat VARCHAR, v DOUBLE) WITH (partitioning = ARRAY['cat'])",
      );
      await session.execute(
        "INSERT INTO lake.db.t SELECT i, chr((97 + i % 3)::INTEGER), i * 1.5 FROM range(3000) r(i)",
      );
      await session.execute("INSERT INTO lake.db.t SELECT i, 'd', i FROM range(3000, 3100) r(i)");
      assert.deepEqual(await rows("SELECT cat, count(*), sum(id) FROM lake.db.t GROUP BY cat ORDER BY cat"), [
        "a\t1000\t1498500",
        "b\t1000\t1499500",
        "c\t1000\t1500500",
        "d\t100\t304950",
      ]);
      const table = await lakehouse.catalog("lake").loadTable({ namespace: ["db"], name: "t" });
      assert.equal(table.metadata.location, "s3://lake/warehouse/db/t");
      const files = await reachableFiles(table);
      assert.ok(files.size > 0);
      for (const f of files) assert.ok(f.startsWith("s3://lake/warehouse/db/t/"), f);
      const stored = new Set(await objects(io(), "s3://lake/warehouse/db/t"));
      for (const f of files) assert.ok(stored.has(f), `referenced file is in the bucket: ${f}`);
      // Nothing of the table is on local disk but the cache.
      assert.deepEqual(await objects(io(), join(dir, "a", "warehouse")), []);
    });

    it("DELETE, UPDATE, MERGE and time travel on S3 agree with DuckDB on the same rows", async () => {
      await session.execute("CREATE TABLE lake.db.dml AS SELECT i AS id, i % 7 AS k FROM range(500) r(i)");
      // The same statements on a plain DuckDB table are the reference.
      const ref = await lakehouse.duck.connect();
      await ref.run("CREATE TEMP TABLE ref AS SELECT i AS id, i % 7 AS k FROM range(500) r(i)");
      const before = await rows('SELECT snapshot_id FROM lake.db."dml$snapshots"');
      for (const stmt of [
        "DELETE FROM {t} WHERE k = 3",
        "UPDATE {t} SET k = k + 100 WHERE id % 10 = 0",
        "MERGE INTO {t} AS t USING (SELECT i AS id FROM range(490, 510) r(i)) AS s ON t.id = s.id WHEN MATCHED THEN DELETE WHEN NOT MATCHED THEN INSERT VALUES (s.id, -1)",
      ]) {
        await session.execute(stmt.replaceAll("{t}", "lake.db.dml"));
        await ref.run(stmt.replaceAll("{t}", "ref"));
      }
      const q = (t: string) => `SELECT count(*), sum(id), sum(k) FROM ${t}`;
      const expected = (await ref.query(`SELECT COLUMNS(*)::VARCHAR FROM (${q("ref")})`)).map((r) =>
        Object.values(r).join("\t"),
      );
      ref.close();
      assert.deepEqual(await rows(q("lake.db.dml")), expected);
      assert.deepEqual(await rows(`${q("lake.db.dml")} FOR VERSION AS OF ${before[0]}`), [
        "500\t124750\t1494",
      ]);
    });

    it("optimize, expire_snapshots and remove_orphan_files work on S3 and keep every row", async () => {
      const count = await rows("SELECT count(*), sum(id) FROM lake.db.dml");
      await session.execute("ALTER TABLE lake.db.dml EXECUTE optimize");
      await session.execute("ALTER TABLE lake.db.dml EXECUTE expire_snapshots(retention_threshold => '0s')");
      const table = await lakehouse.catalog("lake").loadTable({ namespace: ["db"], name: "dml" });
      const live = await reachableFiles(table);
      const stray = "s3://lake/warehouse/db/dml/data/stray.parquet";
      await io().write(stray, Uint8Array.of(1, 2, 3));
      await session.execute(
        "ALTER TABLE lake.db.dml EXECUTE remove_orphan_files(retention_threshold => '0s')",
      );
      const stored = await objects(io(), "s3://lake/warehouse/db/dml");
      assert.ok(!stored.includes(stray), "the orphan was removed");
      for (const f of live) assert.ok(stored.includes(f), `live file kept: ${f}`);
      assert.deepEqual(await rows("SELECT count(*), sum(id) FROM lake.db.dml"), count);
    });

    it("scans fetch only the files left after pruning, once; a warm scan reads local disk only", async () => {
      // A second lakehouse over the same catalog store starts with an empty cache.
      const other = await Lakehouse.open({
        dataDir: join(dir, "b"),
        catalogUrl: join(dir, "a", "catalog.db"),
        s3: s3(proxy.endpoint),
        threads: 2,
      });
      try {
        const s = await other.session({ catalog: "lake" });
        const cache = (other.store.io as ResolvingFileIO).s3.cache;
        const table = await other.catalog("lake").loadTable({ namespace: ["db"], name: "t" });
        const dFiles = [...(await reachableFiles(table))].filter((f) => f.includes("/data/cat=d/"));
        assert.equal(dFiles.length, 1);
        assert.deepEqual(await textRows(s, "SELECT sum(id) FROM lake.db.t WHERE cat = 'd'"), ["304950"]);
        assert.equal(cache.stats().misses, 1, "only cat=d's one data file was fetched");
        assert.deepEqual(await textRows(s, "SELECT sum(v) FROM lake.db.t"), ["7052700.0"]);
        const afterCold = cache.stats();
        assert.equal(afterCold.misses, 4, "every data file fetched once");
        const gets = proxy.seen.length;
        assert.deepEqual(await textRows(s, "SELECT sum(v) FROM lake.db.t"), ["7052700.0"]);
        assert.equal(cache.stats().misses, 4, "a warm scan fetches nothing");
        assert.equal(cache.stats().fetchedBytes, afterCold.fetchedBytes);
        // A warm scan sends nothing to the store but, at most, the catalog's HEAD that the
        // current metadata file still exists (repeated at most every 10 s).
        const calls = proxy.seen.slice(gets);
        assert.ok(calls.length <= 1 && calls.every((c) => c.startsWith("HEAD ")), calls.join("\n"));
        s.close();
      } finally {
        await other.close();
      }
    });

    it("throttling (503 SlowDown) is retried with backoff: the statement succeeds", async () => {
      const before = Number((await rows("SELECT count(*) FROM lake.db.t"))[0]);
      proxy.throttle(1);
      await session.execute("INSERT INTO lake.db.t VALUES (9001, 'd', 1.0)");
      proxy.throttle(1);
      await io().s3.cache.clear();
      assert.deepEqual(await rows("SELECT count(*) FROM lake.db.t"), [String(before + 1)]);
      assert.equal(proxy.throttled(), 2);
      await session.execute("DELETE FROM lake.db.t WHERE id = 9001");
    });

    it("a store that goes away mid-write fails the statement naming the location and leaves the table as it was", async () => {
      const before = await rows("SELECT count(*), sum(id) FROM lake.db.t");
      const snapshots = await rows('SELECT snapshot_id FROM lake.db."t$snapshots"');
      // The data files upload, then the store is gone when the metadata is written.
      proxy.tripOn((req) => req.method === "PUT" && /\/metadata\//.test(req.url ?? ""));
      await assert.rejects(
        session.execute("INSERT INTO lake.db.t SELECT i, 'e', 0 FROM range(50) r(i)"),
        (e: unknown) => {
          assert.ok(e instanceof StorageError, String(e));
          assert.match((e as Error).message, /s3:\/\/lake\/warehouse\/db\/t\/metadata\//);
          return true;
        },
      );
      proxy.comeBack();
      assert.deepEqual(await rows("SELECT count(*), sum(id) FROM lake.db.t"), before);
      assert.deepEqual(await rows('SELECT snapshot_id FROM lake.db."t$snapshots"'), snapshots);
      // Whatever was uploaded is not referenced; remove_orphan_files finds it.
      const table = await lakehouse.catalog("lake").loadTable({ namespace: ["db"], name: "t" });
      const live = await reachableFiles(table);
      const stray = (await objects(io(), "s3://lake/warehouse/db/t/data")).filter((f) => !live.has(f));
      for (const f of stray)
        assert.ok(f.includes("/cat=e/"), `only the failed write's files are unreferenced: ${f}`);
    });

    it("wrong credentials and a missing bucket fail with errors naming the location", async () => {
      const bad = await Lakehouse.open({
        dataDir: join(dir, "c"),
        catalogUrl: join(dir, "a", "catalog.db"),
        warehouses: [{ name: "nobucket", location: "s3://no-such-bucket/wh" }],
        s3: { ...s3(server.endpoint), secretAccessKey: "wrong-secret-key" },
        threads: 2,
      });
      try {
        const s = await bad.session({ catalog: "lake" });
        await assert.rejects(s.execute("SELECT count(*) FROM lake.db.t"), (e: unknown) => {
          assert.ok(e instanceof StorageError, String(e));
          assert.match((e as Error).message, /s3:\/\/lake\/warehouse\/db\/t\/metadata\/.*access denied/);
          return true;
        });
        s.close();
      } finally {
        await bad.close();
      }
      const nb = await Lakehouse.open({
        dataDir: join(dir, "d"),
        catalogUrl: join(dir, "a", "catalog.db"),
        s3: s3(server.endpoint),
        threads: 2,
      });
      try {
        const s = await nb.session({ catalog: "nobucket" });
        await s.execute("CREATE SCHEMA nobucket.x");
        await assert.rejects(
          s.execute("CREATE TABLE nobucket.x.t (a INT)"),
          /bucket no-such-bucket does not exist/,
        );
        assert.deepEqual(await textRows(s, "SHOW TABLES FROM nobucket.x"), []);
        s.close();
      } finally {
        await nb.close();
      }
    });
  });
}
