/**
 * Issue 9, "Locations escape the warehouse", through the real REST server: percent-encoded
 * dot segments and separators in every location field a client can send are a 400
 * BadRequestException naming the field, nothing is written outside the warehouse and nothing
 * is stored; a purge never deletes outside the warehouse; legitimate locations still work.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PURGE_SKIPPED_WARNING } from "../../src/catalog/sql/sql-catalog.js";
import { localPathOf } from "../../src/io/location.js";
import { schemaToJson } from "../../src/spec/codec/schema-json.js";
import { schema } from "../catalog/catalog-contract.js";
import { type RestAnswer, restCall, startRestServer, type TestRestServer } from "../helpers/rest-server.js";

/** A parsed JSON response body (many shapes: load results, errors, namespaces). */
// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever shape a route answers.
type Body = any;

/** A raw HTTP call: status and parsed body. */
function call(server: TestRestServer, method: string, path: string, body?: unknown): Promise<RestAnswer> {
  return restCall(server, method, `/v1/iceberg${path}`, { body });
}

/** Asserts a 400 BadRequestException whose message starts with `field` and names the warehouse. */
function assertRefused(
  r: { status: number; body: Body },
  field: string,
  warehouse: string,
  reason?: RegExp,
): void {
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.error.type, "BadRequestException");
  assert.equal(r.body.error.code, 400);
  const message: string = r.body.error.message;
  assert.ok(message.startsWith(`${field} "`), `expected the field ${field} first: ${message}`);
  assert.ok(message.includes(`the warehouse ${warehouse}`), `expected the warehouse: ${message}`);
  if (reason) assert.match(message, reason);
}

