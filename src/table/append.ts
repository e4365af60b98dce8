/**
 * Appends (Iceberg Java `MergeAppend`): the new files go into a new manifest added to the
 * parent snapshot's manifest list, and small manifests are merged (see `manifest-merge.ts`).
 * Appends never conflict, so every retry applies.
 */
import type { DataFile } from "../spec/manifest-entry.js";
import { mergeManifests } from "./manifest-merge.js";
import { readSnapshotManifests } from "./manifest-reader.js";
import { addedFilesManifestWithEntries } from "./manifest-writer.js";
import type { PendingSnapshot, SnapshotAttempt } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/**
 * A pending append of data files written with the table's default spec (`specId`) that
 * merges manifests by the table's `commit.manifest-merge.*` properties (Iceberg Java's
 * default `newAppend()`).
 */
export function mergeAppend(files: readonly DataFile[], specId: number): PendingSnapshot {
  const added = addedFilesManifestWithEntries(files, specId);
  return {
    operation: "append",
    currentSnapshotOnly: true,
    async apply(base: Table, parent, snapshotId): Promise<SnapshotAttempt> {
      const existing = parent ? await readSnapshotManifests(base.io, parent, (l) => base.resolve(l)) : [];
      const fresh = await added(base, snapshotId);
      const merged = await mergeManifests(base, fresh.manifests, fresh.entries, existing, snapshotId);
      return {
        manifests: merged.manifests,
        delta: { added: files.map((file) => ({ file, specId })), removed: [] },
        written: merged.written,
      };
    },
  };
}
