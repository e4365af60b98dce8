/**
 * The change feed of a table between two snapshots (Trino `system.table_changes`, DuckLake
 * `table_changes`): for every snapshot after `start` up to `end` on `end`'s history, the rows
 * it inserted (rows of the data files it added) and the rows it deleted (rows of data files it
 * removed, and rows that its position delete files delete), each with the columns
 * `_change_type` ('insert' or 'delete'), `_change_version_id` (the snapshot id),
 * `_change_timestamp` (its commit time) and `_change_ordinal` (1 for the first snapshot after
 * `start`, and so on). Rows are read with `end`'s schema. A copy-on-write change reports the
 * rewritten files' unchanged rows as deleted and inserted again, like Trino does.
 */
import type { Duck } from "../duckdb/connection.js";
import { quoteIdent, quoteString, stringList } from "../duckdb/sql.js";
import { UnsupportedOperationError, ValidationError } from "../errors.js";
import { DataFileContent, ManifestEntryStatus } from "../spec/manifest-entry.js";
import type { Snapshot } from "../spec/snapshot.js";
import { ancestorsOf, snapshotById, specById } from "../spec/table-metadata.js";
import { partitionKey } from "./delete-index.js";
import { readManifestEntries, readSnapshotManifests, specPartitionType } from "./manifest-reader.js";
import { type FileScanTask, planScan, schemaForSnapshot } from "./scan.js";
import { emptyRelation, ROW_FILE_PATH, ROW_POSITION, scanRelation } from "./scan-relation.js";
import type { Table } from "./table.js";

/** Extra columns of a change feed row. */
export const CHANGE_COLUMNS = [
  "_change_type",
  "_change_version_id",
  "_change_timestamp",
  "_change_ordinal",
] as const;

/**
 * SQL of the change feed of `table` for the snapshots after `startSnapshotId` (exclusive;
 * undefined = from the first snapshot) up to `endSnapshotId` (inclusive; default current).
 * @throws ValidationError for unknown snapshots or a start that is not an ancestor of the end;
 * UnsupportedOperationError for equality deletes and deletion vectors in the range
 */
