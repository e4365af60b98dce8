/**
 * Rewrites a Trino-dialect query into DuckDB SQL: every reference to a lakehouse table
 * (`catalog.namespace.table`, or a shorter name under the session's catalog and schema,
 * with an optional time travel clause, or a `"table$snapshots"` metadata table) is replaced
 * by a relation over exactly the files its scan needs; everything else is DuckDB's
 * (ARRAY[...] literals, MAP(...), window functions, CTEs ...). `SELECT count(*) FROM t`
 * without deletes is answered from metadata.
 */
import type { Duck } from "../../duckdb/connection.js";
import { quoteIdent } from "../../duckdb/sql.js";
import { ValidationError } from "../../errors.js";
import type { Expression } from "../../spec/expressions/expression.js";
import type { Schema } from "../../spec/schema.js";
import type { Snapshot } from "../../spec/snapshot.js";
import {
  planScan,
  type ScanPlan,
  type SnapshotSelector,
  schemaForSnapshot,
  selectSnapshot,
} from "../../table/scan.js";
import { scanRelation } from "../../table/scan-relation.js";
import type { Table } from "../../table/table.js";
import {
  checkQueryFunctions,
  checkSystemRelation,
  positionPrefix,
  type QueryPolicy,
} from "../sandbox/query-policy.js";
import { tokenize } from "../sql/tokenizer.js";
import {
  type AstNode,
  type BaseTableRef,
  collectBaseTables,
  NOT_ONE_QUERY,
  parseWithDuckDB,
} from "./duckdb-ast.js";
import { metadataTableRelation } from "./metadata-tables.js";
import { type DraftFilter, draftFilter, foldConstants } from "./predicate-pushdown.js";
import { expandTableFunctions } from "./table-functions.js";
import { extractTimeTravel, type TimeTravelClause } from "./time-travel.js";

/** How the engine resolves names; implemented by the session. */
export interface TableResolver {
  /**
   * Resolves name parts (1 to 3+ parts) of a table reference to a lakehouse table, or
   * undefined when the name is not a lakehouse table (a DuckDB table, CTE, view ...).
   * @throws NoSuchTableError when the name is inside a lakehouse catalog but no such table exists.
   */
  resolve(parts: readonly string[]): Promise<{ table: Table; qualifiedName: string } | undefined>;
  /**
   * The error for a name that is neither a lakehouse table, a CTE nor an allowed system view
   * (Trino's `Table 'catalog.schema.table' does not exist`, or why the name cannot resolve).
   */
  missing(parts: readonly string[]): Error;
  /** What the session's SQL may reach (the SQL sandbox). */
  readonly policy: QueryPolicy;
}

/** What a rewrite produced. */
export interface RewrittenQuery {
  readonly sql: string;
  /** Scans planned for the query (for EXPLAIN and tests). */
  readonly scans: readonly RewrittenScan[];
}

/** One planned scan of a rewritten query. */
export interface RewrittenScan {
  /** `catalog.schema.table`. */
  readonly name: string;
  readonly table: Table;
  readonly plan: ScanPlan;
  readonly filter: Expression;
  /** Whether the scan yields row positions (the target of a row-level change). */
  readonly rowPositions: boolean;
}

/** Options of {@link rewriteQuery}. */
export interface RewriteOptions {
  /**
   * The target of a row-level DELETE, UPDATE or MERGE: its scans also yield each row's data
   * file and position (`ROW_FILE_PATH`, `ROW_POSITION`). `name` is `catalog.schema.table`;
   * the scan is of the current version, or of `branch` when given (the reference must then
   * carry `FOR VERSION AS OF '<branch>'`).
   */
  readonly rowPositionsOf?: { readonly name: string; readonly branch?: string | undefined } | undefined;
  /**
   * A table (`catalog.schema.table`) to read as given instead of as loaded: a version with a
   * schema change not committed yet (an upsert that adds columns commits both together).
   */
  readonly tableOverride?: { readonly name: string; readonly table: Table } | undefined;
  /**
   * The query was composed by a statement around fragments of the user's text (UPDATE, DELETE,
   * MERGE, `EXECUTE optimize WHERE`): offsets in it are not the user's, so sandbox errors
   * name what was refused without a line and column (default false).
   */
  readonly composed?: boolean | undefined;
}

