import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { jsonValue } from "../../src/duckdb/values.js";

// Our fast text of dates, timestamps and decimals must be DuckDB's own, value for value: the
// reference is DuckDB casting the same values to VARCHAR.
describe("value text: dates, timestamps and decimals as DuckDB writes them", () => {
  it("equals DuckDB's CAST(... AS VARCHAR) over edge and random values", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run("SET TimeZone = 'UTC'");
    const sql = `
      WITH v AS (
        SELECT DATE '0001-01-01' + (hash(i) % 3652058)::INTEGER AS d,
               TIMESTAMP '0001-01-01' + to_microseconds((hash(i * 7) % 315537897600000000)::BIGINT) AS ts,
               (((hash(i * 13) % 2000000000000)::BIGINT - 1000000000000) / 1000000)::DECIMAL(18, 6) AS dec,
               (((hash(i * 17) % 1000)::INTEGER - 500) / 10)::DECIMAL(4, 1) AS small
        FROM range(20000) t(i)
        UNION ALL SELECT DATE '1970-01-01', TIMESTAMP '1970-01-01 00:00:00', 0, 0
        UNION ALL SELECT DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59.999999', -0.000001, -0.1
        UNION ALL SELECT DATE '2000-02-29', TIMESTAMP '2000-02-29 12:00:00.5', 123456789012.123456, 99.9
        UNION ALL SELECT DATE '9999-12-31', TIMESTAMP '9999-12-31 23:59:59.999999', -999999999999.999999, -99.9
        UNION ALL SELECT DATE '1900-03-01', TIMESTAMP '1900-02-28 00:00:00.000001', 0.5, 0.5
        UNION ALL SELECT 'infinity'::DATE, 'infinity'::TIMESTAMP, 1, 1
        UNION ALL SELECT '-infinity'::DATE, '-infinity'::TIMESTAMP, 1, 1
        UNION ALL SELECT DATE '0044-03-15' - 20000, TIMESTAMP '0010-01-01' - INTERVAL 20000 DAY, 1, 1
      )
      SELECT d, ts, ts::TIMESTAMPTZ AS tz, dec, small,
             d::VARCHAR AS d_text, ts::VARCHAR AS ts_text, ts::TIMESTAMPTZ::VARCHAR AS tz_text,
             dec::VARCHAR AS dec_text, small::VARCHAR AS small_text
      FROM v`;
    const rows = (await c.runAndReadAll(sql)).getRows();
    assert.ok(rows.length > 20000);
    for (const r of rows) {
      assert.equal(jsonValue(r[0]!), r[5]);
      assert.equal(jsonValue(r[1]!), r[6]);
      assert.equal(jsonValue(r[2]!), r[7]);
      assert.equal(jsonValue(r[3]!), r[8]);
      assert.equal(jsonValue(r[4]!), r[9]);
    }
    c.closeSync();
  });
});
