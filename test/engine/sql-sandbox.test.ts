/**
 * The SQL sandbox under attack (issue 9): the escape attempts of test/fixtures/sandbox-attempts.ts
 * through a Session, and a subset through `POST /api/v1/query` of a real server. Each must be
 * refused with its error class (HTTP status and REST type), in the user's terms (never our
 * rewritten SQL, never the lakehouse's paths unless the user wrote them), and leave no trace:
 * no canary from outside the lakehouse or private row in the answer, no table or schema created
 * or changed, no file outside the warehouse, no request to a local HTTP server. Then what must
 * still work: legitimate queries, and local files with local file access (the CLI's opt-in).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import {
  AccessDeniedError,
  type AIchemyError,
  AlreadyExistsError,
  NoSuchTableError,
  UnsupportedOperationError,
  ValidationError,
} from "../../src/errors.js";
import { localPathOf } from "../../src/io/location.js";
import { ATTEMPTS, type Attempt, type Refusal } from "../fixtures/sandbox-attempts.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";
import { startRestServer, type TestRestServer } from "../helpers/rest-server.js";

const CANARY = `CANARY-${randomUUID()}`;
const PRIVATE = `PRIVATE-${randomUUID()}`;
const outside = mkdtempSync(join(tmpdir(), "sandbox-outside-"));
writeFileSync(join(outside, "secret.csv"), `a,b\n${CANARY},1\n`);
writeFileSync(join(outside, "secret.json"), JSON.stringify({ a: CANARY }));

/** Requests the local HTTP server received (it serves the canary to anyone who asks). */
let requests = 0;
const web = createServer((_req, res) => {
  requests++;
  res.end(`a\n${CANARY}\n`);
});

/** What an attempt came to: a refusal of a kind, success, or some other error. */
interface Outcome {
  readonly refusal: Refusal | "ok" | "other";
  readonly message: string;
  /** Everything the caller got back (rows or error), to search for secrets. */
  readonly text: string;
}

/** A lakehouse under attack and how statements reach it. */
interface Target {
  readonly lakehouse: Lakehouse;
  readonly dir: string;
  /** Placeholder values (see the fixture). */
  readonly vars: Readonly<Record<string, string>>;
  run(sql: string): Promise<Outcome>;
}

const STATUS: Record<Refusal, { status: number; type: string }> = {
  denied: { status: 403, type: "ForbiddenException" },
  invalid: { status: 400, type: "BadRequestException" },
  missing: { status: 404, type: "NoSuchTableException" },
  unsupported: { status: 406, type: "UnsupportedOperationException" },
  conflict: { status: 409, type: "AlreadyExistsException" },
};

function refusalOf(e: unknown): Refusal | "other" {
  if (e instanceof AccessDeniedError) return "denied";
  if (e instanceof NoSuchTableError) return "missing";
  if (e instanceof UnsupportedOperationError) return "unsupported";
  if (e instanceof ValidationError) return "invalid";
  if (e instanceof AlreadyExistsError) return "conflict";
  return "other";
}

async function inProcess(session: Session, sql: string): Promise<Outcome> {
  try {
    const r = await session.execute(sql);
    return { refusal: "ok", message: "", text: JSON.stringify(r.rows, (_k, v) => String(v)) };
  } catch (e) {
    const refusal = refusalOf(e);
    const message = (e as Error).message;
    if (refusal !== "other") {
      // The class carries the REST type and status the query API answers with.
      const { status, type } = STATUS[refusal];
      assert.equal((e as AIchemyError).httpStatus, status);
      assert.equal((e as AIchemyError).restType, type);
    }
    return { refusal, message, text: `${(e as Error).name}: ${message}` };
  }
}

