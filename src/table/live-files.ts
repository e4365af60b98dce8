/**
 * The live (ADDED or EXISTING) data and delete files of a snapshot, with inherited sequence
 * numbers: what the `$files` and `$partitions` metadata tables and maintenance read.
 */
import { type ManifestEntry, ManifestEntryStatus } from "../spec/manifest-entry.js";
import type { ManifestFile } from "../spec/manifest-file.js";
import type { Snapshot } from "../spec/snapshot.js";
import { specById } from "../spec/table-metadata.js";
import { readManifestEntries, readSnapshotManifests, specPartitionType } from "./manifest-reader.js";
import { forEachLimit } from "./scan.js";
import type { Table } from "./table.js";

/** A live file with the manifest it is listed in. */
export interface LiveFile {
  readonly entry: ManifestEntry;
  readonly specId: number;
  readonly manifest: ManifestFile;
}

/** Lists the live files of a snapshot (none for an empty table), manifest by manifest. */
export async function liveFiles(table: Table, snapshot: Snapshot | undefined): Promise<LiveFile[]> {
  if (!snapshot) return [];
  const resolve = (l: string) => table.resolve(l);
  const manifests = await readSnapshotManifests(table.io, snapshot, resolve);
  const perManifest: LiveFile[][] = manifests.map(() => []);
  await forEachLimit(
    manifests.map((m, i) => ({ m, i })),
    8,
    async ({ m, i }) => {
      const type = specPartitionType(table.metadata, specById(table.metadata, m.partitionSpecId));
      for (const e of await readManifestEntries(table.io, m, type, resolve)) {
        if (e.status !== ManifestEntryStatus.DELETED)
          perManifest[i]!.push({ entry: e, specId: m.partitionSpecId, manifest: m });
      }
    },
  );
  return perManifest.flat();
}
