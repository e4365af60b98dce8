/**
 * JSON with 64-bit integers: integers outside JavaScript's safe range parse as `bigint`,
 * and `bigint` values stringify as plain JSON numbers. Iceberg snapshot ids are longs that
 * routinely exceed 2^53 (see lakekeeper#986); never hold them in a `number`.
 *
 * Both directions run on the engine's native JSON: integers of 16 or more digits (the only
 * ones that can exceed 2^53) are first turned into marked strings by a scan that skips
 * string literals, and turned back by a walk over the result; `bigint`s are written as
 * marked strings and unquoted afterwards. On metadata files of thousands of snapshots this
 * is 3-4x faster than a JavaScript JSON parser (lossless-json) both ways.
 */

import { randomUUID } from "node:crypto";
import { DEFAULT_MAX_JSON_DEPTH, findStrictJsonIssue, type StrictJsonIssue } from "./json-strict.js";

const MARK = "\u0000\u0001bigint:";
/** The marker as it is written inside a JSON string literal. */
const MARK_TEXT = "\\u0000\\u0001bigint:";
const MARKED = /"\\u0000\\u0001bigint:(-?\d+)"/g;

function unmark(value: string): number | bigint {
  const big = BigInt(value.slice(MARK.length));
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

/** Replaces marked strings by their integers, in place (faster than a JSON.parse reviver). */
function revive(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith(MARK) ? unmark(value) : value;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v === "object" || (typeof v === "string" && v.charCodeAt(0) === 0)) value[i] = revive(v);
    }
    return value;
  }
  const o = value as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v === "object" || (typeof v === "string" && v.charCodeAt(0) === 0)) o[k] = revive(v);
  }
  return o;
}

/** Options of {@link parseJson}. */
export interface ParseJsonOptions {
  /**
   * Also refuse duplicate object keys, numbers beyond a double's range (`1e999999`) and
   * nesting deeper than `maxDepth` (see `json-strict.ts`); for text from outside, such as
   * request bodies. Default false: metadata files are parsed as fast as possible.
   */
  readonly strict?: boolean | undefined;
  /** Deepest nesting accepted in strict mode (default {@link DEFAULT_MAX_JSON_DEPTH}). */
  readonly maxDepth?: number | undefined;
}

/** A strict-mode refusal of {@link parseJson}: a SyntaxError with the issue's path and position. */
export class StrictJsonError extends SyntaxError {
  readonly issue: StrictJsonIssue;
  constructor(issue: StrictJsonIssue) {
    super(`${issue.message} at line ${issue.line}, column ${issue.column}`);
    this.name = "StrictJsonError";
    this.issue = issue;
  }
}

/**
 * Parses JSON text. Safe integers become `number`, larger integers `bigint`, others `number`.
 * @throws SyntaxError with the position of the first error; StrictJsonError (a SyntaxError)
 * in strict mode for a duplicate key, a non-finite number or too deep nesting.
 */
export function parseJson(text: string, opts?: ParseJsonOptions): unknown {
  if (!opts?.strict) return parseLenient(text);
  const issue = findStrictJsonIssue(text, opts.maxDepth);
  if (issue?.kind === "too-deep") throw new StrictJsonError(issue);
  const value = parseLenient(text); // syntax errors first: they make the scan meaningless
  if (issue) throw new StrictJsonError(issue);
  return value;
}

function parseLenient(text: string): unknown {
  const prepared = markLongIntegers(text);
  if (prepared === undefined) return JSON.parse(text);
  try {
    return revive(JSON.parse(prepared));
  } catch (e) {
    JSON.parse(text); // reports the position in the original text
    throw e;
  }
}

/**
 * Quotes (with the marker) every integer token of 16 or more digits outside string
 * literals; undefined when there is none.
 */
function markLongIntegers(text: string): string | undefined {
  let out: string[] | undefined;
  let last = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip a string literal (escapes included).
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
      continue;
    }
    if ((c < 48 || c > 57) && c !== 45) continue;
    let j = c === 45 ? i + 1 : i;
    const digits = j;
    while (j < n && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const next = j < n ? text.charCodeAt(j) : 0;
    if (j - digits >= 16 && next !== 46 && next !== 101 && next !== 69) {
      out ??= [];
      out.push(text.slice(last, i), `"${MARK_TEXT}`, text.slice(i, j), '"');
      last = j;
    }
    // Skip the rest of the number token (fraction, exponent).
    while (j < n) {
      const d = text.charCodeAt(j);
      if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) j++;
      else break;
    }
    i = j - 1;
  }
  if (!out) return undefined;
  out.push(text.slice(last));
  return out.join("");
}

