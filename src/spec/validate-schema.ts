/**
 * Validity of a schema that is created or added to a table, with the rules of Iceberg Java's
 * `Schema` constructor (unique field ids, `IndexByName`'s unique full names,
 * `validateIdentifierField`) and `Schema.checkCompatibility` (types and defaults newer than the
 * table's format version), plus the spec's bounds on ids (spec "Schemas and Data Types",
 * "Identifier Field IDs", "Reserved Field IDs", "Default values"). Pure and linear in the
 * number of fields; stored metadata is read without it (docs/rest-catalog.md "Metadata validation").
 */
import { InvalidArgumentError, ValidationError } from "../errors.js";
import { childFields, MAX_USER_FIELD_ID, type Schema } from "./schema.js";
import { isPrimitive, type NestedField, typeToString } from "./types.js";

/** Options of {@link validateSchema}. */
export interface SchemaValidationOptions {
  /** Where the schema is, prefixed to messages, e.g. `updates[1].schema` (default `schema`). */
  readonly where?: string | undefined;
  /**
   * Whether the ids are the ones the table stores (default true): each must then be in
   * 1..2147483447. False for the schema of a create-table request, whose ids are reassigned
   * (Spark sends ordinals from 0 there); such ids need only be unique.
   */
  readonly storedIds?: boolean | undefined;
  /** Format version of the table: types and defaults it does not support are refused (default: not checked). */
  readonly formatVersion?: number | undefined;
}

/** Types that need format v3 (Iceberg Java `Schema.MIN_FORMAT_VERSIONS`). */
const V3_TYPES: ReadonlySet<string> = new Set([
  "timestamp_ns",
  "timestamptz_ns",
  "variant",
  "unknown",
  "geometry",
  "geography",
]);

/** First format version with field default values (Java `DEFAULT_VALUES_MIN_FORMAT_VERSION`). */
const DEFAULT_VALUES_MIN_FORMAT_VERSION = 3;

/** What the walk records per field id: the field and its parent's id (undefined at the top level). */
interface Visited {
  readonly field: NestedField;
  readonly parentId: number | undefined;
}

/** The full dotted name of a recorded field (`loc.lat`, `tags.element`), built only for messages. */
function pathOf(byId: ReadonlyMap<number, Visited>, entry: Visited): string {
  const names = [entry.field.name];
  for (let p = entry.parentId; p !== undefined; ) {
    const parent = byId.get(p)!;
    names.push(parent.field.name);
    p = parent.parentId;
  }
  return names.reverse().join(".");
}

/** A ValidationError typed `ValidationException`, as Iceberg Java's REST servers answer a failed `ValidationException.check`. */
export function validationException(message: string): ValidationError {
  return new ValidationError(message, undefined, "ValidationException");
}

/**
 * Checks a schema: every struct field has a name; every field id (struct fields, list element
 * ids, map key and value ids) is an integer used once, and with `storedIds` in 1..2147483447; no two fields share a full
 * dotted name (case-sensitive, like Java); identifier fields exist, are required, primitive,
 * not float/double, and sit only in required structs (not in a list, map or optional struct);
 * with `formatVersion` < 3, no v3 type (`timestamp_ns`, `variant`, `unknown`, `geometry`,
 * `geography`) and no `initial-default`.
 * @throws InvalidArgumentError (REST `IllegalArgumentException`) naming the schema and the
 * field, e.g. `updates[0].schema: field id 3 is used by both 'a' and 'b'`; a ValidationError
 * typed `ValidationException` for two fields of one name (Java `IndexByName`).
 */
