/**
 * Reading DuckDB's own parse of a query (`json_serialize_sql`, ARCHITECTURE.md "A query, end
 * to end"): every base table reference with its enclosing SELECT, and whether the SELECT's
 * WHERE clause may prune that table's files (only for tables on the non-nullable side of
 * joins, so that pruning can never turn a match into a NULL-extended row).
 */
import type { Duck } from "../../duckdb/connection.js";
import { quoteString } from "../../duckdb/sql.js";
import { ValidationError } from "../../errors.js";
import { parseJson } from "../../spec/json.js";

/** A JSON object of DuckDB's serialized parse tree. */
export type AstNode = Record<string, unknown>;

/** A base table reference found in a query. */
export interface BaseTableRef {
  readonly node: AstNode;
  readonly catalog: string;
  readonly schema: string;
  readonly table: string;
  readonly alias: string;
  /** Offset of the table name in the query text. */
  readonly location: number;
  /** The SELECT node whose FROM holds the table, if any. */
  readonly select: AstNode | undefined;
  /** Whether the SELECT's WHERE conjuncts may be used to prune this table. */
  readonly prunable: boolean;
  /** CTE names visible where the reference appears (a bare name matching one is not a table). */
  readonly ctes: ReadonlySet<string>;
}

/** The error for SQL text that is not exactly one query. */
export const NOT_ONE_QUERY =
  "expected exactly one query (SELECT, WITH, VALUES, TABLE or FROM): statements after ';' and DuckDB's own statements (COPY, ATTACH, PRAGMA, SET, PIVOT ...) are not accepted here";

/** Parse trees by SQL text: parsing is a pure function of the text, so entries never go stale. */
const parseCache = new Map<string, AstNode[]>();
const PARSE_CACHE_MAX = 512;

/**
 * Parses SQL with DuckDB's parser (results cached by text; treat them as read-only).
 * @throws ValidationError with DuckDB's message and the line and column of the error.
 */
export async function parseWithDuckDB(duck: Duck, sql: string): Promise<AstNode[]> {
  const cached = parseCache.get(sql);
  if (cached) return cached;
  const parsed = await parseUncached(duck, sql);
  if (parseCache.size >= PARSE_CACHE_MAX) parseCache.delete(parseCache.keys().next().value as string);
  parseCache.set(sql, parsed);
  return parsed;
}

async function parseUncached(duck: Duck, sql: string): Promise<AstNode[]> {
  const rows = await duck.query(`SELECT json_serialize_sql(${quoteString(sql)}) AS j`);
  const parsed = parseJson(String(rows[0]!.j)) as AstNode;
  if (parsed.error) {
    const pos = Number(parsed.position ?? -1);
    let where = "";
    if (pos >= 0) {
      const before = sql.slice(0, pos);
      const line = before.split("\n").length;
      where = `line ${line}:${pos - before.lastIndexOf("\n")}: `;
    }
    const message = String(parsed.error_message ?? "syntax error");
    // DuckDB serializes SELECT statements only: anything else is not a query of ours.
    if (/^Only SELECT statements can be serialized/i.test(message)) throw new ValidationError(NOT_ONE_QUERY);
    throw new ValidationError(`${where}${message}`);
  }
  return (parsed.statements as AstNode[]).map((s) => s.node as AstNode);
}

function isNode(v: unknown): v is AstNode {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function cteNames(select: AstNode): string[] {
  const map = (select.cte_map as { map?: { key: string }[] } | undefined)?.map ?? [];
  return map.map((e) => String(e.key).toLowerCase());
}

/** Every base table reference of a parsed statement, in source order. */
export function collectBaseTables(root: AstNode): BaseTableRef[] {
  const out: BaseTableRef[] = [];
  const visitFrom = (from: unknown, select: AstNode, nullable: boolean, ctes: Set<string>) => {
    if (!isNode(from)) return;
    switch (from.type) {
      case "BASE_TABLE":
        out.push({
          node: from,
          catalog: String(from.catalog_name ?? ""),
          schema: String(from.schema_name ?? ""),
          table: String(from.table_name ?? ""),
          alias: String(from.alias ?? ""),
          location: Number(from.query_location),
          select,
          prunable: !nullable,
          ctes,
        });
        return;
      case "JOIN": {
        const kind = String(from.join_type ?? "INNER");
        const ref = String(from.ref_type ?? "REGULAR");
        const plain = ref === "REGULAR" || ref === "CROSS";
        const leftNullable = nullable || !plain || kind === "RIGHT" || kind === "OUTER";
        const rightNullable =
          nullable ||
          !plain ||
          kind === "LEFT" ||
          kind === "OUTER" ||
          kind === "SEMI" ||
          kind === "ANTI" ||
          kind === "MARK";
        visitFrom(from.left, select, leftNullable, ctes);
        visitFrom(from.right, select, rightNullable, ctes);
        visit(from.condition, ctes);
        return;
      }
      default:
        visit(from, ctes);
    }
  };
  // A WITH list is scoped as DuckDB binds it: each CTE's body sees the CTEs before it (and
  // those of enclosing queries), never itself or later ones; only the recursive branch of a
  // recursive CTE sees its own name. A name not visible there is a table (or a file).
  const visitCtes = (map: unknown, outer: Set<string>) => {
    const visible = new Set(outer);
    for (const entry of (isNode(map) && Array.isArray(map.map) ? map.map : []) as AstNode[]) {
      visit(entry.value, visible);
      visible.add(String(entry.key).toLowerCase());
    }
  };
  const visit = (v: unknown, ctes: Set<string>): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x, ctes);
      return;
    }
    if (!isNode(v)) return;
    if (v.type === "BASE_TABLE") {
      visitFrom(v, {}, true, ctes);
      return;
    }
    const inner = isNode(v.cte_map) ? new Set([...ctes, ...cteNames(v)]) : ctes;
    for (const [k, x] of Object.entries(v)) {
      if (k === "cte_map") visitCtes(x, ctes);
      else if (k === "from_table" && v.type === "SELECT_NODE") visitFrom(x, v, false, inner);
      else if (k === "right" && v.type === "RECURSIVE_CTE_NODE")
        visit(x, new Set([...inner, String(v.cte_name).toLowerCase()]));
      else visit(x, inner);
    }
  };
  visit(root, new Set());
  return out.sort((a, b) => a.location - b.location);
}

/** The WHERE conjuncts of a SELECT node (AND-split). */
export function whereConjuncts(select: AstNode | undefined): AstNode[] {
  const where = select?.where_clause;
  if (!isNode(where)) return [];
  const out: AstNode[] = [];
  const split = (e: AstNode) => {
    if (e.type === "CONJUNCTION_AND" && Array.isArray(e.children))
      for (const c of e.children) split(c as AstNode);
    else out.push(e);
  };
  split(where);
  return out;
}
