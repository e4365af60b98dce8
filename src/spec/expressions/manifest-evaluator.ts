/**
 * Decides from a manifest's partition field summaries whether it might contain files whose
 * partitions match a partition predicate (Iceberg spec "Scan Planning"; iceberg-python
 * `_ManifestEvalVisitor`). Unknown summaries mean "might match".
 */
import { fromBytes } from "../conversions.js";
import type { FieldSummary, ManifestFile } from "../manifest-file.js";
import type { StructType } from "../types.js";
import { compareValues, type PrimitiveValue } from "../values.js";
import { type BoundReference, type Expression, rewriteNot } from "./expression.js";

/**
 * Builds an evaluator of a partition predicate (references by partition field id) over
 * manifests written with a spec whose partition struct is `partitionType`.
 */
export function manifestEvaluator(
  partitionFilter: Expression,
  partitionType: StructType,
): (m: ManifestFile) => boolean {
  const expr = rewriteNot(partitionFilter);
  const positions = new Map(partitionType.fields.map((f, i) => [f.id, i]));
  return (m) => {
    if (!m.partitions || m.partitions.length === 0) return true;
    const summaryOf = (ref: BoundReference): FieldSummary | undefined => {
      const i = positions.get(ref.fieldId);
      return i === undefined ? undefined : m.partitions![i];
    };
    return evaluate(expr, summaryOf);
  };
}

function evaluate(e: Expression, summaryOf: (r: BoundReference) => FieldSummary | undefined): boolean {
  if (e.op === "true") return true;
  if (e.op === "false") return false;
  if (e.op === "and") return evaluate(e.left, summaryOf) && evaluate(e.right, summaryOf);
  if (e.op === "or") return evaluate(e.left, summaryOf) || evaluate(e.right, summaryOf);
  if (e.op === "not") return true;
  const s = summaryOf(e.ref);
  if (!s) return true;
  const lower = decode(e.ref, s.lowerBound);
  const upper = decode(e.ref, s.upperBound);
  // Bounds cover non-null, non-NaN values only: without a lower bound, no comparison can match
  // (iceberg-python's _ManifestEvalVisitor treats a missing bound the same way).
  const noValues = s.lowerBound === undefined;
  const cmp = (a: PrimitiveValue, b: PrimitiveValue) => compareValues(e.ref.type, a, b);
  switch (e.op) {
    case "isNull":
      return s.containsNull;
    case "notNull":
      return !(noValues && s.containsNull && (s.containsNan === false || !FLOATS.has(e.ref.type.kind)));
    case "isNaN":
      return s.containsNan !== false;
    case "notNaN":
      return true;
    case "lt":
      return !noValues && (lower === undefined || cmp(lower, e.value) < 0);
    case "ltEq":
      return !noValues && (lower === undefined || cmp(lower, e.value) <= 0);
    case "gt":
      return !noValues && (upper === undefined || cmp(upper, e.value) > 0);
    case "gtEq":
      return !noValues && (upper === undefined || cmp(upper, e.value) >= 0);
    case "eq":
      if (noValues) return false;
      if (lower !== undefined && cmp(lower, e.value) > 0) return false;
      if (upper !== undefined && cmp(upper, e.value) < 0) return false;
      return true;
    case "in":
      if (noValues || e.values.length === 0) return false;
      return e.values.some(
        (v) => (lower === undefined || cmp(lower, v) <= 0) && (upper === undefined || cmp(upper, v) >= 0),
      );
    case "startsWith": {
      if (noValues) return false;
      const p = String(e.value);
      if (typeof lower === "string" && cmp(lower.slice(0, p.length), p) > 0) return false;
      if (typeof upper === "string" && cmp(upper.slice(0, p.length), p) < 0) return false;
      return true;
    }
    default:
      return true;
  }
}

const FLOATS = new Set(["float", "double"]);

function decode(ref: BoundReference, b: Uint8Array | undefined): PrimitiveValue | undefined {
  if (b === undefined) return undefined;
  try {
    return fromBytes(ref.type, b);
  } catch {
    return undefined;
  }
}
