/**
 * Rendering statement results for the terminal and for files: `table` (boxed, aligned),
 * `csv` (RFC 4180 with a header row), `json` (an array of row objects, DuckDB's JSON
 * conversion of values), `markdown` (a GitHub table).
 */
import type { DuckDBValue } from "@duckdb/node-api";
import Table from "cli-table3";
import { stringify } from "csv-stringify/sync";
import { jsonValue } from "../duckdb/values.js";
import type { StatementResult } from "../engine/result.js";

/** Output formats of `aichemy sql`. */
export const OUTPUT_FORMATS = ["table", "csv", "json", "markdown"] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Text of a value for display: `NULL` for null, DuckDB's own rendering otherwise. */
export function displayValue(v: DuckDBValue): string {
  if (v === null || v === undefined) return "NULL";
  return typeof v === "string" ? v : String(v);
}

/** Renders a result; DDL results render as their update type (and count). */
export function formatResult(r: StatementResult, format: OutputFormat): string {
  if (r.columns.length === 0)
    return r.updateCount !== undefined ? `${r.updateType}: ${r.updateCount} rows` : `${r.updateType ?? "OK"}`;
  const header = r.columns.map((c) => c.name);
  switch (format) {
    case "csv":
      return stringify([
        header,
        ...r.rows.map((row) => row.map((v) => (v === null ? "" : displayValue(v)))),
      ]).trimEnd();
    case "json":
      return JSON.stringify(
        r.rows.map((row) => Object.fromEntries(header.map((h, i) => [h, jsonValue(row[i] ?? null)]))),
        null,
        2,
      );
    case "markdown": {
      const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
      const lines = [`| ${header.map(esc).join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
      for (const row of r.rows) lines.push(`| ${row.map((v) => esc(displayValue(v))).join(" | ")} |`);
      return lines.join("\n");
    }
    default: {
      const t = new Table({ head: header, style: { head: [], border: [] } });
      for (const row of r.rows) t.push(row.map(displayValue));
      return `${t.toString()}\n(${r.rows.length} row${r.rows.length === 1 ? "" : "s"})`;
    }
  }
}
