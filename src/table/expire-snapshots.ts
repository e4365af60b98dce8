/**
 * Expiring snapshots (Iceberg Java `RemoveSnapshots`, Trino `ALTER TABLE ... EXECUTE
 * expire_snapshots`): removes snapshots that no retained ref needs any more, then deletes
 * exactly the files that only removed snapshots reach.
 *
 * Retained: for every branch (main always), its head and ancestors while fewer than
 * `min-snapshots-to-keep` are kept or they are newer than the cutoff (the ref's own
 * `max-snapshot-age-ms` or the table's `history.expire.max-snapshot-age-ms`, default 5 days,
 * or the caller's retention); every tag's snapshot; snapshots no ref reaches that are newer
 * than the cutoff. Refs other than main older than their `max-ref-age-ms` (default
 * `history.expire.max-ref-age-ms`, unlimited) are removed first. Files are deleted only after
 * the commit, only when no retained snapshot reaches them, and only inside the table's
 * location (or its data and metadata paths); reading any retained manifest failing stops the
 * deletion (nothing is deleted that might be live).
 */
import { CommitFailedError } from "../errors.js";
import type { Snapshot } from "../spec/snapshot.js";
import { MAIN_BRANCH } from "../spec/snapshot.js";
import { ancestorsOf, snapshotById, type TableMetadata } from "../spec/table-metadata.js";
import type { TableRequirement, TableUpdate } from "../spec/table-update.js";
import { snapshotFiles } from "./purge.js";
import { forEachLimit } from "./scan.js";
import { retryPolicy } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/** Options of {@link expireSnapshots}. */
export interface ExpireSnapshotsOptions {
  /** Snapshots older than this (ms before `nowMs`) may expire; default the table's `history.expire.max-snapshot-age-ms`. */
  readonly retentionMs?: number | undefined;
  /** Clock (default `Date.now()`). */
  readonly nowMs?: number | undefined;
}

/** What {@link expireSnapshots} did. */
export interface ExpireSnapshotsResult {
  readonly table: Table;
  readonly expiredSnapshotIds: readonly bigint[];
  readonly removedRefs: readonly string[];
  /** Locations of the deleted files. */
  readonly deletedFiles: readonly string[];
}

const DAY_MS = 24 * 3600 * 1000;

/** The snapshots to keep and the refs to drop, per the rules above. */
export function snapshotsToRetain(
  md: TableMetadata,
  nowMs: number,
  retentionMs: number | undefined,
): { retain: Set<bigint>; removedRefs: string[] } {
  const p = md.properties;
  const defaultAge = retentionMs ?? Number(p["history.expire.max-snapshot-age-ms"] ?? 5 * DAY_MS);
  const defaultMinKeep = Number(p["history.expire.min-snapshots-to-keep"] ?? 1);
  const defaultRefAge = Number(p["history.expire.max-ref-age-ms"] ?? Number.POSITIVE_INFINITY);
  const retain = new Set<bigint>();
  const removedRefs: string[] = [];
  for (const [name, ref] of Object.entries(md.refs)) {
    const head = snapshotById(md, ref.snapshotId);
    if (!head) continue;
    if (name !== MAIN_BRANCH && nowMs - head.timestampMs > (ref.maxRefAgeMs ?? defaultRefAge)) {
      removedRefs.push(name);
      continue;
    }
    if (ref.type === "tag") {
      retain.add(head.snapshotId);
      continue;
    }
    const cutoff = nowMs - (retentionMs ?? ref.maxSnapshotAgeMs ?? defaultAge);
    const minKeep = ref.minSnapshotsToKeep ?? defaultMinKeep;
    let kept = 0;
    for (const s of ancestorsOf(md, head)) {
      if (kept < minKeep || s.timestampMs >= cutoff) {
        retain.add(s.snapshotId);
        kept++;
      } else break;
    }
  }
  // Snapshots that no ref reaches are kept while they are newer than the cutoff.
  const reached = new Set<bigint>();
  for (const ref of Object.values(md.refs))
    for (const s of ancestorsOf(md, snapshotById(md, ref.snapshotId))) reached.add(s.snapshotId);
  for (const s of md.snapshots)
    if (!reached.has(s.snapshotId) && s.timestampMs >= nowMs - defaultAge) retain.add(s.snapshotId);
  return { retain, removedRefs };
}

/**
 * Expires snapshots and deletes the files only they reach.
 * @throws CommitFailedError after the retries; errors reading retained manifests (then no file
 * is deleted, the metadata change having committed)
 */
export async function expireSnapshots(
  table: Table,
  opts: ExpireSnapshotsOptions = {},
): Promise<ExpireSnapshotsResult> {
  const policy = retryPolicy(table);
  let base = table;
  for (let attempt = 0; ; attempt++) {
    const md = base.metadata;
    const nowMs = opts.nowMs ?? Date.now();
    const { retain, removedRefs } = snapshotsToRetain(md, nowMs, opts.retentionMs);
    const expired = md.snapshots.filter((s) => !retain.has(s.snapshotId));
    if (expired.length === 0 && removedRefs.length === 0)
      return { table: base, expiredSnapshotIds: [], removedRefs: [], deletedFiles: [] };
    const requirements: TableRequirement[] = [
      { type: "assert-table-uuid", uuid: md.tableUuid },
      ...Object.entries(md.refs).map(
        ([ref, r]): TableRequirement => ({ type: "assert-ref-snapshot-id", ref, snapshotId: r.snapshotId }),
      ),
    ];
    const updates: TableUpdate[] = [
      ...removedRefs.map((refName): TableUpdate => ({ action: "remove-snapshot-ref", refName })),
      ...(expired.length > 0
        ? [{ action: "remove-snapshots", snapshotIds: expired.map((s) => s.snapshotId) } as TableUpdate]
        : []),
    ];
    let committed: Table;
    try {
      committed = base.withState(await base.ops.commit(requirements, updates));
    } catch (e) {
      if (!(e instanceof CommitFailedError) || attempt >= policy.numRetries) throw e;
      await new Promise((r) => setTimeout(r, Math.min(policy.maxWaitMs, policy.minWaitMs * 2 ** attempt)));
      base = await base.refresh();
      continue;
    }
    const deletedFiles = await deleteUnreachable(base, expired, committed.metadata.snapshots);
    return {
      table: committed,
      expiredSnapshotIds: expired.map((s) => s.snapshotId),
      removedRefs,
      deletedFiles,
    };
  }
}

/** Deletes the files `expired` reach and `retained` do not, inside the table's own locations. */
async function deleteUnreachable(
  table: Table,
  expired: readonly Snapshot[],
  retained: readonly Snapshot[],
): Promise<string[]> {
  if (expired.length === 0) return [];
  const live = await snapshotFiles(table, retained, { strict: true });
  const candidates = await snapshotFiles(table, expired, { strict: false });
  const roots = tableRoots(table);
  const doomed = [...candidates].filter((l) => !live.has(l) && roots.some((r) => l.startsWith(r)));
  await forEachLimit(doomed, 16, (l) => table.io.delete(l).catch(() => {}));
  return doomed;
}

/** Location prefixes (with a trailing slash) under which maintenance may delete files. */
export function tableRoots(table: Table): string[] {
  const p = table.metadata.properties;
  return [table.location(), p["write.data.path"], p["write.metadata.path"]]
    .filter((x): x is string => !!x)
    .map((x) => `${table.resolve(x).replace(/\/+$/, "")}/`);
}
