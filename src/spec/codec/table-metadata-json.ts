/**
 * JSON codec of table metadata and snapshots (Iceberg spec "Table Metadata Fields",
 * Appendix C "Table Metadata and Snapshots"). Reads format v1, v2 and v3; v1's deprecated
 * `schema` and `partition-spec` fields are upgraded to the list forms on read and written
 * back for v1 tables.
 */
import { randomUUID } from "node:crypto";
import { cachedRawJson, parseJson, type RawJson, stringifyJson } from "../json.js";
import { lastAssignedFieldId, type PartitionSpec } from "../partition-spec.js";
import type { Schema } from "../schema.js";
import {
  MAIN_BRANCH,
  type MetadataLogEntry,
  type Snapshot,
  type SnapshotLogEntry,
  type SnapshotRef,
  type SnapshotSummary,
} from "../snapshot.js";
import { UNSORTED_ORDER } from "../sort-order.js";
import {
  type FormatVersion,
  MAX_FORMAT_VERSION,
  type PartitionStatisticsFile,
  type StatisticsFile,
  type TableMetadata,
} from "../table-metadata.js";
import {
  asArray,
  asObject,
  JsonShapeError,
  optInt,
  optLong,
  optString,
  reqInt,
  reqLong,
  reqString,
  stringMap,
} from "./json-fields.js";
import {
  partitionFieldsFromJson,
  partitionFieldsToJson,
  partitionSpecFromJson,
  partitionSpecToJson,
  sortOrderFromJson,
  sortOrderToJson,
} from "./partition-spec-json.js";
import { schemaFromJson, schemaToJson } from "./schema-json.js";

/**
 * Parses table metadata from JSON text or an already-parsed object.
 * @throws JsonShapeError naming the field at fault; Error for an unsupported format version.
 */
