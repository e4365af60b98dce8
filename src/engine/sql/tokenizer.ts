/**
 * A SQL tokenizer for the Trino dialect (and DuckDB's): keywords and identifiers, quoted
 * identifiers (`"a ""b"""`), string literals (`'it''s'`, `E'..'`, `U&'..'`), numbers,
 * operators and punctuation, with comments and whitespace kept as trivia so that text can
 * be rewritten by token spans. Positions are UTF-16 offsets into the input; line and column
 * are 1-based, for error messages.
 */
import { ValidationError } from "../../errors.js";

/** Token kinds. */
export type TokenKind = "word" | "quoted" | "string" | "number" | "op" | "punct" | "param" | "eof";

/** A token with its source span. */
export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token. */
  readonly text: string;
  /** Start offset (inclusive) and end offset (exclusive) in the input. */
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/** The value of an identifier token: words fold to lower case (Trino), quoted ones keep case. */
export function identifierValue(t: Token): string {
  if (t.kind === "quoted") return t.text.slice(1, -1).replace(/""/g, '"');
  return t.text.toLowerCase();
}

/** The value of a string literal token. */
export function stringValue(t: Token): string {
  let s = t.text;
  if (/^[eE]'/.test(s)) s = s.slice(1);
  if (/^[uU]&'/.test(s)) s = s.slice(2);
  return s.slice(1, -1).replace(/''/g, "'");
}

/** Whether a token is the keyword `kw` (case-insensitive). */
export function isKeyword(t: Token | undefined, kw: string): boolean {
  return t !== undefined && t.kind === "word" && t.text.toUpperCase() === kw;
}

const OPS = [
  "<=>",
  "->>",
  "::",
  "<=",
  ">=",
  "<>",
  "!=",
  "||",
  "->",
  "=>",
  ":=",
  "**",
  "//",
  "<<",
  ">>",
  "==",
  "~~",
];

/**
 * Splits SQL text into tokens (comments and whitespace skipped; an `eof` token last).
 * @throws ValidationError with line and column for an unterminated string, identifier or comment.
 */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = sql.length;
  const push = (kind: TokenKind, start: number, end: number, l: number, c: number) =>
    out.push({ kind, text: sql.slice(start, end), start, end, line: l, column: c });
  const fail = (what: string, at: number, l: number, c: number): never => {
    void at;
    throw new ValidationError(`line ${l}:${c}: ${what}`);
  };
  while (i < n) {
    const ch = sql[i]!;
    if (ch === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    const l = line;
    const c = i - lineStart + 1;
    if (ch === "-" && sql[i + 1] === "-") {
      while (i < n && sql[i] !== "\n") i++;
      continue;
    }
    if (ch === "/" && sql[i + 1] === "*") {
      const endAt = sql.indexOf("*/", i + 2);
      if (endAt < 0) fail("unterminated comment", i, l, c);
      for (let k = i; k < endAt; k++)
        if (sql[k] === "\n") {
          line++;
          lineStart = k + 1;
        }
      i = endAt + 2;
      continue;
    }
    const stringStart =
      ch === "'"
        ? i
        : (ch === "e" || ch === "E") && sql[i + 1] === "'"
          ? i + 1
          : (ch === "u" || ch === "U") && sql[i + 1] === "&" && sql[i + 2] === "'"
            ? i + 2
            : -1;
    if (stringStart >= 0) {
      i = stringStart + 1;
      for (;;) {
        if (i >= n) fail("unterminated string literal", start, l, c);
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (sql[i] === "\\" && stringStart !== start) {
          i += 2;
          continue;
        }
        if (sql[i] === "\n") {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      push("string", start, i, l, c);
      continue;
    }
    if (ch === '"' || ch === "`") {
      const q = ch;
      i++;
      for (;;) {
        if (i >= n) fail("unterminated quoted identifier", start, l, c);
        if (sql[i] === q) {
          if (sql[i + 1] === q) {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      const text = sql.slice(start, i);
      out.push({
        kind: "quoted",
        text: q === "`" ? `"${text.slice(1, -1).replace(/"/g, '""')}"` : text,
        start,
        end: i,
        line: l,
        column: c,
      });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      if (ch === "0" && /[xX]/.test(sql[i + 1] ?? "")) {
        i += 2;
        while (i < n && /[0-9a-fA-F_]/.test(sql[i]!)) i++;
      } else {
        while (i < n && /[0-9_]/.test(sql[i]!)) i++;
        if (sql[i] === "." && sql[i + 1] !== ".") {
          i++;
          while (i < n && /[0-9_]/.test(sql[i]!)) i++;
        }
        if (/[eE]/.test(sql[i] ?? "") && /[0-9+-]/.test(sql[i + 1] ?? "")) {
          i += 2;
          while (i < n && /[0-9]/.test(sql[i]!)) i++;
        }
      }
      push("number", start, i, l, c);
      continue;
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(ch)) {
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i]!)) i++;
      push("word", start, i, l, c);
      continue;
    }
    if (ch === "?" || (ch === "$" && /[0-9]/.test(sql[i + 1] ?? ""))) {
      i++;
      while (i < n && /[0-9]/.test(sql[i]!)) i++;
      push("param", start, i, l, c);
      continue;
    }
    const op = OPS.find((o) => sql.startsWith(o, i));
    if (op) {
      i += op.length;
      push("op", start, i, l, c);
      continue;
    }
    if ("(),;[]{}.".includes(ch)) {
      i++;
      push("punct", start, i, l, c);
      continue;
    }
    i++;
    push("op", start, i, l, c);
  }
  out.push({ kind: "eof", text: "", start: n, end: n, line, column: n - lineStart + 1 });
  return out;
}

/** A statement's text and its first token's position in the script. */
export interface StatementText {
  readonly sql: string;
  readonly line: number;
  readonly column: number;
}

/** Splits a script into statements at top-level semicolons; empty statements are dropped. */
export function splitStatements(script: string): StatementText[] {
  const tokens = tokenize(script);
  const out: StatementText[] = [];
  let first: Token | undefined;
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "eof" || (t.kind === "punct" && t.text === ";" && depth === 0)) {
      if (first)
        out.push({
          sql: script.slice(first.start, t.kind === "eof" ? script.length : t.start).trim(),
          line: first.line,
          column: first.column,
        });
      first = undefined;
      continue;
    }
    if (t.kind === "punct" && (t.text === "(" || t.text === "[" || t.text === "{")) depth++;
    if (t.kind === "punct" && (t.text === ")" || t.text === "]" || t.text === "}"))
      depth = Math.max(0, depth - 1);
    first ??= t;
  }
  return out;
}
