/**
 * Issue 9, "Harden the server": malformed requests against the real `aichemy serve` process
 * (raw sockets, so nothing is normalised on the way): every answer is a 4xx in the ErrorModel
 * shape (OAuth errors at the token endpoint; 2xx only where a case says why it is valid), the
 * process never dies (checked after every batch), nothing refused is stored (catalog listings
 * and the warehouse and outside directories compared with their state before), and the
 * tables made at the start still load and scan to the same rows.
 *
 * Generation is seeded: set AICHEMY_FUZZ_SEED to replay a run (the seed is printed).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { apiCases, tokenCases } from "../fuzz/api-cases.js";
import { commitValueCases } from "../fuzz/commit-value-cases.js";
import {
  checkResponse,
  type FuzzCase,
  type FuzzTargets,
  Random,
  requestBytes,
  withHost,
} from "../fuzz/fuzz-case.js";
import { httpFramingCases } from "../fuzz/http-cases.js";
import { httpHostCases } from "../fuzz/http-host-cases.js";
import { jsonSyntaxCases } from "../fuzz/json-syntax-cases.js";
import { jsonTypeCases } from "../fuzz/json-type-cases.js";
import { locationCases } from "../fuzz/location-cases.js";
import { nameCases } from "../fuzz/name-cases.js";
import { rawRequest } from "../fuzz/raw-http.js";
import { type Json, jsonText, schemaJson, viewVersionJson } from "../fuzz/request-bodies.js";
import { type ServeProcess, startServeProcess } from "../helpers/serve-process.js";

const SEED = Number(process.env.AICHEMY_FUZZ_SEED ?? 20260609);
/** Requests per batch; the process and /health are checked after each. */
const BATCH = 40;
/** Requests in flight at once within a batch. */
const CONCURRENCY = 6;

/** A parsed JSON response of the setup and the checks. */
// biome-ignore lint/suspicious/noExplicitAny: the checks read whatever shape a route answers.
type Body = any;

