/**
 * Snapshots and snapshot references (Iceberg spec "Snapshots", "Snapshot References").
 * Ids and sequence numbers are `bigint`; timestamps are milliseconds from the epoch.
 */

/** Snapshot operations (spec "Snapshots"). */
export type SnapshotOperation = "append" | "replace" | "overwrite" | "delete";

/** The snapshot summary: `operation` plus string metrics (spec Appendix F). */
export interface SnapshotSummary {
  readonly operation: SnapshotOperation;
  readonly [key: string]: string;
}

/** A snapshot of the table. */
export interface Snapshot {
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint | undefined;
  /** Data sequence number (0 for v1 tables). */
  readonly sequenceNumber: bigint;
  readonly timestampMs: number;
  /** Location of the manifest list (absent only in v1 tables that list `manifests`). */
  readonly manifestList?: string | undefined;
  /** v1 only: manifest locations when there is no manifest list. */
  readonly manifests?: readonly string[] | undefined;
  readonly summary: SnapshotSummary;
  readonly schemaId?: number | undefined;
  /** v3 row lineage. */
  readonly firstRowId?: bigint | undefined;
  readonly addedRows?: bigint | undefined;
}

/** Reference types. */
export type SnapshotRefType = "branch" | "tag";

/** A named branch or tag (spec "Snapshot References"). */
export interface SnapshotRef {
  readonly snapshotId: bigint;
  readonly type: SnapshotRefType;
  readonly minSnapshotsToKeep?: number | undefined;
  readonly maxSnapshotAgeMs?: number | undefined;
  readonly maxRefAgeMs?: number | undefined;
}

/** Name of the main branch. */
export const MAIN_BRANCH = "main";

/** An entry of the snapshot log: the current snapshot changed to `snapshotId` at `timestampMs`. */
export interface SnapshotLogEntry {
  readonly snapshotId: bigint;
  readonly timestampMs: number;
}

/** An entry of the metadata log: a previous metadata file and when it was written. */
export interface MetadataLogEntry {
  readonly metadataFile: string;
  readonly timestampMs: number;
}

/**
 * A new random positive snapshot id the way Iceberg Java makes them: a type-4 UUID's two
 * halves XORed, masked to a positive long (spec Appendix F).
 */
export function newSnapshotId(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const view = new DataView(bytes.buffer);
  return (view.getBigInt64(0) ^ view.getBigInt64(8)) & 0x7fffffffffffffffn;
}
