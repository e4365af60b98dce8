/**
 * Iceberg schema: a struct of fields with a schema id and identifier field ids.
 *
 * Implements the Iceberg table spec, "Schemas and Data Types", "Identifier Field IDs" and
 * "Reserved Field IDs". Field lookups by id and by (dotted) name are indexed lazily.
 */
import type { IcebergType, NestedField, StructType } from "./types.js";

/** Highest field id a table may assign (`Integer.MAX_VALUE - 200`, spec "Reserved Field IDs"). */
export const MAX_USER_FIELD_ID = 2147483447;

/** Reserved metadata column ids (spec "Reserved Field IDs"). */
export const MetadataColumns = {
  file: { id: 2147483646, name: "_file" },
  pos: { id: 2147483645, name: "_pos" },
  deleted: { id: 2147483644, name: "_deleted" },
  specId: { id: 2147483643, name: "_spec_id" },
  partition: { id: 2147483642, name: "_partition" },
  deleteFilePath: { id: 2147483546, name: "file_path" },
  deleteFilePos: { id: 2147483545, name: "pos" },
  deleteFileRow: { id: 2147483544, name: "row" },
} as const;

/** A field with its full dotted name from the schema root, as indexed by {@link Schema}. */
export interface IndexedField {
  readonly field: NestedField;
  /** Dotted path of names from the root, e.g. `location.lat`; list elements add `element`, maps `key`/`value`. */
  readonly path: string;
  /** Field ids of the enclosing fields, outermost first. */
  readonly parents: readonly number[];
}

/**
 * An immutable Iceberg schema.
 * @example new Schema(0, [{ id: 1, name: "id", required: true, type: Types.long }])
 */
export class Schema {
  readonly schemaId: number;
  readonly fields: readonly NestedField[];
  readonly identifierFieldIds: readonly number[];
  #byId: Map<number, IndexedField> | undefined;
  #byName: Map<string, IndexedField> | undefined;
  #byLowerName: Map<string, IndexedField> | undefined;

  constructor(schemaId: number, fields: readonly NestedField[], identifierFieldIds: readonly number[] = []) {
    this.schemaId = schemaId;
    this.fields = fields;
    this.identifierFieldIds = identifierFieldIds;
  }

  /** The schema as a struct type. */
  asStruct(): StructType {
    return { kind: "struct", fields: this.fields };
  }

  /** A copy with another schema id (sharing this schema's field indexes, which do not depend on the id). */
  withSchemaId(schemaId: number): Schema {
    const copy = new Schema(schemaId, this.fields, this.identifierFieldIds);
    copy.#byId = this.#byId;
    copy.#byName = this.#byName;
    copy.#byLowerName = this.#byLowerName;
    return copy;
  }

  #index(): void {
    if (this.#byId) return;
    const byId = new Map<number, IndexedField>();
    const byName = new Map<string, IndexedField>();
    const visit = (field: NestedField, prefix: string, parents: number[]) => {
      const path = prefix ? `${prefix}.${field.name}` : field.name;
      const entry: IndexedField = { field, path, parents };
      byId.set(field.id, entry);
      byName.set(path, entry);
      const inner = [...parents, field.id];
      for (const child of childFields(field.type)) visit(child, path, inner);
    };
    for (const f of this.fields) visit(f, "", []);
    this.#byId = byId;
    this.#byName = byName;
    this.#byLowerName = new Map([...byName].map(([k, v]) => [k.toLowerCase(), v]));
  }

  /** The field with this id anywhere in the schema, or undefined. */
  findField(id: number): NestedField | undefined {
    this.#index();
    return this.#byId!.get(id)?.field;
  }

  /** The indexed entry (field, dotted path, parents) for an id, or undefined. */
  findIndexed(id: number): IndexedField | undefined {
    this.#index();
    return this.#byId!.get(id);
  }

  /** The field with this dotted name, case-sensitive unless `caseSensitive` is false. */
  findFieldByName(name: string, caseSensitive = true): NestedField | undefined {
    this.#index();
    return (caseSensitive ? this.#byName!.get(name) : this.#byLowerName!.get(name.toLowerCase()))?.field;
  }

  /** Dotted column name of a field id, or undefined. */
  columnName(id: number): string | undefined {
    this.#index();
    return this.#byId!.get(id)?.path;
  }

  /** Every field, depth first (parents before children). */
  allFields(): IndexedField[] {
    this.#index();
    return [...this.#byId!.values()];
  }

  /** The highest field id used anywhere in the schema (0 for an empty schema). */
  highestFieldId(): number {
    this.#index();
    let max = 0;
    for (const id of this.#byId!.keys()) if (id > max) max = id;
    return max;
  }
}

/** Child fields of a nested type (struct fields, list element, map key and value). */
export function childFields(type: IcebergType): NestedField[] {
  switch (type.kind) {
    case "struct":
      return [...type.fields];
    case "list":
      return [{ id: type.elementId, name: "element", required: type.elementRequired, type: type.element }];
    case "map":
      return [
        { id: type.keyId, name: "key", required: true, type: type.key },
        { id: type.valueId, name: "value", required: type.valueRequired, type: type.value },
      ];
    default:
      return [];
  }
}

/**
 * Reassigns every field id of `fields` in depth-first order starting after `lastColumnId`,
 * the way a new table's schema is assigned fresh ids. Returns the new fields and the
 * highest id assigned.
 */
export function assignFreshIds(
  fields: readonly NestedField[],
  lastColumnId: number,
): { fields: NestedField[]; lastColumnId: number } {
  let next = lastColumnId;
  const reassignType = (type: IcebergType): IcebergType => {
    switch (type.kind) {
      case "struct": {
        // Iceberg assigns ids to all fields of a struct first, then recurses (TypeUtil.assignFreshIds).
        const ids = type.fields.map(() => ++next);
        return {
          kind: "struct",
          fields: type.fields.map((f, i) => ({ ...f, id: ids[i]!, type: reassignType(f.type) })),
        };
      }
      case "list": {
        const elementId = ++next;
        return { ...type, elementId, element: reassignType(type.element) };
      }
      case "map": {
        const keyId = ++next;
        const valueId = ++next;
        return { ...type, keyId, valueId, key: reassignType(type.key), value: reassignType(type.value) };
      }
      default:
        return type;
    }
  };
  const struct = reassignType({ kind: "struct", fields }) as StructType;
  return { fields: [...struct.fields], lastColumnId: next };
}
