/**
 * Table functions in FROM: `TABLE(catalog.system.table_changes(schema_name, table_name[,
 * start_snapshot_id[, end_snapshot_id]]))` (Trino's Iceberg change feed, arguments positional
 * or named) is replaced by a placeholder table name before DuckDB parses the query (padded so
 * that every other offset of the user's text stays where it was), and the placeholder by the
 * relation of the table's changes when the query is rewritten.
 */
import type { Duck } from "../../duckdb/connection.js";
import { NoSuchTableError, ValidationError } from "../../errors.js";
import { changelogRelation } from "../../table/changelog.js";
import { Parser } from "../sql/parser.js";
import { parseCallArguments } from "../sql/statement.js";
import { identifierValue, isKeyword, type Token, tokenize } from "../sql/tokenizer.js";
import { bindArguments } from "../statements/call.js";
import type { TableResolver } from "./rewrite.js";

const isPunct = (t: Token | undefined, p: string) =>
  t !== undefined && (t.kind === "punct" || t.kind === "op") && t.text === p;

/** A query whose table functions became placeholders. */
export interface ExpandedQuery {
  /** The query with each `TABLE(...)` replaced by a placeholder name, offsets and lines kept. */
  readonly text: string;
  /** Placeholder table name -> the relation (SQL text) it stands for. */
  readonly relations: ReadonlyMap<string, string>;
}

/** The prefix of placeholder names (never a lakehouse or DuckDB name a user would write). */
export const TABLE_FUNCTION_PLACEHOLDER = "__aichemy_table_function_";

/**
 * Replaces every `TABLE(... .system.table_changes(...))` of `sql` by a placeholder name.
 * @throws ValidationError for bad arguments (naming them) or unbalanced parentheses;
 * NoSuchTableError for an unknown table
 */
export async function expandTableFunctions(
  duck: Duck,
  resolver: TableResolver,
  sql: string,
): Promise<ExpandedQuery> {
  const relations = new Map<string, string>();
  if (!/table_changes/i.test(sql)) return { text: sql, relations };
  const tokens = tokenize(sql);
  const edits: { start: number; end: number; text: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isKeyword(tokens[i]!, "TABLE") || !isPunct(tokens[i + 1], "(")) continue;
    let j = i + 2;
    const parts: string[] = [];
    while (tokens[j] && (tokens[j]!.kind === "word" || tokens[j]!.kind === "quoted")) {
      parts.push(identifierValue(tokens[j]!));
      if (!isPunct(tokens[j + 1], ".")) break;
      j += 2;
    }
    const fn = parts.at(-1)?.toLowerCase();
    if (fn !== "table_changes" || parts.at(-2)?.toLowerCase() !== "system" || !isPunct(tokens[j + 1], "("))
      continue;
    const open = j + 1;
    let depth = 0;
    let close = open;
    for (; close < tokens.length; close++) {
      if (isPunct(tokens[close], "(")) depth++;
      if (isPunct(tokens[close], ")") && --depth === 0) break;
    }
    if (!isPunct(tokens[close + 1], ")"))
      throw new ValidationError(`line ${tokens[i]!.line}:${tokens[i]!.column}: TABLE(...) is not closed`);
    const p = new Parser(sql.slice(tokens[open]!.start, tokens[close]!.end));
    const args = bindArguments(
      "table_changes",
      [
        { name: "schema_name", required: true },
        { name: "table_name", required: true },
        { name: "start_snapshot_id", required: false },
        { name: "end_snapshot_id", required: false },
      ],
      parseCallArguments(p),
    );
    const catalog = parts.length >= 3 ? parts[0] : undefined;
    const name = [...(catalog ? [catalog] : []), String(args.schema_name), String(args.table_name)];
    const resolved = await resolver.resolve(name);
    if (!resolved) throw new NoSuchTableError(`Table '${name.join(".")}' does not exist`);
    const id = (v: unknown, what: string) => {
      if (v === undefined || v === null) return undefined;
      if (typeof v !== "bigint" && typeof v !== "number")
        throw new ValidationError(`table_changes: ${what} must be a snapshot id`);
      return BigInt(v);
    };
    const relation = await changelogRelation(
      duck,
      resolved.table,
      id(args.start_snapshot_id, "start_snapshot_id"),
      id(args.end_snapshot_id, "end_snapshot_id"),
    );
    const placeholder = `${TABLE_FUNCTION_PLACEHOLDER}${relations.size}`;
    relations.set(placeholder, relation);
    const start = tokens[i]!.start;
    const end = tokens[close + 1]!.end;
    const padding = sql.slice(start + placeholder.length, end).replace(/[^\n]/g, " ");
    edits.push({ start, end, text: placeholder + padding });
    i = close + 1;
  }
  let out = sql;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, relations };
}
