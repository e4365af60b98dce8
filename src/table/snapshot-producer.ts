/**
 * Producing and committing a new snapshot with optimistic concurrency (Iceberg spec "Commit
 * Conflict Resolution and Retry"; Iceberg Java `SnapshotProducer`): each attempt rebuilds the
 * manifest list on the latest table state, assigns the next sequence number, and commits with
 * `assert-ref-snapshot-id`; on CommitFailedError it refreshes, re-validates and retries with
 * exponential backoff. Files of a failed attempt are deleted; after an unknown outcome
 * nothing is deleted.
 */
import { randomUUID } from "node:crypto";
import {
  CommitFailedError,
  CommitStateUnknownError,
  UnsupportedOperationError,
  ValidationError,
} from "../errors.js";
import { applyUpdates } from "../spec/apply-updates.js";
import { writeManifestList } from "../spec/avro/manifest-list-avro.js";
import type { ManifestFile } from "../spec/manifest-file.js";
import { MAIN_BRANCH, newSnapshotId, type Snapshot, type SnapshotOperation } from "../spec/snapshot.js";
import { snapshotById } from "../spec/table-metadata.js";
import type { TableRequirement, TableUpdate } from "../spec/table-update.js";
import { UNASSIGNED_SEQ } from "./manifest-writer.js";
import { metadataDir } from "./metadata-io.js";
import { type SummaryDelta, snapshotSummary } from "./snapshot-summary.js";
import type { Table } from "./table.js";

/** What one commit attempt produces. */
export interface SnapshotAttempt {
  /** Every manifest of the new snapshot; new ones have sequenceNumber {@link UNASSIGNED_SEQ}. */
  readonly manifests: readonly ManifestFile[];
  readonly delta: SummaryDelta;
  /** Files this attempt wrote that the snapshot does not keep if the attempt fails. */
  readonly written: readonly string[];
}

/** A pending snapshot: an operation that can be (re)applied to any base state. */
export interface PendingSnapshot {
  readonly operation: SnapshotOperation;
  /**
   * Builds the new snapshot's manifests on `base` (the latest state). Throws (e.g.
   * CommitFailedError, ValidationError) when the change no longer applies.
   */
  apply(base: Table, parent: Snapshot | undefined, snapshotId: bigint): Promise<SnapshotAttempt>;
  /** Extra summary properties (e.g. `engine-name`). */
  readonly extraSummary?: Readonly<Record<string, string>>;
  /**
   * Whether `apply` only needs the current snapshot, not the history (true for appends):
   * retries then refresh with referenced snapshots only.
   */
  readonly currentSnapshotOnly?: boolean | undefined;
  /** The branch to commit to (default `main`); it must exist. */
  readonly branch?: string | undefined;
  /**
   * A schema change committed with the snapshot, atomically (ingest's schema evolution):
   * `add-schema` and `set-current-schema` updates, guarded by their requirements. The files
   * were written with the new schema.
   */
  readonly schemaChange?: { requirements: TableRequirement[]; updates: TableUpdate[] } | undefined;
}

/** Retry settings (table properties `commit.retry.*`, Iceberg Java defaults). */
export interface RetryPolicy {
  readonly numRetries: number;
  readonly minWaitMs: number;
  readonly maxWaitMs: number;
  readonly totalTimeoutMs: number;
}

/** The retry policy of a table from its properties. */
export function retryPolicy(table: Table): RetryPolicy {
  const p = table.metadata.properties;
  return {
    numRetries: Number(p["commit.retry.num-retries"] ?? 4),
    minWaitMs: Number(p["commit.retry.min-wait-ms"] ?? 100),
    maxWaitMs: Number(p["commit.retry.max-wait-ms"] ?? 60_000),
    totalTimeoutMs: Number(p["commit.retry.total-timeout-ms"] ?? 1_800_000),
  };
}

