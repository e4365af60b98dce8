/**
 * Iceberg metadata tables as Trino names them, `"table$snapshots"` and friends, with Trino's
 * columns (Trino docs, "Iceberg connector: Metadata tables"): $snapshots, $history, $files,
 * $manifests, $partitions, $refs, $properties. Each becomes a DuckDB VALUES relation built
 * from the table's metadata.
 */
import { quoteIdent, quoteString } from "../../duckdb/sql.js";
import { icebergToDuckType } from "../../duckdb/types.js";
import { ValidationError } from "../../errors.js";
import { fromBytes } from "../../spec/conversions.js";
import { DataFileContent } from "../../spec/manifest-entry.js";
import type { Schema } from "../../spec/schema.js";
import type { Snapshot } from "../../spec/snapshot.js";
import { ancestorsOf, currentSnapshot, specById } from "../../spec/table-metadata.js";
import { valueToHumanString } from "../../spec/transform.js";
import { isPrimitive, type PrimitiveType, type StructType } from "../../spec/types.js";
import { compareValues, type PrimitiveValue } from "../../spec/values.js";
import { liveFiles } from "../../table/live-files.js";
import { readSnapshotManifests, specPartitionType } from "../../table/manifest-reader.js";
import { valueSql } from "../../table/scan-relation.js";
import type { Table } from "../../table/table.js";

/** The metadata table suffixes we serve. */
export const METADATA_TABLES = [
  "snapshots",
  "history",
  "files",
  "manifests",
  "partitions",
  "refs",
  "properties",
] as const;
/** One of {@link METADATA_TABLES}. */
export type MetadataTableKind = (typeof METADATA_TABLES)[number];

interface Column {
  readonly name: string;
  readonly type: string;
}

const lit = {
  str: (v: string | undefined | null) => (v === undefined || v === null ? "NULL" : quoteString(v)),
  num: (v: number | bigint | undefined | null) => (v === undefined || v === null ? "NULL" : String(v)),
  bool: (v: boolean | undefined | null) => (v === undefined || v === null ? "NULL" : v ? "true" : "false"),
  tsMs: (ms: number) => `make_timestamptz(${BigInt(ms) * 1000n})`,
  map: (entries: [string, string][]) =>
    entries.length === 0 ? "MAP{}" : `MAP{${entries.map(([k, v]) => `${k}: ${v}`).join(", ")}}`,
  list: (items: string[]) => `[${items.join(", ")}]`,
};

/** A typed VALUES relation (every literal cast to its column type). */
function relation(columns: readonly Column[], rows: readonly string[][]): string {
  const names = columns.map((c) => quoteIdent(c.name)).join(", ");
  if (rows.length === 0) {
    return `(SELECT ${columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(", ")} WHERE false)`;
  }
  const values = rows
    .map((r) => `(${r.map((v, i) => `CAST(${v} AS ${columns[i]!.type})`).join(", ")})`)
    .join(", ");
  return `(SELECT * FROM (VALUES ${values}) AS v(${names}))`;
}

/**
 * The relation of a metadata table at `snapshot` (the current one by default).
 * @throws ValidationError for an unknown metadata table name.
 */
