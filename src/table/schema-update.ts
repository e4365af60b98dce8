/**
 * Schema evolution (Iceberg spec "Schema Evolution"; Iceberg Java `SchemaUpdate`): add,
 * drop and rename columns (dotted paths reach into structs), set column docs. Field ids are
 * never reused: new fields take ids above `last-column-id`.
 */
import { ValidationError } from "../errors.js";
import { Schema } from "../spec/schema.js";
import type { TableMetadata } from "../spec/table-metadata.js";
import type { TableRequirement, TableUpdate } from "../spec/table-update.js";
import { type IcebergType, type NestedField, type StructType, typeToString } from "../spec/types.js";

/** A new schema and the table's new `last-column-id`. */
export interface SchemaChange {
  readonly schema: Schema;
  readonly lastColumnId: number;
}

/**
 * The commit of a schema change made on `md`: `add-schema` and `set-current-schema` (-1, the
 * schema just added), guarded by `assert-current-schema-id` and `assert-last-assigned-field-id`
 * so that a concurrent schema change fails it (REST spec `CommitTableRequest`).
 */
export function schemaChangeCommit(
  md: TableMetadata,
  change: SchemaChange,
): { requirements: TableRequirement[]; updates: TableUpdate[] } {
  return {
    requirements: [
      { type: "assert-current-schema-id", currentSchemaId: md.currentSchemaId },
      { type: "assert-last-assigned-field-id", lastAssignedFieldId: md.lastColumnId },
    ],
    updates: [
      { action: "add-schema", schema: change.schema, lastColumnId: change.lastColumnId },
      { action: "set-current-schema", schemaId: -1 },
    ],
  };
}

/** Assigns fresh ids (from `next`) to a type's nested fields; returns the type and the last id used. */
function freshIds(type: IcebergType, last: number): { type: IcebergType; last: number } {
  let next = last;
  const visit = (t: IcebergType): IcebergType => {
    switch (t.kind) {
      case "struct": {
        const ids = t.fields.map(() => ++next);
        return {
          kind: "struct",
          fields: t.fields.map((f, i) => ({ ...f, id: ids[i]!, type: visit(f.type) })),
        };
      }
      case "list": {
        const elementId = ++next;
        return { ...t, elementId, element: visit(t.element) };
      }
      case "map": {
        const keyId = ++next;
        const valueId = ++next;
        return { ...t, keyId, valueId, key: visit(t.key), value: visit(t.value) };
      }
      default:
        return t;
    }
  };
  const type2 = visit(type);
  return { type: type2, last: next };
}

/**
 * Rewrites the struct at `path` (empty = top level) with `fn`. Paths step into struct fields by
 * name and into list elements and map keys/values by `element`, `key` and `value`.
 */
function updateStruct(
  fields: readonly NestedField[],
  path: readonly string[],
  fn: (fields: readonly NestedField[]) => NestedField[],
  where: string,
): NestedField[] {
  if (path.length === 0) return fn(fields);
  const [head, ...rest] = path;
  const i = fields.findIndex((f) => f.name.toLowerCase() === head!.toLowerCase());
  if (i < 0) throw new ValidationError(`Column '${where}' does not exist`);
  const f = fields[i]!;
  const out = [...fields];
  out[i] = { ...f, type: updateType(f.type, rest, fn, where, f.name) };
  return out;
}

function updateType(
  type: IcebergType,
  path: readonly string[],
  fn: (fields: readonly NestedField[]) => NestedField[],
  where: string,
  name: string,
): IcebergType {
  if (type.kind === "struct")
    return { kind: "struct", fields: updateStruct(type.fields, path, fn, where) } as StructType;
  const [head, ...rest] = path;
  if (type.kind === "list" && head === "element")
    return { ...type, element: updateType(type.element, rest, fn, where, "element") };
  if (type.kind === "map" && head === "value")
    return { ...type, value: updateType(type.value, rest, fn, where, "value") };
  if (type.kind === "map" && head === "key")
    return { ...type, key: updateType(type.key, rest, fn, where, "key") };
  throw new ValidationError(`Column '${where}': ${name} is not a struct`);
}

