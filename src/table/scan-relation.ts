/**
 * Turns a planned scan into a DuckDB relation (SQL text of a subquery): `read_parquet` with
 * the schema mapped by field id (`schema = MAP{field_id: {name, type, default_value}}`), so
 * renamed, reordered, added and dropped columns read correctly, minus position deletes
 * (anti join on file and row number) and equality deletes (null-safe anti join), per the
 * Iceberg spec "Column Projection" and "Row-level Deletes".
 */
import { quoteIdent, quoteString, stringList } from "../duckdb/sql.js";
import { icebergToDuckType } from "../duckdb/types.js";
import { UnsupportedOperationError } from "../errors.js";
import { DataFileContent } from "../spec/manifest-entry.js";
import type { Schema } from "../spec/schema.js";
import { decimalToString, daysToIsoDate, epochToIsoTimestamp, microsToIsoTime } from "../spec/values.js";
import type { IcebergType, NestedField } from "../spec/types.js";
import type { FileScanTask, ScanPlan } from "./scan.js";
import type { Table } from "./table.js";

/** SQL literal of a field's initial default (spec "Default values"), or NULL. */
export function defaultLiteral(field: NestedField): string {
  // DuckDB's read_parquet needs one type for every default_value in the map; VARCHAR text is
  // cast to each column's type by the reader.
  const v = field.initialDefault;
  if (v === undefined || v === null || field.type.kind === "struct" || field.type.kind === "list" || field.type.kind === "map") {
    return "NULL::VARCHAR";
  }
  return `CAST(CAST(${valueSql(field.type, v)} AS ${icebergToDuckType(field.type)}) AS VARCHAR)`;
}

/** SQL literal text of an in-memory Iceberg value of a primitive type. */
export function valueSql(type: IcebergType, v: unknown): string {
  switch (type.kind) {
    case "boolean":
      return v ? "true" : "false";
    case "int":
    case "long":
    case "float":
    case "double":
      return String(v);
    case "decimal":
      return quoteString(decimalToString(v as bigint, type.scale));
    case "date":
      return quoteString(daysToIsoDate(v as number));
    case "time":
      return quoteString(microsToIsoTime(v as bigint));
    case "timestamp":
    case "timestamptz":
      return quoteString(epochToIsoTimestamp(v as bigint, "micros", type.kind === "timestamptz"));
    case "timestamp_ns":
    case "timestamptz_ns":
      return quoteString(epochToIsoTimestamp(v as bigint, "nanos", false));
    case "fixed":
    case "binary":
      return `from_hex(${quoteString(Buffer.from(v as Uint8Array).toString("hex"))})`;
    default:
      return typeof v === "string" ? quoteString(v) : "NULL";
  }
}

/** The `schema = MAP{...}` argument of `read_parquet` for the top-level fields of a schema. */
export function parquetSchemaMap(fields: readonly NestedField[]): string {
  const entries = fields
    .filter((f) => f.type.kind !== "unknown")
    .map((f) => `${f.id}: {name: ${quoteString(f.name)}, type: ${quoteString(icebergToDuckType(f.type))}, default_value: ${defaultLiteral(f)}}`);
  return `MAP{${entries.join(", ")}}`;
}

/** The column list of the scan: every top-level field, `unknown` columns as typed NULLs. */
function selectList(schema: Schema, alias: string): string {
  return schema.fields
    .map((f) => (f.type.kind === "unknown" ? `CAST(NULL AS VARCHAR) AS ${quoteIdent(f.name)}` : `${alias}.${quoteIdent(f.name)}`))
    .join(", ");
}

/** An empty relation with the schema's columns. */
export function emptyRelation(schema: Schema): string {
  const cols = schema.fields.map((f) => `CAST(NULL AS ${icebergToDuckType(f.type)}) AS ${quoteIdent(f.name)}`);
  return `(SELECT ${cols.join(", ") || "NULL AS _empty"} WHERE false)`;
}

interface LocalTask {
  readonly task: FileScanTask;
  readonly localPath: string;
}

/**
 * Builds the SQL subquery for a planned scan. Data files are read through
 * `io.localReadPath` (the file itself on local disk; a cached copy for remote stores).
 * @throws UnsupportedOperationError for ORC/Avro data files and deletion vectors.
 */