/**
 * Rewrites a query. The user's query is checked against the resolver's sandbox policy first
 * (`sandbox/query-policy.ts`): nothing the rewrite adds is user text.
 * @throws ValidationError for syntax errors (with line and column) or bad time travel values;
 * NoSuchTableError for unknown tables; AccessDeniedError for what the sandbox refuses.
 */
export async function rewriteQuery(
  duck: Duck,
  resolver: TableResolver,
  sql: string,
  opts: RewriteOptions = {},
): Promise<RewrittenQuery> {
  const expanded = await expandTableFunctions(duck, resolver, sql);
  const { text, clauses } = extractTimeTravel(expanded.text);
  const statements = await parseWithDuckDB(duck, text);
  if (statements.length !== 1) throw new ValidationError(NOT_ONE_QUERY);
  const root = statements[0]!;
  // Offsets in the user's terms: the text as the user wrote it, blanked where we edited.
  const userText = opts.composed ? "" : text;
  checkQueryFunctions(root, userText, resolver.policy);
  const refs = collectBaseTables(root);
  const tokens = tokenize(text);
  const replacements: { start: number; end: number; text: string }[] = [];
  const scans: RewrittenScan[] = [];
  for (const c of clauses) replacements.push({ start: c.start, end: c.end, text: "" });
  const usedClauses = new Set<TimeTravelClause>();

  // Pass 1: resolve every reference (each table loaded once) and draft its row filter.
  const tables = new Map<string, Awaited<ReturnType<TableResolver["resolve"]>>>();
  const resolve = async (parts: string[]) => {
    const key = parts.join("\u0000");
    if (!tables.has(key)) {
      const r = await resolver.resolve(parts);
      const override = opts.tableOverride;
      tables.set(key, r && override?.name === r.qualifiedName ? { ...r, table: override.table } : r);
    }
    return tables.get(key);
  };
  interface Pending {
    ref: BaseTableRef;
    nameEnd: number;
    clause: TimeTravelClause | undefined;
    metaIdx: number;
    resolved: NonNullable<Awaited<ReturnType<TableResolver["resolve"]>>>;
    snapshot: Snapshot | undefined;
    selector: SnapshotSelector;
    schema: Schema;
    filter?: DraftFilter;
  }
  const pending: Pending[] = [];
  for (const ref of refs) {
    if (!ref.catalog && !ref.schema && ref.ctes.has(ref.table.toLowerCase())) continue;
    const nameEnd = qualifiedNameEnd(tokens, ref.location);
    const placeholder = !ref.catalog && !ref.schema ? expanded.relations.get(ref.table) : undefined;
    if (placeholder !== undefined) {
      const alias = ref.alias ? "" : ` AS ${quoteIdent("table_changes")}`;
      replacements.push({ start: ref.location, end: nameEnd, text: `${placeholder}${alias}` });
      continue;
    }
    const clause = clauses.find((c) => c.start >= nameEnd && text.slice(nameEnd, c.start).trim() === "");
    const parts = [ref.catalog, ref.schema, ref.table].filter((p) => p !== "");
    const metaIdx = ref.table.indexOf("$");
    const baseParts = metaIdx > 0 ? [...parts.slice(0, -1), ref.table.slice(0, metaIdx)] : parts;
    const resolved = await resolve(baseParts);
    if (!resolved) {
      checkSystemRelation(ref, userText, resolver.policy, () => resolver.missing(baseParts));
      if (clause)
        throw new ValidationError(`time travel is only supported on lakehouse tables: ${parts.join(".")}`);
      continue;
    }
    if (ref.node.at_clause)
      throw new ValidationError(
        `${positionPrefix(userText, ref.location)}${parts.join(".")} AT (...) is not supported: use FOR VERSION AS OF or FOR TIMESTAMP AS OF`,
      );
    if (clause) usedClauses.add(clause);
    const selector = clause ? await evaluateTimeTravel(duck, clause, resolver.policy) : {};
    const snapshot = selectSnapshot(resolved.table.metadata, selector);
    // A branch reads with the table's schema, a snapshot id or tag with the snapshot's
    // (Iceberg Java `SnapshotUtil.schemaFor`).
    const branch =
      selector.ref !== undefined && resolved.table.metadata.refs[selector.ref]?.type === "branch";
    const schema = schemaForSnapshot(resolved.table.metadata, snapshot, clause !== undefined && !branch);
    pending.push({
      ref,
      nameEnd,
      clause,
      metaIdx,
      resolved,
      snapshot,
      selector,
      schema,
      filter: metaIdx > 0 ? undefined : draftFilter(ref, schema),
    });
  }
  // Pass 2: fold every constant of every filter in one DuckDB round trip, then plan each scan.
  await foldConstants(
    duck,
    pending.flatMap((p) => p.filter?.pending ?? []),
  );
  for (const p of pending) {
    const { ref, table } = { ref: p.ref, table: p.resolved.table };
    let relation: string;
    if (p.metaIdx > 0) {
      relation = await metadataTableRelation(
        table,
        ref.table.slice(p.metaIdx + 1).toLowerCase(),
        p.clause ? p.snapshot : undefined,
      );
    } else {
      const filter = p.filter!.finish();
      const plan = await planScan(table, {
        ...(p.snapshot ? { snapshotId: p.snapshot.snapshotId } : {}),
        filter,
      });
      const finalPlan = { ...plan, schema: p.schema };
      const rowPositions =
        p.resolved.qualifiedName === opts.rowPositionsOf?.name &&
        (opts.rowPositionsOf.branch === undefined
          ? !p.clause
          : p.selector.ref === opts.rowPositionsOf.branch && p.selector.snapshotId === undefined);
      scans.push({ name: p.resolved.qualifiedName, table, plan: finalPlan, filter, rowPositions });
      const count = opts.rowPositionsOf ? undefined : countStarFromMetadata(root, ref, finalPlan);
      if (count !== undefined) return { sql: count, scans };
      relation = await scanRelation(table, finalPlan, { duck, rowPositions });
    }
    const alias = ref.alias ? "" : ` AS ${quoteIdent(ref.table)}`;
    replacements.push({ start: ref.location, end: p.nameEnd, text: `${relation}${alias}` });
  }
  for (const c of clauses) {
    if (!usedClauses.has(c))
      throw new ValidationError(`FOR ${c.kind.toUpperCase()} AS OF must follow a table name`);
  }
  replacements.sort((a, b) => b.start - a.start);
  let out = text;
  for (const r of replacements) out = out.slice(0, r.start) + r.text + out.slice(r.end);
  return { sql: translateLiterals(out), scans };
}

