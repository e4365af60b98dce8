import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Session } from "../../src/engine/session.js";
import { textRows } from "../helpers/lakehouse.js";
import { pyicebergSkip, runPythonAsync } from "../helpers/python.js";
import {
  openRestClient,
  type RestClientLakehouse,
  startRestServer,
  type TestRestServer,
} from "../helpers/rest-server.js";

// PyIceberg's RestCatalog against our REST server (with OAuth2 client credentials on), and
// our engine reading and writing the same tables through our own REST client.
const CLIENT = join(import.meta.dirname, "pyiceberg_rest.py");
const CREDENTIAL = "pyiceberg:pyiceberg-secret";

describe("interop with PyIceberg through the REST catalog", { skip: pyicebergSkip }, () => {
  let server: TestRestServer;
  let client: RestClientLakehouse;
  let session: Session;
  const py = (...args: string[]) => runPythonAsync(CLIENT, [server.uri, CREDENTIAL, ...args]) as Promise<any>;
  before(async () => {
    server = await startRestServer({
      auth: { enabled: true, clients: { pyiceberg: "pyiceberg-secret", aichemy: "aichemy-secret" } },
    });
    client = await openRestClient(server, { credential: "aichemy:aichemy-secret" });
    session = client.session;
  });
  after(async () => {
    await client?.close();
    await server?.stop();
  });

  it("PyIceberg creates, appends, overwrites, deletes and evolves a partitioned table; we read it", async () => {
    const w = await py("write", "pyi.sales");
    assert.deepEqual(w.operations.slice(0, 2), ["append", "append"]);
    assert.ok(w.snapshots >= 5, JSON.stringify(w));
    assert.deepEqual(
      w.schema.map((f: unknown[]) => f[1]),
      ["id", "region", "total", "note"],
    );
    const theirs = await py("read", "pyi.sales");
    // eu 3..9 (0..2 deleted), us replaced by 100..104, one row after evolution.
    const expected = [...[3, 4, 5, 6, 7, 8, 9], ...[100, 101, 102, 103, 104], 200].sort((a, b) => a - b);
    assert.deepEqual(
      theirs.rows.map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b),
      expected,
    );
    const ours = await textRows(session, "SELECT id, region, total, note FROM rest.pyi.sales ORDER BY id");
    assert.deepEqual(
      ours.map((r) => Number(r.split("\t")[0])),
      expected,
    );
    assert.equal(ours.at(-1), "200\tap\t7.25\tafter evolution");
    assert.equal(
      ours[0],
      "3\teu\t4.5\tNULL",
      "renamed column keeps its values; the new one is NULL for old rows",
    );
    const [count] = await textRows(session, "SELECT count(*) FROM rest.pyi.sales WHERE region = 'us'");
    assert.equal(count, "5");
    const props = await textRows(session, 'SELECT count(*) FROM rest.pyi."sales$snapshots"');
    assert.equal(props[0], String(w.snapshots));
  });

  it("PyIceberg creates a table in a transaction (stage-create + assert-create)", async () => {
    const r = await py("staged", "pyi.staged");
    assert.equal(r.snapshots, 1);
    assert.equal(r.properties["created-by"], "pyiceberg-transaction");
    assert.deepEqual(await textRows(session, "SELECT k, v FROM rest.pyi.staged ORDER BY k"), [
      "1\tone",
      "2\ttwo",
    ]);
  });

  it("PyIceberg reads what we write through the REST catalog, prunes with our partitions, and appends to it", async () => {
    await session.execute("CREATE SCHEMA rest.ours");
    await session.execute(
      "CREATE TABLE rest.ours.events (id BIGINT, kind VARCHAR, ts TIMESTAMP) WITH (partitioning = ARRAY['kind', 'day(ts)'])",
    );
    await session.execute(
      "INSERT INTO rest.ours.events SELECT i, CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END, TIMESTAMP '2024-05-01' + INTERVAL (i) HOUR FROM range(50) t(i)",
    );
    const all = await py("read", "ours.events");
    assert.equal(all.rows.length, 50);
    const odd = await py("read", "ours.events", "kind = 'odd'");
    assert.equal(odd.rows.length, 25);
    assert.ok(odd.files < all.files, "PyIceberg pruned partitions we wrote");
    const appended = await py(
      "append",
      "ours.events",
      JSON.stringify([{ id: 999, kind: "py", ts: "2024-06-01T00:00:00" }]),
    );
    assert.equal(appended.snapshots, 2);
    assert.deepEqual(await textRows(session, "SELECT count(*), max(id) FROM rest.ours.events"), ["51\t999"]);
    const listing = await py("namespaces");
    assert.deepEqual(listing.ours, ["events"]);
  });
});
