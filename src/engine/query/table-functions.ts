/**
 * Table functions in FROM: `TABLE(catalog.system.table_changes(schema_name, table_name[,
 * start_snapshot_id[, end_snapshot_id]]))` (Trino's Iceberg change feed, arguments positional
 * or named) is replaced by the relation of the table's changes before the query is rewritten.
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

/**
 * Replaces every `TABLE(... .system.table_changes(...))` of `sql` by its relation.
 * @throws ValidationError for bad arguments (naming them) or unbalanced parentheses;
 * NoSuchTableError for an unknown table
 */
export async function expandTableFunctions(
  duck: Duck,
  resolver: TableResolver,
  sql: string,
): Promise<string> {
  if (!/table_changes/i.test(sql)) return sql;
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
    edits.push({ start: tokens[i]!.start, end: tokens[close + 1]!.end, text: relation });
    i = close + 1;
  }
  let out = sql;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
