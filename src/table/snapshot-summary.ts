/**
 * Snapshot summaries: the operation plus the metrics of Iceberg spec Appendix F
 * ("Optional Snapshot Summary Fields"), with running totals carried from the parent
 * snapshot (Iceberg Java `SnapshotSummary`).
 */
import { type DataFile, DataFileContent } from "../spec/manifest-entry.js";
import type { SnapshotOperation, SnapshotSummary } from "../spec/snapshot.js";
import { partitionKey } from "./delete-index.js";

/** What a snapshot adds and removes. */
export interface SummaryDelta {
  readonly added: readonly { file: DataFile; specId: number }[];
  readonly removed: readonly { file: DataFile; specId: number }[];
}

/** Name and version written as `engine-name` / `engine-version`. */
export const ENGINE = { name: "aichemy", version: "0.1.0" } as const;

function totals(files: readonly { file: DataFile }[]) {
  let dataFiles = 0n;
  let deleteFiles = 0n;
  let posDeleteFiles = 0n;
  let eqDeleteFiles = 0n;
  let records = 0n;
  let posDeletes = 0n;
  let eqDeletes = 0n;
  let size = 0n;
  for (const { file } of files) {
    size += file.fileSizeInBytes;
    if (file.content === DataFileContent.DATA) {
      dataFiles++;
      records += file.recordCount;
    } else {
      deleteFiles++;
      if (file.content === DataFileContent.POSITION_DELETES) {
        posDeleteFiles++;
        posDeletes += file.recordCount;
      } else {
        eqDeleteFiles++;
        eqDeletes += file.recordCount;
      }
    }
  }
  return { dataFiles, deleteFiles, posDeleteFiles, eqDeleteFiles, records, posDeletes, eqDeletes, size };
}

/** Builds the summary map of a new snapshot. */
export function snapshotSummary(
  operation: SnapshotOperation,
  delta: SummaryDelta,
  parent: SnapshotSummary | undefined,
  extra: Readonly<Record<string, string>> = {},
): SnapshotSummary {
  const a = totals(delta.added);
  const r = totals(delta.removed);
  const out: Record<string, string> = { operation };
  const put = (k: string, v: bigint) => {
    if (v !== 0n) out[k] = String(v);
  };
  put("added-data-files", a.dataFiles);
  put("deleted-data-files", r.dataFiles);
  put("added-delete-files", a.deleteFiles);
  put("removed-delete-files", r.deleteFiles);
  put("added-position-delete-files", a.posDeleteFiles);
  put("removed-position-delete-files", r.posDeleteFiles);
  put("added-equality-delete-files", a.eqDeleteFiles);
  put("removed-equality-delete-files", r.eqDeleteFiles);
  put("added-records", a.records);
  put("deleted-records", r.records);
  put("added-files-size", a.size);
  put("removed-files-size", r.size);
  put("added-position-deletes", a.posDeletes);
  put("removed-position-deletes", r.posDeletes);
  put("added-equality-deletes", a.eqDeletes);
  put("removed-equality-deletes", r.eqDeletes);
  const partitions = new Set(
    [...delta.added, ...delta.removed].map((f) => partitionKey(f.specId, f.file.partition)),
  );
  out["changed-partition-count"] = String(partitions.size);
  const total = (key: string, added: bigint, removed: bigint) => {
    const prev = parent ? parent[key] : "0";
    if (prev === undefined || !/^-?\d+$/.test(prev)) return;
    out[key] = String(BigInt(prev) + added - removed);
  };
  total("total-records", a.records, r.records);
  total("total-files-size", a.size, r.size);
  total("total-data-files", a.dataFiles, r.dataFiles);
  total("total-delete-files", a.deleteFiles, r.deleteFiles);
  total("total-position-deletes", a.posDeletes, r.posDeletes);
  total("total-equality-deletes", a.eqDeletes, r.eqDeletes);
  out["engine-name"] = ENGINE.name;
  out["engine-version"] = ENGINE.version;
  return { ...out, ...extra, operation } as SnapshotSummary;
}
