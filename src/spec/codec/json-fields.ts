/**
 * Small typed accessors for decoding parsed JSON with errors that name the JSON path at
 * fault, e.g. `schemas[0].fields[2].type: expected string or object`.
 */
import { ValidationError } from "../../errors.js";
import { toBigInt, toInt } from "../json.js";

/** A JSON object being decoded, with its path for messages. */
export type JsonObject = Record<string, unknown>;

/**
 * Thrown when JSON does not have the expected shape; `path` names the field. A
 * ValidationError, so the REST server answers 400 `BadRequestException`.
 */
export class JsonShapeError extends ValidationError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "JsonShapeError";
    this.path = path;
  }
}

/** Asserts `value` is a JSON object. @throws JsonShapeError */
export function asObject(value: unknown, path: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new JsonShapeError(path, `expected an object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

/** Asserts `value` is an array. @throws JsonShapeError */
export function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new JsonShapeError(path, `expected an array, got ${describe(value)}`);
  return value;
}

/** A required string field. @throws JsonShapeError */
export function reqString(o: JsonObject, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== "string")
    throw new JsonShapeError(`${path}.${key}`, `expected a string, got ${describe(v)}`);
  return v;
}

/** An optional string field. @throws JsonShapeError when present and not a string. */
export function optString(o: JsonObject, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string")
    throw new JsonShapeError(`${path}.${key}`, `expected a string, got ${describe(v)}`);
  return v;
}

/** A required integer field as number. @throws JsonShapeError */
export function reqInt(o: JsonObject, key: string, path: string): number {
  const v = o[key];
  if (v === undefined || v === null) throw new JsonShapeError(`${path}.${key}`, "required field is missing");
  try {
    return toInt(v, `${path}.${key}`);
  } catch (e) {
    throw new JsonShapeError(`${path}.${key}`, (e as Error).message);
  }
}

/** An optional integer field as number. */
export function optInt(o: JsonObject, key: string, path: string): number | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqInt(o, key, path);
}

/** A required long field as bigint. @throws JsonShapeError */
export function reqLong(o: JsonObject, key: string, path: string): bigint {
  const v = o[key];
  if (v === undefined || v === null) throw new JsonShapeError(`${path}.${key}`, "required field is missing");
  try {
    return toBigInt(v, `${path}.${key}`);
  } catch (e) {
    throw new JsonShapeError(`${path}.${key}`, (e as Error).message);
  }
}

/** An optional long field as bigint. */
export function optLong(o: JsonObject, key: string, path: string): bigint | undefined {
  return o[key] === undefined || o[key] === null ? undefined : reqLong(o, key, path);
}

/** A required boolean field. @throws JsonShapeError */
export function reqBool(o: JsonObject, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== "boolean")
    throw new JsonShapeError(`${path}.${key}`, `expected a boolean, got ${describe(v)}`);
  return v;
}

/** A string->string map field (absent is empty). @throws JsonShapeError when a value is not a string. */
export function stringMap(o: JsonObject, key: string, path: string): Record<string, string> {
  const v = o[key];
  if (v === undefined || v === null) return {};
  const obj = asObject(v, `${path}.${key}`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj)) {
    if (typeof x !== "string") {
      // Some writers emit numbers or booleans as property values; keep their text.
      if (typeof x === "number" || typeof x === "bigint" || typeof x === "boolean") out[k] = String(x);
      else throw new JsonShapeError(`${path}.${key}.${k}`, `expected a string, got ${describe(x)}`);
    } else out[k] = x;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(String(v)).slice(0, 40)}`;
}