export function parseTableMetadata(input: string | unknown): TableMetadata {
  const json = typeof input === "string" ? parseJson(input) : input;
  const o = asObject(json, "metadata");
  const p = "metadata";
  const formatVersion = reqInt(o, "format-version", p);
  if (formatVersion < 1 || formatVersion > MAX_FORMAT_VERSION) {
    throw new Error(
      `unsupported table format version ${formatVersion} (this build reads 1..${MAX_FORMAT_VERSION})`,
    );
  }
  if (formatVersion >= 2) {
    // v2+ metadata must use the list forms (spec "Table Metadata Fields"); Java rejects them missing too.
    for (const key of ["table-uuid", "last-sequence-number", "schemas", "current-schema-id"]) {
      if (o[key] === undefined || o[key] === null)
        throw new JsonShapeError(`${p}.${key}`, `required in format v${formatVersion} but missing`);
    }
  }
  const schemas: Schema[] =
    o.schemas !== undefined
      ? asArray(o.schemas, `${p}.schemas`).map((s, i) => schemaFromJson(s, `${p}.schemas[${i}]`))
      : [schemaFromJson(o.schema, `${p}.schema`)];
  const currentSchemaId = optInt(o, "current-schema-id", p) ?? schemas[0]!.schemaId;
  if (!schemas.some((s) => s.schemaId === currentSchemaId)) {
    throw new JsonShapeError(`${p}.current-schema-id`, `no schema with id ${currentSchemaId}`);
  }
  if (formatVersion >= 2) {
    for (const key of [
      "partition-specs",
      "default-spec-id",
      "last-partition-id",
      "sort-orders",
      "default-sort-order-id",
    ]) {
      if (o[key] === undefined || o[key] === null)
        throw new JsonShapeError(`${p}.${key}`, `required in format v${formatVersion} but missing`);
    }
  }
  const partitionSpecs: PartitionSpec[] =
    o["partition-specs"] !== undefined
      ? asArray(o["partition-specs"], `${p}.partition-specs`).map((s, i) =>
          partitionSpecFromJson(s, `${p}.partition-specs[${i}]`),
        )
      : [{ specId: 0, fields: partitionFieldsFromJson(o["partition-spec"] ?? [], `${p}.partition-spec`) }];
  const defaultSpecId = optInt(o, "default-spec-id", p) ?? partitionSpecs[0]!.specId;
  const lastPartitionId =
    optInt(o, "last-partition-id", p) ??
    partitionSpecs.reduce((m, s) => Math.max(m, lastAssignedFieldId(s)), 999);
  const sortOrders =
    o["sort-orders"] !== undefined
      ? asArray(o["sort-orders"], `${p}.sort-orders`).map((s, i) =>
          sortOrderFromJson(s, `${p}.sort-orders[${i}]`),
        )
      : [UNSORTED_ORDER];
  let currentSnapshotId = optLong(o, "current-snapshot-id", p) ?? null;
  if (currentSnapshotId === -1n) currentSnapshotId = null;
  const snapshots = asArray(o.snapshots ?? [], `${p}.snapshots`).map((s, i) =>
    snapshotFromJson(s, `${p}.snapshots[${i}]`),
  );
  const refs: Record<string, SnapshotRef> = {};
  if (o.refs !== undefined && o.refs !== null) {
    for (const [name, r] of Object.entries(asObject(o.refs, `${p}.refs`)))
      refs[name] = refFromJson(r, `${p}.refs.${name}`);
  }
  if (!refs[MAIN_BRANCH] && currentSnapshotId !== null)
    refs[MAIN_BRANCH] = { snapshotId: currentSnapshotId, type: "branch" };
  const snapshotLog: SnapshotLogEntry[] = asArray(o["snapshot-log"] ?? [], `${p}.snapshot-log`).map(
    (e, i) => {
      const q = `${p}.snapshot-log[${i}]`;
      const x = asObject(e, q);
      return { snapshotId: reqLong(x, "snapshot-id", q), timestampMs: Number(reqLong(x, "timestamp-ms", q)) };
    },
  );
  const metadataLog: MetadataLogEntry[] = asArray(o["metadata-log"] ?? [], `${p}.metadata-log`).map(
    (e, i) => {
      const q = `${p}.metadata-log[${i}]`;
      const x = asObject(e, q);
      return {
        metadataFile: reqString(x, "metadata-file", q),
        timestampMs: Number(reqLong(x, "timestamp-ms", q)),
      };
    },
  );
  const statistics: StatisticsFile[] = asArray(o.statistics ?? [], `${p}.statistics`).map((e, i) => {
    const q = `${p}.statistics[${i}]`;
    const x = asObject(e, q);
    return {
      snapshotId: reqLong(x, "snapshot-id", q),
      statisticsPath: reqString(x, "statistics-path", q),
      fileSizeInBytes: reqLong(x, "file-size-in-bytes", q),
      fileFooterSizeInBytes: reqLong(x, "file-footer-size-in-bytes", q),
      keyMetadata: optString(x, "key-metadata", q),
      blobMetadata: asArray(x["blob-metadata"] ?? [], `${q}.blob-metadata`),
    };
  });
  const partitionStatistics: PartitionStatisticsFile[] = asArray(
    o["partition-statistics"] ?? [],
    `${p}.partition-statistics`,
  ).map((e, i) => {
    const q = `${p}.partition-statistics[${i}]`;
    const x = asObject(e, q);
    return {
      snapshotId: reqLong(x, "snapshot-id", q),
      statisticsPath: reqString(x, "statistics-path", q),
      fileSizeInBytes: reqLong(x, "file-size-in-bytes", q),
    };
  });
  const md: TableMetadata = {
    formatVersion: formatVersion as FormatVersion,
    tableUuid: optString(o, "table-uuid", p) ?? randomUUID(),
    location: reqString(o, "location", p),
    lastSequenceNumber: optLong(o, "last-sequence-number", p) ?? 0n,
    lastUpdatedMs: Number(reqLong(o, "last-updated-ms", p)),
    lastColumnId: reqInt(o, "last-column-id", p),
    schemas,
    currentSchemaId,
    partitionSpecs,
    defaultSpecId,
    lastPartitionId,
    properties: stringMap(o, "properties", p),
    currentSnapshotId,
    snapshots,
    snapshotLog,
    metadataLog,
    sortOrders,
    defaultSortOrderId: optInt(o, "default-sort-order-id", p) ?? 0,
    refs,
    statistics,
    partitionStatistics,
    nextRowId: optLong(o, "next-row-id", p),
    encryptionKeys:
      o["encryption-keys"] === undefined ? undefined : asArray(o["encryption-keys"], `${p}.encryption-keys`),
  };
  if (!md.partitionSpecs.some((s) => s.specId === md.defaultSpecId)) {
    throw new JsonShapeError(`${p}.default-spec-id`, `no partition spec with id ${md.defaultSpecId}`);
  }
  return md;
}

