import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { crossSiteOptions } from "../../src/cli/commands/serve.js";
import { loadConfig } from "../../src/config/config.js";
import { schemaToJson } from "../../src/spec/codec/schema-json.js";
import { schema } from "../catalog/catalog-contract.js";
import { openRestClient, startRestServer, type TestRestServer } from "../helpers/rest-server.js";

/** A response: status, headers and the parsed JSON body (or text). */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * A raw HTTP/1.1 request to the server with exactly the given headers (Node's fetch refuses
 * to send a `Host` of our choosing; browsers send `Origin` and `Sec-Fetch-Site`, Node does not).
 */
function raw(
  server: TestRestServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  const url = new URL(server.uri);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        setHost: false,
        headers: {
          host: url.host,
          ...headers,
          ...(body === undefined ? {} : { "content-length": Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Asserts an IcebergErrorResponse. */
function assertError(r: { status: number; body: any }, status: number, type: string, message?: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.type, type);
  assert.equal(r.body.error.code, status);
  if (message) assert.match(r.body.error.message, message);
}

const json = { "content-type": "application/json" };

async function tableExists(server: TestRestServer, name: string): Promise<boolean> {
  const r = await raw(server, "GET", `/v1/iceberg/namespaces/db/tables/${name}`, {});
  return r.status === 200;
}

describe("cross-site protection: simple requests a web page can send are refused", () => {
  let server: TestRestServer;
  before(async () => {
    server = await startRestServer();
    await raw(server, "POST", "/v1/iceberg/namespaces", json, JSON.stringify({ namespace: ["db"] }));
    const t = await raw(
      server,
      "POST",
      "/v1/iceberg/namespaces/db/tables",
      json,
      JSON.stringify({ name: "keep", schema: schemaToJson(schema) }),
    );
    assert.equal(t.status, 200, JSON.stringify(t.body));
  });
  after(() => server.stop());

  it("refuses a text/plain DROP TABLE to the query API and leaves the table there", async () => {
    // What `fetch(url, {method: "POST", mode: "no-cors", body})` sends from any page.
    const r = await fetch(`${server.uri}/api/v1/query`, {
      method: "POST",
      body: JSON.stringify({ sql: "DROP TABLE iceberg.db.keep" }),
    });
    const body = (await r.json()) as any;
    assertError(
      { status: r.status, body },
      415,
      "UnsupportedMediaTypeException",
      /application\/json.*text\/plain/,
    );
    assert.ok(await tableExists(server, "keep"));
  });

  it("refuses a form-encoded CTAS of a host file and a multipart body, creating nothing", async () => {
    const sql = "CREATE TABLE iceberg.db.stolen AS SELECT * FROM read_text('/etc/hostname')";
    const form = await fetch(`${server.uri}/api/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: JSON.stringify({ sql }),
    });
    assertError({ status: form.status, body: await form.json() }, 415, "UnsupportedMediaTypeException");
    const data = new FormData();
    data.set("q", new Blob([JSON.stringify({ sql })], { type: "application/json" }));
    const multipart = await fetch(`${server.uri}/api/v1/query`, { method: "POST", body: data });
    assertError(
      { status: multipart.status, body: await multipart.json() },
      415,
      "UnsupportedMediaTypeException",
      /multipart\/form-data/,
    );
    assert.equal(await tableExists(server, "stolen"), false);
  });

  it("refuses non-JSON bodies on mutating REST routes, changing nothing", async () => {
    const create = await raw(
      server,
      "POST",
      "/v1/iceberg/namespaces",
      { "content-type": "text/plain" },
      JSON.stringify({ namespace: ["planted"] }),
    );
    assertError(create, 415, "UnsupportedMediaTypeException", /POST \/v1\/iceberg\/namespaces/);
    const drop = await raw(
      server,
      "DELETE",
      "/v1/iceberg/namespaces/db/tables/keep",
      { "content-type": "text/plain" },
      "x",
    );
    assertError(drop, 415, "UnsupportedMediaTypeException");
    const noType = await raw(
      server,
      "POST",
      "/v1/iceberg/namespaces",
      {},
      JSON.stringify({ namespace: ["planted"] }),
    );
    assertError(noType, 415, "UnsupportedMediaTypeException", /without Content-Type/);
    assert.equal((await raw(server, "GET", "/v1/iceberg/namespaces/planted", {})).status, 404);
    assert.ok(await tableExists(server, "keep"));
    // JSON with parameters is JSON.
    const ok = await raw(
      server,
      "POST",
      "/v1/iceberg/namespaces",
      { "content-type": "application/json; charset=utf-8" },
      JSON.stringify({ namespace: ["charset_ok"] }),
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it("refuses a foreign or null Origin and Sec-Fetch-Site: cross-site; same-origin passes", async () => {
    assertError(
      await raw(server, "GET", "/v1/iceberg/namespaces", { origin: "https://evil.example" }),
      403,
      "ForbiddenException",
      /https:\/\/evil\.example/,
    );
    // Even a JSON body (which a browser would preflight) is refused on Origin alone.
    const drop = await raw(
      server,
      "POST",
      "/api/v1/query",
      { ...json, origin: "http://localhost:3000" },
      JSON.stringify({ sql: "DROP TABLE iceberg.db.keep" }),
    );
    assertError(drop, 403, "ForbiddenException");
    assert.ok(await tableExists(server, "keep"));
    assertError(
      await raw(server, "GET", "/v1/iceberg/namespaces", { origin: "null" }),
      403,
      "ForbiddenException",
    );
    assertError(
      await raw(server, "GET", "/v1/iceberg/namespaces", { "sec-fetch-site": "cross-site" }),
      403,
      "ForbiddenException",
      /Sec-Fetch-Site/,
    );
    assert.equal(
      (
        await raw(server, "GET", "/v1/iceberg/namespaces", {
          origin: server.uri,
          "sec-fetch-site": "same-origin",
        })
      ).status,
      200,
    );
    assert.equal(
      (await raw(server, "GET", "/v1/iceberg/namespaces", { "sec-fetch-site": "none" })).status,
      200,
    );
  });

  it("refuses a foreign Host (DNS rebinding) while loopback names work; /health answers any Host", async () => {
    const port = new URL(server.uri).port;
    const rebound = await raw(server, "GET", "/v1/iceberg/namespaces", { host: `evil.example:${port}` });
    assertError(rebound, 403, "ForbiddenException", /evil\.example.*--server-name/);
    const query = await raw(
      server,
      "POST",
      "/api/v1/query",
      { ...json, host: `evil.example:${port}` },
      JSON.stringify({ sql: "SELECT 1" }),
    );
    assertError(query, 403, "ForbiddenException");
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "LOCALHOST"]) {
      const r = await raw(server, "GET", "/v1/iceberg/namespaces", { host });
      assert.equal(r.status, 200, `${host}: ${JSON.stringify(r.body)}`);
    }
    assert.equal((await raw(server, "GET", "/health", { host: "10.1.2.3:8181" })).status, 200);
  });

  it("keeps non-browser clients working: our REST client creates, lists and drops", async () => {
    const client = await openRestClient(server);
    try {
      await client.session.execute("CREATE SCHEMA rest.client_ns");
      await client.session.execute("CREATE TABLE rest.client_ns.t (id BIGINT)");
      await client.session.execute("INSERT INTO rest.client_ns.t VALUES (1), (2)");
      const r = await client.session.execute("SELECT count(*) FROM rest.client_ns.t");
      assert.equal(Number(r.rows[0]![0]), 2);
      await client.session.execute("DROP TABLE rest.client_ns.t");
    } finally {
      await client.close();
    }
  });
});

describe("cross-site protection: configured server names and CORS origins", () => {
  let named: TestRestServer;
  let anyHost: TestRestServer;
  before(async () => {
    named = await startRestServer({
      crossSite: {
        serverNames: ["lake.example.com", "pinned.example.com:1"],
        corsOrigins: ["https://app.example.com"],
      },
    });
    anyHost = await startRestServer({ crossSite: { serverNames: ["*"] } });
  });
  after(async () => {
    await named?.stop();
    await anyHost?.stop();
  });

  it("serves configured names (with any port, or the given one) and refuses others", async () => {
    assert.equal((await raw(named, "GET", "/v1/namespaces", { host: "lake.example.com:8181" })).status, 200);
    assert.equal((await raw(named, "GET", "/v1/namespaces", { host: "Lake.Example.com" })).status, 200);
    assertError(
      await raw(named, "GET", "/v1/namespaces", { host: "pinned.example.com:2" }),
      403,
      "ForbiddenException",
    );
    assertError(
      await raw(named, "GET", "/v1/namespaces", { host: "evil.example" }),
      403,
      "ForbiddenException",
    );
    assert.equal((await raw(anyHost, "GET", "/v1/namespaces", { host: "evil.example" })).status, 200);
  });

  it("answers preflights of configured origins only, and marks their responses", async () => {
    const preflight = (server: TestRestServer, origin: string) =>
      raw(server, "OPTIONS", "/v1/iceberg/namespaces", {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      });
    const ok = await preflight(named, "https://app.example.com");
    assert.equal(ok.status, 204);
    assert.equal(ok.headers["access-control-allow-origin"], "https://app.example.com");
    assert.match(String(ok.headers["access-control-allow-headers"]), /authorization/);
    assert.match(String(ok.headers["access-control-allow-methods"]), /POST/);
    assertError(await preflight(named, "https://evil.example"), 403, "ForbiddenException", /not configured/);
    assertError(await preflight(anyHost, "https://app.example.com"), 403, "ForbiddenException");

    const get = await raw(named, "GET", "/v1/iceberg/namespaces", {
      origin: "https://app.example.com",
      "sec-fetch-site": "cross-site",
    });
    assert.equal(get.status, 200, JSON.stringify(get.body));
    assert.equal(get.headers["access-control-allow-origin"], "https://app.example.com");
    assert.match(String(get.headers.vary), /Origin/);
    const plain = await raw(named, "GET", "/v1/iceberg/namespaces", {});
    assert.equal(plain.headers["access-control-allow-origin"], undefined);
    // A configured origin still cannot send a form.
    assertError(
      await raw(
        named,
        "POST",
        "/api/v1/query",
        { origin: "https://app.example.com", "content-type": "text/plain" },
        JSON.stringify({ sql: "SELECT 1" }),
      ),
      415,
      "UnsupportedMediaTypeException",
    );
  });
});

describe("cross-site protection: configuration", () => {
  it("takes server names and CORS origins from flags or the environment, adding the bind address", () => {
    const fromEnv = crossSiteOptions(
      loadConfig(
        {},
        {
          AICHEMY_SERVER_NAMES: "lake.example.com, 10.0.0.5:8181",
          AICHEMY_CORS_ORIGINS: "https://app.example.com",
        },
      ),
    );
    assert.deepEqual(fromEnv.serverNames, ["lake.example.com", "10.0.0.5:8181", "127.0.0.1"]);
    assert.deepEqual(fromEnv.corsOrigins, ["https://app.example.com"]);
    // Bound to every interface, only the configured names (and loopback) are the server's.
    assert.deepEqual(crossSiteOptions(loadConfig({ host: "0.0.0.0" }, {})).serverNames, []);
    assert.deepEqual(crossSiteOptions(loadConfig({ host: "0.0.0.0", serverNames: ["*"] }, {})).serverNames, [
      "*",
    ]);
    assert.throws(
      () => crossSiteOptions(loadConfig({ serverNames: ["lake.example.com/path"] }, {})),
      /server name "lake.example.com\/path"/,
    );
    assert.throws(() => loadConfig({ corsOrigins: ["https://app.example.com/ui"] }, {}), /corsOrigins/);
  });
});
