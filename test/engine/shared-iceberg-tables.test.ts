import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { TABLE_CASES } from "../fixtures/duckdb-iceberg-expectations.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";
import { copySharedIntoWarehouse, sharedSkip } from "../helpers/shared.js";

// Real Iceberg tables written by Spark, PyIceberg and others, copied into the warehouse,
// registered with CALL iceberg.system.register_table and queried through our engine; expected
// answers come from an independent implementation's tests (see the fixture for sources).
const ROOT = "data/iceberg/duckdb-iceberg";

describe("real Iceberg tables from ../shared (v1, v2, some v3)", { skip: sharedSkip(ROOT) }, () => {
  const fx = useTempLakehouse("shared");
  let copy: string;
  before(() => {
    copy = copySharedIntoWarehouse(fx.dir, ROOT);
  });

  for (const c of TABLE_CASES) {
    describe(`${c.name} (${c.source})`, () => {
      const register = () => {
        const file = c.metadataFile ? `, metadata_file_name => '${c.metadataFile}'` : "";
        return fx.session.execute(
          `CALL iceberg.system.register_table(schema_name => 'shared', table_name => '${c.name}', table_location => '${join(copy, c.dir)}'${file})`,
        );
      };
      const refusal = c.registerError;
      if (refusal) {
        it("cannot be registered", () => assert.rejects(register(), refusal));
        return;
      }
      before(register);
      for (const q of c.queries) {
        it(q.sql, async () => {
          await fx.session.duck.run(`SET TimeZone = '${c.timeZone ?? "UTC"}'`);
          try {
            const sql = q.sql.replaceAll("$T", `iceberg.shared.${c.name}`);
            if (q.error) {
              await assert.rejects(textRows(fx.session, sql), q.error);
              return;
            }
            const rows = await textRows(fx.session, sql);
            if (q.unordered) assert.deepEqual([...rows].sort(), [...(q.rows ?? [])].sort());
            else assert.deepEqual(rows, q.rows);
          } finally {
            await fx.session.duck.run("SET TimeZone = 'UTC'");
          }
        });
      }
    });
  }
});
