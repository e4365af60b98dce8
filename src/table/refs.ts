/**
 * Branches and tags (Iceberg spec "Snapshot References"; Iceberg Java `ManageSnapshots`):
 * create, replace and drop refs, fast-forward a branch, and set the current snapshot. Each is
 * one metadata commit guarded by the refs it reads, retried on conflicts.
 */
import { AlreadyExistsError, ValidationError } from "../errors.js";
import { MAIN_BRANCH, type SnapshotRefType } from "../spec/snapshot.js";
import { ancestorsOf, currentSnapshot, snapshotById, snapshotForRef } from "../spec/table-metadata.js";
import type { TableRequirement } from "../spec/table-update.js";
import { commitMetadataChange } from "./metadata-commit.js";
import type { Table } from "./table.js";

/** Options of {@link createRef}. */
export interface CreateRefOptions {
  /** Snapshot to point at (default: the current snapshot). */
  readonly snapshotId?: bigint | undefined;
  /** Move the ref if it exists (default: fail). */
  readonly replace?: boolean | undefined;
}

/**
 * Creates (or with `replace`, moves) a branch or tag.
 * @throws AlreadyExistsError when the ref exists (and `replace` is off); ValidationError for an
 * unknown snapshot, an empty table, a ref of the other type, or replacing `main` with a tag
 */
export async function createRef(
  table: Table,
  name: string,
  type: SnapshotRefType,
  opts: CreateRefOptions = {},
): Promise<Table> {
  if (name.length === 0) throw new ValidationError("ref name must not be empty");
  return commitMetadataChange(table, (base) => {
    const md = base.metadata;
    const existing = md.refs[name];
    if (existing && !opts.replace) throw new AlreadyExistsError(`Ref ${name} already exists`);
    if (existing && existing.type !== type)
      throw new ValidationError(`Ref ${name} is a ${existing.type}, not a ${type}`);
    const target = opts.snapshotId ?? currentSnapshot(md)?.snapshotId;
    if (target === undefined)
      throw new ValidationError(`Cannot create ${type} ${name}: the table has no snapshot`);
    if (!snapshotById(md, target)) throw new ValidationError(`Snapshot ${target} does not exist`);
    if (existing?.snapshotId === target) return undefined;
    return {
      requirements: [{ type: "assert-ref-snapshot-id", ref: name, snapshotId: existing?.snapshotId ?? null }],
      updates: [{ action: "set-snapshot-ref", refName: name, snapshotId: target, type }],
    };
  });
}

/**
 * Drops a branch or tag.
 * @throws ValidationError for `main`, a missing ref, or a ref of the other type
 */
export async function dropRef(table: Table, name: string, type: SnapshotRefType): Promise<Table> {
  if (name === MAIN_BRANCH) throw new ValidationError("Cannot drop the main branch");
  return commitMetadataChange(table, (base) => {
    const ref = base.metadata.refs[name];
    if (!ref || ref.type !== type)
      throw new ValidationError(`${type === "tag" ? "Tag" : "Branch"} ${name} does not exist`);
    return {
      requirements: [{ type: "assert-ref-snapshot-id", ref: name, snapshotId: ref.snapshotId }],
      updates: [{ action: "remove-snapshot-ref", refName: name }],
    };
  });
}

/**
 * Moves branch `branch` to the head of `to` when its head is an ancestor of it (Iceberg Java
 * `fastForwardBranch`): the publish step of write-audit-publish.
 * @throws ValidationError when either is not a branch or the move is not a fast-forward
 */
export async function fastForward(table: Table, branch: string, to: string): Promise<Table> {
  return commitMetadataChange(table, (base) => {
    const md = base.metadata;
    const from = md.refs[branch];
    const target = md.refs[to];
    if (!target) throw new ValidationError(`Ref ${to} does not exist`);
    if (from && from.type !== "branch") throw new ValidationError(`Ref ${branch} is a tag, not a branch`);
    const head = snapshotForRef(md, to)!;
    if (from && !ancestorsOf(md, head).some((s) => s.snapshotId === from.snapshotId))
      throw new ValidationError(
        `Cannot fast-forward: ${branch} (${from.snapshotId}) is not an ancestor of ${to} (${head.snapshotId})`,
      );
    if (from?.snapshotId === head.snapshotId) return undefined;
    const requirements: TableRequirement[] = [
      { type: "assert-ref-snapshot-id", ref: branch, snapshotId: from?.snapshotId ?? null },
      { type: "assert-ref-snapshot-id", ref: to, snapshotId: head.snapshotId },
    ];
    return {
      requirements,
      updates: [{ action: "set-snapshot-ref", refName: branch, snapshotId: head.snapshotId, type: "branch" }],
    };
  });
}

/**
 * Makes any snapshot of the table (or a ref's) the current one of `main` (Iceberg Java
 * `setCurrentSnapshot`; unlike a rollback it need not be an ancestor).
 * @throws ValidationError for an unknown snapshot or ref
 */
export async function setCurrentSnapshot(table: Table, target: bigint | string): Promise<Table> {
  return commitMetadataChange(table, (base) => {
    const md = base.metadata;
    const snapshot = typeof target === "bigint" ? snapshotById(md, target) : snapshotForRef(md, target);
    if (!snapshot)
      throw new ValidationError(
        `${typeof target === "bigint" ? "Snapshot" : "Ref"} ${target} does not exist`,
      );
    const current = currentSnapshot(md);
    if (current?.snapshotId === snapshot.snapshotId) return undefined;
    return {
      requirements: [
        { type: "assert-ref-snapshot-id", ref: MAIN_BRANCH, snapshotId: current?.snapshotId ?? null },
      ],
      updates: [
        { action: "set-snapshot-ref", refName: MAIN_BRANCH, snapshotId: snapshot.snapshotId, type: "branch" },
      ],
    };
  });
}
