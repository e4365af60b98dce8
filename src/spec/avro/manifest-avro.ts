/**
 * Manifest files as Avro (Iceberg spec "Manifests", "Manifest Entry Fields", "Data File
 * Fields"). Reads v1, v2 and v3 manifests by field id (names differ between writers); writes
 * v1 or v2 manifests with the spec's field ids and Avro key-value metadata.
 */
import { partitionFieldsToJson } from "../codec/partition-spec-json.js";
import { schemaToJson } from "../codec/schema-json.js";
import {
  type DataFile,
  DataFileContent,
  type FileFormat,
  type ManifestEntry,
  type ManifestEntryStatus,
} from "../manifest-entry.js";
import type { PartitionSpec } from "../partition-spec.js";
import type { Schema } from "../schema.js";
import type { PrimitiveType, StructType } from "../types.js";
import { readAvroContainer, writeAvroContainer } from "./avro-container.js";
import {
  avroCompatibleName,
  avroPrimitiveSchema,
  fromAvroValue,
  toAvroValue,
} from "./iceberg-avro-schema.js";

/** Everything read from one manifest file. */
export interface ManifestContents {
  readonly entries: ManifestEntry[];
  /** Avro key-value metadata (`schema`, `partition-spec`, `partition-spec-id`, `format-version`, `content`). */
  readonly metadata: Readonly<Record<string, string>>;
}

type AvroRecord = Record<string, unknown>;

/** Map of field id -> field name for one Avro record schema. */
function idIndex(recordSchema: unknown): Map<number, string> {
  const out = new Map<number, string>();
  const fields = (recordSchema as { fields?: { name: string; "field-id"?: number }[] }).fields ?? [];
  for (const f of fields) if (f["field-id"] !== undefined) out.set(Number(f["field-id"]), f.name);
  return out;
}

function recordSchemaOf(fieldType: unknown): unknown {
  if (Array.isArray(fieldType)) return fieldType.find((t) => t !== "null");
  return fieldType;
}

function fieldSchema(recordSchema: unknown, name: string): unknown {
  const fields = (recordSchema as { fields: { name: string; type: unknown }[] }).fields;
  return recordSchemaOf(fields.find((f) => f.name === name)?.type);
}

function readMap<V>(v: unknown, conv: (x: unknown) => V): Map<number, V> | undefined {
  if (v === null || v === undefined) return undefined;
  const out = new Map<number, V>();
  if (Array.isArray(v))
    for (const kv of v as { key: number; value: unknown }[]) out.set(Number(kv.key), conv(kv.value));
  else for (const [k, x] of Object.entries(v as Record<string, unknown>)) out.set(Number(k), conv(x));
  return out;
}

const toBig = (x: unknown) => (typeof x === "bigint" ? x : BigInt(x as number));
const toBytes = (x: unknown) => new Uint8Array(x as Buffer);

/**
 * Decodes a manifest file. Partition tuples are converted to `partitionType` (the partition
 * struct of the manifest's spec under the current schema), matched by field id, else by position.
 * @param source names the file in errors.
 * @throws Error naming `source` when the file is not a valid manifest.
 */
