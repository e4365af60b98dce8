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
 * Unicode control (Cc) and format (Cf) characters: C0/C1 controls, bidirectional overrides
 * and isolates (U+202A-202E, U+2066-2069), zero-width characters (U+200B-200F, U+2060,
 * U+FEFF), soft hyphen ... They make a name render as another one ("Trojan Source",
 * CVE-2021-42574) or invisibly differ from it.
 */
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}\p{Cs}]/u;

/** `U+202E` for a character (its code point, 4+ hex digits). */
function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A name quoted for messages and logs, with control, format and separator characters other
 * than the space escaped (`\u{202e}`), so that the message shows what the name holds.
 */
export function printableName(text: string): string {
  return JSON.stringify(text).replace(/[\p{Cc}\p{Cf}\p{Z}]/gu, (ch) =>
    ch === " " ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`,
  );
}

/**
 * Refuses Unicode control (Cc) and format (Cf) characters, e.g. the right-to-left override
 * U+202E, in a name or property key; and unpaired surrogates (`"\ud800"` in JSON), which are
 * no character at all: stores that hold UTF-8 (SQLite, PostgreSQL, file systems) would keep
 * U+FFFD instead, a name no one sent.
 * @param what the field, e.g. `namespace name`, `table property key`
 * @throws ValidationError naming the field, the (escaped) text and the character's code point.
 */
export function checkNoControlCharacters(text: string, what: string): void {
  const m = CONTROL_OR_FORMAT.exec(text);
  if (m && /\p{Cs}/u.test(m[0]))
    throw new ValidationError(
      `${what} ${printableName(text)} has an unpaired surrogate ${codePoint(m[0])} (at index ${m.index}): it is not Unicode text`,
    );
  if (m)
    throw new ValidationError(
      `${what} ${printableName(text)} must not contain the ${/\p{Cc}/u.test(m[0]) ? "control" : "format"} character ${codePoint(m[0])} (at index ${m.index}): control and format characters such as bidirectional overrides make a name display as another`,
    );
}

/**
 * Checks a namespace, table or view name part: non-empty, at most 255 characters, no
 * whitespace, no Unicode control (Cc) or format (Cf) characters (bidi overrides, zero-width
 * characters) and none of `. / \ * % ' "` (names become location path segments and SQL
 * identifiers; the SQL catalog joins namespace levels with `.`). The one name rule of the
 * REST catalog and SQL alike (the SQL catalog calls it for every new name).
 * @throws ValidationError naming the part, the field and the offending character.
 */
export function validateName(part: string, what: string): void {
  if (typeof part !== "string" || part.length === 0)
    throw new ValidationError(`${what} name must not be empty`);
  if (part.length > 255) throw new ValidationError(`${what} name is longer than 255 characters`);
  checkNoControlCharacters(part, `${what} name`);
  for (const [ch, why] of FORBIDDEN_NAME_CHARACTERS) {
    if (part.includes(ch))
      throw new ValidationError(`${what} name ${JSON.stringify(part)} must not contain '${ch}': ${why}`);
  }
  if (/\s/u.test(part))
    throw new ValidationError(`${what} name ${printableName(part)} must not contain whitespace`);
}

/**
 * Checks a property key (namespace, table or view properties) being set: non-empty, no
 * Unicode control or format characters. Keys already stored are not re-checked.
 * @param what the field, e.g. `namespace property key`
 * @throws ValidationError naming the field and the character.
 */
export function validatePropertyKey(key: string, what: string): void {
  if (key === "") throw new ValidationError(`${what} must not be empty`);
  checkNoControlCharacters(key, what);
}
