/**
 * Manifest entries and the data files they track (Iceberg spec "Manifests", "Manifest Entry
 * Fields", "Data File Fields"). Column metrics are keyed by field id; bounds are in the
 * binary single-value form of `conversions.ts`.
 */
import type { PrimitiveValue } from "./values.js";

/** `data_file.content`: what the file holds. */
export const DataFileContent = { DATA: 0, POSITION_DELETES: 1, EQUALITY_DELETES: 2 } as const;
/** One of {@link DataFileContent}'s values. */
export type DataFileContent = (typeof DataFileContent)[keyof typeof DataFileContent];

/** `manifest_entry.status`. */
export const ManifestEntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;
/** One of {@link ManifestEntryStatus}'s values. */
export type ManifestEntryStatus = (typeof ManifestEntryStatus)[keyof typeof ManifestEntryStatus];

/** File formats of data and delete files. */
export type FileFormat = "PARQUET" | "AVRO" | "ORC" | "PUFFIN";

/** A data file, position delete file, equality delete file or deletion vector. */
export interface DataFile {
  readonly content: DataFileContent;
  /** Full location of the file as recorded (a URI, or a path written by the engine). */
  readonly filePath: string;
  readonly fileFormat: FileFormat;
  /** Partition tuple in the order of the manifest's partition spec fields. */
  readonly partition: readonly (PrimitiveValue | null)[];
  readonly recordCount: bigint;
  readonly fileSizeInBytes: bigint;
  readonly columnSizes?: ReadonlyMap<number, bigint> | undefined;
  readonly valueCounts?: ReadonlyMap<number, bigint> | undefined;
  readonly nullValueCounts?: ReadonlyMap<number, bigint> | undefined;
  readonly nanValueCounts?: ReadonlyMap<number, bigint> | undefined;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array> | undefined;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array> | undefined;
  readonly keyMetadata?: Uint8Array | undefined;
  readonly splitOffsets?: readonly bigint[] | undefined;
  readonly equalityIds?: readonly number[] | undefined;
  readonly sortOrderId?: number | undefined;
  readonly firstRowId?: bigint | undefined;
  readonly referencedDataFile?: string | undefined;
  readonly contentOffset?: bigint | undefined;
  readonly contentSizeInBytes?: bigint | undefined;
}

/** A manifest entry. Null snapshot id / sequence numbers are inherited from the manifest (spec "Sequence Number Inheritance"). */
export interface ManifestEntry {
  readonly status: ManifestEntryStatus;
  readonly snapshotId?: bigint | undefined;
  /** Data sequence number. */
  readonly sequenceNumber?: bigint | undefined;
  readonly fileSequenceNumber?: bigint | undefined;
  readonly dataFile: DataFile;
}
