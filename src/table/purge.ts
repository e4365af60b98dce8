/**
 * Deleting a table's files when it is dropped with purge (Iceberg Java
 * `CatalogUtil.dropTableData`): every data and delete file, manifest and manifest list
 * reachable from any snapshot, statistics files, and all metadata files in the log.
 */
import type { ManifestFile } from "../spec/manifest-file.js";
import type { Snapshot } from "../spec/snapshot.js";
import { specById } from "../spec/table-metadata.js";
import { readManifestEntries, readSnapshotManifests, specPartitionType } from "./manifest-reader.js";
import { forEachLimit } from "./scan.js";
import type { Table } from "./table.js";

/**
 * Every file location a table's metadata references (resolved to where they are stored).
 * Manifests that cannot be read are skipped with their entries.
 */
export async function reachableFiles(table: Table): Promise<Set<string>> {
  const md = table.metadata;
  const resolve = (l: string) => table.resolve(l);
  const out = await snapshotFiles(table, md.snapshots, { strict: false });
  out.add(table.metadataLocation);
  for (const e of md.metadataLog) out.add(resolve(e.metadataFile));
  for (const s of md.statistics) out.add(resolve(s.statisticsPath));
  for (const s of md.partitionStatistics) out.add(resolve(s.statisticsPath));
  return out;
}

/**
 * The manifest lists, manifests and data and delete files reachable from `snapshots`
 * (resolved locations).
 * @param opts.strict throw when a manifest list or manifest cannot be read (callers that
 * delete what is *not* reachable must know everything that is); otherwise skip it
 */
export async function snapshotFiles(
  table: Table,
  snapshots: readonly Snapshot[],
  opts: { strict: boolean },
): Promise<Set<string>> {
  const md = table.metadata;
  const resolve = (l: string) => table.resolve(l);
  const out = new Set<string>();
  const manifests = new Map<string, { specId: number; m: ManifestFile }>();
  for (const snapshot of snapshots) {
    if (snapshot.manifestList) out.add(resolve(snapshot.manifestList));
    try {
      for (const m of await readSnapshotManifests(table.io, snapshot, resolve)) {
        manifests.set(m.manifestPath, { specId: m.partitionSpecId, m });
      }
    } catch (e) {
      // A missing manifest list cannot reference anything we could still delete.
      if (opts.strict) throw e;
    }
  }
  await forEachLimit([...manifests.values()], 8, async ({ specId, m }) => {
    out.add(resolve(m.manifestPath));
    try {
      const type = specPartitionType(md, specById(md, specId));
      for (const e of await readManifestEntries(table.io, m, type, resolve))
        out.add(resolve(e.dataFile.filePath));
    } catch (e) {
      // Unreadable manifest: its files are left in place.
      if (opts.strict) throw e;
    }
  });
  return out;
}

/** What {@link purgeTableFiles} did. */
export interface PurgeResult {
  /** How many files were deleted (or already absent). */
  readonly deleted: number;
  /** Referenced files left in place because `canDelete` refused them (resolved locations). */
  readonly skipped: readonly string[];
}

/**
 * Deletes every file the table references for which `canDelete` holds; callers restrict
 * deletion to the warehouse (the catalog's `LocationPolicy`), so files of a registered table
 * elsewhere, or that stored metadata points to outside, are never touched.
 */
export async function purgeTableFiles(
  table: Table,
  canDelete: (location: string) => boolean,
): Promise<PurgeResult> {
  const files: string[] = [];
  const skipped: string[] = [];
  for (const l of await reachableFiles(table)) (canDelete(l) ? files : skipped).push(l);
  await forEachLimit(files, 16, (l) => table.io.delete(l));
  return { deleted: files.length, skipped };
}
