/**
 * Reading CSV, JSON, JSON Lines and Parquet files as a DuckDB relation for ingestion, with
 * column names sanitized to lower_snake_case and CSV read strictly (explicit dialect, no
 * silent row skipping), so that malformed rows fail with the file and line.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";
import type { Duck } from "../duckdb/connection.js";
import { quoteIdent, quoteString } from "../duckdb/sql.js";
import { DataError, ValidationError } from "../errors.js";

/** Supported input formats. */
export type FileFormat = "csv" | "json" | "jsonl" | "parquet";

/** The format of a file by extension (`.csv`, `.tsv`, `.json`, `.jsonl`/`.ndjson`, `.parquet`, with optional `.gz`). */
export function detectFormat(file: string): FileFormat {
  const ext = extname(file.replace(/\.(gz|zst)$/i, "")).toLowerCase();
  switch (ext) {
    case ".csv":
    case ".tsv":
    case ".txt":
      return "csv";
    case ".json":
      return "json";
    case ".jsonl":
    case ".ndjson":
      return "jsonl";
    case ".parquet":
      return "parquet";
    default:
      throw new ValidationError(
        `cannot tell the format of ${file} from its extension; use --format csv|json|jsonl|parquet`,
      );
  }
}

/**
 * A column name in lower_snake_case: `Created Date` -> `created_date`, `camelCase` ->
 * `camel_case`, `X Coordinate (State Plane)` -> `x_coordinate_state_plane`; a leading digit
 * gets `_`; empty names become `column`.
 */
export function sanitizeColumnName(name: string): string {
  let s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (s === "") s = "column";
  if (/^[0-9]/.test(s)) s = `_${s}`;
  return s;
}

/** Sanitizes a list of names, suffixing `_2`, `_3` ... to duplicates. */
export function sanitizeColumnNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    const base = sanitizeColumnName(n);
    let out = base;
    for (let i = 2; used.has(out); i++) out = `${base}_${i}`;
    used.add(out);
    return out;
  });
}

/** Parses the header record of a CSV file (first record, RFC 4180 quoting). */
function readCsvHeader(file: string, delimiter: string): string[] {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf
      .subarray(0, n)
      .toString("utf8")
      .replace(/^\uFEFF/, "");
    const fields: string[] = [];
    let cur = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === delimiter) {
        fields.push(cur);
        cur = "";
      } else if (c === "\n" || c === "\r") {
        break;
      } else cur += c;
    }
    fields.push(cur);
    return fields;
  } finally {
    closeSync(fd);
  }
}

/** A source relation over input files. */
export interface FileSource {
  /** SQL of a relation with sanitized column names. */
  readonly sql: string;
  /** Sanitized column names, in order. */
  readonly columns: readonly string[];
}

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  readonly format?: FileFormat | undefined;
  /** CSV delimiter (default `,`, or tab for `.tsv`). */
  readonly delimiter?: string | undefined;
  /** Forced DuckDB types by sanitized column name (the target table's types). */
  readonly types?: ReadonlyMap<string, string> | undefined;
}

function csvRelation(file: string, delimiter: string, columns: { name: string; type: string }[]): string {
  const cols = columns.map((c) => `${quoteString(c.name)}: ${quoteString(c.type)}`).join(", ");
  return `read_csv(${quoteString(file)}, delim = ${quoteString(delimiter)}, quote = '"', escape = '"', header = true, auto_detect = false, strict_mode = true, columns = {${cols}})`;
}

/**
 * Builds the relation reading `files`. CSV headers are read directly and types sniffed by
 * DuckDB per file; files are combined by column name.
 * @throws ValidationError for unknown formats or mixed formats; DataError when a file cannot be sniffed.
 */
