/**
 * Column metrics of Parquet files, read with DuckDB's `parquet_metadata()` and turned into
 * the manifest's `value_counts`, `null_value_counts`, `column_sizes` and `lower_bounds` /
 * `upper_bounds` (Iceberg spec "Data File Fields", "Field-level Metrics"), with string
 * bounds truncated to 16 characters like Iceberg's default `truncate(16)` metrics mode.
 */
import type { Duck } from "../duckdb/connection.js";
import { stringList } from "../duckdb/sql.js";
import { parseValueText, toBytes } from "../spec/conversions.js";
import type { Schema } from "../spec/schema.js";
import { type IcebergType, isPrimitive, type PrimitiveType } from "../spec/types.js";
import { compareValues, type PrimitiveValue } from "../spec/values.js";

/** Default `write.metadata.metrics.default` truncation length for string/binary bounds. */
export const DEFAULT_TRUNCATE_LENGTH = 16;

/** Metrics of one Parquet file. */
export interface ParquetFileMetrics {
  readonly recordCount: bigint;
  readonly columnSizes: Map<number, bigint>;
  readonly valueCounts: Map<number, bigint>;
  readonly nullValueCounts: Map<number, bigint>;
  readonly lowerBounds: Map<number, Uint8Array>;
  readonly upperBounds: Map<number, Uint8Array>;
  readonly splitOffsets: bigint[];
}

interface Leaf {
  readonly id: number;
  readonly type: IcebergType;
  /** Whether min/max may be kept (not inside a list or map). */
  readonly bounds: boolean;
}

/**
 * Parquet leaf column paths (as DuckDB names them in `path_in_schema`, e.g. `l, list, element`,
 * `m, key_value, key`, `s, x`) -> field id and type, for files DuckDB wrote from `schema`.
 */
export function leafPaths(schema: Schema): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const visit = (path: string[], id: number, type: IcebergType, bounds: boolean) => {
    switch (type.kind) {
      case "struct":
        for (const f of type.fields) visit([...path, f.name], f.id, f.type, bounds);
        return;
      case "list":
        visit([...path, "list", "element"], type.elementId, type.element, false);
        return;
      case "map":
        visit([...path, "key_value", "key"], type.keyId, type.key, false);
        visit([...path, "key_value", "value"], type.valueId, type.value, false);
        return;
      default:
        out.set(path.join(", "), { id, type, bounds });
    }
  };
  for (const f of schema.fields) visit([f.name], f.id, f.type, true);
  return out;
}

