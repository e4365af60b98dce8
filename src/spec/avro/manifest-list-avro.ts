/**
 * Manifest lists as Avro (Iceberg spec "Manifest Lists"). Reads v1-v3 by field id (v1 and
 * Spark name the counts `added_data_files_count`, v2 Java `added_files_count`); writes v1 or v2.
 */
import type { FieldSummary, ManifestContent, ManifestFile } from "../manifest-file.js";
import { readAvroContainer, writeAvroContainer } from "./avro-container.js";

type AvroRecord = Record<string, unknown>;

function idIndex(recordSchema: unknown): Map<number, string> {
  const out = new Map<number, string>();
  for (const f of (recordSchema as { fields?: { name: string; "field-id"?: number }[] }).fields ?? []) {
    if (f["field-id"] !== undefined) out.set(Number(f["field-id"]), f.name);
  }
  return out;
}

const big = (v: unknown) =>
  v === null || v === undefined ? undefined : typeof v === "bigint" ? v : BigInt(v as number);
const int = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

/**
 * Decodes a manifest list. v1 lists get sequence numbers 0 and content data.
 * @throws Error naming `source` when the file is not a valid manifest list.
 */
export function readManifestList(buf: Uint8Array, source: string): ManifestFile[] {
  const c = readAvroContainer<AvroRecord>(buf, source);
  const ids = idIndex(c.schema);
  const partitionsField = (
    (c.schema as { fields: { name: string; "field-id"?: number; type: unknown }[] }).fields ?? []
  ).find((f) => f["field-id"] === 507 || f.name === "partitions");
  const summarySchema = (() => {
    const t = partitionsField?.type;
    const arr = Array.isArray(t) ? t.find((x) => x !== "null") : t;
    return (arr as { items?: unknown })?.items;
  })();
  const sids = summarySchema ? idIndex(summarySchema) : new Map<number, string>();
  const g = (r: AvroRecord, id: number, fallback: string) => r[ids.get(id) ?? fallback];
  return c.records.map((r) => {
    const partitions = g(r, 507, "partitions") as AvroRecord[] | null | undefined;
    const summaries: FieldSummary[] | undefined = partitions?.map((s) => {
      const lb = s[sids.get(510) ?? "lower_bound"] as Buffer | null;
      const ub = s[sids.get(511) ?? "upper_bound"] as Buffer | null;
      const nan = s[sids.get(518) ?? "contains_nan"];
      return {
        containsNull: Boolean(s[sids.get(509) ?? "contains_null"]),
        containsNan: nan === null || nan === undefined ? undefined : Boolean(nan),
        lowerBound: lb ? new Uint8Array(lb) : undefined,
        upperBound: ub ? new Uint8Array(ub) : undefined,
      };
    });
    const key = g(r, 519, "key_metadata") as Buffer | null | undefined;
    return {
      manifestPath: String(g(r, 500, "manifest_path")),
      manifestLength: big(g(r, 501, "manifest_length")) ?? 0n,
      partitionSpecId: int(g(r, 502, "partition_spec_id")) ?? 0,
      content: (int(g(r, 517, "content")) ?? 0) as ManifestContent,
      sequenceNumber: big(g(r, 515, "sequence_number")) ?? 0n,
      minSequenceNumber: big(g(r, 516, "min_sequence_number")) ?? 0n,
      addedSnapshotId: big(g(r, 503, "added_snapshot_id")) ?? 0n,
      addedFilesCount: int(g(r, 504, "added_files_count")),
      existingFilesCount: int(g(r, 505, "existing_files_count")),
      deletedFilesCount: int(g(r, 506, "deleted_files_count")),
      addedRowsCount: big(g(r, 512, "added_rows_count")),
      existingRowsCount: big(g(r, 513, "existing_rows_count")),
      deletedRowsCount: big(g(r, 514, "deleted_rows_count")),
      partitions: summaries,
      keyMetadata: key ? new Uint8Array(key) : undefined,
      firstRowId: big(g(r, 520, "first_row_id")),
    };
  });
}

const SUMMARY = {
  type: "array",
  items: {
    type: "record",
    name: "r508",
    fields: [
      {
        name: "contains_null",
        type: "boolean",
        doc: "True if any file has a null partition value",
        "field-id": 509,
      },
      {
        name: "contains_nan",
        type: ["null", "boolean"],
        doc: "True if any file has a nan partition value",
        default: null,
        "field-id": 518,
      },
      {
        name: "lower_bound",
        type: ["null", "bytes"],
        doc: "Partition lower bound for all files",
        default: null,
        "field-id": 510,
      },
      {
        name: "upper_bound",
        type: ["null", "bytes"],
        doc: "Partition upper bound for all files",
        default: null,
        "field-id": 511,
      },
    ],
  },
  "element-id": 508,
};

