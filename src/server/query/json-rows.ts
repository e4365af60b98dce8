/**
 * Rows of a result batch as JSON text, the query API's row format: `[v1, v2, ...]` per row.
 * Values are those of `jsonValue` (`duckdb/values.ts`): booleans, numbers and strings as they
 * are, integers beyond 2^53 as decimal strings, non-finite doubles `null`, decimals, dates,
 * timestamps and other scalars as DuckDB's text, lists as arrays, structs as objects, maps as
 * arrays of `{key, value}`; NULL is `null`. Values are converted column by column with one
 * converter chosen per column type, then each batch is serialized once.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import { jsonValue } from "../../duckdb/values.js";
import type { ResultBatch } from "../../engine/statement-stream.js";
import { stringifyJson } from "../../spec/json.js";

type Converter = (v: DuckDBValue) => unknown;

const identity: Converter = (v) => v;
const number: Converter = (v) => (typeof v === "number" && !Number.isFinite(v) ? null : v);
const bigint: Converter = (v) => {
  if (typeof v !== "bigint") return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v.toString();
};

/** The converter of a column of DuckDB type text `type`. */
export function columnConverter(type: string): Converter {
  switch (type) {
    case "BOOLEAN":
    case "VARCHAR":
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "UTINYINT":
    case "USMALLINT":
    case "UINTEGER":
      return identity;
    case "FLOAT":
    case "DOUBLE":
      return number;
    case "BIGINT":
    case "UBIGINT":
    case "HUGEINT":
    case "UHUGEINT":
      return bigint;
    default:
      return jsonValue;
  }
}

/**
 * The JSON text of a batch's rows, comma-separated without brackets (`[1,"a"],[2,"b"]`), for
 * columns whose converters are `converters` (see {@link columnConverter}).
 */
export function batchRowsJson(batch: ResultBatch, converters: readonly Converter[]): string {
  const columns = batch.getColumns();
  const n = batch.rowCount;
  const width = columns.length;
  const rows = new Array<unknown[]>(n);
  for (let i = 0; i < n; i++) rows[i] = new Array<unknown>(width);
  for (let j = 0; j < width; j++) {
    const col = columns[j]!;
    const convert = converters[j]!;
    if (convert === identity) for (let i = 0; i < n; i++) rows[i]![j] = col[i];
    else for (let i = 0; i < n; i++) rows[i]![j] = col[i] === null ? null : convert(col[i]!);
  }
  let text: string;
  try {
    text = JSON.stringify(rows);
  } catch {
    text = stringifyJson(rows); // a bigint inside a nested value
  }
  return text.slice(1, -1);
}

/** Rows `start` (inclusive) to `end` (exclusive) of a batch. */
export function sliceBatch(batch: ResultBatch, start: number, end: number): ResultBatch {
  const from = Math.max(0, Math.min(start, batch.rowCount));
  const to = Math.max(from, Math.min(end, batch.rowCount));
  return { rowCount: to - from, getColumns: () => batch.getColumns().map((c) => c.slice(from, to)) };
}