function splitPath(name: string): { parent: string[]; leaf: string } {
  const parts = name.split(".");
  return { parent: parts.slice(0, -1), leaf: parts[parts.length - 1]! };
}

/**
 * Replaces the field `name` (a dotted path) with `fn(field)`; the schema keeps its identifier
 * fields and the table its last column id.
 */
function updateField(
  md: TableMetadata,
  schema: Schema,
  name: string,
  fn: (field: NestedField) => NestedField,
): SchemaChange {
  const { parent, leaf } = splitPath(name);
  const fields = updateStruct(
    schema.fields,
    parent,
    (fs) => fs.map((f) => (f.name.toLowerCase() === leaf.toLowerCase() ? fn(f) : f)),
    name,
  );
  return {
    schema: new Schema(schema.schemaId, fields, schema.identifierFieldIds),
    lastColumnId: md.lastColumnId,
  };
}

/**
 * Where a column goes among its siblings (Trino `ADD COLUMN ... FIRST | LAST | AFTER c`,
 * Iceberg Java `UpdateSchema.moveFirst/moveAfter`): `after` names a sibling in the same
 * struct, by leaf name or by full dotted path.
 */
export type ColumnPosition =
  | { readonly kind: "first" }
  | { readonly kind: "last" }
  | { readonly kind: "after"; readonly column: string };

/** Places `field` among `fields` (which must not contain it) at `position`. */
function place(
  fields: readonly NestedField[],
  field: NestedField,
  position: ColumnPosition,
  parent: readonly string[],
  name: string,
): NestedField[] {
  if (position.kind === "first") return [field, ...fields];
  if (position.kind === "last") return [...fields, field];
  const { parent: afterParent, leaf } = splitPath(position.column);
  const sameParent =
    afterParent.length === 0 || afterParent.join(".").toLowerCase() === parent.join(".").toLowerCase();
  const i = fields.findIndex((f) => f.name.toLowerCase() === leaf.toLowerCase());
  if (sameParent && i < 0) throw new ValidationError(`Column '${position.column}' does not exist`);
  if (!sameParent)
    throw new ValidationError(
      `Cannot place column '${name}' after '${position.column}': not a column of the same struct`,
    );
  return [...fields.slice(0, i + 1), field, ...fields.slice(i + 1)];
}

/**
 * Adds an optional column (or a struct field when `name` is dotted), last in its struct
 * unless `position` says otherwise.
 * @throws ValidationError when the column exists (unless `ifNotExists`, which returns
 *   undefined), when it is NOT NULL, or when `position` names no sibling.
 */
export function addColumn(
  md: TableMetadata,
  schema: Schema,
  name: string,
  type: IcebergType,
  opts: {
    doc?: string | undefined;
    required?: boolean;
    ifNotExists?: boolean;
    position?: ColumnPosition | undefined;
  } = {},
): SchemaChange | undefined {
  const { parent, leaf } = splitPath(name);
  if (schema.findFieldByName(name, false)) {
    if (opts.ifNotExists) return undefined;
    throw new ValidationError(`Column '${name}' already exists`);
  }
  if (opts.required)
    throw new ValidationError("Adding NOT NULL columns is not supported: existing rows would have no value");
  const id = md.lastColumnId + 1;
  const nested = freshIds(type, id);
  const field: NestedField = { id, name: leaf, required: false, type: nested.type, doc: opts.doc };
  const fields = updateStruct(
    schema.fields,
    parent,
    (fs) => place(fs, field, opts.position ?? { kind: "last" }, parent, name),
    name,
  );
  return {
    schema: new Schema(schema.schemaId, fields, schema.identifierFieldIds),
    lastColumnId: nested.last,
  };
}

/**
 * Drops a column (or struct field). Columns used by the default partition spec, the current
 * sort order, or as identifier fields cannot be dropped; nor can the last column.
 * @throws ValidationError naming the column and the reason.
 */
