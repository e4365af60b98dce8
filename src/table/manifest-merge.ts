/**
 * Manifest merging on append (Iceberg Java `MergeAppend` / `ManifestMergeManager`): without
 * it every append adds a manifest and the manifest list of a long-lived table grows without
 * bound. Per partition spec, data manifests (newest first) are packed into bins of
 * `commit.manifest.target-size-bytes`; a bin holding this snapshot's new manifest is merged
 * only once it has `commit.manifest.min-count-to-merge` manifests, any other bin of more
 * than one manifest is merged. A merged manifest keeps this snapshot's ADDED entries (whose
 * sequence numbers are still to be inherited), keeps every other live entry as EXISTING with
 * explicit sequence numbers, and drops DELETED entries of earlier snapshots.
 */
import { type ManifestEntry, ManifestEntryStatus } from "../spec/manifest-entry.js";
import { ManifestContent, type ManifestFile } from "../spec/manifest-file.js";
import { specById } from "../spec/table-metadata.js";
import { readManifestEntries, specPartitionType } from "./manifest-reader.js";
import { writeManifestFile } from "./manifest-writer.js";
import type { Table } from "./table.js";

/** Merge settings (table properties, Iceberg Java defaults). */
export interface MergePolicy {
  /** `commit.manifest-merge.enabled` (default true). */
  readonly enabled: boolean;
  /** `commit.manifest.min-count-to-merge` (default 100). */
  readonly minCountToMerge: number;
  /** `commit.manifest.target-size-bytes` (default 8 MiB). */
  readonly targetSizeBytes: bigint;
}

/** The merge policy of a table from its properties. */
export function mergePolicy(table: Table): MergePolicy {
  const p = table.metadata.properties;
  return {
    enabled: (p["commit.manifest-merge.enabled"] ?? "true").toLowerCase() !== "false",
    minCountToMerge: Number(p["commit.manifest.min-count-to-merge"] ?? 100),
    targetSizeBytes: BigInt(p["commit.manifest.target-size-bytes"] ?? 8 * 1024 * 1024),
  };
}

/** Manifests after merging, and the merged manifests this call wrote. */
export interface MergeResult {
  readonly manifests: ManifestFile[];
  readonly written: string[];
}

/**
 * Merges the manifests of a new snapshot: `added` are its new data manifests (their entries
 * given in `addedEntries`, not read back: their sequence numbers are not assigned yet),
 * `existing` the parent's manifests.
 */
export async function mergeManifests(
  base: Table,
  added: readonly ManifestFile[],
  addedEntries: readonly ManifestEntry[],
  existing: readonly ManifestFile[],
  snapshotId: bigint,
  policy: MergePolicy = mergePolicy(base),
): Promise<MergeResult> {
  const all = [...added, ...existing];
  if (!policy.enabled) return { manifests: all, written: [] };
  const newPaths = new Set(added.map((m) => m.manifestPath));
  const out: ManifestFile[] = [];
  const written: string[] = [];
  // Group data manifests by spec, keeping first-seen (newest-first) order; delete manifests pass through.
  const groups = new Map<number, ManifestFile[]>();
  for (const m of all) {
    if (m.content !== ManifestContent.DATA) continue;
    let g = groups.get(m.partitionSpecId);
    if (!g) {
      g = [];
      groups.set(m.partitionSpecId, g);
    }
    g.push(m);
  }
  for (const [specId, group] of groups) {
    const first = group[0]!;
    for (const bin of packEnd(group, policy.targetSizeBytes)) {
      if (bin.length === 1 || (bin.includes(first) && bin.length < policy.minCountToMerge)) {
        out.push(...bin);
        continue;
      }
      const entries: ManifestEntry[] = [];
      for (const m of bin) {
        if (newPaths.has(m.manifestPath)) {
          entries.push(...addedEntries);
          continue;
        }
        const spec = specById(base.metadata, m.partitionSpecId);
        for (const e of await readManifestEntries(base.io, m, specPartitionType(base.metadata, spec), (l) =>
          base.resolve(l),
        )) {
          if (e.status === ManifestEntryStatus.DELETED) continue;
          entries.push({ ...e, status: ManifestEntryStatus.EXISTING });
        }
      }
      const merged = await writeManifestFile(
        base,
        entries,
        specById(base.metadata, specId),
        "data",
        snapshotId,
      );
      written.push(merged.manifestPath);
      out.push(merged);
    }
  }
  for (const m of all) if (m.content !== ManifestContent.DATA) out.push(m);
  return { manifests: out, written };
}

/**
 * Packs items into bins of at most `target` bytes, filling from the end (the oldest
 * manifests), so the newest manifests share the last, partial bin (Iceberg `ListPacker.packEnd`).
 * Bins and items come back in the original order.
 */
function packEnd(items: readonly ManifestFile[], target: bigint): ManifestFile[][] {
  const bins: ManifestFile[][] = [];
  let bin: ManifestFile[] = [];
  let size = 0n;
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i]!;
    if (bin.length > 0 && size + m.manifestLength > target) {
      bins.push(bin.reverse());
      bin = [];
      size = 0n;
    }
    bin.push(m);
    size += m.manifestLength;
  }
  if (bin.length > 0) bins.push(bin.reverse());
  return bins.reverse();
}