async function overHttp(uri: string, sql: string): Promise<Outcome> {
  const res = await fetch(`${uri}/api/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql, catalog: "iceberg", schema: "s" }),
  });
  const text = await res.text();
  if (res.ok) return { refusal: "ok", message: "", text };
  const error = (JSON.parse(text) as { error: { message: string; type: string } }).error;
  const refusal = (Object.keys(STATUS) as Refusal[]).find(
    (k) => STATUS[k].status === res.status && STATUS[k].type === error.type,
  );
  return { refusal: refusal ?? "other", message: error.message, text: `${res.status} ${text}` };
}

/** Creates `iceberg.s.t` and `iceberg.s.priv` (with the private row); returns the placeholders. */
async function prepare(session: Session, lakehouse: Lakehouse, dir: string): Promise<Record<string, string>> {
  await session.execute("CREATE SCHEMA IF NOT EXISTS iceberg.s");
  await session.execute("CREATE TABLE iceberg.s.t (id INTEGER, v VARCHAR)");
  await session.execute("INSERT INTO iceberg.s.t VALUES (1, 'a'), (2, 'b')");
  await session.execute("CREATE TABLE iceberg.s.priv (id INTEGER, secret VARCHAR)");
  await session.execute(`INSERT INTO iceberg.s.priv VALUES (1, '${PRIVATE}')`);
  const [file] = await textRows(session, `SELECT file_path FROM iceberg.s."priv$files"`);
  const priv = await lakehouse.catalog().loadTable({ namespace: ["s"], name: "priv" });
  const port = (web.address() as { port: number }).port;
  return {
    "%CANARY%": join(outside, "secret.csv"),
    "%OUT%": outside,
    "%DATA%": localPathOf(file!),
    "%META%": localPathOf(priv.metadataLocation),
    "%WH%": join(dir, "warehouse"),
    "%DIR%": dir,
    "%URL%": `http://127.0.0.1:${port}`,
  };
}

function fill(sql: string, vars: Readonly<Record<string, string>>): string {
  return sql.replace(/%[A-Z]+%/g, (k) => {
    const v = vars[k];
    if (v === undefined) throw new Error(`unknown placeholder ${k}`);
    return v;
  });
}

/** Files under `root` (relative paths), skipping top-level entries named in `skip`. */
function files(root: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (rel === "" && skip.includes(e.name)) continue;
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(dir, e.name), r);
      else out.push(r);
    }
  };
  walk(root, "");
  return out;
}

/** Schemas, tables (by metadata file) and files outside the warehouse: must not change. */
async function state(t: Target): Promise<string> {
  const lines: string[] = [];
  for (const [name, catalog] of t.lakehouse.catalogs) {
    const walk = async (parent: readonly string[]): Promise<void> => {
      for (const ns of await catalog.listNamespaces(parent)) {
        lines.push(`schema ${name}.${ns.join(".")}`);
        for (const id of await catalog.listTables(ns))
          lines.push(
            `table ${name}.${ns.join(".")}.${id.name} ${(await catalog.loadTable(id)).metadataLocation}`,
          );
        await walk(ns);
      }
    };
    await walk([]);
  }
  for (const f of files(t.dir, ["warehouse"])) lines.push(`lakehouse ${f}`);
  for (const f of files(outside)) lines.push(`outside ${f}`);
  // Relative names the attempts use (the working directory is shared with other test files).
  for (const f of ["secret.csv", "x.csv", "x.parquet", "x.db", "t.csv", "lakehouse", "export"])
    if (existsSync(f)) lines.push(`cwd ${f}`);
  return lines.sort().join("\n");
}

/** Runs one attempt against a target and checks the refusal and that nothing happened. */
async function attempt(t: Target, c: Attempt): Promise<void> {
  const sql = fill(c.sql, t.vars);
  const before = await state(t);
  const seen = requests;
  const out = await t.run(sql);
  assert.equal(out.refusal, c.expect, `expected ${c.expect}, got ${out.text}`);
  assert.match(out.message, c.names);
  assert.ok(!out.text.includes(CANARY), `the canary leaked: ${out.text}`);
  assert.ok(!out.text.includes(PRIVATE), `the private row leaked: ${out.text}`);
  assert.ok(!out.message.includes("read_parquet(["), `our rewritten SQL leaked: ${out.message}`);
  assert.ok(!out.message.includes("__aichemy"), `our internal names leaked: ${out.message}`);
  if (!c.warehouseInMessage && !sql.includes(t.dir))
    assert.ok(!out.message.includes(t.dir), `the lakehouse's path leaked: ${out.message}`);
  assert.equal(requests, seen, "the local HTTP server received a request");
  assert.equal(await state(t), before, "a schema, table or file changed");
}

