/**
 * Iceberg data types: primitives, struct, list and map, with field ids.
 *
 * Implements the Iceberg table spec, "Schemas and Data Types" and Appendix C (JSON type
 * strings). Domain types are plain readonly objects discriminated by `kind`; the JSON wire form
 * lives in `schema-codec.ts`.
 */

/** Names of the primitive types without parameters (Iceberg spec, "Primitive Types"). */
export type SimplePrimitiveKind =
  | "unknown"
  | "boolean"
  | "int"
  | "long"
  | "float"
  | "double"
  | "date"
  | "time"
  | "timestamp"
  | "timestamptz"
  | "timestamp_ns"
  | "timestamptz_ns"
  | "string"
  | "uuid"
  | "binary"
  | "variant";

/** A primitive type without parameters, e.g. `{ kind: "long" }`. */
export interface SimplePrimitiveType {
  readonly kind: SimplePrimitiveKind;
}

/** `decimal(P,S)`: precision 1..38, scale 0..P. */
export interface DecimalType {
  readonly kind: "decimal";
  readonly precision: number;
  readonly scale: number;
}

/** `fixed[L]`: a byte array of exactly `length` bytes. */
export interface FixedType {
  readonly kind: "fixed";
  readonly length: number;
}

/** Geospatial types of format v3, kept opaque (read as WKB binary). */
export interface GeoType {
  readonly kind: "geometry" | "geography";
  /** The type string as written, e.g. `geometry(srid:4326)`. */
  readonly text: string;
}

/** Any primitive type. */
export type PrimitiveType = SimplePrimitiveType | DecimalType | FixedType | GeoType;

/**
 * A field of a struct (or of the schema, which is a struct).
 * `initialDefault`/`writeDefault` are values in the in-memory representation of
 * `values.ts` (spec "Default values").
 */
export interface NestedField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string | undefined;
  readonly initialDefault?: unknown;
  readonly writeDefault?: unknown;
}

/** `struct<...>`: an ordered list of named, id'd fields. */
export interface StructType {
  readonly kind: "struct";
  readonly fields: readonly NestedField[];
}

/** `list<element>` with the element's field id. */
export interface ListType {
  readonly kind: "list";
  readonly elementId: number;
  readonly elementRequired: boolean;
  readonly element: IcebergType;
}

/** `map<key, value>` with key and value field ids; keys are always required. */
export interface MapType {
  readonly kind: "map";
  readonly keyId: number;
  readonly key: IcebergType;
  readonly valueId: number;
  readonly valueRequired: boolean;
  readonly value: IcebergType;
}

/** Any Iceberg type. */
export type IcebergType = PrimitiveType | StructType | ListType | MapType;

const SIMPLE_KINDS: ReadonlySet<string> = new Set<SimplePrimitiveKind>([
  "unknown",
  "boolean",
  "int",
  "long",
  "float",
  "double",
  "date",
  "time",
  "timestamp",
  "timestamptz",
  "timestamp_ns",
  "timestamptz_ns",
  "string",
  "uuid",
  "binary",
  "variant",
]);

/** Shorthands for the parameterless primitive types, e.g. `Types.long`. */
export const Types = {
  unknown: { kind: "unknown" },
  boolean: { kind: "boolean" },
  int: { kind: "int" },
  long: { kind: "long" },
  float: { kind: "float" },
  double: { kind: "double" },
  date: { kind: "date" },
  time: { kind: "time" },
  timestamp: { kind: "timestamp" },
  timestamptz: { kind: "timestamptz" },
  timestampNs: { kind: "timestamp_ns" },
  timestamptzNs: { kind: "timestamptz_ns" },
  string: { kind: "string" },
  uuid: { kind: "uuid" },
  binary: { kind: "binary" },
  variant: { kind: "variant" },
} as const satisfies Record<string, SimplePrimitiveType>;

/**
 * Builds `decimal(precision, scale)`.
 * @throws RangeError when precision is outside 1..38 or scale outside 0..precision.
 */
export function decimalType(precision: number, scale: number): DecimalType {
  if (!Number.isInteger(precision) || precision < 1 || precision > 38) {
    throw new RangeError(`decimal precision must be 1..38, got ${precision}`);
  }
  if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
    throw new RangeError(`decimal scale must be 0..${precision}, got ${scale}`);
  }
  return { kind: "decimal", precision, scale };
}

/**
 * Builds `fixed[length]`.
 * @throws RangeError when length is not a positive integer.
 */
export function fixedType(length: number): FixedType {
  if (!Number.isInteger(length) || length < 1)
    throw new RangeError(`fixed length must be positive, got ${length}`);
  return { kind: "fixed", length };
}

