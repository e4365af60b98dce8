/**
 * Partition transforms: identity, bucket[N], truncate[W], year, month, day, hour, void, and
 * unknown transforms kept by name (Iceberg spec "Partition Transforms", "Bucket Transform
 * Details", "Truncate Transform Details", Appendix B).
 */
import { bigIntToMinBytes, utf8Bytes } from "./conversions.js";
import { hashLong, murmur3x86_32 } from "./murmur3.js";
import type { PrimitiveType } from "./types.js";
import { Types } from "./types.js";
import {
  daysToIsoDate,
  decimalToString,
  epochToIsoTimestamp,
  microsToDays,
  type PrimitiveValue,
  uuidToBytes,
} from "./values.js";

/** A partition (or sort) transform. Unknown transforms keep their text and are ignored for pruning. */
export type Transform =
  | { readonly kind: "identity" }
  | { readonly kind: "bucket"; readonly numBuckets: number }
  | { readonly kind: "truncate"; readonly width: number }
  | { readonly kind: "year" }
  | { readonly kind: "month" }
  | { readonly kind: "day" }
  | { readonly kind: "hour" }
  | { readonly kind: "void" }
  | { readonly kind: "unknown"; readonly text: string };

/** Parses the JSON/Trino transform text, e.g. `bucket[16]`, `truncate[4]`, `day`. Unknown text yields `unknown`. */
export function parseTransform(text: string): Transform {
  const s = text.trim().toLowerCase();
  switch (s) {
    case "identity":
    case "year":
    case "month":
    case "day":
    case "hour":
    case "void":
      return { kind: s };
  }
  const b = /^bucket\[(\d+)\]$/.exec(s);
  if (b) return { kind: "bucket", numBuckets: Number(b[1]) };
  const t = /^truncate\[(\d+)\]$/.exec(s);
  if (t) return { kind: "truncate", width: Number(t[1]) };
  return { kind: "unknown", text };
}

/** The canonical text of a transform (Appendix C). */
export function transformToString(t: Transform): string {
  switch (t.kind) {
    case "bucket":
      return `bucket[${t.numBuckets}]`;
    case "truncate":
      return `truncate[${t.width}]`;
    case "unknown":
      return t.text;
    default:
      return t.kind;
  }
}

const TEMPORAL = new Set(["date", "timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns"]);
const BUCKETABLE = new Set([
  "int",
  "long",
  "decimal",
  "date",
  "time",
  "timestamp",
  "timestamptz",
  "timestamp_ns",
  "timestamptz_ns",
  "string",
  "uuid",
  "fixed",
  "binary",
]);

/** Whether `t` may be applied to a source column of `type` (spec transform table). */
export function canTransform(t: Transform, type: PrimitiveType): boolean {
  switch (t.kind) {
    case "identity":
      // Spec: any primitive but geometry and geography; variant is not primitive there (Java
      // `Identity.UNSUPPORTED_TYPES`).
      return type.kind !== "geometry" && type.kind !== "geography" && type.kind !== "variant";
    case "bucket":
      return BUCKETABLE.has(type.kind);
    case "truncate":
      return ["int", "long", "decimal", "string", "binary"].includes(type.kind);
    case "year":
    case "month":
    case "day":
      return TEMPORAL.has(type.kind);
    case "hour":
      return TEMPORAL.has(type.kind) && type.kind !== "date";
    case "void":
      return true;
    case "unknown":
      return false;
  }
}

/** The partition value type a transform produces from `source` (day -> date, others per the spec). */
export function resultType(t: Transform, source: PrimitiveType): PrimitiveType {
  switch (t.kind) {
    case "identity":
    case "truncate":
    case "void":
      return source;
    case "bucket":
    case "year":
    case "month":
    case "hour":
      return Types.int;
    case "day":
      return Types.date;
    case "unknown":
      return Types.string;
  }
}

/** Bucket hash of a value per Appendix B (before `& MAX_INT % N`). */
export function bucketHash(type: PrimitiveType, value: PrimitiveValue): number {
  switch (type.kind) {
    case "int":
    case "date":
      return hashLong(BigInt(value as number));
    case "long":
    case "time":
    case "timestamp":
    case "timestamptz":
      return hashLong(value as bigint);
    case "timestamp_ns":
    case "timestamptz_ns":
      return hashLong(floorDiv(value as bigint, 1000n));
    case "decimal":
      return murmur3x86_32(bigIntToMinBytes(value as bigint));
    case "string":
      return murmur3x86_32(utf8Bytes(value as string));
    case "uuid":
      return murmur3x86_32(uuidToBytes(value as string));
    case "fixed":
    case "binary":
      return murmur3x86_32(value as Uint8Array);
    case "float":
    case "double":
      return hashLong(doubleToLongBits(value as number));
    case "boolean":
      // Appendix B: hashInt(v) hashes like hashLong(long(v)) so that int/long promotion is stable.
      return hashLong(value ? 1n : 0n);
    default:
      throw new TypeError(`cannot bucket values of type ${type.kind}`);
  }
}

