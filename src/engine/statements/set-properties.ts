/**
 * `ALTER TABLE t SET PROPERTIES name = value [, ...]` (Trino's Iceberg connector):
 * `partitioning = ARRAY[...]` evolves the partition spec (old files keep theirs; scans prune
 * across specs), `sorted_by = ARRAY[...]` sets the sort order, `format_version = 2` upgrades,
 * `extra_properties = MAP(...)` sets Iceberg table properties. `= DEFAULT` resets partitioning
 * and sorted_by. All changes are one metadata commit guarded by the state they were built on.
 */
import { UnsupportedOperationError, ValidationError } from "../../errors.js";
import type { PartitionField } from "../../spec/partition-spec.js";
import type { TableRequirement, TableUpdate } from "../../spec/table-update.js";
import { transformToString } from "../../spec/transform.js";
import { commitMetadataChange } from "../../table/metadata-commit.js";
import type { Table } from "../../table/table.js";
import type { LiteralValue } from "../sql/parser.js";
import { parsePartitionField, parseSortField } from "../table-properties.js";

function stringArray(v: LiteralValue, name: string): string[] {
  if (v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new ValidationError(`Table property '${name}' must be an array of strings`);
  return v as string[];
}

/**
 * Applies Trino table properties to an existing table.
 * @throws ValidationError for unknown properties, bad values or properties that cannot change
 * (`location`, `format`); UnsupportedOperationError for partition evolution of a v1 table
 */
export async function setTableProperties(
  table: Table,
  properties: Readonly<Record<string, LiteralValue>>,
  catalogName: string,
): Promise<Table> {
  for (const key of Object.keys(properties)) {
    if (!["partitioning", "sorted_by", "format_version", "extra_properties", "format"].includes(key))
      throw new ValidationError(
        key === "location"
          ? "Table property 'location' cannot be changed"
          : `Catalog '${catalogName}' table property '${key}' does not exist`,
      );
  }
  if (properties.format !== undefined && String(properties.format).toUpperCase() !== "PARQUET")
    throw new ValidationError(
      `Unsupported file format: ${String(properties.format)} (only PARQUET is written)`,
    );
  return commitMetadataChange(table, (base) => {
    const md = base.metadata;
    const schema = base.schema();
    const requirements: TableRequirement[] = [];
    const updates: TableUpdate[] = [];
    const fv = properties.format_version;
    if (fv !== undefined && fv !== null) {
      const v = Number(fv);
      if (v !== 1 && v !== 2) throw new ValidationError(`format_version must be 1 or 2, got ${String(fv)}`);
      if (v < md.formatVersion)
        throw new ValidationError(`Cannot downgrade format_version from ${md.formatVersion} to ${v}`);
      if (v > md.formatVersion) updates.push({ action: "upgrade-format-version", formatVersion: v });
    }
    if (properties.partitioning !== undefined) {
      if (md.formatVersion < 2 && (fv === undefined || Number(fv) < 2))
        throw new UnsupportedOperationError("Partition evolution needs format_version 2");
      let lastId = md.lastPartitionId;
      const fields: PartitionField[] = stringArray(properties.partitioning, "partitioning").map((text) => {
        const f = parsePartitionField(text, schema, 0);
        // An equivalent field of any earlier spec keeps its id (spec: "Partition Evolution").
        const same = md.partitionSpecs
          .flatMap((s) => s.fields)
          .find(
            (x) =>
              x.sourceId === f.sourceId && transformToString(x.transform) === transformToString(f.transform),
          );
        return same ? { ...f, fieldId: same.fieldId, name: same.name } : { ...f, fieldId: ++lastId };
      });
      const names = new Set<string>();
      for (const f of fields) {
        if (names.has(f.name)) throw new ValidationError(`Duplicate partition field name: ${f.name}`);
        names.add(f.name);
      }
      requirements.push(
        { type: "assert-default-spec-id", defaultSpecId: md.defaultSpecId },
        { type: "assert-last-assigned-partition-id", lastAssignedPartitionId: md.lastPartitionId },
      );
      updates.push(
        { action: "add-spec", spec: { specId: 0, fields } },
        { action: "set-default-spec", specId: -1 },
      );
    }
    if (properties.sorted_by !== undefined) {
      const sorted = stringArray(properties.sorted_by, "sorted_by").map((s) => parseSortField(s, schema));
      requirements.push({ type: "assert-current-schema-id", currentSchemaId: md.currentSchemaId });
      updates.push(
        { action: "add-sort-order", sortOrder: { orderId: sorted.length > 0 ? 1 : 0, fields: sorted } },
        { action: "set-default-sort-order", sortOrderId: -1 },
      );
    }
    const extra = properties.extra_properties;
    if (extra !== undefined && extra !== null) {
      if (typeof extra !== "object" || Array.isArray(extra))
        throw new ValidationError("extra_properties must be a MAP(ARRAY[...], ARRAY[...])");
      updates.push({
        action: "set-properties",
        updates: Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])),
      });
    }
    return updates.length === 0 ? undefined : { requirements, updates };
  });
}
