/**
 * Scalar functions AIchemy registers on its DuckDB connections: the Iceberg bucket hash
 * (32-bit Murmur3, spec Appendix B), which DuckDB does not have.
 * - `iceberg_bucket_long(v BIGINT, n INTEGER) -> INTEGER` for int, long, date, time, timestamps
 * - `iceberg_bucket_bytes(v BLOB, n INTEGER) -> INTEGER` for string (UTF-8), binary, fixed, uuid
 * - `iceberg_bucket_decimal(unscaled VARCHAR, n INTEGER) -> INTEGER` for decimals
 */
import {
  BIGINT,
  BLOB,
  type DuckDBConnection,
  DuckDBScalarFunction,
  INTEGER,
  VARCHAR,
} from "@duckdb/node-api";
import { bigIntToMinBytes } from "../spec/conversions.js";
import { hashLong, murmur3x86_32 } from "../spec/murmur3.js";

const registered = new WeakSet<DuckDBConnection>();

function bucketFunction(
  name: string,
  inputType: typeof BIGINT | typeof BLOB | typeof VARCHAR,
  hash: (v: unknown) => number,
) {
  return DuckDBScalarFunction.create({
    name,
    returnType: INTEGER,
    parameterTypes: [inputType, INTEGER],
    mainFunction: (_info, input, output) => {
      const values = input.getColumnVector(0);
      const buckets = input.getColumnVector(1);
      for (let i = 0; i < input.rowCount; i++) {
        const v = values.getItem(i);
        const n = buckets.getItem(i) as number | null;
        output.setItem(i, v === null || n === null ? null : (hash(v) & 0x7fffffff) % n);
      }
      output.flush();
    },
  });
}

/** Registers the Iceberg functions on a connection (once per connection). */
export function registerIcebergFunctions(connection: DuckDBConnection): void {
  if (registered.has(connection)) return;
  registered.add(connection);
  connection.registerScalarFunction(
    bucketFunction("iceberg_bucket_long", BIGINT, (v) => hashLong(v as bigint)),
  );
  connection.registerScalarFunction(
    bucketFunction("iceberg_bucket_bytes", BLOB, (v) =>
      murmur3x86_32((v as { bytes: Uint8Array }).bytes ?? (v as Uint8Array)),
    ),
  );
  connection.registerScalarFunction(
    bucketFunction("iceberg_bucket_decimal", VARCHAR, (v) =>
      murmur3x86_32(bigIntToMinBytes(BigInt(v as string))),
    ),
  );
}
