/**
 * A token cursor for recursive-descent parsing of statements, with errors that name the
 * line and column (Trino reports `line 1:15: mismatched input ...`).
 */
import { ValidationError } from "../../errors.js";
import { identifierValue, isKeyword, stringValue, type Token, tokenize } from "./tokenizer.js";

/** A possibly qualified name, e.g. `iceberg.analytics.events`, with identifiers folded like Trino. */
export interface QualifiedName {
  readonly parts: readonly string[];
  /** Source span of the whole name. */
  readonly start: number;
  readonly end: number;
}

/** A literal value of a property or procedure argument. */
export type LiteralValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | LiteralValue[]
  | { readonly [key: string]: LiteralValue };

/** A token cursor over one statement. */
export class Parser {
  readonly sql: string;
  readonly tokens: Token[];
  pos = 0;

  constructor(sql: string) {
    this.sql = sql;
    this.tokens = tokenize(sql);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  atEnd(): boolean {
    const t = this.peek();
    return t.kind === "eof" || (t.kind === "punct" && t.text === ";");
  }

  /** A ValidationError at a token: `line L:C: message`. */
  error(message: string, at: Token = this.peek()): ValidationError {
    return new ValidationError(`line ${at.line}:${at.column}: ${message}`);
  }

  /** Throws "mismatched input" for the current token, naming what was expected. */
  unexpected(expected: string): never {
    const t = this.peek();
    throw this.error(`mismatched input '${t.kind === "eof" ? "<EOF>" : t.text}'. Expecting: ${expected}`);
  }

  isKeyword(...kws: string[]): boolean {
    return kws.every((kw, i) => isKeyword(this.peek(i), kw));
  }

  acceptKeyword(...kws: string[]): boolean {
    if (!this.isKeyword(...kws)) return false;
    this.pos += kws.length;
    return true;
  }

  expectKeyword(...kws: string[]): void {
    for (const kw of kws) if (!this.acceptKeyword(kw)) this.unexpected(`'${kw}'`);
  }

  isPunct(p: string): boolean {
    const t = this.peek();
    return (t.kind === "punct" || t.kind === "op") && t.text === p;
  }

  acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.next();
    return true;
  }

  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) this.unexpected(`'${p}'`);
  }

  /** An identifier (word or quoted), folded like Trino. */
  identifier(what = "identifier"): string {
    const t = this.peek();
    if (t.kind !== "word" && t.kind !== "quoted") this.unexpected(what);
    this.next();
    return identifierValue(t);
  }

  /** A dotted name of one or more identifiers. */
  qualifiedName(what = "name"): QualifiedName {
    const first = this.peek();
    const parts = [this.identifier(what)];
    while (this.isPunct(".")) {
      this.next();
      parts.push(this.identifier(what));
    }
    return { parts, start: first.start, end: this.tokens[this.pos - 1]!.end };
  }

  /** A string literal's value. */
  string(what = "string literal"): string {
    const t = this.peek();
    if (t.kind !== "string") this.unexpected(what);
    this.next();
    return stringValue(t);
  }

  /**
   * A literal: string, number, boolean, NULL, `ARRAY[...]` / `[...]` of literals, or a
   * typed literal such as `TIMESTAMP '...'` (kept as its string).
   */
  literal(): LiteralValue {
    const t = this.peek();
    if (t.kind === "string") return this.string();
    if (t.kind === "number") {
      this.next();
      return /^[0-9]+$/.test(t.text)
        ? Number.isSafeInteger(Number(t.text))
          ? Number(t.text)
          : BigInt(t.text)
        : Number(t.text);
    }
    if (t.kind === "op" && t.text === "-" && this.peek(1).kind === "number") {
      this.next();
      const v = this.literal();
      return typeof v === "bigint" ? -v : -(v as number);
    }
    if (this.acceptKeyword("TRUE")) return true;
    if (this.acceptKeyword("FALSE")) return false;
    if (this.acceptKeyword("NULL")) return null;
    if (this.isKeyword("ARRAY") || this.isPunct("[")) {
      this.acceptKeyword("ARRAY");
      this.expectPunct("[");
      const items: LiteralValue[] = [];
      if (!this.isPunct("]")) {
        do items.push(this.literal());
        while (this.acceptPunct(","));
      }
      this.expectPunct("]");
      return items;
    }
    if (this.isKeyword("MAP") && this.peek(1).text === "(") {
      this.next();
      this.expectPunct("(");
      const keys = this.literal();
      this.expectPunct(",");
      const values = this.literal();
      this.expectPunct(")");
      if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length)
        throw this.error("MAP(...) needs two arrays of equal length", t);
      return Object.fromEntries(keys.map((k, i) => [String(k), values[i]!]));
    }
    if (t.kind === "word" && this.peek(1).kind === "string") {
      this.next();
      return this.string();
    }
    return this.unexpected("literal");
  }

  /** `(key = literal, ...)` as used by WITH clauses. */
  properties(): Record<string, LiteralValue> {
    const out: Record<string, LiteralValue> = {};
    this.expectPunct("(");
    if (!this.isPunct(")")) {
      do {
        const key = this.identifier("property name");
        this.expectPunct("=");
        out[key] = this.literal();
      } while (this.acceptPunct(","));
    }
    this.expectPunct(")");
    return out;
  }

  /** Source text from the current token to the end of the statement. */
  rest(): string {
    const t = this.peek();
    let end = this.tokens.length - 1;
    while (end > this.pos && this.tokens[end - 1]!.kind === "punct" && this.tokens[end - 1]!.text === ";")
      end--;
    return this.sql.slice(t.start, this.tokens[end]!.start).trim();
  }

  /**
   * {@link rest} preceded by the statement's text before it, blanked out with line breaks kept:
   * offsets, lines and columns in the returned text are those of the whole statement, so errors
   * about a query inside a statement (`INSERT INTO t SELECT ...`) point where the user wrote it.
   */
  restInPlace(): string {
    return this.sql.slice(0, this.peek().start).replace(/[^\n]/g, " ") + this.rest();
  }

  /** Skips to the end of a balanced parenthesized group starting at the current `(`; returns its inner text. */
  parenthesized(): string {
    const open = this.peek();
    this.expectPunct("(");
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === "eof") throw this.error("unbalanced parentheses", open);
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")") depth--;
    }
    return this.sql.slice(open.end, this.tokens[this.pos - 1]!.start);
  }

  /**
   * The source text of an expression starting at the current token: up to (not including) a
   * `,` or one of `stopKeywords` outside parentheses and CASE ... END, or the statement's end.
   * @throws ValidationError when the expression is empty or its parentheses do not balance
   */
  expressionText(stopKeywords: readonly string[] = []): string {
    const first = this.peek();
    let depth = 0;
    let last: Token | undefined;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof" || (depth === 0 && t.kind === "punct" && t.text === ";")) break;
      if (
        depth === 0 &&
        ((t.kind === "punct" && t.text === ",") || stopKeywords.some((k) => isKeyword(t, k)))
      )
        break;
      if ((t.kind === "punct" && t.text === "(") || isKeyword(t, "CASE")) depth++;
      if ((t.kind === "punct" && t.text === ")") || isKeyword(t, "END")) {
        if (depth === 0) break;
        depth--;
      }
      last = this.next();
    }
    if (!last) this.unexpected("expression");
    if (depth !== 0) throw this.error("unbalanced parentheses", first);
    return this.sql.slice(first.start, last.end).trim();
  }

  /** Throws unless at the end of the statement. */
  expectEnd(): void {
    if (!this.atEnd()) this.unexpected("<EOF>");
  }
}
