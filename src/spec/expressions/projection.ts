/**
 * Inclusive projection of a row filter onto a partition spec: a partition predicate that
 * matches every partition that could hold a matching row (Iceberg spec "Scan Planning";
 * Iceberg Java `Projections.inclusive` and `ProjectionUtil`). Unknown and void transforms
 * project to true.
 */
import type { PartitionField, PartitionSpec } from "../partition-spec.js";
import type { Schema } from "../schema.js";
import { applyTransform, resultType, type Transform } from "../transform.js";
import { isPrimitive, type PrimitiveType } from "../types.js";
import type { PrimitiveValue } from "../values.js";
import { and, type BoundReference, type Expression, or, rewriteNot, TRUE } from "./expression.js";

/** Projects a row filter (references by column id) onto `spec` (references by partition field id). */
export function projectInclusive(filter: Expression, spec: PartitionSpec, schema: Schema): Expression {
  const visit = (e: Expression): Expression => {
    switch (e.op) {
      case "true":
      case "false":
        return e;
      case "and":
        return and(visit(e.left), visit(e.right));
      case "or":
        return or(visit(e.left), visit(e.right));
      case "not":
        return TRUE;
      default: {
        // A column may feed several partition fields; each projection must hold.
        let out: Expression = TRUE;
        for (const pf of spec.fields) {
          if (pf.sourceId !== e.ref.fieldId) continue;
          out = and(out, projectPredicate(e, pf, schema));
        }
        return out;
      }
    }
  };
  return visit(rewriteNot(filter));
}

function projectPredicate(
  e: Exclude<Expression, { op: "true" | "false" | "and" | "or" | "not" }>,
  pf: PartitionField,
  schema: Schema,
): Expression {
  const source = schema.findField(pf.sourceId);
  if (!source || !isPrimitive(source.type)) return TRUE;
  const t = pf.transform;
  if (t.kind === "void" || t.kind === "unknown") return TRUE;
  const ref: BoundReference = { fieldId: pf.fieldId, type: resultType(t, source.type), name: pf.name };
  const apply = (v: PrimitiveValue) => applyTransform(t, e.ref.type, v) as PrimitiveValue;
  switch (e.op) {
    case "isNull":
    case "notNull":
      // Transforms map null to null and non-null to non-null (except void, handled above).
      return { op: e.op, ref };
    case "isNaN":
    case "notNaN":
      return t.kind === "identity" ? { op: e.op, ref } : TRUE;
    case "in":
      if (t.kind === "identity" || t.kind === "bucket" || isOrderPreserving(t)) {
        return { op: "in", ref, values: dedupe(e.values.map(apply)) };
      }
      return TRUE;
    case "notIn":
      return t.kind === "identity" ? { op: "notIn", ref, values: e.values } : TRUE;
    case "notEq":
    case "notStartsWith":
      return t.kind === "identity" ? { op: e.op, ref, value: e.value } : TRUE;
    case "eq":
      return { op: "eq", ref, value: apply(e.value) };
    case "startsWith":
      if (t.kind === "identity") return { op: "startsWith", ref, value: e.value };
      if (t.kind === "truncate" && e.ref.type.kind === "string") {
        const prefix = e.value as string;
        const truncated = apply(prefix) as string;
        return Array.from(prefix).length <= t.width
          ? { op: "startsWith", ref, value: truncated }
          : { op: "eq", ref, value: truncated };
      }
      return TRUE;
    default: {
      if (t.kind === "identity") return { op: e.op, ref, value: e.value };
      if (t.kind === "bucket") return TRUE;
      // Order-preserving transforms (truncate, year, month, day, hour): widen strict bounds.
      const discrete = isDiscrete(e.ref.type);
      switch (e.op) {
        case "lt":
          return discrete
            ? { op: "ltEq", ref, value: apply(step(e.ref.type, e.value, -1)) }
            : { op: "ltEq", ref, value: apply(e.value) };
        case "ltEq":
          return { op: "ltEq", ref, value: apply(e.value) };
        case "gt":
          return discrete
            ? { op: "gtEq", ref, value: apply(step(e.ref.type, e.value, 1)) }
            : { op: "gtEq", ref, value: apply(e.value) };
        case "gtEq":
          return { op: "gtEq", ref, value: apply(e.value) };
      }
      return TRUE;
    }
  }
}

function isOrderPreserving(t: Transform): boolean {
  return ["truncate", "year", "month", "day", "hour"].includes(t.kind);
}

/** Types whose values have a successor/predecessor (integers, dates, times, timestamps, decimals). */
function isDiscrete(type: PrimitiveType): boolean {
  return [
    "int",
    "long",
    "date",
    "time",
    "timestamp",
    "timestamptz",
    "timestamp_ns",
    "timestamptz_ns",
    "decimal",
  ].includes(type.kind);
}

function step(type: PrimitiveType, v: PrimitiveValue, by: 1 | -1): PrimitiveValue {
  if (type.kind === "int" || type.kind === "date") return (v as number) + by;
  return (v as bigint) + BigInt(by);
}

function dedupe(values: PrimitiveValue[]): PrimitiveValue[] {
  const seen = new Set<string>();
  const out: PrimitiveValue[] = [];
  for (const v of values) {
    const k = v instanceof Uint8Array ? `b:${Buffer.from(v).toString("hex")}` : `${typeof v}:${String(v)}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}