describe("REST catalog server: locations never escape the warehouse", () => {
  let server: TestRestServer;
  let wh: string;
  /** What the server's data directory (the parent of the warehouse) held before any attempt. */
  let baseline: string[];
  const outsideListing = () => readdirSync(server.dir).sort();
  /** Escapes that lead from `<wh>/db` to the server's data directory. */
  const escapes = () => [
    `${wh}/db/%2e%2e/%2e%2e/evil`,
    `${wh}/db/%2E%2e/%2e%2E/evil`,
    `${wh}/db/.%2e/%2e./evil`,
    `${wh}/db/%2E%2E/.%2E/evil`,
    `${wh}/db/t/%2e%2e/%2e%2e/%2e%2e/evil`,
  ];
  /** Encoded separators: a 500 before (fileURLToPath throws), and once stored. */
  const separators = () => [
    `${wh}/db/a%2fb`,
    `${wh}/db/a%2Fb`,
    `${wh}/db/a%5cb`,
    `${wh}/db/%2f..%2f..%2fevil`,
  ];

  before(async () => {
    server = await startRestServer();
    wh = server.warehouse;
    assert.equal((await call(server, "POST", "/namespaces", { namespace: ["db"] })).status, 200);
    assert.equal(
      (await call(server, "POST", "/namespaces/db/tables", { name: "t", schema: schemaToJson(schema) }))
        .status,
      200,
    );
    baseline = outsideListing();
  });
  after(() => server.stop());

  it("create table: an encoded dot segment or separator in location is a 400 naming `location`; no table, nothing outside", async () => {
    for (const location of [...escapes(), ...separators()]) {
      const r = await call(server, "POST", "/namespaces/db/tables", {
        name: "evil",
        schema: schemaToJson(schema),
        location,
      });
      assertRefused(r, "location", wh, /is refused: it contains an encoded/);
      assert.equal((await call(server, "HEAD", "/namespaces/db/tables/evil")).status, 404, location);
      const staged = await call(server, "POST", "/namespaces/db/tables", {
        name: "evil",
        schema: schemaToJson(schema),
        location,
        "stage-create": true,
      });
      assertRefused(staged, "location", wh);
    }
    assert.deepEqual(outsideListing(), baseline);
    assert.equal(existsSync(join(server.dir, "evil")), false);
  });

  it("create table: every write-path property is checked and named", async () => {
    for (const key of [
      "write.data.path",
      "write.metadata.path",
      "write.object-storage.path",
      "write.folder-storage.path",
    ]) {
      for (const value of [escapes()[0]!, separators()[0]!, "file:///tmp/elsewhere"]) {
        const r = await call(server, "POST", "/namespaces/db/tables", {
          name: "evil",
          schema: schemaToJson(schema),
          properties: { [key]: value },
        });
        assertRefused(r, `properties.${key}`, wh);
      }
    }
    assert.equal((await call(server, "HEAD", "/namespaces/db/tables/evil")).status, 404);
    assert.deepEqual(outsideListing(), baseline);
  });

  it("commit: set-location and set-properties name the update; the table keeps its metadata", async () => {
    const before = (await call(server, "GET", "/namespaces/db/tables/t")).body;
    for (const location of [...escapes(), ...separators()]) {
      const r = await call(server, "POST", "/namespaces/db/tables/t", {
        requirements: [],
        updates: [{ action: "set-location", location }],
      });
      assertRefused(r, "updates[0].location", wh);
    }
    for (const key of ["write.data.path", "write.metadata.path"]) {
      const r = await call(server, "POST", "/namespaces/db/tables/t", {
        requirements: [],
        updates: [
          { action: "set-properties", updates: { harmless: "1" } },
          { action: "set-properties", updates: { [key]: escapes()[1] } },
        ],
      });
      assertRefused(r, `updates[1].updates.${key}`, wh, /encoded dot segment/);
    }
    const tx = await call(server, "POST", "/transactions/commit", {
      "table-changes": [
        {
          identifier: { namespace: ["db"], name: "t" },
          requirements: [],
          updates: [{ action: "set-location", location: escapes()[2] }],
        },
      ],
    });
    assertRefused(tx, "table-changes[0].updates[0].location", wh);
    const afterLoad = (await call(server, "GET", "/namespaces/db/tables/t")).body;
    assert.equal(afterLoad["metadata-location"], before["metadata-location"]);
    assert.equal(afterLoad.metadata.location, before.metadata.location);
    assert.equal(afterLoad.metadata.properties.harmless, undefined);
    assert.deepEqual(outsideListing(), baseline);
  });

  it("namespaces: a location property outside the warehouse is refused on create and update", async () => {
    for (const location of [...escapes(), ...separators(), "file:///tmp/elsewhere", `${wh}/../elsewhere`]) {
      const created = await call(server, "POST", "/namespaces", {
        namespace: ["evilns"],
        properties: { location },
      });
      assertRefused(created, "namespace property location", wh);
      assert.equal((await call(server, "HEAD", "/namespaces/evilns")).status, 404);
      const updated = await call(server, "POST", "/namespaces/db/properties", {
        removals: [],
        updates: { location, x: "1" },
      });
      assertRefused(updated, "namespace property location", wh);
    }
    assert.deepEqual((await call(server, "GET", "/namespaces/db")).body.properties, { location: `${wh}/db` });
    const ok = await call(server, "POST", "/namespaces", {
      namespace: ["goodns"],
      properties: { location: `${wh}/custom-ns` },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.properties.location, `${wh}/custom-ns`);
  });

  it("views: an escaping location or metadata-location is refused; no view", async () => {
    const view = (location?: string) => ({
      name: "evilview",
      schema: schemaToJson(schema),
      "view-version": {
        "version-id": 1,
        "schema-id": 0,
        "timestamp-ms": Date.now(),
        summary: { "engine-name": "test" },
        representations: [{ type: "sql", sql: "SELECT 1 AS id, 'a' AS data", dialect: "trino" }],
        "default-namespace": ["db"],
      },
      ...(location ? { location } : {}),
    });
    for (const location of [...escapes(), ...separators()])
      assertRefused(await call(server, "POST", "/namespaces/db/views", view(location)), "location", wh);
    assertRefused(
      await call(server, "POST", "/namespaces/db/register-view", {
        name: "evilview",
        "metadata-location": `${wh}/db/%2e%2e/%2e%2e/v.metadata.json`,
      }),
      "metadata-location",
      wh,
      /encoded dot segment/,
    );
    assert.equal((await call(server, "HEAD", "/namespaces/db/views/evilview")).status, 404);
    const ok = await call(server, "POST", "/namespaces/db/views", view(`${wh}/db/views/goodview`));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(outsideListing(), baseline);
  });

  it("register: metadata outside or behind an encoded escape is refused; a table inside registers", async () => {
    const t = (await call(server, "GET", "/namespaces/db/tables/t")).body;
    const tablePath = localPathOf(t.metadata.location);
    // A copy of the table outside the warehouse, reached plainly and through encodings.
    cpSync(tablePath, join(server.dir, "outside-copy"), { recursive: true });
    baseline = outsideListing();
    const fileName = t["metadata-location"].slice(t["metadata-location"].lastIndexOf("/") + 1);
    for (const [metadataLocation, reason] of [
      [`file://${server.dir}/outside-copy/metadata/${fileName}`, /is outside the warehouse/],
      [`${wh}/db/%2e%2e/%2e%2e/outside-copy/metadata/${fileName}`, /encoded dot segment/],
      [`${wh}/%2E%2E/outside-copy/metadata/${fileName}`, /encoded dot segment/],
      [`${wh}/db%2f..%2f..%2foutside-copy/metadata/${fileName}`, /encoded '\/'/],
    ] as const) {
      const r = await call(server, "POST", "/namespaces/db/register", {
        name: "reg",
        "metadata-location": metadataLocation,
      });
      assertRefused(r, "metadata-location", wh, reason);
      assert.equal((await call(server, "HEAD", "/namespaces/db/tables/reg")).status, 404);
    }
    // Metadata inside the warehouse whose write path escapes.
    const md = JSON.parse(readFileSync(localPathOf(t["metadata-location"]), "utf8"));
    const craftedDir = join(localPathOf(wh), "db", "crafted", "metadata");
    mkdirSync(craftedDir, { recursive: true });
    const crafted = `${wh}/db/crafted/metadata/00000-crafted.metadata.json`;
    writeFileSync(
      localPathOf(crafted),
      JSON.stringify({
        ...md,
        location: `${wh}/db/crafted`,
        properties: { "write.data.path": escapes()[0] },
      }),
    );
    const r = await call(server, "POST", "/namespaces/db/register", {
      name: "reg",
      "metadata-location": crafted,
    });
    assertRefused(r, `metadata-location "${crafted}": properties.write.data.path`, wh, /encoded dot segment/);
    // A table inside registers (a copy in a directory of its own: the original's directory
    // is the original's).
    const copyDir = join(localPathOf(wh), "db", "t-copy");
    cpSync(dirname(dirname(localPathOf(t["metadata-location"]))), copyDir, { recursive: true });
    const inside = await call(server, "POST", "/namespaces/db/register", {
      name: "reg",
      "metadata-location": `${wh}/db/t-copy/metadata/${fileName}`,
    });
    assert.equal(inside.status, 200, JSON.stringify(inside.body));
    assert.equal(inside.body.metadata["table-uuid"], t.metadata["table-uuid"]);
    assert.deepEqual(outsideListing(), baseline);
  });

  it("drop with purge deletes no file outside the warehouse, even when the metadata names one", async () => {
    const t = (await call(server, "GET", "/namespaces/db/tables/t")).body;
    const md = JSON.parse(readFileSync(localPathOf(t["metadata-location"]), "utf8"));
    // Files outside the warehouse that a registered table's metadata log names: through an
    // encoded escape that normalises into the data directory, and plainly.
    writeFileSync(join(server.dir, "victim.txt"), "keep me");
    writeFileSync(join(server.dir, "victim2.txt"), "keep me too");
    const dir = `${wh}/db/victimtable`;
    mkdirSync(join(localPathOf(dir), "metadata"), { recursive: true });
    const kept = `${dir}/metadata/00000-kept.metadata.json`;
    writeFileSync(localPathOf(kept), "{}");
    const current = `${dir}/metadata/00001-current.metadata.json`;
    writeFileSync(
      localPathOf(current),
      JSON.stringify({
        ...md,
        location: dir,
        "metadata-log": [
          { "metadata-file": `${dir}/metadata/%2e%2e/%2e%2e/%2e%2e/%2e%2e/victim.txt`, "timestamp-ms": 1 },
          { "metadata-file": `file://${server.dir}/victim2.txt`, "timestamp-ms": 2 },
          { "metadata-file": kept, "timestamp-ms": 3 },
        ],
      }),
    );
    const reg = await call(server, "POST", "/namespaces/db/register", {
      name: "victimtable",
      "metadata-location": current,
    });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      assert.equal(
        (await call(server, "DELETE", "/namespaces/db/tables/victimtable?purgeRequested=true")).status,
        204,
      );
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    assert.equal(readFileSync(join(server.dir, "victim.txt"), "utf8"), "keep me");
    assert.equal(readFileSync(join(server.dir, "victim2.txt"), "utf8"), "keep me too");
    assert.equal(existsSync(localPathOf(kept)), false, "files inside the warehouse are purged");
    assert.equal(existsSync(localPathOf(current)), false);
    const w = warnings.find((x) => (x as NodeJS.ErrnoException).code === PURGE_SKIPPED_WARNING);
    assert.ok(w, "the skipped files are reported");
    assert.match(w.message, /left 2 file\(s\) outside the warehouse/);
    assert.match(w.message, /victim\.txt/);
  });

  it("legitimate locations inside the warehouse still work end to end", async () => {
    const r = await call(server, "POST", "/namespaces/db/tables", {
      name: "custom",
      schema: schemaToJson(schema),
      location: `${wh}/db/custom-place`,
      properties: { "write.data.path": `${wh}/db/custom-place/my-data` },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.metadata.location, `${wh}/db/custom-place`);
    assert.ok(existsSync(localPathOf(r.body["metadata-location"])));
    const session = await server.lakehouse.session();
    try {
      await session.execute("INSERT INTO iceberg.db.custom VALUES (1, 'a')");
      assert.deepEqual((await session.execute("SELECT id, data FROM iceberg.db.custom")).rows, [[1n, "a"]]);
    } finally {
      session.close();
    }
    assert.ok(
      readdirSync(join(localPathOf(wh), "db", "custom-place", "my-data")).some((f) => f.endsWith(".parquet")),
    );
    const moved = await call(server, "POST", "/namespaces/db/tables/custom", {
      requirements: [],
      updates: [{ action: "set-location", location: `file://localhost${localPathOf(wh)}/db/moved` }],
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  });
});
