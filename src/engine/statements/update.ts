/**
 * UPDATE table [[AS] alias] SET column = expression [, ...] [WHERE condition] (Trino's
 * Iceberg connector semantics): the matching rows are read with their data file and position
 * and the assignments applied (checked casts to the column types, NOT NULL enforced); the old
 * rows are deleted and the new ones written as one row-level change (see `row-change.ts`:
 * `write.update.mode`, `write.update.isolation-level`). Rows may move between partitions.
 * `UPDATE "t@branch"` updates a branch (see `dml-target.ts`).
 */
import { quoteIdent } from "../../duckdb/sql.js";
import { ValidationError } from "../../errors.js";
import { translateWriteError } from "../../table/data-writer.js";
import { ROW_FILE_PATH, ROW_POSITION } from "../../table/scan-relation.js";
import { convertExpr } from "../../table/write-query.js";
import { loadTableOrFail, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";
import { dmlTarget, targetScan } from "./dml-target.js";
import { NO_CHANGE, type PreparedRowChange, prepareRowChange, tempTableName } from "./row-change.js";

/** Updates the rows matching the condition as one snapshot; reports rows updated. */
export async function updateRows(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "update" }>,
): Promise<StatementResult> {
  const prepared = await prepareUpdate(ctx, s);
  await prepared.commit();
  return updateResult("UPDATE", prepared.rows);
}

/**
 * {@link updateRows} without the commit.
 * @throws ValidationError for unknown or repeated columns; DataError for values that do not
 * fit a column; DuckDB errors for the expressions
 */
export async function prepareUpdate(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "update" }>,
): Promise<PreparedRowChange> {
  const target = dmlTarget(ctx, s.table, s.alias);
  const r = target.resolved;
  const schema = (await loadTableOrFail(r)).schema();
  const assigned = new Map<number, string>();
  for (const a of s.assignments) {
    const field = schema.fields.find((f) => f.name.toLowerCase() === a.column.toLowerCase());
    if (!field) throw new ValidationError(`Column '${a.column}' cannot be resolved`);
    if (assigned.has(field.id))
      throw new ValidationError(`Multiple updates to the same column: ${field.name}`);
    assigned.set(field.id, a.expr);
  }
  const columns = schema.fields.map((f) => {
    const expr = assigned.get(f.id);
    return `${expr === undefined ? quoteIdent(f.name) : convertExpr(`(${expr})`, "", f)} AS ${quoteIdent(f.name)}`;
  });
  const where = s.where ? ` WHERE ${s.where}` : "";
  const rewritten = await ctx.rewriteQuery(
    `SELECT ${columns.join(", ")}, ${quoteIdent(ROW_FILE_PATH)}, ${quoteIdent(ROW_POSITION)} FROM ${target.sql}${where}`,
    { rowPositionsOf: target, composed: true },
  );
  const scan = targetScan(target, rewritten);
  if (scan.plan.snapshot === undefined) return NO_CHANGE;
  const temp = quoteIdent(tempTableName("update"));
  await ctx.duck.run(`CREATE TEMP TABLE ${temp} AS ${rewritten.sql}`).catch((e: unknown) => {
    throw translateWriteError(e);
  });
  try {
    const [count] = await ctx.duck.queryJS(`SELECT count(*) AS n FROM ${temp}`);
    const rows = BigInt(count!.n as number | bigint);
    if (rows === 0n) return NO_CHANGE;
    return await prepareRowChange(
      ctx,
      "update",
      scan,
      `(SELECT ${quoteIdent(ROW_FILE_PATH)} AS file_path, ${quoteIdent(ROW_POSITION)} AS pos FROM ${temp})`,
      `SELECT ${schema.fields.map((f) => quoteIdent(f.name)).join(", ")} FROM ${temp}`,
      rows,
    );
  } finally {
    await ctx.duck.run(`DROP TABLE IF EXISTS ${temp}`);
  }
}
