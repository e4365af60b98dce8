/**
 * REST expression JSON (OpenAPI `Expression`: the current `left`/`right`/`child` form with
 * `reference` and `literal` objects, and the deprecated `term`/`value` form) decoded and
 * bound against a schema into a {@link Expression} for scan planning. Negations are pushed
 * to the leaves while decoding; a leaf that cannot be used for pruning (a transform or
 * function term) becomes TRUE, which keeps pruning conservative. Iceberg Java
 * `ExpressionParser`.
 */
import { ValidationError } from "../../errors.js";
import { fromJsonValue } from "../conversions.js";
import {
  and,
  type BoundReference,
  type Expression,
  FALSE,
  type LiteralOp,
  or,
  type SetOp,
  TRUE,
  type UnaryOp,
} from "../expressions/expression.js";
import type { Schema } from "../schema.js";
import type { PrimitiveValue } from "../values.js";
import { asArray, asObject, type JsonObject, JsonShapeError, reqString } from "./json-fields.js";

const UNARY: Record<string, UnaryOp> = {
  "is-null": "isNull",
  "not-null": "notNull",
  "is-nan": "isNaN",
  "not-nan": "notNaN",
};
const COMPARISON: Record<string, LiteralOp> = {
  lt: "lt",
  "lt-eq": "ltEq",
  gt: "gt",
  "gt-eq": "gtEq",
  eq: "eq",
  "not-eq": "notEq",
  "starts-with": "startsWith",
  "not-starts-with": "notStartsWith",
};
const SET: Record<string, SetOp> = { in: "in", "not-in": "notIn" };
const NEGATED: Record<string, string> = {
  isNull: "notNull",
  notNull: "isNull",
  isNaN: "notNaN",
  notNaN: "isNaN",
  lt: "gtEq",
  ltEq: "gt",
  gt: "ltEq",
  gtEq: "lt",
  eq: "notEq",
  notEq: "eq",
  startsWith: "notStartsWith",
  notStartsWith: "startsWith",
  in: "notIn",
  notIn: "in",
};

/** Options of {@link expressionFromJson}. */
export interface BindOptions {
  /** Match column names case-sensitively (REST `case-sensitive`, default true). */
  readonly caseSensitive?: boolean | undefined;
}

/**
 * Decodes a REST predicate and binds it to `schema`.
 * @throws JsonShapeError naming the path of a malformed node; ValidationError when a column
 * does not exist, is not primitive, or a literal does not fit its column's type.
 */
export function expressionFromJson(
  json: unknown,
  schema: Schema,
  opts: BindOptions = {},
  path = "filter",
): Expression {
  return decode(json, schema, opts.caseSensitive ?? true, false, path);
}

function decode(json: unknown, schema: Schema, cs: boolean, negated: boolean, path: string): Expression {
  if (json === true || json === false) return json !== negated ? TRUE : FALSE;
  const o = asObject(json, path);
  const type = reqString(o, "type", path).toLowerCase();
  switch (type) {
    case "true":
      return negated ? FALSE : TRUE;
    case "false":
      return negated ? TRUE : FALSE;
    case "and":
    case "or": {
      const l = decode(o.left, schema, cs, negated, `${path}.left`);
      const r = decode(o.right, schema, cs, negated, `${path}.right`);
      return (type === "and") !== negated ? and(l, r) : or(l, r);
    }
    case "not":
      return decode(o.child, schema, cs, !negated, `${path}.child`);
  }
  const unary = UNARY[type];
  const comparison = COMPARISON[type];
  const set = SET[type];
  if (!unary && !comparison && !set)
    throw new JsonShapeError(`${path}.type`, `unknown expression type ${JSON.stringify(type)}`);
  const termJson = "term" in o ? o.term : "child" in o ? o.child : o.left;
  const termPath = "term" in o ? `${path}.term` : "child" in o ? `${path}.child` : `${path}.left`;
  if (termJson === undefined) throw new JsonShapeError(termPath, "required field is missing");
  const ref = bindTerm(termJson, schema, cs, termPath, !("term" in o));
  const op = (negated ? NEGATED[unary ?? comparison ?? set!] : (unary ?? comparison ?? set)) as string;
  if (ref === undefined) return TRUE; // a transform or function term: no pruning on it
  if (unary) return { op: op as UnaryOp, ref };
  if (comparison) {
    const valuePath = "value" in o ? `${path}.value` : `${path}.right`;
    const raw = "value" in o ? o.value : o.right;
    if (raw === undefined) throw new JsonShapeError(valuePath, "required field is missing");
    return { op: op as LiteralOp, ref, value: literal(raw, ref, valuePath) };
  }
  const valuesPath = `${path}.values`;
  const values = literalList(o.values, valuesPath).map((v, i) => literal(v, ref, `${valuesPath}[${i}]`));
  return { op: op as SetOp, ref, values };
}

