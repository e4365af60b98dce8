import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import { AlreadyExistsError, ValidationError } from "../../src/errors.js";
import { tempLakehouse, textRows } from "../helpers/lakehouse.js";

describe("branches and tags", () => {
  let lakehouse: Lakehouse;
  let session: Session;
  let close: () => Promise<void>;
  const rows = (sql: string) => textRows(session, sql);
  const call = (proc: string, args: string) =>
    session.execute(`CALL iceberg.system.${proc}(schema_name => 'br', table_name => 't', ${args})`);
  before(async () => {
    ({ lakehouse, close } = await tempLakehouse());
    session = await lakehouse.session();
    await session.execute("CREATE SCHEMA iceberg.br");
    await session.execute("CREATE TABLE iceberg.br.t (id BIGINT, v VARCHAR)");
    await session.execute("INSERT INTO iceberg.br.t VALUES (1, 'one'), (2, 'two')");
  });
  after(async () => {
    session.close();
    await close();
  });

  it("write-audit-publish: write to a branch, read it, fast-forward main", async () => {
    await call("create_branch", "branch => 'audit'");
    await session.execute(`INSERT INTO iceberg.br."t@audit" VALUES (3, 'three')`);
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.t"), ["2"], "main is untouched");
    assert.deepEqual(await rows("SELECT count(*) FROM iceberg.br.t FOR VERSION AS OF 'audit'"), ["3"]);
    assert.deepEqual(await rows('SELECT name, type FROM iceberg.br."t$refs" ORDER BY name'), [
      "audit\tBRANCH",
      "main\tBRANCH",
    ]);
    await call("fast_forward", "branch => 'main', to => 'audit'");
    assert.deepEqual(await rows("SELECT id FROM iceberg.br.t ORDER BY id"), ["1", "2", "3"]);
    // main moved on: the branch is no longer ahead, and a fast-forward back is refused.
    await session.execute("INSERT INTO iceberg.br.t VALUES (4, 'four')");
    await assert.rejects(call("fast_forward", "branch => 'main', to => 'audit'"), /not an ancestor/);
    await call("drop_branch", "branch => 'audit'");
    assert.deepEqual(await rows('SELECT name FROM iceberg.br."t$refs"'), ["main"]);
    await assert.rejects(
      session.execute(`INSERT INTO iceberg.br."t@audit" VALUES (9, 'x')`),
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
    await assert.rejects(session.execute(`INSERT INTO iceberg.br."t@v1" VALUES (9, 'x')`), /it is a tag/);
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
});