/** True for primitive types (everything but struct, list and map). */
export function isPrimitive(type: IcebergType): type is PrimitiveType {
  return type.kind !== "struct" && type.kind !== "list" && type.kind !== "map";
}

/** True for struct, list and map. */
export function isNested(type: IcebergType): type is StructType | ListType | MapType {
  return !isPrimitive(type);
}

/**
 * The canonical type string of a primitive (Appendix C), e.g. `decimal(9,2)`, `fixed[16]`.
 * Nested types render as `struct<...>`, `list<...>`, `map<...>` for messages only.
 */
export function typeToString(type: IcebergType): string {
  switch (type.kind) {
    case "decimal":
      return `decimal(${type.precision},${type.scale})`;
    case "fixed":
      return `fixed[${type.length}]`;
    case "geometry":
    case "geography":
      return type.text;
    case "struct":
      return `struct<${type.fields.map((f) => `${f.name}: ${typeToString(f.type)}`).join(", ")}>`;
    case "list":
      return `list<${typeToString(type.element)}>`;
    case "map":
      return `map<${typeToString(type.key)}, ${typeToString(type.value)}>`;
    default:
      return type.kind;
  }
}

/**
 * Parses a primitive type string (Appendix C), accepting optional whitespace in parameters.
 * @throws TypeError naming the string when it is not a known primitive type.
 */
export function parsePrimitiveType(text: string): PrimitiveType {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (SIMPLE_KINDS.has(lower)) return { kind: lower as SimplePrimitiveKind };
  const dec = /^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/i.exec(s);
  if (dec) return decimalType(Number(dec[1]), Number(dec[2]));
  const fixed = /^fixed\s*\[\s*(\d+)\s*\]$/i.exec(s);
  if (fixed) return fixedType(Number(fixed[1]));
  if (/^geometry(\s*\(.*\))?$/i.test(s)) return { kind: "geometry", text: s };
  if (/^geography(\s*\(.*\))?$/i.test(s)) return { kind: "geography", text: s };
  throw new TypeError(`unknown Iceberg primitive type: ${JSON.stringify(text)}`);
}

/** Structural equality of two types, including field ids, names, requiredness and docs (defaults are not compared). */
export function typesEqual(a: IcebergType, b: IcebergType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "decimal":
      return a.precision === (b as DecimalType).precision && a.scale === (b as DecimalType).scale;
    case "fixed":
      return a.length === (b as FixedType).length;
    case "geometry":
    case "geography":
      return a.text === (b as GeoType).text;
    case "list": {
      const l = b as ListType;
      return (
        a.elementId === l.elementId &&
        a.elementRequired === l.elementRequired &&
        typesEqual(a.element, l.element)
      );
    }
    case "map": {
      const m = b as MapType;
      return (
        a.keyId === m.keyId &&
        a.valueId === m.valueId &&
        a.valueRequired === m.valueRequired &&
        typesEqual(a.key, m.key) &&
        typesEqual(a.value, m.value)
      );
    }
    case "struct": {
      const s = b as StructType;
      return (
        a.fields.length === s.fields.length &&
        a.fields.every((f, i) => {
          const g = s.fields[i]!;
          return (
            f.id === g.id &&
            f.name === g.name &&
            f.required === g.required &&
            f.doc === g.doc &&
            typesEqual(f.type, g.type)
          );
        })
      );
    }
    default:
      return true;
  }
}

/**
 * Whether `from` may be promoted to `to` (spec "Schema Evolution", valid type promotions):
 * int->long, float->double, decimal(P,S)->decimal(P',S) with P' > P, and for format v3+
 * unknown->any and date->timestamp/timestamp_ns. Identical primitives also return true.
 */
export function isPromotionAllowed(from: PrimitiveType, to: PrimitiveType, formatVersion = 2): boolean {
  if (typesEqual(from, to)) return true;
  if (from.kind === "int" && to.kind === "long") return true;
  if (from.kind === "float" && to.kind === "double") return true;
  if (from.kind === "decimal" && to.kind === "decimal")
    return to.scale === from.scale && to.precision > from.precision;
  if (formatVersion >= 3) {
    if (from.kind === "unknown") return true;
    if (from.kind === "date" && (to.kind === "timestamp" || to.kind === "timestamp_ns")) return true;
  }
  return false;
}

/** Minimum bytes of a two's-complement integer holding any unscaled value of `precision` digits. */
export function decimalRequiredBytes(precision: number): number {
  let bytes = 1;
  const max = 10n ** BigInt(precision);
  while (2n ** BigInt(8 * bytes - 1) < max) bytes++;
  return bytes;
}
