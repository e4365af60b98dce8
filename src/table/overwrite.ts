/**
 * Replacing a table's whole contents (INSERT OVERWRITE without partitions, CREATE OR REPLACE,
 * `ingest --mode overwrite`): every live data and delete file of the base snapshot is marked
 * DELETED and the new files are added, as one `overwrite` snapshot. Each retry re-reads the
 * latest state, so files appended concurrently are replaced too.
 */
import { type DataFile, type ManifestEntry, ManifestEntryStatus } from "../spec/manifest-entry.js";
import { ManifestContent, type ManifestFile } from "../spec/manifest-file.js";
import { specById } from "../spec/table-metadata.js";
import { readManifestEntries, readSnapshotManifests, specPartitionType } from "./manifest-reader.js";
import { addedFilesManifest, writeManifestFile } from "./manifest-writer.js";
import type { PendingSnapshot, SnapshotAttempt } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/** A pending overwrite of all rows with `files` (written with spec `specId`). */
export function overwriteAll(files: readonly DataFile[], specId: number): PendingSnapshot {
  const added = addedFilesManifest(files, specId);
  return {
    operation: "overwrite",
    async apply(base: Table, parent, snapshotId): Promise<SnapshotAttempt> {
      const resolve = (l: string) => base.resolve(l);
      const md = base.metadata;
      const deletedManifests: ManifestFile[] = [];
      const removed: { file: DataFile; specId: number }[] = [];
      for (const m of parent ? await readSnapshotManifests(base.io, parent, resolve) : []) {
        const spec = specById(md, m.partitionSpecId);
        const entries = await readManifestEntries(base.io, m, specPartitionType(md, spec), resolve);
        const live = entries.filter((e) => e.status !== ManifestEntryStatus.DELETED);
        if (live.length === 0) continue;
        const tombstones: ManifestEntry[] = live.map((e) => ({
          ...e,
          status: ManifestEntryStatus.DELETED,
          snapshotId,
        }));
        for (const e of live) removed.push({ file: e.dataFile, specId: m.partitionSpecId });
        deletedManifests.push(
          await writeManifestFile(
            base,
            tombstones,
            spec,
            m.content === ManifestContent.DELETES ? "deletes" : "data",
            snapshotId,
          ),
        );
      }
      return {
        manifests: [...(await added(base, snapshotId)), ...deletedManifests],
        delta: { added: files.map((file) => ({ file, specId })), removed },
        written: deletedManifests.map((m) => m.manifestPath),
      };
    },
  };
}
