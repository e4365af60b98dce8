/**
 * Locations that leave the warehouse or cannot be used, in every field that takes one: table
 * `location` (create and stage-create), the write-path table properties, namespace
 * `location` (create and update), `metadata-location` of register (tables and views),
 * `set-location` (tables and views), view `location`, and SQL `location` through the query
 * API. The escapes aim at a directory outside the warehouse (`<warehouse>/../../outside`),
 * whose listing the suite compares before and after.
 */
import { type FuzzCase, type FuzzTargets, type Random, refused } from "./fuzz-case.js";
import { jsonText, schemaJson, tablePath, v1, viewVersionJson } from "./request-bodies.js";

/** Locations every location field must refuse. */
export function badLocations(t: FuzzTargets): string[] {
  const wh = t.warehouse;
  const out = t.outside;
  return [
    `${wh}/${t.namespace}/%2e%2e/%2e%2e/%2e%2e/outside/evil`,
    `${wh}/%2E%2e/%2e%2E/outside/evil`,
    `${wh}/.%2e/%2E./outside/evil`,
    `${wh}/${t.namespace}/..%2f..%2f..%2foutside`,
    `${wh}/${t.namespace}%2F..%2F..%2F..%2Foutside`,
    `${wh}/%5c..%5c..%5coutside`,
    `${wh}/../../outside/evil`,
    `${wh}/./x/../../../outside`,
    `file://otherhost${out}/evil`,
    `file://127.0.0.1${out}/evil`,
    `FILE://${out}/evil`,
    `file://localhost${out}/evil`,
    `file:${out}/evil`,
    "file:/",
    "file:",
    "file://",
    "file:///",
    `${out}/evil`,
    "relative/path",
    "./x",
    "../x",
    "..",
    ".",
    "~/x",
    "",
    "s3://Bad_Bucket/x",
    "s3://ab/x",
    "s3:///x",
    "s3://-bucket-/x",
    "s3a://",
    "s3://fz-bucket/x",
    "gs://fz-bucket/x",
    "http://169.254.169.254/latest/meta-data",
    "https://evil.example/x",
    "javascript:alert(1)",
    "data:text/plain,x",
    `${wh}/${t.namespace}/a\u0000b`,
    `${wh}/${t.namespace}/a%00b`,
    `${wh}/${t.namespace}/a\nb`,
    `${wh}/${t.namespace}/a%0Ab`,
    `${wh}/${t.namespace}/a?b`,
    `${wh}/${t.namespace}/a#b`,
    `${wh}/${t.namespace}/%zz`,
    `${wh}/${t.namespace}/%c0%ae%c0%ae`,
    "C:\\Windows\\x",
    "\\\\server\\share\\x",
    `${wh}/${t.namespace}/${"a".repeat(300)}`,
    `${wh}/${t.namespace}/${"a/".repeat(3000)}x`,
    `${wh}/${"x".repeat(100_000)}`,
  ];
}

/** A field that takes a location: a request putting `loc` there. */
interface LocationField {
  readonly label: string;
  readonly build: (loc: string) => Omit<FuzzCase, "name" | "expect">;
}

