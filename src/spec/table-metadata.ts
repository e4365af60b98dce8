/**
 * Table metadata, the root of an Iceberg table's state (Iceberg spec "Table Metadata").
 * The JSON wire form is in `table-metadata-codec.ts`; changes go through `table-update.ts`.
 */
import type { PartitionSpec } from "./partition-spec.js";
import type { Schema } from "./schema.js";
import {
  MAIN_BRANCH,
  type MetadataLogEntry,
  type Snapshot,
  type SnapshotLogEntry,
  type SnapshotRef,
} from "./snapshot.js";
import type { SortOrder } from "./sort-order.js";

/** Format versions this implementation reads (1-3) and writes (1-2; 3 metadata round-trips). */
export type FormatVersion = 1 | 2 | 3;

/** Highest format version we read. */
export const MAX_FORMAT_VERSION = 3;

/** Statistics file entry (spec "Table Statistics"), kept as parsed JSON with a bigint snapshot id. */
export interface StatisticsFile {
  readonly snapshotId: bigint;
  readonly statisticsPath: string;
  readonly fileSizeInBytes: bigint;
  readonly fileFooterSizeInBytes: bigint;
  readonly keyMetadata?: string | undefined;
  readonly blobMetadata: readonly unknown[];
}

/** Partition statistics file entry (spec "Partition Statistics"). */
export interface PartitionStatisticsFile {
  readonly snapshotId: bigint;
  readonly statisticsPath: string;
  readonly fileSizeInBytes: bigint;
}

/** Immutable table metadata. */
export interface TableMetadata {
  readonly formatVersion: FormatVersion;
  readonly tableUuid: string;
  readonly location: string;
  readonly lastSequenceNumber: bigint;
  readonly lastUpdatedMs: number;
  readonly lastColumnId: number;
  readonly schemas: readonly Schema[];
  readonly currentSchemaId: number;
  readonly partitionSpecs: readonly PartitionSpec[];
  readonly defaultSpecId: number;
  readonly lastPartitionId: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly currentSnapshotId: bigint | null;
  readonly snapshots: readonly Snapshot[];
  readonly snapshotLog: readonly SnapshotLogEntry[];
  readonly metadataLog: readonly MetadataLogEntry[];
  readonly sortOrders: readonly SortOrder[];
  readonly defaultSortOrderId: number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
  readonly statistics: readonly StatisticsFile[];
  readonly partitionStatistics: readonly PartitionStatisticsFile[];
  /** v3 row lineage: the next row id to assign. */
  readonly nextRowId?: bigint | undefined;
  /** v3 encryption keys, kept as parsed JSON. */
  readonly encryptionKeys?: readonly unknown[] | undefined;
}

/**
 * The table's current schema.
 * @throws Error when `current-schema-id` is not among the schemas (corrupt metadata).
 */
export function currentSchema(md: TableMetadata): Schema {
  return schemaById(md, md.currentSchemaId);
}

/** The schema with this id. @throws Error when absent. */
export function schemaById(md: TableMetadata, id: number): Schema {
  const s = md.schemas.find((x) => x.schemaId === id);
  if (!s) throw new Error(`table metadata has no schema with id ${id}`);
  return s;
}

/** The default partition spec. @throws Error when absent. */
export function defaultSpec(md: TableMetadata): PartitionSpec {
  return specById(md, md.defaultSpecId);
}

/** The partition spec with this id. @throws Error when absent. */
export function specById(md: TableMetadata, id: number): PartitionSpec {
  const s = md.partitionSpecs.find((x) => x.specId === id);
  if (!s) throw new Error(`table metadata has no partition spec with id ${id}`);
  return s;
}

/** The default sort order, or undefined when absent. */
export function defaultSortOrder(md: TableMetadata): SortOrder | undefined {
  return md.sortOrders.find((x) => x.orderId === md.defaultSortOrderId);
}

/** The snapshot with this id, or undefined. */
export function snapshotById(md: TableMetadata, id: bigint): Snapshot | undefined {
  return md.snapshots.find((s) => s.snapshotId === id);
}

/** The current snapshot (head of `main`), or undefined for an empty table. */
export function currentSnapshot(md: TableMetadata): Snapshot | undefined {
  const id = md.refs[MAIN_BRANCH]?.snapshotId ?? md.currentSnapshotId;
  return id === null || id === undefined ? undefined : snapshotById(md, id);
}

/** The snapshot a branch or tag points at, or undefined. */
export function snapshotForRef(md: TableMetadata, ref: string): Snapshot | undefined {
  const r = md.refs[ref];
  if (r) return snapshotById(md, r.snapshotId);
  if (ref === MAIN_BRANCH) return currentSnapshot(md);
  return undefined;
}

/**
 * The snapshot that was current at `timestampMs` (inclusive), read from the snapshot log as
 * the spec recommends (Appendix F "Point in Time Reads"), falling back on snapshot
 * timestamps along the current branch's ancestry when the log is empty.
 */
export function snapshotAsOf(md: TableMetadata, timestampMs: number): Snapshot | undefined {
  let found: bigint | undefined;
  if (md.snapshotLog.length > 0) {
    for (const e of md.snapshotLog) if (e.timestampMs <= timestampMs) found = e.snapshotId;
  } else {
    for (const s of ancestorsOf(md, currentSnapshot(md))) {
      if (s.timestampMs <= timestampMs) {
        found = s.snapshotId;
        break;
      }
    }
  }
  return found === undefined ? undefined : snapshotById(md, found);
}

/** A snapshot and its ancestors, newest first, as far as they are still in the metadata. */
export function ancestorsOf(md: TableMetadata, snapshot: Snapshot | undefined): Snapshot[] {
  const out: Snapshot[] = [];
  const seen = new Set<bigint>();
  let s = snapshot;
  while (s && !seen.has(s.snapshotId)) {
    out.push(s);
    seen.add(s.snapshotId);
    s = s.parentSnapshotId === undefined ? undefined : snapshotById(md, s.parentSnapshotId);
  }
  return out;
}

/** A table property, or `fallback`. */
export function property(md: TableMetadata, key: string, fallback: string): string;
export function property(md: TableMetadata, key: string): string | undefined;
export function property(md: TableMetadata, key: string, fallback?: string): string | undefined {
  return md.properties[key] ?? fallback;
}
