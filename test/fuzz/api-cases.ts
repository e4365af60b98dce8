/**
 * Requests to the endpoints with their own decoding: the query API's fields (`sql`,
 * `catalog`, `schema`, `maxRows`, `maxBytes`, `timeoutMs`: wrong types, negatives, zero,
 * fractions, huge values, unknown keys) and SQL that would write outside the lakehouse; the
 * OAuth2 token endpoint (form bodies with missing, duplicate and unknown fields, wrong grant
 * types, wrong media types; its errors are `{"error", "error_description"}`); remote signing;
 * scan planning, scan tasks and metrics with values that name nothing.
 */
import { type Expectation, type FuzzCase, type FuzzTargets, refused } from "./fuzz-case.js";
import { type Json, jsonText, RawNumber, tablePath, v1 } from "./request-bodies.js";

const either = (why: string, ...statuses: number[]): Expectation => ({ kind: "ok-or-error", statuses, why });

/** Query API field cases. */
function queryCases(t: FuzzTargets): FuzzCase[] {
  const out: FuzzCase[] = [];
  const q = (name: string, body: string, expect: Expectation = refused(400)) =>
    out.push({ name: `query: ${name}`, method: "POST", target: "/api/v1/query", body, expect });
  const base = { sql: `SELECT count(*) FROM iceberg.${t.namespace}.${t.table}` };
  const withField = (k: string, v: Json) => jsonText({ ...base, [k]: v });
  const wrong: Json[] = [
    "5",
    true,
    null,
    [],
    {},
    0,
    -1,
    1.5,
    new RawNumber("-0"),
    new RawNumber("1e300"),
    new RawNumber("9007199254740993"),
    new RawNumber("1e999999"),
    new RawNumber("0.0000001"),
  ];
  for (const field of ["maxRows", "maxBytes", "timeoutMs"])
    for (const v of wrong)
      q(`${field} = ${jsonText(v)}`, withField(field, v), { ...refused(400), mentions: field });
  for (const field of ["catalog", "schema"])
    for (const v of [5, true, null, [], {}, ""] as Json[])
      q(`${field} = ${jsonText(v)}`, withField(field, v), { ...refused(400), mentions: field });
  q(
    "catalog that does not exist",
    withField("catalog", "fz_nope"),
    either("the default catalog matters only to unqualified names (as Trino's session catalog)", 200),
  );
  q(
    "schema that does not exist",
    jsonText({ sql: "SELECT 1", schema: "fz_nope" }),
    either("a missing default schema matters only to unqualified names", 200),
  );
  q(
    "schema with U+202E",
    withField("schema", "a\u202Eb"),
    either("the schema is only a default for unqualified names", 200),
  );
  for (const v of [5, true, null, [], {}, "", "   "] as Json[])
    q(`sql = ${jsonText(v)}`, jsonText({ sql: v }), { ...refused(400), mentions: "sql" });
  q("no sql", jsonText({ catalog: "iceberg" }), { ...refused(400), mentions: "sql" });
  for (const k of ["foo", "__proto__", "constructor", "SQL", "sql "])
    q(`unknown key ${k}`, `{"sql":"SELECT 1",${JSON.stringify(k)}:1}`, {
      ...refused(400),
      mentions: "unknown",
    });
  q(
    "a bigint marker string as sql",
    jsonText({ sql: "\u0000\u0001bigint:1", x: new RawNumber("12345678901234567890") }),
  );
  q(
    "a bigint marker string as catalog",
    jsonText({ ...base, catalog: "\u0000\u0001bigint:x", maxRows: new RawNumber("12345678901234567890") }),
  );
  const sqlWhy = "fuzzed SQL text: an answer or a clean refusal";
  for (const sql of [
    "SELEC 1",
    "SELECT",
    "SELECT 'unterminated",
    'SELECT "unterminated',
    "SELECT 1; SELECT 2",
    ";;;",
    "-- only a comment",
    "/* unterminated comment",
    "SELECT \u0000",
    `SELECT * FROM iceberg.${t.namespace}.fz_missing`,
    `SELECT * FROM iceberg.${t.namespace}."${t.table}\u202E"`,
    `SELECT ${"(".repeat(5000)}1${")".repeat(5000)}`,
    `SELECT ${Array.from({ length: 5000 }, (_, i) => `${i}`).join(" + ")}`,
    `SELECT 1 -- ${"x".repeat(3 * 1024 * 1024)}`,
    "SELECT count(*) FROM range(100000000000)",
  ])
    q(`sql ${JSON.stringify(sql.slice(0, 50))}`, jsonText({ sql, timeoutMs: 500 }), either(sqlWhy, 200));
  // SQL that reaches outside the lakehouse: refused, nothing written.
  for (const sql of [
    `COPY (SELECT 1) TO '${t.outside}/evil.csv'`,
    `COPY (SELECT 1) TO 'file://${t.outside}/evil.parquet' (FORMAT parquet)`,
    `SELECT * FROM read_csv('${t.outside}/../lake/catalog.db')`,
    "SELECT * FROM read_text('/etc/passwd')",
    `ATTACH '${t.outside}/evil.duckdb' AS evil`,
    `INSTALL httpfs`,
    `SET home_directory = '${t.outside}'`,
    `CREATE TABLE iceberg.${t.namespace}.fz_sql AS SELECT * FROM read_parquet('${t.outside}/*.parquet')`,
    `CALL iceberg.system.register_table('${t.namespace}', 'fz_sql', 'file://${t.outside}')`,
    `SELECT * FROM iceberg.${t.namespace}."${t.table}$files" WHERE file_path LIKE '%' AND 1 = (SELECT count(*) FROM read_blob('${t.outside}/*'))`,
  ])
    q(`sql ${JSON.stringify(sql.slice(0, 60))}`, jsonText({ sql, timeoutMs: 2000 }), refused());
  out.push({ name: "query: GET /api/v1/query", method: "GET", target: "/api/v1/query" });
  out.push({ name: "query: GET /api/v1/nope", method: "GET", target: "/api/v1/nope" });
  out.push({
    name: "query: GET /api/v1/tables?x=%zz",
    method: "GET",
    target: "/api/v1/tables?x=%zz",
    expect: { kind: "ok", statuses: [200], why: "lists tables; unknown parameters are ignored" },
  });
  return out;
}

