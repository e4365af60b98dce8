/**
 * INSERT INTO table [(columns)] query | VALUES ...; `INSERT INTO "table@branch"` appends to a
 * branch (write-audit-publish: write to a branch, check it, then fast_forward main).
 */
import { writeQuery } from "../../table/write-query.js";
import { loadTableOrFail, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";
import { dmlTarget } from "./dml-target.js";

/** Appends the query's rows to the table (or to a branch, `"t@branch"`) as one snapshot; reports rows written. */
export async function insert(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "insert" }>,
): Promise<StatementResult> {
  const { resolved, name, branch } = dmlTarget(ctx, s.table, undefined);
  // An append builds on the branch head only: skip the history (REST snapshots=refs).
  const table = await loadTableOrFail(resolved, { referencedSnapshotsOnly: true });
  const query = await ctx.rewrite(s.query);
  const written = await writeQuery(ctx.duck, table, query, { columns: s.columns, tableName: name, branch });
  return updateResult("INSERT", written.rows);
}
