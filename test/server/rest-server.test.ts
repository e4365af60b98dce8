import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { RestCatalog } from "../../src/catalog/rest/rest-catalog.js";
import { uuidv7 } from "../../src/catalog/rest/rest-http.js";
import { localPathOf } from "../../src/io/location.js";
import { schemaToJson } from "../../src/spec/codec/schema-json.js";
import { schema } from "../catalog/catalog-contract.js";
import { type RestAnswer, restCall, startRestServer, type TestRestServer } from "../helpers/rest-server.js";

/** A raw HTTP call: status, parsed body (if any), headers. */
function call(
  server: TestRestServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RestAnswer> {
  return restCall(server, method, path, {
    body,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Asserts an IcebergErrorResponse of `type`/`status` whose message matches `message`. */
function assertError(r: { status: number; body: any }, status: number, type: string, message?: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.type, type);
  assert.equal(r.body.error.code, status);
  if (message) assert.match(r.body.error.message, message);
}

const createBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  schema: schemaToJson(schema),
  ...extra,
});

describe("REST catalog server: protocol", () => {
  let server: TestRestServer;
  before(async () => {
    server = await startRestServer();
    await call(server, "POST", "/v1/iceberg/namespaces", { namespace: ["db"] });
  });
  after(() => server.stop());

  it("GET /v1/config names the warehouse as prefix and lists endpoints; unknown warehouses are 404", async () => {
    const c = await call(server, "GET", "/v1/config");
    assert.equal(c.status, 200);
    assert.deepEqual(c.body.overrides, { prefix: "iceberg" });
    assert.deepEqual(c.body.defaults, {});
    assert.ok(c.body.endpoints.includes("POST /v1/{prefix}/transactions/commit"));
    assert.ok(c.body.endpoints.includes("GET /v1/{prefix}/namespaces/{namespace}/views/{view}"));
    assert.equal(c.body["idempotency-key-lifetime"], "PT30M");
    const byLocation = await call(
      server,
      "GET",
      `/v1/config?warehouse=${encodeURIComponent(server.warehouse)}`,
    );
    assert.equal(byLocation.body.overrides.prefix, "iceberg");
    assertError(
      await call(server, "GET", "/v1/config?warehouse=nope"),
      404,
      "NoSuchWarehouseException",
      /nope/,
    );
    assertError(await call(server, "GET", "/v1/nope/namespaces"), 404, "NoSuchWarehouseException");
  });

  it("keeps warehouses apart: each prefix is its own catalog", async () => {
    await server.lakehouse.store.putWarehouse({ name: "second", location: `${server.warehouse}-second` });
    assert.equal((await call(server, "GET", "/v1/config?warehouse=second")).body.overrides.prefix, "second");
    assert.equal(
      (await call(server, "POST", "/v1/second/namespaces", { namespace: ["only_here"] })).status,
      200,
    );
    const first = await call(server, "GET", "/v1/iceberg/namespaces");
    const second = await call(server, "GET", "/v1/second/namespaces");
    assert.ok(!first.body.namespaces.some((n: string[]) => n[0] === "only_here"));
    assert.deepEqual(second.body.namespaces, [["only_here"]]);
    // A table of the second warehouse lives under its location.
    const t = await call(server, "POST", "/v1/second/namespaces/only_here/tables", createBody("t"));
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.ok(t.body.metadata.location.startsWith(`${server.warehouse}-second/`));
  });

  it("serves routes without a prefix on the default warehouse", async () => {
    const r = await call(server, "GET", "/v1/namespaces");
    assert.equal(r.status, 200);
    assert.ok(r.body.namespaces.some((n: string[]) => n[0] === "db"));
  });

  it("encodes multi-level namespaces with %1F and lists children of a parent", async () => {
    assert.equal(
      (await call(server, "POST", "/v1/iceberg/namespaces", { namespace: ["acct", "tax"] })).status,
      200,
    );
    const got = await call(server, "GET", "/v1/iceberg/namespaces/acct%1Ftax");
    assert.deepEqual(got.body, {
      namespace: ["acct", "tax"],
      properties: { location: `${server.warehouse}/acct/tax` },
    });
    const children = await call(server, "GET", "/v1/iceberg/namespaces?parent=acct");
    assert.deepEqual(children.body.namespaces, [["acct", "tax"]]);
    assert.equal((await call(server, "HEAD", "/v1/iceberg/namespaces/acct%1Ftax")).status, 204);
    assert.equal((await call(server, "HEAD", "/v1/iceberg/namespaces/acct%1Fnope")).status, 404);
  });

  it("pages namespaces and tables with pageToken/pageSize", async () => {
    await call(server, "POST", "/v1/iceberg/namespaces", { namespace: ["paged"] });
    for (const n of ["e", "a", "d", "c", "b"])
      assert.equal(
        (await call(server, "POST", "/v1/iceberg/namespaces/paged/tables", createBody(n))).status,
        200,
      );
    const seen: string[] = [];
    let token = "";
    let pages = 0;
    for (;;) {
      const r = await call(
        server,
        "GET",
        `/v1/iceberg/namespaces/paged/tables?pageSize=2&pageToken=${token}`,
      );
      assert.equal(r.status, 200);
      assert.ok(r.body.identifiers.length <= 2);
      seen.push(...r.body.identifiers.map((i: { name: string }) => i.name));
      pages++;
      if (!r.body["next-page-token"]) break;
      token = r.body["next-page-token"];
    }
    assert.deepEqual(seen, ["a", "b", "c", "d", "e"]);
    assert.equal(pages, 3);
    const all = await call(server, "GET", "/v1/iceberg/namespaces/paged/tables");
    assert.equal(all.body.identifiers.length, 5);
    assert.equal(all.body["next-page-token"], null);
    assertError(
      await call(server, "GET", "/v1/iceberg/namespaces/paged/tables?pageSize=0&pageToken="),
      400,
      "BadRequestException",
      /pageSize/,
    );
  });

  it("updates namespace properties and reports updated, removed and missing keys", async () => {
    await call(server, "POST", "/v1/iceberg/namespaces", {
      namespace: ["props"],
      properties: { a: "1", b: "2" },
    });
    const r = await call(server, "POST", "/v1/iceberg/namespaces/props/properties", {
      removals: ["a", "zz"],
      updates: { c: "3" },
    });
    assert.deepEqual(r.body, { updated: ["c"], removed: ["a"], missing: ["zz"] });
    assertError(
      await call(server, "POST", "/v1/iceberg/namespaces/props/properties", {
        removals: ["c"],
        updates: { c: "4" },
      }),
      422,
      "UnprocessableEntityException",
      /c/,
    );
    assert.deepEqual((await call(server, "GET", "/v1/iceberg/namespaces/props")).body.properties, {
      b: "2",
      c: "3",
      location: `${server.warehouse}/props`,
    });
  });

  it("loads tables with snapshots=refs, ETags and 304 Not Modified", async () => {
    const catalog = await RestCatalog.open({ name: "iceberg", uri: server.uri });
    const session = await server.lakehouse.session();
    await session.execute("CREATE TABLE iceberg.db.events (id BIGINT, kind VARCHAR)");
    await session.execute("INSERT INTO iceberg.db.events VALUES (1, 'a')");
    await session.execute("INSERT INTO iceberg.db.events VALUES (2, 'b')");
    session.close();
    const all = await call(server, "GET", "/v1/iceberg/namespaces/db/tables/events");
    assert.equal(all.body.metadata.snapshots.length, 2);
    const refs = await call(server, "GET", "/v1/iceberg/namespaces/db/tables/events?snapshots=refs");
    assert.equal(refs.body.metadata.snapshots.length, 1, "only the snapshot main points at");
    assert.notEqual(all.headers.get("etag"), refs.headers.get("etag"));
    const again = await call(server, "GET", "/v1/iceberg/namespaces/db/tables/events", undefined, {
      "if-none-match": all.headers.get("etag")!,
    });
    assert.equal(again.status, 304);
    assert.equal((await call(server, "HEAD", "/v1/iceberg/namespaces/db/tables/events")).status, 204);
    assert.equal((await call(server, "HEAD", "/v1/iceberg/namespaces/db/tables/nope")).status, 404);
    assertError(
      await call(server, "GET", "/v1/iceberg/namespaces/db/tables/nope"),
      404,
      "NoSuchTableException",
      /db\.nope/,
    );
    assertError(
      await call(server, "GET", "/v1/iceberg/namespaces/db/tables/events?snapshots=some"),
      400,
      "BadRequestException",
    );
    assert.equal(
      (await catalog.loadTable({ namespace: ["db"], name: "events" })).metadata.snapshots.length,
      2,
    );
  });

  it("stages a create, then creates the table with assert-create through updateTable", async () => {
    const staged = await call(
      server,
      "POST",
      "/v1/iceberg/namespaces/db/tables",
      createBody("staged", { "stage-create": true }),
    );
    assert.equal(staged.status, 200);
    assert.equal(staged.body["metadata-location"], null);
    assert.equal((await call(server, "HEAD", "/v1/iceberg/namespaces/db/tables/staged")).status, 404);
    const md = staged.body.metadata;
    const commit = await call(server, "POST", "/v1/iceberg/namespaces/db/tables/staged", {
      requirements: [{ type: "assert-create" }],
      updates: [
        { action: "assign-uuid", uuid: md["table-uuid"] },
        { action: "upgrade-format-version", "format-version": md["format-version"] },
        { action: "add-schema", schema: md.schemas[0] },
        { action: "set-current-schema", "schema-id": -1 },
        { action: "add-spec", spec: md["partition-specs"][0] },
        { action: "set-default-spec", "spec-id": -1 },
        { action: "add-sort-order", "sort-order": md["sort-orders"][0] },
        { action: "set-default-sort-order", "sort-order-id": -1 },
        { action: "set-location", location: md.location },
      ],
    });
    assert.equal(commit.status, 200, JSON.stringify(commit.body));
    assert.match(commit.body["metadata-location"], /00000-.*\.metadata\.json$/);
    assert.equal((await call(server, "HEAD", "/v1/iceberg/namespaces/db/tables/staged")).status, 204);
  });

  it("replays a finalized response for a repeated Idempotency-Key", async () => {
    const key = uuidv7();
    const first = await call(
      server,
      "POST",
      "/v1/iceberg/namespaces",
      { namespace: ["idem"] },
      { "idempotency-key": key },
    );
    const retry = await call(
      server,
      "POST",
      "/v1/iceberg/namespaces",
      { namespace: ["idem"] },
      { "idempotency-key": key },
    );
    assert.equal(first.status, 200);
    assert.equal(retry.status, 200, "the retry is answered from the first response, not a 409");
    assert.deepEqual(retry.body, first.body);
    assertError(
      await call(
        server,
        "POST",
        "/v1/iceberg/namespaces",
        { namespace: ["idem"] },
        { "idempotency-key": uuidv7() },
      ),
      409,
      "AlreadyExistsException",
    );
    assertError(
      await call(
        server,
        "POST",
        "/v1/iceberg/namespaces",
        { namespace: ["idem2"] },
        { "idempotency-key": "not-a-uuid" },
      ),
      400,
      "BadRequestException",
      /Idempotency-Key/,
    );
  });

  it("replays a commit's response for a repeated Idempotency-Key, after later commits", async () => {
    assert.equal(
      (await call(server, "POST", "/v1/iceberg/namespaces/db/tables", createBody("idem_t"))).status,
      200,
    );
    const catalog = await RestCatalog.open({ name: "rest", uri: server.uri });
    const key = uuidv7();
    const commit = (value: string, k: string) =>
      call(
        server,
        "POST",
        "/v1/iceberg/namespaces/db/tables/idem_t",
        { requirements: [], updates: [{ action: "set-properties", updates: { step: value } }] },
        { "idempotency-key": k },
      );
    const first = await commit("1", key);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const second = await commit("2", uuidv7());
    assert.equal(second.body.metadata.properties.step, "2");
    const retry = await commit("1", key);
    assert.equal(retry.status, 200);
    assert.equal(retry.body["metadata-location"], first.body["metadata-location"], "not committed twice");
    assert.deepEqual(retry.body, first.body, "the first response, rebuilt from its metadata file");
    const t = await catalog.loadTable({ namespace: ["db"], name: "idem_t" });
    assert.equal(t.metadata.properties.step, "2");
    assert.equal(t.metadata.metadataLog.length, 2, "create, first commit; the retry wrote nothing");
  });

  it("drops with purgeRequested deleting the files, and without keeping them", async () => {
    const kept = await call(server, "POST", "/v1/iceberg/namespaces/db/tables", createBody("kept"));
    const purged = await call(server, "POST", "/v1/iceberg/namespaces/db/tables", createBody("purged"));
    assert.equal((await call(server, "DELETE", "/v1/iceberg/namespaces/db/tables/kept")).status, 204);
    assert.equal(
      (await call(server, "DELETE", "/v1/iceberg/namespaces/db/tables/purged?purgeRequested=true")).status,
      204,
    );
    assert.ok(existsSync(localPathOf(kept.body["metadata-location"])));
    assert.ok(!existsSync(localPathOf(purged.body["metadata-location"])));
    assertError(
      await call(server, "DELETE", "/v1/iceberg/namespaces/db/tables/kept"),
      404,
      "NoSuchTableException",
    );
  });

  it("accepts metrics reports", async () => {
    await call(server, "POST", "/v1/iceberg/namespaces/db/tables", createBody("metered"));
    const r = await call(server, "POST", "/v1/iceberg/namespaces/db/tables/metered/metrics", {
      "report-type": "commit-report",
      "table-name": "iceberg.db.metered",
      "snapshot-id": 1,
      "sequence-number": 1,
      operation: "append",
      metrics: {},
    });
    assert.equal(r.status, 204);
    assertError(
      await call(server, "POST", "/v1/iceberg/namespaces/db/tables/metered/metrics", {}),
      400,
      "BadRequestException",
      /report-type/,
    );
  });

  it("answers an unknown route with 404 and the token endpoint with OAuth errors", async () => {
    assertError(await call(server, "GET", "/v1/iceberg/frobnicate"), 404, "NotFoundException");
    const t = await fetch(`${server.uri}/v1/oauth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=password&username=x",
    });
    assert.equal(t.status, 400);
    assert.equal(((await t.json()) as { error: string }).error, "unsupported_grant_type");
  });
});

describe("REST catalog server: bad input changes nothing", () => {
  let server: TestRestServer;
  before(async () => {
    server = await startRestServer({ maxBodyBytes: 64 * 1024 });
    await call(server, "POST", "/v1/iceberg/namespaces", { namespace: ["db"] });
    assert.equal(
      (await call(server, "POST", "/v1/iceberg/namespaces/db/tables", createBody("t"))).status,
      200,
    );
  });
  after(() => server.stop());

  /** The store's state: namespaces, tables and t's metadata location, plus metadata files on disk. */
  async function snapshot() {
    const ns = (await call(server, "GET", "/v1/iceberg/namespaces")).body;
    const tables = (await call(server, "GET", "/v1/iceberg/namespaces/db/tables")).body;
    const t = (await call(server, "GET", "/v1/iceberg/namespaces/db/tables/t")).body["metadata-location"];
    const files = readdirSync(localPathOf(`${server.warehouse}/db/t/metadata`)).sort();
    return { ns, tables, t, files };
  }

  const cases: [string, () => Promise<{ status: number; body: any }>, number, string, RegExp][] = [
    [
      "malformed JSON",
      () =>
        call(
          server,
          "POST",
          "/v1/iceberg/namespaces/db/tables/t",
          '{"updates": [ {"action": "set-properties",, }',
        ),
      400,
      "BadRequestException",
      /not valid JSON at line 1, column/,
    ],
    [
      "an empty body",
      () => call(server, "POST", "/v1/iceberg/namespaces", ""),
      400,
      "BadRequestException",
      /empty/,
    ],
    [
      "a body that is not an object",
      () => call(server, "POST", "/v1/iceberg/namespaces", "[1,2]"),
      400,
      "BadRequestException",
      /body: expected an object/,
    ],
    [
      "an unknown update type",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/tables/t", {
          requirements: [],
          updates: [{ action: "frobnicate" }],
        }),
      400,
      "BadRequestException",
      /body\.updates\[0\]\.action/,
    ],
    [
      "an unknown requirement type",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/tables/t", {
          requirements: [{ type: "assert-magic" }],
          updates: [],
        }),
      400,
      "BadRequestException",
      /body\.requirements\[0\]\.type/,
    ],
    [
      "a field of the wrong type",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/tables/t", {
          requirements: [],
          updates: [{ action: "set-current-schema", "schema-id": "zero" }],
        }),
      400,
      "BadRequestException",
      /body\.updates\[0\]\.schema-id/,
    ],
    [
      "a requirement that does not hold",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/tables/t", {
          requirements: [{ type: "assert-current-schema-id", "current-schema-id": 7 }],
          updates: [{ action: "set-properties", updates: { x: "1" } }],
        }),
      409,
      "CommitFailedException",
      /current schema changed/,
    ],
    [
      "an update that is invalid for the table",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/tables/t", {
          requirements: [],
          updates: [{ action: "set-current-schema", "schema-id": 42 }],
        }),
      400,
      // Iceberg Java's servers answer invalid metadata changes with this type (its client
      // raises IllegalArgumentException for it; the REST compatibility kit expects that).
      "IllegalArgumentException",
      /updates\[0\]/,
    ],
    [
      "a table location outside the warehouse",
      () =>
        call(
          server,
          "POST",
          "/v1/iceberg/namespaces/db/tables",
          createBody("evil", { location: "file:///etc/evil" }),
        ),
      400,
      "BadRequestException",
      /outside the warehouse/,
    ],
    [
      "a location escaping with ..",
      () =>
        call(
          server,
          "POST",
          "/v1/iceberg/namespaces/db/tables",
          createBody("evil", { location: `${server.warehouse}/db/../../evil` }),
        ),
      400,
      "BadRequestException",
      /^location ".*" is refused: it contains a '\.\.' segment/,
    ],
    [
      "a set-location outside the warehouse",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/tables/t", {
          requirements: [],
          updates: [{ action: "set-location", location: "file:///tmp/elsewhere" }],
        }),
      400,
      "BadRequestException",
      /outside the warehouse/,
    ],
    [
      "write.data.path outside the warehouse",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/tables/t", {
          requirements: [],
          updates: [{ action: "set-properties", updates: { "write.data.path": "s3://other/bucket" } }],
        }),
      400,
      "BadRequestException",
      /write\.data\.path/,
    ],
    [
      "registering metadata outside the warehouse",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/register", {
          name: "reg",
          "metadata-location": "file:///etc/passwd",
        }),
      400,
      "BadRequestException",
      /outside the warehouse/,
    ],
    [
      "an oversized body",
      () =>
        call(server, "POST", "/v1/iceberg/namespaces/db/tables/t", {
          requirements: [],
          updates: [{ action: "set-properties", updates: { big: "x".repeat(100_000) } }],
        }),
      400,
      "BadRequestException",
      /exceeds the limit of 65536 bytes/,
    ],
    [
      "a transaction where one change fails",
      () =>
        call(server, "POST", "/v1/iceberg/transactions/commit", {
          "table-changes": [
            {
              identifier: { namespace: ["db"], name: "t" },
              requirements: [],
              updates: [{ action: "set-properties", updates: { tx: "1" } }],
            },
            { identifier: { namespace: ["db"], name: "missing" }, requirements: [], updates: [] },
          ],
        }),
      404,
      "NoSuchTableException",
      /db\.missing/,
    ],
    [
      "a transaction change without identifier",
      () =>
        call(server, "POST", "/v1/iceberg/transactions/commit", {
          "table-changes": [{ requirements: [], updates: [] }],
        }),
      400,
      "BadRequestException",
      /table-changes\[0\]\.identifier/,
    ],
  ];
  for (const ch of ["/", ".", "*", "'", '"', "%", " "]) {
    cases.push([
      `a table name with ${JSON.stringify(ch)}`,
      () => call(server, "POST", "/v1/iceberg/namespaces/db/tables", createBody(`bad${ch}name`)),
      400,
      "BadRequestException",
      /table name/,
    ]);
    cases.push([
      `a namespace name with ${JSON.stringify(ch)}`,
      () => call(server, "POST", "/v1/iceberg/namespaces", { namespace: [`bad${ch}ns`] }),
      400,
      "BadRequestException",
      /namespace name/,
    ]);
  }

  for (const [what, send, status, type, message] of cases) {
    it(`${what}: ${status} ${type}, store unchanged`, async () => {
      const before = await snapshot();
      const r = await send();
      assertError(r, status, type, message);
      assert.deepEqual(await snapshot(), before);
    });
  }
});

describe("REST catalog server: auth", () => {
  let server: TestRestServer;
  before(async () => {
    server = await startRestServer({
      auth: {
        enabled: true,
        clients: { spark: "s3cret" },
        tokens: { "static-token-0123456789": "ops" },
        tokenTtlSeconds: 2,
      },
    });
  });
  after(() => server.stop());

  it("serves /v1/config and /health without a token, nothing else", async () => {
    assert.equal((await call(server, "GET", "/v1/config")).status, 200);
    assert.equal((await call(server, "GET", "/health")).status, 200);
    assertError(await call(server, "GET", "/v1/iceberg/namespaces"), 401, "NotAuthorizedException");
    assertError(
      await call(server, "POST", "/api/v1/query", { sql: "SELECT 1" }),
      401,
      "NotAuthorizedException",
    );
    assertError(
      await call(server, "GET", "/v1/iceberg/namespaces", undefined, { authorization: "Bearer forged" }),
      401,
      "NotAuthorizedException",
      /invalid/,
    );
  });

  it("issues expiring JWTs for client credentials and accepts static tokens", async () => {
    const bad = await fetch(`${server.uri}/v1/oauth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=spark&client_secret=wrong",
    });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { error: string }).error, "invalid_client");
    const ok = await fetch(`${server.uri}/v1/oauth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&client_id=spark&client_secret=s3cret&scope=catalog",
    });
    const token = (await ok.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(token.token_type, "bearer");
    assert.equal(token.expires_in, 2);
    assert.equal(token.access_token.split(".").length, 3, "a JWT");
    const auth = { authorization: `Bearer ${token.access_token}` };
    assert.equal((await call(server, "GET", "/v1/iceberg/namespaces", undefined, auth)).status, 200);
    assert.equal(
      (
        await call(server, "GET", "/v1/iceberg/namespaces", undefined, {
          authorization: "Bearer static-token-0123456789",
        })
      ).status,
      200,
    );
    await new Promise((r) => setTimeout(r, 3100));
    assertError(
      await call(server, "GET", "/v1/iceberg/namespaces", undefined, auth),
      401,
      "NotAuthorizedException",
      /expired/,
    );
  });

  it("lets the REST client authenticate with client credentials", async () => {
    const catalog = await RestCatalog.open({ name: "iceberg", uri: server.uri, credential: "spark:s3cret" });
    await catalog.createNamespace(["secured"]);
    assert.ok((await catalog.listNamespaces()).some((n) => n[0] === "secured"));
    await assert.rejects(
      RestCatalog.open({ name: "x", uri: server.uri, credential: "spark:nope" }).then((c) =>
        c.listNamespaces(),
      ),
      /invalid/i,
    );
  });
});
