import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import { TABLE_CASES } from "../fixtures/duckdb-iceberg-expectations.js";
import { tempLakehouse, textRows } from "../helpers/lakehouse.js";
import { shared, sharedSkip } from "../helpers/shared.js";

// Real Iceberg tables written by Spark, PyIceberg and others, registered with
// CALL iceberg.system.register_table and queried through our engine; expected answers come
// from an independent implementation's tests (see the fixture for sources).
const ROOT = "data/iceberg/duckdb-iceberg";

describe("real Iceberg tables from ../shared (v1, v2, some v3)", { skip: sharedSkip(ROOT) }, () => {
  let lakehouse: Lakehouse;
  let session: Session;
  let close: () => Promise<void>;
  before(async () => {
    ({ lakehouse, close } = await tempLakehouse());
    session = await lakehouse.session();
    await session.execute("CREATE SCHEMA iceberg.shared");
  });
  after(async () => {
    session.close();
    await close();
  });

  for (const c of TABLE_CASES) {
    describe(`${c.name} (${c.source})`, () => {
      before(async () => {
        const file = c.metadataFile ? `, metadata_file_name => '${c.metadataFile}'` : "";
        await session.execute(
          `CALL iceberg.system.register_table(schema_name => 'shared', table_name => '${c.name}', table_location => '${shared(ROOT, c.dir)}'${file})`,
        );
      });
      for (const q of c.queries) {
        it(q.sql, async () => {
          await session.duck.run(`SET TimeZone = '${c.timeZone ?? "UTC"}'`);
          try {
            const sql = q.sql.replaceAll("$T", `iceberg.shared.${c.name}`);
            if (q.error) {
              await assert.rejects(textRows(session, sql), q.error);
              return;
            }
            const rows = await textRows(session, sql);
            if (q.unordered) assert.deepEqual([...rows].sort(), [...(q.rows ?? [])].sort());
            else assert.deepEqual(rows, q.rows);
          } finally {
            await session.duck.run("SET TimeZone = 'UTC'");
          }
        });
      }
    });
  }
});
