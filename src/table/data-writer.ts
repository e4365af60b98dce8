/**
 * Writes rows from a DuckDB query into a table's data files: DuckDB writes Parquet with
 * Iceberg field ids (`COPY ... (FIELD_IDS {...})`), partitioned by the table's default spec
 * (transforms computed in SQL, see `partition-sql.ts`), split at the target file size; we read
 * the files' metrics back with `parquet_metadata()` and publish the files to their locations
 * (ARCHITECTURE.md "A write, end to end"). Nothing is committed here.
 */
import { randomUUID } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Duck } from "../duckdb/connection.js";
import { registerIcebergFunctions } from "../duckdb/functions.js";
import { quoteIdent, quoteString } from "../duckdb/sql.js";
import { icebergToDuckType } from "../duckdb/types.js";
import { DataError } from "../errors.js";
import type { StagingDirectory } from "../io/file-io.js";
import { joinLocation } from "../io/location.js";
import { type DataFile, DataFileContent } from "../spec/manifest-entry.js";
import { type PartitionSpec, partitionToPath } from "../spec/partition-spec.js";
import type { Schema } from "../spec/schema.js";
import { type IcebergType, isPrimitive, type PrimitiveType } from "../spec/types.js";
import type { PrimitiveValue } from "../spec/values.js";
import { specPartitionType } from "./manifest-reader.js";
import { readParquetMetrics } from "./parquet-metrics.js";
import { decodePartitionKey, partitionKeySql, transformSql } from "./partition-sql.js";
import type { Table } from "./table.js";

/** Default `write.target-file-size-bytes` (Iceberg Java: 512 MiB). */
export const DEFAULT_TARGET_FILE_SIZE_BYTES = 512 * 1024 * 1024;

/** The `FIELD_IDS` option value of DuckDB's Parquet writer for a schema. */
export function fieldIdsOption(schema: Schema): string {
  const nested = (id: number, type: IcebergType): string => {
    switch (type.kind) {
      case "struct":
        return `{__duckdb_field_id: ${id}, ${type.fields.map((f) => `${quoteString(f.name)}: ${nested(f.id, f.type)}`).join(", ")}}`;
      case "list":
        return `{__duckdb_field_id: ${id}, element: ${nested(type.elementId, type.element)}}`;
      case "map":
        return `{__duckdb_field_id: ${id}, key: ${nested(type.keyId, type.key)}, value: ${nested(type.valueId, type.value)}}`;
      default:
        return String(id);
    }
  };
  return `{${schema.fields.map((f) => `${quoteString(f.name)}: ${nested(f.id, f.type)}`).join(", ")}}`;
}

/** Files written but not yet committed; `abort()` deletes them (only when a commit definitely failed). */
export interface WrittenFiles {
  readonly files: DataFile[];
  /** Deletes the published files. Never call after an unknown commit outcome. */
  abort(): Promise<void>;
}

/** Options of {@link writeDataFiles}. */
export interface WriteDataOptions {
  /** Overrides `write.target-file-size-bytes`. */
  readonly targetFileSizeBytes?: number | undefined;
}

/**
 * Writes the rows of `sourceSql` (a query or relation whose columns are the table schema's
 * columns, by name, in any order, already of the schema's DuckDB types) into data files.
 * Required columns are checked for NULLs.
 * @throws DataError naming the column when a required column receives a NULL;
 * DuckDB errors for the source query. Nothing is left behind on failure.
 */
