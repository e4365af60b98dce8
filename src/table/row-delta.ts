/**
 * Row-level changes as one snapshot (Iceberg Java `RowDelta` and `OverwriteFiles`): adds data
 * files and delete files, removes whole data files, and validates on every attempt that
 * nothing committed since the change's starting snapshot conflicts with it, the way Iceberg
 * Java does for DELETE, UPDATE and MERGE:
 * - the data files it deletes from or removes must still be live (a concurrent compaction or
 *   delete that removed them fails the commit);
 * - no delete file added concurrently may apply to rows the change matches (two deletes of
 *   the same rows);
 * - under `serializable` isolation (the default of `write.{delete,update,merge}.isolation-level`),
 *   no data file added concurrently may contain rows the change's filter matches (a concurrent
 *   append of matching rows). `snapshot` isolation skips this check.
 * A conflict throws {@link ConflictingChangesError}, which is not retried: the caller's view
 * of the table is stale and the statement must run again.
 */
import { ConflictingChangesError } from "../errors.js";
import type { Expression } from "../spec/expressions/expression.js";
import { inclusiveMetricsEvaluator } from "../spec/expressions/inclusive-metrics-evaluator.js";
import { partitionEvaluator } from "../spec/expressions/partition-evaluator.js";
import { projectInclusive } from "../spec/expressions/projection.js";
import {
  type DataFile,
  DataFileContent,
  type ManifestEntry,
  ManifestEntryStatus,
} from "../spec/manifest-entry.js";
import { ManifestContent, type ManifestFile } from "../spec/manifest-file.js";
import type { Snapshot, SnapshotOperation } from "../spec/snapshot.js";
import { currentSchema, snapshotById, specById, type TableMetadata } from "../spec/table-metadata.js";
import { readManifestEntries, readSnapshotManifests, specPartitionType } from "./manifest-reader.js";
import { addedFilesManifest, writeManifestFile } from "./manifest-writer.js";
import type { PendingSnapshot, SnapshotAttempt } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/** Isolation level of a row-level change (`write.*.isolation-level`). */
export type IsolationLevel = "serializable" | "snapshot";

/** A file with the partition spec it was written with. */
export interface SpecFile {
  readonly file: DataFile;
  readonly specId: number;
}

/** What a row-level change does. */
export interface RowDeltaChange {
  readonly addedDataFiles: readonly SpecFile[];
  readonly addedDeleteFiles: readonly SpecFile[];
  /** Paths (as recorded in manifests) of data files removed whole. */
  readonly removedDataFiles: ReadonlySet<string>;
  /** Paths of delete files removed (they applied only to removed data files). */
  readonly removedDeleteFiles?: ReadonlySet<string> | undefined;
  /** Overrides the operation (`replace` for compaction, which changes no rows). */
  readonly operation?: SnapshotOperation | undefined;
  /** Paths of data files that added delete files point into. */
  readonly referencedDataFiles: ReadonlySet<string>;
  /** The snapshot the change read (undefined for an empty table). */
  readonly startingSnapshotId: bigint | undefined;
  /** Rows the change matched, bound to the table schema (conflict detection). */
  readonly conflictDetectionFilter: Expression;
  readonly isolationLevel: IsolationLevel;
  /** The branch to commit to (default `main`); conflicts are checked along its history. */
  readonly branch?: string | undefined;
  /** A schema change committed with the snapshot (see `PendingSnapshot.schemaChange`). */
  readonly schemaChange?: PendingSnapshot["schemaChange"];
}

/** The isolation level a table asks for an operation (`write.<op>.isolation-level`). */
export function isolationLevel(md: TableMetadata, op: "delete" | "update" | "merge"): IsolationLevel {
  const v = (md.properties[`write.${op}.isolation-level`] ?? "serializable").toLowerCase();
  return v === "snapshot" ? "snapshot" : "serializable";
}

/**
 * A pending row-level change. The operation is `delete` when it only removes rows, `append`
 * when it only adds rows, else `overwrite` (Iceberg Java `BaseRowDelta.operation()`).
 */
