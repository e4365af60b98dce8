/**
 * Evaluates a partition predicate (references by partition field id) on one partition
 * tuple, with SQL semantics for nulls: comparisons with null are false.
 */
import type { StructType } from "../types.js";
import { compareValues, type PrimitiveValue } from "../values.js";
import { type Expression, rewriteNot } from "./expression.js";

/** Builds an evaluator over partition tuples ordered like `partitionType`'s fields. */
export function partitionEvaluator(
  partitionFilter: Expression,
  partitionType: StructType,
): (partition: readonly (PrimitiveValue | null)[]) => boolean {
  const expr = rewriteNot(partitionFilter);
  const positions = new Map(partitionType.fields.map((f, i) => [f.id, i]));
  const evaluate = (e: Expression, p: readonly (PrimitiveValue | null)[]): boolean => {
    switch (e.op) {
      case "true":
        return true;
      case "false":
        return false;
      case "and":
        return evaluate(e.left, p) && evaluate(e.right, p);
      case "or":
        return evaluate(e.left, p) || evaluate(e.right, p);
      case "not":
        return true;
      default: {
        const i = positions.get(e.ref.fieldId);
        if (i === undefined) return true;
        const v = p[i] ?? null;
        const cmp = (x: PrimitiveValue) => compareValues(e.ref.type, v as PrimitiveValue, x);
        const valueIsNaN = typeof v === "number" && Number.isNaN(v);
        switch (e.op) {
          case "isNull":
            return v === null;
          case "notNull":
            return v !== null;
          case "isNaN":
            return valueIsNaN;
          case "notNaN":
            return !valueIsNaN;
        }
        if (v === null) return false;
        switch (e.op) {
          case "lt":
            return cmp(e.value) < 0;
          case "ltEq":
            return cmp(e.value) <= 0;
          case "gt":
            return cmp(e.value) > 0;
          case "gtEq":
            return cmp(e.value) >= 0;
          case "eq":
            return cmp(e.value) === 0;
          case "notEq":
            return cmp(e.value) !== 0;
          case "startsWith":
            return String(v).startsWith(String(e.value));
          case "notStartsWith":
            return !String(v).startsWith(String(e.value));
          case "in":
            return e.values.some((x) => cmp(x) === 0);
          case "notIn":
            return !e.values.some((x) => cmp(x) === 0);
        }
        return true;
      }
    }
  };
  return (p) => evaluate(expr, p);
}
