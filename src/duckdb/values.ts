/**
 * Converting DuckDB values (from `@duckdb/node-api` results) for JSON output.
 */
import {
  DuckDBArrayValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUnionValue,
  type DuckDBValue,
} from "@duckdb/node-api";
import { dateText, decimalText, timestampText } from "./value-text.js";

/**
 * A JSON-compatible value: booleans, strings and numbers that fit stay as they are; integers
 * beyond 2^53 become decimal strings, non-finite doubles `null`; lists and arrays become
 * arrays, structs objects, maps arrays of `{key, value}` (keys need not be strings), unions
 * their member's value; other DuckDB values (decimals, dates, times, timestamps, UUIDs,
 * intervals, blobs) their text as DuckDB writes it; `TIMESTAMP WITH TIME ZONE` in UTC, with
 * `+00`. NULL is `null`.
 */
export function jsonValue(v: DuckDBValue): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (v instanceof DuckDBDecimalValue) return decimalText(v.value, v.scale);
  if (v instanceof DuckDBDateValue) return dateText(v.days) ?? String(v);
  if (v instanceof DuckDBTimestampValue) return timestampText(v.micros) ?? String(v);
  if (v instanceof DuckDBTimestampTZValue) {
    const text = timestampText(v.micros);
    return text === undefined ? String(v) : `${text}+00`;
  }
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(jsonValue);
  if (v instanceof DuckDBStructValue) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v.entries)) out[k] = jsonValue(x);
    return out;
  }
  if (v instanceof DuckDBMapValue)
    return v.entries.map((e) => ({ key: jsonValue(e.key), value: jsonValue(e.value) }));
  if (v instanceof DuckDBUnionValue) return jsonValue(v.value);
  return String(v);
}