export async function metadataTableRelation(
  table: Table,
  kind: string,
  snapshot?: Snapshot,
): Promise<string> {
  const md = table.metadata;
  const snap = snapshot ?? currentSnapshot(md);
  switch (kind as MetadataTableKind) {
    case "snapshots":
      return relation(
        [
          { name: "committed_at", type: "TIMESTAMPTZ" },
          { name: "snapshot_id", type: "BIGINT" },
          { name: "parent_id", type: "BIGINT" },
          { name: "operation", type: "VARCHAR" },
          { name: "manifest_list", type: "VARCHAR" },
          { name: "summary", type: "MAP(VARCHAR, VARCHAR)" },
        ],
        md.snapshots.map((s) => [
          lit.tsMs(s.timestampMs),
          lit.num(s.snapshotId),
          lit.num(s.parentSnapshotId),
          lit.str(s.summary.operation),
          lit.str(s.manifestList),
          lit.map(Object.entries(s.summary).map(([k, v]) => [quoteString(k), quoteString(v)])),
        ]),
      );
    case "history": {
      const ancestors = new Set(ancestorsOf(md, currentSnapshot(md)).map((s) => s.snapshotId));
      const parentOf = new Map(md.snapshots.map((s) => [s.snapshotId, s.parentSnapshotId]));
      return relation(
        [
          { name: "made_current_at", type: "TIMESTAMPTZ" },
          { name: "snapshot_id", type: "BIGINT" },
          { name: "parent_id", type: "BIGINT" },
          { name: "is_current_ancestor", type: "BOOLEAN" },
        ],
        md.snapshotLog.map((e) => [
          lit.tsMs(e.timestampMs),
          lit.num(e.snapshotId),
          lit.num(parentOf.get(e.snapshotId)),
          lit.bool(ancestors.has(e.snapshotId)),
        ]),
      );
    }
    case "refs":
      return relation(
        [
          { name: "name", type: "VARCHAR" },
          { name: "type", type: "VARCHAR" },
          { name: "snapshot_id", type: "BIGINT" },
          { name: "max_reference_age_in_ms", type: "BIGINT" },
          { name: "min_snapshots_to_keep", type: "INTEGER" },
          { name: "max_snapshot_age_in_ms", type: "BIGINT" },
        ],
        Object.entries(md.refs).map(([name, r]) => [
          lit.str(name),
          lit.str(r.type.toUpperCase()),
          lit.num(r.snapshotId),
          lit.num(r.maxRefAgeMs),
          lit.num(r.minSnapshotsToKeep),
          lit.num(r.maxSnapshotAgeMs),
        ]),
      );
    case "properties":
      return relation(
        [
          { name: "key", type: "VARCHAR" },
          { name: "value", type: "VARCHAR" },
        ],
        Object.entries(md.properties).map(([k, v]) => [lit.str(k), lit.str(v)]),
      );
    case "manifests": {
      const manifests = snap ? await readSnapshotManifests(table.io, snap, (l) => table.resolve(l)) : [];
      return relation(
        [
          { name: "path", type: "VARCHAR" },
          { name: "length", type: "BIGINT" },
          { name: "partition_spec_id", type: "INTEGER" },
          { name: "added_snapshot_id", type: "BIGINT" },
          { name: "added_data_files_count", type: "INTEGER" },
          { name: "added_rows_count", type: "BIGINT" },
          { name: "existing_data_files_count", type: "INTEGER" },
          { name: "existing_rows_count", type: "BIGINT" },
          { name: "deleted_data_files_count", type: "INTEGER" },
          { name: "deleted_rows_count", type: "BIGINT" },
          {
            name: "partition_summaries",
            type: "STRUCT(contains_null BOOLEAN, contains_nan BOOLEAN, lower_bound VARCHAR, upper_bound VARCHAR)[]",
          },
        ],
        manifests.map((m) => {
          const type = specPartitionType(md, specById(md, m.partitionSpecId));
          const summaries = (m.partitions ?? []).map((s, i) => {
            const t = type.fields[i]?.type as PrimitiveType | undefined;
            const human = (b: Uint8Array | undefined) => (b && t ? lit.str(safeHuman(t, b)) : "NULL");
            return `{contains_null: ${lit.bool(s.containsNull)}, contains_nan: ${lit.bool(s.containsNan)}, lower_bound: ${human(s.lowerBound)}, upper_bound: ${human(s.upperBound)}}`;
          });
          return [
            lit.str(m.manifestPath),
            lit.num(m.manifestLength),
            lit.num(m.partitionSpecId),
            lit.num(m.addedSnapshotId),
            lit.num(m.addedFilesCount),
            lit.num(m.addedRowsCount),
            lit.num(m.existingFilesCount),
            lit.num(m.existingRowsCount),
            lit.num(m.deletedFilesCount),
            lit.num(m.deletedRowsCount),
            lit.list(summaries),
          ];
        }),
      );
    }
    case "files":
      return filesRelation(table, snap);
    case "partitions":
      return partitionsRelation(table, snap);
    default:
      throw new ValidationError(
        `Unknown metadata table type: ${kind} (supported: ${METADATA_TABLES.join(", ")})`,
      );
  }
}

function safeHuman(type: PrimitiveType, bytes: Uint8Array): string | null {
  try {
    return valueToHumanString(type, fromBytes(type, bytes));
  } catch {
    return null;
  }
}

/** The union of all partition fields across specs (spec "Partition Statistics": unified partition type). */
function unifiedPartitionType(table: Table): StructType {
  const fields = new Map<number, StructType["fields"][number]>();
  for (const spec of table.metadata.partitionSpecs) {
    for (const f of specPartitionType(table.metadata, spec).fields)
      if (!fields.has(f.id)) fields.set(f.id, f);
  }
  return { kind: "struct", fields: [...fields.values()].sort((a, b) => a.id - b.id) };
}

