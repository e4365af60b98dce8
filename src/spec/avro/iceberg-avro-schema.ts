/**
 * Avro schemas for Iceberg types (Iceberg spec Appendix A "Avro"), and conversions between
 * avsc-decoded values and the in-memory representation of `values.ts`.
 */
import { bigIntToMinBytes, minBytesToBigInt } from "../conversions.js";
import { decimalRequiredBytes, type PrimitiveType } from "../types.js";
import { bytesToUuid, type PrimitiveValue, uuidToBytes } from "../values.js";

/**
 * Makes a name Avro-compatible the way Iceberg Java does (`AvroSchemaUtil.makeCompatibleName`):
 * a leading non-letter gets `_`, other invalid characters become `_x<HEX>`.
 */
export function avroCompatibleName(name: string): string {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const ok = i === 0 ? /[A-Za-z_]/.test(c) : /[A-Za-z0-9_]/.test(c);
    if (ok) out += c;
    else if (i === 0 && /[0-9]/.test(c)) out += `_${c}`;
    else out += `_x${c.charCodeAt(0).toString(16).toUpperCase()}`;
  }
  return out || "_";
}

/** The Avro schema of an Iceberg primitive; `uniqueName` names fixed types (must be unique per schema). */
export function avroPrimitiveSchema(type: PrimitiveType, uniqueName: string): unknown {
  switch (type.kind) {
    case "boolean":
    case "int":
    case "long":
    case "float":
    case "double":
    case "string":
      return type.kind;
    case "date":
      return { type: "int", logicalType: "date" };
    case "time":
      return { type: "long", logicalType: "time-micros" };
    case "timestamp":
    case "timestamptz":
      return { type: "long", logicalType: "timestamp-micros", "adjust-to-utc": type.kind === "timestamptz" };
    case "timestamp_ns":
    case "timestamptz_ns":
      return {
        type: "long",
        logicalType: "timestamp-nanos",
        "adjust-to-utc": type.kind === "timestamptz_ns",
      };
    case "uuid":
      return { type: "fixed", name: `uuid_fixed_${uniqueName}`, size: 16, logicalType: "uuid" };
    case "fixed":
      return { type: "fixed", name: `fixed_${type.length}_${uniqueName}`, size: type.length };
    case "decimal":
      return {
        type: "fixed",
        name: `decimal_${type.precision}_${type.scale}_${uniqueName}`,
        size: decimalRequiredBytes(type.precision),
        logicalType: "decimal",
        precision: type.precision,
        scale: type.scale,
      };
    default:
      return "bytes";
  }
}

/**
 * Converts an avsc-decoded value to the in-memory representation of `type`, widening as
 * promotion allows (an Avro int read as a long column becomes bigint, etc.).
 */
export function fromAvroValue(type: PrimitiveType, v: unknown): PrimitiveValue | null {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case "boolean":
      return Boolean(v);
    case "int":
    case "date":
      return Number(v);
    case "long":
    case "time":
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns":
      return typeof v === "bigint" ? v : BigInt(v as number);
    case "float":
      return Math.fround(Number(v));
    case "double":
      return Number(v);
    case "decimal":
      return Buffer.isBuffer(v) ? minBytesToBigInt(v) : BigInt(v as number);
    case "uuid":
      return Buffer.isBuffer(v) ? bytesToUuid(v) : String(v);
    case "string":
      return String(v);
    default:
      return Buffer.isBuffer(v) ? new Uint8Array(v) : (v as Uint8Array);
  }
}

/** Converts an in-memory value to what avsc writes for `type`'s Avro schema. */
export function toAvroValue(type: PrimitiveType, v: PrimitiveValue | null): unknown {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case "decimal": {
      const min = bigIntToMinBytes(v as bigint);
      const size = decimalRequiredBytes(type.precision);
      const out = Buffer.alloc(size, (v as bigint) < 0n ? 0xff : 0);
      Buffer.from(min).copy(out, size - min.length);
      return out;
    }
    case "uuid":
      return Buffer.from(uuidToBytes(v as string));
    case "fixed":
    case "binary":
    case "geometry":
    case "geography":
      return Buffer.from(v as Uint8Array);
    default:
      return v;
  }
}
