/**
 * INSERT INTO table [(columns)] query | VALUES ...; `INSERT INTO "table@branch"` appends to a
 * branch (write-audit-publish: write to a branch, check it, then fast_forward main).
 */
import { writeQuery } from "../../table/write-query.js";
import { loadTableOrFail, qualifiedText, resolveTableName, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";

/**
 * A table name that names a branch to write to, `t@branch` (quoted in SQL: `"t@audit"`), split
 * into table and branch.
 */
export function splitBranch(name: string): { name: string; branch?: string | undefined } {
  const at = name.lastIndexOf("@");
  return at > 0 ? { name: name.slice(0, at), branch: name.slice(at + 1) } : { name };
}

/** Appends the query's rows to the table (or to a branch, `"t@branch"`) as one snapshot; reports rows written. */
export async function insert(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "insert" }>,
): Promise<StatementResult> {
  const { name: tableName, branch } = splitBranch(s.table.parts.at(-1)!);
  const r = resolveTableName(ctx, [...s.table.parts.slice(0, -1), tableName]);
  const name = qualifiedText(r);
  // An append builds on the branch head only: skip the history (REST snapshots=refs).
  const table = await loadTableOrFail(r, { referencedSnapshotsOnly: true });
  const query = await ctx.rewrite(s.query);
  const written = await writeQuery(ctx.duck, table, query, { columns: s.columns, tableName: name, branch });
  return updateResult("INSERT", written.rows);
}
