/**
 * Table maintenance as Trino spells it: `ALTER TABLE t EXECUTE optimize(file_size_threshold =>
 * '128MB') [WHERE condition]`, `optimize_manifests`, `expire_snapshots(retention_threshold => '7d')`,
 * `remove_orphan_files(retention_threshold => '7d')`, `rollback_to_snapshot(id)`,
 * and `CALL catalog.system.rollback_to_snapshot(schema_name, table_name, snapshot_id)`.
 * Expiry and orphan removal answer Trino's `metric_name`/`metric_value` rows.
 */
import { quoteIdent } from "../../duckdb/sql.js";
import { ValidationError } from "../../errors.js";
import { MAIN_BRANCH } from "../../spec/snapshot.js";
import { ancestorsOf, currentSnapshot, snapshotById } from "../../spec/table-metadata.js";
import { expireSnapshots } from "../../table/expire-snapshots.js";
import { commitMetadataChange } from "../../table/metadata-commit.js";
import { optimize } from "../../table/optimize.js";
import { removeOrphanFiles } from "../../table/remove-orphan-files.js";
import { rewriteManifests } from "../../table/rewrite-manifests.js";
import { ROW_FILE_PATH } from "../../table/scan-relation.js";
import type { Table } from "../../table/table.js";
import type { SessionContext } from "../context.js";
import { literalResult, type StatementResult, updateResult } from "../result.js";
import type { LiteralValue, QualifiedName } from "../sql/parser.js";
import { dmlTarget, targetScan } from "./dml-target.js";

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Milliseconds of a Trino duration literal (`'7d'`, `'1.5h'`, `'30s'`, `'0s'`).
 * @throws ValidationError naming the argument for anything else
 */
export function parseDuration(value: LiteralValue | undefined, argument: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h|d)\s*$/.exec(String(value ?? ""));
  if (!m)
    throw new ValidationError(
      `${argument}: invalid duration ${JSON.stringify(value)} (e.g. '7d', '12h', '30m')`,
    );
  return Number(m[1]) * UNITS[m[2]!]!;
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/**
 * Bytes of a Trino data size literal (`'128MB'`, `'1.5GB'`, `'100kB'`, `'512B'`; binary units).
 * @throws ValidationError naming the argument for anything else
 */
export function parseDataSize(value: LiteralValue | undefined, argument: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?B)\s*$/.exec(String(value ?? ""));
  if (!m) throw new ValidationError(`${argument}: invalid data size ${JSON.stringify(value)} (e.g. '128MB')`);
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!);
}

/** Counts of deleted files by kind, as metric rows. */
function metrics(ctx: SessionContext, rows: [string, number][]): Promise<StatementResult> {
  return literalResult(
    ctx.duck,
    [
      { name: "metric_name", type: "VARCHAR" },
      { name: "metric_value", type: "BIGINT" },
    ],
    rows.map(([name, value]) => [`'${name}'`, String(value)]),
  );
}

/**
 * The data files (paths as recorded in manifests) holding at least one row of `table` that
 * matches `where`: what `ALTER TABLE t EXECUTE optimize WHERE ...` compacts. Trino accepts
 * conditions on identity partition columns only, which select whole partitions; any condition
 * works here (the way Spark's `rewrite_data_files(where => ...)` does), selecting the files
 * that contain a matching row. Predicates prune files first, as in a query.
 * @throws ValidationError for a branch target or a bad condition
 */
export async function dataFilesMatching(
  ctx: SessionContext,
  table: QualifiedName,
  where: string,
): Promise<Set<string>> {
  const target = dmlTarget(ctx, table, undefined);
  if (target.branch !== undefined)
    throw new ValidationError(`ALTER TABLE ... EXECUTE runs on the table, not a branch: ${target.branch}`);
  const rewritten = await ctx.rewriteQuery(
    `SELECT DISTINCT ${quoteIdent(ROW_FILE_PATH)} AS file_path FROM ${target.sql} WHERE ${where}`,
    { rowPositionsOf: target, composed: true },
  );
  targetScan(target, rewritten);
  const rows = await ctx.duck.queryJS(rewritten.sql);
  return new Set(rows.map((r) => String(r.file_path)));
}

