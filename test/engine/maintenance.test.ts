import assert from "node:assert/strict";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { localPathOf } from "../../src/io/location.js";
import { reachableFiles } from "../../src/table/purge.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";

describe("table maintenance: optimize, optimize_manifests, expire_snapshots, remove_orphan_files, rollback_to_snapshot", () => {
  const fx = useTempLakehouse("mt");
  const rows = (sql: string) => textRows(fx.session, sql);
  const load = (name: string) => fx.lakehouse.catalog("iceberg").loadTable({ namespace: ["mt"], name });
  const snapshotIds = async (name: string) =>
    rows(`SELECT snapshot_id FROM iceberg.mt."${name}$snapshots" ORDER BY committed_at, snapshot_id`);

  const create = async (name: string) => {
    await fx.session.execute(
      `CREATE TABLE iceberg.mt.${name} (id BIGINT, cat VARCHAR) WITH (partitioning = ARRAY['cat'])`,
    );
    for (const cat of ["a", "b", "c"])
      await fx.session.execute(`INSERT INTO iceberg.mt.${name} SELECT i, '${cat}' FROM range(10) t(i)`);
  };

  it("expires old snapshots and deletes exactly the files only they reached", async () => {
    await create("exp");
    await fx.session.execute("DELETE FROM iceberg.mt.exp WHERE cat = 'a'"); // drops cat=a's file
    await fx.session.execute("DELETE FROM iceberg.mt.exp WHERE cat = 'b' AND id < 3"); // position deletes
    const before = await load("exp");
    const everything = await reachableFiles(before);
    const ids = await snapshotIds("exp");
    assert.equal(ids.length, 5);
    // Tag the first snapshot: tagged snapshots are retained.
    await before.ops.commit(
      [],
      [{ action: "set-snapshot-ref", refName: "first", snapshotId: BigInt(ids[0]!), type: "tag" }],
    );
    // The default retention (5 days) keeps everything this young.
    const none = await rows("ALTER TABLE iceberg.mt.exp EXECUTE expire_snapshots");
    assert.deepEqual(none[0], "expired_snapshots_count\t0");
    const r = await rows("ALTER TABLE iceberg.mt.exp EXECUTE expire_snapshots(retention_threshold => '0s')");
    assert.equal(r[0], "expired_snapshots_count\t3", "all but the current and the tagged snapshot");
    assert.deepEqual(await snapshotIds("exp"), [ids[0]!, ids[4]!]);
    const afterTable = await load("exp");
    const live = await reachableFiles(afterTable);
    for (const f of live) assert.ok(existsSync(localPathOf(f)), `live file kept: ${f}`);
    const gone = [...everything].filter((f) => !live.has(f) && !f.endsWith(".metadata.json"));
    assert.ok(gone.length > 0);
    for (const f of gone) assert.ok(!existsSync(localPathOf(f)), `unreachable file deleted: ${f}`);
    // The cat=a data file is still reachable from the tagged snapshot, so it stays.
    assert.deepEqual(await rows(`SELECT count(*) FROM iceberg.mt.exp FOR VERSION AS OF ${ids[0]}`), ["10"]);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.mt.exp"), ["17"]);
    await assert.rejects(
      fx.session.execute(`SELECT * FROM iceberg.mt.exp FOR VERSION AS OF ${ids[2]}`),
      /does not exist/,
    );
    await assert.rejects(
      fx.session.execute(
        "ALTER TABLE iceberg.mt.exp EXECUTE expire_snapshots(retention_threshold => 'soon')",
      ),
      /retention_threshold: invalid duration/,
    );
  });

  it("removes orphan files older than the threshold and nothing that is referenced or new", async () => {
    await create("orph");
    const table = await load("orph");
    const dataDir = join(localPathOf(table.location()), "data");
    const metaDir = join(localPathOf(table.location()), "metadata");
    mkdirSync(join(dataDir, "cat=zz"), { recursive: true });
    const oldOrphans = [join(dataDir, "cat=zz", "leftover.parquet"), join(metaDir, "99999-x.metadata.json")];
    const newOrphan = join(dataDir, "in-flight.parquet");
    const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    for (const f of [...oldOrphans, newOrphan]) writeFileSync(f, "junk");
    for (const f of oldOrphans) utimesSync(f, old, old);
    // Referenced files are old too: age alone never deletes them.
    const live = await reachableFiles(table);
    for (const f of live) utimesSync(localPathOf(f), old, old);
    const r = await rows(
      "ALTER TABLE iceberg.mt.orph EXECUTE remove_orphan_files(retention_threshold => '1d')",
    );
    assert.deepEqual(r, ["deleted_files_count\t2"]);
    for (const f of oldOrphans) assert.ok(!existsSync(f), `old orphan removed: ${f}`);
    assert.ok(existsSync(newOrphan), "a file younger than the threshold stays");
    for (const f of live) assert.ok(existsSync(localPathOf(f)), `referenced file kept: ${f}`);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.mt.orph"), ["30"]);
  });

  it("rolls back to an ancestor snapshot, by ALTER TABLE EXECUTE and by CALL", async () => {
    await create("rb");
    const ids = await snapshotIds("rb");
    await fx.session.execute(`ALTER TABLE iceberg.mt.rb EXECUTE rollback_to_snapshot(${ids[1]})`);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.mt.rb"), ["20"]);
    await fx.session.execute(
      `CALL iceberg.system.rollback_to_snapshot(schema_name => 'mt', table_name => 'rb', snapshot_id => ${ids[0]})`,
    );
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.mt.rb"), ["10"]);
    // ids[2] is no longer an ancestor of the current snapshot.
    await assert.rejects(
      fx.session.execute(`ALTER TABLE iceberg.mt.rb EXECUTE rollback_to_snapshot(${ids[2]})`),
      /not an ancestor/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.mt.rb EXECUTE rollback_to_snapshot(42)"),
      /does not exist/,
    );
    await assert.rejects(fx.session.execute("ALTER TABLE iceberg.mt.rb EXECUTE nope()"), /not registered/);
  });
  it("optimize merges small files per partition and folds delete files in, keeping every row", async () => {
    await create("opt");
    for (const cat of ["a", "b"])
      await fx.session.execute(`INSERT INTO iceberg.mt.opt SELECT i + 100, '${cat}' FROM range(5) t(i)`);
    await fx.session.execute("DELETE FROM iceberg.mt.opt WHERE id IN (1, 2, 101)");
    const before = await rows("SELECT id, cat FROM iceberg.mt.opt ORDER BY cat, id");
    assert.deepEqual(
      await rows('SELECT content, count(*) FROM iceberg.mt."opt$files" GROUP BY 1 ORDER BY 1'),
      ["0\t5", "1\t3"],
    );
    const r = await rows("ALTER TABLE iceberg.mt.opt EXECUTE optimize(file_size_threshold => '10MB')");
    assert.deepEqual(r, [
      "rewritten_data_files_count\t5",
      "removed_delete_files_count\t3",
      "added_data_files_count\t3",
    ]);
    assert.deepEqual(await rows("SELECT id, cat FROM iceberg.mt.opt ORDER BY cat, id"), before);
    assert.deepEqual(
      await rows('SELECT content, count(*) FROM iceberg.mt."opt$files" GROUP BY 1 ORDER BY 1'),
      ["0\t3"],
    );
    const [op] = await rows(
      'SELECT operation FROM iceberg.mt."opt$snapshots" ORDER BY committed_at DESC LIMIT 1',
    );
    assert.equal(op, "replace");
    // Nothing left to gain: a second run rewrites nothing; a tiny threshold rewrites nothing either.
    assert.equal(
      (await rows("ALTER TABLE iceberg.mt.opt EXECUTE optimize"))[0],
      "rewritten_data_files_count\t0",
    );
    assert.equal(
      (await rows("ALTER TABLE iceberg.mt.opt EXECUTE optimize(file_size_threshold => '1B')"))[0],
      "rewritten_data_files_count\t0",
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.mt.opt EXECUTE optimize(file_size_threshold => 'big')"),
      /file_size_threshold: invalid data size/,
    );
  });

  it("optimize WHERE compacts only the files holding matching rows", async () => {
    await create("optw");
    for (const cat of ["a", "b", "c"])
      await fx.session.execute(`INSERT INTO iceberg.mt.optw SELECT i + 100, '${cat}' FROM range(5) t(i)`);
    const before = await rows("SELECT id, cat FROM iceberg.mt.optw ORDER BY cat, id");
    const filesPer = () =>
      rows(`SELECT partition.cat, count(*) FROM iceberg.mt."optw$files" GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(await filesPer(), ["a\t2", "b\t2", "c\t2"]);
    const r = await rows("ALTER TABLE iceberg.mt.optw EXECUTE optimize WHERE cat = 'b'");
    assert.deepEqual(r[0], "rewritten_data_files_count\t2");
    assert.deepEqual(await filesPer(), ["a\t2", "b\t1", "c\t2"]);
    // Any condition selects the files that hold a matching row, not only partition columns.
    await rows(
      "ALTER TABLE iceberg.mt.optw EXECUTE optimize(file_size_threshold => '10MB') WHERE id IN (5, 101) AND cat <> 'b'",
    );
    assert.deepEqual(await filesPer(), ["a\t1", "b\t1", "c\t1"]);
    assert.deepEqual(await rows("SELECT id, cat FROM iceberg.mt.optw ORDER BY cat, id"), before);
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.mt.optw EXECUTE optimize WHERE nope = 1"),
      /nope/,
    );
    await assert.rejects(
      fx.session.execute("ALTER TABLE iceberg.mt.optw EXECUTE expire_snapshots WHERE cat = 'a'"),
      /'expire_snapshots' does not accept a WHERE condition/,
    );
  });

  it("optimize_manifests merges the manifests of many appends into one, same files", async () => {
    await create("om");
    const files = await rows('SELECT file_path FROM iceberg.mt."om$files" ORDER BY 1');
    assert.deepEqual(await rows('SELECT count(*) FROM iceberg.mt."om$manifests"'), ["3"]);
    await fx.session.execute("ALTER TABLE iceberg.mt.om EXECUTE optimize_manifests");
    assert.deepEqual(await rows('SELECT count(*) FROM iceberg.mt."om$manifests"'), ["1"]);
    assert.deepEqual(await rows('SELECT file_path FROM iceberg.mt."om$files" ORDER BY 1'), files);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.mt.om"), ["30"]);
  });
});
