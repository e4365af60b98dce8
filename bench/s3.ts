/**
 * `npm run bench -- --only s3`: TPC-H on an S3 warehouse (MinIO, a local process) against the
 * same tables on a local-disk warehouse, side by side in one process.
 *
 *   node --import tsx bench/s3.ts                  # SF1
 *   node --import tsx bench/s3.ts --quick          # SF0.1
 *   node --import tsx bench/s3.ts --sf 0.01 --runs 5 --no-write
 *
 * One lakehouse with two warehouses: `iceberg` on local disk and `s3lake` at
 * `s3://tpch/warehouse` on MinIO. DuckDB has no S3 reader here: scans of the S3 warehouse read
 * copies of the data files that the lakehouse's disk cache downloads (`FileCache`); metadata,
 * manifests and Parquet footers are cached in memory on both sides.
 * 1. Load: `aichemy ingest` of each TPC-H CSV (tpchgen-cli, as bench/tpch.ts; read once before,
 *    so both sides find it in the page cache) into the same table on both warehouses, one after
 *    the other per table: seconds and ratio S3/local.
 * 2. Queries: the 22 queries of ../shared/data/tpch/queries, per query interleaved:
 *    - one untimed local run (the expected answer);
 *    - S3 cold: the data file cache emptied, one run (bytes and files downloaded counted);
 *    - one untimed S3 run, then `--runs` (default 5) pairs of a local and a warm S3 run,
 *      alternating which goes first: medians, and the S3 requests per warm run.
 *    Ratios S3/local per query and their geometric means; the S3 answers must equal the local ones.
 * Skips (exit 0) when MinIO is not available. Results go to stdout and (unless --no-write)
 * docs/benchmarks.md.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Lakehouse } from "../src/engine/lakehouse.js";
import type { Session } from "../src/engine/session.js";
import { ingestFiles } from "../src/ingest/file-ingest.js";
import type { ResolvingFileIO } from "../src/io/resolving-file-io.js";
import { planScan } from "../src/table/scan.js";
import { s3Skip, startS3Server, type TestS3Server } from "../test/helpers/s3-server.js";
import { machineLine, writeSection } from "./report.js";
import { generateTpchCsv, TABLES } from "./tpch-data.js";

const QUERIES = resolve(import.meta.dirname, "../../shared/data/tpch/queries");
const LOCAL = "iceberg";
const S3 = "s3lake";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const sf = args.includes("--quick") ? "0.1" : option("sf", "1");
const runs = Number(option("runs", "5"));
const threads = Number(option("threads", String(cpus().length)));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const fmt = (n: number, d = 2) => n.toFixed(d);
const mib = (bytes: number) => fmt(bytes / 2 ** 20, 1);

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

const textRows = async (session: Session, sql: string) =>
  (await session.execute(sql)).rows.map((r) => r.map((v) => (v === null ? "" : String(v))));

/** The TPC-H tables a query reads (by name in its text, string literals left out). */
const tablesOf = (sql: string) => {
  const text = sql.replace(/'[^']*'/g, "''");
  return Object.keys(TABLES).filter((t) => new RegExp(`\\b${t}\\b`, "i").test(text));
};

