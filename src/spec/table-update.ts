/**
 * Table metadata updates, shaped like the Iceberg REST spec's `TableUpdate` (action names
 * in `action`, camelCase fields). One commit is a list of these plus requirements; the same
 * list drives the embedded catalog and the REST server (`apply-updates.ts`).
 */
import type { PartitionSpec } from "./partition-spec.js";
import type { Schema } from "./schema.js";
import type { Snapshot, SnapshotRef } from "./snapshot.js";
import type { SortOrder } from "./sort-order.js";
import type { PartitionStatisticsFile, StatisticsFile } from "./table-metadata.js";

/**
 * One metadata change (REST spec `TableUpdate` variants). Ids of `-1` mean "the one added last
 * in this commit". `add-schema`'s `lastColumnId` is carried on the wire but not trusted (the
 * REST spec deprecates it): the table's `last-column-id` becomes the highest of its own and the
 * schema's ids, as Iceberg Java >= 1.8 and PyIceberg assign it.
 */
export type TableUpdate =
  | { readonly action: "assign-uuid"; readonly uuid: string }
  | { readonly action: "upgrade-format-version"; readonly formatVersion: number }
  | { readonly action: "add-schema"; readonly schema: Schema; readonly lastColumnId?: number | undefined }
  | { readonly action: "set-current-schema"; readonly schemaId: number }
  | { readonly action: "add-spec"; readonly spec: PartitionSpec }
  | { readonly action: "set-default-spec"; readonly specId: number }
  | { readonly action: "add-sort-order"; readonly sortOrder: SortOrder }
  | { readonly action: "set-default-sort-order"; readonly sortOrderId: number }
  | { readonly action: "add-snapshot"; readonly snapshot: Snapshot }
  | ({ readonly action: "set-snapshot-ref"; readonly refName: string } & SnapshotRef)
  | { readonly action: "remove-snapshots"; readonly snapshotIds: readonly bigint[] }
  | { readonly action: "remove-snapshot-ref"; readonly refName: string }
  | { readonly action: "set-location"; readonly location: string }
  | { readonly action: "set-properties"; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: "remove-properties"; readonly removals: readonly string[] }
  | { readonly action: "set-statistics"; readonly statistics: StatisticsFile }
  | { readonly action: "remove-statistics"; readonly snapshotId: bigint }
  | { readonly action: "set-partition-statistics"; readonly partitionStatistics: PartitionStatisticsFile }
  | { readonly action: "remove-partition-statistics"; readonly snapshotId: bigint }
  | { readonly action: "remove-partition-specs"; readonly specIds: readonly number[] }
  | { readonly action: "remove-schemas"; readonly schemaIds: readonly number[] };

/** A commit precondition (REST spec `TableRequirement` variants). */
export type TableRequirement =
  | { readonly type: "assert-create" }
  | { readonly type: "assert-table-uuid"; readonly uuid: string }
  | { readonly type: "assert-ref-snapshot-id"; readonly ref: string; readonly snapshotId: bigint | null }
  | { readonly type: "assert-last-assigned-field-id"; readonly lastAssignedFieldId: number }
  | { readonly type: "assert-current-schema-id"; readonly currentSchemaId: number }
  | { readonly type: "assert-last-assigned-partition-id"; readonly lastAssignedPartitionId: number }
  | { readonly type: "assert-default-spec-id"; readonly defaultSpecId: number }
  | { readonly type: "assert-default-sort-order-id"; readonly defaultSortOrderId: number };
