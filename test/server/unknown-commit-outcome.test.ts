import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CommitStateUnknownError } from "../../src/errors.js";
import { localPathOf } from "../../src/io/location.js";
import { reachableFiles } from "../../src/table/purge.js";
import { textRows } from "../helpers/lakehouse.js";
import {
  openRestClient,
  type RestClientLakehouse,
  startRestServer,
  type TestRestServer,
} from "../helpers/rest-server.js";

/**
 * A gateway in front of the real REST server that breaks table commits on demand, the way a
 * load balancer does on a timeout: `after` forwards the commit (it lands) and answers 502;
 * `before` answers 504 without forwarding (it does not land). Either way the client cannot
 * know the outcome.
 */
class FaultyGateway {
  mode: "pass" | "after" | "before" = "pass";
  readonly #server: Server;
  constructor(readonly target: string) {
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        (e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        },
      );
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
  }
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
  async #handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const isCommit = req.method === "POST" && /\/namespaces\/[^/]+\/tables\/[^/]+$/.test(req.url ?? "");
    const fault = isCommit ? this.mode : "pass";
    if (fault === "before") return { status: 504, headers: {}, body: Buffer.from("Gateway Timeout") };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
    const upstream = await fetch(`${this.target}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (fault === "after") return { status: 502, headers: {}, body: Buffer.from("Bad Gateway") };
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== "content-length" && k !== "content-encoding" && k !== "transfer-encoding") out[k] = v;
    });
    return { status: upstream.status, headers: out, body };
  }
}

/** Every file under a local directory. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

// Iceberg spec "Commit Conflict Resolution and Retry" / Iceberg Java `CommitStateUnknownException`:
// when a commit's outcome is unknown, the writer must not delete what it wrote, or a commit
// that did land would reference missing files.
describe("an unknown commit outcome (5xx from a gateway) never deletes written files", () => {
  let server: TestRestServer;
  let gateway: FaultyGateway;
  let faulty: RestClientLakehouse;
  let direct: RestClientLakehouse;
  before(async () => {
    server = await startRestServer();
    gateway = new FaultyGateway(server.uri);
    const uri = await gateway.listen();
    faulty = await openRestClient(server, {}, { uri, name: "faulty" });
    direct = await openRestClient(server, {}, { name: "direct" });
    await faulty.session.execute("CREATE SCHEMA rest.uc");
    await faulty.session.execute(
      "CREATE TABLE rest.uc.t (id BIGINT, cat VARCHAR) WITH (partitioning = ARRAY['cat'])",
    );
    await faulty.session.execute(
      "INSERT INTO rest.uc.t SELECT i, ['a', 'b'][i % 2 + 1] FROM range(100) t(i)",
    );
  });
  after(async () => {
    await faulty?.close();
    await direct?.close();
    await gateway?.close();
    await server?.stop();
  });

  const load = () => direct.lakehouse.catalog("rest").loadTable({ namespace: ["uc"], name: "t" });
  const rows = (sql: string) => textRows(direct.session, sql);
  /** Asserts every file the table references exists; returns the local paths on disk under it. */
  const checkTable = async () => {
    const table = await load();
    for (const f of await reachableFiles(table))
      assert.ok(existsSync(localPathOf(f)), `referenced file exists: ${f}`);
    return new Set(filesUnder(localPathOf(`${table.location()}/data`)));
  };

  // Each statement's effect must be there exactly once, its files all present.
  for (const [what, sql, check, expected] of [
    [
      "INSERT",
      "INSERT INTO rest.uc.t SELECT i, 'c' FROM range(100, 110) t(i)",
      "SELECT count(*), count(*) FILTER (WHERE cat = 'c') FROM rest.uc.t",
      "110\t10",
    ],
    [
      "DELETE (position deletes)",
      "DELETE FROM rest.uc.t WHERE id % 10 = 3",
      "SELECT count(*), count(*) FILTER (WHERE id % 10 = 3) FROM rest.uc.t",
      "99\t0",
    ],
    [
      "UPDATE",
      "UPDATE rest.uc.t SET cat = 'u' WHERE id < 5",
      "SELECT count(*), string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FILTER (WHERE cat = 'u') FROM rest.uc.t",
      "99\t0,1,2,4",
    ],
  ] as const) {
    it(`${what}: the commit lands behind a 502; the table reads completely`, async () => {
      gateway.mode = "after";
      try {
        await assert.rejects(
          faulty.session.execute(sql),
          (e: unknown) => e instanceof CommitStateUnknownError,
        );
      } finally {
        gateway.mode = "pass";
      }
      await checkTable();
      assert.deepEqual(await rows(check), [expected]);
    });
  }

  it("a commit that never reached the server: the table is unchanged, the files stay until remove_orphan_files", async () => {
    const beforeFiles = await checkTable();
    const beforeSnapshot = (await load()).metadata.currentSnapshotId;
    const [beforeCount] = await rows("SELECT count(*) FROM rest.uc.t");
    gateway.mode = "before";
    try {
      await assert.rejects(
        faulty.session.execute("INSERT INTO rest.uc.t SELECT i, 'z' FROM range(200, 220) t(i)"),
        (e: unknown) => e instanceof CommitStateUnknownError,
      );
    } finally {
      gateway.mode = "pass";
    }
    assert.equal((await load()).metadata.currentSnapshotId, beforeSnapshot);
    assert.deepEqual(await rows("SELECT count(*) FROM rest.uc.t"), [beforeCount]);
    const kept = [...(await checkTable())].filter((f) => !beforeFiles.has(f));
    assert.ok(kept.length > 0, "the data files of the unknown commit were not deleted");
    await direct.session.execute(
      "ALTER TABLE rest.uc.t EXECUTE remove_orphan_files(retention_threshold => '0s')",
    );
    for (const f of kept) assert.ok(!existsSync(f), `orphan removed: ${f}`);
    await checkTable();
    assert.deepEqual(await rows("SELECT count(*) FROM rest.uc.t"), [beforeCount]);
  });
});