export function validateSchema(schema: Schema, opts: SchemaValidationOptions = {}): void {
  const where = opts.where ?? "schema";
  const storedIds = opts.storedIds ?? true;
  const checkVersion = opts.formatVersion !== undefined && opts.formatVersion < 3;
  const byId = new Map<number, Visited>();
  let dotted = false;
  // One pass over every field; names are compared per struct, full paths built only for
  // messages (and for Java's full-name check when some name has a dot).
  const idProblem = (entry: Visited, why: string) =>
    new InvalidArgumentError(`${where}: field '${pathOf(byId, entry)}' has id ${entry.field.id}${why}`);
  const visit = (field: NestedField, parentId: number | undefined, siblings: Set<string> | undefined) => {
    const id = field.id;
    const entry: Visited = { field, parentId };
    if (!Number.isInteger(id)) throw idProblem(entry, ", which is not an integer");
    if (storedIds && id < 1) throw idProblem(entry, "; field ids must be positive");
    if (storedIds && id > MAX_USER_FIELD_ID)
      throw idProblem(
        entry,
        `, in the range reserved for metadata columns (ids must be <= ${MAX_USER_FIELD_ID})`,
      );
    const seen = byId.get(id);
    if (seen)
      throw new InvalidArgumentError(
        `${where}: field id ${id} is used by both '${pathOf(byId, seen)}' and '${pathOf(byId, entry)}'`,
      );
    byId.set(id, entry);
    if (siblings) {
      if (field.name === "")
        throw new InvalidArgumentError(`${where}: field id ${id} has an empty name (a column needs a name)`);
      if (siblings.has(field.name)) throw duplicateName(byId, entry, where);
      siblings.add(field.name);
      if (!dotted && field.name.includes(".")) dotted = true;
    }
    if (checkVersion) checkFormatVersion(byId, entry, where, opts.formatVersion!);
    const type = field.type;
    if (type.kind === "struct") {
      const names = new Set<string>();
      for (const f of type.fields) visit(f, id, names);
    } else if (type.kind === "list" || type.kind === "map") {
      for (const child of childFields(type)) visit(child, id, undefined);
    }
  };
  const top = new Set<string>();
  for (const f of schema.fields) visit(f, undefined, top);
  if (dotted) checkFullNames(byId, where);
  for (const id of schema.identifierFieldIds) checkIdentifierField(id, byId, where);
}

/** Java `IndexByName`: no two fields share a full dotted name (only reachable when a name has a dot). */
function checkFullNames(byId: ReadonlyMap<number, Visited>, where: string): void {
  const byName = new Map<string, number>();
  for (const [id, entry] of byId) {
    const path = pathOf(byId, entry);
    const other = byName.get(path);
    if (other !== undefined)
      throw validationException(`${where}: multiple fields for name '${path}': ids ${other} and ${id}`);
    byName.set(path, id);
  }
}

/** Java `IndexByName`'s error for a second field of one name in a struct. */
function duplicateName(byId: ReadonlyMap<number, Visited>, entry: Visited, where: string): ValidationError {
  let first: Visited | undefined;
  for (const v of byId.values()) {
    if (v !== entry && v.parentId === entry.parentId && v.field.name === entry.field.name) {
      first = v;
      break;
    }
  }
  return validationException(
    `${where}: multiple fields for name '${pathOf(byId, entry)}': ids ${first?.field.id} and ${entry.field.id}`,
  );
}

/** Java `Schema.checkCompatibility` for format versions before 3. */
function checkFormatVersion(
  byId: ReadonlyMap<number, Visited>,
  entry: Visited,
  where: string,
  formatVersion: number,
): void {
  const field = entry.field;
  if (V3_TYPES.has(field.type.kind))
    throw new InvalidArgumentError(
      `${where}: invalid type for ${pathOf(byId, entry)}: ${typeToString(field.type)} is not supported until v3 (table is v${formatVersion})`,
    );
  if (field.initialDefault !== undefined && field.initialDefault !== null)
    throw new InvalidArgumentError(
      `${where}: invalid initial default for ${pathOf(byId, entry)}: non-null default is not supported until v${DEFAULT_VALUES_MIN_FORMAT_VERSION} (table is v${formatVersion})`,
    );
}

/** Java `Schema.validateIdentifierField`, naming the field by its full name. */
function checkIdentifierField(id: number, byId: ReadonlyMap<number, Visited>, where: string): void {
  const at = `${where}.identifier-field-ids`;
  const entry = byId.get(id);
  if (!entry)
    throw new InvalidArgumentError(
      `${at}: cannot add field id ${id} as an identifier field: field does not exist`,
    );
  const { field } = entry;
  const path = pathOf(byId, entry);
  const fail = (why: string) =>
    new InvalidArgumentError(`${at}: cannot add field '${path}' as an identifier field: ${why}`);
  if (!isPrimitive(field.type) || field.type.kind === "variant") throw fail("not a primitive type field");
  if (!field.required) throw fail("not a required field");
  if (field.type.kind === "float" || field.type.kind === "double")
    throw fail("must not be float or double field");
  // From the root down, as Java does, so that a list or map is named before its optional element.
  const parents: Visited[] = [];
  for (let p = entry.parentId; p !== undefined; p = parents[parents.length - 1]!.parentId)
    parents.push(byId.get(p)!);
  for (const parent of parents.reverse()) {
    if (parent.field.type.kind !== "struct")
      throw fail(`must not be nested in ${parent.field.type.kind} '${pathOf(byId, parent)}'`);
    if (!parent.field.required)
      throw fail(`must not be nested in an optional field '${pathOf(byId, parent)}'`);
  }
}
