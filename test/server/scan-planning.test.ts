import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ScanPlanner } from "../../src/server/rest/scan-planning.js";
import { expressionFromJson } from "../../src/spec/codec/expression-json.js";
import { expressionToString } from "../../src/spec/expressions/expression.js";
import { Schema } from "../../src/spec/schema.js";
import { Types } from "../../src/spec/types.js";
import { startRestServer, type TestRestServer } from "../helpers/rest-server.js";
import { copySharedIntoWarehouse, sharedSkip } from "../helpers/shared.js";

async function post(server: TestRestServer, path: string, body?: unknown) {
  const res = await fetch(`${server.uri}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe("server-side scan planning", () => {
  let server: TestRestServer;
  const plan = "/v1/iceberg/namespaces/db/tables/events/plan";
  let firstSnapshot: string;
  before(async () => {
    server = await startRestServer();
    const s = await server.lakehouse.session();
    await s.execute("CREATE SCHEMA iceberg.db");
    await s.execute(
      "CREATE TABLE iceberg.db.events (id BIGINT, kind VARCHAR) WITH (partitioning = ARRAY['kind'])",
    );
    await s.execute("INSERT INTO iceberg.db.events VALUES (1, 'a'), (2, 'b')");
    firstSnapshot = String(
      (await s.execute('SELECT snapshot_id FROM iceberg.db."events$snapshots"')).rows[0]![0],
    );
    await s.execute("INSERT INTO iceberg.db.events VALUES (3, 'a'), (4, 'c'), (5, 'c')");
    s.close();
  });
  after(() => server.stop());

  const paths = (r: { body: any }) =>
    (r.body["file-scan-tasks"] as { "data-file": { partition: unknown[] } }[])
      .map((t) => t["data-file"].partition[0])
      .sort();

  it("plans the whole table: one file scan task per data file, completed at once", async () => {
    const r = await post(server, plan, {});
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "completed");
    assert.match(r.body["plan-id"], /^[0-9a-f-]{36}$/);
    assert.deepEqual(paths(r), ["a", "a", "b", "c"]);
    const f = r.body["file-scan-tasks"][0]["data-file"];
    assert.equal(f.content, "data");
    assert.equal(f["file-format"], "parquet");
    assert.ok(f["record-count"] >= 1);
    assert.equal(f["lower-bounds"], undefined, "no stats unless stats-fields asks");
  });

  it("prunes by a filter in the current and the deprecated expression forms", async () => {
    const modern = await post(server, plan, {
      filter: { type: "eq", left: { type: "reference", name: "kind" }, right: "c" },
    });
    assert.deepEqual(paths(modern), ["c"]);
    const legacy = await post(server, plan, { filter: { type: "in", term: "kind", values: ["a", "b"] } });
    assert.deepEqual(paths(legacy), ["a", "a", "b"]);
    const negated = await post(server, plan, {
      filter: { type: "not", child: { type: "eq", term: "kind", value: "a" } },
    });
    assert.deepEqual(paths(negated), ["b", "c"]);
    const byStats = await post(server, plan, {
      filter: { type: "gt", term: "id", value: 4 },
      "stats-fields": ["id"],
    });
    assert.deepEqual(paths(byStats), ["c"]);
    const f = byStats.body["file-scan-tasks"][0]["data-file"];
    assert.deepEqual(f["lower-bounds"], { keys: [1], values: [4] });
    assert.deepEqual(f["upper-bounds"], { keys: [1], values: [5] });
  });

  it("plans a snapshot by id (time travel)", async () => {
    // The id is a 64-bit integer: send its text so no precision is lost.
    const res = await fetch(`${server.uri}${plan}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"snapshot-id": ${firstSnapshot}}`,
    });
    const r = { status: res.status, body: (await res.json()) as any };
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(paths(r), ["a", "b"]);
  });

  it("fetches and cancels a plan by id; unknown plans and tasks are 404", async () => {
    const r = await post(server, plan, {});
    const id = r.body["plan-id"];
    const fetched = await fetch(`${server.uri}${plan}/${id}`);
    const again = (await fetched.json()) as any;
    assert.equal(again.status, "completed");
    assert.equal(again["file-scan-tasks"].length, 4);
    assert.equal((await fetch(`${server.uri}${plan}/${id}`, { method: "DELETE" })).status, 204);
    const gone = await fetch(`${server.uri}${plan}/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as any).error.type, "NoSuchPlanIdException");
    const task = await post(server, "/v1/iceberg/namespaces/db/tables/events/tasks", {
      "plan-task": `${id}:0`,
    });
    assert.equal(task.status, 404);
    assert.equal(task.body.error.type, "NoSuchPlanTaskException");
  });

  it("rejects unknown columns and incremental scans with the spec's errors", async () => {
    const unknown = await post(server, plan, { filter: { type: "eq", term: "nope", value: 1 } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /filter\.term.*nope/);
    const select = await post(server, plan, { select: ["id", "ghost"] });
    assert.equal(select.status, 400);
    assert.match(select.body.error.message, /select\[1\]/);
    const badLiteral = await post(server, plan, { filter: { type: "eq", term: "id", value: "x" } });
    assert.equal(badLiteral.status, 400);
    assert.match(badLiteral.body.error.message, /filter\.value/);
    const incremental = await post(server, plan, { "start-snapshot-id": 1, "end-snapshot-id": 2 });
    assert.equal(incremental.status, 406);
    assert.equal(incremental.body.error.type, "UnsupportedOperationException");
  });

  it("splits a large plan into plan tasks fetched through /tasks", async () => {
    const table = await server.lakehouse.catalog().loadTable({ namespace: ["db"], name: "events" });
    const planner = new ScanPlanner(3);
    const r = await planner.plan(table, "k", {});
    assert.deepEqual(r["file-scan-tasks"], []);
    const tasks = r["plan-tasks"] as string[];
    assert.equal(tasks.length, 2);
    const chunks = tasks.map((t) => planner.tasks("k", { "plan-task": t })["file-scan-tasks"] as unknown[]);
    assert.deepEqual(
      chunks.map((c) => c.length),
      [3, 1],
    );
    assert.throws(() => planner.tasks("other-table", { "plan-task": tasks[0] }), /No such plan task/);
  });
});

