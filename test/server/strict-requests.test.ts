import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { localPathOf } from "../../src/io/location.js";
import { schemaToJson } from "../../src/spec/codec/schema-json.js";
import { schema } from "../catalog/catalog-contract.js";
import { textRows } from "../helpers/lakehouse.js";
import { type RestAnswer, restCall, startRestServer, type TestRestServer } from "../helpers/rest-server.js";

/** A JSON call with a raw text body: status and parsed body. */
function call(server: TestRestServer, method: string, path: string, body?: string): Promise<RestAnswer> {
  return restCall(server, method, path, { body });
}

/** Asserts a 400 BadRequestException whose message matches. */
function assertBadRequest(r: { status: number; body: any }, message: RegExp): void {
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.type, "BadRequestException");
  assert.match(r.body.error.message, message);
}

const RLO = "\u202E";

describe("strict request decoding: JSON, types and names", () => {
  let server: TestRestServer;
  const table = "/v1/iceberg/namespaces/db/tables/t";
  let metadataLocation: string;
  let snapshotId: string;
  before(async () => {
    server = await startRestServer();
    const s = await server.lakehouse.session();
    await s.execute("CREATE SCHEMA iceberg.db");
    await s.execute("CREATE TABLE iceberg.db.t (id BIGINT, kind VARCHAR)");
    await s.execute("INSERT INTO iceberg.db.t VALUES (1, 'a')");
    snapshotId = String((await s.execute('SELECT snapshot_id FROM iceberg.db."t$snapshots"')).rows[0]![0]);
    s.close();
    metadataLocation = (await call(server, "GET", table)).body["metadata-location"];
  });
  after(() => server.stop());

  const unchanged = async () =>
    assert.equal((await call(server, "GET", table)).body["metadata-location"], metadataLocation);

  it("refuses duplicate keys, naming the key, its object and its line and column", async () => {
    assertBadRequest(
      await call(server, "POST", "/v1/iceberg/namespaces", '{"namespace": ["x1"],\n "namespace": ["x2"]}'),
      /^body: duplicate key "namespace" at line 2, column 2$/,
    );
    assert.equal((await call(server, "GET", "/v1/iceberg/namespaces/x1")).status, 404);
    assert.equal((await call(server, "GET", "/v1/iceberg/namespaces/x2")).status, 404);
    assertBadRequest(
      await call(
        server,
        "POST",
        table,
        '{"updates": [{"action": "set-properties", "updates": {"owner": "a", "own\\u0065r": "b"}}]}',
      ),
      /^body\.updates\[0\]\.updates: duplicate key "owner" at line 1, column 69$/,
    );
    await unchanged();
  });

  it("refuses numbers beyond a double's range (1e999999, -1e400), naming the field", async () => {
    assertBadRequest(
      await call(
        server,
        "POST",
        "/v1/iceberg/namespaces",
        '{"namespace": ["inf"], "properties": {"n": 1e999999}}',
      ),
      /^body\.properties\.n: number 1e999999 is out of the range of a double at line 1, column 44$/,
    );
    assert.equal((await call(server, "GET", "/v1/iceberg/namespaces/inf")).status, 404);
    assertBadRequest(
      await call(server, "POST", `${table}/plan`, '{"snapshot-id": -1e400}'),
      /^body\.snapshot-id: number -1e400 is out of the range/,
    );
  });

  it("never coerces types: numbers are not strings, numeric strings are not integers", async () => {
    assertBadRequest(
      await call(
        server,
        "POST",
        "/v1/iceberg/namespaces/db/tables",
        JSON.stringify({ name: 5, schema: schemaToJson(schema) }),
      ),
      /^body\.name: expected a string, got number/,
    );
    assertBadRequest(
      await call(
        server,
        "POST",
        "/v1/iceberg/namespaces",
        '{"namespace": ["num"], "properties": {"name": 5}}',
      ),
      /^body\.properties\.name: expected a string, got number/,
    );
    assert.equal((await call(server, "GET", "/v1/iceberg/namespaces/num")).status, 404);
    assertBadRequest(
      await call(
        server,
        "POST",
        table,
        JSON.stringify({ updates: [{ action: "set-properties", updates: { retries: 3, ok: "yes" } }] }),
      ),
      /^body\.updates\[0\]\.updates\.retries: expected a string, got number/,
    );
    assertBadRequest(
      await call(
        server,
        "POST",
        table,
        JSON.stringify({ updates: [{ action: "set-current-schema", "schema-id": "0" }] }),
      ),
      /^body\.updates\[0\]\.schema-id: expected an integer, got string/,
    );
    await unchanged();
    assertBadRequest(
      await call(server, "POST", `${table}/plan`, JSON.stringify({ "snapshot-id": snapshotId })),
      /^body\.snapshot-id: expected an integer/,
    );
    assertBadRequest(
      await call(server, "POST", `${table}/plan`, JSON.stringify({ "case-sensitive": "false" })),
      /^body\.case-sensitive: expected boolean, received string/,
    );
    assertBadRequest(
      await call(server, "POST", `${table}/plan`, JSON.stringify({ select: ["id", 2] })),
      /^body\.select\[1\]: expected string, received number/,
    );
  });

  it("plans with an empty object or no body, as the spec allows (both optional)", async () => {
    for (const body of ["{}", undefined]) {
      const r = await call(server, "POST", `${table}/plan`, body);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.status, "completed");
      assert.equal(r.body["file-scan-tasks"].length, 1);
    }
  });

  it("refuses nesting deeper than 256 levels with a 400, not a stack overflow", async () => {
    const depth = 20_000;
    let type = '"long"';
    for (let i = 0; i < depth; i++)
      type = `{"type":"list","element-id":${i + 10},"element":${type},"element-required":false}`;
    const body = `{"name":"deep","schema":{"type":"struct","fields":[{"id":1,"name":"x","required":false,"type":${type}}]}}`;
    assertBadRequest(
      await call(server, "POST", "/v1/iceberg/namespaces/db/tables", body),
      /nesting is deeper than 256 levels/,
    );
  });

  it("refuses names and property keys with bidi or other control/format characters via REST", async () => {
    assertBadRequest(
      await call(server, "POST", "/v1/iceberg/namespaces", JSON.stringify({ namespace: [`admin${RLO}txt`] })),
      /^namespace name "admin\\u\{202e\}txt" must not contain the format character U\+202E/,
    );
    assertBadRequest(
      await call(
        server,
        "POST",
        "/v1/iceberg/namespaces/db/tables",
        JSON.stringify({ name: `t${RLO}x`, schema: schemaToJson(schema) }),
      ),
      /^table name .* U\+202E/,
    );
    assertBadRequest(
      await call(
        server,
        "POST",
        "/v1/iceberg/tables/rename",
        JSON.stringify({
          source: { namespace: ["db"], name: "t" },
          destination: { namespace: ["db"], name: "t\u200Bx" },
        }),
      ),
      /^table name .* U\+200B/,
    );
    assertBadRequest(
      await call(
        server,
        "POST",
        "/v1/iceberg/namespaces",
        JSON.stringify({ namespace: ["propns"], properties: { [`owner${RLO}`]: "x" } }),
      ),
      /^namespace property key .* U\+202E/,
    );
    assertBadRequest(
      await call(
        server,
        "POST",
        table,
        JSON.stringify({ updates: [{ action: "set-properties", updates: { "\u2066key": "x" } }] }),
      ),
      /table property key .* U\+2066/,
    );
    const listed = await call(server, "GET", "/v1/iceberg/namespaces");
    assert.deepEqual(listed.body.namespaces, [["db"]]);
    assert.deepEqual(
      (await call(server, "GET", "/v1/iceberg/namespaces/db/tables")).body.identifiers.map(
        (i: any) => i.name,
      ),
      ["t"],
    );
    await unchanged();
  });

  it("refuses the same names via SQL CREATE SCHEMA / CREATE TABLE", async () => {
    const s = await server.lakehouse.session();
    try {
      await assert.rejects(s.execute(`CREATE SCHEMA iceberg."evil${RLO}fdp"`), /U\+202E/);
      await assert.rejects(s.execute(`CREATE TABLE iceberg.db."t${RLO}x" (id BIGINT)`), /U\+202E/);
      await assert.rejects(
        s.execute(`CREATE TABLE iceberg.db."zero\u200Bwidth" AS SELECT 1 AS x`),
        /U\+200B/,
      );
      const schemas = await textRows(s, "SHOW SCHEMAS FROM iceberg");
      assert.ok(schemas.includes("db") && !schemas.some((n) => n.startsWith("evil")), schemas.join());
      assert.deepEqual(await textRows(s, "SHOW TABLES FROM iceberg.db"), ["t"]);
    } finally {
      s.close();
    }
  });

  it("still reads stored metadata that other engines wrote leniently (numeric property values)", async () => {
    const path = localPathOf(metadataLocation);
    const text = readFileSync(path, "utf8");
    assert.match(text, /"properties"\s*:\s*\{/);
    // In a directory of its own (the table's directory is the table's).
    const legacyDir = join(dirname(dirname(dirname(path))), "legacy", "metadata");
    mkdirSync(legacyDir, { recursive: true });
    const legacy = join(legacyDir, `00099-${randomUUID()}.metadata.json`);
    writeFileSync(legacy, text.replace(/"properties"\s*:\s*\{/, '"properties":{"legacy.count":5,'));
    const r = await call(
      server,
      "POST",
      "/v1/iceberg/namespaces/db/register",
      JSON.stringify({
        name: "legacy",
        "metadata-location": `${dirname(dirname(dirname(metadataLocation)))}/legacy/metadata/${legacy.split("/").pop()}`,
      }),
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.metadata.properties["legacy.count"], "5");
  });
});