export async function scanRelation(table: Table, plan: ScanPlan): Promise<string> {
  const schema = plan.schema;
  if (plan.tasks.length === 0) return emptyRelation(schema);
  const local: LocalTask[] = await Promise.all(
    plan.tasks.map(async (task) => {
      if (task.file.fileFormat !== "PARQUET") {
        throw new UnsupportedOperationError(`data file format ${task.file.fileFormat} is not supported (${task.file.filePath})`);
      }
      return { task, localPath: await table.io.localReadPath(table.resolve(task.file.filePath)) };
    }),
  );
  const schemaMap = parquetSchemaMap(schema.fields);
  // Group files by the exact set of delete files that apply, so each group is one read_parquet.
  const groups = new Map<string, LocalTask[]>();
  for (const t of local) {
    const key = t.task.deletes.map((d) => d.file.filePath).sort().join("\n");
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  const parts: string[] = [];
  for (const [, group] of groups) parts.push(await groupRelation(table, schema, schemaMap, group));
  return parts.length === 1 ? `(${parts[0]})` : `(${parts.map((p) => `(${p})`).join(" UNION ALL ")})`;
}

async function groupRelation(table: Table, schema: Schema, schemaMap: string, group: LocalTask[]): Promise<string> {
  const deletes = group[0]!.task.deletes;
  const paths = stringList(group.map((t) => t.localPath));
  if (deletes.length === 0) return `SELECT ${selectList(schema, "d")} FROM read_parquet(${paths}, schema = ${schemaMap}) AS d`;
  const positional = deletes.filter((d) => d.file.content === DataFileContent.POSITION_DELETES);
  const equality = deletes.filter((d) => d.file.content === DataFileContent.EQUALITY_DELETES);
  if (positional.some((d) => d.file.fileFormat !== "PARQUET") || equality.some((d) => d.file.fileFormat !== "PARQUET")) {
    const f = [...positional, ...equality].find((d) => d.file.fileFormat !== "PARQUET")!;
    throw new UnsupportedOperationError(
      f.file.fileFormat === "PUFFIN"
        ? `deletion vectors (format v3) are not supported yet: ${f.file.filePath}`
        : `delete file format ${f.file.fileFormat} is not supported (${f.file.filePath})`,
    );
  }
  let sql = `SELECT ${selectList(schema, "d")} FROM read_parquet(${paths}, schema = ${schemaMap}, filename = true, file_row_number = true) AS d`;
  if (positional.length > 0) {
    const delPaths = await Promise.all(positional.map((d) => table.io.localReadPath(table.resolve(d.file.filePath))));
    // Delete files name data files by their recorded paths; map those to the local paths read above.
    const mapping = group.map((t) => `(${quoteString(t.task.file.filePath)}, ${quoteString(t.localPath)})`).join(", ");
    sql +=
      ` ANTI JOIN (SELECT m.local_path AS __path, p.pos AS __pos FROM read_parquet(${stringList(delPaths)}) AS p` +
      ` JOIN (VALUES ${mapping}) AS m(recorded_path, local_path) ON p.file_path = m.recorded_path) AS pd` +
      ` ON d.filename = pd.__path AND d.file_row_number = pd.__pos`;
  }
  // Equality deletes: one anti join per distinct set of equality field ids.
  const byIds = new Map<string, typeof equality>();
  for (const d of equality) {
    const key = [...(d.file.equalityIds ?? [])].sort((a, b) => a - b).join(",");
    const g = byIds.get(key);
    if (g) g.push(d);
    else byIds.set(key, [d]);
  }
  let n = 0;
  for (const [key, files] of byIds) {
    const ids = key.split(",").filter(Boolean).map(Number);
    const fields = ids.map((id) => {
      const f = schema.fields.find((x) => x.id === id);
      if (!f) throw new UnsupportedOperationError(`equality delete on field id ${id}, which is not a top-level column of the read schema`);
      return f;
    });
    const delPaths = await Promise.all(files.map((d) => table.io.localReadPath(table.resolve(d.file.filePath))));
    const alias = `eq${n++}`;
    const cols = fields.map((f) => quoteIdent(f.name)).join(", ");
    const cond = fields.map((f) => `d.${quoteIdent(f.name)} IS NOT DISTINCT FROM ${alias}.${quoteIdent(f.name)}`).join(" AND ");
    sql += ` ANTI JOIN (SELECT DISTINCT ${cols} FROM read_parquet(${stringList(delPaths)}, schema = ${parquetSchemaMap(fields)})) AS ${alias} ON ${cond}`;
  }
  return sql;
}