/** Decodes one snapshot object. */
export function snapshotFromJson(json: unknown, path: string): Snapshot {
  const o = asObject(json, path);
  const summaryMap = stringMap(o, "summary", path);
  const summary = { operation: "append", ...summaryMap } as SnapshotSummary;
  return {
    snapshotId: reqLong(o, "snapshot-id", path),
    parentSnapshotId: optLong(o, "parent-snapshot-id", path),
    sequenceNumber: optLong(o, "sequence-number", path) ?? 0n,
    timestampMs: Number(reqLong(o, "timestamp-ms", path)),
    manifestList: optString(o, "manifest-list", path),
    manifests: o.manifests === undefined ? undefined : asArray(o.manifests, `${path}.manifests`).map(String),
    summary,
    schemaId: optInt(o, "schema-id", path),
    firstRowId: optLong(o, "first-row-id", path),
    addedRows: optLong(o, "added-rows", path),
  };
}

/** Decodes one snapshot reference object. */
export function refFromJson(json: unknown, path: string): SnapshotRef {
  const o = asObject(json, path);
  const type = reqString(o, "type", path).toLowerCase();
  if (type !== "branch" && type !== "tag")
    throw new JsonShapeError(`${path}.type`, `must be branch or tag, got ${type}`);
  const ms = (k: string) => {
    const v = optLong(o, k, path);
    return v === undefined ? undefined : Number(v);
  };
  return {
    snapshotId: reqLong(o, "snapshot-id", path),
    type,
    minSnapshotsToKeep: optInt(o, "min-snapshots-to-keep", path),
    maxSnapshotAgeMs: ms("max-snapshot-age-ms"),
    maxRefAgeMs: ms("max-ref-age-ms"),
  };
}

/** Encodes a snapshot object (format-version aware: v1 omits `sequence-number`). */
export function snapshotToJson(s: Snapshot, formatVersion: number): Record<string, unknown> {
  const out: Record<string, unknown> = { "snapshot-id": s.snapshotId };
  if (s.parentSnapshotId !== undefined) out["parent-snapshot-id"] = s.parentSnapshotId;
  if (formatVersion >= 2) out["sequence-number"] = s.sequenceNumber;
  out["timestamp-ms"] = s.timestampMs;
  out.summary = { ...s.summary };
  if (s.manifestList !== undefined) out["manifest-list"] = s.manifestList;
  if (s.manifests !== undefined) out.manifests = [...s.manifests];
  if (s.schemaId !== undefined) out["schema-id"] = s.schemaId;
  if (s.firstRowId !== undefined) out["first-row-id"] = s.firstRowId;
  if (s.addedRows !== undefined) out["added-rows"] = s.addedRows;
  return out;
}

/** Encodes a snapshot reference object. */
export function refToJson(r: SnapshotRef): Record<string, unknown> {
  const out: Record<string, unknown> = { "snapshot-id": r.snapshotId, type: r.type };
  if (r.minSnapshotsToKeep !== undefined) out["min-snapshots-to-keep"] = r.minSnapshotsToKeep;
  if (r.maxSnapshotAgeMs !== undefined) out["max-snapshot-age-ms"] = r.maxSnapshotAgeMs;
  if (r.maxRefAgeMs !== undefined) out["max-ref-age-ms"] = r.maxRefAgeMs;
  return out;
}

