import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { decodeJwt, SignJWT } from "jose";
import { pino } from "pino";
import { type RestAnswer, restCall, startRestServer, type TestRestServer } from "../helpers/rest-server.js";

const SECRET = "auth-hardening-secret-0123456789";
const key = new TextEncoder().encode(SECRET);

/** A JSON call: status, headers and parsed body. */
function call(
  server: TestRestServer,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<RestAnswer> {
  return restCall(server, method, path, opts);
}

/** A token request with form fields. */
async function tokenRequest(
  server: TestRestServer,
  fields: Record<string, string>,
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${server.uri}/v1/oauth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** A JWT signed with the server's key, with the given claims. */
function forge(claims: { iss?: string; aud?: string; exp?: number; iat?: number; scope?: string }) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...(claims.scope === undefined ? {} : { scope: claims.scope }) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject("spark");
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss);
  if (claims.aud !== undefined) jwt.setAudience(claims.aud);
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat === -1 ? now : claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(key);
}

describe("auth: JWT claims, warehouse scopes", () => {
  let server: TestRestServer;
  before(async () => {
    server = await startRestServer({
      auth: {
        enabled: true,
        clients: { spark: "s3cret", other: "0ther" },
        secret: SECRET,
        tokenTtlSeconds: 600,
      },
    });
    await server.lakehouse.store.putWarehouse({ name: "second", location: `${server.warehouse}-second` });
  });
  after(() => server.stop());

  it("issues tokens with iss, aud, iat, exp and scope", async () => {
    const t = await tokenRequest(server, {
      grant_type: "client_credentials",
      client_id: "spark",
      client_secret: "s3cret",
    });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const claims = decodeJwt(t.body.access_token);
    assert.equal(claims.iss, "aichemy");
    assert.equal(claims.aud, "aichemy-catalog");
    assert.equal(claims.sub, "spark");
    assert.equal(claims.scope, "catalog");
    assert.equal((claims.exp as number) - (claims.iat as number), 600);
    assert.equal(
      (await call(server, "GET", "/v1/iceberg/namespaces", { token: t.body.access_token })).status,
      200,
    );
  });

  it("refuses JWTs signed with the right key but without exp, or with a wrong aud or iss", async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: "aichemy", aud: "aichemy-catalog", iat: -1, exp: now + 60, scope: "catalog" };
    // The control: the same claims, complete, are accepted.
    assert.equal((await call(server, "GET", "/v1/namespaces", { token: await forge(good) })).status, 200);
    const cases: [string, Parameters<typeof forge>[0], RegExp][] = [
      ["without exp", { ...good, exp: undefined }, /"exp"/],
      ["without iat", { ...good, iat: undefined }, /"iat"/],
      ["without aud", { ...good, aud: undefined }, /"aud"/],
      ["with a wrong aud", { ...good, aud: "another-service" }, /"aud"/],
      ["without iss", { ...good, iss: undefined }, /"iss"/],
      ["with a wrong iss", { ...good, iss: "someone-else" }, /"iss"/],
      ["without scope", { ...good, scope: undefined }, /"scope"/],
      ["with iat in the future", { ...good, iat: now + 3600, exp: now + 3700 }, /iat/],
      ["living longer than the server's tokens", { ...good, exp: now + 86400 * 365 }, /longer/],
    ];
    for (const [what, claims, message] of cases) {
      const r = await call(server, "GET", "/v1/namespaces", { token: await forge(claims) });
      assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.type, "NotAuthorizedException", what);
      assert.match(r.body.error.message, message, what);
    }
  });

  it("scopes a token to the warehouses of its scope: 403 on another warehouse and on the query API", async () => {
    const scoped = await tokenRequest(server, {
      grant_type: "client_credentials",
      client_id: "spark",
      client_secret: "s3cret",
      scope: "catalog warehouse:iceberg",
    });
    assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
    assert.equal(scoped.body.scope, "warehouse:iceberg");
    const token = scoped.body.access_token;
    assert.equal((await call(server, "GET", "/v1/iceberg/namespaces", { token })).status, 200);
    assert.equal(
      (await call(server, "GET", "/v1/namespaces", { token })).status,
      200,
      "the default warehouse",
    );
    const other = await call(server, "POST", "/v1/second/namespaces", {
      token,
      body: { namespace: ["sneaky"] },
    });
    assert.equal(other.status, 403, JSON.stringify(other.body));
    assert.equal(other.body.error.type, "ForbiddenException");
    assert.match(other.body.error.message, /scoped to warehouse\(s\) iceberg, not to warehouse second/);
    assert.equal((await call(server, "GET", "/v1/second/namespaces", { token })).status, 403);
    const query = await call(server, "POST", "/api/v1/query", {
      token,
      body: { sql: "SHOW SCHEMAS FROM second" },
    });
    assert.equal(query.status, 403, JSON.stringify(query.body));

    // An unscoped (catalog) token reaches both, and sees that nothing was created.
    const all = await tokenRequest(server, {
      grant_type: "client_credentials",
      client_id: "other",
      client_secret: "0ther",
    });
    const listed = await call(server, "GET", "/v1/second/namespaces", { token: all.body.access_token });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.namespaces, []);

    // A token exchange may narrow a scope, never widen it.
    const exchange = (subject: string, scope: string) =>
      tokenRequest(server, {
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: subject,
        subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
        scope,
      });
    const widened = await exchange(token, "warehouse:second");
    assert.equal(widened.status, 400);
    assert.equal(widened.body.error, "invalid_scope");
    const refreshed = await exchange(token, "catalog");
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.scope, "warehouse:iceberg");
    const narrowed = await exchange(all.body.access_token, "warehouse:second");
    assert.equal(narrowed.body.scope, "warehouse:second");
    assert.equal(
      (await call(server, "GET", "/v1/iceberg/namespaces", { token: narrowed.body.access_token })).status,
      403,
    );

    const unknown = await tokenRequest(server, {
      grant_type: "client_credentials",
      client_id: "spark",
      client_secret: "s3cret",
      scope: "admin",
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, "invalid_scope");
  });

  it("takes only form-encoded token requests", async () => {
    const res = await fetch(`${server.uri}/v1/oauth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "client_credentials", client_id: "spark", client_secret: "s3cret" }),
    });
    assert.equal(res.status, 415);
    assert.equal(((await res.json()) as { error: string }).error, "invalid_request");
  });
});

describe("auth: failed token requests are rate-limited and audited", () => {
  let server: TestRestServer;
  const lines: Record<string, unknown>[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    server = await startRestServer({
      auth: { enabled: true, clients: { spark: "s3cret" } },
      log: pino({ level: "info" }, sink),
    });
  });
  after(() => server.stop());

  it("answers the 11th bad request within a minute with 429 and Retry-After, even with the right secret", async () => {
    const ok = await tokenRequest(server, {
      grant_type: "client_credentials",
      client_id: "spark",
      client_secret: "s3cret",
    });
    assert.equal(ok.status, 200, "successes do not count");
    for (let i = 1; i <= 10; i++) {
      const bad = await tokenRequest(server, {
        grant_type: "client_credentials",
        client_id: "spark",
        client_secret: `guess-${i}`,
      });
      assert.equal(bad.status, 401, `attempt ${i}`);
      assert.equal(bad.body.error, "invalid_client");
    }
    const limited = await tokenRequest(server, {
      grant_type: "client_credentials",
      client_id: "spark",
      client_secret: "guess-11",
    });
    assert.equal(limited.status, 429, JSON.stringify(limited.body));
    assert.equal(limited.body.error, "slow_down");
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    // A right guess during the lockout is not told apart from a wrong one.
    const right = await tokenRequest(server, {
      grant_type: "client_credentials",
      client_id: "spark",
      client_secret: "s3cret",
    });
    assert.equal(right.status, 429);
  });

  it("audits token requests with client id, remote address and outcome, never the secret", () => {
    const audits = lines.filter((l) => l.audit === "oauth-token");
    assert.ok(audits.some((l) => l.outcome === "issued" && l.clientId === "spark"));
    const failed = audits.filter((l) => l.outcome === "invalid_client");
    assert.equal(failed.length, 10);
    assert.equal(failed[0]!.remoteAddress, "127.0.0.1");
    assert.equal(failed[0]!.clientId, "spark");
    assert.equal(audits.filter((l) => l.outcome === "rate_limited").length, 2);
    const all = JSON.stringify(lines);
    assert.ok(!all.includes("s3cret") && !all.includes("guess-"), "no secret in the log");
  });
});