export function dropColumn(
  md: TableMetadata,
  schema: Schema,
  name: string,
  ifExists = false,
): SchemaChange | undefined {
  const field = schema.findFieldByName(name, false);
  if (!field) {
    if (ifExists) return undefined;
    throw new ValidationError(`Column '${name}' does not exist`);
  }
  const spec = md.partitionSpecs.find((s) => s.specId === md.defaultSpecId);
  const ids = new Set([field.id, ...descendantIds(field.type)]);
  if (spec?.fields.some((f) => ids.has(f.sourceId) && f.transform.kind !== "void")) {
    throw new ValidationError(`Cannot drop partition field: ${name}`);
  }
  const order = md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId);
  if (order?.fields.some((f) => ids.has(f.sourceId)))
    throw new ValidationError(`Cannot drop sort field: ${name}`);
  if (schema.identifierFieldIds.some((id) => ids.has(id)))
    throw new ValidationError(`Cannot drop identifier field: ${name}`);
  const { parent, leaf } = splitPath(name);
  const fields = updateStruct(
    schema.fields,
    parent,
    (fs) => fs.filter((f) => f.name.toLowerCase() !== leaf.toLowerCase()),
    name,
  );
  if (fields.length === 0) throw new ValidationError("Cannot drop the only column in a table");
  return {
    schema: new Schema(schema.schemaId, fields, schema.identifierFieldIds),
    lastColumnId: md.lastColumnId,
  };
}

/**
 * Renames a column (the field id stays).
 * @throws ValidationError when it does not exist or the new name is taken.
 */
export function renameColumn(
  md: TableMetadata,
  schema: Schema,
  name: string,
  newName: string,
  ifExists = false,
): SchemaChange | undefined {
  if (!schema.findFieldByName(name, false)) {
    if (ifExists) return undefined;
    throw new ValidationError(`Column '${name}' does not exist`);
  }
  const { parent, leaf } = splitPath(name);
  const siblingPath = [...parent, newName].join(".");
  if (newName.toLowerCase() !== leaf.toLowerCase() && schema.findFieldByName(siblingPath, false)) {
    throw new ValidationError(`Column '${siblingPath}' already exists`);
  }
  return updateField(md, schema, name, (f) => ({ ...f, name: newName }));
}

/** Sets (or clears, with null) a column's doc. @throws ValidationError when it does not exist. */
export function setColumnDoc(
  md: TableMetadata,
  schema: Schema,
  name: string,
  doc: string | null,
): SchemaChange {
  if (!schema.findFieldByName(name, false)) throw new ValidationError(`Column '${name}' does not exist`);
  return updateField(md, schema, name, (f) => ({ ...f, doc: doc ?? undefined }));
}

function descendantIds(type: IcebergType): number[] {
  switch (type.kind) {
    case "struct":
      return type.fields.flatMap((f) => [f.id, ...descendantIds(f.type)]);
    case "list":
      return [type.elementId, ...descendantIds(type.element)];
    case "map":
      return [type.keyId, type.valueId, ...descendantIds(type.key), ...descendantIds(type.value)];
    default:
      return [];
  }
}

/**
 * Changes a column's type by one of the spec's safe promotions ("Schema Evolution": int to
 * long, float to double, decimal(P, S) to decimal(P2, S) with P2 > P). Old files keep their
 * physical type and are read as the new one.
 * @returns undefined when the column already has the type
 * @throws ValidationError naming the column and both types for anything else
 */
export function updateColumnType(
  md: TableMetadata,
  schema: Schema,
  name: string,
  type: IcebergType,
): SchemaChange | undefined {
  const field = schema.findFieldByName(name, false);
  if (!field) throw new ValidationError(`Column '${name}' does not exist`);
  const from = field.type;
  if (typeToString(from) === typeToString(type)) return undefined;
  if (!isPromotion(from, type))
    throw new ValidationError(
      `Cannot change type of column '${name}' from ${typeToString(from)} to ${typeToString(type)}`,
    );
  return updateField(md, schema, name, (f) => ({ ...f, type }));
}

