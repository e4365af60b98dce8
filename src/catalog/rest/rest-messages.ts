/**
 * Request and response bodies of the Iceberg REST catalog API (OpenAPI
 * `rest-catalog-open-api.yaml`, Iceberg 1.11): kebab-case JSON <-> domain objects, shared
 * by our REST server and our REST client. Decoders throw JsonShapeError (a 400
 * `BadRequestException`) naming the JSON path of the field at fault; request decoders run
 * under `decodeStrictly` (no value coerced: a property value `5` or an id `"5"` is refused).
 */

import {
  asArray,
  asObject,
  decodeStrictly,
  type JsonObject,
  JsonShapeError,
  optString,
  reqString,
  stringMap,
} from "../../spec/codec/json-fields.js";
import {
  partitionSpecFromJson,
  partitionSpecToJson,
  sortOrderFromJson,
  sortOrderToJson,
} from "../../spec/codec/partition-spec-json.js";
import { schemaFromJson, schemaToJson } from "../../spec/codec/schema-json.js";
import { parseTableMetadata, tableMetadataToJson } from "../../spec/codec/table-metadata-json.js";
import {
  tableRequirementFromJson,
  tableRequirementToJson,
  tableUpdateFromJson,
  tableUpdateToJson,
} from "../../spec/codec/table-update-json.js";
import {
  parseViewMetadata,
  viewMetadataToJson,
  viewRequirementFromJson,
  viewUpdateFromJson,
  viewUpdateToJson,
  viewVersionFromJson,
  viewVersionToJson,
} from "../../spec/codec/view-metadata-json.js";
import type { Namespace, TableIdentifier } from "../../spec/identifier.js";
import type { PartitionSpec } from "../../spec/partition-spec.js";
import type { Schema } from "../../spec/schema.js";
import type { SortOrder } from "../../spec/sort-order.js";
import type { TableMetadata } from "../../spec/table-metadata.js";
import type { TableRequirement, TableUpdate } from "../../spec/table-update.js";
import type { ViewMetadata, ViewRequirement, ViewUpdate, ViewVersion } from "../../spec/view-metadata.js";

/** The unit separator, the REST spec's default namespace level separator in URLs. */
export const NAMESPACE_SEPARATOR = "\u001f";

/** A namespace as one URL path segment: levels joined by `separator`, then percent-encoded. */
export function encodeNamespace(ns: Namespace, separator = NAMESPACE_SEPARATOR): string {
  return encodeURIComponent(ns.join(separator));
}

/**
 * A namespace from a decoded path segment or `parent` query value, split at `separator` and
 * always at `0x1F` (the spec asks servers to accept both).
 */
export function decodeNamespace(text: string, separator = NAMESPACE_SEPARATOR): Namespace {
  if (text === "") return [];
  const parts =
    separator === NAMESPACE_SEPARATOR
      ? text.split(NAMESPACE_SEPARATOR)
      : text.split(NAMESPACE_SEPARATOR).flatMap((p) => p.split(separator));
  return parts;
}

/** Decodes a JSON `Namespace` (array of strings). */
export function namespaceFromJson(json: unknown, path: string): Namespace {
  return asArray(json, path).map((x, i) => {
    if (typeof x !== "string") throw new JsonShapeError(`${path}[${i}]`, "namespace levels must be strings");
    return x;
  });
}

/** Decodes a `TableIdentifier`. */
export function identifierFromJson(json: unknown, path: string): TableIdentifier {
  const o = asObject(json, path);
  return { namespace: namespaceFromJson(o.namespace, `${path}.namespace`), name: reqString(o, "name", path) };
}

/** Encodes a `TableIdentifier`. */
export function identifierToJson(id: TableIdentifier): JsonObject {
  return { namespace: [...id.namespace], name: id.name };
}

/** REST `CreateNamespaceRequest`. */
export interface CreateNamespaceRequest {
  readonly namespace: Namespace;
  readonly properties: Record<string, string>;
}