export async function writeDataFiles(
  duck: Duck,
  table: Table,
  sourceSql: string,
  opts: WriteDataOptions = {},
): Promise<WrittenFiles> {
  registerIcebergFunctions(duck.connection);
  const schema = table.schema();
  const spec = table.spec();
  const md = table.metadata;
  const partType = specPartitionType(md, spec);
  const dataDir =
    md.properties["write.data.path"]?.replace(/\/+$/, "") ?? joinLocation(table.location(), "data");
  const target =
    opts.targetFileSizeBytes ??
    Number(md.properties["write.target-file-size-bytes"] ?? DEFAULT_TARGET_FILE_SIZE_BYTES);
  const codec = (md.properties["write.parquet.compression-codec"] ?? "zstd").toLowerCase();

  const columns = schema.fields.map((f) => {
    const col = `src.${quoteIdent(f.name)}`;
    return f.required
      ? `CASE WHEN ${col} IS NULL THEN error(${quoteString(`${DATA_ERROR_MARK}NULL value not allowed for NOT NULL column: ${f.name}`)}) ELSE ${col} END AS ${quoteIdent(f.name)}`
      : `${col} AS ${quoteIdent(f.name)}`;
  });
  const partitioned = spec.fields.some((f) => f.transform.kind !== "void");
  const partCols = partitioned
    ? spec.fields.map((pf, i) => {
        const source = schema.findField(pf.sourceId);
        if (!source || !isPrimitive(source.type))
          throw new DataError(`partition field ${pf.name} has no primitive source column`);
        const expr = transformSql(pf.transform, `src.${quoteIdent(source.name)}`, source.type);
        return `${partitionKeySql(expr, partType.fields[i]!.type as PrimitiveType)} AS ${quoteIdent(`__p${i}`)}`;
      })
    : [];
  const staging = await table.io.stagingDirectory(dataDir);
  const published: string[] = [];
  try {
    const options = [
      "FORMAT parquet",
      `FIELD_IDS ${fieldIdsOption(schema)}`,
      `COMPRESSION ${codec}`,
      "RETURN_FILES true",
      partitioned
        ? `PARTITION_BY (${partCols.map((_, i) => quoteIdent(`__p${i}`)).join(", ")})`
        : `FILE_SIZE_BYTES ${Math.max(1024, Math.floor(target))}`,
    ];
    const select = `SELECT ${[...columns, ...partCols].join(", ")} FROM (${sourceSql}) AS src${sortClause(md, schema)}`;
    await duck.run(`COPY (${select}) TO ${quoteString(staging.localPath)} (${options.join(", ")})`);
    const localFiles = await listParquet(staging.localPath);
    const metrics = await readParquetMetrics(duck, localFiles, schema);
    const files: DataFile[] = [];
    const batch = randomUUID();
    let n = 0;
    for (const local of localFiles) {
      const partition = partitioned
        ? partitionFromPath(
            relative(staging.localPath, local),
            spec,
            partType.fields.map((f) => f.type as PrimitiveType),
          )
        : [];
      const m = metrics.get(local);
      if (!m || m.recordCount === 0n) continue;
      const subdir = partitioned ? partitionToPath(spec, schema, partition) : "";
      const name = `${String(n++).padStart(5, "0")}-${batch}.parquet`;
      const location = subdir ? joinLocation(dataDir, subdir, name) : joinLocation(dataDir, name);
      const size = (await stat(local)).size;
      await publish(staging, local, location);
      published.push(location);
      files.push({
        content: DataFileContent.DATA,
        filePath: location,
        fileFormat: "PARQUET",
        partition,
        recordCount: m.recordCount,
        fileSizeInBytes: BigInt(size),
        columnSizes: m.columnSizes,
        valueCounts: m.valueCounts,
        nullValueCounts: m.nullValueCounts,
        lowerBounds: m.lowerBounds,
        upperBounds: m.upperBounds,
        splitOffsets: m.splitOffsets,
        sortOrderId: md.defaultSortOrderId,
      });
    }
    return {
      files,
      abort: async () => {
        await Promise.all(published.map((l) => table.io.delete(l).catch(() => {})));
      },
    };
  } catch (e) {
    await Promise.all(published.map((l) => table.io.delete(l).catch(() => {})));
    throw translateWriteError(e);
  } finally {
    await staging.cleanup();
  }
}

/**
 * ORDER BY of the table's default sort order (Iceberg spec "Sorting": writers should sort by
 * it), with each field's transform, direction and null order; empty when unsorted.
 */
function sortClause(md: Table["metadata"], schema: Schema): string {
  const order = md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId);
  if (!order || order.fields.length === 0) return "";
  const keys = order.fields.flatMap((f) => {
    const source = schema.findField(f.sourceId);
    if (!source || !isPrimitive(source.type) || f.transform.kind === "unknown" || f.transform.kind === "void")
      return [];
    const expr = transformSql(f.transform, `src.${quoteIdent(source.name)}`, source.type);
    return [
      `${expr} ${f.direction === "desc" ? "DESC" : "ASC"} ${f.nullOrder === "nulls-first" ? "NULLS FIRST" : "NULLS LAST"}`,
    ];
  });
  return keys.length > 0 ? ` ORDER BY ${keys.join(", ")}` : "";
}

async function publish(staging: StagingDirectory, local: string, location: string): Promise<void> {
  await staging.publish(local, location);
}

async function listParquet(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith(".parquet")) out.push(p);
    }
  };
  await walk(dir);
  return out.sort();
}

/** Partition tuple from a staging path `__p0=<key>/__p1=<key>/file.parquet`. */
function partitionFromPath(
  relPath: string,
  spec: PartitionSpec,
  types: PrimitiveType[],
): (PrimitiveValue | null)[] {
  const values: (PrimitiveValue | null)[] = spec.fields.map(() => null);
  for (const part of relPath.split(sep)) {
    const m = /^__p(\d+)=(.*)$/.exec(part);
    if (!m) continue;
    const i = Number(m[1]);
    values[i] = decodePartitionKey(m[2]!, types[i]!);
  }
  return values;
}

/** Prefix of messages raised with DuckDB's `error()` by our write checks. */
export const DATA_ERROR_MARK = "[aichemy-data] ";

/** A DuckDB error raised by one of our `error()` checks becomes a DataError with its message; others pass through. */
export function translateWriteError(e: unknown): unknown {
  const msg = (e as Error)?.message ?? "";
  const i = msg.indexOf(DATA_ERROR_MARK);
  if (i >= 0)
    return new DataError(
      msg
        .slice(i + DATA_ERROR_MARK.length)
        .split("\n")[0]!
        .trim(),
      { cause: e },
    );
  return e;
}

/** The DuckDB type text of each schema column, by name (for casting sources to the table). */
export function duckColumnTypes(schema: Schema): Map<string, string> {
  return new Map(schema.fields.map((f) => [f.name, icebergToDuckType(f.type)]));
}
