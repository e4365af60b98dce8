/**
 * Committing metadata-only changes (schema evolution, properties) with optimistic retries:
 * each attempt derives the updates from the latest table state, guarded by requirements
 * such as `assert-current-schema-id` (Iceberg spec "Commit Conflict Resolution and Retry":
 * schema updates must validate that the schema has not changed).
 */
import { CommitFailedError } from "../errors.js";
import type { TableRequirement, TableUpdate } from "../spec/table-update.js";
import { retryPolicy } from "./snapshot-producer.js";
import type { Table } from "./table.js";

/** The change of one attempt; `undefined` means nothing to do. */
export type MetadataChange = { requirements: TableRequirement[]; updates: TableUpdate[] } | undefined;

/**
 * Applies `build` to the latest table state and commits, retrying on conflicts.
 * @returns the table at the new state (or unchanged when `build` returns undefined).
 * @throws CommitFailedError after the retries; whatever `build` throws.
 */
export async function commitMetadataChange(
  table: Table,
  build: (base: Table) => MetadataChange,
): Promise<Table> {
  const policy = retryPolicy(table);
  let base = table;
  for (let attempt = 0; ; attempt++) {
    const change = build(base);
    if (!change) return base;
    try {
      const requirements: TableRequirement[] = [
        { type: "assert-table-uuid", uuid: base.metadata.tableUuid },
        ...change.requirements,
      ];
      return base.withState(await base.ops.commit(requirements, change.updates));
    } catch (e) {
      if (!(e instanceof CommitFailedError) || attempt >= policy.numRetries) throw e;
      await new Promise((r) => setTimeout(r, Math.min(policy.maxWaitMs, policy.minWaitMs * 2 ** attempt)));
      base = await base.refresh();
    }
  }
}