/**
 * Decodes a REST `CreateNamespaceRequest` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function createNamespaceRequestFromJson(json: unknown): CreateNamespaceRequest {
  return decodeStrictly(() => {
    const o = asObject(json, "body");
    return {
      namespace: namespaceFromJson(o.namespace, "body.namespace"),
      properties: stringMap(o, "properties", "body"),
    };
  });
}

/** REST `UpdateNamespacePropertiesRequest`. */
export interface UpdateNamespacePropertiesRequest {
  readonly removals: string[];
  readonly updates: Record<string, string>;
}

/**
 * Decodes a REST `UpdateNamespacePropertiesRequest` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function updateNamespacePropertiesRequestFromJson(json: unknown): UpdateNamespacePropertiesRequest {
  return decodeStrictly(() => {
    const o = asObject(json, "body");
    const removals = asArray(o.removals ?? [], "body.removals").map((x, i) => {
      if (typeof x !== "string") throw new JsonShapeError(`body.removals[${i}]`, "expected a string");
      return x;
    });
    return { removals, updates: stringMap(o, "updates", "body") };
  });
}

/** REST `CreateTableRequest`. */
export interface CreateTableRequest {
  readonly name: string;
  readonly location?: string | undefined;
  readonly schema: Schema;
  readonly partitionSpec?: PartitionSpec | undefined;
  readonly writeOrder?: SortOrder | undefined;
  readonly stageCreate: boolean;
  readonly properties: Record<string, string>;
}

/**
 * Decodes a REST `CreateTableRequest` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function createTableRequestFromJson(json: unknown): CreateTableRequest {
  return decodeStrictly(() => {
    const o = asObject(json, "body");
    const stage = o["stage-create"];
    if (stage !== undefined && stage !== null && typeof stage !== "boolean")
      throw new JsonShapeError("body.stage-create", "expected a boolean");
    return {
      name: reqString(o, "name", "body"),
      location: optString(o, "location", "body"),
      schema: schemaFromJson(o.schema, "body.schema"),
      partitionSpec:
        o["partition-spec"] == null
          ? undefined
          : partitionSpecFromJson(o["partition-spec"], "body.partition-spec"),
      writeOrder:
        o["write-order"] == null ? undefined : sortOrderFromJson(o["write-order"], "body.write-order"),
      stageCreate: stage === true,
      properties: stringMap(o, "properties", "body"),
    };
  });
}

/** Encodes a REST `CreateTableRequest` as a value for `stringifyJson` (Iceberg REST OpenAPI). */
export function createTableRequestToJson(r: CreateTableRequest): JsonObject {
  const out: JsonObject = {
    name: r.name,
    schema: schemaToJson(r.schema),
    "stage-create": r.stageCreate,
    properties: { ...r.properties },
  };
  if (r.location !== undefined) out.location = r.location;
  if (r.partitionSpec) out["partition-spec"] = partitionSpecToJson(r.partitionSpec);
  if (r.writeOrder) out["write-order"] = sortOrderToJson(r.writeOrder);
  return out;
}

/** REST `RegisterTableRequest` (and `RegisterViewRequest`, which has no `overwrite`). */
export interface RegisterRequest {
  readonly name: string;
  readonly metadataLocation: string;
  readonly overwrite: boolean;
}

/**
 * Decodes a REST `RegisterTableRequest` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function registerRequestFromJson(json: unknown): RegisterRequest {
  return decodeStrictly(() => {
    const o = asObject(json, "body");
    const overwrite = o.overwrite;
    if (overwrite !== undefined && overwrite !== null && typeof overwrite !== "boolean")
      throw new JsonShapeError("body.overwrite", "expected a boolean");
    return {
      name: reqString(o, "name", "body"),
      metadataLocation: reqString(o, "metadata-location", "body"),
      overwrite: overwrite === true,
    };
  });
}

/** REST `RenameTableRequest` (tables and views). */
export interface RenameRequest {
  readonly source: TableIdentifier;
  readonly destination: TableIdentifier;
}

