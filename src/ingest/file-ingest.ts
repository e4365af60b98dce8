/**
 * `aichemy ingest`: loads CSV, JSON, JSON Lines or Parquet files into an Iceberg table as one
 * snapshot. The table (and its namespace) is created from the inferred schema when missing;
 * existing tables receive the file's columns by (sanitized) name, with the table's types
 * forced while reading so that a bad value fails with its file, line and column.
 */
import { randomUUID } from "node:crypto";
import type { Catalog } from "../catalog/catalog.js";
import type { Duck } from "../duckdb/connection.js";
import { quoteIdent } from "../duckdb/sql.js";
import { duckTypeToIceberg, icebergToDuckType } from "../duckdb/types.js";
import type { SessionContext } from "../engine/context.js";
import type { QualifiedName } from "../engine/sql/parser.js";
import { prepareMerge } from "../engine/statements/merge.js";
import { CommitStateUnknownError, ValidationError } from "../errors.js";
import { applyUpdates } from "../spec/apply-updates.js";
import { identifierToString, type TableIdentifier } from "../spec/identifier.js";
import { assignFreshIds, Schema } from "../spec/schema.js";
import type { NestedField } from "../spec/types.js";
import { addColumn, isPromotion, schemaChangeCommit, updateColumnType } from "../table/schema-update.js";
import type { Table } from "../table/table.js";
import { writeQuery } from "../table/write-query.js";
import { type FileFormat, fileError, fileSource } from "./file-source.js";

/** Options of {@link ingestFiles}. */
export interface IngestOptions {
  readonly files: readonly string[];
  readonly table: TableIdentifier;
  /**
   * `append` (default), `overwrite` (replace all rows), or `upsert`: rows whose `keys` match a
   * row of the table replace it, the others are inserted (one MERGE; needs `session`).
   */
  readonly mode?: "append" | "overwrite" | "upsert";
  /**
   * `add` (default): columns of the files that the table lacks are added, and columns whose
   * file type is a safe promotion of the table's (int to long, float to double, decimal
   * precision) are widened, in the same commit as the data. `none`: such files are refused.
   */
  readonly schemaEvolution?: "add" | "none" | undefined;
  /** Key columns of an upsert (sanitized names); default: the table's identifier fields. */
  readonly keys?: readonly string[] | undefined;
  /** A session on the same DuckDB instance whose catalog holds the table (upserts run as MERGE). */
  readonly session?: SessionContext | undefined;
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
  let schemaChange: SchemaEvolution | undefined;
  if (table && (opts.schemaEvolution ?? "add") === "add") {
    schemaChange = await evolveSchemaForFiles(duck, table, opts);
    if (schemaChange) table = schemaChange.table;
  }
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
      // Unique ids for the nested placeholders of inferred types (a create request needs them).
      schema: new Schema(0, assignFreshIds(fields, 0).fields),
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
    if (opts.mode === "upsert") {
      const rows = await upsert(table, name, source.sql, source.columns, opts, schemaChange?.change);
      return {
        table: await table.refresh(),
        rows,
        dataFiles: 0,
        created,
        elapsedMs: Date.now() - started,
      };
    }
    const result = await writeQuery(duck, table, source.sql, {
      columns: source.columns,
      mode: opts.mode === "overwrite" ? "overwrite" : "append",
      schemaChange: schemaChange?.change,
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

/**
 * Upserts the file's rows by key as one MERGE (`WHEN MATCHED THEN UPDATE` every file column,
 * `WHEN NOT MATCHED THEN INSERT`). The key is `opts.keys`, or else the table's identifier
 * fields (the row key Flink and Iceberg Java upserts use). `table` may carry the files' schema
 * evolution, which commits with the rows.
 * @throws ValidationError for missing or unknown key columns, or a key that appears twice in
 * the files (naming the key values)
 */
async function upsert(
  table: Table,
  name: string,
  sourceSql: string,
  columns: readonly string[],
  opts: IngestOptions,
  schemaChange: SchemaEvolution["change"] | undefined,
): Promise<bigint> {
  const session = opts.session;
  if (!session) throw new ValidationError("upsert ingest needs a session");
  const schema = table.schema();
  const keys =
    opts.keys && opts.keys.length > 0
      ? opts.keys
      : schema.identifierFieldIds.map((id) => schema.columnName(id)!);
  if (keys.length === 0)
    throw new ValidationError(
      `--mode upsert needs --key column[,column] (table ${name} has no identifier fields to default to)`,
    );
  const known = new Set(table.schema().fields.map((f) => f.name.toLowerCase()));
  for (const k of keys) {
    if (!columns.some((c) => c.toLowerCase() === k.toLowerCase()))
      throw new ValidationError(
        `key column ${k} is not in ${opts.files.join(", ")} (columns: ${columns.join(", ")})`,
      );
    if (!known.has(k.toLowerCase())) throw new ValidationError(`key column ${k} is not in table ${name}`);
  }
  // The rows are staged in a temporary table of the session first: the MERGE reads them by
  // name (temporary tables are ours; user SQL cannot create or name files), and the file is
  // read once for the duplicate check and the MERGE.
  const staged = `__aichemy_upsert_${randomUUID().replace(/-/g, "")}`;
  const source = `temp.main.${quoteIdent(staged)}`;
  const keyList = keys.map((k) => quoteIdent(k)).join(", ");
  try {
    await session.duck.run(
      `CREATE TEMP TABLE ${quoteIdent(staged)} AS SELECT * FROM (${sourceSql}) AS f(${columns.map((c) => quoteIdent(c)).join(", ")})`,
    );
  } catch (e) {
    throw fileError(e, opts.files.length === 1 ? opts.files[0] : undefined);
  }
  try {
    const dup = await session.duck.queryJS(
      `SELECT ${keyList}, count(*) AS n FROM ${source} AS s GROUP BY ALL HAVING count(*) > 1 LIMIT 1`,
    );
    if (dup.length > 0) {
      const values = keys.map((k) => `${k}=${String(dup[0]![k] ?? dup[0]![k.toLowerCase()])}`).join(", ");
      throw new ValidationError(
        `${opts.files.join(", ")}: key (${values}) appears ${String(dup[0]!.n)} times; an upsert needs unique keys`,
      );
    }
    return await mergeStaged(session, table, name, source, keys, columns, schemaChange);
  } finally {
    await session.duck.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(staged)}`).catch(() => {});
  }
}

/** The upsert's MERGE of staged rows (`source`) into the table by `keys`. */
async function mergeStaged(
  session: SessionContext,
  table: Table,
  name: string,
  source: string,
  keys: readonly string[],
  columns: readonly string[],
  schemaChange: SchemaEvolution["change"] | undefined,
): Promise<bigint> {
  const target: QualifiedName = {
    parts: [...name.split(".").slice(0, 1), ...table.identifier.namespace, table.identifier.name],
    start: 0,
    end: 0,
  };
  const prepared = await prepareMerge(
    session,
    {
      kind: "merge",
      target,
      targetAlias: "t",
      source,
      sourceAlias: "s",
      on: keys.map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM s.${quoteIdent(k)}`).join(" AND "),
      clauses: [
        {
          matched: true,
          action: {
            kind: "update",
            assignments: columns.map((c) => ({ column: c, expr: `s.${quoteIdent(c)}` })),
          },
        },
        {
          matched: false,
          action: { kind: "insert", columns, values: columns.map((c) => `s.${quoteIdent(c)}`) },
        },
      ],
    },
    { table, schemaChange },
  );
  await prepared.commit();
  return prepared.rows;
}

