/**
 * The statement half of the SQL sandbox (ARCHITECTURE.md decision 5): before DuckDB executes a
 * user's query, its parse tree (DuckDB's own, `json_serialize_sql`) is checked and anything
 * that reaches past the lakehouse is refused with a Trino-style `Access Denied` naming the
 * function or table and where it is in the user's text:
 *
 * - table functions other than the few that only compute (`range`, `generate_series`,
 *   `unnest`, `json_each`, ...): `read_csv`, `read_parquet`, `glob`, `sniff_csv`,
 *   `parquet_metadata`, `read_duckdb`, `query`, `json_execute_serialized_sql`,
 *   `duckdb_settings`, `duckdb_secrets` ... (an allow-list: functions added to DuckDB later
 *   are refused until reviewed);
 * - scalar functions that disclose settings or the executed text (`current_setting`,
 *   `current_query`), bind SQL text we never checked (`json_serialize_plan`, `query`) or
 *   have effects (`write_log`), and file table functions called as scalars;
 * - names of DuckDB's system views that disclose settings (`pg_settings`), and names DuckDB
 *   would read as files (replacement scans, also qualified: `temp.main."x.parquet"`),
 *   checked by {@link checkSystemRelation} once lakehouse names are resolved.
 *
 * With local file access (the CLI's `--allow-local-files`, as DuckDB's CLI users expect) the
 * file-reading table functions and replacement scans on file names are allowed; the settings
 * and execution escapes stay refused. DuckDB's own configuration (`enable_external_access`,
 * `allowed_directories`, `lock_configuration`, see `duckdb-sandbox.ts`) is the second line.
 */
import { AccessDeniedError } from "../../errors.js";
import type { AstNode } from "../query/duckdb-ast.js";

/** What user SQL may reach. */
export interface QueryPolicy {
  /**
   * Whether user SQL may read local files directly (`read_csv('x.csv')`, `FROM 'x.parquet'`):
   * off on every server surface; the CLI's opt-in (default false).
   */
  readonly localFileAccess: boolean;
}

/** The policy of every server surface: no file access. */
export const SANDBOXED: QueryPolicy = { localFileAccess: false };

/** Table functions that only compute: allowed everywhere. */
const COMPUTE_TABLE_FUNCTIONS = new Set([
  "range",
  "generate_series",
  "unnest",
  "json_each",
  "json_tree",
  "repeat",
  "repeat_row",
  "pg_timezone_names",
  "icu_calendar_names",
  "duckdb_functions",
  "duckdb_keywords",
  "duckdb_types",
]);

/** Table functions that read files named by their arguments: allowed with local file access. */
const FILE_TABLE_FUNCTIONS = new Set([
  "read_csv",
  "read_csv_auto",
  "read_json",
  "read_json_auto",
  "read_json_objects",
  "read_json_objects_auto",
  "read_ndjson",
  "read_ndjson_auto",
  "read_ndjson_objects",
  "read_parquet",
  "parquet_scan",
  "read_text",
  "read_blob",
  "read_duckdb",
  "glob",
  "sniff_csv",
  "parquet_metadata",
  "parquet_schema",
  "parquet_file_metadata",
  "parquet_kv_metadata",
  "parquet_full_metadata",
  "parquet_bloom_probe",
]);

/**
 * Scalar functions refused everywhere: settings and executed-text disclosure, side effects,
 * and functions that bind or run SQL text of their argument (`json_serialize_plan` binds it:
 * file schemas, settings folded into constants), which this check never sees.
 */
const REFUSED_SCALAR_FUNCTIONS = new Set([
  "current_setting",
  "current_query",
  "write_log",
  "getenv",
  "json_serialize_plan",
  "query",
  "query_table",
  "json_execute_serialized_sql",
]);

/** DuckDB system relations refused everywhere (settings disclosure, prepared statement text). */
const REFUSED_SYSTEM_RELATIONS = new Set(["pg_settings", "pg_prepared_statements"]);

/** DuckDB schemas whose system views may be queried (read-only catalog views). */
const SYSTEM_SCHEMAS = new Set(["information_schema", "pg_catalog"]);

