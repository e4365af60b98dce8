/**
 * Single-value serialization (Iceberg spec Appendix D): the binary form used for column
 * bounds and partition summaries, and the JSON form used for default values.
 */
import type { IcebergType, PrimitiveType } from "./types.js";
import {
  bytesToUuid,
  daysToIsoDate,
  decimalToString,
  epochToIsoTimestamp,
  isoDateToDays,
  isoTimestampToEpoch,
  isoTimeToMicros,
  microsToIsoTime,
  type PrimitiveValue,
  parseDecimal,
  uuidToBytes,
} from "./values.js";

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Serializes a primitive value to its binary single-value form (Appendix D).
 * @throws TypeError for types without a binary form (unknown, variant, nested).
 */
export function toBytes(type: PrimitiveType, value: PrimitiveValue): Uint8Array {
  switch (type.kind) {
    case "boolean":
      return Uint8Array.of(value ? 1 : 0);
    case "int":
    case "date": {
      const b = Buffer.alloc(4);
      b.writeInt32LE(value as number);
      return b;
    }
    case "long":
    case "time":
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns": {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(value as bigint);
      return b;
    }
    case "float": {
      const b = Buffer.alloc(4);
      b.writeFloatLE(value as number);
      return b;
    }
    case "double": {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value as number);
      return b;
    }
    case "string":
      return utf8.encode(value as string);
    case "uuid":
      return uuidToBytes(value as string);
    case "fixed":
    case "binary":
    case "geometry":
    case "geography":
      return value as Uint8Array;
    case "decimal":
      return bigIntToMinBytes(value as bigint);
    default:
      throw new TypeError(`type ${type.kind} has no binary single-value serialization`);
  }
}

/**
 * Reads a binary single-value (Appendix D) as `type`. Bounds written before a type promotion
 * are inferred by length (spec "Schema Evolution"): 4-byte bounds of a long column are ints,
 * of a double column floats, of a timestamp column dates.
 * @throws TypeError when the byte length does not fit the type.
 */
export function fromBytes(type: PrimitiveType, bytes: Uint8Array): PrimitiveValue {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type.kind) {
    case "boolean":
      return b.length > 0 && b[0] !== 0;
    case "int":
    case "date":
      expectLength(type, b, 4);
      return b.readInt32LE(0);
    case "long":
    case "time":
      if (b.length === 4) return BigInt(b.readInt32LE(0));
      expectLength(type, b, 8);
      return b.readBigInt64LE(0);
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns":
      if (b.length === 4) {
        const perDay = type.kind.endsWith("_ns") ? 86_400_000_000_000n : 86_400_000_000n;
        return BigInt(b.readInt32LE(0)) * perDay;
      }
      expectLength(type, b, 8);
      return b.readBigInt64LE(0);
    case "float":
      expectLength(type, b, 4);
      return b.readFloatLE(0);
    case "double":
      if (b.length === 4) return b.readFloatLE(0);
      expectLength(type, b, 8);
      return b.readDoubleLE(0);
    case "string":
      return utf8Decoder.decode(b);
    case "uuid":
      expectLength(type, b, 16);
      return bytesToUuid(b);
    case "fixed":
    case "binary":
    case "geometry":
    case "geography":
      return new Uint8Array(b);
    case "decimal":
      return minBytesToBigInt(b);
    default:
      throw new TypeError(`type ${type.kind} has no binary single-value serialization`);
  }
}

function expectLength(type: PrimitiveType, b: Uint8Array, n: number): void {
  if (b.length !== n) throw new TypeError(`${type.kind} value must be ${n} bytes, got ${b.length}`);
}

/** Minimal two's-complement big-endian bytes of an integer (decimal unscaled values, Appendix B/D). */
export function bigIntToMinBytes(v: bigint): Uint8Array {
  let bytes = 1;
  while (v < -(1n << BigInt(8 * bytes - 1)) || v >= 1n << BigInt(8 * bytes - 1)) bytes++;
  const out = new Uint8Array(bytes);
  let x = BigInt.asUintN(8 * bytes, v);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Integer of two's-complement big-endian bytes (any length; empty is 0). */
export function minBytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return BigInt.asIntN(8 * b.length, x);
}

/**
 * JSON single-value serialization (Appendix D) of a value of any type. Struct values are
 * objects keyed by field id (as produced by {@link fromJsonValue}), lists arrays, maps
 * `{keys, values}`.
 */
