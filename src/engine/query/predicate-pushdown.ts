/**
 * Turns the WHERE conjuncts of a query that mention one lakehouse table into an Iceberg row
 * filter for scan planning (manifest, partition and column-bounds pruning). Only predicates of
 * the form `column <op> constant` (=, <>, <, <=, >, >=, BETWEEN, IN, NOT IN, IS [NOT] NULL,
 * LIKE 'prefix%', starts_with) and their AND/OR/NOT combinations are used; constant
 * expressions (`DATE '1994-01-01' + INTERVAL '1' YEAR`) are folded by DuckDB itself and cast
 * to the column's type. Anything else is left to DuckDB: pruning is always conservative.
 */
import type { Duck } from "../../duckdb/connection.js";
import { quoteIdent, quoteString } from "../../duckdb/sql.js";
import { icebergToDuckType } from "../../duckdb/types.js";
import {
  and,
  type BoundReference,
  type Expression,
  not,
  or,
  TRUE,
} from "../../spec/expressions/expression.js";
import { stringifyJson } from "../../spec/json.js";
import type { Schema } from "../../spec/schema.js";
import { isPrimitive, type PrimitiveType } from "../../spec/types.js";
import { isoDateToDays, isoTimestampToEpoch, type PrimitiveValue } from "../../spec/values.js";
import { decodePartitionKey, partitionKeySql } from "../../table/partition-sql.js";
import { type AstNode, type BaseTableRef, whereConjuncts } from "./duckdb-ast.js";

const COMPARISONS: Record<
  string,
  {
    op: "eq" | "notEq" | "lt" | "gt" | "ltEq" | "gtEq";
    flipped: "eq" | "notEq" | "lt" | "gt" | "ltEq" | "gtEq";
  }
> = {
  COMPARE_EQUAL: { op: "eq", flipped: "eq" },
  COMPARE_NOTEQUAL: { op: "notEq", flipped: "notEq" },
  COMPARE_LESSTHAN: { op: "lt", flipped: "gt" },
  COMPARE_GREATERTHAN: { op: "gt", flipped: "lt" },
  COMPARE_LESSTHANOREQUALTO: { op: "ltEq", flipped: "gtEq" },
  COMPARE_GREATERTHANOREQUALTO: { op: "gtEq", flipped: "ltEq" },
};

/** Functions whose value changes between our folding query and the real one, or per row. */
const VOLATILE = new Set([
  "now",
  "current_timestamp",
  "get_current_timestamp",
  "transaction_timestamp",
  "random",
  "uuid",
  "gen_random_uuid",
  "nextval",
  "setseed",
  "current_time",
  "current_date",
  "today",
  "localtimestamp",
  "localtime",
]);

/** A constant expression to fold, cast to a column type. */
export interface Pending {
  readonly node: AstNode;
  readonly type: PrimitiveType;
  value?: PrimitiveValue | null | undefined;
}

/** A predicate tree whose constants are still AST nodes, folded in one batch. */
type Draft =
  | { kind: "and" | "or"; parts: Draft[] }
  | { kind: "not"; part: Draft }
  | { kind: "unary"; op: "isNull" | "notNull"; ref: BoundReference }
  | { kind: "cmp"; op: "eq" | "notEq" | "lt" | "gt" | "ltEq" | "gtEq"; ref: BoundReference; value: Pending }
  | { kind: "set"; op: "in" | "notIn"; ref: BoundReference; values: Pending[] }
  | { kind: "prefix"; ref: BoundReference; prefix: string };

