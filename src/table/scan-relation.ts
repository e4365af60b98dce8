/**
 * Turns a planned scan into a DuckDB relation (SQL text of a subquery): `read_parquet` with
 * the schema mapped by field id (`schema = MAP{field_id: {name, type, default_value}}`), so
 * renamed, reordered, added and dropped columns read correctly; files written without field
 * ids are read through the table's name mapping; minus position deletes and deletion vectors
 * (anti join on file and row number) and equality deletes (null-safe anti join), per the
 * Iceberg spec "Column Projection" and "Row-level Deletes".
 */
import type { Duck } from "../duckdb/connection.js";
import { quoteIdent, quoteString, stringList } from "../duckdb/sql.js";
import { icebergToDuckType } from "../duckdb/types.js";
import { UnsupportedOperationError } from "../errors.js";
import { DataFileContent } from "../spec/manifest-entry.js";
import { type MappedField, namesForField, parseNameMapping } from "../spec/name-mapping.js";
import { decodeDeletionVector } from "../spec/puffin/deletion-vector.js";
import type { Schema } from "../spec/schema.js";
import type { IcebergType, NestedField } from "../spec/types.js";
import { typeToString } from "../spec/types.js";
import { daysToIsoDate, decimalToString, epochToIsoTimestamp, microsToIsoTime } from "../spec/values.js";
import type { IndexedDeleteFile } from "./delete-index.js";
import type { FileScanTask, ScanPlan } from "./scan.js";
import type { Table } from "./table.js";

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

/** SQL of a field's initial default (spec "Default values") as VARCHAR text, or NULL. */
export function defaultLiteral(field: NestedField): string {
  // read_parquet needs one type for every default_value in the map; VARCHAR text is cast to
  // each column's type by the reader.
  const v = field.initialDefault;
  if (
    v === undefined ||
    v === null ||
    field.type.kind === "struct" ||
    field.type.kind === "list" ||
    field.type.kind === "map"
  ) {
    return "NULL::VARCHAR";
  }
  return `CAST(CAST(${valueSql(field.type, v)} AS ${icebergToDuckType(field.type)}) AS VARCHAR)`;
}

/**
 * Column names as DuckDB sees them: DuckDB names are case-insensitive, so names equal but
 * for case get `_1`, `_2` ... (e.g. `user_id`, `uSeR_Id` -> `user_id`, `uSeR_Id_1`).
 */