/**
 * Decodes a REST `RenameTableRequest` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function renameRequestFromJson(json: unknown): RenameRequest {
  return decodeStrictly(() => {
    const o = asObject(json, "body");
    return {
      source: identifierFromJson(o.source, "body.source"),
      destination: identifierFromJson(o.destination, "body.destination"),
    };
  });
}

/** REST `CommitTableRequest`. */
export interface CommitTableRequest {
  readonly identifier?: TableIdentifier | undefined;
  readonly requirements: TableRequirement[];
  readonly updates: TableUpdate[];
}

/**
 * Decodes a REST `CommitTableRequest` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function commitTableRequestFromJson(json: unknown, path = "body"): CommitTableRequest {
  return decodeStrictly(() => {
    const o = asObject(json, path);
    return {
      identifier: o.identifier == null ? undefined : identifierFromJson(o.identifier, `${path}.identifier`),
      requirements: asArray(o.requirements ?? [], `${path}.requirements`).map((r, i) =>
        tableRequirementFromJson(r, `${path}.requirements[${i}]`),
      ),
      updates: asArray(o.updates, `${path}.updates`).map((u, i) =>
        tableUpdateFromJson(u, `${path}.updates[${i}]`),
      ),
    };
  });
}

/** Encodes a REST `CommitTableRequest` as a value for `stringifyJson` (Iceberg REST OpenAPI). */
export function commitTableRequestToJson(r: CommitTableRequest): JsonObject {
  const out: JsonObject = {
    requirements: r.requirements.map(tableRequirementToJson),
    updates: r.updates.map(tableUpdateToJson),
  };
  if (r.identifier) out.identifier = identifierToJson(r.identifier);
  return out;
}

/**
 * REST `CommitTransactionRequest`: at least one change (as Iceberg Java's
 * `CommitTransactionRequest.validate`: "Invalid table changes: empty"), each naming its table.
 * @throws JsonShapeError naming the field at fault
 */
export function commitTransactionRequestFromJson(json: unknown): Required<CommitTableRequest>[] {
  return decodeStrictly(() => {
    const o = asObject(json, "body");
    const changes = asArray(o["table-changes"], "body.table-changes");
    if (changes.length === 0) throw new JsonShapeError("body.table-changes", "must name at least one change");
    return changes.map((c, i) => {
      const path = `body.table-changes[${i}]`;
      const r = commitTableRequestFromJson(c, path);
      if (!r.identifier) throw new JsonShapeError(`${path}.identifier`, "required field is missing");
      return { identifier: r.identifier, requirements: r.requirements, updates: r.updates };
    });
  });
}

/** REST `LoadTableResult` / `CommitTableResponse` (metadata location null for a staged create). */
export interface LoadTableResult {
  readonly metadataLocation: string | null;
  readonly metadata: TableMetadata;
  readonly config: Record<string, string>;
  /** REST `StorageCredential`s: storage settings by location prefix (vended credentials). */
  readonly storageCredentials?: readonly { prefix: string; config: Record<string, string> }[] | undefined;
}

/** Encodes a REST `LoadTableResult` as a value for `stringifyJson` (Iceberg REST OpenAPI). */
export function loadTableResultToJson(r: LoadTableResult): JsonObject {
  return {
    "metadata-location": r.metadataLocation,
    metadata: tableMetadataToJson(r.metadata),
    config: { ...r.config },
  };
}