/**
 * Commits a pending snapshot to the table's main branch, retrying on conflicts.
 * @returns the table at the new state.
 * @throws CommitFailedError after the retries are exhausted; CommitStateUnknownError when the
 * outcome is unknown; UnsupportedOperationError for a format-version 3 table (its snapshots
 * need row lineage and its deletes deletion vectors, which are not written yet); whatever
 * `apply` throws.
 */
export async function commitSnapshot(
  table: Table,
  pending: PendingSnapshot,
  policy: RetryPolicy = retryPolicy(table),
): Promise<Table> {
  if (table.metadata.formatVersion >= 3)
    throw new UnsupportedOperationError(
      `Writing to format-version ${table.metadata.formatVersion} tables is not supported yet (row lineage and deletion vectors are read, not written): ${table.location()}`,
    );
  const snapshotId = newSnapshotId();
  const started = Date.now();
  let base = table;
  const branch = pending.branch ?? MAIN_BRANCH;
  for (let attempt = 0; ; attempt++) {
    const ref = base.metadata.refs[branch];
    if (branch !== MAIN_BRANCH && ref?.type !== "branch")
      throw new ValidationError(
        `Cannot write to branch ${branch}: ${ref ? "it is a tag" : "no such branch"}`,
      );
    const parent = ref ? snapshotById(base.metadata, ref.snapshotId) : undefined;
    const built = await pending.apply(base, parent, snapshotId);
    const md = base.metadata;
    const sequenceNumber = md.formatVersion >= 2 ? md.lastSequenceNumber + 1n : 0n;
    const manifests = built.manifests.map((m) =>
      m.sequenceNumber === UNASSIGNED_SEQ
        ? {
            ...m,
            sequenceNumber,
            minSequenceNumber: m.minSequenceNumber === UNASSIGNED_SEQ ? sequenceNumber : m.minSequenceNumber,
          }
        : m,
    );
    const listLocation = `${base.resolve(metadataDir(md))}/snap-${snapshotId}-${attempt + 1}-${randomUUID()}.avro`;
    await base.io.write(
      listLocation,
      writeManifestList(manifests, {
        formatVersion: md.formatVersion,
        snapshotId,
        parentSnapshotId: parent?.snapshotId,
        sequenceNumber,
      }),
      { ifNotExists: true },
    );
    const snapshot: Snapshot = {
      snapshotId,
      parentSnapshotId: parent?.snapshotId,
      sequenceNumber,
      timestampMs: Math.max(Date.now(), md.lastUpdatedMs),
      manifestList: listLocation,
      summary: snapshotSummary(pending.operation, built.delta, parent?.summary, pending.extraSummary),
      schemaId: pending.schemaChange
        ? applyUpdates(md, pending.schemaChange.updates).currentSchemaId
        : md.currentSchemaId,
    };
    const requirements: TableRequirement[] = [
      { type: "assert-table-uuid", uuid: md.tableUuid },
      { type: "assert-ref-snapshot-id", ref: branch, snapshotId: parent?.snapshotId ?? null },
    ];
    requirements.push(...(pending.schemaChange?.requirements ?? []));
    const updates: TableUpdate[] = [
      ...(pending.schemaChange?.updates ?? []),
      { action: "add-snapshot", snapshot },
      { action: "set-snapshot-ref", refName: branch, snapshotId, type: "branch" },
    ];
    try {
      const state = await base.ops.commit(requirements, updates);
      return base.withState(state);
    } catch (e) {
      if (e instanceof CommitStateUnknownError) throw e;
      await base.io.delete(listLocation).catch(() => {});
      await Promise.all(built.written.map((l) => base.io.delete(l).catch(() => {})));
      const elapsed = Date.now() - started;
      if (
        !(e instanceof CommitFailedError) ||
        attempt >= policy.numRetries ||
        elapsed >= policy.totalTimeoutMs
      )
        throw e;
      const wait = Math.min(policy.maxWaitMs, policy.minWaitMs * 2 ** attempt) * (0.5 + Math.random() / 2);
      await new Promise((r) => setTimeout(r, wait));
      base = await base.refresh({ referencedSnapshotsOnly: pending.currentSnapshotOnly === true });
    }
  }
}
