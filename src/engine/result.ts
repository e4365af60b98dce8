/**
 * Statement results: column names and DuckDB types, rows of DuckDB values, and for DDL/DML
 * Trino's update type and count (`CREATE TABLE`, `INSERT` with rows written).
 */
import type { DuckDBResultReader, DuckDBValue } from "@duckdb/node-api";
import type { Duck } from "../duckdb/connection.js";
import { quoteIdent } from "../duckdb/sql.js";

/** A result column: name and DuckDB type text. */
export interface ResultColumn {
  readonly name: string;
  readonly type: string;
}

/** The outcome of one statement. */
export interface StatementResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly DuckDBValue[])[];
  /** Trino update type for statements that change something, e.g. `CREATE TABLE`, `INSERT`. */
  readonly updateType?: string | undefined;
  /** Rows written or affected, when known. */
  readonly updateCount?: bigint | undefined;
}

/** A result from a DuckDB reader. */
export function readerResult(reader: DuckDBResultReader): StatementResult {
  const names = reader.deduplicatedColumnNames();
  const types = reader.columnTypes();
  return { columns: names.map((name, i) => ({ name, type: types[i]!.toString() })), rows: reader.getRows() };
}

/** A result with no rows, for DDL (`updateType` as Trino reports it). */
export function updateResult(updateType: string, updateCount?: bigint): StatementResult {
  return { columns: [], rows: [], updateType, updateCount };
}

/**
 * A result made of literal rows: each value is a SQL literal text, cast to its column's
 * DuckDB type by DuckDB so that the values are typed like any query result.
 */
export async function literalResult(
  duck: Duck,
  columns: readonly ResultColumn[],
  rows: readonly (readonly string[])[],
): Promise<StatementResult> {
  const names = columns.map((c) => quoteIdent(c.name)).join(", ");
  const sql =
    rows.length === 0
      ? `SELECT ${columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(", ")} WHERE false`
      : `SELECT * FROM (VALUES ${rows.map((r) => `(${r.map((v, i) => `CAST(${v} AS ${columns[i]!.type})`).join(", ")})`).join(", ")}) AS v(${names})`;
  return readerResult(await duck.reader(sql));
}