/**
 * Decodes a REST `LoadTableResult` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function loadTableResultFromJson(json: unknown): LoadTableResult {
  const o = asObject(json, "response");
  const loc = o["metadata-location"];
  return {
    metadataLocation: typeof loc === "string" ? loc : null,
    metadata: parseTableMetadata(asObject(o.metadata, "response.metadata")),
    config: stringMap(o, "config", "response"),
    storageCredentials: Array.isArray(o["storage-credentials"])
      ? o["storage-credentials"].map((c, i) => {
          const path = `response.storage-credentials[${i}]`;
          const obj = asObject(c, path);
          return { prefix: reqString(obj, "prefix", path), config: stringMap(obj, "config", path) };
        })
      : undefined,
  };
}

/** REST `CreateViewRequest`. */
export interface CreateViewRequest {
  readonly name: string;
  readonly location?: string | undefined;
  readonly schema: Schema;
  readonly viewVersion: ViewVersion;
  readonly properties: Record<string, string>;
}

/**
 * Decodes a REST `CreateViewRequest` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function createViewRequestFromJson(json: unknown): CreateViewRequest {
  return decodeStrictly(() => {
    const o = asObject(json, "body");
    return {
      name: reqString(o, "name", "body"),
      location: optString(o, "location", "body"),
      schema: schemaFromJson(o.schema, "body.schema"),
      viewVersion: viewVersionFromJson(o["view-version"], "body.view-version"),
      properties: stringMap(o, "properties", "body"),
    };
  });
}

/** Encodes a REST `CreateViewRequest` as a value for `stringifyJson` (Iceberg REST OpenAPI). */
export function createViewRequestToJson(r: CreateViewRequest): JsonObject {
  const out: JsonObject = {
    name: r.name,
    schema: schemaToJson(r.schema),
    "view-version": viewVersionToJson(r.viewVersion),
    properties: { ...r.properties },
  };
  if (r.location !== undefined) out.location = r.location;
  return out;
}

/** REST `CommitViewRequest`. */
export interface CommitViewRequest {
  readonly identifier?: TableIdentifier | undefined;
  readonly requirements: ViewRequirement[];
  readonly updates: ViewUpdate[];
}

/**
 * Decodes a REST `CommitViewRequest` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function commitViewRequestFromJson(json: unknown): CommitViewRequest {
  return decodeStrictly(() => {
    const o = asObject(json, "body");
    return {
      identifier: o.identifier == null ? undefined : identifierFromJson(o.identifier, "body.identifier"),
      requirements: asArray(o.requirements ?? [], "body.requirements").map((r, i) =>
        viewRequirementFromJson(r, `body.requirements[${i}]`),
      ),
      updates: asArray(o.updates, "body.updates").map((u, i) => viewUpdateFromJson(u, `body.updates[${i}]`)),
    };
  });
}

/** Encodes a REST `CommitViewRequest` as a value for `stringifyJson` (Iceberg REST OpenAPI). */
export function commitViewRequestToJson(r: CommitViewRequest): JsonObject {
  const out: JsonObject = {
    requirements: r.requirements.map((x) => ({ type: x.type, uuid: x.uuid })),
    updates: r.updates.map(viewUpdateToJson),
  };
  if (r.identifier) out.identifier = identifierToJson(r.identifier);
  return out;
}

/** REST `LoadViewResult`. */
export interface LoadViewResult {
  readonly metadataLocation: string;
  readonly metadata: ViewMetadata;
  readonly config: Record<string, string>;
}

/** Encodes a REST `LoadViewResult` as a value for `stringifyJson` (Iceberg REST OpenAPI). */
export function loadViewResultToJson(r: LoadViewResult): JsonObject {
  return {
    "metadata-location": r.metadataLocation,
    metadata: viewMetadataToJson(r.metadata),
    config: { ...r.config },
  };
}

/**
 * Decodes a REST `LoadViewResult` (Iceberg REST OpenAPI schema of that name).
 * @throws JsonShapeError naming the JSON path (e.g. `body.name`) of a missing or mistyped field;
 * ValidationError for values the spec does not allow
 */
export function loadViewResultFromJson(json: unknown): LoadViewResult {
  const o = asObject(json, "response");
  return {
    metadataLocation: reqString(o, "metadata-location", "response"),
    metadata: parseViewMetadata(asObject(o.metadata, "response.metadata")),
    config: stringMap(o, "config", "response"),
  };
}