export function duckColumnNames(fields: readonly NestedField[]): string[] {
  const used = new Set<string>();
  return fields.map((f) => {
    let name = f.name;
    for (let i = 1; used.has(name.toLowerCase()); i++) name = `${f.name}_${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** The `schema = MAP{...}` argument of `read_parquet` for fields, under the given column names. */
export function parquetSchemaMap(fields: readonly NestedField[], names = duckColumnNames(fields)): string {
  const entries = fields.flatMap((f, i) =>
    f.type.kind === "unknown"
      ? []
      : [
          `${f.id}: {name: ${quoteString(names[i]!)}, type: ${quoteString(icebergToDuckType(f.type))}, default_value: ${defaultLiteral(f)}}`,
        ],
  );
  return `MAP{${entries.join(", ")}}`;
}

/** An empty relation with the schema's columns. */
export function emptyRelation(schema: Schema): string {
  const names = duckColumnNames(schema.fields);
  const cols = schema.fields.map(
    (f, i) => `CAST(NULL AS ${icebergToDuckType(f.type)}) AS ${quoteIdent(names[i]!)}`,
  );
  return `(SELECT ${cols.join(", ") || "NULL AS _empty"} WHERE false)`;
}

interface LocalTask {
  readonly task: FileScanTask;
  readonly localPath: string;
  /**
   * How each schema column is read from this file: SQL over the file's columns (`d."name"`),
   * a constant, or a default. Undefined: the file is read with `schema = MAP{...}` (no probe).
   */
  readonly projection?: readonly string[] | undefined;
}

/** Options of {@link scanRelation}. */
export interface ScanRelationOptions {
  /** DuckDB connection used to inspect file footers (field ids); without one, files are read by `schema = MAP{...}`. */
  readonly duck?: Duck | undefined;
  /**
   * Accept deletion vector files that are bare blobs rather than Puffin files (what old
   * DuckDB versions wrote). Off by default: such files are rejected.
   */
  readonly allowBareDeletionVectors?: boolean | undefined;
  /**
   * Adds each row's data file (as recorded in the manifests) and position in it as the columns
   * {@link ROW_FILE_PATH} and {@link ROW_POSITION} (Iceberg's `_file` and `_pos` metadata
   * columns), for row-level deletes.
   */
  readonly rowPositions?: boolean | undefined;
}

/** Column of a scan with `rowPositions`: the row's data file path as recorded in manifests. */
export const ROW_FILE_PATH = "__file_path";
/** Column of a scan with `rowPositions`: the row's 0-based position in its data file. */
export const ROW_POSITION = "__pos";

/**
 * Builds the SQL subquery for a planned scan. Data files are read through
 * `io.localReadPath` (the file itself on local disk; a cached copy for remote stores).
 *
 * Each file is read with a projection from its own columns to the read schema, found by field
 * id in the file's footer (by the name mapping for files without ids, from identity partition
 * values for columns a file lacks). A table that only ever had one schema and no name mapping
 * is read by column name without probing footers. Plain `read_parquet` plus a projection lets
 * DuckDB keep its statistics, filter pushdown and join ordering (`read_parquet(schema = MAP{...})`
 * measured 4-5x slower on TPC-H joins).
 * @throws UnsupportedOperationError for ORC/Avro data or delete files; Error for corrupt deletion vectors.
 */
export async function scanRelation(
  table: Table,
  plan: ScanPlan,
  opts: ScanRelationOptions = {},
): Promise<string> {
  const schema = plan.schema;
  if (plan.tasks.length === 0) {
    const empty = emptyRelation(schema);
    return opts.rowPositions
      ? `(SELECT *, CAST(NULL AS VARCHAR) AS ${quoteIdent(ROW_FILE_PATH)}, CAST(NULL AS BIGINT) AS ${quoteIdent(ROW_POSITION)} FROM ${empty} AS e)`
      : empty;
  }
  let local: LocalTask[] = await Promise.all(
    plan.tasks.map(async (task) => {
      if (task.file.fileFormat !== "PARQUET") {
        throw new UnsupportedOperationError(
          `data file format ${task.file.fileFormat} is not supported (${task.file.filePath})`,
        );
      }
      return { task, localPath: await table.io.localReadPath(table.resolve(task.file.filePath)) };
    }),
  );
  const names = duckColumnNames(schema.fields);
  const mappingText = table.metadata.properties["schema.name-mapping.default"];
  const mapping = mappingText ? parseNameMapping(mappingText) : undefined;
  const identity = identitySources(table, local);
  const caseClash = names.some((n, i) => n !== schema.fields[i]!.name);
  if (!caseClash) {
    if (table.metadata.schemas.length === 1 && !mapping && identity.size === 0) {
      const byName = schema.fields.map((f, i) =>
        f.type.kind === "unknown"
          ? `CAST(NULL AS VARCHAR) AS ${quoteIdent(names[i]!)}`
          : `d.${quoteIdent(f.name)} AS ${quoteIdent(names[i]!)}`,
      );
      local = local.map((t) => ({ ...t, projection: byName }));
    } else if (opts.duck) {
      local = await probeFiles(opts.duck, schema, names, local, mapping, identity);
    }
  }
  // Group files by projection and by the delete files that apply: each group is one read.
  const groups = new Map<string, LocalTask[]>();
  for (const t of local) {
    // Deletion vectors apply to one data file each (several may share a Puffin file), so
    // they do not split groups; each group collects its files' vectors.
    const key = `${t.projection?.join(",") ?? "map"}\n${t.task.deletes
      .filter((d) => d.file.fileFormat !== "PUFFIN")
      .map((d) => d.file.filePath)
      .sort()
      .join("\n")}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  const schemaMap = parquetSchemaMap(schema.fields, names);
  const parts: string[] = [];
  for (const [, group] of groups)
    parts.push(await groupRelation(table, schema, names, schemaMap, group, opts));
  return parts.length === 1 ? `(${parts[0]})` : `(${parts.map((p) => `(${p})`).join(" UNION ALL ")})`;
}

/** Field ids read by each spec's identity partition fields, by spec id (spec "Column Projection", rule 1). */
function identitySources(
  table: Table,
  tasks: readonly LocalTask[],
): Map<number, { sourceId: number; index: number }[]> {
  const out = new Map<number, { sourceId: number; index: number }[]>();
  for (const specId of new Set(tasks.map((t) => t.task.specId))) {
    const spec = table.metadata.partitionSpecs.find((s) => s.specId === specId);
    const fields = (spec?.fields ?? []).flatMap((f, index) =>
      f.transform.kind === "identity" ? [{ sourceId: f.sourceId, index }] : [],
    );
    if (fields.length > 0) out.set(specId, fields);
  }
  return out;
}

/** A node of a Parquet file's schema tree (from its footer). */
interface FileNode {
  readonly name: string;
  readonly fieldId: number | undefined;
  readonly children: FileNode[];
}

/** Top-level columns of a Parquet file. */
interface FileColumns {
  readonly columns: readonly FileNode[];
  readonly hasIds: boolean;
}

/** Columns of each Parquet file (immutable files: cached by path). */
const fileColumnsCache = new Map<string, FileColumns>();

/** Reads (and caches) the schema trees of Parquet files from their footers. */
async function fileColumns(duck: Duck, paths: readonly string[]): Promise<Map<string, FileColumns>> {
  const missing = [...new Set(paths)].filter((p) => !fileColumnsCache.has(p));
  if (missing.length > 0) {
    const rows = await duck.queryJS(
      `SELECT file_name, name, field_id, num_children FROM parquet_schema(${stringList(missing)})`,
    );
    // Rows come depth first per file, root first, each node followed by its children.
    const byFile = new Map<string, typeof rows>();
    for (const r of rows) {
      const f = String(r.file_name);
      const list = byFile.get(f);
      if (list) list.push(r);
      else byFile.set(f, [r]);
    }
    for (const [file, nodes] of byFile) {
      let i = 0;
      let hasIds = false;
      const read = (): FileNode => {
        const r = nodes[i++]!;
        const fieldId = r.field_id === null || r.field_id === undefined ? undefined : Number(r.field_id);
        if (fieldId !== undefined) hasIds = true;
        const n = Number(r.num_children ?? 0);
        const children: FileNode[] = [];
        for (let k = 0; k < n && i < nodes.length; k++) children.push(read());
        return { name: String(r.name), fieldId, children };
      };
      const root = read();
      fileColumnsCache.set(file, { columns: root.children, hasIds });
    }
    if (fileColumnsCache.size > 200_000) fileColumnsCache.clear();
  }
  return new Map(paths.map((p) => [p, fileColumnsCache.get(p) ?? { columns: [], hasIds: false }]));
}

/** The element node of a Parquet LIST (3-level `list/element`, or a legacy 2-level repeated child). */
function listElement(node: FileNode): FileNode | undefined {
  const repeated = node.children[0];
  if (!repeated) return undefined;
  return repeated.children.length === 1 ? repeated.children[0] : repeated;
}

/** Whether a file node has exactly the ids and names of an Iceberg type (so a CAST reads it). */
function sameShape(node: FileNode, type: IcebergType): boolean {
  switch (type.kind) {
    case "struct":
      return (
        node.children.length === type.fields.length &&
        type.fields.every((f, i) => {
          const c = node.children[i]!;
          return c.fieldId === f.id && c.name === f.name && sameShape(c, f.type);
        })
      );
    case "list": {
      const e = listElement(node);
      return e !== undefined && e.fieldId === type.elementId && sameShape(e, type.element);
    }
    case "map": {
      const kv = node.children[0];
      return (
        kv !== undefined &&
        kv.children.length === 2 &&
        kv.children[0]!.fieldId === type.keyId &&
        kv.children[1]!.fieldId === type.valueId &&
        sameShape(kv.children[0]!, type.key) &&
        sameShape(kv.children[1]!, type.value)
      );
    }
    default:
      return node.children.length === 0;
  }
}

/**
 * SQL reading a file column (`expr`, schema node `node`) as Iceberg type `type`, matching
 * nested fields by id: struct fields are rebuilt with `struct_pack` (missing ones take their
 * initial default), list elements and map values through `list_transform`. A column whose
 * nested shape already matches is simply cast.
 */
function projectColumn(expr: string, node: FileNode, type: IcebergType, depth = 0): string {
  const target = icebergToDuckType(type);
  if (sameShape(node, type)) return `CAST(${expr} AS ${target})`;
  switch (type.kind) {
    case "struct": {
      const parts = type.fields.map((f) => {
        const child = node.children.find((c) =>
          c.fieldId !== undefined ? c.fieldId === f.id : c.name === f.name,
        );
        const value = child
          ? projectColumn(`${expr}.${quoteIdent(child.name)}`, child, f.type, depth + 1)
          : `CAST(${defaultLiteral(f)} AS ${icebergToDuckType(f.type)})`;
        return `${quoteIdent(f.name)} := ${value}`;
      });
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${parts.join(", ")}) END`;
    }
    case "list": {
      const element = listElement(node);
      if (!element) return `CAST(NULL AS ${target})`;
      const v = `__e${depth}`;
      return `CAST(list_transform(${expr}, ${v} -> ${projectColumn(v, element, type.element, depth + 1)}) AS ${target})`;
    }
    case "map": {
      const kv = node.children[0];
      if (!kv || kv.children.length !== 2) return `CAST(NULL AS ${target})`;
      const v = `__m${depth}`;
      const key = projectColumn(`${v}.key`, kv.children[0]!, type.key, depth + 1);
      const value = projectColumn(`${v}.value`, kv.children[1]!, type.value, depth + 1);
      return `CAST(map_from_entries(list_transform(map_entries(${expr}), ${v} -> struct_pack(key := ${key}, value := ${value}))) AS ${target})`;
    }
    default:
      return `CAST(${expr} AS ${target})`;
  }
}

/**
 * Builds each file's projection from its footer: by field id; by the name mapping for files
 * without ids; identity partition values for columns a file lacks; defaults otherwise.
 */
async function probeFiles(
  duck: Duck,
  schema: Schema,
  names: readonly string[],
  tasks: LocalTask[],
  mapping: readonly MappedField[] | undefined,
  identity: Map<number, { sourceId: number; index: number }[]>,
): Promise<LocalTask[]> {
  const info = await fileColumns(
    duck,
    tasks.map((t) => t.localPath),
  );
  return tasks.map((t) => {
    const cols = info.get(t.localPath)!;
    const hasIds = cols.hasIds;
    const byName = new Map(cols.columns.map((c) => [c.name, c]));
    const idFields = identity.get(t.task.specId) ?? [];
    const projection = schema.fields.map((f, i) => {
      const type = icebergToDuckType(f.type);
      const as = ` AS ${quoteIdent(names[i]!)}`;
      let source: FileNode | undefined;
      if (hasIds) source = cols.columns.find((c) => c.fieldId === f.id);
      else if (mapping)
        source = namesForField(mapping, f.id)
          .map((n) => byName.get(n))
          .find((c) => c !== undefined);
      if (source !== undefined) {
        // Files without ids match nested fields by name (their mapping's nested ids are not applied).
        return `${hasIds ? projectColumn(`d.${quoteIdent(source.name)}`, source, f.type) : `CAST(d.${quoteIdent(source.name)} AS ${type})`}${as}`;
      }
      const identityField = idFields.find((x) => x.sourceId === f.id);
      if (identityField) {
        const v = t.task.file.partition[identityField.index] ?? null;
        return `CAST(${v === null ? "NULL" : valueSql(f.type, v)} AS ${type})${as}`;
      }
      return `CAST(${defaultLiteral(f)} AS ${type})${as}`;
    });
    return { ...t, projection };
  });
}

async function groupRelation(
  table: Table,
  schema: Schema,
  names: readonly string[],
  schemaMap: string,
  group: LocalTask[],
  opts: ScanRelationOptions,
): Promise<string> {
  const vectors = group.flatMap((t) => t.task.deletes.filter((d) => d.file.fileFormat === "PUFFIN"));
  const deletes = [...group[0]!.task.deletes.filter((d) => d.file.fileFormat !== "PUFFIN"), ...vectors];
  const paths = stringList(group.map((t) => t.localPath));
  const withRowIds = deletes.length > 0 || opts.rowPositions === true;
  // Files written before a type promotion (int -> long ...) differ in physical type: DuckDB
  // then unifies the files' schemas by name instead of taking the first file's.
  const unify = group.length > 1 && hasTypePromotion(table) ? ", union_by_name = true" : "";
  const rowIds = `${withRowIds ? ", filename = true, file_row_number = true" : ""}${unify}`;
  const projection = group[0]!.projection;
  let source: string;
  let select: string;
  if (projection) {
    source = `(SELECT ${projection.join(", ")}${withRowIds ? ", d.filename, d.file_row_number" : ""} FROM read_parquet(${paths}${rowIds}) AS d)`;
    select = names.map((n) => `d.${quoteIdent(n)}`).join(", ");
  } else {
    source = `read_parquet(${paths}, schema = ${schemaMap}${rowIds})`;
    select = schema.fields
      .map((f, i) =>
        f.type.kind === "unknown"
          ? `CAST(NULL AS VARCHAR) AS ${quoteIdent(names[i]!)}`
          : `d.${quoteIdent(names[i]!)}`,
      )
      .join(", ");
  }
  // Delete files name data files by their recorded paths; map those to the local paths read here.
  const mapping2 = `(VALUES ${group.map((t) => `(${quoteString(t.task.file.filePath)}, ${quoteString(t.localPath)})`).join(", ")}) AS m(recorded_path, local_path)`;
  let sql = opts.rowPositions
    ? `SELECT ${select}, rp.recorded_path AS ${quoteIdent(ROW_FILE_PATH)}, d.file_row_number AS ${quoteIdent(ROW_POSITION)} FROM ${source} AS d JOIN ${mapping2.replace(/ AS m\(/, " AS rp(")} ON d.filename = rp.local_path`
    : `SELECT ${select} FROM ${source} AS d`;
  if (!withRowIds) return sql;
  const positional = deletes.filter(
    (d) => d.file.content === DataFileContent.POSITION_DELETES && d.file.fileFormat !== "PUFFIN",
  );
  const equality = deletes.filter((d) => d.file.content === DataFileContent.EQUALITY_DELETES);
  const unsupported = [...positional, ...equality].find((d) => d.file.fileFormat !== "PARQUET");
  if (unsupported)
    throw new UnsupportedOperationError(
      `delete file format ${unsupported.file.fileFormat} is not supported (${unsupported.file.filePath})`,
    );
  if (positional.length > 0) {
    const delPaths = await Promise.all(
      positional.map((d) => table.io.localReadPath(table.resolve(d.file.filePath))),
    );
    sql +=
      ` ANTI JOIN (SELECT m.local_path AS __path, p.pos AS __pos FROM read_parquet(${stringList(delPaths)}) AS p` +
      ` JOIN ${mapping2} ON p.file_path = m.recorded_path) AS pd ON d.filename = pd.__path AND d.file_row_number = pd.__pos`;
  }
  if (vectors.length > 0) {
    const rows: string[] = [];
    const puffins = new Map<string, Promise<Buffer>>();
    for (const dv of vectors) {
      const target = group.find((t) => t.task.file.filePath === dv.file.referencedDataFile);
      if (!target) continue;
      for (const pos of await readDeletionVector(table, dv, opts, puffins))
        rows.push(`(${quoteString(target.localPath)}, ${pos})`);
    }
    if (rows.length > 0) {
      sql += ` ANTI JOIN (VALUES ${rows.join(", ")}) AS dv(__path, __pos) ON d.filename = dv.__path AND d.file_row_number = dv.__pos`;
    }
  }
  // Equality deletes: one anti join per distinct set of equality field ids.
  const byIds = new Map<string, IndexedDeleteFile[]>();
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
      const i = schema.fields.findIndex((x) => x.id === id);
      if (i < 0)
        throw new UnsupportedOperationError(
          `equality delete on field id ${id}, which is not a top-level column of the read schema`,
        );
      return { field: schema.fields[i]!, name: names[i]! };
    });
    const delPaths = await Promise.all(
      files.map((d) => table.io.localReadPath(table.resolve(d.file.filePath))),
    );
    const alias = `eq${n++}`;
    const cols = fields.map((f) => quoteIdent(f.name)).join(", ");
    const cond = fields
      .map((f) => `d.${quoteIdent(f.name)} IS NOT DISTINCT FROM ${alias}.${quoteIdent(f.name)}`)
      .join(" AND ");
    const map = parquetSchemaMap(
      fields.map((f) => f.field),
      fields.map((f) => f.name),
    );
    sql += ` ANTI JOIN (SELECT DISTINCT ${cols} FROM read_parquet(${stringList(delPaths)}, schema = ${map})) AS ${alias} ON ${cond}`;
  }
  return sql;
}

const PUFFIN_MAGIC = Buffer.from("PFA1", "latin1");

/**
 * Reads the positions of a deletion vector blob.
 * @throws Error naming the file when it is not a Puffin file (unless bare blobs are allowed) or the blob is corrupt.
 */
async function readDeletionVector(
  table: Table,
  dv: IndexedDeleteFile,
  opts: ScanRelationOptions,
  files: Map<string, Promise<Buffer>>,
): Promise<bigint[]> {
  // Several vectors (one per data file) may share a Puffin file: its magic is checked once,
  // and each vector is a range read of its blob (only the bytes needed from object stores).
  const location = table.resolve(dv.file.filePath);
  const ranged = dv.file.contentOffset !== undefined && dv.file.contentSizeInBytes !== undefined;
  let head = files.get(dv.file.filePath);
  if (!head) {
    head = (ranged ? table.io.readRange(location, 0, 4) : table.io.read(location)).then((b) =>
      Buffer.from(b),
    );
    files.set(dv.file.filePath, head);
  }
  const first = await head;
  if (!opts.allowBareDeletionVectors && !first.subarray(0, 4).equals(PUFFIN_MAGIC)) {
    throw new Error(
      `${dv.file.filePath} is not a Puffin file (no PFA1 magic): older DuckDB versions wrote deletion vector files as bare blobs; such files are not read by default`,
    );
  }
  if (!ranged) {
    const offset = Number(dv.file.contentOffset ?? 0n);
    const size = Number(dv.file.contentSizeInBytes ?? BigInt(first.length - offset));
    return decodeDeletionVector(first.subarray(offset, offset + size), dv.file.filePath);
  }
  const offset = Number(dv.file.contentOffset);
  const size = Number(dv.file.contentSizeInBytes);
  const blob = await table.io.readRange(location, offset, size);
  return decodeDeletionVector(Buffer.from(blob), dv.file.filePath);
}

const promotionCache = new WeakMap<object, boolean>();

/** Whether some field has had different types in the table's schemas (a type promotion). */
function hasTypePromotion(table: Table): boolean {
  const md = table.metadata;
  let v = promotionCache.get(md);
  if (v === undefined) {
    const seen = new Map<number, string>();
    v = false;
    for (const schema of md.schemas)
      for (const f of schema.fields) {
        const t = typeToString(f.type);
        const before = seen.get(f.id);
        if (before !== undefined && before !== t) v = true;
        seen.set(f.id, t);
      }
    promotionCache.set(md, v);
  }
  return v;
}