export function toJsonValue(type: IcebergType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case "boolean":
    case "int":
    case "float":
    case "double":
      return value;
    case "long":
      return value as bigint;
    case "decimal":
      return decimalToString(value as bigint, type.scale);
    case "date":
      return daysToIsoDate(value as number);
    case "time":
      return microsToIsoTime(value as bigint);
    case "timestamp":
    case "timestamptz":
      return epochToIsoTimestamp(value as bigint, "micros", type.kind === "timestamptz");
    case "timestamp_ns":
    case "timestamptz_ns":
      return epochToIsoTimestamp(value as bigint, "nanos", type.kind === "timestamptz_ns");
    case "string":
    case "uuid":
      return value;
    case "fixed":
    case "binary":
      return Buffer.from(value as Uint8Array).toString("hex");
    case "struct": {
      const v = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of type.fields)
        if (v[String(f.id)] !== undefined) out[String(f.id)] = toJsonValue(f.type, v[String(f.id)]);
      return out;
    }
    case "list":
      return (value as unknown[]).map((e) => toJsonValue(type.element, e));
    case "map": {
      const m = value as { keys: unknown[]; values: unknown[] };
      return {
        keys: m.keys.map((k) => toJsonValue(type.key, k)),
        values: m.values.map((v) => toJsonValue(type.value, v)),
      };
    }
    default:
      return value;
  }
}

/**
 * Reads a JSON single-value (Appendix D) into the in-memory representation of `values.ts`.
 * @throws TypeError naming the type and value when the JSON does not fit the type.
 */
export function fromJsonValue(type: IcebergType, json: unknown): unknown {
  if (json === null || json === undefined) return null;
  const fail = (): never => {
    throw new TypeError(`JSON value ${JSON.stringify(String(json))} is not a valid ${type.kind}`);
  };
  switch (type.kind) {
    case "boolean":
      return typeof json === "boolean" ? json : fail();
    case "int":
      return typeof json === "number" && Number.isInteger(json) ? json : fail();
    case "long":
      return typeof json === "bigint"
        ? json
        : typeof json === "number" && Number.isInteger(json)
          ? BigInt(json)
          : fail();
    case "float":
    case "double": {
      const n = typeof json === "number" ? json : typeof json === "bigint" ? Number(json) : fail();
      return type.kind === "float" ? Math.fround(n) : n;
    }
    case "decimal":
      return typeof json === "string" || typeof json === "number"
        ? parseDecimal(String(json), type.scale)
        : fail();
    case "date":
      return typeof json === "string" ? isoDateToDays(json) : fail();
    case "time":
      return typeof json === "string" ? isoTimeToMicros(json) : fail();
    case "timestamp":
    case "timestamptz":
      return typeof json === "string" ? isoTimestampToEpoch(json, "micros") : fail();
    case "timestamp_ns":
    case "timestamptz_ns":
      return typeof json === "string" ? isoTimestampToEpoch(json, "nanos") : fail();
    case "string":
      return typeof json === "string" ? json : fail();
    case "uuid":
      return typeof json === "string" ? bytesToUuid(uuidToBytes(json)) : fail();
    case "fixed":
    case "binary":
      return typeof json === "string" && /^([0-9a-fA-F]{2})*$/.test(json)
        ? new Uint8Array(Buffer.from(json, "hex"))
        : fail();
    case "struct": {
      if (typeof json !== "object" || Array.isArray(json)) return fail();
      const obj = json as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of type.fields)
        if (obj[String(f.id)] !== undefined) out[String(f.id)] = fromJsonValue(f.type, obj[String(f.id)]);
      return out;
    }
    case "list":
      return Array.isArray(json) ? json.map((e) => fromJsonValue(type.element, e)) : fail();
    case "map": {
      const m = json as { keys?: unknown; values?: unknown };
      if (!Array.isArray(m.keys) || !Array.isArray(m.values)) return fail();
      return {
        keys: m.keys.map((k) => fromJsonValue(type.key, k)),
        values: m.values.map((v) => fromJsonValue(type.value, v)),
      };
    }
    default:
      return json;
  }
}

/** UTF-8 bytes of a string (bucket hashing and truncation helpers). */
export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

/** Parses a value given as SQL/ISO text into the in-memory representation of `type`. */
export function parseValueText(type: PrimitiveType, text: string): PrimitiveValue {
  switch (type.kind) {
    case "boolean":
      return /^(true|1)$/i.test(text);
    case "int":
    case "date":
      return type.kind === "date" && /-/.test(text.slice(1))
        ? isoDateToDays(text)
        : Number.parseInt(text, 10);
    case "long":
      return BigInt(text);
    case "time":
      return isoTimeToMicros(text);
    case "timestamp":
    case "timestamptz":
      return isoTimestampToEpoch(text, "micros");
    case "timestamp_ns":
    case "timestamptz_ns":
      return isoTimestampToEpoch(text, "nanos");
    case "float":
      return Math.fround(Number(text));
    case "double":
      return Number(text);
    case "decimal":
      return parseDecimal(text, type.scale);
    case "uuid":
      return bytesToUuid(uuidToBytes(text));
    case "fixed":
    case "binary":
      return new Uint8Array(Buffer.from(text, "hex"));
    default:
      return text;
  }
}