export function readManifest(buf: Uint8Array, partitionType: StructType, source: string): ManifestContents {
  const container = readAvroContainer<AvroRecord>(buf, source);
  const top = idIndex(container.schema);
  const dataFileName = top.get(2) ?? "data_file";
  const dfSchema = fieldSchema(container.schema, dataFileName);
  const df = idIndex(dfSchema);
  const partitionName = df.get(102) ?? "partition";
  const partSchema = fieldSchema(dfSchema, partitionName);
  const partIds = idIndex(partSchema);
  const partNames = ((partSchema as { fields?: { name: string }[] })?.fields ?? []).map((f) => f.name);
  const name = (id: number, fallback: string) => df.get(id) ?? fallback;
  const entries: ManifestEntry[] = container.records.map((r, i) => {
    const d = r[dataFileName] as AvroRecord | undefined;
    if (!d) throw new Error(`${source}: entry ${i} has no data_file`);
    const p = (d[partitionName] ?? {}) as AvroRecord;
    const partition = partitionType.fields.map((f, j) => {
      const avroName = partIds.get(f.id) ?? partNames[j];
      return avroName === undefined ? null : fromAvroValue(f.type as PrimitiveType, p[avroName]);
    });
    const opt = <T>(id: number, fallback: string, conv: (x: unknown) => T): T | undefined => {
      const v = d[name(id, fallback)];
      return v === null || v === undefined ? undefined : conv(v);
    };
    const dataFile: DataFile = {
      content: (opt(134, "content", Number) ?? DataFileContent.DATA) as DataFileContent,
      filePath: String(d[name(100, "file_path")]),
      fileFormat: String(d[name(101, "file_format")]).toUpperCase() as FileFormat,
      partition,
      recordCount: toBig(d[name(103, "record_count")]),
      fileSizeInBytes: toBig(d[name(104, "file_size_in_bytes")]),
      columnSizes: readMap(d[name(108, "column_sizes")], toBig),
      valueCounts: readMap(d[name(109, "value_counts")], toBig),
      nullValueCounts: readMap(d[name(110, "null_value_counts")], toBig),
      nanValueCounts: readMap(d[name(137, "nan_value_counts")], toBig),
      lowerBounds: readMap(d[name(125, "lower_bounds")], toBytes),
      upperBounds: readMap(d[name(128, "upper_bounds")], toBytes),
      keyMetadata: opt(131, "key_metadata", toBytes),
      splitOffsets: opt(132, "split_offsets", (x) => (x as unknown[]).map(toBig)),
      equalityIds: opt(135, "equality_ids", (x) => (x as unknown[]).map(Number)),
      sortOrderId: opt(140, "sort_order_id", Number),
      firstRowId: opt(142, "first_row_id", toBig),
      referencedDataFile: opt(143, "referenced_data_file", String),
      contentOffset: opt(144, "content_offset", toBig),
      contentSizeInBytes: opt(145, "content_size_in_bytes", toBig),
    };
    const get = (id: number, fallback: string) => r[top.get(id) ?? fallback];
    const optLong = (v: unknown) => (v === null || v === undefined ? undefined : toBig(v));
    return {
      status: Number(get(0, "status")) as ManifestEntryStatus,
      snapshotId: optLong(get(1, "snapshot_id")),
      sequenceNumber: optLong(get(3, "sequence_number")),
      fileSequenceNumber: optLong(get(4, "file_sequence_number")),
      dataFile,
    };
  });
  return { entries, metadata: container.metadata };
}

const mapSchema = (
  fieldId: number,
  name: string,
  keyId: number,
  valueId: number,
  valueType: string,
  doc: string,
) => ({
  name,
  type: [
    "null",
    {
      type: "array",
      items: {
        type: "record",
        name: `k${keyId}_v${valueId}`,
        fields: [
          { name: "key", type: "int", "field-id": keyId },
          { name: "value", type: valueType, "field-id": valueId },
        ],
      },
      logicalType: "map",
    },
  ],
  doc,
  default: null,
  "field-id": fieldId,
});

/** The Avro schema of `manifest_entry` for a format version and partition struct (spec field ids). */
export function manifestEntrySchema(formatVersion: number, partitionType: StructType): unknown {
  const partition = {
    type: "record",
    name: "r102",
    fields: partitionType.fields.map((f) => ({
      name: avroCompatibleName(f.name),
      type: ["null", avroPrimitiveSchema(f.type as PrimitiveType, String(f.id))],
      default: null,
      "field-id": f.id,
    })),
  };
  const v1 = formatVersion === 1;
  const dataFileFields: unknown[] = [];
  if (!v1)
    dataFileFields.push({
      name: "content",
      type: "int",
      doc: "Contents of the file: 0=data, 1=position deletes, 2=equality deletes",
      "field-id": 134,
    });
  dataFileFields.push(
    { name: "file_path", type: "string", doc: "Location URI with FS scheme", "field-id": 100 },
    { name: "file_format", type: "string", doc: "File format name: avro, orc, or parquet", "field-id": 101 },
    {
      name: "partition",
      type: partition,
      doc: "Partition data tuple, schema based on the partition spec",
      "field-id": 102,
    },
    { name: "record_count", type: "long", doc: "Number of records in the file", "field-id": 103 },
    { name: "file_size_in_bytes", type: "long", doc: "Total file size in bytes", "field-id": 104 },
  );
  if (v1) dataFileFields.push({ name: "block_size_in_bytes", type: "long", "field-id": 105 });
  dataFileFields.push(
    mapSchema(108, "column_sizes", 117, 118, "long", "Map of column id to total size on disk"),
    mapSchema(
      109,
      "value_counts",
      119,
      120,
      "long",
      "Map of column id to total count, including null and NaN",
    ),
    mapSchema(110, "null_value_counts", 121, 122, "long", "Map of column id to null value count"),
    mapSchema(
      137,
      "nan_value_counts",
      138,
      139,
      "long",
      "Map of column id to number of NaN values in the column",
    ),
    mapSchema(125, "lower_bounds", 126, 127, "bytes", "Map of column id to lower bound"),
    mapSchema(128, "upper_bounds", 129, 130, "bytes", "Map of column id to upper bound"),
    {
      name: "key_metadata",
      type: ["null", "bytes"],
      doc: "Encryption key metadata blob",
      default: null,
      "field-id": 131,
    },
    {
      name: "split_offsets",
      type: ["null", { type: "array", items: "long", "element-id": 133 }],
      doc: "Splittable offsets",
      default: null,
      "field-id": 132,
    },
  );
  if (!v1) {
    dataFileFields.push({
      name: "equality_ids",
      type: ["null", { type: "array", items: "int", "element-id": 136 }],
      doc: "Equality comparison field IDs",
      default: null,
      "field-id": 135,
    });
  }
  dataFileFields.push({
    name: "sort_order_id",
    type: ["null", "int"],
    doc: "Sort order ID",
    default: null,
    "field-id": 140,
  });
  if (!v1) {
    dataFileFields.push({
      name: "referenced_data_file",
      type: ["null", "string"],
      doc: "Fully qualified location (URI with FS scheme) of a data file that all deletes reference",
      default: null,
      "field-id": 143,
    });
  }
  const entryFields: unknown[] = [{ name: "status", type: "int", "field-id": 0 }];
  if (v1) entryFields.push({ name: "snapshot_id", type: "long", "field-id": 1 });
  else {
    entryFields.push(
      { name: "snapshot_id", type: ["null", "long"], default: null, "field-id": 1 },
      { name: "sequence_number", type: ["null", "long"], default: null, "field-id": 3 },
      { name: "file_sequence_number", type: ["null", "long"], default: null, "field-id": 4 },
    );
  }
  entryFields.push({
    name: "data_file",
    type: { type: "record", name: "r2", fields: dataFileFields },
    "field-id": 2,
  });
  return { type: "record", name: "manifest_entry", fields: entryFields };
}