/** Token endpoint cases: form bodies (the server knows client `fuzz` with secret `fuzz-secret`). */
export function tokenCases(): FuzzCase[] {
  const out: FuzzCase[] = [];
  const form = (
    name: string,
    body: string | Buffer,
    headers: Record<string, string | null> = {},
    expect?: Expectation,
  ) =>
    out.push({
      name: `token: ${name}`,
      method: "POST",
      target: "/v1/oauth/tokens",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body,
      expect: expect ?? { kind: "oauth-error" },
    });
  const good = "grant_type=client_credentials&client_id=fuzz&client_secret=fuzz-secret&scope=catalog";
  // First, while the failure budget of this address is full: parameters given twice (RFC 6749
  // section 3.2: "MUST NOT be included more than once"), with credentials that are right.
  const dup = { kind: "oauth-error", statuses: [400] } as const;
  form("grant_type twice", `${good}&grant_type=client_credentials`, {}, dup);
  form("client_id twice", `${good}&client_id=other`, {}, dup);
  form("client_secret twice", `${good}&client_secret=wrong`, {}, dup);
  form("scope twice", `${good}&scope=warehouse:iceberg`, {}, dup);
  // Then everything else (the rate limit may answer 429 slow_down for any of them).
  form("no body", "");
  form("no grant_type", "client_id=fuzz&client_secret=fuzz-secret");
  for (const g of [
    "password",
    "authorization_code",
    "implicit",
    "",
    "CLIENT_CREDENTIALS",
    "client_credentials\u0000",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
  ])
    form(
      `grant_type ${JSON.stringify(g)}`,
      `grant_type=${encodeURIComponent(g)}&client_id=fuzz&client_secret=fuzz-secret`,
    );
  form("no client_secret", "grant_type=client_credentials&client_id=fuzz");
  form("wrong client_secret", "grant_type=client_credentials&client_id=fuzz&client_secret=nope");
  form("unknown client", "grant_type=client_credentials&client_id=nobody&client_secret=x");
  form("empty client_id", "grant_type=client_credentials&client_id=&client_secret=x");
  form("unknown scope", `${good.replace("scope=catalog", "scope=admin")}`);
  form("scope warehouse:", `${good.replace("scope=catalog", "scope=warehouse:")}`);
  form("token exchange without subject_token", "grant_type=urn:ietf:params:oauth:grant-type:token-exchange");
  form(
    "token exchange with a forged subject_token",
    "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.&subject_token_type=urn:ietf:params:oauth:token-type:access_token",
  );
  form("broken percent-encoding", "grant_type=client%zz&client_id=%&client_secret=%c0%ae");
  form("a JSON body", JSON.stringify({ grant_type: "client_credentials" }));
  form("NUL bytes", "grant_type=client_credentials\u0000&client_id=fuzz\u0000");
  form(
    "invalid UTF-8",
    Buffer.concat([
      Buffer.from("grant_type=client_credentials&client_id="),
      Buffer.from([0xff, 0xfe]),
      Buffer.from("&client_secret=x"),
    ]),
  );
  form("100 kB body", `grant_type=client_credentials&client_id=${"a".repeat(100_000)}`);
  form("10,000 fields", Array.from({ length: 10_000 }, (_, i) => `f${i}=${i}`).join("&"));
  form("HTTP Basic with bad base64", "grant_type=client_credentials", { authorization: "Basic !!!" });
  form("HTTP Basic with broken escapes", "grant_type=client_credentials", {
    authorization: `Basic ${Buffer.from("%zz:%c0").toString("base64")}`,
  });
  form("HTTP Basic of another scheme", "grant_type=client_credentials", { authorization: "Digest x" });
  form(
    "a JSON media type",
    good,
    { "content-type": "application/json" },
    { kind: "oauth-error", statuses: [415, 429] },
  );
  form("no media type", good, { "content-type": null }, { kind: "oauth-error", statuses: [415, 429] });
  form("text/plain", good, { "content-type": "text/plain" }, { kind: "oauth-error", statuses: [415, 429] });
  form("a charset parameter", "grant_type=nope", {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
  });
  out.push({ name: "token: GET", method: "GET", target: "/v1/oauth/tokens", expect: refused(404, 405) });
  out.push({
    name: "token: under a prefix",
    method: "POST",
    target: "/v1/iceberg/oauth/tokens",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: good,
    expect: refused(404, 415),
  });
  return out;
}

