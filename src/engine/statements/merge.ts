/**
 * MERGE INTO target [[AS] t] USING source [[AS] s] ON condition WHEN [NOT] MATCHED [AND c]
 * THEN UPDATE SET ... | DELETE | INSERT [(columns)] VALUES (...) (Trino semantics).
 *
 * The source is joined to the target's current version (each target row with its data file
 * and position); each joined row takes the first WHEN clause whose kind (matched or not) and
 * condition hold. A target row matched by more than one source row fails the statement with
 * Trino's error and changes nothing. Matched rows that are updated or deleted are deleted by
 * position, updated and inserted rows are written, all as one row-level change (see
 * `row-change.ts`: `write.merge.mode`, `write.merge.isolation-level`). `MERGE INTO "t@branch"`
 * merges into a branch (see `dml-target.ts`).
 */
import { quoteIdent, quoteString } from "../../duckdb/sql.js";
import { ValidationError } from "../../errors.js";
import { translateWriteError } from "../../table/data-writer.js";
import { ROW_FILE_PATH, ROW_POSITION } from "../../table/scan-relation.js";
import type { Table } from "../../table/table.js";
import { convertExpr } from "../../table/write-query.js";
import { loadTableOrFail, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";
import { dmlTarget, targetScan } from "./dml-target.js";
import {
  NO_CHANGE,
  type PreparedRowChange,
  prepareRowChange,
  type SchemaChangeUpdates,
  tempTableName,
} from "./row-change.js";

/** Trino's message for a target row that more than one source row matches. */
export const MERGE_DUPLICATE_MATCH = "One MERGE target table row matched more than one source row";

/** Merges the source into the target as one snapshot; reports rows inserted, updated and deleted. */
export async function mergeRows(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "merge" }>,
): Promise<StatementResult> {
  const prepared = await prepareMerge(ctx, s);
  await prepared.commit();
  return updateResult("MERGE", prepared.rows);
}

/**
 * {@link mergeRows} without the commit. `opts.table` merges into that version of the target
 * (the loaded table with `opts.schemaChange` applied, which then commits with the rows).
 * @throws ValidationError for unknown columns, a VALUES list of the wrong length, or a target
 * row matched twice ({@link MERGE_DUPLICATE_MATCH}); DataError for values that do not fit
 */
export async function prepareMerge(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "merge" }>,
  opts: { readonly table?: Table; readonly schemaChange?: SchemaChangeUpdates | undefined } = {},
): Promise<PreparedRowChange> {
  const target = dmlTarget(ctx, s.target, s.targetAlias);
  const schema = (opts.table ?? (await loadTableOrFail(target.resolved))).schema();
  const ta = quoteIdent(target.alias);
  const field = (column: string) => {
    const f = schema.fields.find((x) => x.name.toLowerCase() === column.toLowerCase());
    if (!f) throw new ValidationError(`Column '${column}' cannot be resolved`);
    return f;
  };
  const matched = `${ta}.${quoteIdent(ROW_POSITION)} IS NOT NULL`;
  const clauseCase = `CASE ${s.clauses
    .map(
      (c, i) =>
        `WHEN ${c.matched ? matched : `NOT (${matched})`}${c.condition ? ` AND (${c.condition})` : ""} THEN ${i}`,
    )
    .join(" ")} END`;
  // Each column's value under each clause that writes a row.
  const values = schema.fields.map((f) => {
    const whens = s.clauses.flatMap((c, i) => {
      const a = c.action;
      if (a.kind === "delete") return [];
      let expr: string | undefined;
      if (a.kind === "update") {
        const set = a.assignments.find((x) => field(x.column).id === f.id);
        expr = set ? convertExpr(`(${set.expr})`, "", f) : `${ta}.${quoteIdent(f.name)}`;
      } else {
        const columns = a.columns ?? schema.fields.map((x) => x.name);
        if (columns.length !== a.values.length)
          throw new ValidationError(
            `MERGE INSERT has ${a.values.length} value(s) for ${columns.length} column(s)`,
          );
        const k = columns.findIndex((c) => field(c).id === f.id);
        expr = k < 0 ? "NULL" : convertExpr(`(${a.values[k]})`, "", f);
      }
      return [`WHEN ${i} THEN ${expr}`];
    });
    // Only DELETE clauses: no row is written, the column keeps the target's type.
    if (whens.length === 0) return `${ta}.${quoteIdent(f.name)} AS ${quoteIdent(f.name)}`;
    return `CASE ${clauseCase} ${whens.join(" ")} END AS ${quoteIdent(f.name)}`;
  });
  const kinds = s.clauses.map((c) => `WHEN ${s.clauses.indexOf(c)} THEN ${quoteString(c.action.kind)}`);
  const columnAliases = s.sourceColumns ? `(${s.sourceColumns.map((c) => quoteIdent(c)).join(", ")})` : "";
  const source = `${s.source}${s.sourceAlias ? ` AS ${quoteIdent(s.sourceAlias)}${columnAliases}` : ""}`;
  const rewritten = await ctx.rewriteQuery(
    `SELECT ${ta}.${quoteIdent(ROW_FILE_PATH)} AS file_path, ${ta}.${quoteIdent(ROW_POSITION)} AS pos, ` +
      `CASE ${clauseCase} ${kinds.join(" ")} END AS __kind, ${values.join(", ")} ` +
      `FROM ${source} LEFT JOIN ${target.sql} ON ${s.on}`,
    {
      rowPositionsOf: target,
      composed: true,
      tableOverride: opts.table ? { name: target.name, table: opts.table } : undefined,
    },
  );
  const scan = targetScan(target, rewritten);
  const temp = quoteIdent(tempTableName("merge"));
  await ctx.duck
    .run(
      `CREATE TEMP TABLE ${temp} AS SELECT * FROM (${rewritten.sql}) AS q WHERE __kind IS NOT NULL OR pos IS NOT NULL`,
    )
    .catch((e: unknown) => {
      throw translateWriteError(e);
    });
  try {
    const dup = await ctx.duck.queryJS(
      `SELECT file_path FROM ${temp} WHERE pos IS NOT NULL GROUP BY file_path, pos HAVING count(*) > 1 LIMIT 1`,
    );
    if (dup.length > 0) throw new ValidationError(MERGE_DUPLICATE_MATCH);
    const [count] = await ctx.duck.queryJS(`SELECT count(*) AS n FROM ${temp} WHERE __kind IS NOT NULL`);
    const rows = BigInt(count!.n as number | bigint);
    if (rows === 0n) return NO_CHANGE;
    return await prepareRowChange(
      ctx,
      "merge",
      scan,
      `(SELECT file_path, pos FROM ${temp} WHERE __kind IN ('update', 'delete'))`,
      `SELECT ${schema.fields.map((f) => quoteIdent(f.name)).join(", ")} FROM ${temp} WHERE __kind IN ('update', 'insert')`,
      rows,
      opts.schemaChange,
    );
  } finally {
    await ctx.duck.run(`DROP TABLE IF EXISTS ${temp}`);
  }
}
