/**
 * Fast append (Iceberg Java `FastAppend`): the new files go into new manifests that are
 * added to the parent snapshot's manifest list. Appends never conflict, so every retry
 * applies.
 */
import type { DataFile } from "../spec/manifest-entry.js";
import { readSnapshotManifests } from "./manifest-reader.js";
import { addedFilesManifest } from "./manifest-writer.js";
import type { PendingSnapshot, SnapshotAttempt } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/** A pending append of data files written with the table's default spec (`specId`). */
export function fastAppend(files: readonly DataFile[], specId: number): PendingSnapshot {
  const added = addedFilesManifest(files, specId);
  return {
    operation: "append",
    currentSnapshotOnly: true,
    async apply(base: Table, parent, snapshotId): Promise<SnapshotAttempt> {
      const existing = parent ? await readSnapshotManifests(base.io, parent, (l) => base.resolve(l)) : [];
      return {
        manifests: [...(await added(base, snapshotId)), ...existing],
        delta: { added: files.map((file) => ({ file, specId })), removed: [] },
        written: [],
      };
    },
  };
}
