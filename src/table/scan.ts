/**
 * Scan planning (Iceberg spec "Scan Planning"): picks the snapshot, prunes manifests by
 * partition summaries, prunes data files by partition values and column bounds, and attaches
 * the delete files that apply to each data file. Output is a list of file scan tasks that the
 * engine turns into a DuckDB relation.
 */
import { ValidationError } from "../errors.js";
import { type Expression, TRUE } from "../spec/expressions/expression.js";
import { inclusiveMetricsEvaluator } from "../spec/expressions/inclusive-metrics-evaluator.js";
import { manifestEvaluator } from "../spec/expressions/manifest-evaluator.js";
import { partitionEvaluator } from "../spec/expressions/partition-evaluator.js";
import { projectInclusive } from "../spec/expressions/projection.js";
import { type DataFile, DataFileContent, ManifestEntryStatus } from "../spec/manifest-entry.js";
import { hasLiveFiles, ManifestContent, type ManifestFile } from "../spec/manifest-file.js";
import { isUnpartitioned, type PartitionSpec } from "../spec/partition-spec.js";
import type { Schema } from "../spec/schema.js";
import type { Snapshot } from "../spec/snapshot.js";
import {
  currentSchema,
  schemaById,
  snapshotAsOf,
  snapshotById,
  snapshotForRef,
  specById,
  type TableMetadata,
} from "../spec/table-metadata.js";
import type { StructType } from "../spec/types.js";
import { DeleteFileIndex, type IndexedDeleteFile } from "./delete-index.js";
import { readManifestEntries, readSnapshotManifests, specPartitionType } from "./manifest-reader.js";
import type { Table } from "./table.js";

/** One data file to read, with the delete files that apply to it. */
export interface FileScanTask {
  readonly file: DataFile;
  readonly specId: number;
  readonly dataSequenceNumber: bigint;
  readonly deletes: readonly IndexedDeleteFile[];
}

/** Counts of what planning read and pruned (for EXPLAIN and tests). */
export interface ScanMetrics {
  manifestsTotal: number;
  manifestsSkipped: number;
  dataFilesTotal: number;
  dataFilesSkipped: number;
  deleteFilesTotal: number;
}

/** A planned scan. */
export interface ScanPlan {
  readonly snapshot: Snapshot | undefined;
  /** Schema to read with: the snapshot's schema for time travel, else the current one. */
  readonly schema: Schema;
  readonly tasks: readonly FileScanTask[];
  readonly metrics: ScanMetrics;
}

/** Which version of the table to read. At most one of the selectors may be set. */
export interface SnapshotSelector {
  readonly snapshotId?: bigint | undefined;
  /** Milliseconds from the epoch: the snapshot current at that time. */
  readonly asOfTimestampMs?: number | undefined;
  /** A branch or tag name. */
  readonly ref?: string | undefined;
}

/**
 * Resolves a snapshot selector (none = current).
 * @throws ValidationError naming the id, time or ref when nothing matches.
 */
export function selectSnapshot(md: TableMetadata, sel: SnapshotSelector = {}): Snapshot | undefined {
  if (sel.snapshotId !== undefined) {
    const s = snapshotById(md, sel.snapshotId);
    if (!s) throw new ValidationError(`Iceberg snapshot ID does not exist: ${sel.snapshotId}`);
    return s;
  }
  if (sel.ref !== undefined) {
    const s = snapshotForRef(md, sel.ref);
    if (!s) throw new ValidationError(`Cannot find snapshot with reference name: ${sel.ref}`);
    return s;
  }
  if (sel.asOfTimestampMs !== undefined) {
    const s = snapshotAsOf(md, sel.asOfTimestampMs);
    if (!s)
      throw new ValidationError(
        `No version history table before ${new Date(sel.asOfTimestampMs).toISOString()}`,
      );
    return s;
  }
  return snapshotForRef(md, "main");
}

/** The schema to read a snapshot with (the snapshot's own schema when it records one). */
export function schemaForSnapshot(
  md: TableMetadata,
  snapshot: Snapshot | undefined,
  timeTravel: boolean,
): Schema {
  if (
    timeTravel &&
    snapshot?.schemaId !== undefined &&
    md.schemas.some((s) => s.schemaId === snapshot.schemaId)
  ) {
    return schemaById(md, snapshot.schemaId);
  }
  return currentSchema(md);
}

