/**
 * Writing a DuckDB query's rows into a table as one snapshot: query columns map by position
 * to the target columns (Trino INSERT semantics), values are converted to the column types
 * with checked casts that name the column and value on failure, then the data files are
 * written and committed as an append or a full overwrite. A failure before commit leaves no
 * visible change and deletes the written files; an unknown commit outcome keeps them.
 */
import type { Duck } from "../duckdb/connection.js";
import { quoteIdent, quoteString } from "../duckdb/sql.js";
import { icebergToDuckType } from "../duckdb/types.js";
import { CommitStateUnknownError, DataError, ValidationError } from "../errors.js";
import type { NestedField } from "../spec/types.js";
import { mergeAppend } from "./append.js";
import { DATA_ERROR_MARK, type WriteDataOptions, writeDataFiles } from "./data-writer.js";
import { overwriteAll } from "./overwrite.js";
import { commitSnapshot, type PendingSnapshot } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/** Options of {@link writeQuery}. */
export interface WriteQueryOptions extends WriteDataOptions {
  /** Target columns, in query column order (default: every column in schema order). */
  readonly columns?: readonly string[] | undefined;
  /** `append` (default) or `overwrite` (replace all rows). */
  readonly mode?: "append" | "overwrite";
  /** Name of the table for messages, e.g. `iceberg.ns.t`. */
  readonly tableName?: string;
  /** Extra snapshot summary properties. */
  readonly summary?: Readonly<Record<string, string>>;
  /** Branch to append to (default `main`; appends only). */
  readonly branch?: string | undefined;
  /** A schema change to commit with the data (see `PendingSnapshot.schemaChange`). */
  readonly schemaChange?: PendingSnapshot["schemaChange"];
}

/** Outcome of {@link writeQuery}. */
export interface WriteQueryResult {
  readonly table: Table;
  readonly rows: bigint;
  readonly files: number;
}

/**
 * The checked conversion of `expr` (of DuckDB type `fromType`, or "" when unknown) to a
 * column's type: a value that does not convert raises an error naming value and column.
 */
export function convertExpr(expr: string, fromType: string, field: NestedField): string {
  const to = icebergToDuckType(field.type);
  if (fromType.replace(/\s+/g, "") === to.replace(/\s+/g, "")) return expr;
  if (fromType === '"NULL"' || fromType === "NULL") return `CAST(${expr} AS ${to})`;
  const message = `${DATA_ERROR_MARK}Cannot cast value '`;
  return (
    `CASE WHEN ${expr} IS NULL THEN NULL WHEN TRY_CAST(${expr} AS ${to}) IS NULL THEN ` +
    `error(${quoteString(message)} || CAST(${expr} AS VARCHAR) || ${quoteString(`'${fromType ? ` of type ${fromType}` : ""} to ${to} for column '${field.name}'`)}) ` +
    `ELSE TRY_CAST(${expr} AS ${to}) END`
  );
}

/**
 * Writes the rows of `query` (DuckDB SQL) into `table` and commits one snapshot.
 * @throws ValidationError for unknown or duplicate target columns or a column count mismatch;
 * DataError for values that do not fit (naming column and value) or NULLs in NOT NULL columns.
 */
export async function writeQuery(
  duck: Duck,
  table: Table,
  query: string,
  opts: WriteQueryOptions = {},
): Promise<WriteQueryResult> {
  const schema = table.schema();
  const name = opts.tableName ?? table.identifier.name;
  const described = await duck.reader(`SELECT * FROM (${query}) AS q LIMIT 0`);
  const queryTypes = described.columnTypes().map((t) => t.toString());
  const targets = (opts.columns ?? schema.fields.map((f) => f.name)).map((c) => {
    const f = schema.fields.find((x) => x.name.toLowerCase() === c.toLowerCase());
    if (!f) throw new ValidationError(`Insert column name does not exist in target table '${name}': ${c}`);
    return f;
  });
  const seen = new Set<number>();
  for (const t of targets) {
    if (seen.has(t.id))
      throw new ValidationError(`Insert column name is specified more than once: ${t.name}`);
    seen.add(t.id);
  }
  if (queryTypes.length !== targets.length) {
    throw new ValidationError(
      `Insert query has mismatched column count: Table '${name}' expects ${targets.length} column(s) [${targets.map((t) => t.name).join(", ")}], query has ${queryTypes.length}`,
    );
  }
  const aliases = queryTypes.map((_, i) => quoteIdent(`__c${i}`));
  const select = schema.fields.map((f) => {
    const i = targets.findIndex((t) => t.id === f.id);
    const expr = i < 0 ? "NULL" : convertExpr(`q.${aliases[i]}`, queryTypes[i]!, f);
    return `${i < 0 ? `CAST(NULL AS ${icebergToDuckType(f.type)})` : expr} AS ${quoteIdent(f.name)}`;
  });
  const source = `SELECT ${select.join(", ")} FROM (${query}) AS q(${aliases.join(", ")})`;
  let written: Awaited<ReturnType<typeof writeDataFiles>>;
  try {
    written = await writeDataFiles(duck, table, source, opts);
  } catch (e) {
    // DuckDB's own conversion errors (e.g. while evaluating VALUES) are bad input too.
    const msg = (e as Error)?.message ?? "";
    if (/^Conversion Error:/.test(msg) && !/CSV Error/.test(msg))
      throw new DataError(`writing ${name}: ${msg.split("\n")[0]}`, { cause: e });
    throw e;
  }
  const specId = table.spec().specId;
  if (written.files.length === 0 && opts.mode !== "overwrite") return { table, rows: 0n, files: 0 };
  const pending =
    opts.mode === "overwrite" ? overwriteAll(written.files, specId) : mergeAppend(written.files, specId);
  try {
    const committed = await commitSnapshot(table, {
      ...pending,
      operation: pending.operation,
      apply: pending.apply,
      extraSummary: opts.summary,
      branch: opts.branch,
      schemaChange: opts.schemaChange,
    });
    return {
      table: committed,
      rows: written.files.reduce((n, f) => n + f.recordCount, 0n),
      files: written.files.length,
    };
  } catch (e) {
    if (!(e instanceof CommitStateUnknownError)) await written.abort();
    throw e;
  }
}