function partitionStruct(
  unified: StructType,
  specFieldIds: number[],
  values: readonly (PrimitiveValue | null)[],
): string {
  if (unified.fields.length === 0) return "NULL";
  const parts = unified.fields.map((f) => {
    const i = specFieldIds.indexOf(f.id);
    const v = i >= 0 ? values[i] : null;
    return `${quoteString(f.name)}: ${v === null || v === undefined ? "NULL" : `CAST(${valueSql(f.type, v)} AS ${icebergToDuckType(f.type)})`}`;
  });
  return `{${parts.join(", ")}}`;
}

function partitionDuckType(unified: StructType): string {
  return `STRUCT(${unified.fields.map((f) => `${quoteIdent(f.name)} ${icebergToDuckType(f.type)}`).join(", ")})`;
}

async function filesRelation(table: Table, snap: Snapshot | undefined): Promise<string> {
  const md = table.metadata;
  const schema = table.schema();
  const unified = unifiedPartitionType(table);
  const files = await liveFiles(table, snap);
  const intMap = (m: ReadonlyMap<number, bigint> | undefined) =>
    m ? lit.map([...m].map(([k, v]) => [String(k), String(v)])) : "NULL";
  const boundMap = (m: ReadonlyMap<number, Uint8Array> | undefined) =>
    m
      ? lit.map(
          [...m].flatMap(([k, b]) => {
            const f = schema.findField(k);
            return f && isPrimitive(f.type)
              ? [[String(k), lit.str(safeHuman(f.type, b))] as [string, string]]
              : [];
          }),
        )
      : "NULL";
  const columns: Column[] = [
    { name: "content", type: "INTEGER" },
    { name: "file_path", type: "VARCHAR" },
    { name: "file_format", type: "VARCHAR" },
    { name: "spec_id", type: "INTEGER" },
    ...(unified.fields.length > 0 ? [{ name: "partition", type: partitionDuckType(unified) }] : []),
    { name: "record_count", type: "BIGINT" },
    { name: "file_size_in_bytes", type: "BIGINT" },
    { name: "column_sizes", type: "MAP(INTEGER, BIGINT)" },
    { name: "value_counts", type: "MAP(INTEGER, BIGINT)" },
    { name: "null_value_counts", type: "MAP(INTEGER, BIGINT)" },
    { name: "nan_value_counts", type: "MAP(INTEGER, BIGINT)" },
    { name: "lower_bounds", type: "MAP(INTEGER, VARCHAR)" },
    { name: "upper_bounds", type: "MAP(INTEGER, VARCHAR)" },
    { name: "key_metadata", type: "BLOB" },
    { name: "split_offsets", type: "BIGINT[]" },
    { name: "equality_ids", type: "INTEGER[]" },
    { name: "sort_order_id", type: "INTEGER" },
    { name: "readable_metrics", type: "JSON" },
  ];
  const rows = files.map(({ entry, specId }) => {
    const f = entry.dataFile;
    const specIds = specById(md, specId).fields.map((x) => x.fieldId);
    return [
      lit.num(f.content),
      lit.str(f.filePath),
      lit.str(f.fileFormat),
      lit.num(specId),
      ...(unified.fields.length > 0 ? [partitionStruct(unified, specIds, f.partition)] : []),
      lit.num(f.recordCount),
      lit.num(f.fileSizeInBytes),
      intMap(f.columnSizes),
      intMap(f.valueCounts),
      intMap(f.nullValueCounts),
      intMap(f.nanValueCounts),
      boundMap(f.lowerBounds),
      boundMap(f.upperBounds),
      f.keyMetadata ? `from_hex(${quoteString(Buffer.from(f.keyMetadata).toString("hex"))})` : "NULL",
      f.splitOffsets ? lit.list(f.splitOffsets.map(String)) : "NULL",
      f.equalityIds ? lit.list(f.equalityIds.map(String)) : "NULL",
      lit.num(f.sortOrderId),
      lit.str(JSON.stringify(readableMetrics(schema, f))),
    ];
  });
  return relation(columns, rows);
}

function readableMetrics(
  schema: Schema,
  f: {
    columnSizes?: ReadonlyMap<number, bigint> | undefined;
    valueCounts?: ReadonlyMap<number, bigint> | undefined;
    nullValueCounts?: ReadonlyMap<number, bigint> | undefined;
    nanValueCounts?: ReadonlyMap<number, bigint> | undefined;
    lowerBounds?: ReadonlyMap<number, Uint8Array> | undefined;
    upperBounds?: ReadonlyMap<number, Uint8Array> | undefined;
  },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { field, path } of schema.allFields()) {
    if (!isPrimitive(field.type)) continue;
    const id = field.id;
    const n = (m: ReadonlyMap<number, bigint> | undefined) =>
      m?.get(id) === undefined ? null : Number(m.get(id));
    const b = (m: ReadonlyMap<number, Uint8Array> | undefined) => {
      const x = m?.get(id);
      return x ? safeHuman(field.type as PrimitiveType, x) : null;
    };
    out[path] = {
      column_size: n(f.columnSizes),
      value_count: n(f.valueCounts),
      null_value_count: n(f.nullValueCounts),
      nan_value_count: n(f.nanValueCounts),
      lower_bound: b(f.lowerBounds),
      upper_bound: b(f.upperBounds),
    };
  }
  return out;
}