function isNode(v: unknown): v is AstNode {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether an expression is constant: no column references, subqueries, parameters or volatile calls. */
function isConstant(n: unknown): boolean {
  if (Array.isArray(n)) return n.every(isConstant);
  if (!isNode(n)) return true;
  if (
    n.class === "COLUMN_REF" ||
    n.class === "SUBQUERY" ||
    n.class === "PARAMETER" ||
    n.class === "STAR" ||
    n.class === "LAMBDA"
  )
    return false;
  if (n.class === "FUNCTION" && VOLATILE.has(String(n.function_name).toLowerCase())) return false;
  if (n.class === "FUNCTION" && (n.children as unknown[]).length === 0 && !n.is_operator) return false;
  return Object.values(n).every(isConstant);
}

/**
 * A row filter whose constants still need folding: collect the `pending` constants of several
 * tables, fold them with one {@link foldConstants} call, then `finish()` each filter.
 */
export interface DraftFilter {
  readonly pending: Pending[];
  finish(): Expression;
}

/**
 * Drafts the row filter of `ref` from its SELECT's WHERE clause (TRUE when nothing applies);
 * `schema` is the schema the scan reads with.
 */
export function draftFilter(ref: BaseTableRef, schema: Schema): DraftFilter {
  if (!ref.prunable || !ref.select) return { pending: [], finish: () => TRUE };
  const qualifier = (ref.alias || ref.table).toLowerCase();
  const columns = new Map(
    schema.fields.filter((f) => isPrimitive(f.type)).map((f) => [f.name.toLowerCase(), f]),
  );
  const column = (n: unknown): BoundReference | undefined => {
    if (!isNode(n) || n.class !== "COLUMN_REF") return undefined;
    const names = (n.column_names as string[]).map((s) => s.toLowerCase());
    const col = names[names.length - 1]!;
    if (names.length >= 2 && names[names.length - 2] !== qualifier) return undefined;
    const f = columns.get(col);
    return f ? { fieldId: f.id, type: f.type as PrimitiveType, name: f.name } : undefined;
  };
  const pending: Pending[] = [];
  const constant = (n: unknown, type: PrimitiveType): Pending | undefined => {
    if (!isNode(n) || !isConstant(n)) return undefined;
    const p: Pending = { node: n, type };
    pending.push(p);
    return p;
  };
  const draft = (n: AstNode): Draft | undefined => {
    const type = String(n.type);
    if (type === "CONJUNCTION_AND" || type === "CONJUNCTION_OR") {
      const parts = (n.children as AstNode[]).map(draft);
      if (type === "CONJUNCTION_AND") {
        const ok = parts.filter((x): x is Draft => x !== undefined);
        return ok.length > 0 ? { kind: "and", parts: ok } : undefined;
      }
      return parts.every((x) => x !== undefined) ? { kind: "or", parts: parts as Draft[] } : undefined;
    }
    if (type === "OPERATOR_NOT") {
      const inner = draft((n.children as AstNode[])[0]!);
      // NOT over a partially converted AND would be wrong: require the whole child.
      return inner && fullyConverted((n.children as AstNode[])[0]!, inner)
        ? { kind: "not", part: inner }
        : undefined;
    }
    const cmp = COMPARISONS[type];
    if (cmp) {
      const l = column(n.left);
      const r = column(n.right);
      if (l && !r) {
        const v = constant(n.right, l.type);
        return v ? { kind: "cmp", op: cmp.op, ref: l, value: v } : undefined;
      }
      if (r && !l) {
        const v = constant(n.left, r.type);
        return v ? { kind: "cmp", op: cmp.flipped, ref: r, value: v } : undefined;
      }
      return undefined;
    }
    if (type === "COMPARE_BETWEEN") {
      const c = column(n.input);
      if (!c) return undefined;
      const lo = constant(n.lower, c.type);
      const hi = constant(n.upper, c.type);
      if (!lo || !hi) return undefined;
      return {
        kind: "and",
        parts: [
          { kind: "cmp", op: "gtEq", ref: c, value: lo },
          { kind: "cmp", op: "ltEq", ref: c, value: hi },
        ],
      };
    }
    if (type === "COMPARE_IN" || type === "COMPARE_NOT_IN") {
      const [first, ...rest] = n.children as AstNode[];
      const c = column(first);
      if (!c || rest.length === 0) return undefined;
      const values = rest.map((x) => constant(x, c.type));
      if (values.some((v) => v === undefined)) return undefined;
      return { kind: "set", op: type === "COMPARE_IN" ? "in" : "notIn", ref: c, values: values as Pending[] };
    }
    if (type === "OPERATOR_IS_NULL" || type === "OPERATOR_IS_NOT_NULL") {
      const c = column((n.children as AstNode[])[0]);
      return c
        ? { kind: "unary", op: type === "OPERATOR_IS_NULL" ? "isNull" : "notNull", ref: c }
        : undefined;
    }
    if (n.class === "FUNCTION") {
      const name = String(n.function_name).toLowerCase();
      const args = n.children as AstNode[];
      const c = column(args[0]);
      const lit = args[1];
      if (c?.type.kind !== "string" || !isNode(lit) || lit.class !== "CONSTANT") return undefined;
      const value = (lit.value as { value?: unknown; is_null?: boolean }).value;
      if (typeof value !== "string") return undefined;
      if ((name === "prefix" || name === "starts_with") && args.length === 2)
        return { kind: "prefix", ref: c, prefix: value };
      if (name === "~~" && args.length === 2) {
        const m = /^([^%_\\]*)%$/.exec(value);
        if (m && m[1]!.length > 0) return { kind: "prefix", ref: c, prefix: m[1]! };
      }
    }
    return undefined;
  };
  const drafts = whereConjuncts(ref.select)
    .map(draft)
    .filter((d): d is Draft => d !== undefined);
  return {
    pending,
    finish: () => {
      let out: Expression = TRUE;
      for (const d of drafts) {
        const e = finish(d);
        if (e) out = and(out, e);
      }
      return out;
    },
  };
}

/** Whether a draft covers its whole AST node (ANDs may drop parts; NOT must not). */
function fullyConverted(node: AstNode, d: Draft): boolean {
  if (node.type === "CONJUNCTION_AND") {
    const children = node.children as AstNode[];
    return (
      d.kind === "and" &&
      d.parts.length === children.length &&
      children.every((c, i) => fullyConverted(c, d.parts[i]!))
    );
  }
  if (node.type === "CONJUNCTION_OR" && d.kind === "or") {
    return (node.children as AstNode[]).every((c, i) => fullyConverted(c, d.parts[i]!));
  }
  return true;
}

/** Converts a draft with folded constants; a constant that did not fold (NULL or bad cast) drops its predicate. */
function finish(d: Draft): Expression | undefined {
  switch (d.kind) {
    case "and": {
      let out: Expression = TRUE;
      for (const p of d.parts) {
        const e = finish(p);
        if (e) out = and(out, e);
      }
      return out;
    }
    case "or": {
      let out: Expression | undefined;
      for (const p of d.parts) {
        const e = finish(p);
        if (!e) return undefined;
        out = out ? or(out, e) : e;
      }
      return out;
    }
    case "not": {
      const e = finish(d.part);
      return e ? not(e) : undefined;
    }
    case "unary":
      return { op: d.op, ref: d.ref };
    case "cmp": {
      const v = d.value.value;
      if (v === undefined || v === null) return undefined;
      if (typeof v === "number" && Number.isNaN(v)) return undefined;
      return { op: d.op, ref: d.ref, value: v };
    }
    case "set": {
      const values = d.values.map((p) => p.value);
      if (values.some((v) => v === undefined || v === null)) return undefined;
      return { op: d.op, ref: d.ref, values: values as PrimitiveValue[] };
    }
    case "prefix":
      return { op: "startsWith", ref: d.ref, value: d.prefix };
  }
}

/**
 * Evaluates every pending constant in one DuckDB query: DuckDB renders the expressions back to
 * SQL (`json_deserialize_sql`), casts each to its column's type with TRY_CAST and returns an
 * exact text key that decodes into the Iceberg value (NULL when it does not fit).
 */
export async function foldConstants(duck: Duck, all: Pending[]): Promise<void> {
  // Plain literals (and CASTs of string literals to DATE/TIMESTAMP) are folded here; anything
  // else (DATE '..' + INTERVAL ..., functions) goes to DuckDB in one batch.
  const pending: Pending[] = [];
  for (const p of all) {
    const v = foldLiteral(p.node, p.type);
    if (v === undefined) pending.push(p);
    else p.value = v;
  }
  // Folded values of constants that do not depend on the session (no time zones) are cached.
  const todo: Pending[] = [];
  for (const p of pending) {
    const key = foldKey(p);
    if (key !== undefined && foldCache.has(key)) p.value = foldCache.get(key);
    else todo.push(p);
  }
  if (todo.length === 0) return;
  await foldInDuckDB(duck, todo);
  for (const p of todo) {
    const key = foldKey(p);
    if (key === undefined || p.value === undefined) continue;
    if (foldCache.size >= 4096) foldCache.delete(foldCache.keys().next().value as string);
    foldCache.set(key, p.value);
  }
}

const foldCache = new Map<string, PrimitiveValue | null>();

/** Cache key of a constant, or undefined when its value may depend on the session's time zone. */
function foldKey(p: Pending): string | undefined {
  if (p.type.kind === "timestamptz" || p.type.kind === "timestamptz_ns") return undefined;
  const text = stringifyJson(p.node);
  if (/TIMESTAMP_TZ|time_?zone|TIMESTAMPTZ/i.test(text)) return undefined;
  return `${p.type.kind}:${"scale" in p.type ? p.type.scale : ""}:${text}`;
}

async function foldInDuckDB(duck: Duck, pending: Pending[]): Promise<void> {
  const select = pending.map((p, i) => ({ ...p.node, alias: `c${i}` }));
  const stmt = {
    error: false,
    statements: [
      {
        node: {
          type: "SELECT_NODE",
          modifiers: [],
          cte_map: { map: [] },
          select_list: select,
          from_table: { type: "EMPTY", alias: "", sample: null },
          where_clause: null,
          group_expressions: [],
          group_sets: [],
          aggregate_handling: "STANDARD_HANDLING",
          having: null,
          sample: null,
          qualify: null,
        },
        named_param_map: [],
      },
    ],
  };
  try {
    const rows = await duck.query(`SELECT json_deserialize_sql(${quoteString(stringifyJson(stmt))}) AS s`);
    const inner = String(rows[0]!.s);
    // Only exact conversions prune: `int_col > 5.5` must not become `int_col > 6`.
    const keys = pending.map((p, i) => {
      const c = quoteIdent(`c${i}`);
      const cast = `TRY_CAST(${c} AS ${icebergToDuckType(p.type)})`;
      return `CASE WHEN ${cast} = ${c} THEN ${partitionKeySql(cast, p.type)} ELSE 'x' END AS k${i}`;
    });
    const out = await duck.query(`SELECT ${keys.join(", ")} FROM (${inner})`);
    const row = out[0]!;
    pending.forEach((p, i) => {
      try {
        p.value = decodePartitionKey(String(row[`k${i}`]), p.type);
      } catch {
        p.value = undefined;
      }
    });
  } catch {
    // Constants that DuckDB cannot evaluate here simply do not prune.
  }
}

const INTEGER_TYPES = new Set([
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "HUGEINT",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  "UBIGINT",
]);

/**
 * Folds a literal in JS when the conversion to `type` is exact and unambiguous; undefined
 * when DuckDB must decide (then the batch query does). Mirrors DuckDB's implicit casts:
 * integers and decimals to numeric columns, strings to string/date/timestamp columns.
 */
export function foldLiteral(node: AstNode, type: PrimitiveType): PrimitiveValue | null | undefined {
  let literal = node;
  let castTo: string | undefined;
  if (
    node.class === "CAST" &&
    !node.try_cast &&
    isNode(node.child) &&
    (node.child as AstNode).class === "CONSTANT"
  ) {
    literal = node.child as AstNode;
    castTo = String((node.cast_type as { id?: string })?.id ?? "");
    if (castTo !== "DATE" && castTo !== "TIMESTAMP" && castTo !== "VARCHAR") return undefined;
  } else if (node.class !== "CONSTANT") return undefined;
  const value = literal.value as {
    type?: { id?: string; type_info?: { scale?: number } };
    is_null?: boolean;
    value?: unknown;
  };
  if (value.is_null) return null;
  const id = value.type?.id ?? "";
  const raw = value.value;
  try {
    if (castTo === "DATE")
      return type.kind === "date" && typeof raw === "string" ? isoDateToDays(raw) : undefined;
    if (castTo === "TIMESTAMP") {
      return type.kind === "timestamp" &&
        typeof raw === "string" &&
        !/[zZ]|[+-]\d\d(:?\d\d)?$/.test(raw.trim())
        ? isoTimestampToEpoch(raw, "micros")
        : undefined;
    }
    if (INTEGER_TYPES.has(id) && (typeof raw === "number" || typeof raw === "bigint")) {
      const v = BigInt(raw);
      switch (type.kind) {
        case "int":
          return v >= -2147483648n && v <= 2147483647n ? Number(v) : undefined;
        case "long":
          return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
        case "decimal":
          return v * 10n ** BigInt(type.scale);
        case "double":
          return Number.isSafeInteger(Number(v)) ? Number(v) : undefined;
        default:
          return undefined;
      }
    }
    if (id === "DECIMAL" && (typeof raw === "number" || typeof raw === "bigint") && type.kind === "decimal") {
      const scale = value.type?.type_info?.scale ?? 0;
      if (scale > type.scale) return undefined;
      return BigInt(raw) * 10n ** BigInt(type.scale - scale);
    }
    if (id === "VARCHAR" && typeof raw === "string") {
      if (type.kind === "string") return raw;
      if (type.kind === "date" && /^\d{4}-\d{2}-\d{2}$/.test(raw.trim())) return isoDateToDays(raw);
    }
  } catch {
    return undefined;
  }
  return undefined;
}
