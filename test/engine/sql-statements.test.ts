import assert from "node:assert/strict";
import { readdirSync } from "node:fs";

import { after, before, describe, it } from "node:test";
import { rewriteQuery } from "../../src/engine/query/rewrite.js";
import type { Session } from "../../src/engine/session.js";
import { AlreadyExistsError, DataError, NoSuchTableError, ValidationError } from "../../src/errors.js";
import { localPathOf } from "../../src/io/location.js";
import { tempLakehouse, textRows } from "../helpers/lakehouse.js";

let session: Session;
let close: () => Promise<void>;
before(async () => {
  const t = await tempLakehouse();
  close = t.close;
  session = await t.lakehouse.session();
});
after(async () => {
  session.close();
  await close();
});

const one = async (sql: string) => (await textRows(session, sql))[0];

describe("the issue's verbatim script", () => {
  it("runs SHOW CATALOGS, CREATE SCHEMA, CREATE TABLE with MAP, INSERT with MAP(ARRAY, ARRAY), and time travel by a real snapshot id", async () => {
    const catalogs = await textRows(session, "SHOW CATALOGS");
    assert.ok(catalogs.includes("iceberg"));
    await session.executeScript(`
      CREATE SCHEMA iceberg.analytics;
      CREATE TABLE iceberg.analytics.events (event_id BIGINT, user_id BIGINT, event_time TIMESTAMP,
        properties MAP(VARCHAR, VARCHAR));
      INSERT INTO iceberg.analytics.events VALUES
        (1, 1001, CURRENT_TIMESTAMP, MAP(ARRAY['action'], ARRAY['login']));
    `);
    const snapshotId = await one(`SELECT snapshot_id FROM iceberg.analytics."events$snapshots"`);
    assert.match(snapshotId!, /^\d{6,}$/);
    await session.execute(
      "INSERT INTO iceberg.analytics.events VALUES (2, 1002, TIMESTAMP '2024-05-01 10:00:00', MAP(ARRAY['action'], ARRAY['logout']))",
    );
    assert.equal(await one("SELECT count(*) FROM iceberg.analytics.events"), "2");
    const rows = await textRows(
      session,
      `SELECT event_id, user_id, properties['action'] FROM iceberg.analytics.events FOR VERSION AS OF ${snapshotId}`,
    );
    assert.deepEqual(rows, ["1\t1001\tlogin"]);
  });
});

