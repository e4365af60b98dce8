/**
 * Rewriting manifests (Trino `ALTER TABLE ... EXECUTE optimize_manifests`, Iceberg Java
 * `RewriteManifests`): the current snapshot's data manifests are merged per partition spec into
 * as few manifests of `commit.manifest.target-size-bytes` as fit, keeping every entry (as
 * EXISTING, with its sequence numbers). Delete manifests are kept as they are. The new
 * snapshot is a `replace` with the same rows and files.
 */
import { mergeManifests, mergePolicy } from "./manifest-merge.js";
import { readSnapshotManifests } from "./manifest-reader.js";
import { commitSnapshot, type PendingSnapshot } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/**
 * Merges the current snapshot's data manifests; returns the table unchanged when there is
 * at most one data manifest per spec.
 * @throws CommitFailedError after the retries
 */
export async function rewriteManifests(table: Table): Promise<Table> {
  const current = table.currentSnapshot();
  if (!current) return table;
  const manifests = await readSnapshotManifests(table.io, current, (l) => table.resolve(l));
  const perSpec = new Map<number, number>();
  for (const m of manifests)
    if (m.content === 0) perSpec.set(m.partitionSpecId, (perSpec.get(m.partitionSpecId) ?? 0) + 1);
  if (![...perSpec.values()].some((n) => n > 1)) return table;
  const pending: PendingSnapshot = {
    operation: "replace",
    async apply(base, parent, snapshotId) {
      const existing = parent ? await readSnapshotManifests(base.io, parent, (l) => base.resolve(l)) : [];
      const policy = { ...mergePolicy(base), enabled: true, minCountToMerge: 1 };
      const merged = await mergeManifests(base, [], [], existing, snapshotId, policy);
      return { manifests: merged.manifests, delta: { added: [], removed: [] }, written: merged.written };
    },
  };
  return commitSnapshot(table, pending);
}
