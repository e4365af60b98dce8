import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DataError, ValidationError } from "../../src/errors.js";
import { ingestFiles } from "../../src/ingest/file-ingest.js";
import { sanitizeColumnName, sanitizeColumnNames } from "../../src/ingest/file-source.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";
import { shared, sharedSkip } from "../helpers/shared.js";

describe("column name sanitizing", () => {
  it("makes lower_snake_case names", () => {
    assert.equal(sanitizeColumnName("Created Date"), "created_date");
    assert.equal(sanitizeColumnName("X Coordinate (State Plane)"), "x_coordinate_state_plane");
    assert.equal(sanitizeColumnName("camelCaseID"), "camel_case_id");
    assert.equal(sanitizeColumnName("2020 total"), "_2020_total");
    assert.equal(sanitizeColumnName("Café"), "cafe");
    assert.deepEqual(sanitizeColumnNames(["a b", "A-B", ""]), ["a_b", "a_b_2", "column"]);
  });
});

// Ingest reads files from anywhere, as `aichemy ingest` may (the CLI opens exactly its input files).
const fx = useTempLakehouse(undefined, { localFileAccess: true });
let scratch: string;
before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "ingest-src-"));
});
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
});

const ingest = (
  files: string[],
  table: string,
  mode: "append" | "overwrite" = "append",
  schemaEvolution: "add" | "none" = "add",
) =>
  ingestFiles(fx.lakehouse.duck, fx.lakehouse.catalog(), {
    files,
    table: { namespace: table.split(".").slice(0, -1), name: table.split(".").at(-1)! },
    mode,
    schemaEvolution,
  });

describe("real data from ../shared/data/datasets/plotly", {
  skip: sharedSkip("data/datasets/plotly"),
}, () => {
  const animals = shared("data/datasets/plotly/311_Animals_short.csv");
  const indicators = shared("data/datasets/plotly/country_indicators.csv");
  const wells = shared("data/datasets/plotly/oil-and-gas.parquet");

  it("ingests CSV and answers aggregates identical to DuckDB on the source file", async () => {
    const r = await ingest([animals], "nyc.animals");
    assert.equal(r.created, true);
    const direct = await fx.lakehouse.duck.queryJS(
      `SELECT count(*)::VARCHAR AS n, count(DISTINCT "Agency")::VARCHAR AS agencies, round(sum("Latitude"), 6)::VARCHAR AS lat, max("Unique Key")::VARCHAR AS maxkey FROM read_csv('${animals}')`,
    );
    const ours = await textRows(
      fx.session,
      "SELECT count(*), count(DISTINCT agency), round(sum(latitude), 6), max(unique_key) FROM iceberg.nyc.animals",
    );
    const d = direct[0]!;
    assert.deepEqual(ours, [`${d.n}\t${d.agencies}\t${d.lat}\t${d.maxkey}`]);
    const byAgencyDirect = await fx.lakehouse.duck.queryJS(
      `SELECT "Agency" || ':' || count(*) AS k FROM read_csv('${animals}') GROUP BY "Agency" ORDER BY 1`,
    );
    const byAgency = await textRows(
      fx.session,
      "SELECT agency || ':' || count(*) FROM iceberg.nyc.animals GROUP BY agency ORDER BY 1",
    );
    assert.deepEqual(
      byAgency,
      byAgencyDirect.map((x) => String(x.k)),
    );
  });

  it("ingests a second CSV and Parquet, with quoted fields and empty values", async () => {
    await ingest([indicators], "wb.indicators");
    const direct = await fx.lakehouse.duck.queryJS(
      `SELECT count(*)::VARCHAR AS n, count("Value")::VARCHAR AS nonnull, round(sum("Value"), 3)::VARCHAR AS s, count(DISTINCT "Indicator Name")::VARCHAR AS ind FROM read_csv('${indicators}')`,
    );
    assert.deepEqual(
      await textRows(
        fx.session,
        "SELECT count(*), count(value), round(sum(value), 3), count(DISTINCT indicator_name) FROM iceberg.wb.indicators",
      ),
      [`${direct[0]!.n}\t${direct[0]!.nonnull}\t${direct[0]!.s}\t${direct[0]!.ind}`],
    );
    await ingest([wells], "energy.wells");
    const cols = (
      await fx.lakehouse.duck.reader(`SELECT * FROM read_parquet('${wells}') LIMIT 0`)
    ).columnNames();
    const numeric = (
      await fx.lakehouse.duck.queryJS(
        `SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('${wells}')) WHERE column_type IN ('DOUBLE', 'BIGINT', 'INTEGER') LIMIT 1`,
      )
    )[0]!.column_name as string;
    const directWells = await fx.lakehouse.duck.queryJS(
      `SELECT count(*)::VARCHAR AS n, round(sum("${numeric}"), 3)::VARCHAR AS s FROM read_parquet('${wells}')`,
    );
    const col = sanitizeColumnNames(cols)[cols.indexOf(numeric)]!;
    assert.deepEqual(
      await textRows(fx.session, `SELECT count(*), round(sum("${col}"), 3) FROM iceberg.energy.wells`),
      [`${directWells[0]!.n}\t${directWells[0]!.s}`],
    );
  });

  it("time travel returns the earlier state after a second ingest", async () => {
    const first = (await textRows(fx.session, `SELECT snapshot_id FROM iceberg.nyc."animals$snapshots"`))[0]!;
    await ingest([animals], "nyc.animals");
    const n = Number((await textRows(fx.session, "SELECT count(*) FROM iceberg.nyc.animals"))[0]);
    assert.deepEqual(
      await textRows(fx.session, `SELECT count(*) FROM iceberg.nyc.animals FOR VERSION AS OF ${first}`),
      [String(n / 2)],
    );
    await ingest([animals], "nyc.animals", "overwrite");
    assert.deepEqual(await textRows(fx.session, "SELECT count(*) FROM iceberg.nyc.animals"), [String(n / 2)]);
    assert.deepEqual(
      await textRows(
        fx.session,
        `SELECT operation FROM iceberg.nyc."animals$snapshots" ORDER BY committed_at`,
      ),
      ["append", "append", "overwrite"],
    );
  });
});