/** Remote signing, scan planning, tasks and metrics with values that are wrong. */
function tableApiCases(t: FuzzTargets): FuzzCase[] {
  const out: FuzzCase[] = [];
  const table = tablePath(t);
  const post = (name: string, target: string, body: Json, expect: Expectation = refused()) =>
    out.push({ name, method: "POST", target, body: jsonText(body), expect });
  const sign = (uri: string, extra: Record<string, Json> = {}) =>
    post(`sign: ${uri.slice(0, 60)} ${jsonText(extra)}`, `${table}/sign`, {
      region: "us-east-1",
      uri,
      method: "GET",
      headers: {},
      ...extra,
    });
  for (const uri of [
    "s3://fz-bucket/x",
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "https://evil.example/",
    "",
    "not a uri",
    `${t.warehouse}/${t.namespace}/${t.table}/data/x.parquet`,
  ])
    sign(uri);
  sign("s3://fz-bucket/x", { method: "DELETE" });
  sign("s3://fz-bucket/x", { headers: { host: [5] } as never });
  post("sign: a missing table", v1(`/namespaces/${t.namespace}/tables/fz_missing/sign`), {
    region: "r",
    uri: "s3://b/x",
    method: "GET",
    headers: {},
  });
  const plan = (name: string, body: Json, target = `${table}/plan`) => post(`plan: ${name}`, target, body);
  plan("snapshot 1 (none)", { "snapshot-id": 1 });
  plan("snapshot -1", { "snapshot-id": -1 });
  plan("an unknown column", { select: ["fz_nope"] });
  plan("a filter on an unknown column", { filter: { type: "eq", term: "fz_nope", value: 1 } });
  plan("a filter of an unknown type", { filter: { type: "xor", left: true, right: false } });
  plan("a filter with a string for a long", { filter: { type: "eq", term: "id", value: "x" } });
  plan("a filter nested 300 deep", {
    filter: Array.from({ length: 300 }).reduce<Json>((f) => ({ type: "not", child: f }), true),
  });
  plan("a filter that is a number", { filter: 5 });
  plan("an incremental range of unknown snapshots", { "start-snapshot-id": 1, "end-snapshot-id": 2 });
  plan("both a snapshot and a range", {
    "snapshot-id": new RawNumber(t.snapshotId),
    "start-snapshot-id": new RawNumber(t.snapshotId),
  });
  plan("a view", {}, v1(`/namespaces/${t.namespace}/tables/${t.view}/plan`));
  plan("a missing table", {}, v1(`/namespaces/${t.namespace}/tables/fz_missing/plan`));
  for (const id of ["nope", "%00", "x".repeat(5000), "..%2f"]) {
    out.push({
      name: `plan: GET plan ${id.slice(0, 20)}`,
      method: "GET",
      target: `${table}/plan/${id}`,
      expect: refused(400, 404),
    });
    out.push({
      name: `plan: DELETE plan ${id.slice(0, 20)}`,
      method: "DELETE",
      target: `${table}/plan/${id}`,
      expect: either("cancelling an unknown plan is a no-op (REST spec cancelPlanning)", 204),
    });
  }
  for (const task of ["", "nope", "\u0000", "x".repeat(100_000), "eyJ0YWJsZSI6Im90aGVyIn0"])
    post(`tasks: plan-task ${JSON.stringify(task.slice(0, 20))}`, `${table}/tasks`, { "plan-task": task });
  post("metrics: no report-type", `${table}/metrics`, {}, { ...refused(400), mentions: "report-type" });
  post(
    "metrics: a missing table",
    v1(`/namespaces/${t.namespace}/tables/fz_missing/metrics`),
    { "report-type": "scan-report" },
    refused(404),
  );
  post(
    "metrics: a valid report",
    `${table}/metrics`,
    { "report-type": "scan-report" },
    { kind: "ok", statuses: [204], why: "a valid report is logged, nothing is stored" },
  );
  out.push({
    name: "credentials: a missing table",
    method: "GET",
    target: v1(`/namespaces/${t.namespace}/tables/fz_missing/credentials`),
    expect: refused(404),
  });
  out.push({
    name: "unregister: a missing table",
    method: "POST",
    target: v1(`/namespaces/${t.namespace}/tables/fz_missing/unregister`),
    body: "{}",
    expect: refused(404),
  });
  return out;
}

/** Every API case but the token endpoint's (run apart, in order: see {@link tokenCases}). */
export function apiCases(t: FuzzTargets): FuzzCase[] {
  return [...queryCases(t), ...tableApiCases(t)];
}
