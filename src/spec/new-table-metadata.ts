/**
 * Metadata of a new table: fresh field ids for the schema, partition spec and sort order
 * rebuilt against them (Iceberg Java `TableMetadata.newTableMetadata`), expressed as the
 * list of REST-shaped updates a create-table commit carries.
 */
import { randomUUID } from "node:crypto";
import { ValidationError } from "../errors.js";
import { applyUpdates } from "./apply-updates.js";
import { PARTITION_DATA_ID_START, type PartitionSpec } from "./partition-spec.js";
import { assignFreshIds, Schema } from "./schema.js";
import type { SortOrder } from "./sort-order.js";
import type { FormatVersion, TableMetadata } from "./table-metadata.js";
import type { TableUpdate } from "./table-update.js";
import { validatePartitionSpec } from "./validate-partition-spec.js";
import { validateSchema } from "./validate-schema.js";
import { validateSortOrder } from "./validate-sort-order.js";

/** Inputs of {@link newTableUpdates}: spec and sort order reference columns of `schema` by its (pre-assignment) ids. */
export interface NewTableOptions {
  readonly schema: Schema;
  readonly spec?: PartitionSpec | undefined;
  readonly sortOrder?: SortOrder | undefined;
  readonly location: string;
  readonly properties?: Readonly<Record<string, string>> | undefined;
  readonly formatVersion?: FormatVersion | undefined;
  readonly tableUuid?: string | undefined;
}

/**
 * The updates that create a table, with fresh column ids (1..n depth-first), partition field
 * ids from 1000 and source ids remapped to the fresh ids. The request is validated first, as
 * Iceberg Java parses and binds a create request: the schema by `validateSchema` (ids unique
 * but not necessarily positive, since they are reassigned: Spark sends ordinals from 0),
 * spec and order against it, messages named after the REST `CreateTableRequest` fields
 * (`schema`, `partition-spec`, `write-order`).
 * @throws ValidationError when the schema, spec or sort order is invalid or names a column the
 * schema lacks.
 */
export function newTableUpdates(opts: NewTableOptions): TableUpdate[] {
  const formatVersion = opts.formatVersion ?? 2;
  validateSchema(opts.schema, { where: "schema", storedIds: false, formatVersion });
  if (opts.spec)
    validatePartitionSpec(opts.spec, opts.schema, { where: "partition-spec", storedFieldIds: false });
  if (opts.sortOrder) validateSortOrder(opts.sortOrder, opts.schema, "write-order");
  const fresh = assignFreshIds(opts.schema.fields, 0);
  const schema = new Schema(0, fresh.fields, []);
  const idMap = new Map<number, number>();
  for (const f of opts.schema.allFields()) {
    const nf = schema.findFieldByName(f.path);
    if (nf) idMap.set(f.field.id, nf.id);
  }
  const identifierFieldIds = opts.schema.identifierFieldIds.map((id) => {
    const n = idMap.get(id);
    if (n === undefined) throw new ValidationError(`identifier field id ${id} is not in the schema`);
    return n;
  });
  const finalSchema = new Schema(0, schema.fields, identifierFieldIds);
  const remap = (id: number, what: string) => {
    const n = idMap.get(id);
    if (n === undefined)
      throw new ValidationError(`${what} references column id ${id}, which is not in the schema`);
    return n;
  };
  const spec: PartitionSpec = {
    specId: 0,
    fields: (opts.spec?.fields ?? []).map((f, i) => ({
      ...f,
      sourceId: remap(f.sourceId, `partition field ${f.name}`),
      sourceIds: f.sourceIds?.map((id) => remap(id, `partition field ${f.name}`)),
      fieldId: PARTITION_DATA_ID_START + i,
    })),
  };
  const order: SortOrder = opts.sortOrder
    ? {
        orderId: opts.sortOrder.fields.length === 0 ? 0 : 1,
        fields: opts.sortOrder.fields.map((f) => ({ ...f, sourceId: remap(f.sourceId, "sort field") })),
      }
    : { orderId: 0, fields: [] };
  return [
    { action: "assign-uuid", uuid: opts.tableUuid ?? randomUUID() },
    { action: "upgrade-format-version", formatVersion },
    { action: "add-schema", schema: finalSchema, lastColumnId: fresh.lastColumnId },
    { action: "set-current-schema", schemaId: -1 },
    { action: "add-spec", spec },
    { action: "set-default-spec", specId: -1 },
    { action: "add-sort-order", sortOrder: order },
    { action: "set-default-sort-order", sortOrderId: -1 },
    { action: "set-location", location: opts.location },
    { action: "set-properties", updates: { ...(opts.properties ?? {}) } },
  ];
}

/** Builds the metadata of a new table (see {@link newTableUpdates}). */
export function newTableMetadata(opts: NewTableOptions, nowMs = Date.now()): TableMetadata {
  return applyUpdates(undefined, newTableUpdates(opts), { nowMs });
}

/**
 * The updates that build `md` (a new table's metadata, e.g. from a staged create) from
 * nothing: what a client commits with `assert-create` (pyiceberg `CreateTableTransaction`).
 * Only the current schema, default spec and default sort order are carried.
 */
export function createTableUpdates(md: TableMetadata): TableUpdate[] {
  const schema = md.schemas.find((s) => s.schemaId === md.currentSchemaId);
  const spec = md.partitionSpecs.find((s) => s.specId === md.defaultSpecId);
  const order = md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId);
  if (!schema || !spec || !order)
    throw new ValidationError("table metadata lacks its current schema, spec or sort order");
  return [
    { action: "assign-uuid", uuid: md.tableUuid },
    { action: "upgrade-format-version", formatVersion: md.formatVersion },
    { action: "add-schema", schema, lastColumnId: md.lastColumnId },
    { action: "set-current-schema", schemaId: -1 },
    { action: "add-spec", spec },
    { action: "set-default-spec", specId: -1 },
    { action: "add-sort-order", sortOrder: order },
    { action: "set-default-sort-order", sortOrderId: -1 },
    { action: "set-location", location: md.location },
    { action: "set-properties", updates: { ...md.properties } },
  ];
}