function doubleToLongBits(v: number): bigint {
  if (Number.isNaN(v)) return 0x7ff8000000000000n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v === 0 ? 0 : v);
  return view.getBigInt64(0);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function floorMod(a: bigint, b: bigint): bigint {
  return ((a % b) + b) % b;
}

/** Micros (or nanos) from epoch of a temporal value, in micros. */
function temporalMicros(type: PrimitiveType, value: PrimitiveValue): bigint {
  if (type.kind === "date") return BigInt(value as number) * 86_400_000_000n;
  if (type.kind === "timestamp_ns" || type.kind === "timestamptz_ns") return floorDiv(value as bigint, 1000n);
  return value as bigint;
}

function yearMonthOfDays(days: number): { year: number; month: number } {
  const d = new Date(days * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() };
}

/**
 * Applies a transform to a non-null source value of `type`; null in, null out.
 * @throws TypeError when the transform cannot apply to the type or is unknown.
 */
export function applyTransform(
  t: Transform,
  type: PrimitiveType,
  value: PrimitiveValue | null,
): PrimitiveValue | null {
  if (value === null || value === undefined) return null;
  switch (t.kind) {
    case "identity":
      return value;
    case "void":
      return null;
    case "bucket":
      return (bucketHash(type, value) & 0x7fffffff) % t.numBuckets;
    case "truncate":
      return truncateValue(type, value, t.width);
    case "year":
    case "month":
    case "day":
    case "hour": {
      if (t.kind === "day" && type.kind === "date") return value as number;
      const micros = temporalMicros(type, value);
      if (t.kind === "hour") return Number(floorDiv(micros, 3_600_000_000n));
      const days = microsToDays(micros);
      if (t.kind === "day") return days;
      const { year, month } = yearMonthOfDays(days);
      return t.kind === "year" ? year - 1970 : (year - 1970) * 12 + month;
    }
    case "unknown":
      throw new TypeError(`cannot apply unknown transform ${t.text}`);
  }
}

/** `truncate[W]` of a value (spec "Truncate Transform Details"). */
export function truncateValue(type: PrimitiveType, value: PrimitiveValue, width: number): PrimitiveValue {
  switch (type.kind) {
    case "int": {
      const v = value as number;
      return v - (((v % width) + width) % width);
    }
    case "long":
    case "decimal": {
      const v = value as bigint;
      return v - floorMod(v, BigInt(width));
    }
    case "string": {
      const cps = Array.from(value as string);
      return cps.length <= width ? (value as string) : cps.slice(0, width).join("");
    }
    case "binary":
    case "fixed": {
      const b = value as Uint8Array;
      return b.length <= width ? b : b.slice(0, width);
    }
    default:
      throw new TypeError(`cannot truncate values of type ${type.kind}`);
  }
}

/**
 * Whether the transform preserves order (so range predicates project through it):
 * identity, truncate and the temporal transforms.
 */
export function preservesOrder(t: Transform): boolean {
  return ["identity", "truncate", "year", "month", "day", "hour"].includes(t.kind);
}

/**
 * Human-readable partition value as Iceberg Java's `Transform.toHumanString` renders it
 * (used in partition paths and the `$partitions` table): day `2024-01-31`, month `2024-01`,
 * year `2024`, hour `2024-01-31-10`, identity per type, `null` for null.
 */
export function toHumanString(t: Transform, sourceType: PrimitiveType, value: PrimitiveValue | null): string {
  if (value === null || value === undefined) return "null";
  switch (t.kind) {
    case "year":
      return String(1970 + (value as number));
    case "month": {
      const m = value as number;
      const year = 1970 + Math.floor(m / 12);
      return `${year}-${String((((m % 12) + 12) % 12) + 1).padStart(2, "0")}`;
    }
    case "day":
      return daysToIsoDate(value as number);
    case "hour": {
      const h = value as number;
      const days = Math.floor(h / 24);
      return `${daysToIsoDate(days)}-${String(h - days * 24).padStart(2, "0")}`;
    }
    case "bucket":
      return String(value);
    default:
      return valueToHumanString(resultType(t, sourceType), value);
  }
}

/** Human-readable text of a value of a primitive type (ISO dates and timestamps, decimal text, base64 bytes). */
export function valueToHumanString(type: PrimitiveType, value: PrimitiveValue): string {
  switch (type.kind) {
    case "date":
      return daysToIsoDate(value as number);
    case "timestamp":
      return epochToIsoTimestamp(value as bigint, "micros", false);
    case "timestamptz":
      return `${epochToIsoTimestamp(value as bigint, "micros", false)}Z`;
    case "timestamp_ns":
      return epochToIsoTimestamp(value as bigint, "nanos", false);
    case "timestamptz_ns":
      return `${epochToIsoTimestamp(value as bigint, "nanos", false)}Z`;
    case "decimal":
      return decimalToString(value as bigint, type.scale);
    case "fixed":
    case "binary":
      return Buffer.from(value as Uint8Array).toString("base64");
    default:
      return String(value);
  }
}