describe("bad input", () => {
  it("names the file and line of a malformed CSV row, and creates no table", async () => {
    const f = join(scratch, "ragged.csv");
    writeFileSync(f, "id,name\n1,a\n2,b,extra\n");
    await assert.rejects(
      ingest([f], "bad.ragged"),
      (e: unknown) => e instanceof DataError && e.message.includes("ragged.csv") && /line 3/.test(e.message),
    );
    assert.equal(await fx.lakehouse.catalog().tableExists({ namespace: ["bad"], name: "ragged" }), false);
  });

  it("names file, line and column of a value that does not fit an existing column, and leaves the table unchanged", async () => {
    const good = join(scratch, "good.csv");
    writeFileSync(good, "id,amount\n1,2.5\n2,3.5\n");
    await ingest([good], "bad.typed");
    const badFile = join(scratch, "bad-value.csv");
    writeFileSync(badFile, "id,amount\n3,1.0\nfour,2.0\n");
    await assert.rejects(
      ingest([badFile], "bad.typed"),
      (e: unknown) =>
        e instanceof DataError &&
        e.message.includes("bad-value.csv") &&
        /line 3/.test(e.message) &&
        /column id/.test(e.message),
    );
    assert.deepEqual(await textRows(fx.session, "SELECT count(*) FROM iceberg.bad.typed"), ["2"]);
    assert.deepEqual(await textRows(fx.session, `SELECT count(*) FROM iceberg.bad."typed$snapshots"`), ["1"]);
  });

  it("rejects unterminated quotes and columns the table does not have", async () => {
    const q = join(scratch, "quote.csv");
    writeFileSync(q, 'id,name\n1,"open\n');
    await assert.rejects(ingest([q], "bad.quote"), /quote\.csv.*unterminated quote/);
    const extra = join(scratch, "extra.csv");
    writeFileSync(extra, "id,amount,color\n5,1.0,red\n");
    await assert.rejects(
      ingest([extra], "bad.typed", "append", "none"),
      (e: unknown) => e instanceof ValidationError && /color/.test(e.message),
    );
  });

  it("evolves the schema on ingest: new columns added, int widened to bigint, in the data's commit", async () => {
    const first = join(scratch, "evo1.csv");
    writeFileSync(first, "id,qty\n1,5\n2,6\n");
    await ingest([first], "evo.t");
    const second = join(scratch, "evo2.csv");
    writeFileSync(second, "id,qty,color\n3,5000000000,red\n");
    await ingest([second], "evo.t");
    assert.deepEqual(await textRows(fx.session, "SELECT id, qty, color FROM iceberg.evo.t ORDER BY id"), [
      "1\t5\tNULL",
      "2\t6\tNULL",
      "3\t5000000000\tred",
    ]);
    const t = await fx.lakehouse.catalog().loadTable({ namespace: ["evo"], name: "t" });
    assert.deepEqual(
      t.schema().fields.map((f) => `${f.name}:${f.type.kind}`),
      ["id:long", "qty:long", "color:string"],
    );
    assert.equal(t.metadata.schemas.length, 2);
    assert.equal(
      t.currentSnapshot()!.schemaId,
      t.metadata.currentSchemaId,
      "the snapshot carries the new schema",
    );
    assert.deepEqual(
      await textRows(fx.session, 'SELECT count(*) FROM iceberg.evo."t$snapshots"'),
      ["2"],
      "one commit each",
    );
  });

  it("widens an INTEGER column to BIGINT when a file needs it", async () => {
    await fx.session.execute("CREATE TABLE iceberg.evo.w (id INTEGER, v REAL)");
    await fx.session.execute("INSERT INTO iceberg.evo.w VALUES (1, 1.5)");
    const big = join(scratch, "evo-big.csv");
    writeFileSync(big, "id,v\n5000000000,0.1\n");
    await ingest([big], "evo.w");
    const t = await fx.lakehouse.catalog().loadTable({ namespace: ["evo"], name: "w" });
    assert.deepEqual(
      t.schema().fields.map((f) => `${f.name}:${f.type.kind}`),
      ["id:long", "v:double"],
    );
    assert.deepEqual(await textRows(fx.session, "SELECT id FROM iceberg.evo.w ORDER BY id"), [
      "1",
      "5000000000",
    ]);
  });

  it("an upsert adds the file's new columns and widens types in the same commit as its rows", async () => {
    const upsert = (file: string) =>
      ingestFiles(fx.lakehouse.duck, fx.lakehouse.catalog(), {
        files: [file],
        table: { namespace: ["evo"], name: "u" },
        mode: "upsert",
        keys: ["id"],
        session: fx.session,
      });
    const first = join(scratch, "ups1.csv");
    writeFileSync(first, "id,qty\n1,5\n2,6\n3,7\n");
    await upsert(first);
    const second = join(scratch, "ups2.csv");
    writeFileSync(second, "id,qty,color\n2,5000000000,red\n4,8,blue\n");
    await upsert(second);
    assert.deepEqual(await textRows(fx.session, "SELECT id, qty, color FROM iceberg.evo.u ORDER BY id"), [
      "1\t5\tNULL",
      "2\t5000000000\tred",
      "3\t7\tNULL",
      "4\t8\tblue",
    ]);
    const t = await fx.lakehouse.catalog().loadTable({ namespace: ["evo"], name: "u" });
    assert.deepEqual(
      t.schema().fields.map((f) => `${f.name}:${f.type.kind}`),
      ["id:long", "qty:long", "color:string"],
    );
    assert.equal(
      t.currentSnapshot()!.schemaId,
      t.metadata.currentSchemaId,
      "the MERGE's snapshot has the new schema",
    );
    assert.equal(t.metadata.snapshots.length, 2, "schema and rows in one commit");
    // A refused upsert (a key twice) adds no column either.
    const dup = join(scratch, "ups3.csv");
    writeFileSync(dup, "id,size\n5,big\n5,small\n");
    await assert.rejects(upsert(dup), /key \(id=5\) appears 2 times/);
    const after = await fx.lakehouse.catalog().loadTable({ namespace: ["evo"], name: "u" });
    assert.equal(after.metadataLocation, t.metadataLocation);
  });

  it("a failed ingest changes neither data nor schema", async () => {
    const bad = join(scratch, "evo-bad.csv");
    writeFileSync(bad, "id,qty,size\n4,1,big\nfive,2,small\n");
    const before = await fx.lakehouse.catalog().loadTable({ namespace: ["evo"], name: "t" });
    await assert.rejects(
      ingest([bad], "evo.t"),
      (e: unknown) => e instanceof DataError && /line 3/.test(e.message),
    );
    const after = await fx.lakehouse.catalog().loadTable({ namespace: ["evo"], name: "t" });
    assert.equal(after.metadataLocation, before.metadataLocation);
    assert.equal(after.schema().fields.length, 3);
  });

  it("ingests JSON Lines and JSON arrays", async () => {
    const jl = join(scratch, "events.jsonl");
    writeFileSync(jl, '{"Event Type":"click","n":1}\n{"Event Type":"view","n":2}\n');
    const ja = join(scratch, "more.json");
    writeFileSync(ja, '[{"Event Type":"buy","n":3}]');
    await ingest([jl], "j.events");
    await ingest([ja], "j.events");
    assert.deepEqual(await textRows(fx.session, "SELECT event_type, n FROM iceberg.j.events ORDER BY n"), [
      "click\t1",
      "view\t2",
      "buy\t3",
    ]);
    const broken = join(scratch, "broken.jsonl");
    writeFileSync(broken, '{"n": 1}\n{"n": \n');
    await assert.rejects(ingest([broken], "j.broken"), DataError);
  });
});
