import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import { tempLakehouse, textRows } from "../helpers/lakehouse.js";

const MAIN = join(import.meta.dirname, "../../src/cli/aichemy.cts");

/** Runs `aichemy sql -e` in a child process and SIGKILLs it after `ms` (if still running). */
function killedWriter(dataDir: string, sql: string, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), MAIN, "--data-dir", dataDir, "sql", "-e", sql],
      {
        stdio: "ignore",
      },
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? `exit ${code}`);
    });
  });
}

// Iceberg commits are atomic: a writer killed at any moment leaves the table at its last
// committed snapshot (issue 4, "Bad input and faults"). The files a killed writer left are
// orphans, removed by remove_orphan_files only.
describe("a writer killed at any point", () => {
  let lakehouse: Lakehouse;
  let session: Session;
  let dir: string;
  let close: () => Promise<void>;
  const rows = (sql: string) => textRows(session, sql);
  before(async () => {
    ({ lakehouse, dir, close } = await tempLakehouse());
    session = await lakehouse.session();
    await session.execute("CREATE SCHEMA iceberg.k");
    await session.execute(
      "CREATE TABLE iceberg.k.t (id BIGINT, cat VARCHAR, pad VARCHAR) WITH (partitioning = ARRAY['cat'])",
    );
    await session.execute(
      "INSERT INTO iceberg.k.t SELECT i, ['a', 'b', 'c'][i % 3 + 1], repeat('x', 50) FROM range(100000) t(i)",
    );
  });
  after(async () => {
    session.close();
    await close();
  });

  it("leaves the table at a committed state, whatever the moment of the kill", async () => {
    const STATS =
      "SELECT count(*), count(*) FILTER (WHERE pad LIKE 'y%'), count(*) FILTER (WHERE id % 7 = 0), count(*) FILTER (WHERE id % 11 = 0 AND pad <> 'z') FROM iceberg.k.t";
    const stats = async () =>
      (await rows(STATS))[0]!.split("\t").map(Number) as [number, number, number, number];
    // Each write, and what must hold of the stats when it committed.
    const writes: [string, (before: number[], after: number[]) => boolean][] = [
      [
        "INSERT INTO iceberg.k.t SELECT i, ['a', 'b', 'c'][i % 3 + 1], repeat('y', 50) FROM range(100000, 400000) t(i)",
        (b, a) => a[0] === b[0]! + 300000 && a[1] === b[1]! + 300000,
      ],
      ["DELETE FROM iceberg.k.t WHERE id % 7 = 0", (_b, a) => a[2] === 0],
      ["UPDATE iceberg.k.t SET pad = 'z' WHERE id % 11 = 0", (b, a) => a[3] === 0 && a[0] === b[0]],
    ];
    const outcomes: string[] = [];
    for (const [n, ms] of [200, 900, 1600, 2300, 3000, 4000].entries()) {
      const [sql, committed] = writes[n % writes.length]!;
      const before = await stats();
      const snapshotsBefore = Number((await rows('SELECT count(*) FROM iceberg.k."t$snapshots"'))[0]);
      outcomes.push(await killedWriter(dir, sql, ms));
      const snapshotsAfter = Number((await rows('SELECT count(*) FROM iceberg.k."t$snapshots"'))[0]);
      const after = await stats();
      if (snapshotsAfter === snapshotsBefore)
        assert.deepEqual(after, before, `killed after ${ms} ms: unchanged`);
      else {
        assert.equal(snapshotsAfter, snapshotsBefore + 1, "at most the one commit");
        assert.ok(committed(before, after), `${sql}: all of its effect or none (${before} -> ${after})`);
      }
    }
    // Whatever the kills left behind is only garbage: orphan removal deletes it, the table stays whole.
    const beforeCleanup = await rows("SELECT count(*), sum(id) FROM iceberg.k.t");
    await rows("ALTER TABLE iceberg.k.t EXECUTE remove_orphan_files(retention_threshold => '0s')");
    assert.deepEqual(await rows("SELECT count(*), sum(id) FROM iceberg.k.t"), beforeCleanup);
    assert.ok(outcomes.includes("SIGKILL"), `some writers were killed mid-way: ${outcomes.join(", ")}`);
  });
});
