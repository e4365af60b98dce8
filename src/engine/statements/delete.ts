/**
 * DELETE FROM table [[AS] alias] [WHERE condition] (Trino's Iceberg connector semantics): the
 * condition runs over the table's current version with each row's data file and position
 * (predicates still prune files); the positions are deleted as one row-level change (see
 * `row-change.ts`: whole files dropped, position deletes or copy-on-write, conflict checks).
 * `DELETE FROM "t@branch"` deletes from a branch (see `dml-target.ts`).
 */
import { quoteIdent } from "../../duckdb/sql.js";
import { ROW_FILE_PATH, ROW_POSITION } from "../../table/scan-relation.js";
import type { SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";
import { dmlTarget, targetScan } from "./dml-target.js";
import { NO_CHANGE, type PreparedRowChange, prepareRowChange, tempTableName } from "./row-change.js";

/** Deletes the rows matching the condition as one snapshot; reports rows deleted. */
export async function deleteRows(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "delete" }>,
): Promise<StatementResult> {
  const prepared = await prepareDelete(ctx, s);
  await prepared.commit();
  return updateResult("DELETE", prepared.rows);
}

/**
 * Finds the rows to delete and writes the delete files (or rewritten data files), without
 * committing: {@link deleteRows} in two steps.
 * @throws ValidationError for a target that is not a lakehouse table; DuckDB errors for the condition
 */
export async function prepareDelete(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "delete" }>,
): Promise<PreparedRowChange> {
  const target = dmlTarget(ctx, s.table, s.alias);
  const where = s.where ? ` WHERE ${s.where}` : "";
  const rewritten = await ctx.rewriteQuery(
    `SELECT ${quoteIdent(ROW_FILE_PATH)}, ${quoteIdent(ROW_POSITION)} FROM ${target.sql}${where}`,
    { rowPositionsOf: target, composed: true },
  );
  const scan = targetScan(target, rewritten);
  if (scan.plan.snapshot === undefined) return NO_CHANGE;
  const temp = quoteIdent(tempTableName("delete"));
  await ctx.duck.run(
    `CREATE TEMP TABLE ${temp} AS SELECT ${quoteIdent(ROW_FILE_PATH)} AS file_path, ${quoteIdent(ROW_POSITION)} AS pos FROM (${rewritten.sql}) AS q`,
  );
  try {
    const [count] = await ctx.duck.queryJS(`SELECT count(*) AS n FROM ${temp}`);
    const rows = BigInt(count!.n as number | bigint);
    if (rows === 0n) return NO_CHANGE;
    return await prepareRowChange(ctx, "delete", scan, temp, undefined, rows);
  } finally {
    await ctx.duck.run(`DROP TABLE IF EXISTS ${temp}`);
  }
}