async function main(server: TestS3Server): Promise<void> {
  const csvDir = generateTpchCsv(sf);
  const work = mkdtempSync(join(tmpdir(), `aichemy-bench-s3-sf${sf}-`));
  await server.createBucket("tpch");
  const lakehouse = await Lakehouse.open({
    dataDir: join(work, "lakehouse"),
    threads,
    warehouses: [{ name: S3, location: "s3://tpch/warehouse" }],
    s3: {
      endpoint: server.endpoint,
      region: server.region,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    },
  });
  const s3io = (lakehouse.store.io as ResolvingFileIO).s3;
  const cache = s3io.cache;
  // Counts the requests sent to the store.
  const requests = { count: 0 };
  s3io.client.middlewareStack.add(
    (next) => (a) => {
      requests.count++;
      return next(a);
    },
    { step: "initialize", name: "benchRequestCounter" },
  );
  const local = await lakehouse.session({ catalog: LOCAL });
  const s3 = await lakehouse.session({ catalog: S3 });
  const out: string[] = [];
  const log = (s = "") => {
    console.log(s);
    out.push(s);
  };
  const started = performance.now();
  try {
    log(`# Benchmarks: TPC-H SF${sf} on S3 (MinIO)`);
    log("");
    log(
      `Run ${new Date().toISOString()} on ${machineLine()}, DuckDB threads ${threads}; MinIO (single drive, \`startS3Server("minio")\` of test/helpers/s3-server.ts) on the same machine over loopback; local and warm times median of ${runs} runs.`,
    );
    log(
      "One lakehouse, two warehouses holding the same tables: `iceberg` on local disk and `s3lake` at `s3://tpch/warehouse`. Scans of S3 tables read copies of the data files downloaded into the lakehouse's disk cache. Table metadata, manifests and Parquet footers are cached in memory on both sides (immutable files); the S3 side checks that a table's current metadata file still exists (one HEAD request) at most every 10 s per table.",
    );
    log("");
    // ------------------------------------------------------------------ load
    const loadRows: string[] = [];
    let localTotal = 0;
    let s3Total = 0;
    for (const catalog of [LOCAL, S3]) await local.execute(`CREATE SCHEMA ${catalog}.tpch`);
    for (const [table, ddl] of Object.entries(TABLES)) {
      const csv = join(csvDir, `${table}.csv`);
      // Read once beforehand, so both sides read the CSV from the page cache.
      await pipeline(createReadStream(csv), new Writable({ write: (_c, _e, cb) => cb() }));
      const ms: number[] = [];
      let rows = 0;
      for (const catalog of [LOCAL, S3]) {
        await local.execute(`CREATE TABLE ${catalog}.tpch.${table} (${ddl})`);
        const [t, result] = await time(() =>
          ingestFiles(lakehouse.duck, lakehouse.catalog(catalog), {
            files: [csv],
            table: { namespace: ["tpch"], name: table },
          }),
        );
        ms.push(t);
        rows = Number(result.rows);
      }
      localTotal += ms[0]!;
      s3Total += ms[1]!;
      loadRows.push(
        `| ${table} | ${rows} | ${fmt(ms[0]! / 1000)} | ${fmt(ms[1]! / 1000)} | ${fmt(ms[1]! / ms[0]!)} |`,
      );
    }
    log("## Load: `aichemy ingest` of the CSV files into each warehouse");
    log("");
    log("| table | rows | local s | S3 s | ratio (S3/local) |");
    log("|---|---:|---:|---:|---:|");
    for (const r of loadRows) log(r);
    log(
      `| **all** | | ${fmt(localTotal / 1000)} | ${fmt(s3Total / 1000)} | **${fmt(s3Total / localTotal)}** |`,
    );
    log("");
    // Data files of the S3 tables (what a scan of a whole table downloads).
    const tableBytes = new Map<string, number>();
    let dataFiles = 0;
    for (const table of Object.keys(TABLES)) {
      const t = await lakehouse.catalog(S3).loadTable({ namespace: ["tpch"], name: table });
      const plan = await planScan(t);
      dataFiles += plan.tasks.length;
      tableBytes.set(
        table,
        plan.tasks.reduce((s, task) => s + Number(task.file.fileSizeInBytes), 0),
      );
    }
    const dataBytes = [...tableBytes.values()].reduce((s, b) => s + b, 0);
    // ------------------------------------------------------------------ queries
    await local.execute(`USE ${LOCAL}.tpch`);
    await s3.execute(`USE ${S3}.tpch`);
    const rows: string[] = [];
    const coldRatios: number[] = [];
    const warmRatios: number[] = [];
    let fetchedTotal = 0;
    let filesTotal = 0;
    let failures = 0;
    for (let q = 1; q <= 22; q++) {
      const name = `q${String(q).padStart(2, "0")}`;
      const sql = readFileSync(join(QUERIES, `${name}.sql`), "utf8")
        .trim()
        .replace(/;\s*$/, "");
      // An untimed local run first: the answer, and whatever the engine caches per query text.
      const expected = await textRows(local, sql);
      await cache.clear();
      const before = cache.stats();
      const [coldMs, coldRows] = await time(() => textRows(s3, sql));
      const after = cache.stats();
      const fetched = after.fetchedBytes - before.fetchedBytes;
      const files = after.misses - before.misses;
      fetchedTotal += fetched;
      filesTotal += files;
      // The downloaded files' dirty pages are written back now, not during the timed runs.
      spawnSync("sync");
      await textRows(s3, sql);
      const localMs: number[] = [];
      const warmMs: number[] = [];
      let warmRows = coldRows;
      const requestsBefore = requests.count;
      for (let i = 0; i < runs; i++) {
        // Alternating which side goes first, so neither always follows the other.
        const pair = [
          async () => localMs.push((await time(() => textRows(local, sql)))[0]),
          async () => {
            const [ms, r] = await time(() => textRows(s3, sql));
            warmMs.push(ms);
            warmRows = r;
          },
        ];
        if (i % 2 === 1) pair.reverse();
        for (const run of pair) await run();
      }
      const warmRequests = (requests.count - requestsBefore) / runs;
      const warmFetched = cache.stats().fetchedBytes - after.fetchedBytes;
      const same =
        JSON.stringify(coldRows) === JSON.stringify(expected) &&
        JSON.stringify(warmRows) === JSON.stringify(expected);
      if (!same) failures++;
      const l = median(localMs);
      const w = median(warmMs);
      coldRatios.push(coldMs / l);
      warmRatios.push(w / l);
      const read = tablesOf(sql).reduce((s, t) => s + tableBytes.get(t)!, 0);
      rows.push(
        `| ${name} | ${fmt(l, 1)} | ${fmt(coldMs, 1)} | ${fmt(w, 1)} | ${fmt(coldMs / l)} | ${fmt(w / l)} | ${fmt(warmRequests, 0)} | ${mib(fetched)} (${files}) | ${mib(read)} | ${same ? "=" : "DIFFERENT"}${warmFetched > 0 ? `, warm fetched ${mib(warmFetched)} MiB` : ""} |`,
      );
      console.log(`${name}: local ${fmt(l, 1)} ms, S3 cold ${fmt(coldMs, 1)} ms, warm ${fmt(w, 1)} ms`);
    }
    log("## Queries: S3 warehouse (cold and warm cache) vs local warehouse");
    log("");
    log(
      "| query | local ms | S3 cold ms | S3 warm ms | cold/local | warm/local | S3 requests per warm run | fetched cold MiB (files) | data files of its tables MiB | answer vs local |",
    );
    log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for (const r of rows) log(r);
    log(
      `| **geomean** | | | | **${fmt(geomean(coldRatios), 3)}** | **${fmt(geomean(warmRatios), 3)}** | | ${mib(fetchedTotal)} (${filesTotal}) | | ${failures === 0 ? "all equal" : `${failures} differ`} |`,
    );
    log("");
    log(
      `Data files on S3: ${dataFiles} files, ${mib(dataBytes)} MiB in all. Cold runs downloaded ${mib(fetchedTotal)} MiB over the 22 queries (each starts with an empty cache), ${fmt(fetchedTotal / dataBytes)}x the whole data set; "data files of its tables" is what the query would download without pruning.`,
    );
    log("");
    log(
      "Cold = the lakehouse's data file cache emptied before the run (MinIO's own files stay in the OS page cache, so this measures the transfer over loopback and the write to the cache, not a cold disk). Warm = every data file the query needs is in the cache.",
    );
    log("");
    log(
      "The cache downloads whole files, not the column chunks a query reads: where no file is pruned, a cold query downloads every data file of every table it reads (Q6 reads 4 of lineitem's 16 columns and downloads all of it). Warm, the S3 side's only extra work is the existence check of each table's cached metadata file (one HEAD request, at most every 10 s per table; the \"S3 requests per warm run\" column).",
    );
    log("");
    log("Reproduce: `npm run bench -- --only s3` (`-- --quick` for SF0.1).");
    console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s`);
    if (!args.includes("--no-write")) writeSection(`s3-sf${sf}`, out);
    if (failures > 0) process.exitCode = 1;
  } finally {
    local.close();
    s3.close();
    await lakehouse.close();
    rmSync(work, { recursive: true, force: true });
  }
}

const skip = s3Skip("minio");
if (skip) {
  console.log(`bench/s3.ts skipped: ${skip}`);
} else {
  const server = await startS3Server("minio");
  try {
    await main(server);
  } finally {
    await server.stop();
  }
}
