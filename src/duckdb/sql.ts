/**
 * SQL text helpers for DuckDB: identifier and string quoting.
 */

/** Quotes an identifier with double quotes, doubling embedded quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal with single quotes, doubling embedded quotes. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL list literal of strings: `['a', 'b']`. */
export function stringList(values: readonly string[]): string {
  return `[${values.map(quoteString).join(", ")}]`;
}
