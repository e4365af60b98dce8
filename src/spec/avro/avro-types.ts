/**
 * avsc type construction with Avro `long` decoded as `bigint` (Iceberg snapshot ids and
 * sequence numbers exceed 2^53). Implements avsc's documented `LongType.__with` hook.
 */
import avro from "avsc";

/** Scratch buffer of `toBuffer`: avsc packs the 8 bytes into its output at once. */
const SCRATCH = Buffer.alloc(8);

/** An Avro long type whose values are `bigint` (also accepts `number` when writing). */
export const BIGINT_LONG: avro.Type = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint | number) => {
    if (typeof n === "number") {
      // Safe integers: two 32-bit halves, no bigint allocation.
      SCRATCH.writeInt32LE(n | 0, 0);
      SCRATCH.writeInt32LE(Math.floor(n / 2 ** 32), 4);
    } else SCRATCH.writeBigInt64LE(n);
    return SCRATCH;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === "bigint" || (typeof n === "number" && Number.isInteger(n)),
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/**
 * Builds an avsc Type from an Avro schema (JSON object) with bigint longs. Logical types are
 * left undecoded (dates as ints, decimals as fixed bytes); callers convert by Iceberg type.
 * @throws Error from avsc when the schema is invalid.
 */
export function avroType(schema: unknown): avro.Type {
  const key = JSON.stringify(schema);
  const hit = typeCache.get(key);
  if (hit) return hit;
  const type = avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: BIGINT_LONG },
    wrapUnions: "auto",
    // Longs written as objects ({"type": "long", "logicalType": ...}) bypass the registry.
    typeHook: (s: avro.Schema) =>
      typeof s === "object" && s !== null && (s as { type?: unknown }).type === "long"
        ? BIGINT_LONG
        : undefined,
  });
  if (typeCache.size >= TYPE_CACHE_MAX) typeCache.delete(typeCache.keys().next().value as string);
  typeCache.set(key, type);
  return type;
}

/** Types by schema text: building one is costly and manifests share a handful of schemas. */
const typeCache = new Map<string, avro.Type>();
const TYPE_CACHE_MAX = 256;
