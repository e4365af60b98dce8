/**
 * `npm run bench -- --only catalog`: REST catalog throughput of `aichemy serve` on its two
 * stores, SQLite (embedded default) and PostgreSQL, side by side in one run.
 *
 *   node --import tsx bench/catalog.ts [--seconds 5] [--no-write]
 *
 * Each store gets its own server process; the load comes from this process over loopback
 * HTTP with plain `fetch` (response bodies are read, not parsed, so the numbers are the
 * server's). Measured, each for `--seconds`:
 * - loadTable/s of a table with 200 snapshots, 16 requests in flight (full metadata, and
 *   `snapshots=refs`);
 * - commits/s of one client committing `set-properties` back to back (a new metadata file
 *   and a compare-and-swap each);
 * - commits/s of 8 clients on 8 tables (no conflicts), and of 8 clients on one table (the
 *   server serializes them per table).
 * Results go to stdout and (unless --no-write) docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RestCatalog } from "../src/catalog/rest/rest-catalog.js";
import { Lakehouse } from "../src/engine/lakehouse.js";
import { Schema } from "../src/spec/schema.js";
import { Types } from "../src/spec/types.js";
import { postgresSkip, startPostgres, type TestPostgres } from "../test/helpers/postgres.js";
import { startServeProcess } from "../test/helpers/serve-process.js";
import { machineLine, writeSection } from "./report.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SECONDS = Number(option("seconds", "5"));
const SNAPSHOTS = 200;

interface Results {
  load: number;
  loadRefs: number;
  commitSerial: number;
  commitTables: number;
  commitOneTable: number;
  metadataKiB: number;
}

/** Runs `worker` in `parallel` loops for SECONDS; returns completed operations per second. */
async function rate(parallel: number, worker: (loop: number) => Promise<void>): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async (_, loop) => {
      while (performance.now() < end) {
        await worker(loop);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function measure(label: string, storeArgs: string[]): Promise<Results> {
  const dir = mkdtempSync(join(tmpdir(), "bench-catalog-"));
  const server = await startServeProcess(["--data-dir", join(dir, "server"), ...storeArgs]);
  const catalog = await RestCatalog.open({ name: "rest", uri: server.uri });
  const lakehouse = await Lakehouse.open({
    dataDir: join(dir, "client"),
    catalogs: new Map([["rest", catalog]]),
    threads: 1,
  });
  try {
    const schema = new Schema(0, [
      { id: 1, name: "id", required: true, type: Types.long },
      { id: 2, name: "v", required: false, type: Types.string },
    ]);
    await catalog.createNamespace(["b"]);
    for (let i = 0; i < 9; i++) await catalog.createTable({ namespace: ["b"], name: `t${i}` }, { schema });
    // A table with history: SNAPSHOTS real appends through the engine.
    const session = await lakehouse.session({ catalog: "rest" });
    for (let n = 0; n < SNAPSHOTS; n++) await session.execute(`INSERT INTO rest.b.t0 VALUES (${n}, 'x')`);
    session.close();
    const url = (t: string) => `${server.uri}/v1/iceberg/namespaces/b/tables/${t}`;
    const metadataKiB = (await (await fetch(url("t0"))).arrayBuffer()).byteLength / 1024;
    const get = (query: string) => async () => {
      const res = await fetch(url(`t0${query}`));
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`loadTable answered ${res.status}`);
    };
    const load = await rate(16, get(""));
    const loadRefs = await rate(16, get("?snapshots=refs"));
    let n = 0;
    const commit = (table: string) => async () => {
      const res = await fetch(url(table), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          requirements: [],
          updates: [{ action: "set-properties", updates: { n: String(n++) } }],
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`commit answered ${res.status}`);
    };
    const commitSerial = await rate(1, commit("t1"));
    const commitTables = await rate(8, (loop) => commit(`t${loop + 1}`)());
    const commitOneTable = await rate(8, commit("t1"));
    const r = { load, loadRefs, commitSerial, commitTables, commitOneTable, metadataKiB };
    console.log(label, JSON.stringify(r));
    return r;
  } finally {
    await lakehouse.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sqlite = await measure("SQLite", []);
  let pg: TestPostgres | undefined;
  let postgres: Results | undefined;
  if (postgresSkip) console.log(`PostgreSQL skipped: ${postgresSkip}`);
  else {
    pg = await startPostgres();
    try {
      postgres = await measure("PostgreSQL", ["--catalog-url", pg.database("bench_catalog")]);
    } finally {
      await pg.stop();
    }
  }
  const fmt = (v: number) => v.toFixed(0);
  const row = (what: string, k: keyof Results) =>
    `| ${what} | ${fmt(sqlite[k])} | ${postgres ? fmt(postgres[k]) : "-"} | ${postgres ? (postgres[k] / sqlite[k]).toFixed(2) : "-"} |`;
  const out = [
    "# Benchmarks: REST catalog throughput",
    "",
    `Run ${new Date().toISOString()} on ${machineLine()}; ${SECONDS} s per measurement.`,
    "`aichemy serve` in its own process per store, load from a second process over loopback HTTP (bodies read, not parsed). PostgreSQL 15 from Debian on the same machine.",
    "",
    "| operation (per second) | SQLite | PostgreSQL | PostgreSQL / SQLite |",
    "|---|---:|---:|---:|",
    row(`loadTable, ${SNAPSHOTS} snapshots (${fmt(sqlite.metadataKiB)} KiB), 16 in flight`, "load"),
    row("loadTable with `snapshots=refs`, 16 in flight", "loadRefs"),
    row("commits, 1 client (set-properties, back to back)", "commitSerial"),
    row("commits, 8 clients on 8 tables", "commitTables"),
    row("commits, 8 clients on 1 table", "commitOneTable"),
    "",
    "Every commit writes a new metadata file and swaps the table's pointer with one compare-and-swap statement. Loads of an unchanged table are answered from the serialized response of its metadata file, which is immutable.",
  ];
  console.log(`\n${out.join("\n")}`);
  if (!args.includes("--no-write")) writeSection("catalog", out);
}

await main();