describe("SQL sandbox", () => {
  const local = useTempLakehouse("s");
  let inSession: Target;
  let server: TestRestServer;
  let overApi: Target;

  before(async () => {
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    const session = local.session;
    inSession = {
      lakehouse: local.lakehouse,
      dir: local.dir,
      vars: await prepare(session, local.lakehouse, local.dir),
      run: (sql) => inProcess(session, sql),
    };
    await session.execute("USE iceberg.s");
    server = await startRestServer();
    const s = await server.lakehouse.session();
    try {
      overApi = {
        lakehouse: server.lakehouse,
        dir: server.dir,
        vars: await prepare(s, server.lakehouse, server.dir),
        run: (sql) => overHttp(server.uri, sql),
      };
    } finally {
      s.close();
    }
  });

  after(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => web.close(() => resolve()));
    rmSync(outside, { recursive: true, force: true });
  });

  describe("SQL sandbox: the attempts", () => {
    it("are at least 150 distinct statements, at least 40 of them also over HTTP", () => {
      assert.ok(ATTEMPTS.length >= 150, `${ATTEMPTS.length} attempts`);
      assert.equal(new Set(ATTEMPTS.map((c) => c.sql)).size, ATTEMPTS.length, "a statement is repeated");
      assert.equal(new Set(ATTEMPTS.map((c) => c.name)).size, ATTEMPTS.length, "a name is repeated");
      assert.ok(ATTEMPTS.filter((c) => c.http).length >= 40);
    });
  });

  describe("SQL sandbox: escape attempts through a Session", () => {
    for (const c of ATTEMPTS) it(`${c.expect}: ${c.name}`, () => attempt(inSession, c));
  });

  describe("SQL sandbox: escape attempts through POST /api/v1/query", () => {
    for (const c of ATTEMPTS.filter((x) => x.http)) it(`${c.expect}: ${c.name}`, () => attempt(overApi, c));
  });

  describe("SQL sandbox: errors point at the user's text", () => {
    const deniedAt = async (sql: string, line: number, column: number) => {
      const out = await inProcess(local.session, sql);
      assert.equal(out.refusal, "denied", out.text);
      assert.ok(out.message.startsWith(`line ${line}:${column}: Access Denied`), out.message);
    };
    it("in a query after a comment line", () =>
      deniedAt("-- a report\nSELECT * FROM read_csv('x.csv')", 2, 15));
    it("in INSERT ... SELECT (not the column in the query part)", () => {
      const sql = "INSERT INTO iceberg.s.t SELECT 1, a FROM read_csv('x.csv')";
      return deniedAt(sql, 1, sql.indexOf("read_csv") + 1);
    });
    it("in CREATE TABLE ... AS", () => {
      const sql = "CREATE TABLE iceberg.s.copy\n  COMMENT 'c'\n  AS SELECT * FROM glob('*')";
      return deniedAt(sql, 3, "  AS SELECT * FROM ".length + 1);
    });
    it("in EXPLAIN ANALYZE", () => deniedAt("EXPLAIN ANALYZE SELECT current_setting('threads')", 1, 24));
    it("without a position where the statement composes the query (UPDATE, DELETE, MERGE)", async () => {
      for (const sql of [
        "UPDATE iceberg.s.t SET v = (SELECT a FROM read_csv('x.csv'))",
        "DELETE FROM iceberg.s.t WHERE v = current_setting('threads')",
        "MERGE INTO iceberg.s.t USING (VALUES (1)) s(id) ON t.id = s.id WHEN MATCHED AND current_query() = '' THEN DELETE",
      ]) {
        const out = await inProcess(local.session, sql);
        assert.equal(out.refusal, "denied", out.text);
        assert.match(out.message, /^Access Denied: Cannot execute function /);
      }
    });
    // DuckDB quotes the text it ran around an error position: our rewritten query, with the
    // names of data files. The session drops that context.
    it("DuckDB's own errors do not show the rewritten query", async () => {
      for (const sql of ["SELECT * FROM iceberg.s.t WHERE id = 'abc'", "SELECT nosuch FROM iceberg.s.t"]) {
        const out = await inProcess(local.session, sql);
        assert.equal(out.refusal, "other", out.text);
        assert.ok(!/\.parquet|read_parquet|\bAS d\b|d\."id"/.test(out.message), out.message);
      }
    });
  });

  describe("SQL sandbox: legitimate queries still work", () => {
    const rows = (sql: string) => textRows(local.session, sql);
    let snapshotId: string;
    before(async () => {
      await local.session.execute("CREATE TABLE iceberg.s.ok (id INTEGER, v VARCHAR)");
      await local.session.execute("INSERT INTO iceberg.s.ok VALUES (1, 'one'), (2, 'two'), (3, 'three')");
      [snapshotId] = (await rows(`SELECT snapshot_id FROM iceberg.s."ok$snapshots"`)) as [string];
    });

    it("range and generate_series", async () => {
      assert.deepEqual(await rows("SELECT * FROM range(3)"), ["0", "1", "2"]);
      assert.deepEqual(await rows("SELECT * FROM generate_series(2, 4)"), ["2", "3", "4"]);
    });
    it("unnest and lambdas", async () => {
      assert.deepEqual(await rows("SELECT unnest(list_transform([1, 2], x -> x * 10))"), ["10", "20"]);
    });
    it("json_each", async () => {
      assert.deepEqual(await rows(`SELECT key, value FROM json_each('{"a": 1, "b": [2]}')`), [
        "a\t1",
        "b\t[2]",
      ]);
    });
    it("information_schema and pg_catalog views", async () => {
      const schemas = await rows("SELECT DISTINCT schema_name FROM information_schema.schemata ORDER BY 1");
      assert.ok(schemas.includes("information_schema") && schemas.includes("pg_catalog"), schemas.join());
      assert.ok((await rows("SELECT nspname FROM pg_catalog.pg_namespace")).includes("main"));
    });
    it("lakehouse tables, a CTE named after the table it reads, and a recursive CTE", async () => {
      assert.deepEqual(await rows("SELECT v FROM iceberg.s.ok WHERE id > 1 ORDER BY id"), ["two", "three"]);
      assert.deepEqual(await rows("WITH ok AS (SELECT * FROM ok WHERE id = 1) SELECT v FROM ok"), ["one"]);
      assert.deepEqual(
        await rows(
          "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r",
        ),
        ["1", "2", "3"],
      );
    });
    it("metadata tables", async () => {
      assert.deepEqual(await rows(`SELECT count(*) FROM "ok$snapshots"`), ["1"]);
      assert.deepEqual(await rows(`SELECT record_count FROM "ok$files"`), ["3"]);
    });
    it("table_changes", async () => {
      assert.deepEqual(
        await rows("SELECT v, _change_type FROM TABLE(iceberg.system.table_changes('s', 'ok')) ORDER BY id"),
        ["one\tinsert", "two\tinsert", "three\tinsert"],
      );
    });
    it("time travel with constant expressions", async () => {
      assert.deepEqual(
        await rows(`SELECT count(*) FROM ok FOR VERSION AS OF CAST('${snapshotId}' AS BIGINT) + 0`),
        ["3"],
      );
      assert.deepEqual(
        await rows("SELECT count(*) FROM ok FOR TIMESTAMP AS OF current_timestamp + INTERVAL '1' DAY"),
        ["3"],
      );
    });
    it("CTAS, INSERT ... SELECT and MERGE from lakehouse tables", async () => {
      await local.session.execute("CREATE TABLE iceberg.s.ok2 AS SELECT * FROM ok WHERE id < 3");
      await local.session.execute("INSERT INTO iceberg.s.ok2 SELECT id + 10, upper(v) FROM ok");
      assert.deepEqual(await rows("SELECT count(*) FROM ok2"), ["5"]);
      await local.session.execute(
        "MERGE INTO ok2 USING (SELECT * FROM ok WHERE id = 1) s ON ok2.id = s.id WHEN MATCHED THEN UPDATE SET v = 'merged'",
      );
      assert.deepEqual(await rows("SELECT v FROM ok2 WHERE id = 1"), ["merged"]);
    });
    it("MERGE with only a DELETE clause (found broken: a CASE without WHEN)", async () => {
      await local.session.execute(
        "MERGE INTO ok2 USING (SELECT id FROM ok WHERE id = 2) s ON ok2.id = s.id WHEN MATCHED THEN DELETE",
      );
      assert.deepEqual(await rows("SELECT id FROM ok2 ORDER BY id"), ["1", "11", "12", "13"]);
    });
    it("EXPLAIN of a lakehouse query", async () => {
      const r = await local.session.execute("EXPLAIN SELECT count(*) FROM ok WHERE id = 1");
      assert.ok(r.rows.length > 0);
    });
    it("CREATE TABLE in an empty directory of the warehouse, and CREATE OR REPLACE on its own location", async () => {
      const location = join(local.dir, "warehouse", "s", "placed");
      mkdirSync(location);
      await local.session.execute(
        `CREATE TABLE iceberg.s.placed WITH (location = '${location}') AS SELECT 1 AS a`,
      );
      await local.session.execute(
        `CREATE OR REPLACE TABLE iceberg.s.placed WITH (location = '${location}') AS SELECT 2 AS a`,
      );
      assert.deepEqual(await rows("SELECT a FROM placed"), ["2"]);
    });
    it("register_table of a table inside the warehouse", async () => {
      await local.session.execute("CALL iceberg.system.unregister_table('s', 'ok2')");
      await local.session.execute(
        `CALL iceberg.system.register_table('s', 'ok2', '${join(local.dir, "warehouse", "s", "ok2")}')`,
      );
      assert.deepEqual(await rows("SELECT count(*) FROM ok2"), ["4"]);
    });
    it("the session still answers after every refusal", async () => {
      assert.deepEqual(await rows("SELECT count(*) FROM iceberg.s.t"), ["2"]);
    });
  });

  describe("SQL sandbox: local file access (aichemy sql --allow-local-files)", () => {
    const open = useTempLakehouse("s", { localFileAccess: true });
    const csv = join(outside, "secret.csv");
    it("reads a local CSV with read_csv and as FROM 'file.csv'", async () => {
      assert.deepEqual(await textRows(open.session, `SELECT a FROM read_csv('${csv}')`), [CANARY]);
      assert.deepEqual(await textRows(open.session, `SELECT a FROM '${csv}'`), [CANARY]);
    });
    it("still refuses settings, SQL in strings and qualified file names", async () => {
      for (const [sql, names] of [
        ["SELECT current_setting('threads')", /current_setting/],
        ["SELECT * FROM duckdb_settings()", /duckdb_settings/],
        ["SELECT * FROM pg_catalog.pg_settings", /pg_settings/],
        ["SELECT * FROM query('SELECT 1')", /query/],
        ["SELECT json_serialize_plan('SELECT 1')", /json_serialize_plan/],
        [`SELECT * FROM information_schema."${csv}"`, /secret\.csv/],
      ] as const) {
        const out = await inProcess(open.session, sql);
        assert.equal(out.refusal, "denied", `${sql}: ${out.text}`);
        assert.match(out.message, names);
      }
    });
    it("still refuses a metadata_file_name that is a path", async () => {
      await open.session.execute("CREATE TABLE iceberg.s.x (a INTEGER)");
      const out = await inProcess(
        open.session,
        `CALL iceberg.system.register_table('s', 'y', '${join(open.dir, "warehouse", "s", "x")}', '../../../../../..${csv}')`,
      );
      assert.equal(out.refusal, "invalid", out.text);
      assert.ok(!out.text.includes(CANARY), out.text);
    });
    it("fetches nothing from a URL (no extension is loaded or installed)", async () => {
      const port = (web.address() as { port: number }).port;
      const seen = requests;
      const out = await inProcess(open.session, `SELECT * FROM read_csv('http://127.0.0.1:${port}/x.csv')`);
      assert.notEqual(out.refusal, "ok", out.text);
      assert.ok(!out.text.includes(CANARY), out.text);
      assert.equal(requests, seen);
    });
  });
});