/** Resolves a term to a bound reference; undefined for transform/apply terms. */
function bindTerm(
  json: unknown,
  schema: Schema,
  cs: boolean,
  path: string,
  modern: boolean,
): BoundReference | undefined {
  if (typeof json === "string") {
    if (modern)
      throw new JsonShapeError(
        path,
        'a bare string is a literal here; reference a column as {"type":"reference","name":...}',
      );
    return bindName(json, schema, cs, path);
  }
  const o: JsonObject = asObject(json, path);
  const type = reqString(o, "type", path);
  if (type === "transform" || type === "apply") return undefined;
  if (type !== "reference")
    throw new JsonShapeError(`${path}.type`, `expected a reference, got ${JSON.stringify(type)}`);
  if (typeof o.id === "number") {
    const f = schema.findField(o.id);
    if (!f) throw new ValidationError(`${path}.id: no field with id ${o.id}`);
    return primitiveRef(f.id, f.name, f.type, path);
  }
  return bindName(reqString(o, "name", path), schema, cs, `${path}.name`);
}

function bindName(name: string, schema: Schema, cs: boolean, path: string): BoundReference {
  const f = schema.findFieldByName(name, cs);
  if (!f) throw new ValidationError(`${path}: Cannot find field '${name}' in the table schema`);
  return primitiveRef(f.id, name, f.type, path);
}

function primitiveRef(id: number, name: string, type: { kind: string }, path: string): BoundReference {
  if (type.kind === "struct" || type.kind === "list" || type.kind === "map" || type.kind === "variant")
    throw new ValidationError(`${path}: field '${name}' is not a primitive column`);
  return { fieldId: id, name, type: type as BoundReference["type"] };
}

function literalList(json: unknown, path: string): unknown[] {
  if (Array.isArray(json)) return json;
  const o = asObject(json, path);
  if (o.type !== "literals")
    throw new JsonShapeError(`${path}.type`, 'expected an array or {"type":"literals",...}');
  return asArray(o.values, `${path}.values`);
}

function literal(json: unknown, ref: BoundReference, path: string): PrimitiveValue {
  let raw = json;
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const o = json as JsonObject;
    if (o.type !== "literal")
      throw new JsonShapeError(`${path}.type`, 'expected a value or {"type":"literal",...}');
    raw = o.value;
  }
  if (raw === null || raw === undefined) throw new JsonShapeError(path, "a literal must not be null");
  try {
    if (ref.type.kind === "fixed" || ref.type.kind === "binary")
      return fromJsonValue(ref.type, String(raw)) as PrimitiveValue;
    // Integers arrive as JSON numbers for every integral type; dates and times may too (days, micros).
    if (ref.type.kind === "date" && typeof raw === "number") return raw;
    if (
      (ref.type.kind === "time" || ref.type.kind.startsWith("timestamp")) &&
      (typeof raw === "number" || typeof raw === "bigint")
    )
      return BigInt(raw);
    if (ref.type.kind === "long" && typeof raw === "string" && /^-?\d+$/.test(raw)) return BigInt(raw);
    return fromJsonValue(ref.type, raw) as PrimitiveValue;
  } catch (e) {
    throw new ValidationError(`${path}: ${(e as Error).message} (column '${ref.name}')`);
  }
}
