import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { encodeNamespace } from "../../src/catalog/rest/rest-messages.js";
import type { Session } from "../../src/engine/session.js";
import { reachableFiles } from "../../src/table/purge.js";
import { textRows } from "../helpers/lakehouse.js";
import { openRestClient, startRestServer, type TestRestServer } from "../helpers/rest-server.js";
import { s3OptionsOf, s3Skip, startS3Server, type TestS3Server } from "../helpers/s3-server.js";

/**
 * Access delegation of the REST catalog against a real MinIO: STS credentials scoped to one
 * table (read-only or read-write by principal), static keys, remote signing with scope checks,
 * and names whose characters are IAM wildcards or need escaping. Also: table properties and
 * locations can never point the server's storage calls elsewhere.
 */
const WRITER = "writer-token-0123456789";
const READER = "reader-token-0123456789";
// Table names may hold `?` (an IAM wildcard), `$` (starts a policy variable) and `+`; the
// catalog refuses `* % ' "` and spaces in names. Explicit locations may hold all of them:
// `*` and `?` must not match the sibling's `X` and `Y`.
const SPECIAL = "a?b$c+d";
const SPECIAL_LOCATION = `s3://lake/warehouse/ns/s*t?u$v'w"x+y%z q`;
const SIBLING_LOCATION = `s3://lake/warehouse/ns/sXtYu$v'w"x+y%z q`;
const TABLES: [name: string, location?: string][] = [
  ["plain"],
  ["plain2"],
  [SPECIAL],
  [`${SPECIAL}x`],
  ["special_location", SPECIAL_LOCATION],
  ["sibling_location", SIBLING_LOCATION],
];

function s3ClientOf(config: Record<string, string>): S3Client {
  return new S3Client({
    endpoint: config["s3.endpoint"],
    region: config["client.region"],
    forcePathStyle: config["s3.path-style-access"] === "true",
    credentials: {
      accessKeyId: config["s3.access-key-id"]!,
      secretAccessKey: config["s3.secret-access-key"]!,
      sessionToken: config["s3.session-token"],
    },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 1,
  });
}