/**
 * Encodes table metadata as a value for {@link stringifyJson} (bigints stay bigints).
 * Snapshots and snapshot-log entries are cached {@link RawJson} texts: both are immutable and
 * shared between versions of the metadata, and on long-lived tables they are nearly all of it,
 * so writing version N+1 costs a concatenation for the N snapshots it shares with version N.
 */
export function tableMetadataToJson(md: TableMetadata): Record<string, unknown> {
  const encoding = md.formatVersion >= 2 ? "snapshot-v2" : "snapshot-v1";
  return metadataToJson(
    md,
    (s, v) => cachedRawJson(s, encoding, (x) => snapshotToJson(x, v)),
    (e) =>
      cachedRawJson(e, "snapshot-log", (x) => ({
        "timestamp-ms": x.timestampMs,
        "snapshot-id": x.snapshotId,
      })),
  );
}

function metadataToJson(
  md: TableMetadata,
  snapshot: (s: Snapshot, formatVersion: number) => unknown,
  snapshotLogEntry: (e: SnapshotLogEntry) => unknown,
): Record<string, unknown> {
  const v = md.formatVersion;
  const out: Record<string, unknown> = {
    "format-version": v,
    "table-uuid": md.tableUuid,
    location: md.location,
  };
  if (v >= 2) out["last-sequence-number"] = md.lastSequenceNumber;
  out["last-updated-ms"] = md.lastUpdatedMs;
  out["last-column-id"] = md.lastColumnId;
  const current = md.schemas.find((s) => s.schemaId === md.currentSchemaId)!;
  if (v === 1) out.schema = schemaToJson(current);
  out["current-schema-id"] = md.currentSchemaId;
  out.schemas = md.schemas.map(schemaToJson);
  if (v === 1)
    out["partition-spec"] = partitionFieldsToJson(
      md.partitionSpecs.find((s) => s.specId === md.defaultSpecId)!.fields,
    );
  out["default-spec-id"] = md.defaultSpecId;
  out["partition-specs"] = md.partitionSpecs.map(partitionSpecToJson);
  out["last-partition-id"] = md.lastPartitionId;
  out["default-sort-order-id"] = md.defaultSortOrderId;
  out["sort-orders"] = md.sortOrders.map(sortOrderToJson);
  out.properties = { ...md.properties };
  if (md.currentSnapshotId !== null) out["current-snapshot-id"] = md.currentSnapshotId;
  else if (v < 3) out["current-snapshot-id"] = -1;
  out.refs = Object.fromEntries(Object.entries(md.refs).map(([k, r]) => [k, refToJson(r)]));
  out.snapshots = md.snapshots.map((s) => snapshot(s, v));
  out.statistics = md.statistics.map((s) => {
    const x: Record<string, unknown> = {
      "snapshot-id": s.snapshotId,
      "statistics-path": s.statisticsPath,
      "file-size-in-bytes": s.fileSizeInBytes,
      "file-footer-size-in-bytes": s.fileFooterSizeInBytes,
      "blob-metadata": s.blobMetadata,
    };
    if (s.keyMetadata !== undefined) x["key-metadata"] = s.keyMetadata;
    return x;
  });
  out["partition-statistics"] = md.partitionStatistics.map((s) => ({
    "snapshot-id": s.snapshotId,
    "statistics-path": s.statisticsPath,
    "file-size-in-bytes": s.fileSizeInBytes,
  }));
  out["snapshot-log"] = md.snapshotLog.map(snapshotLogEntry);
  out["metadata-log"] = md.metadataLog.map((e) => ({
    "timestamp-ms": e.timestampMs,
    "metadata-file": e.metadataFile,
  }));
  if (md.nextRowId !== undefined) out["next-row-id"] = md.nextRowId;
  if (md.encryptionKeys !== undefined) out["encryption-keys"] = md.encryptionKeys;
  return out;
}

/** Serializes table metadata to compact JSON text. */
export function serializeTableMetadata(md: TableMetadata): string {
  // Compact: metadata of long-lived tables runs to megabytes and is read on every commit.
  return stringifyJson(tableMetadataToJson(md));
}
