import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";

describe("ALTER TABLE ... SET PROPERTIES (partition evolution, sort order, properties)", () => {
  const fx = useTempLakehouse("ev");
  const rows = (sql: string) => textRows(fx.session, sql);

  it("evolves the partition spec: old files keep theirs, new files use the new one, scans prune across both", async () => {
    await fx.session.execute(
      "CREATE TABLE iceberg.ev.p (id BIGINT, cat VARCHAR, ts TIMESTAMP) WITH (partitioning = ARRAY['cat'])",
    );
    await fx.session.execute(
      "INSERT INTO iceberg.ev.p SELECT i, ['a', 'b'][i % 2 + 1], TIMESTAMP '2024-01-01' + INTERVAL (i) DAY FROM range(20) t(i)",
    );
    await fx.session.execute(
      "ALTER TABLE iceberg.ev.p SET PROPERTIES partitioning = ARRAY['cat', 'month(ts)']",
    );
    await fx.session.execute(
      "INSERT INTO iceberg.ev.p SELECT i, ['a', 'b'][i % 2 + 1], TIMESTAMP '2024-01-01' + INTERVAL (i) DAY FROM range(20, 80) t(i)",
    );
    const table = await fx.lakehouse.catalog("iceberg").loadTable({ namespace: ["ev"], name: "p" });
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
    const rewritten = await fx.session.rewriteQuery(
      "SELECT * FROM iceberg.ev.p WHERE cat = 'a' AND ts >= TIMESTAMP '2024-02-01' AND ts < TIMESTAMP '2024-03-01'",
    );
    assert.equal(rewritten.scans[0]!.plan.tasks.length, 1, "only the (a, 2024-02) file is read");
    // Back to unpartitioned.
    await fx.session.execute("ALTER TABLE iceberg.ev.p SET PROPERTIES partitioning = DEFAULT");
    await fx.session.execute("INSERT INTO iceberg.ev.p VALUES (1000, 'c', TIMESTAMP '2025-01-01')");
    assert.deepEqual(await rows('SELECT spec_id, count(*) FROM iceberg.ev."p$files" GROUP BY 1 ORDER BY 1'), [
      "0\t2",
      "1\t6",
      "2\t1",
    ]);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.ev.p WHERE cat = 'c'"), ["1"]);
  });

  it("sets sorted_by and Iceberg properties; refuses what cannot change", async () => {
    await fx.session.execute("CREATE TABLE iceberg.ev.s (id BIGINT, v DOUBLE)");
    await fx.session.execute(
      "ALTER TABLE iceberg.ev.s SET PROPERTIES sorted_by = ARRAY['v DESC'], extra_properties = MAP(ARRAY['write.delete.mode'], ARRAY['copy-on-write'])",
    );
    const md = (await fx.lakehouse.catalog("iceberg").loadTable({ namespace: ["ev"], name: "s" })).metadata;
    assert.equal(md.properties["write.delete.mode"], "copy-on-write");
    const order = md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId)!;
    assert.deepEqual(
      order.fields.map((f) => f.direction),
      ["desc"],
    );
    await fx.session.execute("INSERT INTO iceberg.ev.s VALUES (1, 1.0), (2, 3.0), (3, 2.0)");
    assert.deepEqual(await rows("SELECT id FROM iceberg.ev.s"), ["2", "3", "1"], "written in sort order");
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.ev.s SET PROPERTIES location = '/tmp/x'"),
      /cannot be changed/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.ev.s SET PROPERTIES nope = 1"),
      /'nope' does not exist/,
    );
    await assert.rejects(
      fx.session.execute(
        "ALTER TABLE iceberg.ev.s SET PROPERTIES partitioning = ARRAY['bucket(missing, 2)']",
      ),
      /missing/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.ev.s SET PROPERTIES format_version = 1"),
      /downgrade/,
    );
  });
});

