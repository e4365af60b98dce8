/**
 * Decides from a data (or delete) file's column metrics whether it might contain rows
 * matching a filter (Iceberg spec "Scan Planning"; iceberg-python
 * `_InclusiveMetricsEvaluator`). Returns true ("might match") whenever metrics are missing.
 */
import { fromBytes } from "../conversions.js";
import type { DataFile } from "../manifest-entry.js";
import { compareValues, type PrimitiveValue } from "../values.js";
import { type BoundReference, type Expression, rewriteNot } from "./expression.js";

const FLOATS = new Set(["float", "double"]);

/**
 * Builds an evaluator for a filter. `includeEmptyFiles` keeps files with zero records (off by
 * default: they hold no rows).
 */
export function inclusiveMetricsEvaluator(
  filter: Expression,
  includeEmptyFiles = false,
): (file: DataFile) => boolean {
  const expr = rewriteNot(filter);
  return (file) => {
    if (file.recordCount === 0n && !includeEmptyFiles) return false;
    if (file.recordCount < 0n) return true; // Older Spark wrote -1 for unknown counts.
    return evaluate(expr, file);
  };
}

function evaluate(e: Expression, f: DataFile): boolean {
  switch (e.op) {
    case "true":
      return true;
    case "false":
      return false;
    case "and":
      return evaluate(e.left, f) && evaluate(e.right, f);
    case "or":
      return evaluate(e.left, f) || evaluate(e.right, f);
    case "not":
      return true; // rewriteNot removed these; be conservative.
    case "isNull": {
      const nulls = f.nullValueCounts?.get(e.ref.fieldId);
      return !(nulls !== undefined && nulls === 0n);
    }
    case "notNull":
      return !allNulls(f, e.ref);
    case "isNaN": {
      const nans = f.nanValueCounts?.get(e.ref.fieldId);
      if (nans !== undefined && nans === 0n) return false;
      return !allNulls(f, e.ref);
    }
    case "notNaN":
      return !allNaNs(f, e.ref);
    case "lt":
    case "ltEq": {
      if (skipNullsOrNaNs(f, e.ref)) return false;
      const lower = bound(f.lowerBounds, e.ref);
      if (lower === undefined) return true;
      const c = compareValues(e.ref.type, lower, e.value);
      return e.op === "lt" ? c < 0 : c <= 0;
    }
    case "gt":
    case "gtEq": {
      if (skipNullsOrNaNs(f, e.ref)) return false;
      const upper = bound(f.upperBounds, e.ref);
      if (upper === undefined) return true;
      const c = compareValues(e.ref.type, upper, e.value);
      return e.op === "gt" ? c > 0 : c >= 0;
    }
    case "eq": {
      if (skipNullsOrNaNs(f, e.ref)) return false;
      const lower = bound(f.lowerBounds, e.ref);
      if (lower !== undefined && compareValues(e.ref.type, lower, e.value) > 0) return false;
      const upper = bound(f.upperBounds, e.ref);
      if (upper !== undefined && compareValues(e.ref.type, upper, e.value) < 0) return false;
      return true;
    }
    case "notEq":
    case "notIn":
    case "notStartsWith":
      return true;
    case "in": {
      if (skipNullsOrNaNs(f, e.ref)) return false;
      if (e.values.length === 0) return false;
      const lower = bound(f.lowerBounds, e.ref);
      const upper = bound(f.upperBounds, e.ref);
      return e.values.some(
        (v) =>
          (lower === undefined || compareValues(e.ref.type, lower, v) <= 0) &&
          (upper === undefined || compareValues(e.ref.type, upper, v) >= 0),
      );
    }
    case "startsWith": {
      if (skipNullsOrNaNs(f, e.ref)) return false;
      const prefix = String(e.value);
      const lower = bound(f.lowerBounds, e.ref) as string | undefined;
      const upper = bound(f.upperBounds, e.ref) as string | undefined;
      if (lower !== undefined && compareValues(e.ref.type, lower.slice(0, prefix.length), prefix) > 0)
        return false;
      if (upper !== undefined && compareValues(e.ref.type, upper.slice(0, prefix.length), prefix) < 0)
        return false;
      return true;
    }
  }
}

function allNulls(f: DataFile, ref: BoundReference): boolean {
  const values = f.valueCounts?.get(ref.fieldId);
  const nulls = f.nullValueCounts?.get(ref.fieldId);
  return values !== undefined && nulls !== undefined && values === nulls;
}

function allNaNs(f: DataFile, ref: BoundReference): boolean {
  const values = f.valueCounts?.get(ref.fieldId);
  const nans = f.nanValueCounts?.get(ref.fieldId);
  return values !== undefined && nans !== undefined && values === nans;
}

/** Comparisons never match null or NaN: a column of only those cannot match. */
function skipNullsOrNaNs(f: DataFile, ref: BoundReference): boolean {
  if (allNulls(f, ref)) return true;
  if (FLOATS.has(ref.type.kind) && allNaNs(f, ref)) return true;
  const values = f.valueCounts?.get(ref.fieldId);
  const nulls = f.nullValueCounts?.get(ref.fieldId);
  const nans = f.nanValueCounts?.get(ref.fieldId);
  return values !== undefined && nulls !== undefined && nans !== undefined && values === nulls + nans;
}

function bound(
  bounds: ReadonlyMap<number, Uint8Array> | undefined,
  ref: BoundReference,
): PrimitiveValue | undefined {
  const b = bounds?.get(ref.fieldId);
  if (b === undefined) return undefined;
  try {
    const v = fromBytes(ref.type, b);
    if (typeof v === "number" && Number.isNaN(v)) return undefined; // NaN bounds are invalid; ignore them.
    return v;
  } catch {
    return undefined;
  }
}
