import assert from "node:assert/strict";
import { request } from "node:http";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { type Logger, pino } from "pino";
import { EngineFailureError } from "../../src/engine/execution/duckdb-errors.js";
import { ExceededLimitError } from "../../src/errors.js";
import { tempLakehouse } from "../helpers/lakehouse.js";
import { startRestServer, type TestRestServer } from "../helpers/rest-server.js";

// A query that runs for minutes: only a cancel, a timeout or a limit ends it early.
const HEAVY = "SELECT sum(hash(i)) FROM range(20000000000) t(i)";

/** The server's log lines (pino JSON), for the outcome of each query. */
function captureLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n")) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  return { log: pino({ level: "info" }, sink) as unknown as Logger, lines };
}

/**
 * A query over a raw HTTP request whose reader pauses `pauseMs` after the first bytes
 * (`abandon`: then leaves instead of reading on).
 */
function rawQuery(
  server: TestRestServer,
  body: Record<string, unknown>,
  pauseMs: number,
  abandon = false,
): Promise<{ status: number; json: any }> {
  const url = new URL(`${server.uri}/api/v1/query`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { "content-type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.once("data", () => {
          res.pause();
          setTimeout(() => {
            if (abandon) {
              req.destroy();
              resolve({ status: res.statusCode!, json: undefined });
            } else res.resume();
          }, pauseMs);
        });
        res.on("end", () =>
          resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on("error", (e) => (abandon ? undefined : reject(e)));
    req.end(JSON.stringify(body));
  });
}

async function query(
  server: TestRestServer,
  body: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.uri}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  return { status: res.status, json: JSON.parse(await res.text()) };
}