const mapOut = <V>(m: ReadonlyMap<number, V> | undefined, conv: (v: V) => unknown) =>
  m === undefined ? null : [...m].map(([key, value]) => ({ key, value: conv(value) }));

/** What {@link writeManifest} needs. */
export interface ManifestWriteOptions {
  readonly formatVersion: number;
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly partitionType: StructType;
  readonly content: "data" | "deletes";
  /** Snapshot id written into v1 entries (v1 has no inheritance). */
  readonly snapshotId: bigint;
}

/**
 * Encodes manifest entries as an Avro manifest file (deflate), with the spec's key-value
 * metadata. Entries with `undefined` snapshot id or sequence numbers are written as null so
 * that readers inherit them (v2).
 */
export function writeManifest(entries: readonly ManifestEntry[], opts: ManifestWriteOptions): Buffer {
  const v1 = opts.formatVersion === 1;
  const records = entries.map((e) => {
    const d = e.dataFile;
    const dataFile: AvroRecord = {
      file_path: d.filePath,
      file_format: d.fileFormat,
      partition: Object.fromEntries(
        opts.partitionType.fields.map((f, i) => [
          avroCompatibleName(f.name),
          toAvroValue(f.type as PrimitiveType, d.partition[i] ?? null),
        ]),
      ),
      record_count: d.recordCount,
      file_size_in_bytes: d.fileSizeInBytes,
      column_sizes: mapOut(d.columnSizes, (v) => v),
      value_counts: mapOut(d.valueCounts, (v) => v),
      null_value_counts: mapOut(d.nullValueCounts, (v) => v),
      nan_value_counts: mapOut(d.nanValueCounts, (v) => v),
      lower_bounds: mapOut(d.lowerBounds, (v) => Buffer.from(v)),
      upper_bounds: mapOut(d.upperBounds, (v) => Buffer.from(v)),
      key_metadata: d.keyMetadata ? Buffer.from(d.keyMetadata) : null,
      split_offsets: d.splitOffsets ? [...d.splitOffsets] : null,
      sort_order_id: d.sortOrderId ?? null,
    };
    if (v1) dataFile.block_size_in_bytes = 67108864n;
    else {
      dataFile.content = d.content;
      dataFile.equality_ids = d.equalityIds ? [...d.equalityIds] : null;
      dataFile.referenced_data_file = d.referencedDataFile ?? null;
    }
    const rec: AvroRecord = { status: e.status, data_file: dataFile };
    if (v1) rec.snapshot_id = e.snapshotId ?? opts.snapshotId;
    else {
      rec.snapshot_id = e.snapshotId ?? null;
      rec.sequence_number = e.sequenceNumber ?? null;
      rec.file_sequence_number = e.fileSequenceNumber ?? null;
    }
    return rec;
  });
  const metadata: Record<string, string> = {
    schema: JSON.stringify(schemaToJson(opts.schema)),
    "schema-id": String(opts.schema.schemaId),
    "partition-spec": JSON.stringify(partitionFieldsToJson(opts.spec.fields)),
    "partition-spec-id": String(opts.spec.specId),
    "format-version": String(opts.formatVersion),
  };
  if (!v1) metadata.content = opts.content;
  return writeAvroContainer(manifestEntrySchema(opts.formatVersion, opts.partitionType), records, metadata);
}