describe("DDL with Trino types and table properties", () => {
  it("creates tables with nested types, partitioning and format version, and DESCRIBEs them in Trino types", async () => {
    await session.execute(`CREATE TABLE iceberg.analytics.orders (
      id BIGINT NOT NULL COMMENT 'order id', amount DECIMAL(12, 2), tags ARRAY(VARCHAR), attrs MAP(VARCHAR, INTEGER),
      ship ROW(city VARCHAR, zip INTEGER), ts TIMESTAMP(6) WITH TIME ZONE, day DATE, raw VARBINARY, ratio REAL, ok BOOLEAN
    ) COMMENT 'orders' WITH (partitioning = ARRAY['day(ts)', 'bucket(id, 16)', 'truncate(amount, 100)'], format_version = 2)`);
    const cols = await textRows(session, "DESCRIBE iceberg.analytics.orders");
    assert.deepEqual(cols, [
      "id\tbigint\t\torder id",
      "amount\tdecimal(12,2)\t\t",
      "tags\tarray(varchar)\t\t",
      "attrs\tmap(varchar, integer)\t\t",
      "ship\trow(city varchar, zip integer)\t\t",
      "ts\ttimestamp(6) with time zone\t\t",
      "day\tdate\t\t",
      "raw\tvarbinary\t\t",
      "ratio\treal\t\t",
      "ok\tboolean\t\t",
    ]);
    const ddl = (await one("SHOW CREATE TABLE iceberg.analytics.orders"))!;
    assert.match(ddl, /partitioning = ARRAY\['day\(ts\)','bucket\(id, 16\)','truncate\(amount, 100\)'\]/);
    assert.match(ddl, /id bigint NOT NULL COMMENT 'order id'/);
    assert.match(ddl, /COMMENT 'orders'/);
    await session.execute(`INSERT INTO iceberg.analytics.orders VALUES
      (1, 10.50, ARRAY['a','b'], MAP(ARRAY['x'], ARRAY[1]), ROW('Paris', 75001), TIMESTAMP '2024-01-01 10:00:00+00', DATE '2024-01-01', X'0102', 0.5, true),
      (2, 250.00, ARRAY[], MAP(ARRAY['y'], ARRAY[2]), ROW('Oslo', 150), TIMESTAMP '2024-01-02 11:00:00+00', DATE '2024-01-02', NULL, NULL, false)`);
    assert.deepEqual(
      await textRows(
        session,
        "SELECT id, amount, tags, attrs, ship.city, ts FROM iceberg.analytics.orders ORDER BY id",
      ),
      [
        "1\t10.50\t[a, b]\t{x=1}\tParis\t2024-01-02 10:00:00+00".replace("2024-01-02 10", "2024-01-01 10"),
        "2\t250.00\t[]\t{y=2}\tOslo\t2024-01-02 11:00:00+00",
      ],
    );
    const parts = await textRows(
      session,
      `SELECT partition.ts_day, partition.id_bucket, partition.amount_trunc FROM iceberg.analytics."orders$partitions" ORDER BY 1`,
    );
    assert.equal(parts.length, 2);
    // truncate[W] on decimal(12,2) applies W to the unscaled value: W=100 is 1.00 (spec "Truncate Transform Details").
    assert.match(parts[0]!, /^2024-01-01\t\d+\t10\.00$/);
    assert.match(parts[1]!, /^2024-01-02\t\d+\t250\.00$/);
  });

  it("rejects unknown properties, bad partition columns and duplicate tables", async () => {
    await assert.rejects(
      session.execute("CREATE TABLE iceberg.analytics.x (a INT) WITH (colour = 'red')"),
      /table property 'colour' does not exist/,
    );
    await assert.rejects(
      session.execute("CREATE TABLE iceberg.analytics.x (a INT) WITH (partitioning = ARRAY['day(nope)'])"),
      /Cannot find partition source column: nope/,
    );
    await assert.rejects(
      session.execute("CREATE TABLE iceberg.analytics.x (a INT) WITH (partitioning = ARRAY['hour(a)'])"),
      /partition field .a_hour. on column .a.: invalid source type int for transform hour/,
    );
    await assert.rejects(
      session.execute("CREATE TABLE iceberg.analytics.orders (a INT)"),
      (e: unknown) =>
        e instanceof AlreadyExistsError &&
        /'iceberg.analytics.orders' already exists/.test((e as Error).message),
    );
    await session.execute("CREATE TABLE IF NOT EXISTS iceberg.analytics.orders (a INT)");
  });

  it("reports syntax errors with line and column", async () => {
    await assert.rejects(
      session.execute("CREATE TABLE iceberg.analytics.y (a INT,\n b NOTATYPE)"),
      /line 2:4: Unknown type 'notatype'/,
    );
    await assert.rejects(session.execute("SELEC 1"), /line 1:1: mismatched input 'SELEC'/);
    await assert.rejects(
      session.execute("SELECT * FROM iceberg.analytics.events WHERE"),
      /line 1:\d+: syntax error/,
    );
  });
});

