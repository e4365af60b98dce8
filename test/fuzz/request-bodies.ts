/**
 * Valid request bodies of every REST catalog and query API endpoint that takes JSON, aimed at
 * the fuzz targets: the starting points the generators break (by syntax, by type, by value).
 * None of them is ever sent unbroken: several would store something. Snapshot ids and other
 * longs are {@link RawNumber}s, written as JSON numbers of any size by {@link jsonText}.
 */
import type { FuzzTargets } from "./fuzz-case.js";

/** A JSON number written verbatim (longs beyond 2^53, `-0`, `1e999999`). */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** A JSON value as the generators build it. */
export type Json = null | boolean | number | string | RawNumber | Json[] | { [key: string]: Json };

/** JSON text of a value ({@link RawNumber}s verbatim, keys in insertion order). */
export function jsonText(v: Json): string {
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** An endpoint that takes a JSON body, with a valid body for it. */
export interface BodyEndpoint {
  /** Short name for case names, e.g. `create table`. */
  readonly label: string;
  readonly method: "POST";
  /** Request target (path and query). */
  readonly target: string;
  /** A valid body (never sent as is). */
  readonly body: Json;
  /** Whether an empty body is valid here (plan: the body is optional). */
  readonly emptyOk?: boolean | undefined;
  /** Whether every field is optional, so that `{}` (or unknown keys only) is a valid request. */
  readonly allOptional?: boolean | undefined;
}

/** The schema of new tables in the bodies: `id long, data string`. */
export const schemaJson = (): Json => ({
  type: "struct",
  "schema-id": 0,
  fields: [
    { id: 1, name: "id", required: false, type: "long" },
    { id: 2, name: "data", required: false, type: "string" },
  ],
});

/** A view version selecting from the fuzz table. */
export const viewVersionJson = (t: FuzzTargets): Json => ({
  "version-id": 1,
  "schema-id": 0,
  "timestamp-ms": new RawNumber("1700000000000"),
  summary: { "engine-name": "fuzz" },
  representations: [{ type: "sql", sql: `SELECT id, data FROM ${t.table}`, dialect: "trino" }],
  "default-namespace": [t.namespace],
});

/** `/v1/iceberg` plus a path: requests use the warehouse prefix, as clients do after config. */
export const v1 = (path: string) => `/v1/iceberg${path}`;

/** Base path of a table of the targets. */
export const tablePath = (t: FuzzTargets, table = t.table) =>
  v1(`/namespaces/${t.namespace}/tables/${table}`);

/** Every JSON-taking endpoint with a valid body. */
export function bodyEndpoints(t: FuzzTargets): BodyEndpoint[] {
  const ns = v1(`/namespaces/${t.namespace}`);
  const wh = t.warehouse;
  return [
    {
      label: "create namespace",
      method: "POST",
      target: v1("/namespaces"),
      body: { namespace: ["fz_new"], properties: { owner: "fuzz" } },
    },
    {
      label: "update namespace properties",
      method: "POST",
      target: `${ns}/properties`,
      body: { removals: ["fz.gone"], updates: { "fz.k": "v" } },
      allOptional: true,
    },
    {
      label: "create table",
      method: "POST",
      target: `${ns}/tables`,
      body: {
        name: "fz_new",
        location: `${wh}/${t.namespace}/fz_new`,
        schema: schemaJson(),
        "partition-spec": {
          "spec-id": 0,
          fields: [{ "source-id": 1, "field-id": 1000, name: "id_bucket", transform: "bucket[4]" }],
        },
        "write-order": {
          "order-id": 1,
          fields: [{ "source-id": 1, transform: "identity", direction: "asc", "null-order": "nulls-first" }],
        },
        "stage-create": false,
        properties: { "write.data.path": `${wh}/${t.namespace}/fz_new/data`, "format-version": "2" },
      },
    },
    {
      label: "register table",
      method: "POST",
      target: `${ns}/register`,
      body: { name: "fz_reg", "metadata-location": t.metadataLocation, overwrite: false },
    },
    {
      label: "rename table",
      method: "POST",
      target: v1("/tables/rename"),
      body: {
        source: { namespace: [t.namespace], name: t.table },
        destination: { namespace: [t.namespace], name: "fz_renamed" },
      },
    },
    {
      label: "commit table",
      method: "POST",
      target: tablePath(t),
      body: {
        identifier: { namespace: [t.namespace], name: t.table },
        requirements: [{ type: "assert-table-uuid", uuid: t.tableUuid }],
        updates: [{ action: "set-properties", updates: { "fz.k": "v" } }],
      },
    },
    {
      label: "commit transaction",
      method: "POST",
      target: v1("/transactions/commit"),
      body: {
        "table-changes": [
          {
            identifier: { namespace: [t.namespace], name: t.table },
            requirements: [{ type: "assert-table-uuid", uuid: t.tableUuid }],
            updates: [{ action: "set-properties", updates: { "fz.k": "v" } }],
          },
        ],
      },
    },
    {
      label: "create view",
      method: "POST",
      target: `${ns}/views`,
      body: {
        name: "fz_view",
        location: `${wh}/${t.namespace}/fz_view`,
        schema: schemaJson(),
        "view-version": viewVersionJson(t),
        properties: { comment: "fuzz" },
      },
    },
    {
      label: "commit view",
      method: "POST",
      target: v1(`/namespaces/${t.namespace}/views/${t.view}`),
      body: {
        identifier: { namespace: [t.namespace], name: t.view },
        requirements: [{ type: "assert-view-uuid", uuid: t.viewUuid }],
        updates: [{ action: "set-properties", updates: { "fz.k": "v" } }],
      },
    },
    {
      label: "rename view",
      method: "POST",
      target: v1("/views/rename"),
      body: {
        source: { namespace: [t.namespace], name: t.view },
        destination: { namespace: [t.namespace], name: "fz_renamed_view" },
      },
    },
    {
      label: "register view",
      method: "POST",
      target: `${ns}/register-view`,
      body: { name: "fz_regview", "metadata-location": `${wh}/${t.namespace}/missing.metadata.json` },
    },
    {
      label: "plan table scan",
      method: "POST",
      target: `${tablePath(t)}/plan`,
      body: {
        "snapshot-id": new RawNumber(t.snapshotId),
        select: ["id"],
        filter: { type: "gt", term: "id", value: 0 },
        "case-sensitive": true,
        "use-snapshot-schema": false,
        "stats-fields": ["id"],
        "min-rows-requested": 1,
      },
      emptyOk: true,
      allOptional: true,
    },
    {
      label: "fetch scan tasks",
      method: "POST",
      target: `${tablePath(t)}/tasks`,
      body: { "plan-task": "fz-no-such-task" },
    },
    {
      label: "report metrics",
      method: "POST",
      target: `${tablePath(t)}/metrics`,
      body: { "report-type": "scan-report", "table-name": `${t.namespace}.${t.table}` },
    },
    {
      label: "remote sign",
      method: "POST",
      target: `${tablePath(t)}/sign`,
      body: {
        region: "us-east-1",
        uri: "s3://fz-bucket/x/data.parquet",
        method: "GET",
        headers: { host: ["fz-bucket.s3.amazonaws.com"] },
        body: null,
        provider: "s3",
      },
    },
    {
      label: "query",
      method: "POST",
      target: "/api/v1/query",
      body: {
        sql: `SELECT count(*) FROM ${t.table}`,
        catalog: "iceberg",
        schema: t.namespace,
        maxRows: 10,
        maxBytes: 100000,
        timeoutMs: 2000,
      },
    },
  ];
}
