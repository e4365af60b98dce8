/**
 * What a table needs from its catalog: load the latest state and commit changes by
 * compare-and-swap (Iceberg Java `TableOperations`, REST `commitTable`).
 */
import type { TableMetadata } from "../spec/table-metadata.js";
import type { TableRequirement, TableUpdate } from "../spec/table-update.js";

/** A table's current state in its catalog. */
export interface TableState {
  readonly metadata: TableMetadata;
  readonly metadataLocation: string;
}

/** Options of {@link TableOperations.refresh}. */
export interface RefreshOptions {
  readonly referencedSnapshotsOnly?: boolean | undefined;
}

/** Catalog-side operations of one table. */
export interface TableOperations {
  /**
   * Loads the latest committed state. With `referencedSnapshotsOnly` the catalog may leave
   * out snapshots no branch or tag points at (REST `snapshots=refs`): enough to retry a
   * commit that only builds on the current snapshot, and much smaller for long histories.
   * @throws NoSuchTableError when the table is gone.
   */
  refresh(opts?: RefreshOptions): Promise<TableState>;
  /**
   * Applies `updates` if every requirement holds against the latest metadata, writing a new
   * metadata file and swapping the catalog pointer atomically.
   * @throws CommitFailedError when a requirement fails or another commit won the swap (retryable);
   * CommitStateUnknownError when the outcome is unknown (never delete written files then).
   */
  commit(requirements: readonly TableRequirement[], updates: readonly TableUpdate[]): Promise<TableState>;
}
