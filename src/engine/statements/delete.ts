/**
 * DELETE FROM table [WHERE condition] (Trino's Iceberg connector semantics).
 *
 * The rows to delete are found by running the condition over the table's current version
 * with each row's data file and position (predicates still prune files). A data file whose
 * every row matches (and that has no deletes yet) is removed whole; that is how a condition
 * covering whole partitions deletes without writing anything. For the other files:
 * - merge-on-read (the default, `write.delete.mode`): position delete files are written;
 * - copy-on-write: each affected file is rewritten without the deleted rows.
 * The snapshot is committed as a row delta validated against concurrent commits under
 * `write.delete.isolation-level` (see `row-delta.ts`). A failure leaves the table unchanged.
 */
import { quoteIdent } from "../../duckdb/sql.js";
import { CommitStateUnknownError, ValidationError } from "../../errors.js";
import { writeDataFiles } from "../../table/data-writer.js";
import { writePositionDeletes } from "../../table/position-delete-writer.js";
import { isolationLevel, rowDelta, type SpecFile } from "../../table/row-delta.js";
import { ROW_FILE_PATH, ROW_POSITION, scanRelation } from "../../table/scan-relation.js";
import { commitSnapshot } from "../../table/snapshot-producer.js";
import { qualifiedText, resolveTableName, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";

let tempCounter = 0;

/** A row-level change whose files are written, ready to commit. */
export interface PreparedRowChange {
  /** Rows the change affects. */
  readonly rows: bigint;
  /**
   * Commits the change (validated against what was committed since it read the table).
   * @throws ConflictingChangesError for a conflicting concurrent change; CommitFailedError
   * after the retries; the written files are removed unless the outcome is unknown
   */
  commit(): Promise<void>;
  /** Removes the written files without committing. */
  abort(): Promise<void>;
}

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
  const nothing: PreparedRowChange = { rows: 0n, commit: async () => {}, abort: async () => {} };
  const r = resolveTableName(ctx, s.table);
  const name = qualifiedText(r);
  const tableRef = `${s.table.parts.map((p) => quoteIdent(p)).join(".")}${s.alias ? ` AS ${quoteIdent(s.alias)}` : ""}`;
  const where = s.where ? ` WHERE ${s.where}` : "";
  const rewritten = await ctx.rewriteQuery(
    `SELECT ${quoteIdent(ROW_FILE_PATH)}, ${quoteIdent(ROW_POSITION)} FROM ${tableRef}${where}`,
    { rowPositionsOf: name },
  );
  const scan = rewritten.scans.find((x) => x.name === name);
  if (!scan) throw new ValidationError(`${name} is not a lakehouse table`);
  const table = scan.table;
  const starting = scan.plan.snapshot;
  if (starting === undefined) return nothing;
  const temp = `__aichemy_delete_${process.pid}_${tempCounter++}`;
  const duck = ctx.duck;
  await duck.run(
    `CREATE TEMP TABLE ${quoteIdent(temp)} AS SELECT ${quoteIdent(ROW_FILE_PATH)} AS file_path, ${quoteIdent(ROW_POSITION)} AS pos FROM (${rewritten.sql}) AS q`,
  );
  try {
    const counts = new Map<string, bigint>();
    for (const row of await duck.queryJS(
      `SELECT file_path, count(*) AS n FROM ${quoteIdent(temp)} GROUP BY file_path`,
    ))
      counts.set(String(row.file_path), BigInt(row.n as number | bigint));
    let deleted = 0n;
    for (const n of counts.values()) deleted += n;
    if (deleted === 0n) return nothing;

    const removed = new Set<string>();
    const partial = scan.plan.tasks.filter((t) => {
      const n = counts.get(t.file.filePath) ?? 0n;
      if (n === 0n) return false;
      if (t.deletes.length === 0 && n === t.file.recordCount) {
        removed.add(t.file.filePath);
        return false;
      }
      return true;
    });
    const copyOnWrite =
      (table.metadata.properties["write.delete.mode"] ?? "merge-on-read") === "copy-on-write";
    let addedData: SpecFile[] = [];
    let addedDeletes: SpecFile[] = [];
    let abort = async () => {};
    if (partial.length > 0 && copyOnWrite) {
      // Rewrite each affected file without its deleted rows.
      const relation = await scanRelation(
        table,
        { ...scan.plan, tasks: partial },
        { duck, rowPositions: true },
      );
      const columns = scan.plan.schema.fields.map((f) => quoteIdent(f.name)).join(", ");
      const kept = `SELECT ${columns} FROM ${relation} AS d ANTI JOIN ${quoteIdent(temp)} AS x ON d.${quoteIdent(ROW_FILE_PATH)} = x.file_path AND d.${quoteIdent(ROW_POSITION)} = x.pos`;
      const written = await writeDataFiles(duck, table, kept);
      addedData = written.files.map((file) => ({ file, specId: table.spec().specId }));
      abort = written.abort;
      for (const t of partial) removed.add(t.file.filePath);
    } else if (partial.length > 0) {
      const written = await writePositionDeletes(
        duck,
        table,
        quoteIdent(temp),
        partial.map((t) => ({ filePath: t.file.filePath, specId: t.specId, partition: t.file.partition })),
      );
      addedDeletes = written.deleteFiles;
      abort = written.abort;
    }
    const pending = rowDelta({
      addedDataFiles: addedData,
      addedDeleteFiles: addedDeletes,
      removedDataFiles: removed,
      referencedDataFiles: new Set(addedDeletes.length > 0 ? partial.map((t) => t.file.filePath) : []),
      startingSnapshotId: starting.snapshotId,
      conflictDetectionFilter: scan.filter,
      isolationLevel: isolationLevel(table.metadata, "delete"),
    });
    return {
      rows: deleted,
      abort,
      commit: async () => {
        try {
          await commitSnapshot(table, pending);
        } catch (e) {
          if (!(e instanceof CommitStateUnknownError)) await abort();
          throw e;
        }
      },
    };
  } finally {
    await duck.run(`DROP TABLE IF EXISTS ${quoteIdent(temp)}`);
  }
}