async function partitionsRelation(table: Table, snap: Snapshot | undefined): Promise<string> {
  const md = table.metadata;
  const schema = table.schema();
  const unified = unifiedPartitionType(table);
  const files = (await liveFiles(table, snap)).filter(
    (f) => f.entry.dataFile.content === DataFileContent.DATA,
  );
  const prims = schema.fields.filter((f) => isPrimitive(f.type)) as {
    id: number;
    name: string;
    type: PrimitiveType;
  }[];
  interface Agg {
    partition: string;
    records: bigint;
    files: bigint;
    size: bigint;
    min: Map<number, PrimitiveValue | undefined>;
    max: Map<number, PrimitiveValue | undefined>;
    nulls: Map<number, bigint | undefined>;
    nans: Map<number, bigint | undefined>;
  }
  const groups = new Map<string, Agg>();
  for (const { entry, specId } of files) {
    const f = entry.dataFile;
    const key = partitionStruct(
      unified,
      specById(md, specId).fields.map((x) => x.fieldId),
      f.partition,
    );
    let g = groups.get(key);
    if (!g) {
      g = {
        partition: key,
        records: 0n,
        files: 0n,
        size: 0n,
        min: new Map(),
        max: new Map(),
        nulls: new Map(),
        nans: new Map(),
      };
      groups.set(key, g);
    }
    g.records += f.recordCount;
    g.files++;
    g.size += f.fileSizeInBytes;
    for (const c of prims) {
      const fold = (
        m: Map<number, PrimitiveValue | undefined>,
        bytes: Uint8Array | undefined,
        better: (x: number) => boolean,
      ) => {
        if (m.has(c.id) && m.get(c.id) === undefined) return;
        if (!bytes) return m.set(c.id, undefined);
        const v = fromBytes(c.type, bytes);
        const cur = m.get(c.id);
        if (cur === undefined || better(compareValues(c.type, v, cur))) m.set(c.id, v);
      };
      fold(g.min, f.lowerBounds?.get(c.id), (x) => x < 0);
      fold(g.max, f.upperBounds?.get(c.id), (x) => x > 0);
      const add = (m: Map<number, bigint | undefined>, v: bigint | undefined) => {
        if (m.has(c.id) && m.get(c.id) === undefined) return;
        m.set(c.id, v === undefined ? undefined : (m.get(c.id) ?? 0n) + v);
      };
      add(g.nulls, f.nullValueCounts?.get(c.id));
      add(g.nans, f.nanValueCounts?.get(c.id));
    }
  }
  const dataType = `STRUCT(${prims.map((c) => `${quoteIdent(c.name)} STRUCT(min ${icebergToDuckType(c.type)}, max ${icebergToDuckType(c.type)}, null_count BIGINT, nan_count BIGINT)`).join(", ")})`;
  const columns: Column[] = [
    ...(unified.fields.length > 0 ? [{ name: "partition", type: partitionDuckType(unified) }] : []),
    { name: "record_count", type: "BIGINT" },
    { name: "file_count", type: "BIGINT" },
    { name: "total_size", type: "BIGINT" },
    ...(prims.length > 0 ? [{ name: "data", type: dataType }] : []),
  ];
  const rows = [...groups.values()].map((g) => {
    const data = prims
      .map((c) => {
        const v = (x: PrimitiveValue | undefined) =>
          x === undefined ? "NULL" : `CAST(${valueSql(c.type, x)} AS ${icebergToDuckType(c.type)})`;
        return `${quoteString(c.name)}: {min: ${v(g.min.get(c.id))}, max: ${v(g.max.get(c.id))}, null_count: ${lit.num(g.nulls.get(c.id))}, nan_count: ${lit.num(g.nans.get(c.id))}}`;
      })
      .join(", ");
    return [
      ...(unified.fields.length > 0 ? [g.partition] : []),
      lit.num(g.records),
      lit.num(g.files),
      lit.num(g.size),
      ...(prims.length > 0 ? [`{${data}}`] : []),
    ];
  });
  return relation(columns, rows);
}
