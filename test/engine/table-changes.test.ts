import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";

describe("change feed: TABLE(iceberg.system.table_changes(...))", () => {
  const fx = useTempLakehouse("cf");
  let snapshots: string[];
  const rows = (sql: string) => textRows(fx.session, sql);
  before(async () => {
    await fx.session.execute(
      "CREATE TABLE iceberg.cf.t (id BIGINT, v VARCHAR) WITH (partitioning = ARRAY['v'])",
    );
    await fx.session.execute("INSERT INTO iceberg.cf.t VALUES (1, 'a'), (2, 'b'), (3, 'a')");
    await fx.session.execute("INSERT INTO iceberg.cf.t VALUES (4, 'b')");
    await fx.session.execute("DELETE FROM iceberg.cf.t WHERE id = 1"); // a position delete
    await fx.session.execute("UPDATE iceberg.cf.t SET v = 'z' WHERE id = 2"); // delete + insert
    await fx.session.execute("DELETE FROM iceberg.cf.t WHERE v = 'b'"); // a whole file removed
    snapshots = await rows(
      'SELECT snapshot_id FROM iceberg.cf."t$snapshots" ORDER BY committed_at, snapshot_id',
    );
  });

  it("lists every insert and delete with its snapshot, in order", async () => {
    assert.deepEqual(
      await rows(
        "SELECT id, v, _change_type, _change_version_id, _change_ordinal FROM TABLE(iceberg.system.table_changes('cf', 't')) ORDER BY _change_ordinal, _change_type, id",
      ),
      [
        `1\ta\tinsert\t${snapshots[0]}\t1`,
        `2\tb\tinsert\t${snapshots[0]}\t1`,
        `3\ta\tinsert\t${snapshots[0]}\t1`,
        `4\tb\tinsert\t${snapshots[1]}\t2`,
        `1\ta\tdelete\t${snapshots[2]}\t3`,
        `2\tb\tdelete\t${snapshots[3]}\t4`,
        `2\tz\tinsert\t${snapshots[3]}\t4`,
        `4\tb\tdelete\t${snapshots[4]}\t5`,
      ],
    );
  });

  it("takes a range of snapshots by named arguments; the net effect matches the table", async () => {
    const between = await rows(
      `SELECT id, _change_type FROM TABLE(iceberg.system.table_changes(schema_name => 'cf', table_name => 't', start_snapshot_id => ${snapshots[1]}, end_snapshot_id => ${snapshots[3]})) c ORDER BY c._change_ordinal, id, c._change_type`,
    );
    assert.deepEqual(between, ["1\tdelete", "2\tdelete", "2\tinsert"]);
    // Inserts minus deletes over the whole history = the current rows.
    const net = await rows(`SELECT id, v FROM TABLE(iceberg.system.table_changes('cf', 't'))
      GROUP BY id, v HAVING sum(CASE _change_type WHEN 'insert' THEN 1 ELSE -1 END) > 0 ORDER BY id`);
    assert.deepEqual(net, await rows("SELECT id, v FROM iceberg.cf.t ORDER BY id"));
    assert.deepEqual(
      await rows(`SELECT count(*) FROM TABLE(iceberg.system.table_changes('cf', 't', ${snapshots[4]}))`),
      ["0"],
    );
  });

  it("names what is wrong: unknown table, unknown snapshot, a start after the end", async () => {
    await assert.rejects(
      fx.session.execute("SELECT * FROM TABLE(iceberg.system.table_changes('cf', 'nope'))"),
      /does not exist/,
    );
    await assert.rejects(
      fx.session.execute("SELECT * FROM TABLE(iceberg.system.table_changes('cf', 't', 42))"),
      /Snapshot 42 does not exist/,
    );
    await assert.rejects(
      fx.session.execute(
        `SELECT * FROM TABLE(iceberg.system.table_changes('cf', 't', ${snapshots[3]}, ${snapshots[1]}))`,
      ),
      /is not an ancestor/,
    );
  });
});