export async function changelogRelation(
  duck: Duck,
  table: Table,
  startSnapshotId: bigint | undefined,
  endSnapshotId: bigint | undefined,
): Promise<string> {
  const md = table.metadata;
  const end = endSnapshotId === undefined ? table.currentSnapshot() : snapshotById(md, endSnapshotId);
  if (endSnapshotId !== undefined && !end)
    throw new ValidationError(`Snapshot ${endSnapshotId} does not exist`);
  if (startSnapshotId !== undefined && !snapshotById(md, startSnapshotId))
    throw new ValidationError(`Snapshot ${startSnapshotId} does not exist`);
  const schema = schemaForSnapshot(md, end, true);
  const names = schema.fields.map((f) => quoteIdent(f.name)).join(", ");
  const history = ancestorsOf(md, end);
  const stop =
    startSnapshotId === undefined
      ? history.length
      : history.findIndex((s) => s.snapshotId === startSnapshotId);
  if (stop < 0)
    throw new ValidationError(
      `Starting snapshot ${startSnapshotId} is not an ancestor of ending snapshot ${end?.snapshotId}`,
    );
  const range = history.slice(0, stop).reverse();
  const parts: string[] = [];
  for (const [i, s] of range.entries()) {
    const tag = (type: string) =>
      `${quoteString(type)} AS _change_type, CAST(${s.snapshotId} AS BIGINT) AS _change_version_id, to_timestamp(${s.timestampMs} / 1000.0) AS _change_timestamp, ${i + 1} AS _change_ordinal`;
    const added = await addedEntries(table, s);
    const addedData = new Set(
      added.filter((e) => e.content === DataFileContent.DATA && e.added).map((e) => e.path),
    );
    const removedData = new Set(
      added.filter((e) => e.content === DataFileContent.DATA && !e.added).map((e) => e.path),
    );
    const positionDeletes = added.filter((e) => e.content === DataFileContent.POSITION_DELETES && e.added);
    const unsupported = added.find(
      (e) => e.added && (e.content === DataFileContent.EQUALITY_DELETES || e.format === "PUFFIN"),
    );
    if (unsupported)
      throw new UnsupportedOperationError(
        `table_changes cannot read ${unsupported.content === DataFileContent.EQUALITY_DELETES ? "equality deletes" : "deletion vectors"} yet (${unsupported.path}, snapshot ${s.snapshotId})`,
      );
    if (addedData.size > 0) {
      const plan = await planScan(table, { snapshotId: s.snapshotId });
      const tasks = plan.tasks.filter((t) => addedData.has(t.file.filePath));
      const rel = await scanRelation(table, { ...plan, schema, tasks }, { duck });
      parts.push(`SELECT ${names}, ${tag("insert")} FROM ${rel} AS r`);
    }
    if ((removedData.size > 0 || positionDeletes.length > 0) && s.parentSnapshotId !== undefined) {
      const plan = await planScan(table, { snapshotId: s.parentSnapshotId });
      const removed = plan.tasks.filter((t) => removedData.has(t.file.filePath));
      if (removed.length > 0) {
        const rel = await scanRelation(table, { ...plan, schema, tasks: removed }, { duck });
        parts.push(`SELECT ${names}, ${tag("delete")} FROM ${rel} AS r`);
      }
      if (positionDeletes.length > 0) {
        const partitions = new Set(positionDeletes.map((d) => d.partitionKey));
        const targets: FileScanTask[] = plan.tasks.filter(
          (t) =>
            !removedData.has(t.file.filePath) && partitions.has(partitionKey(t.specId, t.file.partition)),
        );
        if (targets.length > 0) {
          const rel = await scanRelation(
            table,
            { ...plan, schema, tasks: targets },
            { duck, rowPositions: true },
          );
          const paths = await Promise.all(
            positionDeletes.map((d) => table.io.localReadPath(table.resolve(d.path))),
          );
          parts.push(
            `SELECT ${names}, ${tag("delete")} FROM ${rel} AS r SEMI JOIN read_parquet(${stringList(paths)}) AS p ` +
              `ON r.${quoteIdent(ROW_FILE_PATH)} = p.file_path AND r.${quoteIdent(ROW_POSITION)} = p.pos`,
          );
        }
      }
    }
  }
  if (parts.length === 0) {
    return `(SELECT *, CAST(NULL AS VARCHAR) AS _change_type, CAST(NULL AS BIGINT) AS _change_version_id, CAST(NULL AS TIMESTAMPTZ) AS _change_timestamp, CAST(NULL AS INTEGER) AS _change_ordinal FROM ${emptyRelation(schema)} AS e)`;
  }
  return `(${parts.map((p) => `(${p})`).join(" UNION ALL ")})`;
}

interface AddedEntry {
  readonly path: string;
  readonly content: number;
  readonly format: string;
  /** ADDED (true) or DELETED (false) by the snapshot. */
  readonly added: boolean;
  readonly partitionKey: string;
}

/** The entries a snapshot itself added or deleted (in the manifests it wrote). */
async function addedEntries(table: Table, s: Snapshot): Promise<AddedEntry[]> {
  const md = table.metadata;
  const resolve = (l: string) => table.resolve(l);
  const out: AddedEntry[] = [];
  for (const m of await readSnapshotManifests(table.io, s, resolve)) {
    if (m.addedSnapshotId !== s.snapshotId) continue;
    const spec = specById(md, m.partitionSpecId);
    for (const e of await readManifestEntries(table.io, m, specPartitionType(md, spec), resolve)) {
      if (e.snapshotId !== s.snapshotId || e.status === ManifestEntryStatus.EXISTING) continue;
      out.push({
        path: e.dataFile.filePath,
        content: e.dataFile.content,
        format: e.dataFile.fileFormat,
        added: e.status === ManifestEntryStatus.ADDED,
        partitionKey: partitionKey(m.partitionSpecId, e.dataFile.partition),
      });
    }
  }
  return out;
}
