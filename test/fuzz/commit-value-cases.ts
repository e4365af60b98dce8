/**
 * Commits whose values have the right types but that the spec or the table forbid:
 * downgrades, unknown ids, ids beyond 32 bits, duplicate snapshot ids, files outside the
 * warehouse, removing what is in use, malformed transforms, failed requirements,
 * transactions of which one part is wrong, view versions without SQL. Every one must be
 * refused and leave the table (and the other tables of a transaction) as it was.
 */

import { tableCommit, tableUpdates, uuidRequirement } from "./commit-bodies.js";
import { type FuzzCase, type FuzzTargets, refused } from "./fuzz-case.js";
import { type Json, jsonText, RawNumber, tablePath, v1, viewVersionJson } from "./request-bodies.js";

/** Commits whose values have the right types but are not allowed: all refused, nothing stored. */
export function commitValueCases(t: FuzzTargets): FuzzCase[] {
  const out: FuzzCase[] = [];
  const u = tableUpdates(t);
  const snap = new RawNumber(t.snapshotId);
  const with_ = (base: Json, change: Record<string, Json>): Json => ({ ...(base as object), ...change });
  const commit = (what: string, updates: Json[], requirements?: Json[], statuses: number[] = []) =>
    out.push({
      name: `commit: ${what}`,
      method: "POST",
      target: tablePath(t),
      body: jsonText(tableCommit(t, updates, requirements)),
      expect: refused(...statuses),
    });
  for (const v of [0, -1, 1, 4, 99, 2147483648])
    commit(`format version ${v}`, [with_(u["upgrade-format-version"]!, { "format-version": v })]);
  const schema = (fields: Json[], extra: Record<string, Json> = {}) =>
    with_(u["add-schema"]!, {
      schema: { type: "struct", "schema-id": 1, fields, ...extra },
      "last-column-id": 9,
    });
  const field = (id: Json, name: string, type: Json = "long", required = false): Json => ({
    id,
    name,
    required,
    type,
  });
  commit("add-schema with duplicate field ids", [schema([field(1, "id"), field(1, "other")])]);
  commit("add-schema with duplicate field names", [schema([field(1, "id"), field(2, "id")])]);
  commit("add-schema with field id -1", [schema([field(-1, "id")])]);
  commit("add-schema with field id 1e300", [schema([field(new RawNumber("1e300"), "id")])]);
  commit("add-schema with field id 2^31", [schema([field(2147483648, "id")])]);
  commit("add-schema with an empty field name", [schema([field(1, "")])]);
  for (const type of [
    "unknownish",
    "decimal(99,2)",
    "decimal(10,11)",
    "fixed[-1]",
    "fixed[0x10]",
    "list<long>",
    "",
  ])
    commit(`add-schema with type ${JSON.stringify(type)}`, [schema([field(1, "id", type)])]);
  commit("add-schema with identifier field 99", [
    schema([field(1, "id", "long", true)], { "identifier-field-ids": [99] }),
  ]);
  commit("add-schema with a list without element-id", [
    schema([field(1, "id", { type: "list", element: "long", "element-required": false })]),
  ]);
  for (const id of [99, -2, 2147483648])
    commit(`set-current-schema ${id}`, [{ action: "set-current-schema", "schema-id": id }]);
  const spec = (f: Record<string, Json>) =>
    with_(u["add-spec"]!, {
      spec: {
        "spec-id": 1,
        fields: [{ "source-id": 1, "field-id": 1000, name: "p", transform: "identity", ...f }],
      },
    });
  commit("add-spec on source 99", [spec({ "source-id": 99 })]);
  // Unknown transforms ("nope") are kept, as the spec asks (a newer engine's transform).
  for (const tr of ["bucket[0]", "bucket[-1]", "truncate[x]", "bucket[]", "bucket[99999999999]", "year"])
    commit(`add-spec with transform ${tr}`, [spec({ transform: tr })]);
  commit("add-spec with an empty name", [spec({ name: "" })]);
  commit("add-spec with a name of a column on another source", [
    spec({ name: "data", "source-id": 1, transform: "bucket[2]" }),
  ]);
  commit("set-default-spec 99", [{ action: "set-default-spec", "spec-id": 99 }]);
  const order = (f: Record<string, Json>) =>
    with_(u["add-sort-order"]!, {
      "sort-order": {
        "order-id": 1,
        fields: [
          { "source-id": 1, transform: "identity", direction: "asc", "null-order": "nulls-first", ...f },
        ],
      },
    });
  commit("add-sort-order on source 99", [order({ "source-id": 99 })]);
  commit("add-sort-order direction up", [order({ direction: "up" })]);
  commit("add-sort-order null-order middle", [order({ "null-order": "middle" })]);
  commit("add-sort-order transform truncate[-2]", [order({ transform: "truncate[-2]" })]);
  commit("set-default-sort-order 99", [{ action: "set-default-sort-order", "sort-order-id": 99 }]);
  const snapshot = (s: Record<string, Json>) =>
    with_(u["add-snapshot"]!, {
      snapshot: { ...((u["add-snapshot"] as Record<string, Json>).snapshot as object), ...s },
    });
  commit("add-snapshot reusing the current snapshot id", [snapshot({ "snapshot-id": snap })]);
  commit("add-snapshot with sequence number 0 (not above the table's)", [snapshot({ "sequence-number": 0 })]);
  commit("add-snapshot of schema 99", [snapshot({ "schema-id": 99 })]);
  for (const ml of [
    `file://${t.outside}/evil.avro`,
    `${t.warehouse}/%2e%2e/%2e%2e/outside/evil.avro`,
    "evil.avro",
    "http://169.254.169.254/latest",
  ])
    commit(`add-snapshot with manifest-list ${ml}`, [snapshot({ "manifest-list": ml })]);
  const ref = (r: Record<string, Json>) => with_(u["set-snapshot-ref"]!, r);
  commit("set-snapshot-ref to snapshot 1 (none)", [ref({ "snapshot-id": 1 })]);
  commit("set-snapshot-ref of type leaf", [ref({ type: "leaf" })]);
  commit("set-snapshot-ref main as a tag", [ref({ "ref-name": "main", type: "tag" })]);
  commit("set-snapshot-ref with an empty name", [ref({ "ref-name": "" })]);
  commit("set-snapshot-ref keeping -1 snapshots", [ref({ "min-snapshots-to-keep": -1 })]);
  commit("set-snapshot-ref max-ref-age-ms -1", [ref({ "max-ref-age-ms": -1 })]);
  for (const path of [`file://${t.outside}/fz.stats`, `${t.warehouse}/%2E%2e/%2e%2E/outside/fz.stats`])
    commit(`set-statistics at ${path}`, [
      {
        action: "set-statistics",
        statistics: {
          ...((u["set-statistics"] as Record<string, Json>).statistics as object),
          "statistics-path": path,
        },
      },
    ]);
  commit("set-partition-statistics outside the warehouse", [
    {
      action: "set-partition-statistics",
      "partition-statistics": {
        "snapshot-id": snap,
        "statistics-path": `file://${t.outside}/fz.pstats`,
        "file-size-in-bytes": 1,
      },
    },
  ]);
  commit("remove-partition-specs of the default spec", [
    { action: "remove-partition-specs", "spec-ids": [0] },
  ]);
  commit("remove-schemas of the current schema", [{ action: "remove-schemas", "schema-ids": [0] }]);
  commit("set-properties with an empty key", [{ action: "set-properties", updates: { "": "v" } }]);
  commit("set-properties with a key holding U+202E", [
    { action: "set-properties", updates: { "fz\u202Ek": "v" } },
  ]);
  commit(
    "no updates at all, but a failing requirement",
    [],
    [{ type: "assert-current-schema-id", "current-schema-id": 5 }],
    [409],
  );
  const failing: Record<string, Json> = {
    "assert-create": { type: "assert-create" },
    "assert-table-uuid": { type: "assert-table-uuid", uuid: "00000000-0000-0000-0000-000000000000" },
    "assert-ref-snapshot-id": { type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": 1 },
    "assert-ref-snapshot-id null": { type: "assert-ref-snapshot-id", ref: "main", "snapshot-id": null },
    "assert-last-assigned-field-id": { type: "assert-last-assigned-field-id", "last-assigned-field-id": 77 },
    "assert-current-schema-id": { type: "assert-current-schema-id", "current-schema-id": 77 },
    "assert-last-assigned-partition-id": {
      type: "assert-last-assigned-partition-id",
      "last-assigned-partition-id": 77,
    },
    "assert-default-spec-id": { type: "assert-default-spec-id", "default-spec-id": 77 },
    "assert-default-sort-order-id": { type: "assert-default-sort-order-id", "default-sort-order-id": 77 },
    "an unknown requirement": { type: "assert-everything" },
  };
  for (const [what, r] of Object.entries(failing))
    commit(`failing ${what}`, [u["set-properties"]!], [r], what.startsWith("an unknown") ? [400] : [409]);
  commit("an unknown update action", [{ action: "drop-everything" }], undefined, [400]);
  commit("identifier of another table", [u["set-properties"]!]);
  out[out.length - 1] = {
    ...out[out.length - 1]!,
    body: jsonText({
      identifier: { namespace: [t.namespace], name: t.partitioned },
      ...(tableCommit(t, [u["set-properties"]!]) as object),
    }),
  };
  // Transactions: one wrong change among right ones stores none of them.
  const change = (name: string, updates: Json[], requirements: Json[] = []): Json => ({
    identifier: { namespace: [t.namespace], name },
    requirements,
    updates,
  });
  const tx = (what: string, changes: Json[], statuses: number[] = []) =>
    out.push({
      name: `transaction: ${what}`,
      method: "POST",
      target: v1("/transactions/commit"),
      body: jsonText({ "table-changes": changes }),
      expect: refused(...statuses),
    });
  const ok = change(t.table, [u["set-properties"]!], [uuidRequirement(t)]);
  tx("a right change and one of a missing table", [ok, change("fz_missing", [u["set-properties"]!])]);
  tx(
    "a right change and a failing requirement",
    [
      ok,
      change(
        t.partitioned,
        [u["set-properties"]!],
        [{ type: "assert-current-schema-id", "current-schema-id": 77 }],
      ),
    ],
    [409],
  );
  tx(
    "a right change and an escaping location",
    [
      ok,
      change(t.partitioned, [{ action: "set-location", location: `${t.warehouse}/%2e%2e/%2e%2e/outside` }]),
    ],
    [400],
  );
  tx("a right change and a downgrade", [
    ok,
    change(t.partitioned, [{ action: "upgrade-format-version", "format-version": 1 }]),
  ]);
  tx("a change without identifier", [{ requirements: [], updates: [u["set-properties"]!] }], [400]);
  tx("no changes", [], [400]);
  tx("a change in a missing namespace", [
    {
      ...(change(t.table, [u["set-properties"]!]) as object),
      identifier: { namespace: ["fz_nope"], name: t.table },
    },
  ]);
  // Views: values of the right type that a view refuses.
  const viewCommit = (
    what: string,
    updates: Json[],
    requirements: Json[] = [{ type: "assert-view-uuid", uuid: t.viewUuid }],
  ) =>
    out.push({
      name: `view commit: ${what}`,
      method: "POST",
      target: v1(`/namespaces/${t.namespace}/views/${t.view}`),
      body: jsonText({ requirements, updates }),
      expect: refused(),
    });
  viewCommit("format version 2", [{ action: "upgrade-format-version", "format-version": 2 }]);
  viewCommit("set-current-view-version 99", [{ action: "set-current-view-version", "view-version-id": 99 }]);
  viewCommit("a view version of schema 99", [
    {
      action: "add-view-version",
      "view-version": { ...(viewVersionJson(t) as object), "version-id": 2, "schema-id": 99 },
    },
  ]);
  viewCommit("a view version without representations", [
    {
      action: "add-view-version",
      "view-version": { ...(viewVersionJson(t) as object), "version-id": 2, representations: [] },
    },
  ]);
  viewCommit(
    "a failing uuid requirement",
    [{ action: "set-properties", updates: { "fz.k": "v" } }],
    [{ type: "assert-view-uuid", uuid: "00000000-0000-0000-0000-000000000000" }],
  );
  viewCommit("an escaping location", [
    { action: "set-location", location: `${t.warehouse}/%2e%2e/%2e%2e/outside` },
  ]);
  return out;
}