/** Waits until `cond` holds (polling every 50 ms), failing after `ms`. */
async function eventually(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("query API: streamed, bounded, cancellable statements", () => {
  let server: TestRestServer;
  let lines: Record<string, unknown>[];
  before(async () => {
    const captured = captureLog();
    lines = captured.lines;
    server = await startRestServer({
      log: captured.log,
      queryLimits: { maxRows: 50_000, maxBytes: 64 * 1024 * 1024, timeoutMs: 60_000 },
      // Below libuv's pool (4 under a plain test runner, see execution/threadpool.ts).
      maxConcurrentStatements: 3,
    });
  });
  after(() => server?.stop());
  const outcomes = () => lines.filter((l) => l.path === "/api/v1/query");

  it("streams a result of many batches as one JSON document", async () => {
    const r = await query(server, {
      sql: "SELECT i, i * 2 AS j, 'v' || i AS s FROM range(30000) t(i) ORDER BY i",
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.columns, [
      { name: "i", type: "BIGINT" },
      { name: "j", type: "BIGINT" },
      { name: "s", type: "VARCHAR" },
    ]);
    assert.equal(r.json.rowCount, 30000);
    assert.equal(r.json.rows.length, 30000);
    assert.equal(r.json.truncated, false);
    assert.deepEqual(r.json.rows[29999], [29999, 59998, "v29999"]);
    assert.equal(r.json.error, undefined);
  });

  it("caps rows server-wide and per request; a request cannot raise the cap", async () => {
    const all = await query(server, { sql: "SELECT * FROM range(200000) t(i)" });
    assert.equal(all.json.rowCount, 50_000);
    assert.equal(all.json.rows.length, 50_000);
    assert.equal(all.json.truncated, true);
    const few = await query(server, { sql: "SELECT * FROM range(200000) t(i)", maxRows: 7 });
    assert.deepEqual(few.json.rows, [[0], [1], [2], [3], [4], [5], [6]]);
    assert.equal(few.json.truncated, true);
    const raised = await query(server, { sql: "SELECT * FROM range(200000) t(i)", maxRows: 10_000_000 });
    assert.equal(raised.json.rowCount, 50_000);
    const exact = await query(server, { sql: "SELECT * FROM range(7) t(i)", maxRows: 7 });
    assert.equal(exact.json.truncated, false, "a result of exactly the cap is whole");
  });

  it("caps bytes at a whole row", async () => {
    const r = await query(server, {
      sql: "SELECT 'x' || i AS s FROM range(1000) t(i) ORDER BY i",
      maxBytes: 40,
    });
    assert.equal(r.json.truncated, true);
    // ["x0"],["x1"],["x2"],["x3"],["x4"],["x5"] is 41 bytes: five rows fit in 40.
    assert.deepEqual(r.json.rows, [["x0"], ["x1"], ["x2"], ["x3"], ["x4"]]);
    assert.equal(r.json.rowCount, 5);
  });

  it("refuses malformed requests naming the field", async () => {
    for (const [body, field] of [
      [{ sql: 5 }, "sql"],
      [{ sql: " " }, "sql"],
      [{ sql: "SELECT 1", maxRows: -1 }, "maxRows"],
      [{ sql: "SELECT 1", timeoutMs: 1.5 }, "timeoutMs"],
      [{ sql: "SELECT 1", catalog: 3 }, "catalog"],
      [{ sql: "SELECT 1", extra: true }, "extra"],
    ] as const) {
      const r = await query(server, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.type, "BadRequestException");
      assert.match(r.json.error.message, new RegExp(field));
    }
  });

  it("fails a statement past its timeout with EXCEEDED_TIME_LIMIT, within seconds", async () => {
    const started = Date.now();
    const r = await query(server, { sql: HEAVY, timeoutMs: 300 });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.type, "ExceededLimitException");
    assert.match(r.json.error.message, /Query exceeded maximum time limit of 0\.30s/);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    await eventually(() => server.lakehouse.admission.running === 0, 5000, "the statement ends");
    assert.deepEqual((await query(server, { sql: "SELECT 42 AS x" })).json.rows, [[42]]);
  });

  it("cancels a statement whose client leaves before the first row", async () => {
    const before = outcomes().length;
    const abort = new AbortController();
    const pending = query(server, { sql: HEAVY }, abort.signal).catch((e: Error) => e);
    await eventually(() => server.lakehouse.admission.running === 1, 5000, "the statement runs");
    abort.abort();
    assert.ok((await pending) instanceof Error);
    await eventually(() => server.lakehouse.admission.running === 0, 5000, "the statement is canceled");
    await eventually(() => outcomes().length > before, 5000, "the outcome is logged");
    assert.match(String(outcomes().at(-1)!.err), /canceled/);
  });

  it("admits statements in turn: a queued one waits for a slot, then runs", async () => {
    const aborts = [0, 1, 2].map(() => new AbortController());
    const heavy = aborts.map((a) => query(server, { sql: HEAVY }, a.signal).catch(() => undefined));
    await eventually(() => server.lakehouse.admission.running === 3, 5000, "three statements run");
    const queued = query(server, { sql: "SELECT 7 AS x" });
    await eventually(() => server.lakehouse.admission.queued === 1, 5000, "the fourth waits");
    aborts[0]!.abort();
    assert.deepEqual((await queued).json.rows, [[7]]);
    for (const a of aborts) a.abort();
    await Promise.all(heavy);
    await eventually(() => server.lakehouse.admission.running === 0, 5000, "all canceled");
  });
});

describe("query API: backpressure", () => {
  let server: TestRestServer;
  let lines: Record<string, unknown>[];
  before(async () => {
    const captured = captureLog();
    lines = captured.lines;
    server = await startRestServer({
      log: captured.log,
      queryLimits: { maxRows: 0, maxBytes: 0, timeoutMs: 0 },
    });
  });
  after(() => server?.stop());

  it("streams no faster than the client reads, and a client that leaves mid-stream cancels", async () => {
    const sql = "SELECT i, 'padding-' || i AS s FROM range(100000000000) t(i)";
    await rawQuery(server, { sql }, 1500, true);
    await eventually(() => server.lakehouse.admission.running === 0, 5000, "the statement is canceled");
    await eventually(() => lines.some((l) => l.path === "/api/v1/query"), 5000, "logged");
    const outcome = lines.find((l) => l.path === "/api/v1/query")!;
    assert.equal(outcome.abandoned, true, JSON.stringify(outcome));
    // Unbounded, DuckDB makes tens of millions of these rows in 1.5 s; with backpressure only
    // what fits the socket buffers (a few MB) was sent.
    assert.ok(Number(outcome.rows) < 1_000_000, `rows sent: ${outcome.rows}`);
  });

  it("ends a document whose statement times out mid-stream with the error", async () => {
    // The client pauses after the first rows, past the timeout, then reads on.
    const r = await rawQuery(server, { sql: "SELECT * FROM range(100000000000) t(i)", timeoutMs: 400 }, 1500);
    assert.equal(r.status, 200, "the first rows were already sent");
    assert.ok(r.json.rowCount > 0 && r.json.rowCount === r.json.rows.length);
    assert.equal(r.json.truncated, undefined);
    assert.equal(r.json.error.type, "ExceededLimitException");
    assert.equal(r.json.error.code, 400);
  });
});

describe("engine failures stay with their statement", () => {
  it("a query past DuckDB's memory limit fails alone, with EXCEEDED_MEMORY_LIMIT", async () => {
    const server = await startRestServer({ memoryLimit: "100MB" });
    try {
      const r = await query(server, { sql: "SELECT list(i) FROM range(100000000) t(i)" });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.type, "ExceededLimitException");
      assert.match(r.json.error.message, /^Query exceeded the memory limit: /);
      assert.doesNotMatch(r.json.error.message, /SET threads|Possible solutions/);
      assert.deepEqual((await query(server, { sql: "SELECT 1 AS one" })).json.rows, [[1]]);
    } finally {
      await server.stop();
    }
  });

  // DuckDB 1.5.6 has no statement known to invalidate an instance on purpose (the bugs that did
  // were fixed), so this injects DuckDB's own FATAL message at the connection: what follows is
  // the real handling (translation, a new instance for new sessions, the old one closed).
  it("an instance invalidated by a fatal error is replaced for new sessions", async () => {
    const { lakehouse, close } = await tempLakehouse();
    try {
      const session = await lakehouse.session();
      const old = lakehouse.duck;
      session.duck.reader = () =>
        Promise.reject(
          new Error(
            'FATAL Error: Failed: database has been invalidated because of a previous fatal error. The database must be restarted prior to being used again.\nOriginal error: "Failed to bind column reference"',
          ),
        );
      await assert.rejects(session.execute("SELECT 1"), (e: unknown) => {
        assert.ok(e instanceof EngineFailureError);
        assert.match((e as Error).message, /restarted; run the statement again/);
        return true;
      });
      session.close();
      const next = await lakehouse.session();
      assert.notEqual(lakehouse.duck, old, "a new instance");
      assert.deepEqual((await next.execute("SELECT 5 AS five")).rows, [[5]]);
      // The new instance is sandboxed like the first.
      await assert.rejects(next.execute("SELECT * FROM read_csv('/etc/passwd')"), /Access Denied/);
      next.close();
    } finally {
      await close();
    }
  });

  it("in-process statements honour timeouts and signals too", async () => {
    const { lakehouse, close } = await tempLakehouse();
    try {
      const session = await lakehouse.session();
      await assert.rejects(session.execute(HEAVY, { timeoutMs: 200 }), ExceededLimitError);
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 200);
      await assert.rejects(session.execute(HEAVY, { signal: abort.signal }), /canceled/);
      assert.deepEqual((await session.execute("SELECT 3 AS x")).rows, [[3]]);
      lakehouse.cancelAll();
      await assert.rejects(session.execute("SELECT 3 AS x"), /shutting down/);
      session.close();
    } finally {
      await close();
    }
  });
});
