/**
 * JSON codec of types and schemas (Iceberg spec Appendix C "Schemas"), including field
 * default values in the JSON single-value form (Appendix D).
 */
import { fromJsonValue, toJsonValue } from "../conversions.js";
import { Schema } from "../schema.js";
import { type IcebergType, type NestedField, parsePrimitiveType, typeToString } from "../types.js";
import {
  asArray,
  asInt,
  asObject,
  JsonShapeError,
  optInt,
  optString,
  reqBool,
  reqInt,
  reqString,
} from "./json-fields.js";

/** Decodes a type from JSON. @throws JsonShapeError naming the path. */
export function typeFromJson(json: unknown, path: string): IcebergType {
  if (typeof json === "string") {
    try {
      return parsePrimitiveType(json);
    } catch (e) {
      throw new JsonShapeError(path, (e as Error).message);
    }
  }
  const o = asObject(json, path);
  const kind = reqString(o, "type", path);
  switch (kind) {
    case "struct":
      return {
        kind: "struct",
        fields: asArray(o.fields, `${path}.fields`).map((f, i) => fieldFromJson(f, `${path}.fields[${i}]`)),
      };
    case "list":
      return {
        kind: "list",
        elementId: reqInt(o, "element-id", path),
        elementRequired: reqBool(o, "element-required", path),
        element: typeFromJson(o.element, `${path}.element`),
      };
    case "map":
      return {
        kind: "map",
        keyId: reqInt(o, "key-id", path),
        key: typeFromJson(o.key, `${path}.key`),
        valueId: reqInt(o, "value-id", path),
        valueRequired: reqBool(o, "value-required", path),
        value: typeFromJson(o.value, `${path}.value`),
      };
    default:
      throw new JsonShapeError(`${path}.type`, `unknown nested type ${JSON.stringify(kind)}`);
  }
}

/** Decodes a struct field from JSON. @throws JsonShapeError naming the path. */
export function fieldFromJson(json: unknown, path: string): NestedField {
  const o = asObject(json, path);
  const type = typeFromJson(o.type, `${path}.type`);
  const decodeDefault = (key: string) => {
    if (o[key] === undefined) return undefined;
    try {
      return fromJsonValue(type, o[key]);
    } catch (e) {
      throw new JsonShapeError(`${path}.${key}`, (e as Error).message);
    }
  };
  return {
    id: reqInt(o, "id", path),
    name: reqString(o, "name", path),
    required: reqBool(o, "required", path),
    type,
    doc: optString(o, "doc", path),
    initialDefault: decodeDefault("initial-default"),
    writeDefault: decodeDefault("write-default"),
  };
}

/** Encodes a type to JSON. */
export function typeToJson(type: IcebergType): unknown {
  switch (type.kind) {
    case "struct":
      return { type: "struct", fields: type.fields.map(fieldToJson) };
    case "list":
      return {
        type: "list",
        "element-id": type.elementId,
        element: typeToJson(type.element),
        "element-required": type.elementRequired,
      };
    case "map":
      return {
        type: "map",
        "key-id": type.keyId,
        key: typeToJson(type.key),
        "value-id": type.valueId,
        value: typeToJson(type.value),
        "value-required": type.valueRequired,
      };
    default:
      return typeToString(type);
  }
}

/** Encodes a struct field to JSON (omitting absent doc and defaults). */
export function fieldToJson(f: NestedField): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.id,
    name: f.name,
    required: f.required,
    type: typeToJson(f.type),
  };
  if (f.doc !== undefined) out.doc = f.doc;
  if (f.initialDefault !== undefined) out["initial-default"] = toJsonValue(f.type, f.initialDefault);
  if (f.writeDefault !== undefined) out["write-default"] = toJsonValue(f.type, f.writeDefault);
  return out;
}

/** Decodes a schema; `schema-id` defaults to `defaultId` (v1 schemas may omit it). */
export function schemaFromJson(json: unknown, path: string, defaultId = 0): Schema {
  const o = asObject(json, path);
  if (o.type !== undefined && o.type !== "struct")
    throw new JsonShapeError(`${path}.type`, "a schema must be a struct");
  const fields = asArray(o.fields, `${path}.fields`).map((f, i) => fieldFromJson(f, `${path}.fields[${i}]`));
  const ids =
    o["identifier-field-ids"] === undefined || o["identifier-field-ids"] === null
      ? []
      : asArray(o["identifier-field-ids"], `${path}.identifier-field-ids`);
  return new Schema(
    optInt(o, "schema-id", path) ?? defaultId,
    fields,
    ids.map((x, i) => asInt(x, `${path}.identifier-field-ids[${i}]`)),
  );
}

/** Encodes a schema to JSON. */
export function schemaToJson(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "struct", "schema-id": schema.schemaId };
  if (schema.identifierFieldIds.length > 0) out["identifier-field-ids"] = [...schema.identifierFieldIds];
  out.fields = schema.fields.map(fieldToJson);
  return out;
}
