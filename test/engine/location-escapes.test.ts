/**
 * Issue 9, "Locations escape the warehouse", through SQL sessions: CREATE TABLE / CTAS
 * `location`, `extra_properties` write paths, ALTER TABLE SET PROPERTIES, CREATE SCHEMA
 * `location`, `register_table` and DROP TABLE purges go through the catalog's one location
 * check: a ValidationError naming the field, nothing written outside, nothing stored.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type { SqlCatalog } from "../../src/catalog/sql/sql-catalog.js";
import { ValidationError } from "../../src/errors.js";
import { fileUri, localPathOf } from "../../src/io/location.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";

/** A SQL string literal. */
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Asserts a ValidationError whose message starts with `field` and names the warehouse. */
function refused(field: string, warehouse: string, reason?: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.httpStatus, 400);
    assert.ok(e.message.startsWith(`${field} "`), `expected the field ${field} first: ${e.message}`);
    assert.ok(e.message.includes(`the warehouse ${warehouse}`), `expected the warehouse: ${e.message}`);
    if (reason) assert.match(e.message, reason);
    return true;
  };
}

describe("SQL: locations never escape the warehouse", () => {
  const fx = useTempLakehouse("s");
  let wh: string;
  let baseline: string[];
  /** The data directory around the warehouse: where the escapes below lead. */
  const outsideListing = () => readdirSync(fx.dir).sort();
  const tables = async () => textRows(fx.session, "SHOW TABLES FROM iceberg.s");
  const escapes = () => [
    `${wh}/s/%2e%2e/%2e%2e/evil`,
    `${wh}/s/%2E%2e/.%2E/evil`,
    `${wh}/s/%2e./%2E%2E/evil`,
    `${wh}/s/a%2fb`,
    `${wh}/s/a%5Cb`,
  ];

  before(async () => {
    wh = fileUri(join(fx.dir, "warehouse"));
    await fx.session.execute("CREATE TABLE iceberg.s.t (id BIGINT)");
    await fx.session.execute("INSERT INTO iceberg.s.t VALUES (1)");
    baseline = outsideListing();
  });

  it("CREATE TABLE and CTAS WITH (location = ...): refused naming `location`; no table, nothing outside", async () => {
    for (const location of escapes()) {
      await assert.rejects(
        fx.session.execute(`CREATE TABLE iceberg.s.evil (id BIGINT) WITH (location = ${lit(location)})`),
        refused("location", wh, /is refused: it contains an encoded/),
      );
      await assert.rejects(
        fx.session.execute(
          `CREATE TABLE iceberg.s.evil WITH (location = ${lit(location)}) AS SELECT 1 AS id`,
        ),
        refused("location", wh),
      );
    }
    assert.deepEqual(await tables(), ["t"]);
    assert.deepEqual(outsideListing(), baseline);
  });

  it("extra_properties write paths: refused on CREATE TABLE and ALTER TABLE SET PROPERTIES; properties unchanged", async () => {
    for (const key of [
      "write.data.path",
      "write.metadata.path",
      "write.object-storage.path",
      "write.folder-storage.path",
    ]) {
      const value = escapes()[0]!;
      await assert.rejects(
        fx.session.execute(
          `CREATE TABLE iceberg.s.evil (id BIGINT) WITH (extra_properties = MAP(ARRAY[${lit(key)}], ARRAY[${lit(value)}]))`,
        ),
        refused(`properties.${key}`, wh, /encoded dot segment/),
      );
      await assert.rejects(
        fx.session.execute(
          `ALTER TABLE iceberg.s.t SET PROPERTIES extra_properties = MAP(ARRAY[${lit(key)}], ARRAY[${lit(value)}])`,
        ),
        refused(`updates[0].updates.${key}`, wh, /encoded dot segment/),
      );
    }
    assert.deepEqual(await tables(), ["t"]);
    const props = await textRows(
      fx.session,
      `SELECT key FROM iceberg.s."t$properties" WHERE key LIKE 'write.%path'`,
    );
    assert.deepEqual(props, []);
    // The table still takes writes, inside the warehouse.
    await fx.session.execute("INSERT INTO iceberg.s.t VALUES (2)");
    assert.deepEqual(await textRows(fx.session, "SELECT count(*) FROM iceberg.s.t"), ["2"]);
    assert.deepEqual(outsideListing(), baseline);
  });

  it("CREATE SCHEMA WITH (location = ...): refused naming the namespace property; no schema", async () => {
    for (const location of [...escapes(), "file:///tmp/elsewhere", `${wh}/../elsewhere`]) {
      await assert.rejects(
        fx.session.execute(`CREATE SCHEMA iceberg.evil WITH (location = ${lit(location)})`),
        refused("namespace property location", wh),
      );
    }
    assert.ok(!(await textRows(fx.session, "SHOW SCHEMAS FROM iceberg")).includes("evil"));
    await fx.session.execute(`CREATE SCHEMA iceberg.good WITH (location = ${lit(`${wh}/good-place`)})`);
    assert.ok((await textRows(fx.session, "SHOW SCHEMAS FROM iceberg")).includes("good"));
  });

  it("register_table refuses what the REST register route refuses: a table outside the warehouse, or behind an escape", async () => {
    const src = (await fx.lakehouse.catalog("iceberg").loadTable({ namespace: ["s"], name: "t" })).metadata
      .location;
    cpSync(localPathOf(src), join(fx.dir, "outside-copy"), { recursive: true });
    baseline = outsideListing();
    const register = (location: string) =>
      fx.session.execute(
        `CALL iceberg.system.register_table(schema_name => 's', table_name => 'reg', table_location => ${lit(location)})`,
      );
    await assert.rejects(
      register(join(fx.dir, "outside-copy")),
      refused("table_location", wh, /is outside the warehouse/),
    );
    await assert.rejects(register(fileUri(join(fx.dir, "outside-copy"))), refused("table_location", wh));
    // A metadata file name that climbs out of an inside directory: not a file name (Trino's
    // "Invalid metadata file"), refused before the catalog's own check would refuse it.
    await assert.rejects(
      fx.session.execute(
        `CALL iceberg.system.register_table('s', 'reg', ${lit(localPathOf(src))}, '..%2f..%2f..%2f..%2foutside-copy%2fmetadata%2fv.json')`,
      ),
      (e: unknown) => e instanceof ValidationError && /^Invalid metadata file: /.test(e.message),
    );
    for (const [location, reason] of [
      [`${localPathOf(wh)}/s/../../outside-copy`, /'\.\.' segment/],
      [`${wh}/s/%2e%2e/%2e%2e/outside-copy`, /encoded dot segment/],
      [`${wh}/s/.%2E/%2e./outside-copy`, /encoded dot segment/],
      [`${wh}/%2e%2e%2foutside-copy`, /encoded '\/'/],
    ] as const) {
      await assert.rejects(register(location), (e: unknown) => {
        assert.ok(e instanceof ValidationError, String(e));
        assert.match(e.message, /^register_table: table_location ".*" is refused: it /);
        assert.match(e.message, reason);
        return true;
      });
    }
    assert.deepEqual(await tables(), ["t"]);
    // A table inside the warehouse registers (here: a copy of the table in a directory of its
    // own; the table's own directory is its, an alias of it is refused).
    await assert.rejects(
      fx.session.execute(
        `CALL iceberg.system.register_table(schema_name => 's', table_name => 'again', table_location => ${lit(localPathOf(src))})`,
      ),
      /is the directory of table s\.t/,
    );
    const copy = join(localPathOf(wh), "s", "t-copy");
    cpSync(localPathOf(src), copy, { recursive: true });
    await fx.session.execute(
      `CALL iceberg.system.register_table(schema_name => 's', table_name => 'again', table_location => ${lit(copy)})`,
    );
    assert.deepEqual(await textRows(fx.session, "SELECT count(*) FROM iceberg.s.again"), ["2"]);
    await fx.session.execute("CALL iceberg.system.unregister_table('s', 'again')");
    assert.deepEqual(outsideListing(), baseline);
  });

  it("a copied table whose metadata records a location outside registers read-only: reads work, commits are refused", async () => {
    const t = await fx.lakehouse.catalog("iceberg").loadTable({ namespace: ["s"], name: "t" });
    const copy = join(localPathOf(wh), "s", "copied");
    cpSync(localPathOf(t.metadata.location), copy, { recursive: true });
    const name = t.metadataLocation.slice(t.metadataLocation.lastIndexOf("/") + 1);
    const mdPath = join(copy, "metadata", name);
    const elsewhere = join(fx.dir, "elsewhere-table");
    writeFileSync(
      mdPath,
      JSON.stringify({ ...JSON.parse(readFileSync(mdPath, "utf8")), location: fileUri(elsewhere) }),
    );
    await fx.session.execute(
      `CALL iceberg.system.register_table(schema_name => 's', table_name => 'copied', table_location => ${lit(copy)}, metadata_file_name => ${lit(name)})`,
    );
    assert.deepEqual(await textRows(fx.session, "SELECT count(*) FROM iceberg.s.copied"), ["2"]);
    await assert.rejects(
      fx.session.execute("INSERT INTO iceberg.s.copied VALUES (3)"),
      refused("location", wh, /is outside the warehouse/),
    );
    assert.equal(existsSync(elsewhere), false, "nothing was written where the metadata points");
    await fx.session.execute("CALL iceberg.system.unregister_table('s', 'copied')");
  });

  it("a table whose stored metadata points outside (from before the check) is never written, cleaned or purged there", async () => {
    await fx.session.execute("CREATE TABLE iceberg.s.old (id BIGINT)");
    await fx.session.execute("INSERT INTO iceberg.s.old VALUES (1)");
    const catalog = fx.lakehouse.catalog("iceberg") as SqlCatalog;
    const id = { namespace: ["s"], name: "old" };
    const t = await catalog.loadTable(id);
    // What a server before the check let a client store: data redirected out of the warehouse.
    const outsideData = join(fx.dir, "outside-data");
    mkdirSync(outsideData);
    const victim = join(outsideData, "someone-elses.parquet");
    writeFileSync(victim, "keep me");
    const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    utimesSync(victim, old, old);
    const planted = `${t.metadata.location}/metadata/00009-planted.metadata.json`;
    const md = JSON.parse(readFileSync(localPathOf(t.metadataLocation), "utf8"));
    md.properties["write.data.path"] = `${wh}/s/old/%2e%2e/%2e%2e/%2e%2e/outside-data`;
    writeFileSync(localPathOf(planted), JSON.stringify(md));
    assert.ok(await catalog.rows.swap(id, t.metadataLocation, planted));

    await assert.rejects(fx.session.execute("INSERT INTO iceberg.s.old VALUES (2)"), ValidationError);
    // Cleaning the redirected data path is refused outright: nothing there is even listed.
    await assert.rejects(
      fx.session.execute(
        "ALTER TABLE iceberg.s.old EXECUTE remove_orphan_files(retention_threshold => '7d')",
      ),
      /prefix to list ".*outside-data\/" is refused: it contains an encoded dot segment/,
    );
    await fx.session.execute("DROP TABLE iceberg.s.old");
    assert.deepEqual(readdirSync(outsideData), ["someone-elses.parquet"]);
    assert.equal(readFileSync(victim, "utf8"), "keep me");
  });

  it("DROP TABLE purges no file outside the warehouse, even when the table's metadata names one", async () => {
    const t = await fx.lakehouse.catalog("iceberg").loadTable({ namespace: ["s"], name: "t" });
    const md = JSON.parse(readFileSync(localPathOf(t.metadataLocation), "utf8"));
    writeFileSync(join(fx.dir, "victim.txt"), "keep me");
    const dir = `${wh}/s/victim`;
    mkdirSync(join(localPathOf(dir), "metadata"), { recursive: true });
    const current = `${dir}/metadata/00001-current.metadata.json`;
    writeFileSync(
      localPathOf(current),
      JSON.stringify({
        ...md,
        location: dir,
        "current-snapshot-id": -1,
        snapshots: [],
        refs: {},
        "snapshot-log": [],
        "metadata-log": [
          { "metadata-file": `${dir}/metadata/%2e%2e/%2e%2e/%2e%2e/%2E%2E/victim.txt`, "timestamp-ms": 1 },
        ],
      }),
    );
    await fx.session.execute(
      `CALL iceberg.system.register_table(schema_name => 's', table_name => 'victim', table_location => ${lit(localPathOf(dir))})`,
    );
    await fx.session.execute("DROP TABLE iceberg.s.victim");
    assert.equal(readFileSync(join(fx.dir, "victim.txt"), "utf8"), "keep me");
    assert.equal(existsSync(localPathOf(current)), false, "files inside the warehouse are purged");
    assert.deepEqual(await tables(), ["t"]);
  });
});