describe("writes and their failures", () => {
  it("CREATE TABLE AS SELECT infers the schema and INSERT ... SELECT appends", async () => {
    const r = await session.execute(
      "CREATE TABLE iceberg.analytics.nums AS SELECT i::BIGINT AS n, 'v' || i AS label FROM range(100) t(i)",
    );
    assert.equal(r.updateCount, 100n);
    await session.execute(
      "INSERT INTO iceberg.analytics.nums SELECT n + 100, label FROM iceberg.analytics.nums WHERE n < 10",
    );
    assert.equal(
      await one("SELECT count(*) || ':' || sum(n) FROM iceberg.analytics.nums"),
      `110:${(99 * 100) / 2 + 1045}`,
    );
    await session.execute("INSERT INTO iceberg.analytics.nums (label) VALUES ('only label')");
    assert.equal(await one("SELECT count(*) FROM iceberg.analytics.nums WHERE n IS NULL"), "1");
  });

  it("a value that does not fit fails naming the column and value, and leaves the table exactly as before", async () => {
    const snapshotsBefore = await textRows(
      session,
      `SELECT snapshot_id FROM iceberg.analytics."nums$snapshots"`,
    );
    const dataDir = localPathOf(
      `${(await session.catalogs.get("iceberg")!.loadTable({ namespace: ["analytics"], name: "nums" })).location()}/data`,
    );
    const filesBefore = readdirSync(dataDir).sort();
    await assert.rejects(
      session.execute("INSERT INTO iceberg.analytics.nums VALUES ('1', 'ok'), ('abc', 'bad')"),
      (e: unknown) =>
        e instanceof DataError && /Cannot cast value 'abc'.*column 'n'/.test((e as Error).message),
    );
    assert.deepEqual(
      await textRows(session, `SELECT snapshot_id FROM iceberg.analytics."nums$snapshots"`),
      snapshotsBefore,
    );
    assert.deepEqual(readdirSync(dataDir).sort(), filesBefore, "no data file is left behind");
    assert.equal(await one("SELECT count(*) FROM iceberg.analytics.nums"), "111");
    await assert.rejects(
      session.execute("INSERT INTO iceberg.analytics.nums VALUES (1, 'ok'), ('abc', 'bad')"),
      (e: unknown) => e instanceof DataError && /abc/.test((e as Error).message),
    );
    assert.equal(await one("SELECT count(*) FROM iceberg.analytics.nums"), "111");
  });

  it("NOT NULL columns reject NULLs; column counts must match", async () => {
    await session.execute("CREATE TABLE iceberg.analytics.req (id BIGINT NOT NULL, v VARCHAR)");
    await assert.rejects(
      session.execute("INSERT INTO iceberg.analytics.req VALUES (NULL, 'x')"),
      /NULL value not allowed for NOT NULL column: id/,
    );
    await assert.rejects(
      session.execute("INSERT INTO iceberg.analytics.req VALUES (1)"),
      /mismatched column count/,
    );
    await assert.rejects(
      session.execute("INSERT INTO iceberg.analytics.req (id, nope) VALUES (1, 'x')"),
      /Insert column name does not exist.*nope/,
    );
    assert.equal(await one("SELECT count(*) FROM iceberg.analytics.req"), "0");
  });

  it("unknown tables and columns are named", async () => {
    await assert.rejects(
      session.execute("SELECT * FROM iceberg.analytics.missing"),
      (e: unknown) =>
        e instanceof NoSuchTableError && /'iceberg.analytics.missing'/.test((e as Error).message),
    );
    await assert.rejects(
      session.execute("INSERT INTO iceberg.analytics.missing VALUES (1)"),
      NoSuchTableError,
    );
    await assert.rejects(session.execute("SELECT nope FROM iceberg.analytics.nums"), /nope/);
  });
});

