/**
 * Trino SQL types <-> Iceberg types, as Trino's Iceberg connector maps them (Trino docs,
 * "Iceberg connector: Type mapping"): BOOLEAN, INTEGER, BIGINT, REAL, DOUBLE, DECIMAL(p,s),
 * DATE, TIME(6), TIMESTAMP(6), TIMESTAMP(6) WITH TIME ZONE, VARCHAR, VARBINARY, UUID,
 * ARRAY(T), MAP(K,V), ROW(name T, ...). Common aliases (INT, STRING, TEXT, FLOAT, ...) are
 * accepted too. Nested field ids are placeholders; `assignFreshIds` numbers them.
 */
import { decimalType, fixedType, type IcebergType, type NestedField, Types } from "../../spec/types.js";
import type { Parser } from "./parser.js";

/**
 * Parses a Trino type at the parser's position.
 * @throws ValidationError naming line and column for an unknown or malformed type.
 */
export function parseTrinoType(p: Parser): IcebergType {
  const start = p.peek();
  const name = p.identifier("type").toLowerCase();
  const intArgs = (): number[] => {
    const args: number[] = [];
    if (!p.acceptPunct("(")) return args;
    do {
      const t = p.next();
      if (t.kind !== "number") throw p.error(`expected a number in type ${name}`, t);
      args.push(Number(t.text));
    } while (p.acceptPunct(","));
    p.expectPunct(")");
    return args;
  };
  switch (name) {
    case "boolean":
    case "bool":
      return Types.boolean;
    case "tinyint":
    case "smallint":
    case "integer":
    case "int":
    case "int4":
      return Types.int;
    case "bigint":
    case "long":
    case "int8":
      return Types.long;
    case "real":
    case "float":
    case "float4":
      return Types.float;
    case "double":
      p.acceptKeyword("PRECISION");
      return Types.double;
    case "float8":
      return Types.double;
    case "decimal":
    case "numeric": {
      const [precision = 38, scale = 0] = intArgs();
      try {
        return decimalType(precision, scale);
      } catch (e) {
        throw p.error((e as Error).message, start);
      }
    }
    case "date":
      return Types.date;
    case "time": {
      const [precision = 6] = intArgs();
      if (precision > 6)
        throw p.error(`time(${precision}) is not supported; Iceberg time has microsecond precision`, start);
      if (p.acceptKeyword("WITH", "TIME", "ZONE"))
        throw p.error("time with time zone is not supported by Iceberg", start);
      p.acceptKeyword("WITHOUT", "TIME", "ZONE");
      return Types.time;
    }
    case "timestamp": {
      const [precision = 6] = intArgs();
      if (p.acceptKeyword("WITH", "TIME", "ZONE"))
        return precision > 6 ? Types.timestamptzNs : Types.timestamptz;
      p.acceptKeyword("WITHOUT", "TIME", "ZONE");
      return precision > 6 ? Types.timestampNs : Types.timestamp;
    }
    case "timestamptz":
      return Types.timestamptz;
    case "varchar":
    case "char":
    case "string":
    case "text":
      intArgs();
      return Types.string;
    case "varbinary":
    case "binary":
    case "blob":
    case "bytea":
      return Types.binary;
    case "fixed": {
      const [len = 16] = intArgs();
      return fixedType(len);
    }
    case "uuid":
      return Types.uuid;
    case "array": {
      p.expectPunct("(");
      const element = parseTrinoType(p);
      p.expectPunct(")");
      return { kind: "list", elementId: 0, elementRequired: false, element };
    }
    case "map": {
      p.expectPunct("(");
      const key = parseTrinoType(p);
      p.expectPunct(",");
      const value = parseTrinoType(p);
      p.expectPunct(")");
      return { kind: "map", keyId: 0, key, valueId: 0, valueRequired: false, value };
    }
    case "row":
    case "struct": {
      p.expectPunct("(");
      const fields: NestedField[] = [];
      do {
        const fieldName = p.identifier("field name");
        fields.push({ id: 0, name: fieldName, required: false, type: parseTrinoType(p) });
      } while (p.acceptPunct(","));
      p.expectPunct(")");
      return { kind: "struct", fields };
    }
    default:
      throw p.error(`Unknown type '${name}'`, start);
  }
}

/** The Trino name of an Iceberg type, as `DESCRIBE` and `SHOW COLUMNS` print it. */
export function trinoTypeName(type: IcebergType): string {
  switch (type.kind) {
    case "boolean":
      return "boolean";
    case "int":
      return "integer";
    case "long":
      return "bigint";
    case "float":
      return "real";
    case "double":
      return "double";
    case "decimal":
      return `decimal(${type.precision},${type.scale})`;
    case "date":
      return "date";
    case "time":
      return "time(6)";
    case "timestamp":
      return "timestamp(6)";
    case "timestamptz":
      return "timestamp(6) with time zone";
    case "timestamp_ns":
      return "timestamp(9)";
    case "timestamptz_ns":
      return "timestamp(9) with time zone";
    case "string":
      return "varchar";
    case "uuid":
      return "uuid";
    case "fixed":
    case "binary":
      return "varbinary";
    case "list":
      return `array(${trinoTypeName(type.element)})`;
    case "map":
      return `map(${trinoTypeName(type.key)}, ${trinoTypeName(type.value)})`;
    case "struct":
      return `row(${type.fields.map((f) => `${quoteIfNeeded(f.name)} ${trinoTypeName(f.type)}`).join(", ")})`;
    default:
      return type.kind;
  }
}

function quoteIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
