/**
 * Bound row filters: boolean expressions over columns identified by field id, with literals
 * already in the column type's in-memory representation (`values.ts`). They drive scan
 * planning: partition projection, manifest pruning and column-bounds pruning (Iceberg spec
 * "Scan Planning"; the model is iceberg-python's `expressions`).
 */
import type { PrimitiveType } from "../types.js";
import type { PrimitiveValue } from "../values.js";

/** A reference to a column (or partition field) by id, with its type. */
export interface BoundReference {
  readonly fieldId: number;
  readonly type: PrimitiveType;
  /** Column name, for messages. */
  readonly name: string;
}

/** Unary predicate operators. */
export type UnaryOp = "isNull" | "notNull" | "isNaN" | "notNaN";
/** Comparison operators with one literal. */
export type LiteralOp = "lt" | "ltEq" | "gt" | "gtEq" | "eq" | "notEq" | "startsWith" | "notStartsWith";
/** Set membership operators. */
export type SetOp = "in" | "notIn";

/** A bound boolean expression. */
export type Expression =
  | { readonly op: "true" }
  | { readonly op: "false" }
  | { readonly op: "and"; readonly left: Expression; readonly right: Expression }
  | { readonly op: "or"; readonly left: Expression; readonly right: Expression }
  | { readonly op: "not"; readonly child: Expression }
  | { readonly op: UnaryOp; readonly ref: BoundReference }
  | { readonly op: LiteralOp; readonly ref: BoundReference; readonly value: PrimitiveValue }
  | { readonly op: SetOp; readonly ref: BoundReference; readonly values: readonly PrimitiveValue[] };

/** Always true. */
export const TRUE: Expression = { op: "true" };
/** Always false. */
export const FALSE: Expression = { op: "false" };

/** `left AND right`, simplified when either side is a constant. */
export function and(left: Expression, right: Expression): Expression {
  if (left.op === "false" || right.op === "false") return FALSE;
  if (left.op === "true") return right;
  if (right.op === "true") return left;
  return { op: "and", left, right };
}

/** `left OR right`, simplified when either side is a constant. */
export function or(left: Expression, right: Expression): Expression {
  if (left.op === "true" || right.op === "true") return TRUE;
  if (left.op === "false") return right;
  if (right.op === "false") return left;
  return { op: "or", left, right };
}

/** `NOT child`, simplified for constants and double negation. */
export function not(child: Expression): Expression {
  if (child.op === "true") return FALSE;
  if (child.op === "false") return TRUE;
  if (child.op === "not") return child.child;
  return { op: "not", child };
}

/** AND of many expressions (TRUE for none). */
export function andAll(exprs: readonly Expression[]): Expression {
  return exprs.reduce(and, TRUE);
}

/** The logical negation of a predicate, pushed to the leaves (De Morgan). */
export function negate(e: Expression): Expression {
  switch (e.op) {
    case "true":
      return FALSE;
    case "false":
      return TRUE;
    case "and":
      return or(negate(e.left), negate(e.right));
    case "or":
      return and(negate(e.left), negate(e.right));
    case "not":
      return rewriteNot(e.child);
    case "isNull":
      return { op: "notNull", ref: e.ref };
    case "notNull":
      return { op: "isNull", ref: e.ref };
    case "isNaN":
      return { op: "notNaN", ref: e.ref };
    case "notNaN":
      return { op: "isNaN", ref: e.ref };
    case "lt":
      return { op: "gtEq", ref: e.ref, value: e.value };
    case "ltEq":
      return { op: "gt", ref: e.ref, value: e.value };
    case "gt":
      return { op: "ltEq", ref: e.ref, value: e.value };
    case "gtEq":
      return { op: "lt", ref: e.ref, value: e.value };
    case "eq":
      return { op: "notEq", ref: e.ref, value: e.value };
    case "notEq":
      return { op: "eq", ref: e.ref, value: e.value };
    case "startsWith":
      return { op: "notStartsWith", ref: e.ref, value: e.value };
    case "notStartsWith":
      return { op: "startsWith", ref: e.ref, value: e.value };
    case "in":
      return { op: "notIn", ref: e.ref, values: e.values };
    case "notIn":
      return { op: "in", ref: e.ref, values: e.values };
  }
}

/** Removes every NOT by pushing negations into the predicates. */
export function rewriteNot(e: Expression): Expression {
  switch (e.op) {
    case "and":
      return and(rewriteNot(e.left), rewriteNot(e.right));
    case "or":
      return or(rewriteNot(e.left), rewriteNot(e.right));
    case "not":
      return negate(e.child);
    default:
      return e;
  }
}

/** Field ids an expression references. */
export function referencedFieldIds(e: Expression, out = new Set<number>()): Set<number> {
  switch (e.op) {
    case "true":
    case "false":
      return out;
    case "and":
    case "or":
      referencedFieldIds(e.left, out);
      return referencedFieldIds(e.right, out);
    case "not":
      return referencedFieldIds(e.child, out);
    default:
      out.add(e.ref.fieldId);
      return out;
  }
}

/** A short human-readable rendering, for EXPLAIN output and messages. */
export function expressionToString(e: Expression): string {
  const lit = (v: PrimitiveValue) =>
    typeof v === "string"
      ? `'${v}'`
      : v instanceof Uint8Array
        ? `X'${Buffer.from(v).toString("hex")}'`
        : String(v);
  switch (e.op) {
    case "true":
    case "false":
      return e.op;
    case "and":
    case "or":
      return `(${expressionToString(e.left)} ${e.op} ${expressionToString(e.right)})`;
    case "not":
      return `not(${expressionToString(e.child)})`;
    case "isNull":
    case "notNull":
    case "isNaN":
    case "notNaN":
      return `${e.op}(${e.ref.name})`;
    case "in":
    case "notIn":
      return `${e.ref.name} ${e.op} (${e.values.map(lit).join(", ")})`;
    default:
      return `${e.ref.name} ${e.op} ${lit(e.value)}`;
  }
}
