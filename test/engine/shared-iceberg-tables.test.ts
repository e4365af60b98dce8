import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { TABLE_CASES } from "../fixtures/duckdb-iceberg-expectations.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";
import { shared, sharedSkip } from "../helpers/shared.js";

// Real Iceberg tables written by Spark, PyIceberg and others, registered with
// CALL iceberg.system.register_table and queried through our engine; expected answers come
// from an independent implementation's tests (see the fixture for sources).
const ROOT = "data/iceberg/duckdb-iceberg";

describe("real Iceberg tables from ../shared (v1, v2, some v3)", { skip: sharedSkip(ROOT) }, () => {
  // One lakehouse per session time zone the expectations were written in (the zone of a
  // lakehouse is fixed: the SQL sandbox locks DuckDB's configuration). The tables live outside
  // the warehouse: registering them needs local file access (the CLI's --allow-local-files).
  const zones = [...new Set(TABLE_CASES.map((c) => c.timeZone ?? "UTC"))];
  const fixtures = new Map(
    zones.map((z) => [z, useTempLakehouse("shared", { timeZone: z, localFileAccess: true })]),
  );

  for (const c of TABLE_CASES) {
    const fx = fixtures.get(c.timeZone ?? "UTC")!;
    describe(`${c.name} (${c.source})`, () => {
      before(async () => {
        const file = c.metadataFile ? `, metadata_file_name => '${c.metadataFile}'` : "";
        await fx.session.execute(
          `CALL iceberg.system.register_table(schema_name => 'shared', table_name => '${c.name}', table_location => '${shared(ROOT, c.dir)}'${file})`,
        );
      });
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