function isNode(v: unknown): v is AstNode {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `line L:C: ` of an offset in `sql` (1-based, as Trino reports positions), or empty when
 * unknown (also when `sql` is empty: offsets of a text that is not the user's).
 */
export function positionPrefix(sql: string, offset: unknown): string {
  const pos = Number(offset);
  if (sql === "" || !Number.isSafeInteger(pos) || pos < 0 || pos > sql.length) return "";
  const before = sql.slice(0, pos);
  const line = before.split("\n").length;
  return `line ${line}:${pos - before.lastIndexOf("\n")}: `;
}

/**
 * Checks every function call of a parsed query (DuckDB `json_serialize_sql` tree) against
 * the policy; `sql` is the text the tree was parsed from (offsets of error positions).
 * `ignore` names table-function placeholders of our own (see `table-functions.ts`).
 * @throws AccessDeniedError naming the first refused function and its line and column
 */
export function checkQueryFunctions(root: AstNode, sql: string, policy: QueryPolicy): void {
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!isNode(v)) return;
    if (v.type === "TABLE_FUNCTION" && isNode(v.function)) {
      const fn = v.function;
      const name = String(fn.function_name ?? "").toLowerCase();
      const allowed =
        COMPUTE_TABLE_FUNCTIONS.has(name) || (policy.localFileAccess && FILE_TABLE_FUNCTIONS.has(name));
      if (!allowed) throw refusedFunction(name, sql, fn.query_location ?? v.query_location, policy);
      visit(fn.children);
      return;
    }
    if (v.class === "FUNCTION") {
      const name = String(v.function_name ?? "").toLowerCase();
      if (REFUSED_SCALAR_FUNCTIONS.has(name) || (!policy.localFileAccess && FILE_TABLE_FUNCTIONS.has(name)))
        throw refusedFunction(name, sql, v.query_location, policy);
    }
    for (const x of Object.values(v)) if (typeof x === "object" && x !== null) visit(x);
  };
  visit(root);
}

function refusedFunction(
  name: string,
  sql: string,
  location: unknown,
  policy: QueryPolicy,
): AccessDeniedError {
  const why = FILE_TABLE_FUNCTIONS.has(name)
    ? policy.localFileAccess
      ? ""
      : " (it reads files outside the lakehouse; query tables through the catalog, or ingest files with `aichemy ingest`)"
    : "";
  return new AccessDeniedError(
    `${positionPrefix(sql, location)}Access Denied: Cannot execute function ${name}${why}`,
  );
}

/**
 * Checks a table reference that is neither a lakehouse table nor a CTE, i.e. one DuckDB
 * would resolve itself: only DuckDB's read-only catalog views (`information_schema.*`,
 * `pg_catalog.*` but for settings) are allowed, and, with local file access, unqualified
 * file names (DuckDB's replacement scans: `FROM 'trips.csv'`). A name that looks like a file
 * is refused whatever qualifies it: DuckDB tries `schema.table` of an unknown table as the
 * file `schema.table` (`information_schema."x.csv"`, `temp.main."x.parquet"`). Anything
 * else is reported as a missing table in the user's terms.
 * @throws AccessDeniedError for settings views and file names; `missing()` otherwise
 */
export function checkSystemRelation(
  ref: {
    readonly catalog: string;
    readonly schema: string;
    readonly table: string;
    readonly location: number;
  },
  sql: string,
  policy: QueryPolicy,
  missing: () => Error,
): void {
  const table = ref.table.toLowerCase();
  const schema = ref.schema.toLowerCase();
  const catalog = ref.catalog.toLowerCase();
  const where = positionPrefix(sql, ref.location);
  if (REFUSED_SYSTEM_RELATIONS.has(table))
    throw new AccessDeniedError(`${where}Access Denied: Cannot select from ${ref.table}`);
  const dotted = [ref.catalog, ref.schema, ref.table].filter((p) => p !== "").join(".");
  if (looksLikeFile(ref.table) || REPLACEMENT_SCAN_NAME.test(dotted)) {
    if (policy.localFileAccess && !catalog && !schema) return;
    throw new AccessDeniedError(
      `${where}Access Denied: Cannot read file '${looksLikeFile(ref.table) ? ref.table : dotted}' as a table (files outside the lakehouse are not readable from SQL here)`,
    );
  }
  if (SYSTEM_SCHEMAS.has(schema) && (catalog === "" || catalog === "memory" || catalog === "system")) return;
  // The session's temporary tables: only our own statements create them (staged rows).
  if (catalog === "temp") return;
  throw missing();
}

/**
 * Names DuckDB's built-in replacement scans read as files (its CSV, Parquet and JSON readers
 * match these endings, compressed or with a URL query): checked on the whole dotted name,
 * which is what DuckDB tries as a path when `schema.table` is not a table.
 */
const REPLACEMENT_SCAN_NAME = /\.(csv|tsv|parquet|json|jsonl|ndjson)(\.(gz|zst))?($|\?)/i;

/** Whether DuckDB would take a table name for a file or URL (a replacement scan). */
function looksLikeFile(name: string): boolean {
  return /[/\\:]|\.[A-Za-z0-9]+$/.test(name) || name.includes("*");
}
