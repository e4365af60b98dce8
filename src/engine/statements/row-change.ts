/**
 * The write side shared by DELETE, UPDATE and MERGE (Trino's Iceberg connector semantics):
 * given the positions of the target rows a statement deletes or replaces (a DuckDB table of
 * `file_path`, `pos`) and the new rows it writes, produce one snapshot.
 *
 * A data file whose every row is deleted (and that has no deletes yet) is removed whole; that
 * is how a condition covering whole partitions deletes without writing delete files. For the
 * other affected files:
 * - merge-on-read (the default of `write.<op>.mode`): position delete files are written;
 * - copy-on-write: each affected file is rewritten without the deleted rows.
 * New rows go to new data files. The snapshot is a row delta validated against concurrent
 * commits under `write.<op>.isolation-level` (see `row-delta.ts`). Nothing is visible until
 * the commit, and a failed commit removes the written files.
 */
import { quoteIdent } from "../../duckdb/sql.js";
import { CommitStateUnknownError } from "../../errors.js";
import type { Expression } from "../../spec/expressions/expression.js";
import { writeDataFiles } from "../../table/data-writer.js";
import { writePositionDeletes } from "../../table/position-delete-writer.js";
import { isolationLevel, rowDelta, type SpecFile } from "../../table/row-delta.js";
import type { ScanPlan } from "../../table/scan.js";
import { ROW_FILE_PATH, ROW_POSITION, scanRelation } from "../../table/scan-relation.js";
import { commitSnapshot, type PendingSnapshot } from "../../table/snapshot-producer.js";
import type { Table } from "../../table/table.js";
import type { SessionContext } from "../context.js";

/** A row-level change whose files are written, ready to commit. */
export interface PreparedRowChange {
  /** Rows the statement affected (deleted, updated, or merged). */
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

/** A change that does nothing. */
export const NO_CHANGE: PreparedRowChange = { rows: 0n, commit: async () => {}, abort: async () => {} };

/** The scan of the target that a statement read, as planned by the rewrite. */
export interface TargetScan {
  readonly table: Table;
  readonly plan: ScanPlan;
  readonly filter: Expression;
  /** The branch the change commits to (default `main`). */
  readonly branch?: string | undefined;
}

let tempCounter = 0;

/** A fresh name for a statement's temporary DuckDB table. */
export function tempTableName(kind: string): string {
  return `__aichemy_${kind}_${process.pid}_${tempCounter++}`;
}

/** A schema change committed atomically with a snapshot (see `PendingSnapshot.schemaChange`). */
export type SchemaChangeUpdates = NonNullable<PendingSnapshot["schemaChange"]>;

/**
 * Writes the files of a row-level change.
 * @param positions DuckDB table (quoted name) of `file_path`, `pos` of target rows to delete
 * @param newRows SQL of rows to add, with the table schema's columns by name and type, or undefined
 * @param rows the count to report
 * @param schemaChange a schema change the target's table already reflects, committed with the rows
 */
export async function prepareRowChange(
  ctx: SessionContext,
  op: "delete" | "update" | "merge",
  target: TargetScan,
  positions: string,
  newRows: string | undefined,
  rows: bigint,
  schemaChange?: SchemaChangeUpdates,
): Promise<PreparedRowChange> {
  const { table, plan } = target;
  const duck = ctx.duck;
  const starting = plan.snapshot;
  const counts = new Map<string, bigint>();
  for (const row of await duck.queryJS(
    `SELECT file_path, count(*) AS n FROM ${positions} GROUP BY file_path`,
  ))
    counts.set(String(row.file_path), BigInt(row.n as number | bigint));
  const removed = new Set<string>();
  const partial = plan.tasks.filter((t) => {
    const n = counts.get(t.file.filePath) ?? 0n;
    if (n === 0n) return false;
    if (t.deletes.length === 0 && n === t.file.recordCount) {
      removed.add(t.file.filePath);
      return false;
    }
    return true;
  });
  const copyOnWrite = (table.metadata.properties[`write.${op}.mode`] ?? "merge-on-read") === "copy-on-write";
  const specId = table.spec().specId;
  const aborts: (() => Promise<void>)[] = [];
  const abort = async () => {
    for (const a of aborts) await a();
  };
  try {
    let kept: string | undefined;
    let addedDeletes: SpecFile[] = [];
    if (partial.length > 0 && copyOnWrite) {
      // The affected files' other rows are written again, and the files removed.
      const relation = await scanRelation(table, { ...plan, tasks: partial }, { duck, rowPositions: true });
      const columns = plan.schema.fields.map((f) => quoteIdent(f.name)).join(", ");
      kept = `SELECT ${columns} FROM ${relation} AS d ANTI JOIN ${positions} AS x ON d.${quoteIdent(ROW_FILE_PATH)} = x.file_path AND d.${quoteIdent(ROW_POSITION)} = x.pos`;
      for (const t of partial) removed.add(t.file.filePath);
    } else if (partial.length > 0) {
      const written = await writePositionDeletes(
        duck,
        table,
        positions,
        partial.map((t) => ({ filePath: t.file.filePath, specId: t.specId, partition: t.file.partition })),
      );
      aborts.push(written.abort);
      addedDeletes = written.deleteFiles;
    }
    const sources = [kept, newRows].filter((x): x is string => x !== undefined);
    let addedData: SpecFile[] = [];
    if (sources.length > 0) {
      const written = await writeDataFiles(
        duck,
        table,
        sources.map((q) => `(${q})`).join(" UNION ALL BY NAME "),
      );
      aborts.push(written.abort);
      addedData = written.files.map((file) => ({ file, specId }));
    }
    if (addedData.length === 0 && addedDeletes.length === 0 && removed.size === 0 && !schemaChange)
      return NO_CHANGE;
    const pending = rowDelta({
      addedDataFiles: addedData,
      addedDeleteFiles: addedDeletes,
      removedDataFiles: removed,
      referencedDataFiles: new Set(addedDeletes.length > 0 ? partial.map((t) => t.file.filePath) : []),
      startingSnapshotId: starting?.snapshotId,
      conflictDetectionFilter: target.filter,
      isolationLevel: isolationLevel(table.metadata, op),
      branch: target.branch,
      schemaChange,
    });
    return {
      rows,
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
  } catch (e) {
    await abort();
    throw e;
  }
}
