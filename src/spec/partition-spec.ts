/**
 * Partition specs: how partition tuples derive from rows (Iceberg spec "Partitioning",
 * "Partition Evolution", Appendix C "Partition Specs").
 */
import type { Schema } from "./schema.js";
import { resultType, type Transform, toHumanString, transformToString } from "./transform.js";
import { isPrimitive, type NestedField, type PrimitiveType, type StructType } from "./types.js";
import type { PrimitiveValue } from "./values.js";

/** First partition field id assigned by the reference implementation (v1 tables start here). */
export const PARTITION_DATA_ID_START = 1000;

/** One field of a partition spec. `sourceIds` is set for multi-argument transforms (v3). */
export interface PartitionField {
  readonly sourceId: number;
  readonly sourceIds?: readonly number[] | undefined;
  readonly fieldId: number;
  readonly name: string;
  readonly transform: Transform;
}

/** A partition spec: an id and its fields, in partition tuple order. */
export interface PartitionSpec {
  readonly specId: number;
  readonly fields: readonly PartitionField[];
}

/** The unpartitioned spec (id 0, no fields). */
export const UNPARTITIONED_SPEC: PartitionSpec = { specId: 0, fields: [] };

/** True when the spec has no fields, or only `void` fields. */
export function isUnpartitioned(spec: PartitionSpec): boolean {
  return spec.fields.every((f) => f.transform.kind === "void");
}

/** Highest partition field id in a spec, or `PARTITION_DATA_ID_START - 1` when it has none. */
export function lastAssignedFieldId(spec: PartitionSpec): number {
  return spec.fields.reduce((max, f) => Math.max(max, f.fieldId), PARTITION_DATA_ID_START - 1);
}

/**
 * The partition tuple type of a spec over a schema: a struct whose field ids are the
 * partition field ids and whose types are the transforms' result types. Fields whose source
 * column no longer exists take type `string` for unknown/void transforms.
 */
export function partitionType(spec: PartitionSpec, schema: Schema): StructType {
  const fields: NestedField[] = spec.fields.map((f) => {
    const source = schema.findField(f.sourceId);
    const sourceType: PrimitiveType = source && isPrimitive(source.type) ? source.type : { kind: "int" };
    return { id: f.fieldId, name: f.name, required: false, type: resultType(f.transform, sourceType) };
  });
  return { kind: "struct", fields };
}

/** Source column type of a partition field, or undefined when the column is gone or not primitive. */
export function sourceType(field: PartitionField, schema: Schema): PrimitiveType | undefined {
  const source = schema.findField(field.sourceId);
  return source && isPrimitive(source.type) ? source.type : undefined;
}

/** Two specs are equivalent when they have the same fields (source ids, transforms, names) in order. */
export function specsEquivalent(a: PartitionSpec, b: PartitionSpec): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i]!;
      return (
        f.sourceId === g.sourceId &&
        f.name === g.name &&
        transformToString(f.transform) === transformToString(g.transform)
      );
    })
  );
}

/** The default partition field name for a transform, as Iceberg Java's `PartitionSpec.Builder` names them (`ts_day`, `id_bucket`, `s_trunc`). */
export function defaultPartitionFieldName(sourceName: string, t: Transform): string {
  switch (t.kind) {
    case "identity":
      return sourceName;
    case "bucket":
      return `${sourceName}_bucket`;
    case "truncate":
      return `${sourceName}_trunc`;
    case "void":
      return `${sourceName}_null`;
    case "unknown":
      return `${sourceName}_${t.text}`;
    default:
      return `${sourceName}_${t.kind}`;
  }
}

/**
 * The Hive-style relative path of a partition tuple: `name=value/...` with human-readable,
 * URL-encoded values (Iceberg Java `PartitionSpec.partitionToPath`).
 */
export function partitionToPath(
  spec: PartitionSpec,
  schema: Schema,
  values: readonly (PrimitiveValue | null)[],
): string {
  return spec.fields
    .map((f, i) => {
      const st = sourceType(f, schema) ?? ({ kind: "string" } as PrimitiveType);
      return `${encodeURIComponent(f.name)}=${encodeURIComponent(toHumanString(f.transform, st, values[i] ?? null))}`;
    })
    .join("/");
}