/**
 * Trino literals DuckDB reads differently: `TIMESTAMP '2024-01-01 10:00:00 UTC'` (or with an
 * offset or zone name) is a TIMESTAMP WITH TIME ZONE in Trino, so it becomes a TIMESTAMPTZ
 * literal (DuckDB would drop the zone of a TIMESTAMP literal).
 */
export function translateLiterals(sql: string): string {
  const tokens = tokenize(sql);
  let out = "";
  let last = 0;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1]!;
    if (
      t.kind === "word" &&
      t.text.toUpperCase() === "TIMESTAMP" &&
      next.kind === "string" &&
      ZONED.test(next.text.slice(1, -1).trim())
    ) {
      out += `${sql.slice(last, t.start)}TIMESTAMPTZ`;
      last = t.end;
    }
  }
  return out + sql.slice(last);
}

/** A timestamp text whose time of day is followed by a zone: `Z`, `UTC`, `+02`, `-08:00`, `Europe/Paris`. */
const ZONED = /\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(:?\d{2})?|[A-Za-z_]+\/[A-Za-z_/]+)$/i;

/** End offset of the (possibly dotted, quoted) name starting at `start`. */
function qualifiedNameEnd(tokens: ReturnType<typeof tokenize>, start: number): number {
  let i = tokens.findIndex((t) => t.start === start);
  if (i < 0) throw new ValidationError(`cannot locate table reference at offset ${start}`);
  let end = tokens[i]!.end;
  while (
    tokens[i + 1]?.text === "." &&
    (tokens[i + 2]?.kind === "word" || tokens[i + 2]?.kind === "quoted")
  ) {
    i += 2;
    end = tokens[i]!.end;
  }
  return end;
}