describe("ALTER TABLE ... ALTER COLUMN ... SET DATA TYPE (type promotion)", () => {
  const fx = useTempLakehouse("ty");
  const rows = (sql: string) => textRows(fx.session, sql);

  it("widens int to bigint, real to double and decimal precision; old files read as the new type and still prune", async () => {
    await fx.session.execute("CREATE TABLE iceberg.ty.t (id INTEGER, v REAL, d DECIMAL(5, 2))");
    await fx.session.execute("INSERT INTO iceberg.ty.t VALUES (1, 1.5, 123.45), (2, 2.5, -1.00)");
    await fx.session.execute("ALTER TABLE iceberg.ty.t ALTER COLUMN id SET DATA TYPE BIGINT");
    await fx.session.execute("ALTER TABLE iceberg.ty.t ALTER COLUMN v SET DATA TYPE DOUBLE");
    await fx.session.execute("ALTER TABLE iceberg.ty.t ALTER COLUMN d SET DATA TYPE DECIMAL(12, 2)");
    await fx.session.execute("INSERT INTO iceberg.ty.t VALUES (5000000000, 0.1, 1234567890.12)");
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
    const rewritten = await fx.session.rewriteQuery("SELECT * FROM iceberg.ty.t WHERE id > 3");
    assert.equal(rewritten.scans[0]!.plan.tasks.length, 1, "the old file is pruned by its int bounds");
  });

  it("refuses narrowing and unrelated changes, naming column and types", async () => {
    await fx.session.execute("CREATE TABLE iceberg.ty.n (id BIGINT, s VARCHAR)");
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.ty.n ALTER COLUMN id SET DATA TYPE INTEGER"),
      /Cannot change type of column 'id' from long to int/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.ty.n ALTER COLUMN s SET DATA TYPE BIGINT"),
      /from string to long/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.ty.n ALTER COLUMN nope SET DATA TYPE BIGINT"),
      /'nope' does not exist/,
    );
  });
});

