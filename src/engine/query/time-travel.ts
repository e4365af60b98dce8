/**
 * Trino's time travel clauses, `FOR VERSION AS OF <expr>` and `FOR TIMESTAMP AS OF <expr>`
 * (also `FOR SYSTEM_VERSION` / `FOR SYSTEM_TIME`), found at token level after a table name.
 * DuckDB's parser does not know them, so they are blanked out (offsets kept) before DuckDB
 * parses the query, and applied when the table reference they follow is resolved.
 */
import { isKeyword, type Token, tokenize } from "../sql/tokenizer.js";

/** One time travel clause. */
export interface TimeTravelClause {
  readonly kind: "version" | "timestamp";
  /** Offset of `FOR`; the table name ends just before it. */
  readonly start: number;
  /** Offset just after the expression. */
  readonly end: number;
  /** The expression's text. */
  readonly expression: string;
  /** The expression's tokens. */
  readonly tokens: readonly Token[];
}

const STOP = new Set([
  "AS",
  "WHERE",
  "JOIN",
  "INNER",
  "LEFT",
  "RIGHT",
  "FULL",
  "CROSS",
  "NATURAL",
  "ON",
  "USING",
  "GROUP",
  "ORDER",
  "LIMIT",
  "HAVING",
  "WINDOW",
  "UNION",
  "EXCEPT",
  "INTERSECT",
  "QUALIFY",
  "OFFSET",
  "FETCH",
  "LATERAL",
  "TABLESAMPLE",
  "FOR",
  "POSITIONAL",
  "ASOF",
  "ANTI",
  "SEMI",
]);
/** Words that continue an expression after a complete operand (`INTERVAL '1' DAY`, `AT TIME ZONE`). */
const CONTINUE = new Set([
  "DAY",
  "DAYS",
  "HOUR",
  "HOURS",
  "MINUTE",
  "MINUTES",
  "SECOND",
  "SECONDS",
  "MONTH",
  "MONTHS",
  "YEAR",
  "YEARS",
  "WEEK",
  "WEEKS",
  "AT",
  "TIME",
  "ZONE",
  "TO",
]);

/** Finds time travel clauses and returns the text with them replaced by spaces (same length). */
export function extractTimeTravel(sql: string): { text: string; clauses: TimeTravelClause[] } {
  const tokens = tokenize(sql);
  const clauses: TimeTravelClause[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isKeyword(tokens[i], "FOR")) continue;
    const kindTok = tokens[i + 1];
    const kind =
      isKeyword(kindTok, "VERSION") || isKeyword(kindTok, "SYSTEM_VERSION")
        ? "version"
        : isKeyword(kindTok, "TIMESTAMP") || isKeyword(kindTok, "SYSTEM_TIME")
          ? "timestamp"
          : undefined;
    if (!kind || !isKeyword(tokens[i + 2], "AS") || !isKeyword(tokens[i + 3], "OF")) continue;
    let j = i + 4;
    let depth = 0;
    let complete = false;
    const exprStart = j;
    for (; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.kind === "eof") break;
      if (t.kind === "punct" && (t.text === "(" || t.text === "[")) {
        depth++;
        complete = false;
        continue;
      }
      if (t.kind === "punct" && (t.text === ")" || t.text === "]")) {
        if (depth === 0) break;
        depth--;
        complete = depth === 0;
        continue;
      }
      if (depth > 0) continue;
      if (t.kind === "punct" && (t.text === "," || t.text === ";")) break;
      if (t.kind === "word" && STOP.has(t.text.toUpperCase())) break;
      if (t.kind === "op") {
        complete = false;
        continue;
      }
      if (complete && (t.kind === "word" || t.kind === "quoted") && !CONTINUE.has(t.text.toUpperCase()))
        break;
      // A word followed by a string is a typed literal (TIMESTAMP '...'); after a word, more may follow.
      complete =
        t.kind === "string" ||
        t.kind === "number" ||
        t.kind === "quoted" ||
        (t.kind === "word" && tokens[j + 1]?.kind !== "string" && tokens[j + 1]?.text !== "(");
      if (t.kind === "word" && CONTINUE.has(t.text.toUpperCase()))
        complete = t.text.toUpperCase() !== "AT" && t.text.toUpperCase() !== "TIME";
    }
    const exprTokens = tokens.slice(exprStart, j);
    if (exprTokens.length === 0) continue;
    const end = exprTokens[exprTokens.length - 1]!.end;
    clauses.push({
      kind,
      start: tokens[i]!.start,
      end,
      expression: sql.slice(exprTokens[0]!.start, end),
      tokens: exprTokens,
    });
    i = j - 1;
  }
  let text = sql;
  for (const c of clauses) text = text.slice(0, c.start) + " ".repeat(c.end - c.start) + text.slice(c.end);
  return { text, clauses };
}