/** The Avro schema of `manifest_file` for a format version (spec field ids and Java's names). */
export function manifestFileSchema(formatVersion: number): unknown {
  const v1 = formatVersion === 1;
  const fields: unknown[] = [
    { name: "manifest_path", type: "string", doc: "Location URI with FS scheme", "field-id": 500 },
    { name: "manifest_length", type: "long", doc: "Total file size in bytes", "field-id": 501 },
    { name: "partition_spec_id", type: "int", doc: "Spec ID used to write", "field-id": 502 },
  ];
  if (!v1) {
    fields.push(
      { name: "content", type: "int", doc: "Contents of the manifest: 0=data, 1=deletes", "field-id": 517 },
      {
        name: "sequence_number",
        type: "long",
        doc: "Sequence number when the manifest was added",
        "field-id": 515,
      },
      {
        name: "min_sequence_number",
        type: "long",
        doc: "Lowest sequence number in the manifest",
        "field-id": 516,
      },
    );
  }
  const opt = (t: string) => (v1 ? ["null", t] : t);
  fields.push(
    { name: "added_snapshot_id", type: "long", doc: "Snapshot ID that added the manifest", "field-id": 503 },
    {
      name: v1 ? "added_data_files_count" : "added_files_count",
      type: opt("int"),
      doc: "Added entry count",
      "field-id": 504,
    },
    {
      name: v1 ? "existing_data_files_count" : "existing_files_count",
      type: opt("int"),
      doc: "Existing entry count",
      "field-id": 505,
    },
    {
      name: v1 ? "deleted_data_files_count" : "deleted_files_count",
      type: opt("int"),
      doc: "Deleted entry count",
      "field-id": 506,
    },
    { name: "added_rows_count", type: opt("long"), doc: "Added rows count", "field-id": 512 },
    { name: "existing_rows_count", type: opt("long"), doc: "Existing rows count", "field-id": 513 },
    { name: "deleted_rows_count", type: opt("long"), doc: "Deleted rows count", "field-id": 514 },
    {
      name: "partitions",
      type: ["null", SUMMARY],
      doc: "Summary for each partition",
      default: null,
      "field-id": 507,
    },
    {
      name: "key_metadata",
      type: ["null", "bytes"],
      doc: "Encryption key metadata blob",
      default: null,
      "field-id": 519,
    },
  );
  return { type: "record", name: "manifest_file", fields };
}

/** Snapshot facts written into a manifest list's key-value metadata. */
export interface ManifestListWriteOptions {
  readonly formatVersion: number;
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint | undefined;
  readonly sequenceNumber: bigint;
}

/**
 * Encodes a manifest list (deflate). Manifests whose sequence numbers are unassigned must be
 * given the snapshot's sequence number by the caller before writing.
 */
export function writeManifestList(
  manifests: readonly ManifestFile[],
  opts: ManifestListWriteOptions,
): Buffer {
  const v1 = opts.formatVersion === 1;
  const records = manifests.map((m) => {
    const r: AvroRecord = {
      manifest_path: m.manifestPath,
      manifest_length: m.manifestLength,
      partition_spec_id: m.partitionSpecId,
      added_snapshot_id: m.addedSnapshotId,
      [v1 ? "added_data_files_count" : "added_files_count"]: m.addedFilesCount ?? (v1 ? null : 0),
      [v1 ? "existing_data_files_count" : "existing_files_count"]: m.existingFilesCount ?? (v1 ? null : 0),
      [v1 ? "deleted_data_files_count" : "deleted_files_count"]: m.deletedFilesCount ?? (v1 ? null : 0),
      added_rows_count: m.addedRowsCount ?? (v1 ? null : 0n),
      existing_rows_count: m.existingRowsCount ?? (v1 ? null : 0n),
      deleted_rows_count: m.deletedRowsCount ?? (v1 ? null : 0n),
      partitions:
        m.partitions?.map((s) => ({
          contains_null: s.containsNull,
          contains_nan: s.containsNan ?? null,
          lower_bound: s.lowerBound ? Buffer.from(s.lowerBound) : null,
          upper_bound: s.upperBound ? Buffer.from(s.upperBound) : null,
        })) ?? null,
      key_metadata: m.keyMetadata ? Buffer.from(m.keyMetadata) : null,
    };
    if (!v1) {
      r.content = m.content;
      r.sequence_number = m.sequenceNumber;
      r.min_sequence_number = m.minSequenceNumber;
    }
    return r;
  });
  const metadata: Record<string, string> = {
    "snapshot-id": String(opts.snapshotId),
    "parent-snapshot-id": opts.parentSnapshotId === undefined ? "null" : String(opts.parentSnapshotId),
    "format-version": String(opts.formatVersion),
  };
  if (!v1) metadata["sequence-number"] = String(opts.sequenceNumber);
  return writeAvroContainer(manifestFileSchema(opts.formatVersion), records, metadata);
}
