/**
 * JSON codec of partition specs and sort orders (Iceberg spec Appendix C "Partition Specs",
 * "Sort Orders").
 */
import { PARTITION_DATA_ID_START, type PartitionField, type PartitionSpec } from "../partition-spec.js";
import type { SortField, SortOrder } from "../sort-order.js";
import { parseTransform, transformToString } from "../transform.js";
import { asArray, asInt, asObject, JsonShapeError, optInt, reqString } from "./json-fields.js";

/**
 * Decodes partition fields. v1 fields may lack `field-id`: they get 1000, 1001, ... in order,
 * as the reference implementation assigned them.
 */
export function partitionFieldsFromJson(json: unknown, path: string): PartitionField[] {
  return asArray(json, path).map((x, i) => {
    const p = `${path}[${i}]`;
    const o = asObject(x, p);
    const sourceIds =
      o["source-ids"] === undefined ? undefined : asArray(o["source-ids"], `${p}.source-ids`).map(Number);
    const sourceId = optInt(o, "source-id", p) ?? sourceIds?.[0];
    if (sourceId === undefined) throw new JsonShapeError(`${p}.source-id`, "required field is missing");
    return {
      sourceId,
      sourceIds,
      fieldId: optInt(o, "field-id", p) ?? PARTITION_DATA_ID_START + i,
      name: reqString(o, "name", p),
      transform: parseTransform(reqString(o, "transform", p)),
    };
  });
}

/**
 * Decodes a full partition spec object. `spec-id` is read-only in REST requests and may be
 * absent there: it then defaults to `defaultId` (0).
 */
export function partitionSpecFromJson(json: unknown, path: string, defaultId = 0): PartitionSpec {
  const o = asObject(json, path);
  return {
    specId: optInt(o, "spec-id", path) ?? defaultId,
    fields: partitionFieldsFromJson(o.fields, `${path}.fields`),
  };
}

/** Encodes partition fields (the list form used in manifests and v1 metadata). */
export function partitionFieldsToJson(fields: readonly PartitionField[]): unknown[] {
  return fields.map((f) => {
    const out: Record<string, unknown> = {};
    if (f.sourceIds && f.sourceIds.length > 1) out["source-ids"] = [...f.sourceIds];
    else out["source-id"] = f.sourceId;
    out["field-id"] = f.fieldId;
    out.name = f.name;
    out.transform = transformToString(f.transform);
    return out;
  });
}

/** Encodes a full partition spec object. */
export function partitionSpecToJson(spec: PartitionSpec): Record<string, unknown> {
  return { "spec-id": spec.specId, fields: partitionFieldsToJson(spec.fields) };
}

/** Decodes a sort order object. */
export function sortOrderFromJson(json: unknown, path: string): SortOrder {
  const o = asObject(json, path);
  const fields: SortField[] = asArray(o.fields, `${path}.fields`).map((x, i) => {
    const p = `${path}.fields[${i}]`;
    const f = asObject(x, p);
    const direction = reqString(f, "direction", p).toLowerCase();
    const nullOrder = reqString(f, "null-order", p).toLowerCase();
    if (direction !== "asc" && direction !== "desc")
      throw new JsonShapeError(`${p}.direction`, `must be asc or desc`);
    if (nullOrder !== "nulls-first" && nullOrder !== "nulls-last")
      throw new JsonShapeError(`${p}.null-order`, `must be nulls-first or nulls-last`);
    const sourceId =
      optInt(f, "source-id", p) ??
      (f["source-ids"]
        ? asInt(asArray(f["source-ids"], `${p}.source-ids`)[0], `${p}.source-ids[0]`)
        : undefined);
    if (sourceId === undefined) throw new JsonShapeError(`${p}.source-id`, "required field is missing");
    return { sourceId, transform: parseTransform(reqString(f, "transform", p)), direction, nullOrder };
  });
  // `order-id` is read-only in REST requests: absent means 0 when unsorted, else 1.
  return { orderId: optInt(o, "order-id", path) ?? (fields.length === 0 ? 0 : 1), fields };
}

/** Encodes a sort order object. */
export function sortOrderToJson(order: SortOrder): Record<string, unknown> {
  return {
    "order-id": order.orderId,
    fields: order.fields.map((f) => ({
      transform: transformToString(f.transform),
      "source-id": f.sourceId,
      direction: f.direction,
      "null-order": f.nullOrder,
    })),
  };
}
