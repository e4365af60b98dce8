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

/** Characters a name may not contain (besides control characters), with why. */
const FORBIDDEN_NAME_CHARACTERS: readonly [string, string][] = [
  [".", "it separates namespace levels"],
  ["/", "it separates location parts"],
  ["\\", "it separates location parts on Windows"],
  ["*", "it is a glob wildcard in file paths"],
  ["%", "it starts a URL escape"],
  ["'", "it quotes SQL strings"],
  ['"', "it quotes SQL identifiers"],
];

/**
 * Checks a namespace, table or view name part: non-empty, at most 255 characters, no
 * whitespace or control characters and none of `. / \ * % ' "` (names become location path
 * segments and SQL identifiers; the SQL catalog joins namespace levels with `.`).
 * @throws ValidationError naming the part, the field and the offending character.
 */
export function validateName(part: string, what: string): void {
  if (typeof part !== "string" || part.length === 0)
    throw new ValidationError(`${what} name must not be empty`);
  if (part.length > 255) throw new ValidationError(`${what} name is longer than 255 characters`);
  for (const [ch, why] of FORBIDDEN_NAME_CHARACTERS) {
    if (part.includes(ch))
      throw new ValidationError(`${what} name ${JSON.stringify(part)} must not contain '${ch}': ${why}`);
  }
  if (/\s/u.test(part))
    throw new ValidationError(`${what} name ${JSON.stringify(part)} must not contain whitespace`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (/[\u0000-\u001f\u007f]/.test(part))
    throw new ValidationError(`${what} name must not contain control characters: ${JSON.stringify(part)}`);
}