const denied = (e: unknown) => {
  const name = (e as { name?: string }).name;
  assert.ok(
    name === "AccessDenied" ||
      (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403,
    String(e),
  );
  return true;
};

describe("REST access delegation on S3 (MinIO)", { skip: s3Skip("minio") }, () => {
  let s3: TestS3Server;
  let rest: TestRestServer;
  let session: Session;
  let trap: Server;
  let trapHits = 0;

  const api = async (
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${rest.uri}/v1/lake${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const tablePath = (name: string) =>
    `/namespaces/${encodeNamespace(["ns"])}/tables/${encodeURIComponent(name)}`;
  const load = (name: string, token: string, delegation: string) =>
    api("GET", tablePath(name), token, undefined, { "x-iceberg-access-delegation": delegation });
  const dataFile = async (name: string) => {
    const t = await rest.lakehouse.catalog("lake").loadTable({ namespace: ["ns"], name });
    return [...(await reachableFiles(t))].find((f) => f.endsWith(".parquet"))!;
  };
  const keyOf = (location: string) => location.replace(/^s3:\/\/lake\//, "");

  before(async () => {
    s3 = await startS3Server("minio");
    await s3.createBucket("lake");
    trap = createServer((_req, res) => {
      trapHits++;
      res.end();
    });
    await new Promise<void>((r) => trap.listen(0, "127.0.0.1", r));
    rest = await startRestServer({
      auth: {
        enabled: true,
        tokens: { [WRITER]: "writer", [READER]: "reader" },
        readOnlyPrincipals: ["reader"],
      },
      warehouses: [{ name: "lake", location: "s3://lake/warehouse" }],
      s3: s3OptionsOf(s3),
      delegation: { vending: "sts", durationSeconds: 900 },
    });
    session = await rest.lakehouse.session({ catalog: "lake" });
    await session.execute("CREATE SCHEMA lake.ns");
    for (const [name, location] of TABLES) {
      const q = `lake.ns."${name}"`;
      const w = location ? ` WITH (location = '${location.replaceAll("'", "''")}')` : "";
      await session.execute(`CREATE TABLE ${q} (id BIGINT)${w}`);
      await session.execute(`INSERT INTO ${q} VALUES (1), (2)`);
    }
  });
  after(async () => {
    session?.close();
    await rest?.stop();
    await s3?.stop();
    trap?.close();
  });

  it("vends STS credentials scoped to the table: the writer reads and writes it, nothing beside it", async () => {
    const r = await load("plain", WRITER, "vended-credentials");
    assert.equal(r.status, 200);
    const cfg = r.json.config as Record<string, string>;
    assert.ok(cfg["s3.session-token"], "temporary credentials");
    assert.notEqual(cfg["s3.access-key-id"], s3.accessKeyId, "not the server's own key");
    assert.equal(cfg["s3.endpoint"], s3.endpoint);
    assert.deepEqual(
      r.json["storage-credentials"].map((c: { prefix: string }) => c.prefix),
      ["s3://lake/warehouse/ns/plain"],
    );
    const client = s3ClientOf(cfg);
    const own = keyOf(await dataFile("plain"));
    await client.send(new GetObjectCommand({ Bucket: "lake", Key: own }));
    await client.send(
      new PutObjectCommand({ Bucket: "lake", Key: "warehouse/ns/plain/data/new.bin", Body: "x" }),
    );
    await client.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: "warehouse/ns/plain/" }));
    // The sibling whose name extends this one's is out of reach, as is listing its prefix.
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: "lake", Key: keyOf(await dataFile("plain2")) })),
      denied,
    );
    await assert.rejects(
      client.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: "warehouse/ns/plain" })),
      denied,
    );
    await assert.rejects(
      client.send(new PutObjectCommand({ Bucket: "lake", Key: "warehouse/ns/x.bin", Body: "x" })),
      denied,
    );
    client.destroy();
  });

  it("vends read-only credentials to a read-only principal, and refuses its commits", async () => {
    const r = await load("plain", READER, "vended-credentials");
    assert.equal(r.status, 200);
    const client = s3ClientOf(r.json.config);
    await client.send(new GetObjectCommand({ Bucket: "lake", Key: keyOf(await dataFile("plain")) }));
    await assert.rejects(
      client.send(
        new PutObjectCommand({ Bucket: "lake", Key: "warehouse/ns/plain/data/evil.bin", Body: "x" }),
      ),
      denied,
    );
    client.destroy();
    const commit = await api("POST", tablePath("plain"), READER, { requirements: [], updates: [] });
    assert.equal(commit.status, 403);
    const creds = await api("GET", `${tablePath("plain")}/credentials`, READER);
    assert.equal(creds.status, 200);
    assert.equal(creds.json["storage-credentials"][0].prefix, "s3://lake/warehouse/ns/plain");
  });

  it("names and locations with * ? $ quotes + % and spaces never widen the vended scope", async () => {
    // `?` and `$` of a name are percent-encoded in its default location: scoped exactly.
    const r = await load(SPECIAL, WRITER, "vended-credentials");
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const client = s3ClientOf(r.json.config);
    const own = keyOf(await dataFile(SPECIAL));
    await client.send(new GetObjectCommand({ Bucket: "lake", Key: own }));
    await client.send(new PutObjectCommand({ Bucket: "lake", Key: `${own}.copy`, Body: "x" }));
    await assert.rejects(
      client.send(new GetObjectCommand({ Bucket: "lake", Key: keyOf(await dataFile(`${SPECIAL}x`)) })),
      denied,
    );
    client.destroy();
    // An explicit location holding `*` or `?` cannot be scoped exactly by MinIO's policy
    // engine (it does not know IAM's `${*}` escapes): vending is refused, never widened.
    const loc = await load("special_location", WRITER, "vended-credentials");
    assert.equal(loc.status, 403);
    assert.match(loc.json.error.message, /IAM wildcard characters.*remote signing/);
    // Names the catalog refuses outright (they become location segments and SQL identifiers).
    const schema = {
      type: "struct",
      "schema-id": 0,
      fields: [{ id: 1, name: "a", type: "long", required: false }],
    };
    for (const bad of ["x*y", "x%y", "x'y", 'x"y', "x y"]) {
      const r = await api("POST", `/namespaces/${encodeNamespace(["ns"])}/tables`, WRITER, {
        name: bad,
        schema,
      });
      assert.equal(r.status, 400, bad);
    }
  });

  it("remote signing: signs requests inside the table, refuses everything else", async () => {
    const r = await load("special_location", WRITER, "remote-signing");
    assert.equal(r.status, 200);
    const cfg = r.json.config as Record<string, string>;
    assert.equal(cfg["s3.remote-signing-enabled"], "true");
    assert.equal(cfg["s3.access-key-id"], undefined, "no keys with remote signing");
    const signUrl = `${cfg["signer.uri"]}/${cfg["signer.endpoint"]}`;
    const sign = async (token: string, method: string, uri: string, extra: Record<string, unknown> = {}) => {
      const res = await fetch(signUrl, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          region: s3.region,
          uri,
          method,
          headers: { "x-amz-content-sha256": ["UNSIGNED-PAYLOAD"] },
          ...extra,
        }),
      });
      return {
        status: res.status,
        json: (await res.json()) as { uri: string; headers: Record<string, string[]> },
      };
    };
    const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");
    const own = keyOf(await dataFile("special_location"));
    const uri = `${s3.endpoint}/lake/${encodeKey(own)}`;
    const signed = await sign(WRITER, "GET", uri);
    assert.equal(signed.status, 200, JSON.stringify(signed.json));
    const headers = Object.fromEntries(Object.entries(signed.json.headers).map(([k, v]) => [k, v.join(",")]));
    delete headers.host;
    const got = await fetch(signed.json.uri, { headers });
    assert.equal(got.status, 200, await got.clone().text());
    assert.equal((await got.arrayBuffer()).byteLength > 0, true);
    // A PUT inside the table by the writer is signed and accepted by MinIO.
    const putUri = `${s3.endpoint}/lake/${encodeKey(own.replace(/[^/]+$/, "signed-put.bin"))}`;
    const put = await sign(WRITER, "PUT", putUri);
    assert.equal(put.status, 200);
    const putHeaders = Object.fromEntries(Object.entries(put.json.headers).map(([k, v]) => [k, v.join(",")]));
    delete putHeaders.host;
    assert.equal(
      (await fetch(put.json.uri, { method: "PUT", headers: putHeaders, body: "hello" })).status,
      200,
    );
    // Refused: the sibling table, writes by the reader, dot segments, other hosts, sub-resources, bucket listings.
    const sibling = `${s3.endpoint}/lake/${encodeKey(keyOf(await dataFile("sibling_location")))}`;
    assert.equal((await sign(WRITER, "GET", sibling)).status, 403);
    assert.equal((await sign(READER, "PUT", putUri)).status, 403);
    assert.equal((await sign(READER, "GET", uri)).status, 200);
    const dir = encodeKey(own.replace(/\/[^/]+$/, ""));
    assert.equal((await sign(WRITER, "GET", `${s3.endpoint}/lake/${dir}/../../plain/x`)).status, 400);
    assert.equal((await sign(WRITER, "GET", `${s3.endpoint}/lake/${dir}/%2E%2E/x`)).status, 400);
    assert.equal((await sign(WRITER, "GET", `http://169.254.169.254/lake/${encodeKey(own)}`)).status, 400);
    assert.equal((await sign(WRITER, "PUT", `${uri}?acl`)).status, 400);
    assert.equal(
      (await sign(WRITER, "GET", `${s3.endpoint}/lake?list-type=2&prefix=warehouse/`)).status,
      403,
    );
    assert.equal((await sign(WRITER, "GET", `${s3.endpoint}/lake?list-type=2`)).status, 400);
    const del = `<Delete><Object><Key>${own}</Key></Object><Object><Key>warehouse/ns/plain/data/x</Key></Object></Delete>`;
    assert.equal((await sign(WRITER, "POST", `${s3.endpoint}/lake?delete`, { body: del })).status, 403);
  });

  it("our REST client reads and writes S3 tables with no keys of its own: vended credentials, then remote signing", async () => {
    const signingOnly = await startRestServer({
      auth: { enabled: true, tokens: { [WRITER]: "writer" } },
      warehouses: [{ name: "lake", location: "s3://lake/warehouse" }],
      catalogUrl: `${rest.dir}/catalog.db`,
      s3: s3OptionsOf(s3),
      delegation: { vending: "off" },
    });
    try {
      let expected = 2;
      for (const [server, how] of [
        [rest, "vended"],
        [signingOnly, "signed"],
      ] as const) {
        const client = await openRestClient(
          server,
          { token: WRITER },
          { name: `client-${how}`, warehouse: "lake" },
        );
        try {
          assert.deepEqual(await textRows(client.session, "SELECT count(*) FROM rest.ns.plain"), [
            String(expected),
          ]);
          await client.session.execute(`INSERT INTO rest.ns.plain VALUES (${expected + 1})`);
          expected++;
          await client.session.execute("DELETE FROM rest.ns.plain WHERE id = 1");
          await client.session.execute("INSERT INTO rest.ns.plain VALUES (1)");
          assert.deepEqual(await textRows(client.session, "SELECT count(*) FROM rest.ns.plain"), [
            String(expected),
          ]);
        } finally {
          await client.close();
        }
        assert.deepEqual(await textRows(session, "SELECT count(*), max(id) FROM lake.ns.plain"), [
          `${expected}\t${expected}`,
        ]);
      }
    } finally {
      await signingOnly.stop();
    }
  });

  it("static mode hands out the server's keys (documented as unscoped)", async () => {
    const other = await startRestServer({
      warehouses: [{ name: "lake", location: "s3://lake/warehouse" }],
      catalogUrl: `${rest.dir}/catalog.db`,
      s3: s3OptionsOf(s3),
      delegation: { vending: "static" },
    });
    try {
      const res = await fetch(`${other.uri}/v1/lake${tablePath("plain")}`, {
        headers: { "x-iceberg-access-delegation": "vended-credentials" },
      });
      const json = (await res.json()) as { config: Record<string, string> };
      assert.equal(json.config["s3.access-key-id"], s3.accessKeyId);
    } finally {
      await other.stop();
    }
  });

  it("table properties and locations never redirect the server's storage calls", async () => {
    const trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}`;
    const schema = {
      type: "struct",
      "schema-id": 0,
      fields: [{ id: 1, name: "a", type: "long", required: false }],
    };
    const created = await api("POST", `/namespaces/${encodeNamespace(["ns"])}/tables`, WRITER, {
      name: "ssrf",
      schema,
      properties: { "s3.endpoint": trapUrl, "client.region": "evil-1", "s3.path-style-access": "false" },
    });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    await session.execute("INSERT INTO lake.ns.ssrf VALUES (1)");
    assert.equal((await load("ssrf", WRITER, "vended-credentials")).json.config["s3.endpoint"], s3.endpoint);
    assert.deepEqual((await session.execute("SELECT count(*) FROM lake.ns.ssrf")).rows, [[1n]]);
    assert.equal(trapHits, 0, "the server never called the endpoint a table property named");
    for (const location of [
      "s3://other-bucket/x",
      "s3://lake/elsewhere/x",
      "s3://lake/warehouse/../x",
      trapUrl,
    ]) {
      const r = await api("POST", `/namespaces/${encodeNamespace(["ns"])}/tables`, WRITER, {
        name: "outside",
        schema,
        location,
      });
      assert.equal(r.status, 400, `${location}: ${JSON.stringify(r.json)}`);
      assert.match(r.json.error.message, /is outside the warehouse|is refused: it contains a '\.\.' segment/);
    }
    const moved = await api("POST", `/namespaces/${encodeNamespace(["ns"])}/tables`, WRITER, {
      name: "moved",
      schema,
      properties: { "write.data.path": "s3://other-bucket/data" },
    });
    assert.equal(moved.status, 400);
    assert.equal(trapHits, 0);
  });
});
