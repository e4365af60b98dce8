/**
 * Commits of the fuzz table and view with each update action and requirement type of the
 * REST spec (`TableUpdate`, `TableRequirement`, `ViewUpdate`): valid starting points for the
 * type cases ({@link commitBodies}) and for the value cases of `commit-value-cases.ts`.
 */
import type { FuzzTargets } from "./fuzz-case.js";
import { type Json, RawNumber, schemaJson, tablePath, v1, viewVersionJson } from "./request-bodies.js";

/** A commit body with a label. */
export interface CommitBody {
  readonly label: string;
  readonly target: string;
  readonly body: Json;
}

/** The requirement every table commit carries (it holds, so that only the update decides). */
export const uuidRequirement = (t: FuzzTargets): Json => ({ type: "assert-table-uuid", uuid: t.tableUuid });

/** One valid update of each table update action (values aimed at the fuzz table). */
export function tableUpdates(t: FuzzTargets): Record<string, Json> {
  const snap = new RawNumber(t.snapshotId);
  const wh = t.warehouse;
  return {
    "assign-uuid": { action: "assign-uuid", uuid: t.tableUuid },
    "upgrade-format-version": { action: "upgrade-format-version", "format-version": 2 },
    "add-schema": {
      action: "add-schema",
      schema: {
        type: "struct",
        "schema-id": 1,
        fields: [
          { id: 1, name: "id", required: false, type: "long" },
          { id: 2, name: "data", required: false, type: "string" },
          {
            id: 3,
            name: "tags",
            required: false,
            type: { type: "list", "element-id": 4, element: "string", "element-required": false },
          },
        ],
        "identifier-field-ids": [],
      },
      "last-column-id": 4,
    },
    "set-current-schema": { action: "set-current-schema", "schema-id": 0 },
    "add-spec": {
      action: "add-spec",
      spec: {
        "spec-id": 1,
        fields: [{ "source-id": 1, "field-id": 1000, name: "id_b", transform: "bucket[8]" }],
      },
    },
    "set-default-spec": { action: "set-default-spec", "spec-id": 0 },
    "add-sort-order": {
      action: "add-sort-order",
      "sort-order": {
        "order-id": 1,
        fields: [{ "source-id": 1, transform: "identity", direction: "desc", "null-order": "nulls-last" }],
      },
    },
    "set-default-sort-order": { action: "set-default-sort-order", "sort-order-id": 0 },
    "add-snapshot": {
      action: "add-snapshot",
      snapshot: {
        "snapshot-id": new RawNumber("4242424242"),
        "parent-snapshot-id": snap,
        "sequence-number": 99,
        "timestamp-ms": new RawNumber("1700000000000"),
        "manifest-list": `${wh}/${t.namespace}/${t.table}/metadata/snap-fuzz.avro`,
        summary: { operation: "append" },
        "schema-id": 0,
      },
    },
    "set-snapshot-ref": {
      action: "set-snapshot-ref",
      "ref-name": "fz-branch",
      type: "branch",
      "snapshot-id": snap,
      "min-snapshots-to-keep": 1,
      "max-snapshot-age-ms": new RawNumber("86400000"),
      "max-ref-age-ms": new RawNumber("86400000"),
    },
    "remove-snapshots": { action: "remove-snapshots", "snapshot-ids": [snap] },
    "remove-snapshot-ref": { action: "remove-snapshot-ref", "ref-name": "fz-branch" },
    "set-location": { action: "set-location", location: `${wh}/${t.namespace}/fz-moved` },
    "set-properties": { action: "set-properties", updates: { "fz.k": "v" } },
    "remove-properties": { action: "remove-properties", removals: ["fz.k"] },
    "set-statistics": {
      action: "set-statistics",
      statistics: {
        "snapshot-id": snap,
        "statistics-path": `${wh}/${t.namespace}/${t.table}/metadata/fz.stats`,
        "file-size-in-bytes": 100,
        "file-footer-size-in-bytes": 10,
        "blob-metadata": [],
      },
    },
    "remove-statistics": { action: "remove-statistics", "snapshot-id": snap },
    "set-partition-statistics": {
      action: "set-partition-statistics",
      "partition-statistics": {
        "snapshot-id": snap,
        "statistics-path": `${wh}/${t.namespace}/${t.table}/metadata/fz.pstats`,
        "file-size-in-bytes": 100,
      },
    },
    "remove-partition-statistics": { action: "remove-partition-statistics", "snapshot-id": snap },
    "remove-partition-specs": { action: "remove-partition-specs", "spec-ids": [7] },
    "remove-schemas": { action: "remove-schemas", "schema-ids": [7] },
  };
}

