/**
 * Trino's Iceberg table properties (`CREATE TABLE ... WITH (...)`): `format`,
 * `format_version`, `partitioning`, `sorted_by`, `location`, `extra_properties`, and their
 * rendering back for SHOW CREATE TABLE (Trino docs, "Iceberg connector: Table properties").
 */
import { ValidationError } from "../errors.js";
import {
  defaultPartitionFieldName,
  PARTITION_DATA_ID_START,
  type PartitionField,
  type PartitionSpec,
} from "../spec/partition-spec.js";
import type { Schema } from "../spec/schema.js";
import type { SortField, SortOrder } from "../spec/sort-order.js";
import type { FormatVersion, TableMetadata } from "../spec/table-metadata.js";
import { parseTransform, type Transform } from "../spec/transform.js";
import type { LiteralValue } from "./sql/parser.js";

/** Table properties as the catalog wants them. */
export interface ParsedTableProperties {
  readonly formatVersion: FormatVersion;
  readonly partitionSpec: PartitionSpec;
  readonly sortOrder: SortOrder;
  readonly location?: string | undefined;
  readonly properties: Record<string, string>;
}

const KNOWN = new Set([
  "format",
  "format_version",
  "partitioning",
  "sorted_by",
  "location",
  "extra_properties",
]);

function stringArray(v: LiteralValue, name: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new ValidationError(`Table property '${name}' must be an array of strings`);
  return v as string[];
}

function unquote(name: string): string {
  const t = name.trim();
  return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t.toLowerCase();
}

/**
 * Parses a Trino partitioning expression: `col`, `bucket(col, 16)`, `truncate(col, 4)`,
 * `year(col)`, `month(col)`, `day(col)`, `hour(col)`, `void(col)`.
 * @throws ValidationError naming the expression and, for unknown columns, the column.
 */
export function parsePartitionField(text: string, schema: Schema, fieldId: number): PartitionField {
  const m = /^\s*([a-z_]+)\s*\(\s*("(?:[^"]|"")+"|[^,()\s]+)\s*(?:,\s*(\d+)\s*)?\)\s*$/i.exec(text);
  let column: string;
  let transform: Transform;
  if (m) {
    const fn = m[1]!.toLowerCase();
    column = unquote(m[2]!);
    const arg = m[3] === undefined ? undefined : Number(m[3]);
    if ((fn === "bucket" || fn === "truncate") && arg === undefined)
      throw new ValidationError(`Invalid partition field declaration: ${text}`);
    if (fn !== "bucket" && fn !== "truncate" && arg !== undefined)
      throw new ValidationError(`Invalid partition field declaration: ${text}`);
    transform =
      fn === "bucket"
        ? { kind: "bucket", numBuckets: arg! }
        : fn === "truncate"
          ? { kind: "truncate", width: arg! }
          : parseTransform(fn);
    if (transform.kind === "unknown" || transform.kind === "identity")
      throw new ValidationError(`Invalid partition field declaration: ${text}`);
  } else if (/^\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)\s*$/.test(text)) {
    column = unquote(text);
    transform = { kind: "identity" };
  } else {
    throw new ValidationError(`Invalid partition field declaration: ${text}`);
  }
  const source = schema.findFieldByName(column, false);
  if (!source) throw new ValidationError(`Cannot find partition source column: ${column}`);
  return { sourceId: source.id, fieldId, name: defaultPartitionFieldName(source.name, transform), transform };
}

/** Parses `sorted_by` entries: `col [ASC|DESC] [NULLS FIRST|LAST]`. */
export function parseSortField(text: string, schema: Schema): SortField {
  const m =
    /^\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?(?:\s+NULLS\s+(FIRST|LAST))?\s*$/i.exec(
      text,
    );
  if (!m) throw new ValidationError(`Invalid sort field declaration: ${text}`);
  const column = unquote(m[1]!);
  const source = schema.findFieldByName(column, false);
  if (!source) throw new ValidationError(`Cannot find sort column: ${column}`);
  const direction = (m[2] ?? "ASC").toLowerCase() as "asc" | "desc";
  const nullOrder = m[3]
    ? (`nulls-${m[3].toLowerCase()}` as "nulls-first" | "nulls-last")
    : direction === "asc"
      ? "nulls-first"
      : "nulls-last";
  return { sourceId: source.id, transform: { kind: "identity" }, direction, nullOrder };
}

