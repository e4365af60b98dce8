/**
 * Iceberg views (Iceberg view spec "View Metadata", REST `ViewUpdate`/`ViewRequirement`):
 * domain model and the application of view updates with Iceberg Java's
 * `ViewMetadata.Builder` semantics (equivalent versions reuse their id, `-1` = last added,
 * one SQL representation per dialect, `version.history.num-entries` versions kept).
 */
import { InvalidArgumentError } from "../errors.js";
import { validatePropertyKey } from "./identifier.js";
import type { Schema } from "./schema.js";
import { typesEqual } from "./types.js";

/** A SQL representation of a view version. */
export interface SqlViewRepresentation {
  readonly type: "sql";
  readonly sql: string;
  readonly dialect: string;
}

/** One immutable version of a view. */
export interface ViewVersion {
  readonly versionId: number;
  readonly schemaId: number;
  readonly timestampMs: number;
  readonly summary: Readonly<Record<string, string>>;
  readonly representations: readonly SqlViewRepresentation[];
  readonly defaultCatalog?: string | undefined;
  readonly defaultNamespace: readonly string[];
}

/** A version log entry: `current-version-id` became `versionId` at `timestampMs`. */
export interface ViewHistoryEntry {
  readonly versionId: number;
  readonly timestampMs: number;
}

/** View metadata. */
export interface ViewMetadata {
  readonly viewUuid: string;
  readonly formatVersion: 1;
  readonly location: string;
  readonly schemas: readonly Schema[];
  readonly currentVersionId: number;
  readonly versions: readonly ViewVersion[];
  readonly versionLog: readonly ViewHistoryEntry[];
  readonly properties: Readonly<Record<string, string>>;
}

/** One view metadata change (REST `ViewUpdate`). */
export type ViewUpdate =
  | { readonly action: "assign-uuid"; readonly uuid: string }
  | { readonly action: "upgrade-format-version"; readonly formatVersion: number }
  | { readonly action: "add-schema"; readonly schema: Schema; readonly lastColumnId?: number | undefined }
  | { readonly action: "set-location"; readonly location: string }
  | { readonly action: "set-properties"; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: "remove-properties"; readonly removals: readonly string[] }
  | { readonly action: "add-view-version"; readonly viewVersion: ViewVersion }
  | { readonly action: "set-current-view-version"; readonly viewVersionId: number };

/** A view commit precondition (REST `ViewRequirement`). */
export type ViewRequirement = { readonly type: "assert-view-uuid"; readonly uuid: string };

/** The current version of a view. @throws ValidationError when missing (corrupt metadata). */
export function currentViewVersion(md: ViewMetadata): ViewVersion {
  const v = md.versions.find((x) => x.versionId === md.currentVersionId);
  if (!v) throw new InvalidArgumentError(`view has no version ${md.currentVersionId}`);
  return v;
}

/** The schema of the current version. */
export function currentViewSchema(md: ViewMetadata): Schema {
  const v = currentViewVersion(md);
  const s = md.schemas.find((x) => x.schemaId === v.schemaId);
  if (!s) throw new InvalidArgumentError(`view has no schema ${v.schemaId}`);
  return s;
}

function sameVersion(a: ViewVersion, b: ViewVersion): boolean {
  return (
    a.schemaId === b.schemaId &&
    a.defaultCatalog === b.defaultCatalog &&
    a.defaultNamespace.join("\u001f") === b.defaultNamespace.join("\u001f") &&
    a.representations.length === b.representations.length &&
    a.representations.every((r, i) => {
      const s = b.representations[i]!;
      return r.sql === s.sql && r.dialect.toLowerCase() === s.dialect.toLowerCase();
    })
  );
}

/**
 * Applies view updates to `base` (undefined when creating a view).
 * @throws ValidationError naming the update at fault.
 */
