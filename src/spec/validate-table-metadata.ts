/**
 * The checks Iceberg Java's `TableMetadata.Builder.build` makes on the metadata a commit
 * produces: the default partition spec and the default sort order must bind to the current
 * schema (`PartitionSpec.checkCompatibility`, `SortOrder.checkCompatibility`). Specs and
 * orders added before the commit had a current schema (a create whose updates come in
 * another order) are validated here in full. Pure.
 */
import type { PartitionSpec } from "./partition-spec.js";
import type { SortOrder } from "./sort-order.js";
import type { TableMetadata } from "./table-metadata.js";
import { checkPartitionSpecCompatibility, validatePartitionSpec } from "./validate-partition-spec.js";
import { checkSortOrderCompatibility, validateSortOrder } from "./validate-sort-order.js";

/** A spec or sort order added while the table had no current schema yet, with where it was in the request. */
export type DeferredCheck =
  | { readonly kind: "spec"; readonly spec: PartitionSpec; readonly where: string }
  | { readonly kind: "sort-order"; readonly order: SortOrder; readonly where: string };

/**
 * Validates `deferred` additions and the default spec and sort order against the current
 * schema of `md`. Run by `applyUpdates` when a commit creates the table or changes a schema,
 * spec or sort order (or which is current/default), never on other commits, so that tables
 * whose stored metadata predates these checks keep accepting appends.
 * @throws ValidationError typed `ValidationException` (or `IllegalArgumentException` for a
 * deferred spec's names and arguments) naming the spec or order, e.g.
 * `partition-specs[spec-id=0].fields[0]: cannot find source column 2 for partition field 'p' (identity) in schema 1`.
 */
export function validateCommittedMetadata(md: TableMetadata, deferred: readonly DeferredCheck[]): void {
  const schema = md.schemas.find((s) => s.schemaId === md.currentSchemaId);
  if (!schema) return; // applyUpdates refuses metadata without a current schema first
  for (const d of deferred) {
    if (d.kind === "spec")
      validatePartitionSpec(d.spec, schema, { where: d.where, formatVersion: md.formatVersion });
    else validateSortOrder(d.order, schema, d.where);
  }
  const spec = md.partitionSpecs.find((s) => s.specId === md.defaultSpecId);
  if (spec) checkPartitionSpecCompatibility(spec, schema, `partition-specs[spec-id=${spec.specId}]`);
  const order = md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId);
  if (order) checkSortOrderCompatibility(order, schema, `sort-orders[order-id=${order.orderId}]`);
}
