/**
 * Name mapping (`schema.name-mapping.default`): field ids for data files written without
 * them, by column name (Iceberg spec "Column Projection", Appendix C "Name Mapping
 * Serialization").
 */
import { parseJson } from "./json.js";

/** One mapped field: its names in data files, its field id, and mappings of child fields. */
export interface MappedField {
  readonly names: readonly string[];
  readonly fieldId?: number | undefined;
  readonly fields?: readonly MappedField[] | undefined;
}

/**
 * Parses a name mapping JSON text.
 * @throws TypeError naming the entry when the JSON is not a list of field mappings.
 */
export function parseNameMapping(text: string): MappedField[] {
  const visit = (v: unknown, path: string): MappedField[] => {
    if (!Array.isArray(v)) throw new TypeError(`${path}: name mapping must be a list`);
    return v.map((e, i) => {
      const o = e as { names?: unknown; "field-id"?: unknown; fields?: unknown };
      if (typeof o !== "object" || o === null || !Array.isArray(o.names))
        throw new TypeError(`${path}[${i}]: expected {names, field-id}`);
      return {
        names: o.names.map(String),
        fieldId: o["field-id"] === undefined || o["field-id"] === null ? undefined : Number(o["field-id"]),
        fields:
          o.fields === undefined || o.fields === null ? undefined : visit(o.fields, `${path}[${i}].fields`),
      };
    });
  };
  return visit(parseJson(text), "name-mapping");
}

/** The data file names mapped to a top-level field id. */
export function namesForField(mapping: readonly MappedField[], fieldId: number): readonly string[] {
  return mapping.find((m) => m.fieldId === fieldId)?.names ?? [];
}
