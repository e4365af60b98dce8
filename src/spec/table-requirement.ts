/**
 * Checking commit requirements against the current table metadata (Iceberg REST spec
 * `TableRequirement`; Iceberg Java `UpdateRequirement.validate`).
 */
import { CommitFailedError } from "../errors.js";
import type { TableMetadata } from "./table-metadata.js";
import type { TableRequirement, TableUpdate } from "./table-update.js";

/**
 * Throws when a requirement does not hold against `base` (undefined for a table that does
 * not exist yet).
 * @throws CommitFailedError naming the requirement and the values that differ.
 */
export function checkRequirements(
  base: TableMetadata | undefined,
  requirements: readonly TableRequirement[],
): void {
  for (const r of requirements) {
    if (r.type === "assert-create") {
      if (base) throw new CommitFailedError("Requirement failed: table already exists");
      continue;
    }
    if (!base) throw new CommitFailedError(`Requirement failed: table does not exist (${r.type})`);
    switch (r.type) {
      case "assert-table-uuid":
        if (base.tableUuid !== r.uuid)
          throw new CommitFailedError(
            `Requirement failed: UUID does not match: expected ${r.uuid} != ${base.tableUuid}`,
          );
        break;
      case "assert-ref-snapshot-id": {
        // Messages as Iceberg Java's UpdateRequirement.AssertRefSnapshotID.
        const ref = base.refs[r.ref];
        if (ref && r.snapshotId === null)
          throw new CommitFailedError(`Requirement failed: ${ref.type} ${r.ref} was created concurrently`);
        if (ref && ref.snapshotId !== r.snapshotId)
          throw new CommitFailedError(
            `Requirement failed: ${ref.type} ${r.ref} has changed: expected id ${r.snapshotId} != ${ref.snapshotId}`,
          );
        if (!ref && r.snapshotId !== null)
          throw new CommitFailedError(
            `Requirement failed: branch or tag ${r.ref} is missing, expected ${r.snapshotId}`,
          );
        break;
      }
      case "assert-last-assigned-field-id":
        if (base.lastColumnId !== r.lastAssignedFieldId) {
          throw new CommitFailedError(
            `Requirement failed: last assigned field id changed: expected id ${r.lastAssignedFieldId} != ${base.lastColumnId}`,
          );
        }
        break;
      case "assert-current-schema-id":
        if (base.currentSchemaId !== r.currentSchemaId) {
          throw new CommitFailedError(
            `Requirement failed: current schema changed: expected id ${r.currentSchemaId} != ${base.currentSchemaId}`,
          );
        }
        break;
      case "assert-last-assigned-partition-id":
        if (base.lastPartitionId !== r.lastAssignedPartitionId) {
          throw new CommitFailedError(
            `Requirement failed: last assigned partition id changed: expected id ${r.lastAssignedPartitionId} != ${base.lastPartitionId}`,
          );
        }
        break;
      case "assert-default-spec-id":
        if (base.defaultSpecId !== r.defaultSpecId) {
          throw new CommitFailedError(
            `Requirement failed: default partition spec changed: expected id ${r.defaultSpecId} != ${base.defaultSpecId}`,
          );
        }
        break;
      case "assert-default-sort-order-id":
        if (base.defaultSortOrderId !== r.defaultSortOrderId) {
          throw new CommitFailedError(
            `Requirement failed: default sort order changed: expected id ${r.defaultSortOrderId} != ${base.defaultSortOrderId}`,
          );
        }
        break;
    }
  }
}

/**
 * Treats a snapshot whose sequence number is no longer after the table's last one as a
 * concurrent change rather than bad input: a writer on one branch assigns `last + 1` from the
 * metadata it read, and a commit to another branch since then (which its ref requirement does
 * not see) took that number. The writer must refresh and retry, so this is a 409, not the
 * 400 that `applyUpdates` would raise (spec "Sequence Numbers"; Iceberg Java
 * `TableMetadata.Builder.addSnapshot`).
 * @throws CommitFailedError naming both sequence numbers.
 */
export function checkSnapshotSequenceNumbers(
  base: TableMetadata | undefined,
  updates: readonly TableUpdate[],
): void {
  if (!base || base.formatVersion < 2) return;
  for (const u of updates) {
    if (u.action !== "add-snapshot" || u.snapshot.parentSnapshotId === undefined) continue;
    if (u.snapshot.sequenceNumber <= base.lastSequenceNumber)
      throw new CommitFailedError(
        `Commit conflict: snapshot ${u.snapshot.snapshotId} has sequence number ${u.snapshot.sequenceNumber}, but the table's last sequence number is already ${base.lastSequenceNumber} (another commit landed first)`,
      );
  }
}
