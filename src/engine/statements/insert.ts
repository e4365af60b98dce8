/**
 * INSERT INTO table [(columns)] query | VALUES ...
 */
import { writeQuery } from "../../table/write-query.js";
import { loadTableOrFail, qualifiedText, resolveTableName, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";

/** Appends the query's rows to the table as one snapshot; reports rows written. */
export async function insert(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "insert" }>,
): Promise<StatementResult> {
  const r = resolveTableName(ctx, s.table);
  const name = qualifiedText(r);
  // An append builds on the current snapshot only: skip the history (REST snapshots=refs).
  const table = await loadTableOrFail(r, { referencedSnapshotsOnly: true });
  const query = await ctx.rewrite(s.query);
  const written = await writeQuery(ctx.duck, table, query, { columns: s.columns, tableName: name });
  return updateResult("INSERT", written.rows);
}
