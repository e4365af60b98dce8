/**
 * Writing manifest files for a table: entries plus the counts and partition field summaries
 * the manifest list carries (Iceberg spec "Manifests", "Manifest Lists").
 */
import { randomUUID } from "node:crypto";
import { writeManifest } from "../spec/avro/manifest-avro.js";
import { toBytes } from "../spec/conversions.js";
import { type DataFile, type ManifestEntry, ManifestEntryStatus } from "../spec/manifest-entry.js";
import { type FieldSummary, ManifestContent, type ManifestFile } from "../spec/manifest-file.js";
import type { PartitionSpec } from "../spec/partition-spec.js";
import { specById } from "../spec/table-metadata.js";
import type { PrimitiveType } from "../spec/types.js";
import { compareValues, type PrimitiveValue } from "../spec/values.js";
import { specPartitionType } from "./manifest-reader.js";
import { metadataDir } from "./metadata-io.js";
import type { Table } from "./table.js";

/** Sequence number placeholder of a manifest added by the snapshot being committed. */
export const UNASSIGNED_SEQ = -1n;

/** Partition field summaries of a set of partition tuples (spec `field_summary`). */
export function partitionSummaries(
  types: readonly PrimitiveType[],
  tuples: readonly (readonly (PrimitiveValue | null)[])[],
): FieldSummary[] {
  return types.map((type, i) => {
    let containsNull = false;
    let containsNan = false;
    let lo: PrimitiveValue | undefined;
    let hi: PrimitiveValue | undefined;
    for (const t of tuples) {
      const v = t[i] ?? null;
      if (v === null) {
        containsNull = true;
        continue;
      }
      if (typeof v === "number" && Number.isNaN(v)) {
        containsNan = true;
        continue;
      }
      if (lo === undefined || compareValues(type, v, lo) < 0) lo = v;
      if (hi === undefined || compareValues(type, v, hi) > 0) hi = v;
    }
    const floating = type.kind === "float" || type.kind === "double";
    return {
      containsNull,
      containsNan: floating ? containsNan : false,
      lowerBound: lo === undefined ? undefined : toBytes(type, lo),
      upperBound: hi === undefined ? undefined : toBytes(type, hi),
    };
  });
}

/**
 * Writes a manifest of `entries` (all of one content type, all written with `spec`) under the
 * table's metadata directory and returns its manifest-list entry. ADDED entries without
 * sequence numbers inherit the snapshot's at commit ({@link UNASSIGNED_SEQ}).
 */
export async function writeManifestFile(
  table: Table,
  entries: readonly ManifestEntry[],
  spec: PartitionSpec,
  content: "data" | "deletes",
  snapshotId: bigint,
): Promise<ManifestFile> {
  const md = table.metadata;
  const partitionType = specPartitionType(md, spec);
  const bytes = writeManifest(entries, {
    formatVersion: md.formatVersion,
    schema: table.schema(),
    spec,
    partitionType,
    content,
    snapshotId,
  });
  const location = `${table.resolve(metadataDir(md))}/${randomUUID()}-m0.avro`;
  await table.io.write(location, bytes, { ifNotExists: true });
  const count = (s: number) => entries.filter((e) => e.status === s);
  const rows = (es: readonly ManifestEntry[]) => es.reduce((n, e) => n + e.dataFile.recordCount, 0n);
  const added = count(ManifestEntryStatus.ADDED);
  const existing = count(ManifestEntryStatus.EXISTING);
  const deleted = count(ManifestEntryStatus.DELETED);
  const explicitSeqs = entries
    .filter((e) => e.status !== ManifestEntryStatus.DELETED && e.sequenceNumber !== undefined)
    .map((e) => e.sequenceNumber!);
  // Entries still to inherit get the new snapshot's sequence number, higher than any explicit one.
  const minSeq = explicitSeqs.length > 0 ? explicitSeqs.reduce((a, b) => (b < a ? b : a)) : UNASSIGNED_SEQ;
  return {
    manifestPath: location,
    manifestLength: BigInt(bytes.length),
    partitionSpecId: spec.specId,
    content: content === "data" ? ManifestContent.DATA : ManifestContent.DELETES,
    sequenceNumber: UNASSIGNED_SEQ,
    minSequenceNumber: minSeq,
    addedSnapshotId: snapshotId,
    addedFilesCount: added.length,
    existingFilesCount: existing.length,
    deletedFilesCount: deleted.length,
    addedRowsCount: rows(added),
    existingRowsCount: rows(existing),
    deletedRowsCount: rows(deleted),
    partitions: partitionSummaries(
      partitionType.fields.map((f) => f.type as PrimitiveType),
      entries.filter((e) => e.status !== ManifestEntryStatus.DELETED).map((e) => e.dataFile.partition),
    ),
  };
}

/**
 * A writer of the manifest that lists a snapshot's new files, run on the first commit attempt
 * and reused by every retry (new entries inherit sequence numbers, so the manifest stays valid).
 */
export function addedFilesManifest(
  files: readonly DataFile[],
  specId: number,
): (base: Table, snapshotId: bigint) => Promise<ManifestFile[]> {
  const write = addedFilesManifestWithEntries(files, specId);
  return async (base, snapshotId) => (await write(base, snapshotId)).manifests;
}

/** {@link addedFilesManifest} that also returns the manifest's entries (for merging). */
export function addedFilesManifestWithEntries(
  files: readonly DataFile[],
  specId: number,
): (base: Table, snapshotId: bigint) => Promise<{ manifests: ManifestFile[]; entries: ManifestEntry[] }> {
  let written: Promise<{ manifests: ManifestFile[]; entries: ManifestEntry[] }> | undefined;
  return (base, snapshotId) => {
    written ??= (async () => {
      if (files.length === 0) return { manifests: [], entries: [] };
      const entries: ManifestEntry[] = files.map((f) => ({
        status: ManifestEntryStatus.ADDED,
        snapshotId,
        dataFile: f,
      }));
      const manifest = await writeManifestFile(
        base,
        entries,
        specById(base.metadata, specId),
        "data",
        snapshotId,
      );
      return { manifests: [manifest], entries };
    })();
    return written;
  };
}
