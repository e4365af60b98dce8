import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TABLE_CASES } from "../fixtures/duckdb-iceberg-expectations.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";
import { copySharedIntoWarehouse, sharedSkip } from "../helpers/shared.js";

// Real Iceberg tables written by Spark, PyIceberg and others, copied into the warehouse,
// registered with CALL iceberg.system.register_table and queried through our engine; expected
// answers come from an independent implementation's tests (see the fixture for sources).
const ROOT = "data/iceberg/duckdb-iceberg";

describe("real Iceberg tables from ../shared (v1, v2, some v3)", { skip: sharedSkip(ROOT) }, () => {
  // One lakehouse per session time zone the expectations were written in (the zone of a
  // lakehouse is fixed: the SQL sandbox locks DuckDB's configuration), each with its copy of
  // the tables inside its warehouse.
  const zones = [...new Set(TABLE_CASES.map((c) => c.timeZone ?? "UTC"))];
  const fixtures = new Map(zones.map((z) => [z, useTempLakehouse("shared", { timeZone: z })]));
  const copies = new Map<string, string>();
  before(() => {
    for (const [z, fx] of fixtures) copies.set(z, copySharedIntoWarehouse(fx.dir, ROOT));
  });

  for (const c of TABLE_CASES) {
    const fx = fixtures.get(c.timeZone ?? "UTC")!;
    describe(`${c.name} (${c.source})`, () => {
      const register = () => {
        const file = c.metadataFile ? `, metadata_file_name => '${c.metadataFile}'` : "";
        return fx.session.execute(
          `CALL iceberg.system.register_table(schema_name => 'shared', table_name => '${c.name}', table_location => '${join(copies.get(c.timeZone ?? "UTC")!, c.dir)}'${file})`,
        );
      };
      const refusal = c.registerError;
      if (refusal) {
        it("cannot be registered", () => assert.rejects(register(), refusal));
        return;
      }
      before(register);
      // Some cases are other metadata versions of one table directory, and a directory holds
      // one table (see table-directories.ts): each case's table lives only while it runs.
      after(() =>
        fx.session.execute(
          `CALL iceberg.system.unregister_table(schema_name => 'shared', table_name => '${c.name}')`,
        ),
      );
      for (const q of c.queries) {
        it(q.sql, async () => {
          const sql = q.sql.replaceAll("$T", `iceberg.shared.${c.name}`);
          if (q.error) {
            await assert.rejects(textRows(fx.session, sql), q.error);
            return;
          }
          const rows = await textRows(fx.session, sql);
          if (q.unordered) assert.deepEqual([...rows].sort(), [...(q.rows ?? [])].sort());
          else assert.deepEqual(rows, q.rows);
        });
      }
    });
  }
});