export function applyViewUpdates(
  base: ViewMetadata | undefined,
  updates: readonly ViewUpdate[],
  nowMs = Date.now(),
): ViewMetadata {
  const md: {
    -readonly [K in keyof ViewMetadata]: ViewMetadata[K];
  } = base
    ? { ...base }
    : {
        viewUuid: "",
        formatVersion: 1,
        location: "",
        schemas: [],
        currentVersionId: -1,
        versions: [],
        versionLog: [],
        properties: {},
      };
  let lastSchemaId: number | undefined;
  let lastVersionId: number | undefined;
  const added = new Set<number>();
  for (const [i, u] of updates.entries()) {
    const where = `updates[${i}] (${u.action})`;
    switch (u.action) {
      case "assign-uuid":
        if (base && base.viewUuid !== u.uuid)
          throw new InvalidArgumentError(`${where}: cannot reassign the UUID of a view`);
        md.viewUuid = u.uuid;
        break;
      case "upgrade-format-version":
        if (u.formatVersion !== 1)
          throw new InvalidArgumentError(`${where}: unsupported view format version ${u.formatVersion}`);
        break;
      case "add-schema": {
        const existing = md.schemas.find((s) => typesEqual(s.asStruct(), u.schema.asStruct()));
        if (existing) lastSchemaId = existing.schemaId;
        else {
          const id = md.schemas.length === 0 ? 0 : Math.max(...md.schemas.map((s) => s.schemaId)) + 1;
          md.schemas = [...md.schemas, u.schema.schemaId === id ? u.schema : u.schema.withSchemaId(id)];
          lastSchemaId = id;
        }
        break;
      }
      case "set-location":
        md.location = u.location.replace(/\/+$/, "");
        break;
      case "set-properties":
        for (const k of Object.keys(u.updates)) validatePropertyKey(k, "view property key");
        md.properties = { ...md.properties, ...u.updates };
        break;
      case "remove-properties":
        md.properties = Object.fromEntries(
          Object.entries(md.properties).filter(([k]) => !u.removals.includes(k)),
        );
        break;
      case "add-view-version": {
        // A version without a query cannot be read by any engine.
        if (u.viewVersion.representations.length === 0)
          throw new InvalidArgumentError(
            `${where}: Invalid view version: it has no representations (no SQL)`,
          );
        const dialects = new Set<string>();
        for (const r of u.viewVersion.representations) {
          const d = r.dialect.toLowerCase();
          if (dialects.has(d))
            throw new InvalidArgumentError(
              `${where}: Invalid view version: Cannot add multiple queries for dialect ${d}`,
            );
          dialects.add(d);
        }
        const schemaId = u.viewVersion.schemaId === -1 ? lastSchemaId : u.viewVersion.schemaId;
        if (schemaId === undefined || !md.schemas.some((s) => s.schemaId === schemaId)) {
          throw new InvalidArgumentError(`${where}: Cannot find schema with id ${u.viewVersion.schemaId}`);
        }
        const version: ViewVersion = { ...u.viewVersion, schemaId };
        const existing = md.versions.find((v) => sameVersion(v, version));
        if (existing) {
          lastVersionId = existing.versionId;
          break;
        }
        const id =
          md.versions.length === 0
            ? Math.max(1, version.versionId)
            : Math.max(...md.versions.map((v) => v.versionId)) + 1;
        md.versions = [...md.versions, { ...version, versionId: id }];
        added.add(id);
        lastVersionId = id;
        break;
      }
      case "set-current-view-version": {
        const id = u.viewVersionId === -1 ? lastVersionId : u.viewVersionId;
        if (id === undefined)
          throw new InvalidArgumentError(`${where}: no view version was added in this commit (-1)`);
        const v = md.versions.find((x) => x.versionId === id);
        if (!v)
          throw new InvalidArgumentError(`${where}: Cannot set current version to unknown version: ${id}`);
        if (md.currentVersionId !== id) {
          md.currentVersionId = id;
          md.versionLog = [
            ...md.versionLog,
            { versionId: id, timestampMs: added.has(id) ? v.timestampMs : nowMs },
          ];
        }
        break;
      }
      default:
        throw new InvalidArgumentError(`${where}: unknown view update`);
    }
  }
  if (!md.viewUuid) throw new InvalidArgumentError("view metadata needs a UUID");
  if (!md.location) throw new InvalidArgumentError("view metadata needs a location");
  if (!md.versions.some((v) => v.versionId === md.currentVersionId))
    throw new InvalidArgumentError("view metadata needs a current version");
  const keep = Math.max(1, Number(md.properties["version.history.num-entries"] ?? 10));
  if (md.versions.length > keep) {
    const sorted = [...md.versions].sort((a, b) => b.versionId - a.versionId);
    const retained = new Set(sorted.slice(0, keep).map((v) => v.versionId));
    retained.add(md.currentVersionId);
    md.versions = md.versions.filter((v) => retained.has(v.versionId));
    md.versionLog = md.versionLog.filter((e) => retained.has(e.versionId));
  }
  return md;
}
