/**
 * Fast append (Iceberg Java `FastAppend`): the new files go into new manifests that are
 * added to the parent snapshot's manifest list. Appends never conflict, so every retry
 * applies.
 */
import { type DataFile, type ManifestEntry, ManifestEntryStatus } from "../spec/manifest-entry.js";
import type { ManifestFile } from "../spec/manifest-file.js";
import { specById } from "../spec/table-metadata.js";
import { readSnapshotManifests } from "./manifest-reader.js";
import { writeManifestFile } from "./manifest-writer.js";
import type { PendingSnapshot, SnapshotAttempt } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/** A pending append of data files written with the table's default spec (`specId`). */
export function fastAppend(files: readonly DataFile[], specId: number): PendingSnapshot {
  let written: Promise<ManifestFile[]> | undefined;
  return {
    operation: "append",
    async apply(base: Table, parent, snapshotId): Promise<SnapshotAttempt> {
      // Manifests of new files are written once and reused by every retry (sequence numbers are inherited).
      written ??= (async () => {
        if (files.length === 0) return [];
        const entries: ManifestEntry[] = files.map((f) => ({
          status: ManifestEntryStatus.ADDED,
          snapshotId,
          dataFile: f,
        }));
        return [await writeManifestFile(base, entries, specById(base.metadata, specId), "data", snapshotId)];
      })();
      const mine = await written;
      const existing = parent ? await readSnapshotManifests(base.io, parent, (l) => base.resolve(l)) : [];
      return {
        manifests: [...mine, ...existing],
        delta: { added: files.map((file) => ({ file, specId })), removed: [] },
        written: [],
      };
    },
  };
}
