/**
 * `aichemy ingest`: loads CSV, JSON, JSON Lines or Parquet files into an Iceberg table as one
 * snapshot. The table (and its namespace) is created from the inferred schema when missing;
 * existing tables receive the file's columns by (sanitized) name, with the table's types
 * forced while reading so that a bad value fails with its file, line and column.
 */
import type { Catalog } from "../catalog/catalog.js";
import type { Duck } from "../duckdb/connection.js";
import { duckTypeToIceberg, icebergToDuckType } from "../duckdb/types.js";
import { CommitStateUnknownError, ValidationError } from "../errors.js";
import { identifierToString, type TableIdentifier } from "../spec/identifier.js";
import { Schema } from "../spec/schema.js";
import type { NestedField } from "../spec/types.js";
import type { Table } from "../table/table.js";
import { writeQuery } from "../table/write-query.js";
import { type FileFormat, fileError, fileSource } from "./file-source.js";

/** Options of {@link ingestFiles}. */
export interface IngestOptions {
  readonly files: readonly string[];
  readonly table: TableIdentifier;
  readonly mode?: "append" | "overwrite";
  readonly format?: FileFormat | undefined;
  readonly delimiter?: string | undefined;
  readonly targetFileSizeBytes?: number | undefined;
  /** Called about every 200 ms while data is written: rows read so far and elapsed ms. */
  readonly onProgress?: ((rowsProcessed: bigint, totalRows: bigint, elapsedMs: number) => void) | undefined;
}

/** Outcome of an ingest. */
export interface IngestResult {
  readonly table: Table;
  readonly rows: bigint;
  readonly dataFiles: number;
  readonly created: boolean;
  readonly elapsedMs: number;
}

/**
 * Ingests files into a table.
 * @throws ValidationError for columns the table lacks; DataError naming file, line and column
 * for malformed input; the table is left unchanged on any failure.
 */
export async function ingestFiles(duck: Duck, catalog: Catalog, opts: IngestOptions): Promise<IngestResult> {
  const started = Date.now();
  const name = `${catalog.name}.${identifierToString(opts.table)}`;
  const exists = await catalog.tableExists(opts.table);
  let table = exists ? await catalog.loadTable(opts.table) : undefined;
  const types = table
    ? new Map(table.schema().fields.map((f) => [f.name.toLowerCase(), icebergToDuckType(f.type)]))
    : undefined;
  const source = await fileSource(duck, opts.files, {
    format: opts.format,
    delimiter: opts.delimiter,
    types,
  });
  let created = false;
  if (!table) {
    let described: Awaited<ReturnType<Duck["reader"]>>;
    try {
      described = await duck.reader(`SELECT * FROM (${source.sql}) LIMIT 0`);
    } catch (e) {
      throw fileError(e, opts.files[0]);
    }
    const fields: NestedField[] = described.columnNames().map((c, i) => ({
      id: i + 1,
      name: c,
      required: false,
      type: duckTypeToIceberg(described.columnTypes()[i]!, `column ${c}`),
    }));
    if (!(await catalog.namespaceExists(opts.table.namespace)))
      await catalog.createNamespace(opts.table.namespace);
    table = await catalog.createTable(opts.table, {
      schema: new Schema(0, fields),
      properties: { "write.parquet.compression-codec": "zstd" },
    });
    created = true;
  } else {
    const known = new Set(table.schema().fields.map((f) => f.name.toLowerCase()));
    const unknown = source.columns.filter((c) => !known.has(c.toLowerCase()));
    if (unknown.length > 0) {
      throw new ValidationError(
        `${opts.files.join(", ")}: column(s) ${unknown.join(", ")} not in table ${name} (columns: ${[...known].join(", ")})`,
      );
    }
  }
  const timer = opts.onProgress ? startProgress(duck, started, opts.onProgress) : undefined;
  try {
    const result = await writeQuery(duck, table, source.sql, {
      columns: source.columns,
      mode: opts.mode ?? "append",
      tableName: name,
      targetFileSizeBytes: opts.targetFileSizeBytes,
      summary: { "aichemy.ingest.files": String(opts.files.length) },
    });
    return {
      table: result.table,
      rows: result.rows,
      dataFiles: result.files,
      created,
      elapsedMs: Date.now() - started,
    };
  } catch (e) {
    if (created && !(e instanceof CommitStateUnknownError))
      await catalog.dropTable(opts.table, true).catch(() => {});
    throw fileError(e, opts.files.length === 1 ? opts.files[0] : undefined);
  } finally {
    if (timer) clearInterval(timer);
  }
}

function startProgress(
  duck: Duck,
  started: number,
  cb: NonNullable<IngestOptions["onProgress"]>,
): NodeJS.Timeout {
  return setInterval(() => {
    try {
      const p = duck.connection.progress;
      if (p.total_rows_to_process > 0n || p.rows_processed > 0n)
        cb(p.rows_processed, p.total_rows_to_process, Date.now() - started);
    } catch {
      // progress is best effort
    }
  }, 200);
}
