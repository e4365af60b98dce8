/**
 * Namespaces and table identifiers (Iceberg REST spec `Namespace`, `TableIdentifier`).
 */
import { ValidationError } from "../errors.js";

/** A namespace: one or more levels, e.g. `["analytics"]` or `["a", "b"]`. */
export type Namespace = readonly string[];

/** A table (or view) in a namespace. */
export interface TableIdentifier {
  readonly namespace: Namespace;
  readonly name: string;
}

/** `ns.sub.table` for messages (levels joined by `.`). */
export function identifierToString(id: TableIdentifier): string {
  return [...id.namespace, id.name].join(".");
}

/** Namespace levels joined by `.` (the JDBC/pyiceberg SQL catalog's `table_namespace` column). */
export function namespaceToString(ns: Namespace): string {
  return ns.join(".");
}

/** Splits a dotted namespace string into levels. */
export function namespaceFromString(text: string): Namespace {
  return text === "" ? [] : text.split(".");
}

/**
 * Parses `ns.table` or `a.b.table` into an identifier (last part is the table).
 * @throws ValidationError when there is no namespace part.
 */
export function parseIdentifier(text: string): TableIdentifier {
  const parts = text.split(".");
  if (parts.length < 2 || parts.some((p) => p === "")) {
    throw new ValidationError(`table name must be namespace.table, got ${JSON.stringify(text)}`);
  }
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1]! };
}

/**
 * Checks a namespace or table name part: non-empty, no control characters, and (because
 * the SQL catalog joins levels with `.`) no `.` inside a level.
 * @throws ValidationError naming the part.
 */
export function validateName(part: string, what: string): void {
  if (part.length === 0) throw new ValidationError(`${what} name must not be empty`);
  if (part.includes("."))
    throw new ValidationError(`${what} name must not contain '.': ${JSON.stringify(part)}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(part))
    throw new ValidationError(`${what} name must not contain control characters: ${JSON.stringify(part)}`);
  if (part.length > 255) throw new ValidationError(`${what} name is longer than 255 characters`);
}