/**
 * Parses the WITH properties of CREATE TABLE against the new table's schema.
 * @throws ValidationError naming an unknown property or a bad value.
 */
export function parseTableProperties(
  props: Record<string, LiteralValue>,
  schema: Schema,
  catalogName: string,
): ParsedTableProperties {
  for (const key of Object.keys(props)) {
    if (!KNOWN.has(key))
      throw new ValidationError(`Catalog '${catalogName}' table property '${key}' does not exist`);
  }
  const format = props.format === undefined ? "PARQUET" : String(props.format).toUpperCase();
  if (format !== "PARQUET")
    throw new ValidationError(`Unsupported file format: ${format} (only PARQUET is written)`);
  const version = props.format_version === undefined ? 2 : Number(props.format_version);
  if (version !== 1 && version !== 2)
    throw new ValidationError(`format_version must be 1 or 2, got ${String(props.format_version)}`);
  const partitioning =
    props.partitioning === undefined ? [] : stringArray(props.partitioning, "partitioning");
  const fields = partitioning.map((p, i) => parsePartitionField(p, schema, PARTITION_DATA_ID_START + i));
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) throw new ValidationError(`Duplicate partition field name: ${f.name}`);
    names.add(f.name);
  }
  const sorted = props.sorted_by === undefined ? [] : stringArray(props.sorted_by, "sorted_by");
  const properties: Record<string, string> = {
    "write.format.default": "parquet",
    "write.parquet.compression-codec": "zstd",
  };
  const extra = props.extra_properties;
  if (extra !== undefined) {
    if (typeof extra !== "object" || extra === null || Array.isArray(extra))
      throw new ValidationError("extra_properties must be a MAP(ARRAY[...], ARRAY[...])");
    for (const [k, v] of Object.entries(extra as Record<string, unknown>)) properties[k] = String(v);
  }
  return {
    formatVersion: version as FormatVersion,
    partitionSpec: { specId: 0, fields },
    sortOrder: { orderId: sorted.length > 0 ? 1 : 0, fields: sorted.map((s) => parseSortField(s, schema)) },
    location: props.location === undefined ? undefined : String(props.location),
    properties,
  };
}

/** Trino's rendering of a partition field, e.g. `bucket(id, 16)`, `day(ts)`, `region`. */
export function partitionFieldToTrino(f: PartitionField, schema: Schema): string {
  const source = schema.findField(f.sourceId)?.name ?? `#${f.sourceId}`;
  const col = /^[a-z_][a-z0-9_]*$/.test(source) ? source : `"${source.replace(/"/g, '""')}"`;
  switch (f.transform.kind) {
    case "identity":
      return col;
    case "bucket":
      return `bucket(${col}, ${f.transform.numBuckets})`;
    case "truncate":
      return `truncate(${col}, ${f.transform.width})`;
    case "unknown":
      return `${f.transform.text}(${col})`;
    default:
      return `${f.transform.kind}(${col})`;
  }
}

/** The WITH properties of SHOW CREATE TABLE for a table's metadata. */
export function tablePropertiesForShow(
  md: TableMetadata,
  schema: Schema,
  location: string,
): [string, string][] {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const out: [string, string][] = [
    ["format", q((md.properties["write.format.default"] ?? "parquet").toUpperCase())],
    ["format_version", String(md.formatVersion)],
    ["location", q(location)],
  ];
  const spec = md.partitionSpecs.find((s) => s.specId === md.defaultSpecId);
  if (spec && spec.fields.length > 0)
    out.push([
      "partitioning",
      `ARRAY[${spec.fields.map((f) => q(partitionFieldToTrino(f, schema))).join(",")}]`,
    ]);
  const order = md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId);
  if (order && order.fields.length > 0) {
    out.push([
      "sorted_by",
      `ARRAY[${order.fields
        .map((f) => {
          const name = schema.findField(f.sourceId)?.name ?? `#${f.sourceId}`;
          const defaultNulls = f.direction === "asc" ? "nulls-first" : "nulls-last";
          return q(
            `${name}${f.direction === "desc" ? " DESC" : ""}${f.nullOrder !== defaultNulls ? ` NULLS ${f.nullOrder === "nulls-first" ? "FIRST" : "LAST"}` : ""}`,
          );
        })
        .join(",")}]`,
    ]);
  }
  return out;
}
