/**
 * Type mapping between Iceberg and DuckDB (Trino's Iceberg connector maps the same way):
 * Iceberg -> DuckDB for reading (`read_parquet` schema) and casting on write; DuckDB ->
 * Iceberg for CREATE TABLE AS and file ingest (fresh field ids are assigned later).
 */
import {
  type DuckDBArrayType,
  type DuckDBDecimalType,
  type DuckDBListType,
  type DuckDBMapType,
  type DuckDBStructType,
  type DuckDBType,
  DuckDBTypeId,
} from "@duckdb/node-api";
import { ValidationError } from "../errors.js";
import { decimalType, type IcebergType, type NestedField, Types } from "../spec/types.js";
import { quoteIdent } from "./sql.js";

/** The DuckDB type (SQL text) of an Iceberg type. */
export function icebergToDuckType(type: IcebergType): string {
  switch (type.kind) {
    case "boolean":
      return "BOOLEAN";
    case "int":
      return "INTEGER";
    case "long":
      return "BIGINT";
    case "float":
      return "FLOAT";
    case "double":
      return "DOUBLE";
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "date":
      return "DATE";
    case "time":
      return "TIME";
    case "timestamp":
      return "TIMESTAMP";
    case "timestamptz":
      return "TIMESTAMPTZ";
    case "timestamp_ns":
    case "timestamptz_ns":
      return "TIMESTAMP_NS";
    case "string":
    case "variant":
    case "unknown":
      return "VARCHAR";
    case "uuid":
      return "UUID";
    case "fixed":
    case "binary":
    case "geometry":
    case "geography":
      return "BLOB";
    case "struct":
      return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${icebergToDuckType(f.type)}`).join(", ")})`;
    case "list":
      return `${icebergToDuckType(type.element)}[]`;
    case "map":
      return `MAP(${icebergToDuckType(type.key)}, ${icebergToDuckType(type.value)})`;
  }
}

/**
 * The Iceberg type of a DuckDB type. Nested field ids are placeholders (0); callers assign
 * fresh ids (see `assignFreshIds`). Small integers widen to int, unsigned to the next size,
 * HUGEINT to decimal(38,0).
 * @throws ValidationError naming the DuckDB type when Iceberg has no equivalent (INTERVAL, UNION, ...).
 */
export function duckTypeToIceberg(t: DuckDBType, where = "column"): IcebergType {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return Types.boolean;
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return Types.int;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return Types.long;
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return decimalType(38, 0);
    case DuckDBTypeId.FLOAT:
      return Types.float;
    case DuckDBTypeId.DOUBLE:
      return Types.double;
    case DuckDBTypeId.DECIMAL: {
      const d = t as DuckDBDecimalType;
      return decimalType(d.width, d.scale);
    }
    case DuckDBTypeId.DATE:
      return Types.date;
    case DuckDBTypeId.TIME:
      return Types.time;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
      return Types.timestamp;
    case DuckDBTypeId.TIMESTAMP_NS:
      return Types.timestamp;
    case DuckDBTypeId.TIMESTAMP_TZ:
      return Types.timestamptz;
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.SQLNULL:
    case DuckDBTypeId.STRING_LITERAL:
      return Types.string;
    case DuckDBTypeId.INTEGER_LITERAL:
      return Types.long;
    case DuckDBTypeId.UUID:
      return Types.uuid;
    case DuckDBTypeId.BLOB:
    case DuckDBTypeId.BIT:
      return Types.binary;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const inner = (t as DuckDBListType | DuckDBArrayType).valueType;
      return {
        kind: "list",
        elementId: 0,
        elementRequired: false,
        element: duckTypeToIceberg(inner, `${where} element`),
      };
    }
    case DuckDBTypeId.MAP: {
      const m = t as DuckDBMapType;
      return {
        kind: "map",
        keyId: 0,
        key: duckTypeToIceberg(m.keyType, `${where} key`),
        valueId: 0,
        valueRequired: false,
        value: duckTypeToIceberg(m.valueType, `${where} value`),
      };
    }
    case DuckDBTypeId.STRUCT: {
      const s = t as DuckDBStructType;
      const fields: NestedField[] = s.entryNames.map((name, i) => ({
        id: 0,
        name,
        required: false,
        type: duckTypeToIceberg(s.entryTypes[i]!, `${where}.${name}`),
      }));
      return { kind: "struct", fields };
    }
    default:
      throw new ValidationError(`${where}: DuckDB type ${t.toString()} has no Iceberg equivalent`);
  }
}
