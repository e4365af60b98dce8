/**
 * Removing orphan files (Iceberg Java `DeleteOrphanFiles`, Trino `ALTER TABLE ... EXECUTE
 * remove_orphan_files`): files under the table's locations that no metadata references (left
 * by failed or killed writers, or by metadata versions beyond the kept log) and that are older
 * than the retention threshold, so that files of writes still in flight are never touched.
 * Reachability is computed from every snapshot, the current metadata file and its log;
 * when any manifest cannot be read nothing is deleted.
 */
import type { FileInfo } from "../io/file-io.js";
import { localPathOf } from "../io/location.js";
import { tableRoots } from "./expire-snapshots.js";
import { snapshotFiles } from "./purge.js";
import { forEachLimit } from "./scan.js";
import type { Table } from "./table.js";

/** Options of {@link removeOrphanFiles}. */
export interface RemoveOrphanFilesOptions {
  /** Only files last modified more than this many ms ago are removed (default 7 days). */
  readonly retentionMs?: number | undefined;
  /** Clock (default `Date.now()`). */
  readonly nowMs?: number | undefined;
}

/**
 * Deletes the table's orphan files.
 * @returns the deleted locations
 * @throws errors reading the table's manifests (then nothing is deleted)
 */
export async function removeOrphanFiles(
  table: Table,
  opts: RemoveOrphanFilesOptions = {},
): Promise<string[]> {
  const md = table.metadata;
  const resolve = (l: string) => table.resolve(l);
  const cutoff = (opts.nowMs ?? Date.now()) - (opts.retentionMs ?? 7 * 24 * 3600 * 1000);
  const live = await snapshotFiles(table, md.snapshots, { strict: true });
  live.add(table.metadataLocation);
  for (const e of md.metadataLog) live.add(resolve(e.metadataFile));
  for (const s of md.statistics) live.add(resolve(s.statisticsPath));
  for (const s of md.partitionStatistics) live.add(resolve(s.statisticsPath));
  // Compare locations in one form: `file:/x`, `file:///x` and `/x` are the same file.
  const liveKeys = new Set([...live].map(locationKey));
  const seen = new Map<string, FileInfo>();
  for (const root of tableRoots(table))
    for await (const f of table.io.list(root)) seen.set(locationKey(f.location), f);
  const orphans = [...seen]
    .filter(([key, f]) => !liveKeys.has(key) && f.lastModifiedMs < cutoff && !isVersionHint(f.location))
    .map(([, f]) => f.location);
  await forEachLimit(orphans, 16, (l) => table.io.delete(l).catch(() => {}));
  return orphans;
}

/** A location's identity: the local path for local files, else the URI itself. */
function locationKey(location: string): string {
  return location.startsWith("file:") || location.startsWith("/") ? localPathOf(location) : location;
}

/** `metadata/version-hint.text`, which other engines read to find the current metadata. */
function isVersionHint(location: string): boolean {
  return location.endsWith("/version-hint.text");
}