/**
 * Runs `ALTER TABLE ... EXECUTE procedure(args)` on a loaded table; `opts.dataFiles` limits
 * `optimize` to those files (see {@link dataFilesMatching}).
 * @throws ValidationError for unknown procedures or bad arguments; UnsupportedOperationError for
 * procedures not implemented yet
 */
export async function executeTableProcedure(
  ctx: SessionContext,
  table: Table,
  procedure: string,
  args: Readonly<Record<string, LiteralValue>>,
  opts: { readonly dataFiles?: ReadonlySet<string> | undefined } = {},
): Promise<StatementResult> {
  if (opts.dataFiles !== undefined && procedure.toLowerCase() !== "optimize")
    throw new ValidationError(`Procedure '${procedure}' does not accept a WHERE condition`);
  switch (procedure.toLowerCase()) {
    case "optimize": {
      const threshold =
        args.file_size_threshold === undefined
          ? undefined
          : parseDataSize(args.file_size_threshold, "file_size_threshold");
      const r = await optimize(ctx.duck, table, threshold, { dataFiles: opts.dataFiles });
      return metrics(ctx, [
        ["rewritten_data_files_count", r.rewrittenDataFiles],
        ["removed_delete_files_count", r.removedDeleteFiles],
        ["added_data_files_count", r.addedDataFiles],
      ]);
    }
    case "optimize_manifests":
      await rewriteManifests(table);
      return updateResult("ALTER TABLE EXECUTE");
    case "expire_snapshots": {
      const retentionMs =
        args.retention_threshold === undefined
          ? undefined
          : parseDuration(args.retention_threshold, "retention_threshold");
      const r = await expireSnapshots(table, { retentionMs });
      const count = (re: RegExp) => r.deletedFiles.filter((f) => re.test(f)).length;
      return metrics(ctx, [
        ["expired_snapshots_count", r.expiredSnapshotIds.length],
        [
          "deleted_data_and_delete_files_count",
          r.deletedFiles.length - count(/\/snap-[^/]*\.avro$/) - count(/-m\d+\.avro$/),
        ],
        ["deleted_manifests_count", count(/-m\d+\.avro$/)],
        ["deleted_manifest_lists_count", count(/\/snap-[^/]*\.avro$/)],
      ]);
    }
    case "remove_orphan_files": {
      const retentionMs =
        args.retention_threshold === undefined
          ? undefined
          : parseDuration(args.retention_threshold, "retention_threshold");
      const deleted = await removeOrphanFiles(table, { retentionMs });
      return metrics(ctx, [["deleted_files_count", deleted.length]]);
    }
    case "rollback_to_snapshot": {
      await rollbackToSnapshot(table, args.snapshot_id);
      return updateResult("ALTER TABLE EXECUTE");
    }
    default:
      throw new ValidationError(`Procedure '${procedure}' not registered for table execute`);
  }
}

/**
 * Points `main` at an earlier snapshot of its own history (Iceberg Java `rollbackTo`).
 * @throws ValidationError when the snapshot is unknown or not an ancestor of the current one
 */
export async function rollbackToSnapshot(table: Table, id: LiteralValue | undefined): Promise<Table> {
  if (typeof id !== "bigint" && typeof id !== "number")
    throw new ValidationError(`snapshot_id must be a snapshot id, got ${JSON.stringify(String(id))}`);
  const snapshotId = BigInt(id);
  return commitMetadataChange(table, (base) => {
    const md = base.metadata;
    if (!snapshotById(md, snapshotId)) throw new ValidationError(`Snapshot ${snapshotId} does not exist`);
    const current = currentSnapshot(md);
    if (!ancestorsOf(md, current).some((s) => s.snapshotId === snapshotId))
      throw new ValidationError(
        `Cannot roll back to snapshot ${snapshotId}: it is not an ancestor of the current snapshot`,
      );
    if (current?.snapshotId === snapshotId) return undefined;
    return {
      requirements: [
        { type: "assert-ref-snapshot-id", ref: MAIN_BRANCH, snapshotId: current?.snapshotId ?? null },
      ],
      updates: [{ action: "set-snapshot-ref", refName: MAIN_BRANCH, snapshotId, type: "branch" }],
    };
  });
}