describe("ALTER TABLE column changes: nested fields, positions, NOT NULL, identifier fields", () => {
  const fx = useTempLakehouse("co");
  const rows = (sql: string) => textRows(fx.session, sql);
  const schema = async () =>
    (await fx.lakehouse.catalog("iceberg").loadTable({ namespace: ["co"], name: "t" })).schema();
  before(async () => {
    await fx.session.execute(
      "CREATE TABLE iceberg.co.t (id BIGINT NOT NULL, info ROW(a INTEGER, b VARCHAR), tags ARRAY(ROW(k VARCHAR)), v DOUBLE)",
    );
    await fx.session.execute("INSERT INTO iceberg.co.t VALUES (1, ROW(1, 'x'), ARRAY[ROW('t')], 1.0)");
  });

  it("adds nested fields (in a struct, in a list's element) and places columns FIRST, AFTER; old files read NULL for them", async () => {
    const before = await schema();
    await fx.session.execute("ALTER TABLE iceberg.co.t ADD COLUMN info.c DOUBLE");
    await fx.session.execute("ALTER TABLE iceberg.co.t ADD COLUMN tags.element.w INTEGER");
    await fx.session.execute("ALTER TABLE iceberg.co.t ADD COLUMN note VARCHAR COMMENT 'free text' FIRST");
    await fx.session.execute("ALTER TABLE iceberg.co.t ADD COLUMN z INTEGER AFTER id");
    await fx.session.execute("ALTER TABLE iceberg.co.t ADD COLUMN IF NOT EXISTS z INTEGER");
    await fx.session.execute("ALTER TABLE iceberg.co.t ALTER COLUMN v FIRST");
    await fx.session.execute("ALTER TABLE iceberg.co.t ALTER COLUMN info.c AFTER a");
    const after = await schema();
    // Existing fields keep their ids; new ones take ids above the old last-column-id.
    for (const name of ["id", "info.a", "info.b", "tags.element.k", "v"])
      assert.equal(after.findFieldByName(name)!.id, before.findFieldByName(name)!.id, name);
    const highest = before.highestFieldId();
    for (const name of ["info.c", "tags.element.w", "note", "z"])
      assert.ok(after.findFieldByName(name)!.id > highest, name);
    assert.deepEqual(
      (await rows("DESCRIBE iceberg.co.t")).map((r) => r.split("\t").slice(0, 2).join(" ")),
      [
        "v double",
        "note varchar",
        "id bigint",
        "z integer",
        "info row(a integer, c double, b varchar)",
        "tags array(row(k varchar, w integer))",
      ],
    );
    await fx.session.execute(
      "INSERT INTO iceberg.co.t (id, info, tags, v, note, z) VALUES (2, ROW(2, 2.5, 'y'), ARRAY[ROW('u', 7)], 2.0, 'n', 9)",
    );
    assert.deepEqual(await rows("SELECT * FROM iceberg.co.t ORDER BY id"), [
      "1.0\tNULL\t1\tNULL\t{'a': 1, 'c': NULL, 'b': x}\t[{'k': t, 'w': NULL}]",
      "2.0\tn\t2\t9\t{'a': 2, 'c': 2.5, 'b': y}\t[{'k': u, 'w': 7}]",
    ]);
  });

  it("drops and renames nested fields; data written before reads through field ids", async () => {
    await fx.session.execute("ALTER TABLE iceberg.co.t DROP COLUMN info.b");
    await fx.session.execute("ALTER TABLE iceberg.co.t RENAME COLUMN info.a TO aa");
    assert.deepEqual(await rows("SELECT id, info FROM iceberg.co.t ORDER BY id"), [
      "1\t{'aa': 1, 'c': NULL}",
      "2\t{'aa': 2, 'c': 2.5}",
    ]);
    assert.deepEqual(await rows("SELECT info.c FROM iceberg.co.t WHERE info.aa = 2"), ["2.5"]);
  });

  it("refuses positions outside the column's struct and unknown columns, naming them", async () => {
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t ALTER COLUMN z AFTER info.aa"),
      /Cannot place column 'z' after 'info.aa': not a column of the same struct/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t ADD COLUMN q INTEGER AFTER nope"),
      /Column 'nope' does not exist/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t ALTER COLUMN nope FIRST"),
      /Column 'nope' does not exist/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t ADD COLUMN info.aa BIGINT"),
      /Column 'info.aa' already exists/,
    );
    assert.equal((await schema()).findFieldByName("q"), undefined, "nothing was added");
  });

  it("sets and drops identifier fields under Iceberg's rules; DROP NOT NULL frees a former key", async () => {
    await fx.session.execute("ALTER TABLE iceberg.co.t SET IDENTIFIER FIELDS id");
    assert.deepEqual((await schema()).identifierFieldIds, [(await schema()).findFieldByName("id")!.id]);
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t SET IDENTIFIER FIELDS v"),
      /'v': double columns cannot be identifiers/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t SET IDENTIFIER FIELDS z"),
      /'z': column is not NOT NULL/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t SET IDENTIFIER FIELDS info"),
      /not a primitive/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t ALTER COLUMN id DROP NOT NULL"),
      /Cannot drop NOT NULL of identifier field 'id'/,
    );
    await assert.rejects(fx.session.execute("ALTER TABLE iceberg.co.t DROP COLUMN id"), /identifier field/);
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.co.t DROP IDENTIFIER FIELDS z"),
      /'z': not an identifier field/,
    );
    await fx.session.execute("ALTER TABLE iceberg.co.t DROP IDENTIFIER FIELDS id");
    assert.deepEqual((await schema()).identifierFieldIds, []);
    await fx.session.execute("ALTER TABLE iceberg.co.t ALTER COLUMN id DROP NOT NULL");
    assert.equal((await schema()).findFieldByName("id")!.required, false);
    await fx.session.execute("INSERT INTO iceberg.co.t (id) VALUES (NULL)");
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.co.t WHERE id IS NULL"), ["1"]);
  });
});
