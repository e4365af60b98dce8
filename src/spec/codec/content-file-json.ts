/**
 * REST JSON of content files (OpenAPI `ContentFile`, `DataFile`, `PositionDeleteFile`,
 * `EqualityDeleteFile`; Iceberg Java `ContentFileParser`): partition tuples and column
 * bounds as single-value JSON of their types, count maps as parallel `keys`/`values` arrays.
 */
import { fromBytes, toJsonValue } from "../conversions.js";
import { type DataFile, DataFileContent } from "../manifest-entry.js";
import type { Schema } from "../schema.js";
import type { PrimitiveType, StructType } from "../types.js";

/** What to include of a file's column statistics: none, all, or the listed field ids. */
export type StatsSelection = "none" | "all" | ReadonlySet<number>;

const CONTENT_NAMES: Record<number, string> = {
  [DataFileContent.DATA]: "data",
  [DataFileContent.POSITION_DELETES]: "position-deletes",
  [DataFileContent.EQUALITY_DELETES]: "equality-deletes",
};

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex").toUpperCase();
}

/**
 * Encodes a data or delete file. `partitionType` is the struct of its spec's partition
 * fields; `schema` types the column bounds (bounds of columns it lacks are left out).
 */
export function contentFileToJson(
  file: DataFile,
  specId: number,
  partitionType: StructType,
  schema: Schema,
  stats: StatsSelection = "all",
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    content: CONTENT_NAMES[file.content],
    "file-path": file.filePath,
    "file-format": file.fileFormat.toLowerCase(),
    "spec-id": specId,
    partition: file.partition.map((v, i) => {
      const f = partitionType.fields[i];
      return f ? toJsonValue(f.type, v) : v;
    }),
    "file-size-in-bytes": file.fileSizeInBytes,
    "record-count": file.recordCount,
  };
  const keep = (id: number) => stats === "all" || (stats !== "none" && stats.has(id));
  const counts = (m: ReadonlyMap<number, bigint> | undefined) => {
    const entries = [...(m ?? [])].filter(([id]) => keep(id));
    return entries.length === 0
      ? undefined
      : { keys: entries.map(([k]) => k), values: entries.map(([, v]) => v) };
  };
  const bounds = (m: ReadonlyMap<number, Uint8Array> | undefined) => {
    const keys: number[] = [];
    const values: unknown[] = [];
    for (const [id, bytes] of m ?? []) {
      const field = keep(id) ? schema.findField(id) : undefined;
      if (!field || typeof field.type !== "object" || !("kind" in field.type)) continue;
      const kind = field.type.kind;
      if (kind === "struct" || kind === "list" || kind === "map" || kind === "variant") continue;
      try {
        values.push(toJsonValue(field.type, fromBytes(field.type as PrimitiveType, bytes)));
        keys.push(id);
      } catch {
        // A bound that does not decode (e.g. written by an older type) is left out.
      }
    }
    return keys.length === 0 ? undefined : { keys, values };
  };
  const put = (k: string, v: unknown) => {
    if (v !== undefined) out[k] = v;
  };
  put("column-sizes", counts(file.columnSizes));
  put("value-counts", counts(file.valueCounts));
  put("null-value-counts", counts(file.nullValueCounts));
  put("nan-value-counts", counts(file.nanValueCounts));
  put("lower-bounds", bounds(file.lowerBounds));
  put("upper-bounds", bounds(file.upperBounds));
  if (file.keyMetadata) out["key-metadata"] = hex(file.keyMetadata);
  if (file.splitOffsets) out["split-offsets"] = [...file.splitOffsets];
  if (file.sortOrderId !== undefined) out["sort-order-id"] = file.sortOrderId;
  if (file.content === DataFileContent.EQUALITY_DELETES) out["equality-ids"] = [...(file.equalityIds ?? [])];
  if (file.firstRowId !== undefined) out["first-row-id"] = file.firstRowId;
  if (file.referencedDataFile !== undefined) out["referenced-data-file"] = file.referencedDataFile;
  if (file.contentOffset !== undefined) out["content-offset"] = file.contentOffset;
  if (file.contentSizeInBytes !== undefined) out["content-size-in-bytes"] = file.contentSizeInBytes;
  return out;
}
