/**
 * Converting DuckDB values (from `@duckdb/node-api` results) for JSON output.
 */
import type { DuckDBValue } from "@duckdb/node-api";

/**
 * A JSON-compatible value: booleans, strings and numbers that fit stay as they are; integers
 * beyond 2^53 become decimal strings; DuckDB's structured values use their own `toJson()`
 * (decimals, dates and timestamps as strings, lists and structs as JSON). NULL is `null`.
 */
export function jsonValue(v: DuckDBValue): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") return v;
  const toJson = (v as { toJson?: () => unknown }).toJson;
  return typeof toJson === "function" ? toJson.call(v) : String(v);
}
