import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import { tempLakehouse, textRows } from "../helpers/lakehouse.js";

describe("ALTER TABLE ... SET PROPERTIES (partition evolution, sort order, properties)", () => {
  let lakehouse: Lakehouse;
  let session: Session;
  let close: () => Promise<void>;
  const rows = (sql: string) => textRows(session, sql);
  before(async () => {
    ({ lakehouse, close } = await tempLakehouse());
    session = await lakehouse.session();
    await session.execute("CREATE SCHEMA iceberg.ev");
  });
  after(async () => {
    session.close();
    await close();
  });

  it("evolves the partition spec: old files keep theirs, new files use the new one, scans prune across both", async () => {
    await session.execute(
      "CREATE TABLE iceberg.ev.p (id BIGINT, cat VARCHAR, ts TIMESTAMP) WITH (partitioning = ARRAY['cat'])",
    );
    await session.execute(
      "INSERT INTO iceberg.ev.p SELECT i, ['a', 'b'][i % 2 + 1], TIMESTAMP '2024-01-01' + INTERVAL (i) DAY FROM range(20) t(i)",
    );
    await session.execute("ALTER TABLE iceberg.ev.p SET PROPERTIES partitioning = ARRAY['cat', 'month(ts)']");
    await session.execute(
      "INSERT INTO iceberg.ev.p SELECT i, ['a', 'b'][i % 2 + 1], TIMESTAMP '2024-01-01' + INTERVAL (i) DAY FROM range(20, 80) t(i)",
    );
    const table = await lakehouse.catalog("iceberg").loadTable({ namespace: ["ev"], name: "p" });
    const md = table.metadata;
    assert.equal(md.partitionSpecs.length, 2);
    assert.equal(md.defaultSpecId, 1);
    assert.deepEqual(
      md.partitionSpecs[1]!.fields.map((f) => [f.fieldId, f.name]),
      [
        [1000, "cat"],
        [1001, "ts_month"],
      ],
      "the cat field keeps its id",
    );
    assert.deepEqual(await rows('SELECT spec_id, count(*) FROM iceberg.ev."p$files" GROUP BY 1 ORDER BY 1'), [
      "0\t2",
      "1\t6",
    ]);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.ev.p"), ["80"]);
    // The same rows computed by DuckDB alone.
    const expected = await rows(
      "SELECT count(*) FROM range(80) t(i) WHERE i % 2 = 0 AND TIMESTAMP '2024-01-01' + INTERVAL (i) DAY >= TIMESTAMP '2024-02-01' AND TIMESTAMP '2024-01-01' + INTERVAL (i) DAY < TIMESTAMP '2024-03-01'",
    );
    assert.deepEqual(
      await rows(
        "SELECT count(*) FROM iceberg.ev.p WHERE cat = 'a' AND ts >= TIMESTAMP '2024-02-01' AND ts < TIMESTAMP '2024-03-01'",
      ),
      expected,
    );
    // Pruning across specs: cat=a of the old spec by column bounds, the new spec by month.
    const rewritten = await session.rewriteQuery(
      "SELECT * FROM iceberg.ev.p WHERE cat = 'a' AND ts >= TIMESTAMP '2024-02-01' AND ts < TIMESTAMP '2024-03-01'",
    );
    assert.equal(rewritten.scans[0]!.plan.tasks.length, 1, "only the (a, 2024-02) file is read");
    // Back to unpartitioned.
    await session.execute("ALTER TABLE iceberg.ev.p SET PROPERTIES partitioning = DEFAULT");
    await session.execute("INSERT INTO iceberg.ev.p VALUES (1000, 'c', TIMESTAMP '2025-01-01')");
    assert.deepEqual(await rows('SELECT spec_id, count(*) FROM iceberg.ev."p$files" GROUP BY 1 ORDER BY 1'), [
      "0\t2",
      "1\t6",
      "2\t1",
    ]);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.ev.p WHERE cat = 'c'"), ["1"]);
  });

  it("sets sorted_by and Iceberg properties; refuses what cannot change", async () => {
    await session.execute("CREATE TABLE iceberg.ev.s (id BIGINT, v DOUBLE)");
    await session.execute(
      "ALTER TABLE iceberg.ev.s SET PROPERTIES sorted_by = ARRAY['v DESC'], extra_properties = MAP(ARRAY['write.delete.mode'], ARRAY['copy-on-write'])",
    );
    const md = (await lakehouse.catalog("iceberg").loadTable({ namespace: ["ev"], name: "s" })).metadata;
    assert.equal(md.properties["write.delete.mode"], "copy-on-write");
    const order = md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId)!;
    assert.deepEqual(
      order.fields.map((f) => f.direction),
      ["desc"],
    );
    await session.execute("INSERT INTO iceberg.ev.s VALUES (1, 1.0), (2, 3.0), (3, 2.0)");
    assert.deepEqual(await rows("SELECT id FROM iceberg.ev.s"), ["2", "3", "1"], "written in sort order");
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.ev.s SET PROPERTIES location = '/tmp/x'"),
      /cannot be changed/,
    );
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.ev.s SET PROPERTIES nope = 1"),
      /'nope' does not exist/,
    );
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.ev.s SET PROPERTIES partitioning = ARRAY['bucket(missing, 2)']"),
      /missing/,
    );
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.ev.s SET PROPERTIES format_version = 1"),
      /downgrade/,
    );
  });
});

