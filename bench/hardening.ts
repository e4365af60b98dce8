/**
 * `npm run bench -- --only hardening`: what the server's hardening (issue #9) costs, side by
 * side in one run.
 *
 *   node --import tsx bench/hardening.ts [--seconds 5] [--rows 30000000] [--no-write]
 *
 * 1. loadTable/s of `aichemy serve` now against the same server before the hardening (commit
 *    BASELINE, checked out into a temporary git worktree sharing this node_modules), each in its
 *    own process over a copy of the same data: a table with 200 snapshots, 16 requests in
 *    flight, measured in alternating rounds.
 * 2. A result of `--rows` rows (default 30M) streamed through `POST /api/v1/query` (limits
 *    off, body read as it arrives, not parsed) against the same query read in-process through
 *    `Session.stream` (every batch's values materialized in JS): rows/s, their ratio, and the
 *    server process's peak RSS (VmHWM) against its RSS before the query.
 * Results go to stdout and (unless --no-write) docs/benchmarks.md.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Lakehouse } from "../src/engine/lakehouse.js";
import { startServeProcess } from "../test/helpers/serve-process.js";
import { machineLine, writeSection } from "./report.js";

const ROOT = resolve(import.meta.dirname, "..");
/** The last commit before issue #9's hardening: the reference server. */
const BASELINE = "f7fc437";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SECONDS = Number(option("seconds", "5"));
const ROUNDS = 3;
const ROWS = Number(option("rows", "30000000"));
const SNAPSHOTS = 200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, d = 0) => n.toFixed(d);