describe("fuzz: malformed REST catalog and query API requests against aichemy serve", () => {
  const rnd = new Random(SEED);
  let root: string;
  let server: ServeProcess;
  let port: number;
  let t: FuzzTargets;
  let before_: { catalog: string; files: string; rows: string };
  let total = 0;

  /** A well-formed JSON call (setup and checks). */
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${server.uri}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : jsonText(body as Json),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const sql = async (text: string): Promise<unknown[][]> => {
    const r = await call("POST", "/api/v1/query", { sql: text });
    assert.equal(r.status, 200, `${text}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, undefined, `${text}: ${JSON.stringify(r.body.error)}`);
    return r.body.rows;
  };

  /** Whether the server process is running and answers /health. */
  const assertAlive = async (after: string) => {
    const p = server.process;
    assert.ok(
      p.exitCode === null && p.signalCode === null,
      `aichemy serve died after ${after} (${p.exitCode ?? p.signalCode}):\n${server.output().slice(-4000)}`,
    );
    const health = await fetch(`${server.uri}/health`);
    assert.equal(health.status, 200, `/health after ${after}`);
    assert.deepEqual(await health.json(), { status: "ok" });
  };

  /** Catalog state through REST: namespaces (nested), properties, tables and views with locations. */
  const catalogState = async (): Promise<string> => {
    const out: unknown[] = [];
    const walk = async (parent: string[]) => {
      const q = parent.length > 0 ? `?parent=${encodeURIComponent(parent.join("\u001f"))}` : "";
      const r = await call("GET", `/v1/iceberg/namespaces${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      for (const ns of r.body.namespaces as string[][]) {
        const enc = encodeURIComponent(ns.join("\u001f"));
        const props = (await call("GET", `/v1/iceberg/namespaces/${enc}`)).body.properties;
        const tables = (await call("GET", `/v1/iceberg/namespaces/${enc}/tables`)).body.identifiers;
        const views = (await call("GET", `/v1/iceberg/namespaces/${enc}/views`)).body.identifiers;
        const locations = [];
        for (const id of tables) {
          const r = await call("GET", `/v1/iceberg/namespaces/${enc}/tables/${encodeURIComponent(id.name)}`);
          locations.push([id.name, r.status, r.body["metadata-location"]]);
        }
        for (const id of views) {
          const r = await call("GET", `/v1/iceberg/namespaces/${enc}/views/${encodeURIComponent(id.name)}`);
          locations.push([id.name, r.status, r.body["metadata-location"]]);
        }
        out.push({ ns, props, locations });
        await walk(ns);
      }
    };
    await walk([]);
    return JSON.stringify(out, null, 1);
  };

  /** Every file and directory under `dir`, with sizes (SQLite's own files left out). */
  const fileState = (): string => {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const path = join(dir, name);
        const rel = relative(root, path);
        if (/^lake\/catalog\.db(-wal|-shm|-journal)?$/.test(rel)) continue;
        const st = statSync(path);
        out.push(`${rel}${st.isDirectory() ? "/" : ` ${st.size}`}`);
        if (st.isDirectory()) walk(path);
      }
    };
    walk(root);
    return out.join("\n");
  };

  const rowsState = async () =>
    JSON.stringify([
      await sql(`SELECT * FROM iceberg.fuzz.events ORDER BY id`),
      await sql(`SELECT * FROM iceberg.fuzz.parts ORDER BY id`),
    ]);

  before(async () => {
    process.stdout.write(`# fuzz seed ${SEED} (AICHEMY_FUZZ_SEED=${SEED} replays this run)\n`);
    root = mkdtempSync(join(tmpdir(), "fuzz-"));
    const outside = join(root, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "outside the warehouse");
    server = await startServeProcess(
      ["--data-dir", join(root, "lake")],
      ["--query-timeout", "5s", "--auth-client", "fuzz:fuzz-secret"],
    );
    port = Number(new URL(server.uri).port);
    const config = await call("GET", "/v1/config");
    assert.equal(config.status, 200);
    await sql("CREATE SCHEMA iceberg.fuzz");
    await sql("CREATE TABLE iceberg.fuzz.events (id BIGINT, data VARCHAR)");
    await sql("INSERT INTO iceberg.fuzz.events VALUES (1, 'a'), (2, 'b'), (3, NULL), (4, 'd\u00e9j\u00e0')");
    const parts = await call("POST", "/v1/iceberg/namespaces/fuzz/tables", {
      name: "parts",
      schema: schemaJson(),
      "partition-spec": {
        fields: [{ "source-id": 2, "field-id": 1000, name: "data", transform: "identity" }],
      },
    });
    assert.equal(parts.status, 200, JSON.stringify(parts.body));
    await sql("INSERT INTO iceberg.fuzz.parts VALUES (10, 'x'), (11, 'y'), (12, 'x')");
    const cafe = await call("POST", "/v1/iceberg/namespaces", { namespace: ["caf\u00e9"] });
    assert.equal(cafe.status, 200, JSON.stringify(cafe.body));
    const loaded = await fetch(`${server.uri}/v1/iceberg/namespaces/fuzz/tables/events`);
    const text = await loaded.text();
    const md = JSON.parse(text);
    const warehouse = md.metadata.location.replace(/\/fuzz\/events[^/]*$/, "");
    assert.equal(
      warehouse,
      `file://${join(root, "lake", "warehouse")}`,
      "the layout the escapes aim through",
    );
    const dataFile = (await sql(`SELECT file_path FROM iceberg.fuzz."events$files"`))[0]![0] as string;
    t = {
      host: `127.0.0.1:${port}`,
      warehouse,
      outside,
      namespace: "fuzz",
      unicodeNamespace: "caf\u00e9",
      table: "events",
      partitioned: "parts",
      view: "v",
      metadataLocation: md["metadata-location"],
      dataFile,
      snapshotId: /"current-snapshot-id"\s*:\s*(\d+)/.exec(text)![1]!,
      tableUuid: md.metadata["table-uuid"],
      viewUuid: "",
    };
    const view = await call("POST", "/v1/iceberg/namespaces/fuzz/views", {
      name: "v",
      schema: schemaJson(),
      "view-version": viewVersionJson(t),
    });
    assert.equal(view.status, 200, JSON.stringify(view.body));
    t = { ...t, viewUuid: view.body.metadata["view-uuid"] };
    before_ = { catalog: await catalogState(), files: fileState(), rows: await rowsState() };
  });

  after(async () => {
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Sends one case and checks its answer; returns what is wrong, or undefined. */
  const runCase = async (c: FuzzCase): Promise<string | undefined> => {
    const bytes = requestBytes(c, t.host);
    const pieces = c.send?.pieces?.map((p) => withHost(p, t.host));
    try {
      const res = await rawRequest(port, c.method, bytes, { ...c.send, pieces });
      const wrong = checkResponse(c, res);
      return wrong === undefined
        ? undefined
        : `${c.name}\n    ${c.method} ${c.target.slice(0, 120)}\n    -> ${wrong}\n    ${res.body.toString("utf8").slice(0, 300)}`;
    } catch (e) {
      return `${c.name}\n    ${c.method} ${c.target.slice(0, 120)}\n    -> ${(e as Error).message}`;
    }
  };

  /** Runs cases in batches of {@link BATCH}, `concurrency` at a time; asserts every answer. */
  const runAll = async (label: string, cases: FuzzCase[], concurrency = CONCURRENCY) => {
    const names = new Set<string>();
    for (const c of cases) {
      assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
      names.add(c.name);
    }
    const failures: string[] = [];
    for (let i = 0; i < cases.length; i += BATCH) {
      const batch = cases.slice(i, i + BATCH);
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < batch.length) {
            const wrong = await runCase(batch[next++]!);
            if (wrong) failures.push(wrong);
          }
        }),
      );
      await assertAlive(`${label} batch ${i / BATCH + 1} (${batch[0]!.name} ...)`);
    }
    total += cases.length;
    process.stdout.write(`# ${label}: ${cases.length} requests, ${failures.length} wrong answers\n`);
    if (failures.length > 0)
      assert.fail(
        `${failures.length} of ${cases.length} wrong answers (seed ${SEED}):\n${failures.join("\n")}`,
      );
  };

  /** The cases in a seeded order (categories are generated in order; mixing finds more). */
  const shuffled = (cases: FuzzCase[]) => {
    const out = [...cases];
    for (let i = out.length - 1; i > 0; i--) {
      const j = rnd.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };

  it("token endpoint: duplicate parameters, bad grants and media types get OAuth errors", async () => {
    // In order and one at a time: the rate limit of failures turns later ones into 429s.
    await runAll("token endpoint", tokenCases(), 1);
  });

  it("bodies that are not JSON, or too deep, too big, or of the wrong top-level type", async () => {
    await runAll("JSON syntax", shuffled(jsonSyntaxCases(t, rnd)), 4);
  });

  it("wrong types in every field of every request type, named in the refusal", async () => {
    await runAll("field types", shuffled(jsonTypeCases(t, rnd)));
  });

  it("commits and transactions with values the table or the spec forbid", async () => {
    await runAll("commit values", shuffled(commitValueCases(t)));
  });

  it("bad names in paths and bodies", async () => {
    await runAll("names", shuffled(nameCases(t, rnd)));
  });

  it("locations outside the warehouse in every field that takes one", async () => {
    await runAll("locations", shuffled(locationCases(t, rnd)));
  });

  it("HTTP framing, headers, Host and Origin, methods and query strings", async () => {
    await runAll("HTTP", [...httpFramingCases(t), ...httpHostCases(t)]);
  });

  it("query API fields, remote signing, scan planning, tasks and metrics", async () => {
    await runAll("query and table APIs", shuffled(apiCases(t)));
  });

  it("200 requests in flight at once, valid reads mixed with malformed ones", async () => {
    const valid: FuzzCase[] = Array.from({ length: 150 }, (_, i) => {
      const kind = i % 5;
      const ok = (why: string) => ({ kind: "ok", statuses: [200], why }) as const;
      if (kind === 0)
        return { name: `burst ${i}: config`, method: "GET", target: "/v1/config", expect: ok("config") };
      if (kind === 1)
        return {
          name: `burst ${i}: list`,
          method: "GET",
          target: "/v1/iceberg/namespaces",
          expect: ok("list"),
        };
      if (kind === 2)
        return {
          name: `burst ${i}: load`,
          method: "GET",
          target: "/v1/iceberg/namespaces/fuzz/tables/parts",
          expect: ok("load a table"),
        };
      if (kind === 3)
        return {
          name: `burst ${i}: scan`,
          method: "POST",
          target: "/api/v1/query",
          body: JSON.stringify({ sql: "SELECT count(*) FROM iceberg.fuzz.events" }),
          expect: ok("a read query"),
        };
      return {
        name: `burst ${i}: plan`,
        method: "POST",
        target: "/v1/iceberg/namespaces/fuzz/tables/events/plan",
        body: "{}",
        expect: ok("planning a scan stores nothing"),
      };
    });
    const malformed = rnd
      .sample([...jsonTypeCases(t, new Random(SEED + 1)), ...locationCases(t, new Random(SEED + 2))], 50)
      .map((c, i) => ({ ...c, name: `burst malformed ${i}: ${c.name}` }));
    const cases = shuffled([...valid, ...malformed]);
    const wrong = (await Promise.all(cases.map(runCase))).filter((w) => w !== undefined);
    await assertAlive("200 requests in flight");
    total += cases.length;
    if (wrong.length > 0) assert.fail(`${wrong.length} wrong answers (seed ${SEED}):\n${wrong.join("\n")}`);
  });

  it("stored nothing, died never, and the tables still load and scan the same", async () => {
    process.stdout.write(`# ${total} requests in all (seed ${SEED})\n`);
    assert.ok(total >= 500, `only ${total} requests`);
    await assertAlive("the suite");
    // No request made the server log an internal error (pino level 50 and above).
    const errors = server
      .output()
      .split("\n")
      .filter((l) => /"level":(50|60)/.test(l));
    assert.deepEqual(errors.slice(0, 5), [], `${errors.length} internal errors logged`);
    assert.equal(await catalogState(), before_.catalog, "namespaces, tables and views are as before");
    assert.equal(fileState(), before_.files, "the warehouse, the data directory and outside are as before");
    assert.equal(await rowsState(), before_.rows, "the tables scan to the same rows");
    for (const table of ["events", "parts"]) {
      const r = await call("GET", `/v1/iceberg/namespaces/fuzz/tables/${table}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.metadata["format-version"], 2);
    }
    const parts = await call("GET", "/v1/iceberg/namespaces/fuzz/tables/parts");
    assert.deepEqual(
      parts.body.metadata["partition-specs"][0].fields.map((f: Body) => f.transform),
      ["identity"],
    );
  });
});