/** Options of {@link planScan}. */
export interface PlanOptions extends SnapshotSelector {
  /** Row filter over the read schema's column ids (default: everything). */
  readonly filter?: Expression | undefined;
  /** Manifests read in parallel (default 8). */
  readonly concurrency?: number | undefined;
}

/** Plans a scan of a table. */
export async function planScan(table: Table, opts: PlanOptions = {}): Promise<ScanPlan> {
  const md = table.metadata;
  const timeTravel =
    opts.snapshotId !== undefined || opts.asOfTimestampMs !== undefined || opts.ref !== undefined;
  const snapshot = selectSnapshot(md, opts);
  const schema = schemaForSnapshot(md, snapshot, timeTravel);
  const metrics: ScanMetrics = {
    manifestsTotal: 0,
    manifestsSkipped: 0,
    dataFilesTotal: 0,
    dataFilesSkipped: 0,
    deleteFilesTotal: 0,
  };
  if (!snapshot) return { snapshot, schema, tasks: [], metrics };
  const filter = opts.filter ?? TRUE;
  const resolve = (l: string) => table.resolve(l);
  const manifests = await readSnapshotManifests(table.io, snapshot, resolve);
  metrics.manifestsTotal = manifests.length;

  const perSpec = new Map<
    number,
    {
      spec: PartitionSpec;
      type: StructType;
      manifestOk: (m: ManifestFile) => boolean;
      partitionOk: (p: DataFile["partition"]) => boolean;
    }
  >();
  const specInfo = (specId: number) => {
    let info = perSpec.get(specId);
    if (!info) {
      const spec = specById(md, specId);
      const type = specPartitionType(md, spec);
      const partitionFilter = projectInclusive(filter, spec, schema);
      info = {
        spec,
        type,
        manifestOk: manifestEvaluator(partitionFilter, type),
        partitionOk: partitionEvaluator(partitionFilter, type),
      };
      perSpec.set(specId, info);
    }
    return info;
  };
  const metricsOk = inclusiveMetricsEvaluator(filter);

  const selected = manifests.filter((m) => {
    const ok =
      (m.content === ManifestContent.DELETES || hasLiveFiles(m)) && specInfo(m.partitionSpecId).manifestOk(m);
    if (!ok) metrics.manifestsSkipped++;
    return ok;
  });

  const data: FileScanTask[] = [];
  const deletes: IndexedDeleteFile[] = [];
  await forEachLimit(selected, opts.concurrency ?? 8, async (m) => {
    const info = specInfo(m.partitionSpecId);
    const entries = await readManifestEntries(table.io, m, info.type, resolve);
    for (const e of entries) {
      if (e.status === ManifestEntryStatus.DELETED) continue;
      const f = e.dataFile;
      const seq = e.sequenceNumber ?? 0n;
      if (f.content === DataFileContent.DATA) {
        metrics.dataFilesTotal++;
        if (!info.partitionOk(f.partition) || !metricsOk(f)) {
          metrics.dataFilesSkipped++;
          continue;
        }
        data.push({ file: f, specId: m.partitionSpecId, dataSequenceNumber: seq, deletes: [] });
      } else {
        metrics.deleteFilesTotal++;
        if (!info.partitionOk(f.partition)) continue;
        if (f.content === DataFileContent.EQUALITY_DELETES && !metricsOk(f)) continue;
        deletes.push({
          file: f,
          dataSequenceNumber: seq,
          specId: m.partitionSpecId,
          unpartitioned: isUnpartitioned(info.spec),
        });
      }
    }
  });
  const index = new DeleteFileIndex(deletes);
  const tasks = data.map((t) => ({
    ...t,
    deletes: index.forDataFile(t.file, t.specId, t.dataSequenceNumber),
  }));
  // Deterministic order: by sequence number then path.
  tasks.sort((a, b) =>
    a.dataSequenceNumber < b.dataSequenceNumber
      ? -1
      : a.dataSequenceNumber > b.dataSequenceNumber
        ? 1
        : a.file.filePath.localeCompare(b.file.filePath),
  );
  return { snapshot, schema, tasks, metrics };
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!);
    }
  });
  await Promise.all(workers);
}