/**
 * Evaluates a time travel expression: a version is a snapshot id (integer) or a branch/tag
 * name (string); a timestamp is any constant expression DuckDB can cast to TIMESTAMPTZ. The
 * expression is user text run on its own, so it is held to the sandbox policy and must be a
 * constant (no table, as in Trino).
 * @throws ValidationError naming the expression when it does not evaluate or reads a table;
 * AccessDeniedError for functions the policy refuses
 */
export async function evaluateTimeTravel(
  duck: Duck,
  clause: TimeTravelClause,
  policy: QueryPolicy,
): Promise<SnapshotSelector> {
  const toks = clause.tokens;
  if (
    clause.kind === "version" &&
    toks.length === 1 &&
    toks[0]!.kind === "number" &&
    /^\d+$/.test(toks[0]!.text)
  )
    return { snapshotId: BigInt(toks[0]!.text) };
  const probe = `SELECT (${clause.expression}) AS v`;
  const [parsed] = await parseWithDuckDB(duck, probe).catch((e: unknown) => {
    throw new ValidationError(
      `invalid ${clause.kind} in FOR ${clause.kind.toUpperCase()} AS OF ${clause.expression}: ${(e as Error).message}`,
    );
  });
  checkQueryFunctions(parsed!, "", policy);
  if (collectBaseTables(parsed!).length > 0 || hasTableFunction(parsed))
    throw new ValidationError(
      `FOR ${clause.kind.toUpperCase()} AS OF must be a constant expression, not a query: ${clause.expression}`,
    );
  if (clause.kind === "version") {
    try {
      const rows = await duck.queryJS(`SELECT (${clause.expression}) AS v`);
      const v = rows[0]!.v;
      if (typeof v === "bigint") return { snapshotId: v };
      if (typeof v === "number" && Number.isInteger(v)) return { snapshotId: BigInt(v) };
      if (typeof v === "string") return { ref: v };
    } catch (e) {
      throw new ValidationError(
        `invalid version in FOR VERSION AS OF ${clause.expression}: ${(e as Error).message}`,
      );
    }
    throw new ValidationError(`Unsupported type for table version: ${clause.expression}`);
  }
  try {
    const rows = await duck.queryJS(`SELECT epoch_ms(CAST((${clause.expression}) AS TIMESTAMPTZ)) AS ms`);
    return { asOfTimestampMs: Number(rows[0]!.ms) };
  } catch (e) {
    throw new ValidationError(
      `invalid timestamp in FOR TIMESTAMP AS OF ${clause.expression}: ${(e as Error).message}`,
    );
  }
}

/** Whether a parse tree calls a table function anywhere. */
function hasTableFunction(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasTableFunction);
  if (typeof node !== "object" || node === null) return false;
  if ((node as AstNode).type === "TABLE_FUNCTION") return true;
  return Object.values(node).some(hasTableFunction);
}

/**
 * `SELECT count(*) FROM t` (optionally aliased, nothing else) over files without deletes:
 * the answer is the sum of the files' record counts.
 */
function countStarFromMetadata(root: AstNode, ref: BaseTableRef, plan: ScanPlan): string | undefined {
  if (root.type !== "SELECT_NODE" || ref.select !== root) return undefined;
  if (
    (root.from_table as AstNode).type !== "BASE_TABLE" ||
    root.where_clause ||
    root.having ||
    root.qualify ||
    root.sample
  )
    return undefined;
  if ((root.group_expressions as unknown[]).length > 0 || (root.modifiers as unknown[]).length > 0)
    return undefined;
  if (((root.cte_map as { map: unknown[] }).map ?? []).length > 0) return undefined;
  const list = root.select_list as AstNode[];
  if (list.length !== 1) return undefined;
  const item = list[0]!;
  const isCountStar =
    item.class === "FUNCTION" &&
    (item.function_name === "count_star" ||
      (item.function_name === "count" && (item.children as unknown[]).length === 0)) &&
    !item.distinct &&
    !item.filter;
  if (!isCountStar) return undefined;
  if (plan.tasks.some((t) => t.deletes.length > 0)) return undefined;
  const total = plan.tasks.reduce((n, t) => n + t.file.recordCount, 0n);
  const name = item.alias ? String(item.alias) : "count_star()";
  return `SELECT CAST(${total} AS BIGINT) AS ${quoteIdent(name)}`;
}