/** Reads metrics of Parquet files written from `schema`, keyed by local path. */
export async function readParquetMetrics(
  duck: Duck,
  localPaths: readonly string[],
  schema: Schema,
): Promise<Map<string, ParquetFileMetrics>> {
  const leaves = leafPaths(schema);
  const out = new Map<string, ParquetFileMetrics>();
  if (localPaths.length === 0) return out;
  const rows = await duck.queryJS(
    `SELECT file_name, row_group_id, row_group_num_rows, path_in_schema, stats_min_value, stats_max_value, stats_null_count,
            num_values, total_compressed_size, data_page_offset, dictionary_page_offset
     FROM parquet_metadata(${stringList(localPaths)})`,
  );
  const mins = new Map<string, Map<number, PrimitiveValue>>();
  const maxs = new Map<string, Map<number, PrimitiveValue>>();
  const rowGroups = new Map<string, Map<number, { rows: bigint; offset: bigint }>>();
  const noStats = new Set<string>();
  for (const r of rows) {
    const file = String(r.file_name);
    let m = out.get(file);
    if (!m) {
      m = {
        recordCount: 0n,
        columnSizes: new Map(),
        valueCounts: new Map(),
        nullValueCounts: new Map(),
        lowerBounds: new Map(),
        upperBounds: new Map(),
        splitOffsets: [],
      };
      out.set(file, m);
      mins.set(file, new Map());
      maxs.set(file, new Map());
      rowGroups.set(file, new Map());
    }
    const rg = Number(r.row_group_id);
    const offsetCandidates = [r.dictionary_page_offset, r.data_page_offset]
      .filter((x) => x !== null && x !== undefined)
      .map((x) => BigInt(x as bigint));
    const offset = offsetCandidates.reduce((a, b) => (b < a ? b : a), offsetCandidates[0] ?? 0n);
    const groups = rowGroups.get(file)!;
    const g = groups.get(rg);
    if (!g) groups.set(rg, { rows: BigInt(r.row_group_num_rows as bigint), offset });
    else if (offset < g.offset) g.offset = offset;
    const leaf = leaves.get(String(r.path_in_schema));
    if (!leaf) continue;
    add(m.columnSizes, leaf.id, BigInt((r.total_compressed_size as bigint) ?? 0n));
    add(m.valueCounts, leaf.id, BigInt((r.num_values as bigint) ?? 0n));
    if (r.stats_null_count !== null && r.stats_null_count !== undefined)
      add(m.nullValueCounts, leaf.id, BigInt(r.stats_null_count as bigint));
    if (!leaf.bounds || !isPrimitive(leaf.type)) continue;
    const key = `${file}|${leaf.id}`;
    if (noStats.has(key)) continue;
    const lo = parseStat(leaf.type, r.stats_min_value);
    const hi = parseStat(leaf.type, r.stats_max_value);
    const nulls = BigInt((r.stats_null_count as bigint) ?? 0n);
    const values = BigInt((r.num_values as bigint) ?? 0n);
    if (lo === undefined || hi === undefined) {
      // A row group with values but no stats makes the file's bounds unknown.
      if (values > nulls) {
        noStats.add(key);
        mins.get(file)!.delete(leaf.id);
        maxs.get(file)!.delete(leaf.id);
      }
      continue;
    }
    const fmin = mins.get(file)!;
    const fmax = maxs.get(file)!;
    const curMin = fmin.get(leaf.id);
    const curMax = fmax.get(leaf.id);
    if (curMin === undefined || compareValues(leaf.type, lo, curMin) < 0) fmin.set(leaf.id, lo);
    if (curMax === undefined || compareValues(leaf.type, hi, curMax) > 0) fmax.set(leaf.id, hi);
  }
  for (const [file, m] of out) {
    const groups = [...rowGroups.get(file)!.values()];
    (m as { recordCount: bigint }).recordCount = groups.reduce((n, g) => n + g.rows, 0n);
    m.splitOffsets.push(...groups.map((g) => g.offset).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const [id, v] of mins.get(file)!) {
      const type = typeOf(leaves, id);
      const b = lowerBound(type, v);
      if (b) m.lowerBounds.set(id, b);
    }
    for (const [id, v] of maxs.get(file)!) {
      const type = typeOf(leaves, id);
      const b = upperBound(type, v);
      if (b) m.upperBounds.set(id, b);
    }
  }
  return out;
}

function typeOf(leaves: Map<string, Leaf>, id: number): PrimitiveType {
  for (const l of leaves.values()) if (l.id === id) return l.type as PrimitiveType;
  throw new Error(`no leaf with field id ${id}`);
}

function add(m: Map<number, bigint>, id: number, v: bigint): void {
  m.set(id, (m.get(id) ?? 0n) + v);
}

const NO_BOUNDS = new Set(["binary", "fixed", "geometry", "geography", "variant", "unknown"]);

function parseStat(type: PrimitiveType, text: unknown): PrimitiveValue | undefined {
  if (text === null || text === undefined || NO_BOUNDS.has(type.kind)) return undefined;
  try {
    const v = parseValueText(type, String(text));
    if (typeof v === "number" && Number.isNaN(v)) return undefined;
    if (typeof v === "bigint" || typeof v === "string" || typeof v === "number") return v;
    return undefined;
  } catch {
    return undefined;
  }
}

function lowerBound(type: PrimitiveType, v: PrimitiveValue): Uint8Array | undefined {
  if (type.kind === "string") {
    const cps = Array.from(v as string);
    return toBytes(type, cps.slice(0, DEFAULT_TRUNCATE_LENGTH).join(""));
  }
  return toBytes(type, v);
}

function upperBound(type: PrimitiveType, v: PrimitiveValue): Uint8Array | undefined {
  if (type.kind === "string") {
    const cps = Array.from(v as string);
    if (cps.length <= DEFAULT_TRUNCATE_LENGTH) return toBytes(type, v);
    // Truncated upper bounds must stay >= every value: increment the last code point that can be.
    const kept = cps.slice(0, DEFAULT_TRUNCATE_LENGTH);
    for (let i = kept.length - 1; i >= 0; i--) {
      const cp = kept[i]!.codePointAt(0)!;
      if (cp < 0x10ffff && !(cp + 1 >= 0xd800 && cp + 1 <= 0xdfff)) {
        return toBytes(type, kept.slice(0, i).join("") + String.fromCodePoint(cp + 1));
      }
    }
    return undefined;
  }
  return toBytes(type, v);
}
