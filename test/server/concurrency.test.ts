import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { RestCatalog } from "../../src/catalog/rest/rest-catalog.js";
import { Lakehouse } from "../../src/engine/lakehouse.js";
import { Schema } from "../../src/spec/schema.js";
import { Types } from "../../src/spec/types.js";
import { postgresSkip, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { startServeProcess } from "../helpers/serve-process.js";

// 64 writers x 50 appends to one table through the REST API (issue 3): one linear chain of
// snapshots, every row once, no 5xx, conflicts answered 409 and won after retries.
const WRITERS = Number(process.env.AICHEMY_CONCURRENCY_WRITERS ?? 64);
const APPENDS = Number(process.env.AICHEMY_CONCURRENCY_APPENDS ?? 50);

let pg: TestPostgres | undefined;
before(async () => {
  if (!postgresSkip) pg = await startPostgres();
});
after(() => pg?.stop());

for (const [label, skip, storeArgs] of [
  ["SQLite", false, () => []],
  ["PostgreSQL", postgresSkip, () => ["--catalog-url", pg!.database(`concurrency_${process.pid}`)]],
] as const) {
  describe(`concurrent appends through REST: ${label}`, { skip }, () => {
    it(`${WRITERS} writers x ${APPENDS} appends make one linear chain with every row once`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "concurrency-"));
      const server = await startServeProcess(["--data-dir", join(dir, "server"), ...storeArgs()]);
      const catalog = await RestCatalog.open({ name: "rest", uri: server.uri });
      const lakehouse = await Lakehouse.open({
        dataDir: join(dir, "client"),
        catalogs: new Map([["rest", catalog]]),
        threads: 2,
      });
      try {
        await catalog.createNamespace(["c"]);
        await catalog.createTable(
          { namespace: ["c"], name: "t" },
          {
            schema: new Schema(0, [
              { id: 1, name: "writer", required: true, type: Types.int },
              { id: 2, name: "n", required: true, type: Types.int },
            ]),
            properties: {
              "commit.retry.num-retries": "100000",
              "commit.retry.min-wait-ms": "20",
              "commit.retry.max-wait-ms": "5000",
              "commit.retry.total-timeout-ms": "1800000",
            },
          },
        );
        const started = Date.now();
        await Promise.all(
          Array.from({ length: WRITERS }, async (_, w) => {
            const session = await lakehouse.session({ catalog: "rest" });
            try {
              for (let n = 0; n < APPENDS; n++)
                await session.execute(`INSERT INTO rest.c.t VALUES (${w}, ${n})`);
            } finally {
              session.close();
            }
          }),
        );
        const seconds = (Date.now() - started) / 1000;
        const t = await catalog.loadTable({ namespace: ["c"], name: "t" });
        const md = t.metadata;
        const total = WRITERS * APPENDS;
        assert.equal(md.snapshots.length, total, "one snapshot per append");
        // Walk the chain from the current snapshot back to the root.
        const byId = new Map(md.snapshots.map((s) => [s.snapshotId, s]));
        let s = t.currentSnapshot();
        let length = 0;
        while (s) {
          length++;
          assert.equal(s.sequenceNumber, BigInt(total - length + 1), "sequence numbers descend one by one");
          s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId);
        }
        assert.equal(length, total, "every snapshot is on the main chain");
        const session = await lakehouse.session({ catalog: "rest" });
        const r = await session.execute("SELECT count(*), count(DISTINCT writer * 1000 + n) FROM rest.c.t");
        session.close();
        assert.deepEqual(r.rows[0]!.map(Number), [total, total], "every row present once");
        const statuses = Object.fromEntries(catalog.http.statusCounts);
        assert.ok(
          ![...catalog.http.statusCounts.keys()].some((st) => st >= 500),
          `no 5xx: ${JSON.stringify(statuses)}`,
        );
        assert.ok(
          (catalog.http.statusCounts.get(409) ?? 0) > 0,
          `conflicts were answered 409: ${JSON.stringify(statuses)}`,
        );
        process.stdout.write(
          `# ${label}: ${total} commits in ${seconds.toFixed(1)} s, responses ${JSON.stringify(statuses)}\n`,
        );
      } catch (e) {
        // A server that died (e.g. out of memory) explains itself in its output.
        const out = server.output();
        if (out)
          (e as Error).message += `\n--- aichemy serve output (last 4000 characters):\n${out.slice(-4000)}`;
        throw e;
      } finally {
        await lakehouse.close();
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
