/**
 * Writing position delete files (Iceberg spec "Position Delete Files"): Parquet files of
 * `(file_path, pos)` rows with the reserved field ids 2147483546 and 2147483545, sorted by
 * path and position, one file per partition of the data files they point into (a position
 * delete file applies only within its partition). A file that points into a single data file
 * records it as `referenced_data_file`, so readers apply it to that file alone.
 */

import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Duck } from "../duckdb/connection.js";
import { quoteIdent, quoteString, stringList } from "../duckdb/sql.js";
import { joinLocation } from "../io/location.js";
import { type DataFile, DataFileContent } from "../spec/manifest-entry.js";
import { partitionToPath } from "../spec/partition-spec.js";
import { MetadataColumns, Schema } from "../spec/schema.js";
import { specById } from "../spec/table-metadata.js";
import { Types } from "../spec/types.js";
import type { PrimitiveValue } from "../spec/values.js";
import type { WrittenFiles } from "./data-writer.js";
import { partitionKey } from "./delete-index.js";
import { readParquetMetrics } from "./parquet-metrics.js";
import type { Table } from "./table.js";

/** The schema of position delete files (without the optional `row` column). */
export const POSITION_DELETE_SCHEMA = new Schema(0, [
  { id: MetadataColumns.deleteFilePath.id, name: "file_path", required: true, type: Types.string },
  { id: MetadataColumns.deleteFilePos.id, name: "pos", required: true, type: Types.long },
]);

/** A data file that rows are deleted from, with its partition. */
export interface DeleteTarget {
  readonly filePath: string;
  readonly specId: number;
  readonly partition: readonly (PrimitiveValue | null)[];
}

/** A position delete file written, with the spec of its partition. */
export interface WrittenDeleteFile {
  readonly file: DataFile;
  readonly specId: number;
}

/**
 * Writes the positions of `positionsSql` (a relation with columns `file_path` VARCHAR and
 * `pos` BIGINT, paths as recorded in manifests) for the data files in `targets` into position
 * delete files under the table's data location.
 * @returns the delete files, and `abort()` to remove them when the commit definitely failed
 * @throws DuckDB errors for the relation; nothing is left behind on failure
 */
export async function writePositionDeletes(
  duck: Duck,
  table: Table,
  positionsSql: string,
  targets: readonly DeleteTarget[],
): Promise<WrittenFiles & { deleteFiles: WrittenDeleteFile[] }> {
  const md = table.metadata;
  const dataDir =
    md.properties["write.data.path"]?.replace(/\/+$/, "") ?? joinLocation(table.location(), "data");
  const codec = (
    md.properties["write.delete.parquet.compression-codec"] ??
    md.properties["write.parquet.compression-codec"] ??
    "zstd"
  ).toLowerCase();
  const groups = new Map<string, DeleteTarget[]>();
  for (const t of targets) {
    const key = partitionKey(t.specId, t.partition);
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  const staging = await table.io.stagingDirectory(dataDir);
  const published: string[] = [];
  const deleteFiles: WrittenDeleteFile[] = [];
  const batch = randomUUID();
  try {
    let n = 0;
    for (const group of groups.values()) {
      const local = join(staging.localPath, `${n}.parquet`);
      const paths = group.map((t) => t.filePath);
      await duck.run(
        `COPY (SELECT CAST(file_path AS VARCHAR) AS file_path, CAST(pos AS BIGINT) AS pos FROM ${positionsSql} AS src ` +
          `WHERE file_path IN (SELECT unnest(${stringList(paths)})) ORDER BY file_path, pos) ` +
          `TO ${quoteString(local)} (FORMAT parquet, COMPRESSION ${codec}, ` +
          `FIELD_IDS {${quoteIdent("file_path")}: ${MetadataColumns.deleteFilePath.id}, ${quoteIdent("pos")}: ${MetadataColumns.deleteFilePos.id}})`,
      );
      const metrics = (await readParquetMetrics(duck, [local], POSITION_DELETE_SCHEMA)).get(local);
      if (!metrics || metrics.recordCount === 0n) continue;
      const first = group[0]!;
      const spec = specById(md, first.specId);
      const subdir = spec.fields.length > 0 ? partitionToPath(spec, table.schema(), first.partition) : "";
      const name = `${String(n++).padStart(5, "0")}-${batch}-deletes.parquet`;
      const location = subdir ? joinLocation(dataDir, subdir, name) : joinLocation(dataDir, name);
      const size = (await stat(local)).size;
      await staging.publish(local, location);
      published.push(location);
      deleteFiles.push({
        specId: first.specId,
        file: {
          content: DataFileContent.POSITION_DELETES,
          filePath: location,
          fileFormat: "PARQUET",
          partition: first.partition,
          recordCount: metrics.recordCount,
          fileSizeInBytes: BigInt(size),
          columnSizes: metrics.columnSizes,
          valueCounts: metrics.valueCounts,
          nullValueCounts: metrics.nullValueCounts,
          lowerBounds: metrics.lowerBounds,
          upperBounds: metrics.upperBounds,
          splitOffsets: metrics.splitOffsets,
          ...(group.length === 1 ? { referencedDataFile: first.filePath } : {}),
        },
      });
    }
    return {
      files: deleteFiles.map((d) => d.file),
      deleteFiles,
      abort: async () => {
        await Promise.all(published.map((l) => table.io.delete(l).catch(() => {})));
      },
    };
  } catch (e) {
    await Promise.all(published.map((l) => table.io.delete(l).catch(() => {})));
    throw e;
  } finally {
    await staging.cleanup();
  }
}