export function rowDelta(change: RowDeltaChange): PendingSnapshot {
  const addedData = addedFilesManifest(
    change.addedDataFiles.map((f) => f.file),
    change.addedDataFiles[0]?.specId ?? 0,
  );
  const removes = change.addedDeleteFiles.length > 0 || change.removedDataFiles.size > 0;
  const adds = change.addedDataFiles.length > 0;
  const operation: SnapshotOperation =
    change.operation ?? (adds && !removes ? "append" : adds ? "overwrite" : "delete");
  const removedDeletes = change.removedDeleteFiles ?? new Set<string>();
  return {
    operation,
    branch: change.branch,
    schemaChange: change.schemaChange,
    async apply(base: Table, parent, snapshotId): Promise<SnapshotAttempt> {
      await validateNoConflicts(base, parent, change);
      const resolve = (l: string) => base.resolve(l);
      const md = base.metadata;
      const manifests: ManifestFile[] = [];
      const written: string[] = [];
      const removed: SpecFile[] = [];
      for (const m of parent ? await readSnapshotManifests(base.io, parent, resolve) : []) {
        const gone = m.content === ManifestContent.DATA ? change.removedDataFiles : removedDeletes;
        if (gone.size === 0) {
          manifests.push(m);
          continue;
        }
        const spec = specById(md, m.partitionSpecId);
        const entries = await readManifestEntries(base.io, m, specPartitionType(md, spec), resolve);
        if (!entries.some((e) => e.status !== ManifestEntryStatus.DELETED && gone.has(e.dataFile.filePath))) {
          manifests.push(m);
          continue;
        }
        const rewritten: ManifestEntry[] = [];
        for (const e of entries) {
          if (e.status === ManifestEntryStatus.DELETED) continue;
          if (gone.has(e.dataFile.filePath)) {
            rewritten.push({ ...e, status: ManifestEntryStatus.DELETED, snapshotId });
            removed.push({ file: e.dataFile, specId: m.partitionSpecId });
          } else rewritten.push({ ...e, status: ManifestEntryStatus.EXISTING });
        }
        const out = await writeManifestFile(
          base,
          rewritten,
          spec,
          m.content === ManifestContent.DATA ? "data" : "deletes",
          snapshotId,
        );
        manifests.push(out);
        written.push(out.manifestPath);
      }
      const deletesBySpec = new Map<number, DataFile[]>();
      for (const d of change.addedDeleteFiles) {
        const list = deletesBySpec.get(d.specId);
        if (list) list.push(d.file);
        else deletesBySpec.set(d.specId, [d.file]);
      }
      const newManifests: ManifestFile[] = [...(await addedData(base, snapshotId))];
      for (const [specId, files] of deletesBySpec) {
        const out = await writeManifestFile(
          base,
          files.map((f) => ({ status: ManifestEntryStatus.ADDED, snapshotId, dataFile: f })),
          specById(md, specId),
          "deletes",
          snapshotId,
        );
        newManifests.push(out);
        written.push(out.manifestPath);
      }
      return {
        manifests: [...newManifests, ...manifests],
        delta: { added: [...change.addedDataFiles, ...change.addedDeleteFiles], removed },
        written,
      };
    },
  };
}

/**
 * Checks the snapshots committed after the change's starting snapshot (Iceberg Java
 * `MergingSnapshotProducer.validate*`).
 * @throws ConflictingChangesError naming the conflicting file and snapshot
 */
async function validateNoConflicts(
  base: Table,
  parent: Snapshot | undefined,
  change: RowDeltaChange,
): Promise<void> {
  const md = base.metadata;
  const newer: Snapshot[] = [];
  for (let s = parent; s && s.snapshotId !== change.startingSnapshotId; ) {
    newer.push(s);
    s = s.parentSnapshotId === undefined ? undefined : snapshotById(md, s.parentSnapshotId);
    if (!s && change.startingSnapshotId !== undefined)
      throw new ConflictingChangesError(
        `Cannot determine history between starting snapshot ${change.startingSnapshotId} and the current snapshot ${parent?.snapshotId}`,
      );
  }
  if (newer.length === 0) return;
  const schema = currentSchema(md);
  const resolve = (l: string) => base.resolve(l);
  const touched = new Set([...change.referencedDataFiles, ...change.removedDataFiles]);
  const metricsMatch = inclusiveMetricsEvaluator(change.conflictDetectionFilter, true);
  const partitionMatch = new Map<number, (p: readonly unknown[]) => boolean>();
  const mightMatch = (file: DataFile, specId: number): boolean => {
    let ok = partitionMatch.get(specId);
    if (!ok) {
      const spec = specById(md, specId);
      const evaluate = partitionEvaluator(
        projectInclusive(change.conflictDetectionFilter, spec, schema),
        specPartitionType(md, spec),
      );
      ok = (p) => evaluate(p as DataFile["partition"]);
      partitionMatch.set(specId, ok);
    }
    return ok(file.partition) && (file.content !== DataFileContent.DATA || metricsMatch(file));
  };
  for (const s of newer) {
    for (const m of await readSnapshotManifests(base.io, s, resolve)) {
      if (m.addedSnapshotId !== s.snapshotId) continue;
      const spec = specById(md, m.partitionSpecId);
      const entries = await readManifestEntries(base.io, m, specPartitionType(md, spec), resolve);
      for (const e of entries) {
        if (e.snapshotId !== s.snapshotId) continue;
        const f = e.dataFile;
        if (
          e.status === ManifestEntryStatus.DELETED &&
          f.content === DataFileContent.DATA &&
          touched.has(f.filePath)
        )
          throw new ConflictingChangesError(
            `Cannot commit, missing data files: ${f.filePath} was removed by snapshot ${s.snapshotId}`,
          );
        if (e.status !== ManifestEntryStatus.ADDED) continue;
        if (f.content === DataFileContent.DATA) {
          if (change.isolationLevel === "serializable" && mightMatch(f, m.partitionSpecId))
            throw new ConflictingChangesError(
              `Found conflicting files that can contain records matching the change's filter: ${f.filePath} (added by snapshot ${s.snapshotId})`,
            );
        } else {
          const scoped = f.referencedDataFile === undefined || touched.has(f.referencedDataFile);
          if (scoped && mightMatch(f, m.partitionSpecId))
            throw new ConflictingChangesError(
              `Found new conflicting delete files that can apply to records matching the change's filter: ${f.filePath} (added by snapshot ${s.snapshotId})`,
            );
        }
      }
    }
  }
}
