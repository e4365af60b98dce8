/**
 * JSON codec of table updates and requirements (Iceberg REST spec `TableUpdate`,
 * `TableRequirement`, `CommitTableRequest`): kebab-case wire form <-> the domain objects of
 * `table-update.ts`. Unknown actions and requirement types are rejected naming the field.
 */
import type { TableRequirement, TableUpdate } from "../table-update.js";
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
  partitionSpecFromJson,
  partitionSpecToJson,
  sortOrderFromJson,
  sortOrderToJson,
} from "./partition-spec-json.js";
import { schemaFromJson, schemaToJson } from "./schema-json.js";
import { refFromJson, refToJson, snapshotFromJson, snapshotToJson } from "./table-metadata-json.js";

function statisticsFromJson(json: unknown, path: string) {
  const x = asObject(json, path);
  return {
    snapshotId: reqLong(x, "snapshot-id", path),
    statisticsPath: reqString(x, "statistics-path", path),
    fileSizeInBytes: reqLong(x, "file-size-in-bytes", path),
    fileFooterSizeInBytes: reqLong(x, "file-footer-size-in-bytes", path),
    keyMetadata: optString(x, "key-metadata", path),
    blobMetadata: asArray(x["blob-metadata"] ?? [], `${path}.blob-metadata`),
  };
}

/**
 * Decodes one table update.
 * @throws JsonShapeError naming the path, e.g. `updates[2].action: unknown table update "x"`.
 */
export function tableUpdateFromJson(json: unknown, path: string): TableUpdate {
  const o = asObject(json, path);
  const action = reqString(o, "action", path);
  switch (action) {
    case "assign-uuid":
      return { action, uuid: reqString(o, "uuid", path) };
    case "upgrade-format-version":
      return { action, formatVersion: reqInt(o, "format-version", path) };
    case "add-schema":
      return {
        action,
        schema: schemaFromJson(o.schema, `${path}.schema`),
        lastColumnId: optInt(o, "last-column-id", path),
      };
    case "set-current-schema":
      return { action, schemaId: reqInt(o, "schema-id", path) };
    case "add-spec":
      return {
        action,
        spec: partitionSpecFromJson({ "spec-id": 0, ...asObject(o.spec, `${path}.spec`) }, `${path}.spec`),
      };
    case "set-default-spec":
      return { action, specId: reqInt(o, "spec-id", path) };
    case "add-sort-order":
      return { action, sortOrder: sortOrderFromJson(o["sort-order"], `${path}.sort-order`) };
    case "set-default-sort-order":
      return { action, sortOrderId: reqInt(o, "sort-order-id", path) };
    case "add-snapshot":
      return { action, snapshot: snapshotFromJson(o.snapshot, `${path}.snapshot`) };
    case "set-snapshot-ref":
      return { action, refName: reqString(o, "ref-name", path), ...refFromJson(o, path) };
    case "remove-snapshots":
      return {
        action,
        snapshotIds: asArray(o["snapshot-ids"], `${path}.snapshot-ids`).map((x, i) =>
          reqLong({ v: x }, "v", `${path}.snapshot-ids[${i}]`),
        ),
      };
    case "remove-snapshot-ref":
      return { action, refName: reqString(o, "ref-name", path) };
    case "set-location":
      return { action, location: reqString(o, "location", path) };
    case "set-properties":
      return { action, updates: stringMap(o, "updates", path) };
    case "remove-properties":
      return {
        action,
        removals: asArray(o.removals, `${path}.removals`).map((x, i) =>
          reqString({ v: x }, "v", `${path}.removals[${i}]`),
        ),
      };
    case "set-statistics":
      return { action, statistics: statisticsFromJson(o.statistics, `${path}.statistics`) };
    case "remove-statistics":
      return { action, snapshotId: reqLong(o, "snapshot-id", path) };
    case "set-partition-statistics": {
      const q = `${path}.partition-statistics`;
      const x = asObject(o["partition-statistics"], q);
      return {
        action,
        partitionStatistics: {
          snapshotId: reqLong(x, "snapshot-id", q),
          statisticsPath: reqString(x, "statistics-path", q),
          fileSizeInBytes: reqLong(x, "file-size-in-bytes", q),
        },
      };
    }
    case "remove-partition-statistics":
      return { action, snapshotId: reqLong(o, "snapshot-id", path) };
    case "remove-partition-specs":
      return {
        action,
        specIds: asArray(o["spec-ids"], `${path}.spec-ids`).map((x, i) =>
          reqInt({ v: x }, "v", `${path}.spec-ids[${i}]`),
        ),
      };
    case "remove-schemas":
      return {
        action,
        schemaIds: asArray(o["schema-ids"], `${path}.schema-ids`).map((x, i) =>
          reqInt({ v: x }, "v", `${path}.schema-ids[${i}]`),
        ),
      };
    default:
      throw new JsonShapeError(`${path}.action`, `unknown table update ${JSON.stringify(action)}`);
  }
}

