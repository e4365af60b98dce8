/**
 * `npm run bench -- --only row-level`: row-level changes on TPC-H lineitem (SF1; `--quick`
 * SF0.1), ours against DuckDB doing the same statement on a native DuckDB table, side by side
 * in one process with the same thread count:
 * - MERGE updating 1% of the rows (`l_orderkey % 100 = 0`, matched by key);
 * - DELETE of 10% of the rows (`l_orderkey % 10 = 3`);
 * - TPC-H Q1 and Q6 over the table with those 10% deleted (merge-on-read: position deletes
 *   applied while reading), median of `--runs`.
 * Answers are compared (Q1/Q6 results must be equal). Results go to stdout and (unless
 * --no-write) docs/benchmarks.md.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Duck } from "../src/duckdb/connection.js";
import { quoteString } from "../src/duckdb/sql.js";
import { Lakehouse } from "../src/engine/lakehouse.js";
import { ingestFiles } from "../src/ingest/file-ingest.js";
import { machineLine, writeSection } from "./report.js";
import { duckColumns, generateTpchCsv, TABLES } from "./tpch-data.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const sf = args.includes("--quick") ? "0.1" : option("sf", "1");
const runs = Number(option("runs", "3"));
const threads = Number(option("threads", String(cpus().length)));
const QUERIES = resolve(import.meta.dirname, "../../shared/data/tpch/queries");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Q1 and Q6 (from ../shared when present, else the TPC-H text with its default parameters). */
function query(n: string, fallback: string): string {
  try {
    return readFileSync(join(QUERIES, `q${n}.sql`), "utf8").replace(/;\s*$/, "");
  } catch {
    return fallback;
  }
}
const Q1 = query(
  "01",
  `SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
   sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
   avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
   FROM lineitem WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus`,
);
const Q6 = query(
  "06",
  `SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem WHERE l_shipdate >= DATE '1994-01-01'
   AND l_shipdate < DATE '1994-01-01' + INTERVAL 1 YEAR AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24`,
);

const MERGE = (target: string, source: string) =>
  `MERGE INTO ${target} t USING (SELECT l_orderkey, l_linenumber, l_quantity + 1 AS q FROM ${source} WHERE l_orderkey % 100 = 0) s
   ON t.l_orderkey = s.l_orderkey AND t.l_linenumber = s.l_linenumber WHEN MATCHED THEN UPDATE SET l_quantity = s.q`;
const DELETE = (target: string) => `DELETE FROM ${target} WHERE l_orderkey % 10 = 3`;

async function main(): Promise<void> {
  const csv = join(generateTpchCsv(sf), "lineitem.csv");
  const work = mkdtempSync(join(tmpdir(), "bench-row-level-"));
  const lakehouse = await Lakehouse.open({ dataDir: work, threads });
  const session = await lakehouse.session();
  const ref = await Duck.open({ config: { threads: String(threads) } });
  try {
    const ddl = TABLES.lineitem!;
    await session.execute("CREATE SCHEMA iceberg.rl");
    await session.execute(`CREATE TABLE iceberg.rl.base (${ddl})`);
    await ingestFiles(lakehouse.duck, lakehouse.catalog(), {
      files: [csv],
      table: { namespace: ["rl"], name: "base" },
    });
    await ref.run(
      `CREATE TABLE base AS SELECT * FROM read_csv(${quoteString(csv)}, header = true, auto_detect = false, columns = ${duckColumns(ddl)})`,
    );
    const [{ n }] = (await ref.queryJS("SELECT count(*) AS n FROM base")) as [{ n: bigint }];
    const results: string[] = [];
    const row = (what: string, oursMs: number, refMs: number) => {
      results.push(
        `| ${what} | ${(oursMs / 1000).toFixed(2)} | ${(refMs / 1000).toFixed(2)} | ${(oursMs / refMs).toFixed(2)} |`,
      );
      console.log(what, (oursMs / 1000).toFixed(2), (refMs / 1000).toFixed(2));
    };

    // MERGE 1%.
    await session.execute("CREATE TABLE iceberg.rl.m AS SELECT * FROM iceberg.rl.base");
    await ref.run("CREATE TABLE m AS SELECT * FROM base");
    row(
      "MERGE updating 1% of rows",
      await time(() => session.execute(MERGE("iceberg.rl.m", "iceberg.rl.base"))),
      await time(() => ref.run(MERGE("m", "base"))),
    );
    const check = "SELECT sum(l_quantity)::VARCHAR AS s, count(*)::VARCHAR AS c FROM ";
    const ours1 = (await session.execute(`${check} iceberg.rl.m`)).rows[0]!.map(String).join(",");
    const ref1 = Object.values((await ref.queryJS(`${check} m`))[0]!).join(",");
    if (ours1 !== ref1) throw new Error(`MERGE results differ: ours ${ours1}, DuckDB ${ref1}`);

    // DELETE 10%, then queries over the table with deletes.
    await session.execute("CREATE TABLE iceberg.rl.d AS SELECT * FROM iceberg.rl.base");
    await ref.run("CREATE TABLE d AS SELECT * FROM base");
    row(
      "DELETE of 10% of rows",
      await time(() => session.execute(DELETE("iceberg.rl.d"))),
      await time(() => ref.run(DELETE("d"))),
    );
    await session.execute("USE iceberg.rl");
    for (const [name, sql] of [
      ["Q1", Q1],
      ["Q6", Q6],
    ] as const) {
      const ours = sql.replace(/\blineitem\b/g, "d");
      const refSql = sql.replace(/\blineitem\b/g, "d");
      const a = (await session.execute(ours)).rows.map((r) => r.map(String).join("|")).join("\n");
      const b = (await ref.query(refSql)).map((r) => Object.values(r).map(String).join("|")).join("\n");
      if (a !== b) throw new Error(`${name} answers differ over the table with deletes:\n${a}\nvs\n${b}`);
      const oursMs: number[] = [];
      const refMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        oursMs.push(await time(() => session.execute(ours)));
        refMs.push(await time(() => ref.reader(refSql)));
      }
      row(`TPC-H ${name} over the table with 10% deleted`, median(oursMs), median(refMs));
    }
    const out = [
      `# Benchmarks: row-level changes, TPC-H lineitem SF${sf}`,
      "",
      `Run ${new Date().toISOString()} on ${machineLine()}, DuckDB threads ${threads}; ${n} rows; queries median of ${runs} runs.`,
      "Reference: DuckDB running the same statement on a native DuckDB table in the same process. Ours: merge-on-read (position delete files), answers checked equal.",
      "",
      "| operation | ours s | DuckDB s | time ratio (ours/DuckDB) |",
      "|---|---:|---:|---:|",
      ...results,
    ];
    console.log(`\n${out.join("\n")}`);
    if (!args.includes("--no-write")) writeSection(`row-level-sf${sf}`, out);
  } finally {
    session.close();
    ref.close();
    await lakehouse.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
