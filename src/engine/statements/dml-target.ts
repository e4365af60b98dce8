/**
 * The target of an INSERT, DELETE, UPDATE or MERGE: a lakehouse table, or a branch of one
 * named `"t@branch"`. A branch target is read at the branch head (Trino's
 * `FOR VERSION AS OF 'branch'`) and the change commits to the branch, validated against what
 * the branch gained since (write-audit-publish: fix the audited data on the branch, then
 * `fast_forward`).
 */
import { quoteIdent, quoteString } from "../../duckdb/sql.js";
import { ValidationError } from "../../errors.js";
import { qualifiedText, type ResolvedName, resolveTableName, type SessionContext } from "../context.js";
import type { RewrittenQuery } from "../query/rewrite.js";
import type { QualifiedName } from "../sql/parser.js";
import type { TargetScan } from "./row-change.js";

/** `t@branch` (quoted in SQL: `"t@audit"`) split into table and branch. */
function splitBranch(name: string): { name: string; branch?: string | undefined } {
  const at = name.lastIndexOf("@");
  return at > 0 ? { name: name.slice(0, at), branch: name.slice(at + 1) } : { name };
}

/** A resolved DML target. */
export interface DmlTarget {
  readonly resolved: ResolvedName;
  /** `catalog.schema.table` (without the branch). */
  readonly name: string;
  /** The branch written to; undefined for the main branch. */
  readonly branch: string | undefined;
  /** The name the statement's expressions use for the target: its alias, else the table name. */
  readonly alias: string;
  /** The target as FROM-clause text (with the branch's time travel clause and the alias). */
  readonly sql: string;
}

/** Resolves `table [AS alias]`, splitting off a `@branch` suffix of the table name. */
export function dmlTarget(ctx: SessionContext, table: QualifiedName, alias: string | undefined): DmlTarget {
  const { name: tableName, branch } = splitBranch(table.parts.at(-1)!);
  const parts = [...table.parts.slice(0, -1), tableName];
  const resolved = resolveTableName(ctx, parts);
  const as = alias ?? tableName;
  const version = branch === undefined ? "" : ` FOR VERSION AS OF ${quoteString(branch)}`;
  return {
    resolved,
    name: qualifiedText(resolved),
    branch,
    alias: as,
    sql: `${parts.map((p) => quoteIdent(p)).join(".")}${version} AS ${quoteIdent(as)}`,
  };
}

/**
 * The scan of the target among a rewritten statement's scans (the one that yields row
 * positions), with the branch to commit to.
 * @throws ValidationError when the target is not a lakehouse table
 */
export function targetScan(target: DmlTarget, rewritten: RewrittenQuery): TargetScan {
  const scan = rewritten.scans.find((x) => x.rowPositions);
  if (!scan) throw new ValidationError(`${target.name} is not a lakehouse table`);
  return { ...scan, branch: target.branch };
}
