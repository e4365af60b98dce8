/** TPC-H data for the benchmarks: the schema, and CSV files made by `tpchgen-cli` (PyPI). */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { quoteString } from "../src/duckdb/sql.js";

const CACHE = process.env.AICHEMY_CI_CACHE ?? join(homedir(), ".cache/aichemy");

/** The TPC-H tables and their columns (DDL). */
export const TABLES: Record<string, string> = {
  region: "r_regionkey INTEGER, r_name VARCHAR, r_comment VARCHAR",
  nation: "n_nationkey INTEGER, n_name VARCHAR, n_regionkey INTEGER, n_comment VARCHAR",
  supplier:
    "s_suppkey BIGINT, s_name VARCHAR, s_address VARCHAR, s_nationkey INTEGER, s_phone VARCHAR, s_acctbal DECIMAL(15,2), s_comment VARCHAR",
  customer:
    "c_custkey BIGINT, c_name VARCHAR, c_address VARCHAR, c_nationkey INTEGER, c_phone VARCHAR, c_acctbal DECIMAL(15,2), c_mktsegment VARCHAR, c_comment VARCHAR",
  part: "p_partkey BIGINT, p_name VARCHAR, p_mfgr VARCHAR, p_brand VARCHAR, p_type VARCHAR, p_size INTEGER, p_container VARCHAR, p_retailprice DECIMAL(15,2), p_comment VARCHAR",
  partsupp:
    "ps_partkey BIGINT, ps_suppkey BIGINT, ps_availqty INTEGER, ps_supplycost DECIMAL(15,2), ps_comment VARCHAR",
  orders:
    "o_orderkey BIGINT, o_custkey BIGINT, o_orderstatus VARCHAR, o_totalprice DECIMAL(15,2), o_orderdate DATE, o_orderpriority VARCHAR, o_clerk VARCHAR, o_shippriority INTEGER, o_comment VARCHAR",
  lineitem:
    "l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, l_linenumber INTEGER, l_quantity DECIMAL(15,2), l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2), l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE, l_shipinstruct VARCHAR, l_shipmode VARCHAR, l_comment VARCHAR",
};

/** A DDL column list as read_csv `columns = {...}`. */
export function duckColumns(ddl: string): string {
  return `{${ddl
    .split(/,\s*(?![^(]*\))/)
    .map((c) => {
      const [name, ...type] = c.trim().split(/\s+/);
      return `${quoteString(name!)}: ${quoteString(type.join(" "))}`;
    })
    .join(", ")}}`;
}

function tpchgen(): string {
  const onPath = spawnSync("tpchgen-cli", ["--version"], { encoding: "utf8" });
  if (onPath.status === 0) return "tpchgen-cli";
  const venv = join(CACHE, "venv-tpchgen");
  const bin = join(venv, "bin/tpchgen-cli");
  if (!existsSync(bin)) {
    console.log(`installing tpchgen-cli into ${venv} ...`);
    const mk = spawnSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    if (mk.status !== 0) throw new Error("python3 -m venv failed");
    const pip = spawnSync(join(venv, "bin/pip"), ["install", "--quiet", "tpchgen-cli"], { stdio: "inherit" });
    if (pip.status !== 0) throw new Error("pip install tpchgen-cli failed");
  }
  return bin;
}

/** The directory of TPC-H CSV files at scale factor `sf`, generated once into the cache. */
export function generateTpchCsv(sf: string): string {
  const dir = join(CACHE, `tpch-sf${sf}-csv`);
  if (existsSync(join(dir, "lineitem.csv"))) return dir;
  mkdirSync(dir, { recursive: true });
  console.log(`generating TPC-H SF${sf} CSV into ${dir} ...`);
  const r = spawnSync(tpchgen(), ["csv", "-s", sf, `--output-dir=${dir}`], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("tpchgen-cli failed");
  return dir;
}