/** One requirement of each type, as the fuzz table satisfies it. */
function tableRequirements(t: FuzzTargets): Record<string, Json> {
  return {
    "assert-create": { type: "assert-create" },
    "assert-table-uuid": { type: "assert-table-uuid", uuid: t.tableUuid },
    "assert-ref-snapshot-id": {
      type: "assert-ref-snapshot-id",
      ref: "main",
      "snapshot-id": new RawNumber(t.snapshotId),
    },
    "assert-last-assigned-field-id": { type: "assert-last-assigned-field-id", "last-assigned-field-id": 2 },
    "assert-current-schema-id": { type: "assert-current-schema-id", "current-schema-id": 0 },
    "assert-last-assigned-partition-id": {
      type: "assert-last-assigned-partition-id",
      "last-assigned-partition-id": 999,
    },
    "assert-default-spec-id": { type: "assert-default-spec-id", "default-spec-id": 0 },
    "assert-default-sort-order-id": { type: "assert-default-sort-order-id", "default-sort-order-id": 0 },
  };
}

/** One valid update of each view update action. */
function viewUpdates(t: FuzzTargets): Record<string, Json> {
  return {
    "assign-uuid": { action: "assign-uuid", uuid: t.viewUuid },
    "upgrade-format-version": { action: "upgrade-format-version", "format-version": 1 },
    "add-schema": { action: "add-schema", schema: { ...(schemaJson() as object), "schema-id": 1 } },
    "set-location": { action: "set-location", location: `${t.warehouse}/${t.namespace}/fz-view-moved` },
    "set-properties": { action: "set-properties", updates: { "fz.k": "v" } },
    "remove-properties": { action: "remove-properties", removals: ["fz.k"] },
    "add-view-version": { action: "add-view-version", "view-version": viewVersionJson(t) },
    "set-current-view-version": { action: "set-current-view-version", "view-version-id": 1 },
  };
}

/** A commit of the fuzz table: the uuid requirement (holding) and `updates`. */
export const tableCommit = (
  t: FuzzTargets,
  updates: Json[],
  requirements: Json[] = [uuidRequirement(t)],
): Json => ({
  requirements,
  updates,
});

/** Bases of the type cases: one commit per table update, per requirement, per view update. */
export function commitBodies(t: FuzzTargets): CommitBody[] {
  const out: CommitBody[] = [];
  for (const [action, u] of Object.entries(tableUpdates(t)))
    out.push({ label: `commit ${action}`, target: tablePath(t), body: tableCommit(t, [u]) });
  const setProp = tableUpdates(t)["set-properties"]!;
  for (const [type, r] of Object.entries(tableRequirements(t)))
    out.push({
      label: `commit requiring ${type}`,
      target: tablePath(t),
      body: tableCommit(t, [setProp], [r]),
    });
  const viewTarget = v1(`/namespaces/${t.namespace}/views/${t.view}`);
  for (const [action, u] of Object.entries(viewUpdates(t)))
    out.push({
      label: `view commit ${action}`,
      target: viewTarget,
      body: { requirements: [{ type: "assert-view-uuid", uuid: t.viewUuid }], updates: [u] },
    });
  return out;
}
