import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { deprioritizeWorkerThreads, WORKER_NICE } from "../../src/engine/execution/thread-priority.js";
import { tempLakehouse } from "../helpers/lakehouse.js";

/** The nice value of a thread of this process (field 19 of /proc/self/task/<tid>/stat). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

describe("thread priority", { skip: existsSync("/proc/self/task") ? false : "no /proc (not Linux)" }, () => {
  it("lowers every thread but the event loop's, DuckDB's included", async () => {
    const { lakehouse, close } = await tempLakehouse();
    try {
      const session = await lakehouse.session();
      await session.execute("SELECT sum(i) FROM range(1000000) t(i)"); // starts DuckDB's and libuv's threads
      const changed = deprioritizeWorkerThreads();
      const tids = readdirSync("/proc/self/task").map(Number);
      assert.ok(changed >= tids.length - 1 - 1, `changed ${changed} of ${tids.length}`);
      assert.equal(niceOf(process.pid), 0, "the event loop keeps its priority");
      const others = tids.filter((t) => t !== process.pid);
      assert.ok(others.length > 2);
      for (const t of others) if (existsSync(`/proc/self/task/${t}`)) assert.equal(niceOf(t), WORKER_NICE);
      session.close();
    } finally {
      await close();
    }
  });
});
