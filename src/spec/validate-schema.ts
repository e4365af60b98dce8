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

interface Visited {
  readonly field: NestedField;
  readonly path: string;
  readonly parentId: number | undefined;
}

/** A ValidationError typed `ValidationException`, as Iceberg Java's REST servers answer a failed `ValidationException.check`. */
export function validationException(message: string): ValidationError {
  return new ValidationError(message, undefined, "ValidationException");
}

/**
 * Checks a schema: every field id (struct fields, list element ids, map key and value ids) is
 * an integer used once, and with `storedIds` in 1..2147483447; no two fields share a full
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
  const byId = new Map<number, Visited>();
  const byName = new Map<string, number>();
  const visit = (field: NestedField, prefix: string, parentId: number | undefined) => {
    const path = prefix ? `${prefix}.${field.name}` : field.name;
    const id = field.id;
    if (!Number.isInteger(id))
      throw new InvalidArgumentError(`${where}: field '${path}' has id ${id}, which is not an integer`);
    if (storedIds && id < 1)
      throw new InvalidArgumentError(`${where}: field '${path}' has id ${id}; field ids must be positive`);
    if (storedIds && id > MAX_USER_FIELD_ID)
      throw new InvalidArgumentError(
        `${where}: field '${path}' has id ${id}, in the range reserved for metadata columns (ids must be <= ${MAX_USER_FIELD_ID})`,
      );
    const seen = byId.get(id);
    if (seen)
      throw new InvalidArgumentError(`${where}: field id ${id} is used by both '${seen.path}' and '${path}'`);
    byId.set(id, { field, path, parentId });
    const other = byName.get(path);
    if (other !== undefined)
      throw validationException(`${where}: multiple fields for name '${path}': ids ${other} and ${id}`);
    byName.set(path, id);
    checkFormatVersion(field, path, where, opts.formatVersion);
    for (const child of childFields(field.type)) visit(child, path, id);
  };
  for (const f of schema.fields) visit(f, "", undefined);
  for (const id of schema.identifierFieldIds) checkIdentifierField(id, byId, where);
}

function checkFormatVersion(field: NestedField, path: string, where: string, formatVersion?: number): void {
  if (formatVersion === undefined || formatVersion >= 3) return;
  if (V3_TYPES.has(field.type.kind))
    throw new InvalidArgumentError(
      `${where}: invalid type for ${path}: ${typeToString(field.type)} is not supported until v3 (table is v${formatVersion})`,
    );
  if (field.initialDefault !== undefined && field.initialDefault !== null)
    throw new InvalidArgumentError(
      `${where}: invalid initial default for ${path}: non-null default is not supported until v${DEFAULT_VALUES_MIN_FORMAT_VERSION} (table is v${formatVersion})`,
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
  const { field, path } = entry;
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
      throw fail(`must not be nested in ${parent.field.type.kind} '${parent.path}'`);
    if (!parent.field.required) throw fail(`must not be nested in an optional field '${parent.path}'`);
  }
}