/** A schema change for the files, and the table as it will be after it (for writing). */
interface SchemaEvolution {
  readonly table: Table;
  readonly change: ReturnType<typeof schemaChangeCommit>;
}

/**
 * The schema change that lets the table take the files' columns: new columns added (with
 * the types inferred from the files), safe promotions applied. Undefined when none is needed.
 * @throws ValidationError for a file column whose type cannot be represented
 */
async function evolveSchemaForFiles(
  duck: Duck,
  table: Table,
  opts: IngestOptions,
): Promise<SchemaEvolution | undefined> {
  const inferred = await fileSource(duck, opts.files, { format: opts.format, delimiter: opts.delimiter });
  let described: Awaited<ReturnType<Duck["reader"]>>;
  try {
    described = await duck.reader(`SELECT * FROM (${inferred.sql}) LIMIT 0`);
  } catch (e) {
    throw fileError(e, opts.files[0]);
  }
  const md = table.metadata;
  let schema = table.schema();
  let lastColumnId = md.lastColumnId;
  let changed = false;
  for (const [i, column] of described.columnNames().entries()) {
    const fileType = duckTypeToIceberg(
      described.columnTypes()[i]!,
      `column ${column} of ${opts.files.join(", ")}`,
    );
    const field = schema.fields.find((f) => f.name.toLowerCase() === column.toLowerCase());
    const change = field
      ? isPromotion(field.type, fileType)
        ? updateColumnType({ ...md, lastColumnId }, schema, field.name, fileType)
        : undefined
      : addColumn({ ...md, lastColumnId }, schema, column, fileType);
    if (!change) continue;
    schema = change.schema;
    lastColumnId = Math.max(lastColumnId, change.lastColumnId);
    changed = true;
  }
  if (!changed) return undefined;
  const change = schemaChangeCommit(md, { schema, lastColumnId });
  const evolved = table.withState({
    metadata: applyUpdates(md, change.updates),
    metadataLocation: table.metadataLocation,
  });
  return { table: evolved, change };
}
