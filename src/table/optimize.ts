/**
 * Compaction (Trino `ALTER TABLE ... EXECUTE optimize(file_size_threshold => ...)`, Iceberg
 * Java `RewriteDataFiles` bin-packing): the data files smaller than the threshold, and every
 * data file that deletes apply to, are read with their deletes applied and written again as
 * few files of the target size in the table's current partition spec. The old data files are
 * removed, and so are delete files that applied only to rewritten files (folded in). The
 * snapshot is a `replace`: no row changes. It fails, rather than lose a delete, when a delete
 * that applies to a rewritten file or a removal of one was committed concurrently.
 */
import type { Duck } from "../duckdb/connection.js";
import { CommitStateUnknownError } from "../errors.js";
import { TRUE } from "../spec/expressions/expression.js";
import { writeDataFiles } from "./data-writer.js";
import { partitionKey } from "./delete-index.js";
import { rowDelta } from "./row-delta.js";
import { type FileScanTask, planScan } from "./scan.js";
import { scanRelation } from "./scan-relation.js";
import { commitSnapshot } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/** Default `file_size_threshold` (Trino): 100 MB. */
export const DEFAULT_OPTIMIZE_THRESHOLD_BYTES = 100 * 1024 * 1024;

/** What {@link optimize} did. */
export interface OptimizeResult {
  readonly table: Table;
  readonly rewrittenDataFiles: number;
  readonly removedDeleteFiles: number;
  readonly addedDataFiles: number;
}

/**
 * Compacts the table's current snapshot.
 * @param fileSizeThresholdBytes data files smaller than this are rewritten (default 100 MB)
 * @param opts.dataFiles only these data files (paths as recorded in manifests) are candidates:
 *   the files an `optimize WHERE` condition selects; default every file
 * @throws ConflictingChangesError on a conflicting concurrent delete; write and commit errors
 * (the table is then unchanged and the new files removed)
 */
export async function optimize(
  duck: Duck,
  table: Table,
  fileSizeThresholdBytes = DEFAULT_OPTIMIZE_THRESHOLD_BYTES,
  opts: { readonly dataFiles?: ReadonlySet<string> | undefined } = {},
): Promise<OptimizeResult> {
  const plan = await planScan(table, {});
  const none = { table, rewrittenDataFiles: 0, removedDeleteFiles: 0, addedDataFiles: 0 };
  if (!plan.snapshot) return none;
  const candidates = plan.tasks.filter(
    (t) =>
      (opts.dataFiles === undefined || opts.dataFiles.has(t.file.filePath)) &&
      (t.deletes.length > 0 || t.file.fileSizeInBytes < BigInt(fileSizeThresholdBytes)),
  );
  // A partition with one small file and no deletes gains nothing from a rewrite.
  const byPartition = new Map<string, FileScanTask[]>();
  for (const t of candidates) {
    const key = partitionKey(t.specId, t.file.partition);
    const g = byPartition.get(key);
    if (g) g.push(t);
    else byPartition.set(key, [t]);
  }
  const specId = table.spec().specId;
  const rewrite = [...byPartition.values()]
    .filter((g) => g.length > 1 || g.some((t) => t.deletes.length > 0 || t.specId !== specId))
    .flat();
  if (rewrite.length === 0) return none;
  const rewritten = new Set(rewrite.map((t) => t.file.filePath));
  // Delete files every one of whose data files is rewritten are folded in.
  const appliesTo = new Map<string, Set<string>>();
  for (const t of plan.tasks)
    for (const d of t.deletes) {
      const set = appliesTo.get(d.file.filePath) ?? new Set<string>();
      set.add(t.file.filePath);
      appliesTo.set(d.file.filePath, set);
    }
  const removedDeletes = new Set(
    [...appliesTo].filter(([, files]) => [...files].every((f) => rewritten.has(f))).map(([path]) => path),
  );
  const relation = await scanRelation(table, { ...plan, tasks: rewrite }, { duck });
  const written = await writeDataFiles(duck, table, `SELECT * FROM ${relation} AS d`);
  try {
    const committed = await commitSnapshot(
      table,
      rowDelta({
        operation: "replace",
        addedDataFiles: written.files.map((file) => ({ file, specId })),
        addedDeleteFiles: [],
        removedDataFiles: rewritten,
        removedDeleteFiles: removedDeletes,
        referencedDataFiles: rewritten,
        startingSnapshotId: plan.snapshot.snapshotId,
        conflictDetectionFilter: TRUE,
        isolationLevel: "snapshot",
      }),
    );
    return {
      table: committed,
      rewrittenDataFiles: rewritten.size,
      removedDeleteFiles: removedDeletes.size,
      addedDataFiles: written.files.length,
    };
  } catch (e) {
    if (!(e instanceof CommitStateUnknownError)) await written.abort();
    throw e;
  }
}