describe("schema evolution, comments, rename, drop", () => {
  it("ADD, RENAME and DROP COLUMN read old files by field id", async () => {
    await session.execute("CREATE TABLE iceberg.analytics.evo (a BIGINT, b VARCHAR)");
    await session.execute("INSERT INTO iceberg.analytics.evo VALUES (1, 'one')");
    await session.execute("ALTER TABLE iceberg.analytics.evo ADD COLUMN c DOUBLE COMMENT 'new'");
    await session.execute("ALTER TABLE iceberg.analytics.evo RENAME COLUMN b TO label");
    await session.execute("INSERT INTO iceberg.analytics.evo VALUES (2, 'two', 2.5)");
    await session.execute("ALTER TABLE iceberg.analytics.evo DROP COLUMN a");
    await session.execute("ALTER TABLE iceberg.analytics.evo ADD COLUMN a BIGINT");
    assert.deepEqual(
      await textRows(session, "SELECT label, c, a FROM iceberg.analytics.evo ORDER BY label"),
      ["one\tNULL\tNULL", "two\t2.5\tNULL"],
    );
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.analytics.evo ADD COLUMN c INT"),
      /Column 'c' already exists/,
    );
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.analytics.evo DROP COLUMN zzz"),
      /Column 'zzz' does not exist/,
    );
  });

  it("renames and adds struct fields, reading older files by field id", async () => {
    await session.execute(
      "CREATE TABLE iceberg.analytics.nested (id INTEGER, s ROW(x INTEGER, y VARCHAR), l ARRAY(ROW(a INTEGER)))",
    );
    await session.execute("INSERT INTO iceberg.analytics.nested VALUES (1, ROW(10, 'ten'), ARRAY[ROW(5)])");
    await session.execute("ALTER TABLE iceberg.analytics.nested RENAME COLUMN s.x TO x2");
    await session.execute("ALTER TABLE iceberg.analytics.nested RENAME COLUMN l.element.a TO a2");
    await session.execute(
      "INSERT INTO iceberg.analytics.nested VALUES (2, ROW(20, 'twenty'), ARRAY[ROW(6)])",
    );
    assert.deepEqual(
      await textRows(session, "SELECT id, s.x2, s.y, l[1].a2 FROM iceberg.analytics.nested ORDER BY id"),
      ["1\t10\tten\t5", "2\t20\ttwenty\t6"],
    );
  });

  it("COMMENT ON TABLE and COLUMN, RENAME TO, DROP TABLE", async () => {
    await session.execute("COMMENT ON TABLE iceberg.analytics.evo IS 'evolving'");
    await session.execute("COMMENT ON COLUMN iceberg.analytics.evo.label IS 'a label'");
    assert.match((await one("SHOW CREATE TABLE iceberg.analytics.evo"))!, /COMMENT 'evolving'/);
    assert.ok(
      (await textRows(session, "DESCRIBE iceberg.analytics.evo")).includes("label\tvarchar\t\ta label"),
    );
    await session.execute("ALTER TABLE iceberg.analytics.evo RENAME TO evo2");
    assert.ok((await textRows(session, "SHOW TABLES FROM iceberg.analytics")).includes("evo2"));
    await session.execute("DROP TABLE iceberg.analytics.evo2");
    await assert.rejects(session.execute("DROP TABLE iceberg.analytics.evo2"), NoSuchTableError);
    await session.execute("DROP TABLE IF EXISTS iceberg.analytics.evo2");
  });

  it("USE sets the session schema for unqualified names", async () => {
    await session.execute("USE iceberg.analytics");
    assert.equal(await one("SELECT count(*) FROM nums"), "111");
    assert.equal(await one("SELECT count(*) FROM analytics.nums"), "111");
    await assert.rejects(session.execute("USE iceberg.nothere"), ValidationError);
  });
});

describe("write settings", () => {
  it("splits unpartitioned writes at write.target-file-size-bytes", async () => {
    // DuckDB rotates files at row-group boundaries (122,880 rows), so the target is a few MB here.
    await session.execute(`CREATE TABLE iceberg.analytics.big WITH (extra_properties = MAP(ARRAY['write.target-file-size-bytes'], ARRAY['4000000']))
      AS SELECT i::BIGINT AS id, md5(i::VARCHAR) AS h FROM range(1000000) t(i)`);
    const files = Number(await one(`SELECT count(*) FROM iceberg.analytics."big$files"`));
    assert.ok(files > 3, `expected several files, got ${files}`);
    assert.equal(
      await one("SELECT count(*) || ':' || count(DISTINCT h) FROM iceberg.analytics.big"),
      "1000000:1000000",
    );
  });

  it("partitions instants by their UTC day whatever the literal's time zone", async () => {
    await session.execute(
      "CREATE TABLE iceberg.analytics.tz (ts TIMESTAMP(6) WITH TIME ZONE) WITH (partitioning = ARRAY['day(ts)'])",
    );
    // Sessions run in UTC (the sandbox locks DuckDB's configuration); the literal carries its zone.
    await session.execute(
      "INSERT INTO iceberg.analytics.tz VALUES (TIMESTAMP '2024-01-01 20:00:00 America/Los_Angeles')",
    );
    assert.equal(await one(`SELECT partition.ts_day FROM iceberg.analytics."tz$partitions"`), "2024-01-02");
    assert.equal(
      await one("SELECT ts FROM iceberg.analytics.tz WHERE ts = TIMESTAMP '2024-01-02 04:00:00 UTC'"),
      "2024-01-02 04:00:00+00",
    );
  });

  it("writes format v1 tables (v1 manifests and manifest lists) and reads them back", async () => {
    await session.execute(
      "CREATE TABLE iceberg.analytics.v1 (id BIGINT, p VARCHAR) WITH (format_version = 1, partitioning = ARRAY['p'])",
    );
    await session.execute("INSERT INTO iceberg.analytics.v1 VALUES (1, 'a'), (2, 'b')");
    await session.execute("INSERT INTO iceberg.analytics.v1 VALUES (3, 'a')");
    assert.equal(
      await one("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM iceberg.analytics.v1 WHERE p = 'a'"),
      "1,3",
    );
    assert.match((await one("SHOW CREATE TABLE iceberg.analytics.v1"))!, /format_version = 1/);
  });
});