describe("ALTER TABLE ... ALTER COLUMN ... SET DATA TYPE (type promotion)", () => {
  let lakehouse: Lakehouse;
  let session: Session;
  let close: () => Promise<void>;
  const rows = (sql: string) => textRows(session, sql);
  before(async () => {
    ({ lakehouse, close } = await tempLakehouse());
    session = await lakehouse.session();
    await session.execute("CREATE SCHEMA iceberg.ty");
  });
  after(async () => {
    session.close();
    await close();
  });

  it("widens int to bigint, real to double and decimal precision; old files read as the new type and still prune", async () => {
    await session.execute("CREATE TABLE iceberg.ty.t (id INTEGER, v REAL, d DECIMAL(5, 2))");
    await session.execute("INSERT INTO iceberg.ty.t VALUES (1, 1.5, 123.45), (2, 2.5, -1.00)");
    await session.execute("ALTER TABLE iceberg.ty.t ALTER COLUMN id SET DATA TYPE BIGINT");
    await session.execute("ALTER TABLE iceberg.ty.t ALTER COLUMN v SET DATA TYPE DOUBLE");
    await session.execute("ALTER TABLE iceberg.ty.t ALTER COLUMN d SET DATA TYPE DECIMAL(12, 2)");
    await session.execute("INSERT INTO iceberg.ty.t VALUES (5000000000, 0.1, 1234567890.12)");
    assert.deepEqual(await rows("SELECT id, v, d FROM iceberg.ty.t ORDER BY id"), [
      "1\t1.5\t123.45",
      "2\t2.5\t-1.00",
      "5000000000\t0.1\t1234567890.12",
    ]);
    assert.deepEqual(
      await rows("DESCRIBE iceberg.ty.t").then((r) => r.map((x) => x.split("\t").slice(0, 2).join(" "))),
      ["id bigint", "v double", "d decimal(12,2)"],
    );
    // Bounds written for the old types still prune correctly.
    assert.deepEqual(await rows("SELECT id FROM iceberg.ty.t WHERE id = 2"), ["2"]);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.ty.t WHERE id > 3"), ["1"]);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.ty.t WHERE d > 100"), ["2"]);
    const rewritten = await session.rewriteQuery("SELECT * FROM iceberg.ty.t WHERE id > 3");
    assert.equal(rewritten.scans[0]!.plan.tasks.length, 1, "the old file is pruned by its int bounds");
  });

  it("refuses narrowing and unrelated changes, naming column and types", async () => {
    await session.execute("CREATE TABLE iceberg.ty.n (id BIGINT, s VARCHAR)");
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.ty.n ALTER COLUMN id SET DATA TYPE INTEGER"),
      /Cannot change type of column 'id' from long to int/,
    );
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.ty.n ALTER COLUMN s SET DATA TYPE BIGINT"),
      /from string to long/,
    );
    await assert.rejects(
      session.execute("ALTER TABLE iceberg.ty.n ALTER COLUMN nope SET DATA TYPE BIGINT"),
      /'nope' does not exist/,
    );
  });
});