async function post(uri: string, sql: string): Promise<any> {
  const res = await fetch(`${uri}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql }),
  });
  const body = JSON.parse(await res.text());
  if (res.status !== 200 || body.error) throw new Error(`${sql}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** loadTable calls per second of `uri`'s table t0, 16 in flight, for SECONDS. */
async function loadRate(uri: string): Promise<number> {
  const url = `${uri}/v1/namespaces/b/tables/t0`;
  const end = performance.now() + SECONDS * 1000;
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < end) {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`loadTable answered ${res.status}`);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** The baseline's source, checked out once into a temporary worktree with our node_modules. */
function baselineMain(work: string): string {
  const dir = join(work, "baseline");
  execFileSync("git", ["-C", ROOT, "worktree", "add", "--detach", dir, BASELINE], { stdio: "ignore" });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return join(dir, "src/cli/main.ts");
}

/** Peak and current resident set of a process, in MiB (Linux /proc). */
function memory(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peak: kib("VmHWM") / 1024, rss: kib("VmRSS") / 1024 };
}

async function loadTableSideBySide(work: string): Promise<string[]> {
  const data = join(work, "load");
  const server = await startServeProcess(["--data-dir", data]);
  await post(server.uri, "CREATE SCHEMA iceberg.b");
  await post(server.uri, "CREATE TABLE iceberg.b.t0 (id BIGINT, v VARCHAR)");
  for (let n = 0; n < SNAPSHOTS; n++) await post(server.uri, `INSERT INTO iceberg.b.t0 VALUES (${n}, 'x')`);
  await server.stop();
  cpSync(data, join(work, "load-baseline"), { recursive: true });
  const ours = await startServeProcess(["--data-dir", data]);
  const base = await startServeProcess(["--data-dir", join(work, "load-baseline")], [], baselineMain(work));
  const now: number[] = [];
  const before: number[] = [];
  try {
    await loadRate(ours.uri);
    await loadRate(base.uri);
    for (let r = 0; r < ROUNDS; r++) {
      before.push(await loadRate(base.uri));
      now.push(await loadRate(ours.uri));
    }
  } finally {
    await ours.stop();
    await base.stop();
  }
  const ratio = median(before) / median(now);
  console.log("loadTable/s", { now, before, ratio });
  return [
    "## loadTable/s: hardened server vs the server before it",
    "",
    `Commit ${BASELINE} (before issue #9) in its own process over a copy of the same data; a table with ${SNAPSHOTS} snapshots, 16 requests in flight, ${ROUNDS} alternating rounds of ${SECONDS} s, medians.`,
    "",
    "| server | loadTable/s |",
    "|---|---:|",
    `| before (${BASELINE}) | ${fmt(median(before))} |`,
    `| now (Host/Origin/media-type checks, strict decoding, location checks) | ${fmt(median(now))} |`,
    `| **cost (before/now)** | **${ratio.toFixed(3)}x** |`,
    "",
    "Target: at most 1.05x.",
  ];
}

async function streamSideBySide(work: string): Promise<string[]> {
  const data = join(work, "stream");
  const sql = "SELECT * FROM iceberg.s.wide";
  const server = await startServeProcess(
    ["--data-dir", data],
    ["--query-max-rows", "0", "--query-max-bytes", "0", "--query-timeout", "0"],
  );
  let api: { rowsPerSecond: number; bytes: number; peak: number; rssBefore: number };
  try {
    await post(server.uri, "CREATE SCHEMA iceberg.s");
    await post(
      server.uri,
      `CREATE TABLE iceberg.s.wide AS SELECT i AS id, i % 1000 AS k, 'row-' || i AS s, i * 0.5 AS v FROM range(${ROWS}) t(i)`,
    );
    const pid = server.process.pid!;
    const rssBefore = memory(pid).rss;
    let peak = memory(pid).peak;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory(pid).rss);
    }, 100);
    const t = performance.now();
    const res = await fetch(`${server.uri}/api/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql }),
    });
    let bytes = 0;
    let tail = "";
    for await (const chunk of res.body!) {
      bytes += chunk.byteLength;
      tail = (tail + Buffer.from(chunk).toString("latin1")).slice(-200);
    }
    const ms = performance.now() - t;
    clearInterval(sampler);
    const rowCount = Number(/"rowCount":(\d+)/.exec(tail)?.[1]);
    if (rowCount !== ROWS) throw new Error(`streamed ${rowCount} rows, expected ${ROWS}: ...${tail}`);
    api = { rowsPerSecond: ROWS / (ms / 1000), bytes, peak: Math.max(peak, memory(pid).peak), rssBefore };
  } finally {
    await server.stop();
  }
  // In-process: the same query through a session on the same data.
  const lakehouse = await Lakehouse.open({ dataDir: data, threads: 2 });
  let inProcess: { rowsPerSecond: number; peakGrowth: number };
  try {
    const session = await lakehouse.session();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const t = performance.now();
    const stream = await session.stream(sql);
    let rows = 0;
    for (let b = await stream.next(); b; b = await stream.next()) {
      b.getColumns();
      rows += b.rowCount;
      if ((rows & 0xffff) < b.rowCount) peak = Math.max(peak, process.memoryUsage().rss);
    }
    const ms = performance.now() - t;
    if (rows !== ROWS) throw new Error(`read ${rows} rows in-process, expected ${ROWS}`);
    inProcess = { rowsPerSecond: ROWS / (ms / 1000), peakGrowth: (peak - rssBefore) / 2 ** 20 };
    session.close();
  } finally {
    await lakehouse.close();
  }
  const ratio = api.rowsPerSecond / inProcess.rowsPerSecond;
  console.log("streaming", { api, inProcess, ratio });
  return [
    `## A ${ROWS / 1e6}M-row result through the query API vs in-process`,
    "",
    `\`${sql}\` (id BIGINT, k BIGINT, s VARCHAR, v DECIMAL), limits off. API: \`aichemy serve\` in its own process, the body read as it arrives (${fmt(api.bytes / 2 ** 20)} MiB of JSON); in-process: \`Session.stream\`, every batch's values materialized in JS.`,
    "",
    "| path | rows/s | memory |",
    "|---|---:|---|",
    `| query API (streamed JSON) | ${fmt(api.rowsPerSecond)} | server peak RSS ${fmt(api.peak)} MiB (RSS before the query ${fmt(api.rssBefore)} MiB) |`,
    `| in-process \`Session.stream\` | ${fmt(inProcess.rowsPerSecond)} | RSS growth ${fmt(inProcess.peakGrowth)} MiB |`,
    `| **ratio (API/in-process)** | **${ratio.toFixed(2)}** | |`,
    "",
    "Targets: at least 0.5x, in bounded memory (before, the whole result was built as JS arrays and JSON: 30M rows ran the server out of V8 heap).",
  ];
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "bench-hardening-"));
  try {
    const out = [
      "# Benchmarks: what the server's hardening costs (issue #9)",
      "",
      `Run ${new Date().toISOString()} on ${machineLine()}.`,
      "",
      ...(await loadTableSideBySide(work)),
      "",
      ...(await streamSideBySide(work)),
      "",
      "The sandbox's cost on TPC-H is in the TPC-H section (`sandbox ratio`).",
    ];
    console.log(`\n${out.join("\n")}`);
    if (!args.includes("--no-write")) writeSection("hardening", out);
  } finally {
    if (existsSync(join(work, "baseline")))
      execFileSync("git", ["-C", ROOT, "worktree", "remove", "--force", join(work, "baseline")], {
        stdio: "ignore",
      });
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
