/**
 * avsc type construction with Avro `long` decoded as `bigint` (Iceberg snapshot ids and
 * sequence numbers exceed 2^53). Implements avsc's documented `LongType.__with` hook.
 */
import avro from "avsc";

/** An Avro long type whose values are `bigint` (also accepts `number` when writing). */
export const BIGINT_LONG: avro.Type = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
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
  return avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: BIGINT_LONG },
    wrapUnions: "auto",
    // Longs written as objects ({"type": "long", "logicalType": ...}) bypass the registry.
    typeHook: (s: avro.Schema) =>
      typeof s === "object" && s !== null && (s as { type?: unknown }).type === "long"
        ? BIGINT_LONG
        : undefined,
  });
}
