import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { AlreadyExistsError, ValidationError } from "../../src/errors.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";

describe("branches and tags", () => {
  const fx = useTempLakehouse("br");
  const rows = (sql: string) => textRows(fx.session, sql);
  const call = (proc: string, args: string) =>
    fx.session.execute(`CALL iceberg.system.${proc}(schema_name => 'br', table_name => 't', ${args})`);
  before(async () => {
    await fx.session.execute("CREATE TABLE iceberg.br.t (id BIGINT, v VARCHAR)");
    await fx.session.execute("INSERT INTO iceberg.br.t VALUES (1, 'one'), (2, 'two')");
  });

  it("write-audit-publish: write to a branch, read it, fast-forward main", async () => {
    await call("create_branch", "branch => 'audit'");
    await fx.session.execute(`INSERT INTO iceberg.br."t@audit" VALUES (3, 'three')`);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.t"), ["2"], "main is untouched");
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.t FOR VERSION AS OF 'audit'"), ["3"]);
    assert.deepEqual(await rows('SELECT name, type FROM iceberg.br."t$refs" ORDER BY name'), [
      "audit\tBRANCH",
      "main\tBRANCH",
    ]);
    await call("fast_forward", "branch => 'main', to => 'audit'");
    assert.deepEqual(await rows("SELECT id FROM iceberg.br.t ORDER BY id"), ["1", "2", "3"]);
    // main moved on: the branch is no longer ahead, and a fast-forward back is refused.
    await fx.session.execute("INSERT INTO iceberg.br.t VALUES (4, 'four')");
    await assert.rejects(call("fast_forward", "branch => 'main', to => 'audit'"), /not an ancestor/);
    await call("drop_branch", "branch => 'audit'");
    assert.deepEqual(await rows('SELECT name FROM iceberg.br."t$refs"'), ["main"]);
    await assert.rejects(
      fx.session.execute(`INSERT INTO iceberg.br."t@audit" VALUES (9, 'x')`),
      /no such branch/,
    );
  });

  it("tags pin a snapshot; refs are created, replaced and dropped with clear errors", async () => {
    const [first] = await rows(
      'SELECT snapshot_id FROM iceberg.br."t$snapshots" ORDER BY committed_at LIMIT 1',
    );
    await call("create_tag", `tag => 'v1', snapshot_id => ${first}`);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.t FOR VERSION AS OF 'v1'"), ["2"]);
    await assert.rejects(call("create_tag", "tag => 'v1'"), AlreadyExistsError);
    await assert.rejects(fx.session.execute(`INSERT INTO iceberg.br."t@v1" VALUES (9, 'x')`), /it is a tag/);
    await call(
      "replace_tag",
      "tag => 'v1', snapshot_id => " +
        (
          await rows('SELECT snapshot_id FROM iceberg.br."t$snapshots" ORDER BY committed_at DESC LIMIT 1')
        )[0],
    );
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.t FOR VERSION AS OF 'v1'"), ["4"]);
    await assert.rejects(
      call("drop_branch", "branch => 'v1'"),
      (e: unknown) => e instanceof ValidationError && /does not exist/.test((e as Error).message),
    );
    await call("drop_tag", "tag => 'v1'");
    await assert.rejects(call("drop_branch", "branch => 'main'"), /Cannot drop the main branch/);
    await assert.rejects(
      call("create_branch", "branch => 'b', snapshot_id => 42"),
      /Snapshot 42 does not exist/,
    );
  });

  it("set_current_snapshot moves main to any snapshot or ref", async () => {
    const [first] = await rows(
      'SELECT snapshot_id FROM iceberg.br."t$snapshots" ORDER BY committed_at LIMIT 1',
    );
    await call("create_branch", "branch => 'keep'");
    await call("set_current_snapshot", `snapshot_id => ${first}`);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.t"), ["2"]);
    await call("set_current_snapshot", "ref => 'keep'");
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.t"), ["4"]);
    await assert.rejects(call("set_current_snapshot", "ref => 'nope'"), /Ref nope does not exist/);
  });

  it("DELETE, UPDATE and MERGE on a branch change only the branch; main stays as it was until fast_forward", async () => {
    await fx.session.execute("CREATE TABLE iceberg.br.w (id BIGINT, v VARCHAR, qty INTEGER)");
    await fx.session.execute("INSERT INTO iceberg.br.w SELECT i, 'v' || i, i FROM range(10) t(i)");
    await fx.session.execute("CALL iceberg.system.create_branch('br', 'w', 'fix')");
    const [mainBefore] = await rows("SELECT snapshot_id FROM iceberg.br.\"w$refs\" WHERE name = 'main'");
    // A column added after branching: branch reads and writes use the table's schema.
    await fx.session.execute("ALTER TABLE iceberg.br.w ADD COLUMN note VARCHAR");
    await fx.session.execute(`DELETE FROM iceberg.br."w@fix" WHERE id < 3`);
    await fx.session.execute(
      `UPDATE iceberg.br."w@fix" SET qty = qty * 10, note = 'fixed' WHERE id BETWEEN 3 AND 4`,
    );
    await fx.session.execute(`MERGE INTO iceberg.br."w@fix" t USING (VALUES (5, 'five'), (42, 'new')) s(id, v) ON t.id = s.id
      WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v, qty) VALUES (s.id, s.v, 0)`);
    assert.deepEqual(
      await rows("SELECT snapshot_id FROM iceberg.br.\"w$refs\" WHERE name = 'main'"),
      [mainBefore],
      "main did not move",
    );
    assert.deepEqual(await rows("SELECT count(*), sum(qty) FROM iceberg.br.w"), ["10\t45"]);
    const fixed = [
      "3\tv3\t30\tfixed",
      "4\tv4\t40\tfixed",
      "5\tfive\t5\tNULL",
      "6\tv6\t6\tNULL",
      "7\tv7\t7\tNULL",
      "8\tv8\t8\tNULL",
      "9\tv9\t9\tNULL",
      "42\tnew\t0\tNULL",
    ];
    assert.deepEqual(await rows("SELECT * FROM iceberg.br.w FOR VERSION AS OF 'fix' ORDER BY id"), fixed);
    // Three snapshots on the branch, each the parent of the next.
    const [fixHead] = await rows("SELECT snapshot_id FROM iceberg.br.\"w$refs\" WHERE name = 'fix'");
    const lineage = await rows(
      `WITH RECURSIVE chain(id, parent, n) AS (
         SELECT snapshot_id, parent_id, 1 FROM iceberg.br."w$snapshots" WHERE snapshot_id = ${fixHead}
         UNION ALL SELECT s.snapshot_id, s.parent_id, n + 1 FROM iceberg.br."w$snapshots" s JOIN chain c ON s.snapshot_id = c.parent)
       SELECT max(n) FROM chain`,
    );
    assert.deepEqual(lineage, ["4"]);
    await fx.session.execute("CALL iceberg.system.fast_forward('br', 'w', 'main', 'fix')");
    assert.deepEqual(await rows("SELECT * FROM iceberg.br.w ORDER BY id"), fixed);
    await fx.session.execute("CALL iceberg.system.create_tag('br', 'w', 'rel')");
    await assert.rejects(fx.session.execute(`DELETE FROM iceberg.br."w@rel" WHERE id = 3`), /it is a tag/);
    await assert.rejects(fx.session.execute(`UPDATE iceberg.br."w@nope" SET qty = 1`), /nope/);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.w"), ["8"]);
  });
});
