/**
 * JSON with 64-bit integers: integers outside JavaScript's safe range parse as `bigint`,
 * and `bigint` values stringify as plain JSON numbers. Iceberg snapshot ids are longs that
 * routinely exceed 2^53 (see lakekeeper#986); never hold them in a `number`.
 */
import { parse, stringify } from "lossless-json";

function parseNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number.parseFloat(text);
}

/**
 * Parses JSON text. Safe integers become `number`, larger integers `bigint`, others `number`.
 * @throws SyntaxError with the position of the first error.
 */
export function parseJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

/**
 * Serializes a value to JSON; `bigint` values are written as JSON numbers.
 * @param indent spaces of indentation (default none).
 */
export function stringifyJson(value: unknown, indent?: number): string {
  const out = stringify(value, undefined, indent);
  if (out === undefined) throw new TypeError("value cannot be serialized to JSON");
  return out;
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