export async function fileSource(
  duck: Duck,
  files: readonly string[],
  opts: FileSourceOptions = {},
): Promise<FileSource> {
  if (files.length === 0) throw new ValidationError("no input files");
  const formats = new Set(files.map((f) => opts.format ?? detectFormat(f)));
  if (formats.size > 1) throw new ValidationError(`input files mix formats: ${[...formats].join(", ")}`);
  const format = [...formats][0]!;
  const selects: string[] = [];
  const allColumns: string[] = [];
  for (const file of files) {
    let relation: string;
    let original: string[];
    if (format === "csv") {
      const delimiter =
        opts.delimiter ??
        (file
          .toLowerCase()
          .replace(/\.(gz|zst)$/, "")
          .endsWith(".tsv")
          ? "\t"
          : ",");
      original = readCsvHeader(file, delimiter);
      const sanitized = sanitizeColumnNames(original);
      let sniffed: { name: string; type: string }[] = [];
      try {
        const rows = await duck.queryJS(
          `SELECT Columns FROM sniff_csv(${quoteString(file)}, delim = ${quoteString(delimiter)}, quote = '"', escape = '"', header = true, skip = 0, ignore_errors = true)`,
        );
        sniffed = ((rows[0]?.Columns as { name: string; type: string }[] | undefined) ?? []).map((c) => ({
          name: String(c.name),
          type: String(c.type),
        }));
      } catch {
        sniffed = [];
      }
      const types = original.map((name, i) => {
        const forced = opts.types?.get(sanitized[i]!);
        const s = sniffed.length === original.length ? sniffed[i]!.type : "VARCHAR";
        return { name, type: forced ?? s };
      });
      relation = csvRelation(file, delimiter, types);
    } else if (format === "parquet") {
      relation = `read_parquet(${quoteString(file)})`;
      original = (await duck.reader(`SELECT * FROM ${relation} LIMIT 0`)).columnNames();
    } else {
      relation = `read_json(${quoteString(file)}, format = ${format === "jsonl" ? "'newline_delimited'" : "'auto'"})`;
      try {
        original = (await duck.reader(`SELECT * FROM ${relation} LIMIT 0`)).columnNames();
      } catch (e) {
        throw fileError(e, file);
      }
    }
    const sanitized = sanitizeColumnNames(original);
    const select = original.map((o, i) => `${quoteIdent(o)} AS ${quoteIdent(sanitized[i]!)}`).join(", ");
    selects.push(`SELECT ${select} FROM ${relation}`);
    for (const s of sanitized) if (!allColumns.includes(s)) allColumns.push(s);
  }
  const sql = selects.length === 1 ? selects[0]! : selects.map((s) => `(${s})`).join(" UNION ALL BY NAME ");
  return { sql, columns: allColumns };
}

/**
 * Rewrites a DuckDB reader error into a DataError naming file, line and column where DuckDB
 * reports them (`CSV Error on Line: N`, `Error when converting column "c"`).
 */
export function fileError(e: unknown, fallbackFile?: string): unknown {
  const msg = (e as Error)?.message ?? String(e);
  const line = /Line:\s*(\d+)/i.exec(msg)?.[1] ?? /line (\d+)/i.exec(msg)?.[1];
  const file = /file\s*=\s*(.+)/.exec(msg)?.[1]?.trim() ?? /in file "([^"]+)"/.exec(msg)?.[1] ?? fallbackFile;
  const column = /column "([^"]+)"/.exec(msg)?.[1];
  if (!line && !/CSV Error|Malformed JSON|Conversion Error|Could not convert/i.test(msg)) return e;
  const detail =
    /Could not convert string "([^"]*)" to '([^']+)'/.exec(msg)?.[0] ??
    /Expected Number of Columns: \d+ Found: \d+/.exec(msg)?.[0] ??
    /Value with unterminated quote found/.exec(msg)?.[0] ??
    msg.split("\n").find((l) => l.trim() !== "" && !/^(Invalid Input|Conversion) Error:/.test(l.trim())) ??
    msg.split("\n")[0]!;
  const where = [
    file ? `${file}` : undefined,
    line ? `line ${line}` : undefined,
    column ? `column ${column}` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  return new DataError(`${where}: ${detail.trim()}`, { cause: e });
}