/** Encodes one table update (REST wire form). */
export function tableUpdateToJson(u: TableUpdate): Record<string, unknown> {
  switch (u.action) {
    case "assign-uuid":
      return { action: u.action, uuid: u.uuid };
    case "upgrade-format-version":
      return { action: u.action, "format-version": u.formatVersion };
    case "add-schema":
      return {
        action: u.action,
        schema: schemaToJson(u.schema),
        ...(u.lastColumnId !== undefined ? { "last-column-id": u.lastColumnId } : {}),
      };
    case "set-current-schema":
      return { action: u.action, "schema-id": u.schemaId };
    case "add-spec":
      return { action: u.action, spec: partitionSpecToJson(u.spec) };
    case "set-default-spec":
      return { action: u.action, "spec-id": u.specId };
    case "add-sort-order":
      return { action: u.action, "sort-order": sortOrderToJson(u.sortOrder) };
    case "set-default-sort-order":
      return { action: u.action, "sort-order-id": u.sortOrderId };
    case "add-snapshot":
      return { action: u.action, snapshot: snapshotToJson(u.snapshot, 2) };
    case "set-snapshot-ref": {
      const { action, refName, ...ref } = u;
      return { action, "ref-name": refName, ...refToJson(ref) };
    }
    case "remove-snapshots":
      return { action: u.action, "snapshot-ids": [...u.snapshotIds] };
    case "remove-snapshot-ref":
      return { action: u.action, "ref-name": u.refName };
    case "set-location":
      return { action: u.action, location: u.location };
    case "set-properties":
      return { action: u.action, updates: { ...u.updates } };
    case "remove-properties":
      return { action: u.action, removals: [...u.removals] };
    case "set-statistics":
      return {
        action: u.action,
        statistics: {
          "snapshot-id": u.statistics.snapshotId,
          "statistics-path": u.statistics.statisticsPath,
          "file-size-in-bytes": u.statistics.fileSizeInBytes,
          "file-footer-size-in-bytes": u.statistics.fileFooterSizeInBytes,
          "blob-metadata": u.statistics.blobMetadata,
        },
      };
    case "remove-statistics":
    case "remove-partition-statistics":
      return { action: u.action, "snapshot-id": u.snapshotId };
    case "set-partition-statistics":
      return {
        action: u.action,
        "partition-statistics": {
          "snapshot-id": u.partitionStatistics.snapshotId,
          "statistics-path": u.partitionStatistics.statisticsPath,
          "file-size-in-bytes": u.partitionStatistics.fileSizeInBytes,
        },
      };
    case "remove-partition-specs":
      return { action: u.action, "spec-ids": [...u.specIds] };
    case "remove-schemas":
      return { action: u.action, "schema-ids": [...u.schemaIds] };
  }
}

/**
 * Decodes one table requirement.
 * @throws JsonShapeError naming the path for unknown types or missing fields.
 */
export function tableRequirementFromJson(json: unknown, path: string): TableRequirement {
  const o = asObject(json, path);
  const type = reqString(o, "type", path);
  switch (type) {
    case "assert-create":
      return { type };
    case "assert-table-uuid":
      return { type, uuid: reqString(o, "uuid", path) };
    case "assert-ref-snapshot-id":
      if (!("snapshot-id" in o))
        throw new JsonShapeError(
          `${path}.snapshot-id`,
          "required field is missing (null asserts the ref does not exist)",
        );
      return { type, ref: reqString(o, "ref", path), snapshotId: optLong(o, "snapshot-id", path) ?? null };
    case "assert-last-assigned-field-id":
      return { type, lastAssignedFieldId: reqInt(o, "last-assigned-field-id", path) };
    case "assert-current-schema-id":
      return { type, currentSchemaId: reqInt(o, "current-schema-id", path) };
    case "assert-last-assigned-partition-id":
      return { type, lastAssignedPartitionId: reqInt(o, "last-assigned-partition-id", path) };
    case "assert-default-spec-id":
      return { type, defaultSpecId: reqInt(o, "default-spec-id", path) };
    case "assert-default-sort-order-id":
      return { type, defaultSortOrderId: reqInt(o, "default-sort-order-id", path) };
    default:
      throw new JsonShapeError(`${path}.type`, `unknown table requirement ${JSON.stringify(type)}`);
  }
}

/** Encodes one table requirement. */
export function tableRequirementToJson(r: TableRequirement): Record<string, unknown> {
  switch (r.type) {
    case "assert-create":
      return { type: r.type };
    case "assert-table-uuid":
      return { type: r.type, uuid: r.uuid };
    case "assert-ref-snapshot-id":
      return { type: r.type, ref: r.ref, "snapshot-id": r.snapshotId };
    case "assert-last-assigned-field-id":
      return { type: r.type, "last-assigned-field-id": r.lastAssignedFieldId };
    case "assert-current-schema-id":
      return { type: r.type, "current-schema-id": r.currentSchemaId };
    case "assert-last-assigned-partition-id":
      return { type: r.type, "last-assigned-partition-id": r.lastAssignedPartitionId };
    case "assert-default-spec-id":
      return { type: r.type, "default-spec-id": r.defaultSpecId };
    case "assert-default-sort-order-id":
      return { type: r.type, "default-sort-order-id": r.defaultSortOrderId };
  }
}