describe("sorted tables", () => {
  it("writes data files in the table's sort order (sorted_by) and records the order id", async () => {
    await session.execute(
      "CREATE TABLE iceberg.analytics.sorted (k INTEGER, v VARCHAR) WITH (sorted_by = ARRAY['k DESC'])",
    );
    await session.execute(
      "INSERT INTO iceberg.analytics.sorted SELECT (i * 7919) % 1000, 'x' FROM range(1000) t(i)",
    );
    const file = (
      await textRows(
        session,
        `SELECT file_path || '|' || sort_order_id FROM iceberg.analytics."sorted$files"`,
      )
    )[0]!;
    const [path, orderId] = file.split("|");
    assert.equal(orderId, "1");
    const ks = (await session.duck.queryJS(`SELECT k FROM read_parquet('${localPathOf(path!)}')`)).map((r) =>
      Number(r.k),
    );
    assert.deepEqual(
      ks,
      [...ks].sort((a, b) => b - a),
    );
    assert.match((await one("SHOW CREATE TABLE iceberg.analytics.sorted"))!, /sorted_by = ARRAY\['k DESC'\]/);
  });
});

describe("time travel", () => {
  it("FOR VERSION AS OF and FOR TIMESTAMP AS OF return earlier states, with the schema of that snapshot", async () => {
    await session.execute("CREATE TABLE iceberg.analytics.tt (id INTEGER, v VARCHAR)");
    await session.execute("INSERT INTO iceberg.analytics.tt VALUES (1, 'a')");
    const [first, firstTs] = (await one(
      `SELECT snapshot_id || ',' || epoch_ms(committed_at) FROM iceberg.analytics."tt$snapshots"`,
    ))!.split(",");
    await new Promise((r) => setTimeout(r, 20));
    await session.execute("ALTER TABLE iceberg.analytics.tt ADD COLUMN extra INTEGER");
    await session.execute("INSERT INTO iceberg.analytics.tt VALUES (2, 'b', 7)");
    assert.deepEqual(
      await textRows(session, `SELECT * FROM iceberg.analytics.tt FOR VERSION AS OF ${first} t`),
      ["1\ta"],
    );
    const at = new Date(Number(firstTs) + 5).toISOString().replace("T", " ").replace("Z", "");
    assert.deepEqual(
      await textRows(session, `SELECT * FROM iceberg.analytics.tt FOR TIMESTAMP AS OF TIMESTAMP '${at} UTC'`),
      ["1\ta"],
    );
    assert.deepEqual(await textRows(session, "SELECT * FROM iceberg.analytics.tt ORDER BY id"), [
      "1\ta\tNULL",
      "2\tb\t7",
    ]);
    await assert.rejects(
      session.execute("SELECT * FROM iceberg.analytics.tt FOR VERSION AS OF 123"),
      /snapshot ID does not exist: 123/,
    );
    await assert.rejects(
      session.execute(
        "SELECT * FROM iceberg.analytics.tt FOR TIMESTAMP AS OF TIMESTAMP '2000-01-01 00:00:00 UTC'",
      ),
      /No version history table before/,
    );
  });
});

