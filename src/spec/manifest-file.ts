/**
 * Manifest files as listed in a snapshot's manifest list (Iceberg spec "Manifest Lists").
 */

/** `manifest_file.content`: data or delete files. */
export const ManifestContent = { DATA: 0, DELETES: 1 } as const;
/** One of {@link ManifestContent}'s values. */
export type ManifestContent = (typeof ManifestContent)[keyof typeof ManifestContent];

/** Partition field summary of a manifest (`field_summary`); bounds in binary single-value form. */
export interface FieldSummary {
  readonly containsNull: boolean;
  readonly containsNan?: boolean | undefined;
  readonly lowerBound?: Uint8Array | undefined;
  readonly upperBound?: Uint8Array | undefined;
}

/** An entry of a manifest list. Counts are `undefined` when a v1 writer omitted them ("assume non-zero"). */
export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: bigint;
  readonly partitionSpecId: number;
  readonly content: ManifestContent;
  readonly sequenceNumber: bigint;
  readonly minSequenceNumber: bigint;
  readonly addedSnapshotId: bigint;
  readonly addedFilesCount?: number | undefined;
  readonly existingFilesCount?: number | undefined;
  readonly deletedFilesCount?: number | undefined;
  readonly addedRowsCount?: bigint | undefined;
  readonly existingRowsCount?: bigint | undefined;
  readonly deletedRowsCount?: bigint | undefined;
  readonly partitions?: readonly FieldSummary[] | undefined;
  readonly keyMetadata?: Uint8Array | undefined;
  readonly firstRowId?: bigint | undefined;
}

/** Whether the manifest may hold live (added or existing) files; unknown counts count as yes. */
export function hasLiveFiles(m: ManifestFile): boolean {
  return (
    m.addedFilesCount === undefined ||
    m.existingFilesCount === undefined ||
    m.addedFilesCount + m.existingFilesCount > 0
  );
}
