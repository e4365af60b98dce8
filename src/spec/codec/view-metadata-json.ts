/**
 * JSON codec of view metadata, view versions and view updates (Iceberg view spec, REST
 * `ViewMetadata`, `ViewVersion`, `ViewUpdate`, `ViewRequirement`).
 */
import { parseJson, stringifyJson } from "../json.js";
import type {
  SqlViewRepresentation,
  ViewMetadata,
  ViewRequirement,
  ViewUpdate,
  ViewVersion,
} from "../view-metadata.js";
import {
  asArray,
  asObject,
  asStringArray,
  JsonShapeError,
  optString,
  reqInt,
  reqLong,
  reqString,
  stringMap,
} from "./json-fields.js";
import { schemaFromJson, schemaToJson } from "./schema-json.js";

/** Decodes a view version. @throws JsonShapeError naming the path. */
export function viewVersionFromJson(json: unknown, path: string): ViewVersion {
  const o = asObject(json, path);
  const representations = asArray(o.representations, `${path}.representations`).map(
    (r, i): SqlViewRepresentation => {
      const q = `${path}.representations[${i}]`;
      const x = asObject(r, q);
      const type = reqString(x, "type", q);
      if (type !== "sql")
        throw new JsonShapeError(`${q}.type`, `unknown view representation ${JSON.stringify(type)}`);
      return { type: "sql", sql: reqString(x, "sql", q), dialect: reqString(x, "dialect", q) };
    },
  );
  return {
    versionId: reqInt(o, "version-id", path),
    schemaId: reqInt(o, "schema-id", path),
    timestampMs: Number(reqLong(o, "timestamp-ms", path)),
    summary: stringMap(o, "summary", path),
    representations,
    defaultCatalog: optString(o, "default-catalog", path),
    defaultNamespace: asStringArray(o["default-namespace"] ?? [], `${path}.default-namespace`),
  };
}

/** Encodes a view version. */
export function viewVersionToJson(v: ViewVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {
    "version-id": v.versionId,
    "schema-id": v.schemaId,
    "timestamp-ms": v.timestampMs,
    summary: { ...v.summary },
    representations: v.representations.map((r) => ({ type: r.type, sql: r.sql, dialect: r.dialect })),
    "default-namespace": [...v.defaultNamespace],
  };
  if (v.defaultCatalog !== undefined) out["default-catalog"] = v.defaultCatalog;
  return out;
}

/** Parses view metadata (text or parsed JSON). @throws JsonShapeError naming the field at fault. */
export function parseViewMetadata(input: string | unknown): ViewMetadata {
  const o = asObject(typeof input === "string" ? parseJson(input) : input, "view-metadata");
  const p = "view-metadata";
  const formatVersion = reqInt(o, "format-version", p);
  if (formatVersion !== 1)
    throw new JsonShapeError(`${p}.format-version`, `unsupported view format version ${formatVersion}`);
  const md: ViewMetadata = {
    viewUuid: reqString(o, "view-uuid", p),
    formatVersion: 1,
    location: reqString(o, "location", p),
    schemas: asArray(o.schemas, `${p}.schemas`).map((s, i) => schemaFromJson(s, `${p}.schemas[${i}]`)),
    currentVersionId: reqInt(o, "current-version-id", p),
    versions: asArray(o.versions, `${p}.versions`).map((v, i) =>
      viewVersionFromJson(v, `${p}.versions[${i}]`),
    ),
    versionLog: asArray(o["version-log"], `${p}.version-log`).map((e, i) => {
      const q = `${p}.version-log[${i}]`;
      const x = asObject(e, q);
      return { versionId: reqInt(x, "version-id", q), timestampMs: Number(reqLong(x, "timestamp-ms", q)) };
    }),
    properties: stringMap(o, "properties", p),
  };
  const current = md.versions.find((v) => v.versionId === md.currentVersionId);
  if (!current)
    throw new JsonShapeError(`${p}.current-version-id`, `no view version with id ${md.currentVersionId}`);
  if (!md.schemas.some((s) => s.schemaId === current.schemaId))
    throw new JsonShapeError(`${p}.versions`, `no schema with id ${current.schemaId}`);
  for (const [i, v] of md.versions.entries()) {
    const dialects = new Set<string>();
    for (const r of v.representations) {
      const d = r.dialect.toLowerCase();
      if (dialects.has(d))
        throw new JsonShapeError(
          `${p}.versions[${i}].representations`,
          `multiple SQL representations for dialect ${d}`,
        );
      dialects.add(d);
    }
  }
  return md;
}

/** Encodes view metadata as a JSON-ready object. */
export function viewMetadataToJson(md: ViewMetadata): Record<string, unknown> {
  return {
    "view-uuid": md.viewUuid,
    "format-version": md.formatVersion,
    location: md.location,
    schemas: md.schemas.map(schemaToJson),
    "current-version-id": md.currentVersionId,
    versions: md.versions.map(viewVersionToJson),
    "version-log": md.versionLog.map((e) => ({ "timestamp-ms": e.timestampMs, "version-id": e.versionId })),
    properties: { ...md.properties },
  };
}

/** Serializes view metadata to JSON text. */
export function serializeViewMetadata(md: ViewMetadata): string {
  return stringifyJson(viewMetadataToJson(md), 2);
}

/** Decodes a view update. @throws JsonShapeError naming the path. */
export function viewUpdateFromJson(json: unknown, path: string): ViewUpdate {
  const o = asObject(json, path);
  const action = reqString(o, "action", path);
  switch (action) {
    case "assign-uuid":
      return { action, uuid: reqString(o, "uuid", path) };
    case "upgrade-format-version":
      return { action, formatVersion: reqInt(o, "format-version", path) };
    case "add-schema":
      return { action, schema: schemaFromJson(o.schema, `${path}.schema`) };
    case "set-location":
      return { action, location: reqString(o, "location", path) };
    case "set-properties":
      return { action, updates: stringMap(o, "updates", path) };
    case "remove-properties":
      return { action, removals: asStringArray(o.removals, `${path}.removals`) };
    case "add-view-version":
      return { action, viewVersion: viewVersionFromJson(o["view-version"], `${path}.view-version`) };
    case "set-current-view-version":
      return { action, viewVersionId: reqInt(o, "view-version-id", path) };
    default:
      throw new JsonShapeError(`${path}.action`, `unknown view update ${JSON.stringify(action)}`);
  }
}

/** Encodes a view update. */
export function viewUpdateToJson(u: ViewUpdate): Record<string, unknown> {
  switch (u.action) {
    case "assign-uuid":
      return { action: u.action, uuid: u.uuid };
    case "upgrade-format-version":
      return { action: u.action, "format-version": u.formatVersion };
    case "add-schema":
      return { action: u.action, schema: schemaToJson(u.schema) };
    case "set-location":
      return { action: u.action, location: u.location };
    case "set-properties":
      return { action: u.action, updates: { ...u.updates } };
    case "remove-properties":
      return { action: u.action, removals: [...u.removals] };
    case "add-view-version":
      return { action: u.action, "view-version": viewVersionToJson(u.viewVersion) };
    case "set-current-view-version":
      return { action: u.action, "view-version-id": u.viewVersionId };
  }
}

/** Decodes a view requirement. @throws JsonShapeError for unknown types. */
export function viewRequirementFromJson(json: unknown, path: string): ViewRequirement {
  const o = asObject(json, path);
  const type = reqString(o, "type", path);
  if (type !== "assert-view-uuid")
    throw new JsonShapeError(`${path}.type`, `unknown view requirement ${JSON.stringify(type)}`);
  return { type, uuid: reqString(o, "uuid", path) };
}