describe("metadata tables (Trino columns)", () => {
  const columns = async (t: string) =>
    (await session.execute(`SELECT * FROM iceberg.analytics."nums$${t}" LIMIT 0`)).columns.map((c) => c.name);
  it("have Trino's columns", async () => {
    assert.deepEqual(await columns("snapshots"), [
      "committed_at",
      "snapshot_id",
      "parent_id",
      "operation",
      "manifest_list",
      "summary",
    ]);
    assert.deepEqual(await columns("history"), [
      "made_current_at",
      "snapshot_id",
      "parent_id",
      "is_current_ancestor",
    ]);
    assert.deepEqual(await columns("refs"), [
      "name",
      "type",
      "snapshot_id",
      "max_reference_age_in_ms",
      "min_snapshots_to_keep",
      "max_snapshot_age_in_ms",
    ]);
    assert.deepEqual(await columns("properties"), ["key", "value"]);
    assert.deepEqual((await columns("manifests")).slice(0, 4), [
      "path",
      "length",
      "partition_spec_id",
      "added_snapshot_id",
    ]);
    assert.ok((await columns("files")).includes("readable_metrics"));
    assert.deepEqual(await columns("partitions"), ["record_count", "file_count", "total_size", "data"]);
  });
  it("agree with the data", async () => {
    assert.equal(
      await one(`SELECT sum(record_count) FROM iceberg.analytics."nums$files"`),
      await one("SELECT count(*) FROM iceberg.analytics.nums"),
    );
    assert.equal(
      await one(`SELECT count(*) FROM iceberg.analytics."nums$snapshots"`),
      await one(`SELECT count(*) FROM iceberg.analytics."nums$history"`),
    );
    assert.equal(await one(`SELECT name || ' ' || type FROM iceberg.analytics."nums$refs"`), "main BRANCH");
    assert.equal(
      await one(`SELECT value FROM iceberg.analytics."nums$properties" WHERE key = 'write.format.default'`),
      "parquet",
    );
  });
});

describe("scan planning through SQL", () => {
  it("answers count(*) from metadata and prunes partitions and files by WHERE predicates", async () => {
    await session.execute(`CREATE TABLE iceberg.analytics.ev WITH (partitioning = ARRAY['day(ts)']) AS
      SELECT i::BIGINT AS id, TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS ts FROM range(24 * 30) t(i)`);
    const count = await rewriteQuery(
      session.duck,
      session.resolver,
      "SELECT count(*) FROM iceberg.analytics.ev",
    );
    assert.match(count.sql, /^SELECT CAST\(720 AS BIGINT\)/);
    const q =
      "SELECT count(*) FROM iceberg.analytics.ev WHERE ts >= TIMESTAMP '2024-01-10 00:00:00' AND ts < DATE '2024-01-12'";
    const planned = await rewriteQuery(session.duck, session.resolver, q);
    const m = planned.scans[0]!.plan.metrics;
    assert.equal(m.dataFilesTotal, 30);
    assert.equal(m.dataFilesTotal - m.dataFilesSkipped, 2, "only the two matching days are read");
    assert.equal(await one(q), "48");
    const byId = await rewriteQuery(
      session.duck,
      session.resolver,
      "SELECT * FROM iceberg.analytics.ev WHERE id = 25",
    );
    assert.equal(byId.scans[0]!.plan.tasks.length, 1, "column bounds prune by id");
    assert.equal(await one("SELECT ts FROM iceberg.analytics.ev WHERE id = 25"), "2024-01-02 01:00:00");
  });
  it("never prunes on inexact constants or nullable join sides", async () => {
    assert.equal(await one("SELECT count(*) FROM iceberg.analytics.ev WHERE id > 24.5 AND id < 26"), "1");
    const left = await rewriteQuery(
      session.duck,
      session.resolver,
      "SELECT count(*) FROM range(3) r LEFT JOIN iceberg.analytics.ev e ON e.id = r.range WHERE e.id IS NULL",
    );
    assert.equal(left.scans[0]!.plan.metrics.dataFilesSkipped, 0);
  });
});