/** Whether `from` may be promoted to `to` (Iceberg spec "Schema Evolution", v1/v2 rules). */
export function isPromotion(from: IcebergType, to: IcebergType): boolean {
  if (from.kind === "int" && to.kind === "long") return true;
  if (from.kind === "float" && to.kind === "double") return true;
  return (
    from.kind === "decimal" &&
    to.kind === "decimal" &&
    to.scale === from.scale &&
    to.precision > from.precision
  );
}

/**
 * Moves a column (or struct field) among its siblings (Iceberg Java `UpdateSchema.moveFirst`,
 * `moveAfter`; Spark `ALTER COLUMN c FIRST | AFTER x`). Field ids and data are untouched:
 * readers match columns by id, so a reorder only changes the order `SELECT *` shows.
 * @throws ValidationError when the column does not exist, `after` is not a sibling, or is
 *   the column itself.
 */
export function moveColumn(
  md: TableMetadata,
  schema: Schema,
  name: string,
  position: ColumnPosition,
): SchemaChange {
  const { parent, leaf } = splitPath(name);
  const field = schema.findFieldByName(name, false);
  if (!field) throw new ValidationError(`Column '${name}' does not exist`);
  if (position.kind === "after" && splitPath(position.column).leaf.toLowerCase() === leaf.toLowerCase())
    throw new ValidationError(`Cannot move column '${name}' after itself`);
  const fields = updateStruct(
    schema.fields,
    parent,
    (fs) =>
      place(
        fs.filter((f) => f.id !== field.id),
        field,
        position,
        parent,
        name,
      ),
    name,
  );
  return {
    schema: new Schema(schema.schemaId, fields, schema.identifierFieldIds),
    lastColumnId: md.lastColumnId,
  };
}

/**
 * Makes a required column optional (Trino `ALTER COLUMN c DROP NOT NULL`; Iceberg Java
 * `UpdateSchema.makeColumnOptional`).
 * @returns undefined when the column is already optional
 * @throws ValidationError when it does not exist or is an identifier field.
 */
export function dropNotNull(md: TableMetadata, schema: Schema, name: string): SchemaChange | undefined {
  const field = schema.findFieldByName(name, false);
  if (!field) throw new ValidationError(`Column '${name}' does not exist`);
  if (!field.required) return undefined;
  if (schema.identifierFieldIds.includes(field.id))
    throw new ValidationError(`Cannot drop NOT NULL of identifier field '${name}'`);
  return updateField(md, schema, name, (f) => ({ ...f, required: false }));
}

/**
 * Replaces the schema's identifier fields (the row key: Iceberg spec "Identifier Field IDs";
 * Spark `ALTER TABLE t SET IDENTIFIER FIELDS a, b`). Each must be a required primitive column
 * other than float or double, nested only in required structs (never in a list or map), the
 * rules Iceberg Java's `Schema.validateIdentifierField` enforces. An empty list clears them.
 * @throws ValidationError naming the first column that breaks a rule.
 */
export function setIdentifierFields(
  md: TableMetadata,
  schema: Schema,
  names: readonly string[],
): SchemaChange {
  const ids: number[] = [];
  for (const name of names) {
    const field = schema.findFieldByName(name, false);
    if (!field) throw new ValidationError(`Cannot set identifier field '${name}': column does not exist`);
    const t = field.type.kind;
    if (t === "struct" || t === "list" || t === "map")
      throw new ValidationError(`Cannot set identifier field '${name}': not a primitive type`);
    if (t === "float" || t === "double")
      throw new ValidationError(`Cannot set identifier field '${name}': ${t} columns cannot be identifiers`);
    if (!field.required)
      throw new ValidationError(`Cannot set identifier field '${name}': column is not NOT NULL`);
    for (const parentId of schema.findIndexed(field.id)!.parents) {
      const p = schema.findField(parentId)!;
      if (p.type.kind !== "struct")
        throw new ValidationError(`Cannot set identifier field '${name}': nested in a list or map`);
      if (!p.required)
        throw new ValidationError(
          `Cannot set identifier field '${name}': nested in optional struct '${p.name}'`,
        );
    }
    if (!ids.includes(field.id)) ids.push(field.id);
  }
  return { schema: new Schema(schema.schemaId, schema.fields, ids), lastColumnId: md.lastColumnId };
}