type WithToJson = { toJSON?: (this: bigint) => string };
function bigintToJson(this: bigint): string {
  return `${MARK}${this}`;
}

// The marker carries a per-process nonce, so that no string in the data can pass for one.
const RAW_NONCE = randomUUID();
const RAW_MARK = `\u0000\u0002raw:${RAW_NONCE}:`;
const RAW_MARKED = new RegExp(`"\\\\u0000\\\\u0002raw:${RAW_NONCE}:(\\d+)"`, "g");
/** Texts of the {@link RawJson} values met by the running {@link stringifyJson}. */
let rawTexts: string[] | undefined;

/**
 * Text that is already JSON, spliced verbatim where it appears in a value given to
 * {@link stringifyJson}. Serializing a large structure whose parts are immutable and cached
 * as text (the snapshots of table metadata) then costs a concatenation, not a walk.
 */
export class RawJson {
  /** @param text one complete JSON value (not checked) */
  constructor(readonly text: string) {}

  /** Called by `JSON.stringify`: a marker that {@link stringifyJson} replaces by the text. */
  toJSON(): string {
    if (!rawTexts) throw new TypeError("RawJson is only serialized by stringifyJson");
    rawTexts.push(this.text);
    return `${RAW_MARK}${rawTexts.length - 1}`;
  }
}

const rawCaches = new Map<string, WeakMap<object, RawJson>>();

/**
 * The {@link RawJson} of an immutable object under `encoding`, computed once per object
 * (cached weakly, so it lives as long as the object).
 * @param encoding names the encoding, e.g. `snapshot-v2`; one cache per name
 */
export function cachedRawJson<T extends object>(
  value: T,
  encoding: string,
  encode: (value: T) => unknown,
): RawJson {
  let cache = rawCaches.get(encoding);
  if (!cache) {
    cache = new WeakMap();
    rawCaches.set(encoding, cache);
  }
  let raw = cache.get(value);
  if (!raw) {
    raw = new RawJson(stringifyJson(encode(value)));
    cache.set(value, raw);
  }
  return raw;
}

/**
 * Serializes a value to JSON; `bigint` values are written as JSON numbers.
 * @param indent spaces of indentation (default none).
 */
export function stringifyJson(value: unknown, indent?: number): string {
  // BigInt.prototype.toJSON (set only for this synchronous call) is much cheaper than a replacer.
  const proto = BigInt.prototype as unknown as WithToJson;
  const saved = proto.toJSON;
  const savedRaw = rawTexts;
  proto.toJSON = bigintToJson;
  const raws: string[] = [];
  rawTexts = raws;
  let out: string | undefined;
  try {
    out = JSON.stringify(value, undefined, indent);
  } finally {
    if (saved === undefined) delete proto.toJSON;
    else proto.toJSON = saved;
    rawTexts = savedRaw;
  }
  if (out === undefined) throw new TypeError("value cannot be serialized to JSON");
  if (out.includes("bigint:")) out = out.replace(MARKED, "$1");
  return raws.length === 0 ? out : out.replace(RAW_MARKED, (_, i: string) => raws[Number(i)]!);
}

/**
 * Reads a JSON number (or numeric string) as a `bigint`.
 * @throws TypeError naming `field` when the value is not an integer.
 */
export function toBigInt(value: unknown, field: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`${field} must be an integer, got ${JSON.stringify(String(value))}`);
}

/**
 * Reads a JSON number as a 32-bit-safe `number`.
 * @throws TypeError naming `field` when the value is not a safe integer.
 */
export function toInt(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (
    typeof value === "bigint" &&
    value >= BigInt(Number.MIN_SAFE_INTEGER) &&
    value <= BigInt(Number.MAX_SAFE_INTEGER)
  ) {
    return Number(value);
  }
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  throw new TypeError(`${field} must be an integer, got ${JSON.stringify(String(value))}`);
}
