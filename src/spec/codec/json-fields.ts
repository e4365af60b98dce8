/**
 * Small typed accessors for decoding parsed JSON with errors that name the JSON path at
 * fault, e.g. `schemas[0].fields[2].type: expected string or object`.
 */
import { ValidationError } from "../../errors.js";
import { toBigInt, toInt } from "../json.js";

/** Nesting count of {@link decodeStrictly} calls running (synchronous decoders only). */
let strictDecoding = 0;

/**
 * Runs a synchronous decoder in strict mode, for bodies that come from outside (REST
 * requests): values are never coerced, so a number where a string is expected (a property
 * value `5`) and a numeric string where an integer is expected (`"5"`) are refused with the
 * field's path. Without it the decoders stay lenient, as metadata files written by other
 * engines need (some write property values as numbers).
 * @throws whatever `decode` throws
 */
export function decodeStrictly<T>(decode: () => T): T {
  strictDecoding++;
  try {
    return decode();
  } finally {
    strictDecoding--;
  }
}

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

/**
 * An array of strings at `path` (each element checked, never converted with `String()`).
 * @throws JsonShapeError naming the array or the element that is not a string
 */
export function asStringArray(value: unknown, path: string): string[] {
  return asArray(value, path).map((x, i) => {
    if (typeof x !== "string")
      throw new JsonShapeError(`${path}[${i}]`, `expected a string, got ${describe(x)}`);
    return x;
  });
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
  return asInt(o[key], `${path}.${key}`);
}

/**
 * An integer value at `path` (e.g. an array element) as number, by the rules of {@link reqInt}.
 * @throws JsonShapeError naming `path`
 */
export function asInt(v: unknown, at: string): number {
  if (v === undefined || v === null) throw new JsonShapeError(at, "required field is missing");
  if (strictDecoding > 0 && typeof v === "string")
    throw new JsonShapeError(at, `expected an integer, got ${describe(v)}`);
  try {
    return toInt(v, at);
  } catch (e) {
    throw new JsonShapeError(at, (e as Error).message);
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
  if (strictDecoding > 0 && typeof v === "string")
    throw new JsonShapeError(`${path}.${key}`, `expected an integer, got ${describe(v)}`);
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

/**
 * A string->string map field (absent is empty). Numbers and booleans are kept as their text,
 * except under {@link decodeStrictly}.
 * @throws JsonShapeError when a value is not a string (or, strictly, not a string).
 */
export function stringMap(o: JsonObject, key: string, path: string): Record<string, string> {
  const v = o[key];
  if (v === undefined || v === null) return {};
  const obj = asObject(v, `${path}.${key}`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj)) {
    if (typeof x !== "string") {
      // Some writers emit numbers or booleans as property values; keep their text.
      const scalar = typeof x === "number" || typeof x === "bigint" || typeof x === "boolean";
      if (scalar && strictDecoding === 0) out[k] = String(x);
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
