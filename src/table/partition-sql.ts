/**
 * Partition transforms as DuckDB SQL (so partitioned writes run inside DuckDB), and the
 * filesystem-safe keys that carry partition values through DuckDB's `PARTITION_BY` writer.
 * Results match `spec/transform.ts` exactly (same floor semantics for negative times and
 * remainders; bucket through the `iceberg_bucket_*` functions of `duckdb-functions.ts`).
 */
import { quoteString } from "../duckdb/sql.js";
import { UnsupportedOperationError } from "../errors.js";
import type { Transform } from "../spec/transform.js";
import type { PrimitiveType } from "../spec/types.js";
import { type PrimitiveValue, parseDecimal } from "../spec/values.js";

/** Integer-valued expression of a temporal or integral value, as Iceberg's long representation. */
function asLong(expr: string, type: PrimitiveType): string {
  switch (type.kind) {
    case "int":
    case "long":
      return `CAST(${expr} AS BIGINT)`;
    case "date":
      return `(CAST(${expr} AS DATE) - DATE '1970-01-01')`;
    case "time":
      return `(epoch_us(TIMESTAMP '1970-01-01' + CAST(${expr} AS TIME)))`;
    case "timestamp":
    case "timestamptz":
      return `epoch_us(${expr})`;
    case "timestamp_ns":
    case "timestamptz_ns":
      return `floor(epoch_ns(${expr}) / 1000)::BIGINT`;
    default:
      throw new UnsupportedOperationError(`cannot take an integer value of type ${type.kind}`);
  }
}

/** A temporal value as a naive TIMESTAMP in UTC: instants (timestamptz) never depend on the session time zone. */
function utcTimestamp(expr: string, type: PrimitiveType): string {
  if (type.kind === "timestamptz" || type.kind === "timestamptz_ns") return `timezone('UTC', ${expr})`;
  return `CAST(${expr} AS TIMESTAMP)`;
}

/**
 * DuckDB SQL computing a transform of `expr` (a column of Iceberg type `type`). Temporal
 * results are integers (days for `day`), matching the partition tuple's representation.
 * @throws UnsupportedOperationError for unknown transforms or types that cannot be transformed.
 */
export function transformSql(t: Transform, expr: string, type: PrimitiveType): string {
  switch (t.kind) {
    case "identity":
      return expr;
    case "void":
      return "NULL";
    case "year":
      return `date_diff('year', TIMESTAMP '1970-01-01', ${utcTimestamp(expr, type)})`;
    case "month":
      return `date_diff('month', TIMESTAMP '1970-01-01', ${utcTimestamp(expr, type)})`;
    case "day":
      return type.kind === "date" ? expr : `CAST(${utcTimestamp(expr, type)} AS DATE)`;
    case "hour":
      return `date_diff('hour', TIMESTAMP '1970-01-01', ${utcTimestamp(expr, type)})`;
    case "truncate": {
      const w = t.width;
      switch (type.kind) {
        case "int":
        case "long":
          return `(${expr} - (((${expr} % ${w}) + ${w}) % ${w}))`;
        case "decimal": {
          const unit = `CAST(${quoteString(scaledWidth(w, type.scale))} AS DECIMAL(38,${type.scale}))`;
          return `CAST((${expr} - (((${expr} % ${unit}) + ${unit}) % ${unit})) AS DECIMAL(${type.precision},${type.scale}))`;
        }
        case "string":
          return `substring(${expr}, 1, ${w})`;
        case "binary":
        case "fixed":
          return `unhex(left(hex(${expr}), ${2 * w}))`;
        default:
          throw new UnsupportedOperationError(`truncate does not apply to ${type.kind}`);
      }
    }
    case "bucket": {
      const n = t.numBuckets;
      switch (type.kind) {
        case "int":
        case "long":
        case "date":
        case "time":
        case "timestamp":
        case "timestamptz":
        case "timestamp_ns":
        case "timestamptz_ns":
          return `iceberg_bucket_long(${asLong(expr, type)}, ${n})`;
        case "string":
          return `iceberg_bucket_bytes(encode(${expr}), ${n})`;
        case "binary":
        case "fixed":
          return `iceberg_bucket_bytes(${expr}, ${n})`;
        case "uuid":
          return `iceberg_bucket_bytes(unhex(replace(CAST(${expr} AS VARCHAR), '-', '')), ${n})`;
        case "decimal":
          return `iceberg_bucket_decimal(CAST(CAST(${expr} * ${10n ** BigInt(type.scale)} AS HUGEINT) AS VARCHAR), ${n})`;
        default:
          throw new UnsupportedOperationError(`bucket does not apply to ${type.kind}`);
      }
    }
    case "unknown":
      throw new UnsupportedOperationError(`cannot write with unknown partition transform ${t.text}`);
  }
}

function scaledWidth(width: number, scale: number): string {
  if (scale === 0) return String(width);
  const s = String(width).padStart(scale + 1, "0");
  return `${s.slice(0, -scale)}.${s.slice(-scale)}`;
}

/**
 * A filesystem-safe text key of a partition value of result type `type` (from
 * {@link transformSql}): `n` for null, else `v` + an exact, URL-encoded text form.
 */
export function partitionKeySql(expr: string, type: PrimitiveType): string {
  let text: string;
  switch (type.kind) {
    case "date":
      text = `CAST((CAST(${expr} AS DATE) - DATE '1970-01-01') AS VARCHAR)`;
      break;
    case "time":
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns":
      text = `CAST(${type.kind.endsWith("_ns") ? `epoch_ns(${expr})` : asLong(expr, type)} AS VARCHAR)`;
      break;
    case "binary":
    case "fixed":
      text = `hex(${expr})`;
      break;
    default:
      text = `CAST(${expr} AS VARCHAR)`;
  }
  return `CASE WHEN (${expr}) IS NULL THEN 'n' ELSE 'v' || url_encode(${text}) END`;
}

/**
 * Decodes a key made by {@link partitionKeySql} (as it appears in a directory name) into the
 * in-memory partition value.
 * @throws TypeError naming the key when it does not decode.
 */
export function decodePartitionKey(key: string, type: PrimitiveType): PrimitiveValue | null {
  if (key === "n") return null;
  if (!key.startsWith("v")) throw new TypeError(`bad partition key ${JSON.stringify(key)}`);
  const text = decodeURIComponent(key.slice(1));
  switch (type.kind) {
    case "boolean":
      return text === "true";
    case "int":
    case "date":
      return Number(text);
    case "long":
    case "time":
    case "timestamp":
    case "timestamptz":
    case "timestamp_ns":
    case "timestamptz_ns":
      return BigInt(text);
    case "float":
    case "double": {
      const v =
        text === "nan"
          ? Number.NaN
          : text === "inf"
            ? Number.POSITIVE_INFINITY
            : text === "-inf"
              ? Number.NEGATIVE_INFINITY
              : Number(text);
      return type.kind === "float" ? Math.fround(v) : v;
    }
    case "decimal":
      return parseDecimal(text, type.scale);
    case "uuid":
      return text.toLowerCase();
    case "binary":
    case "fixed":
      return new Uint8Array(Buffer.from(text, "hex"));
    default:
      return text;
  }
}