/** Every location field of the REST catalog and the query API. */
function locationFields(t: FuzzTargets): LocationField[] {
  const ns = t.namespace;
  const post = (target: string, body: unknown) => ({ method: "POST", target, body: jsonText(body as never) });
  const table = (extra: Record<string, unknown>) => ({ name: "fz_loc", schema: schemaJson(), ...extra });
  const sql = (text: string) => ({
    method: "POST",
    target: "/api/v1/query",
    body: JSON.stringify({ sql: text }),
  });
  const quoted = (loc: string) => loc.replaceAll("'", "''");
  const fields: LocationField[] = [
    {
      label: "create table location",
      build: (loc) => post(v1(`/namespaces/${ns}/tables`), table({ location: loc })),
    },
    {
      label: "stage-create table location",
      build: (loc) => post(v1(`/namespaces/${ns}/tables`), table({ location: loc, "stage-create": true })),
    },
    {
      label: "create namespace location",
      build: (loc) => post(v1("/namespaces"), { namespace: ["fz_loc"], properties: { location: loc } }),
    },
    {
      label: "update namespace location",
      build: (loc) => post(v1(`/namespaces/${ns}/properties`), { removals: [], updates: { location: loc } }),
    },
    {
      label: "register metadata-location",
      build: (loc) => post(v1(`/namespaces/${ns}/register`), { name: "fz_loc", "metadata-location": loc }),
    },
    {
      label: "register-view metadata-location",
      build: (loc) =>
        post(v1(`/namespaces/${ns}/register-view`), { name: "fz_loc", "metadata-location": loc }),
    },
    {
      label: "set-location",
      build: (loc) =>
        post(tablePath(t), { requirements: [], updates: [{ action: "set-location", location: loc }] }),
    },
    {
      label: "create view location",
      build: (loc) =>
        post(v1(`/namespaces/${ns}/views`), {
          name: "fz_loc",
          schema: schemaJson(),
          "view-version": viewVersionJson(t),
          location: loc,
        }),
    },
    {
      label: "view set-location",
      build: (loc) =>
        post(v1(`/namespaces/${ns}/views/${t.view}`), {
          requirements: [],
          updates: [{ action: "set-location", location: loc }],
        }),
    },
    {
      label: "SQL CREATE TABLE location",
      build: (loc) => sql(`CREATE TABLE iceberg.${ns}.fz_loc (id BIGINT) WITH (location = '${quoted(loc)}')`),
    },
    {
      label: "SQL CREATE SCHEMA location",
      build: (loc) => sql(`CREATE SCHEMA iceberg.fz_loc WITH (location = '${quoted(loc)}')`),
    },
  ];
  for (const key of [
    "write.data.path",
    "write.metadata.path",
    "write.object-storage.path",
    "write.folder-storage.path",
  ]) {
    fields.push({
      label: `create table ${key}`,
      build: (loc) => post(v1(`/namespaces/${ns}/tables`), table({ properties: { [key]: loc } })),
    });
    fields.push({
      label: `set-properties ${key}`,
      build: (loc) =>
        post(tablePath(t), {
          requirements: [],
          updates: [{ action: "set-properties", updates: { [key]: loc } }],
        }),
    });
  }
  return fields;
}

/**
 * Location cases: the first three fields get every bad location; the others a seeded sample
 * of eight, and the first (encoded escape) always.
 */
export function locationCases(t: FuzzTargets, rnd: Random): FuzzCase[] {
  const locations = badLocations(t);
  const out: FuzzCase[] = [];
  locationFields(t).forEach((f, i) => {
    const chosen = i < 3 ? locations : [locations[0]!, ...rnd.sample(locations, 8)];
    for (const loc of new Set(chosen))
      out.push({
        name: `${f.label} ${JSON.stringify(loc.slice(0, 60))}`,
        ...f.build(loc),
        expect: refused(),
      });
  });
  // Places inside the warehouse that hold another table's files (an empty place inside another
  // table's directory is allowed, as in Trino: nothing of that table is shared).
  const wh = t.warehouse;
  for (const [what, loc] of [
    ["the warehouse root", wh],
    ["another table's location", `${wh}/${t.namespace}/${t.table}`],
    ["another table's metadata directory", `${wh}/${t.namespace}/${t.partitioned}/metadata`],
  ] as const)
    out.push({
      name: `create table at ${what}`,
      method: "POST",
      target: v1(`/namespaces/${t.namespace}/tables`),
      body: jsonText({ name: "fz_loc", schema: schemaJson(), location: loc }),
      expect: refused(),
    });
  for (const [what, loc] of [
    ["a data file", "DATA_FILE"],
    ["a missing file inside the warehouse", `${wh}/${t.namespace}/fz-missing.metadata.json`],
    ["the warehouse directory", wh],
    ["the catalog database", `file://${t.outside}/../lake/catalog.db`],
  ] as const)
    out.push({
      name: `register metadata-location at ${what}`,
      method: "POST",
      target: v1(`/namespaces/${t.namespace}/register`),
      body: jsonText({ name: "fz_loc", "metadata-location": loc === "DATA_FILE" ? t.dataFile : loc }),
      expect: refused(),
    });
  return out;
}