describe("server-side scan planning of a table with equality deletes (../shared)", {
  skip: sharedSkip("data/iceberg/duckdb-iceberg"),
}, () => {
  let server: TestRestServer;
  before(async () => {
    // The table lives outside the warehouse: registering it needs local file access.
    server = await startRestServer({ localFileAccess: true });
    const s = await server.lakehouse.session();
    await s.execute("CREATE SCHEMA iceberg.ext");
    await s.execute(
      `CALL iceberg.system.register_table('ext', 't', '${copySharedIntoWarehouse(server.dir, "data/iceberg/duckdb-iceberg/equality_deletes/warehouse/mydb/mytable_partitioned")}')`,
    );
    s.close();
  });
  after(() => server.stop());

  it("returns the delete files every task needs, referenced by index", async () => {
    const r = await post(server, "/v1/iceberg/namespaces/ext/tables/t/plan", {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const deletes = r.body["delete-files"] as { content: string; "equality-ids"?: number[] }[];
    assert.ok(deletes.length > 0);
    assert.ok(deletes.every((d) => d.content === "equality-deletes" && (d["equality-ids"]?.length ?? 0) > 0));
    const refs = (r.body["file-scan-tasks"] as { "delete-file-references"?: number[] }[]).flatMap(
      (t) => t["delete-file-references"] ?? [],
    );
    assert.ok(refs.length > 0);
    assert.ok(refs.every((i) => i >= 0 && i < deletes.length));
  });
});

describe("REST expression JSON binding", () => {
  const schema = new Schema(0, [
    { id: 1, name: "id", required: true, type: Types.long },
    { id: 2, name: "Name", required: false, type: Types.string },
    { id: 3, name: "day", required: false, type: Types.date },
  ]);
  const bind = (json: unknown, caseSensitive = true) =>
    expressionToString(expressionFromJson(json, schema, { caseSensitive }));

  it("binds both forms, pushes NOT to the leaves and keeps transform terms conservative", () => {
    assert.equal(
      bind({ type: "lt", term: "id", value: 5 }),
      bind({ type: "lt", left: { type: "reference", id: 1 }, right: 5 }),
    );
    assert.equal(
      bind({
        type: "not",
        child: {
          type: "and",
          left: { type: "eq", term: "id", value: 1 },
          right: { type: "is-null", term: "Name" },
        },
      }),
      bind({
        type: "or",
        left: { type: "not-eq", term: "id", value: 1 },
        right: { type: "not-null", term: "Name" },
      }),
    );
    assert.equal(
      bind({
        type: "not",
        child: { type: "eq", term: { type: "transform", transform: "bucket[4]", term: "id" }, value: 1 },
      }),
      "true",
    );
    assert.equal(bind(true), "true");
    assert.equal(bind({ type: "false" }), "false");
    assert.match(bind({ type: "eq", term: "day", value: "2025-01-02" }), /day/);
    const insensitive = expressionFromJson({ type: "eq", term: "name", value: "x" }, schema, {
      caseSensitive: false,
    });
    assert.equal(insensitive.op === "eq" ? insensitive.ref.fieldId : -1, 2);
    assert.throws(() => bind({ type: "eq", term: "name", value: "x" }), /Cannot find field 'name'/);
    assert.throws(() => bind({ type: "between", term: "id" }), /filter\.type/);
    assert.throws(() => bind({ type: "eq", left: "id", right: 1 }), /filter\.left/);
  });
});
