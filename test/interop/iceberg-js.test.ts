import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { IcebergError, IcebergRestCatalog } from "iceberg-js";
import type { Session } from "../../src/engine/session.js";
import { textRows } from "../helpers/lakehouse.js";
import { startRestServer, type TestRestServer } from "../helpers/rest-server.js";

// iceberg-js (Supabase's TypeScript REST catalog client, from npm) against our server: it
// round-trips namespaces and tables, commits schema changes that our engine then reads, and
// loads tables our engine wrote. iceberg-js parses responses with JSON.parse, so it holds
// 64-bit snapshot ids as doubles: they are compared as such (Number(bigint) rounds the same way).
describe("interop with iceberg-js through the REST catalog", () => {
  let server: TestRestServer;
  let js: IcebergRestCatalog;
  let session: Session;
  before(async () => {
    server = await startRestServer({
      auth: { enabled: true, tokens: { "iceberg-js-test-token-01": "iceberg-js" } },
    });
    js = new IcebergRestCatalog({
      baseUrl: server.uri,
      warehouse: "iceberg",
      auth: { type: "bearer", token: "iceberg-js-test-token-01" },
    });
    session = await server.lakehouse.session();
  });
  after(async () => {
    session?.close();
    await server?.stop();
  });

  it("round-trips namespaces: create, list, load, update properties, exists, drop", async () => {
    await js.createNamespace({ namespace: ["jsns"] }, { properties: { owner: "supabase", tier: "gold" } });
    const { namespaces } = await js.listNamespaces();
    assert.ok(namespaces.some((n) => n.namespace.join(".") === "jsns"));
    const loaded = await js.loadNamespaceMetadata({ namespace: ["jsns"] });
    assert.equal(loaded.properties.owner, "supabase");
    assert.match(loaded.properties.location ?? "", /jsns$/, "the default location we report");
    const updated = await js.updateNamespaceProperties(
      { namespace: ["jsns"] },
      { updates: { tier: "silver" }, removals: ["owner", "nope"] },
    );
    assert.deepEqual(updated.updated, ["tier"]);
    assert.deepEqual(updated.removed, ["owner"]);
    assert.deepEqual(updated.missing, ["nope"]);
    assert.deepEqual(await textRows(session, "SHOW SCHEMAS FROM iceberg LIKE 'jsns'"), ["jsns"]);
    await assert.rejects(
      js.createNamespace({ namespace: ["jsns"] }),
      (e: unknown) =>
        e instanceof IcebergError && e.status === 409 && e.icebergType === "AlreadyExistsException",
    );
    await js.createNamespace({ namespace: ["jsns_empty"] });
    assert.equal(await js.namespaceExists({ namespace: ["jsns_empty"] }), true);
    await js.dropNamespace({ namespace: ["jsns_empty"] });
    assert.equal(await js.namespaceExists({ namespace: ["jsns_empty"] }), false);
  });

  it("creates a partitioned table that our engine writes, then evolves its schema", async () => {
    const created = await js.createTable(
      { namespace: ["jsns"] },
      {
        name: "orders",
        schema: {
          type: "struct",
          fields: [
            { id: 1, name: "id", type: "long", required: true },
            { id: 2, name: "customer", type: "string", required: false },
            { id: 3, name: "amount", type: "decimal(10,2)", required: false },
            {
              id: 4,
              name: "tags",
              type: { type: "list", "element-id": 5, element: "string", "element-required": false },
              required: false,
            },
          ],
        },
        "partition-spec": {
          fields: [{ "source-id": 1, "field-id": 1000, name: "id_bucket", transform: "bucket[4]" }],
        },
        properties: { "write.format.default": "parquet" },
      },
    );
    assert.equal(created["format-version"], 2);
    assert.equal(created["partition-specs"]?.[0]?.fields[0]?.transform, "bucket[4]");
    await session.execute(
      "INSERT INTO iceberg.jsns.orders VALUES (1, 'ann', 10.50, ARRAY['a']), (2, 'bob', 20.00, ARRAY['b', 'c']), (3, NULL, NULL, NULL)",
    );
    const ours = await server.lakehouse.catalog("iceberg").loadTable({ namespace: ["jsns"], name: "orders" });
    const theirs = await js.loadTable({ namespace: ["jsns"], name: "orders" });
    assert.equal(theirs["current-snapshot-id"], Number(ours.currentSnapshot()!.snapshotId));
    assert.equal(theirs.snapshots?.length, 1);
    assert.equal(theirs.snapshots?.[0]?.summary["added-records"], "3");

    // Schema evolution committed by iceberg-js, read by our engine.
    const schemaId = theirs["current-schema-id"];
    const current = theirs.schemas.find((s) => s["schema-id"] === schemaId)!;
    await js.updateTable(
      { namespace: ["jsns"], name: "orders" },
      {
        requirements: [
          { type: "assert-current-schema-id", "current-schema-id": schemaId },
          { type: "assert-last-assigned-field-id", "last-assigned-field-id": theirs["last-column-id"]! },
        ],
        updates: [
          {
            action: "add-schema",
            schema: {
              ...current,
              "schema-id": schemaId + 1,
              fields: [...current.fields, { id: 6, name: "note", type: "string", required: false }],
            },
          },
          { action: "set-current-schema", "schema-id": -1 },
          { action: "set-properties", updates: { "comment.by": "iceberg-js" } },
        ],
      },
    );
    await session.execute("INSERT INTO iceberg.jsns.orders VALUES (4, 'dan', 1.25, ARRAY[], 'new column')");
    assert.deepEqual(
      await textRows(session, "SELECT id, customer, amount, note FROM iceberg.jsns.orders ORDER BY id"),
      ["1\tann\t10.50\tNULL", "2\tbob\t20.00\tNULL", "3\tNULL\tNULL\tNULL", "4\tdan\t1.25\tnew column"],
    );
    // A requirement that no longer holds: 409 from the server, nothing changed.
    await assert.rejects(
      js.updateTable(
        { namespace: ["jsns"], name: "orders" },
        {
          requirements: [{ type: "assert-current-schema-id", "current-schema-id": schemaId }],
          updates: [{ action: "set-properties", updates: { stale: "yes" } }],
        },
      ),
      (e: unknown) =>
        e instanceof IcebergError && e.status === 409 && e.icebergType === "CommitFailedException",
    );
    const after = await js.loadTable({ namespace: ["jsns"], name: "orders" });
    assert.equal(after.properties?.["comment.by"], "iceberg-js");
    assert.equal(after.properties?.stale, undefined);
    assert.equal(after.snapshots?.length, 2);
  });

  it("lists, renames, registers and drops tables", async () => {
    const { identifiers } = await js.listTables({ namespace: ["jsns"] });
    assert.deepEqual(
      identifiers.map((i) => i.name),
      ["orders"],
    );
    await js.renameTable({
      source: { namespace: ["jsns"], name: "orders" },
      destination: { namespace: ["jsns"], name: "orders_v2" },
    });
    assert.equal(await js.tableExists({ namespace: ["jsns"], name: "orders" }), false);
    assert.deepEqual(await textRows(session, "SELECT count(*) FROM iceberg.jsns.orders_v2"), ["4"]);
    const result = await js.loadTableResult({ namespace: ["jsns"], name: "orders_v2" });
    const location = result!["metadata-location"]!;
    // Drop without purge keeps the files; registering the metadata file brings the table back.
    await js.dropTable({ namespace: ["jsns"], name: "orders_v2" });
    await js.registerTable({ namespace: ["jsns"] }, { name: "orders_back", "metadata-location": location });
    assert.deepEqual(await textRows(session, "SELECT count(*) FROM iceberg.jsns.orders_back"), ["4"]);
    await js.dropTable({ namespace: ["jsns"], name: "orders_back" }, { purge: true });
    await assert.rejects(
      js.loadTable({ namespace: ["jsns"], name: "orders_back" }),
      (e: unknown) => e instanceof IcebergError && e.isNotFound() && e.icebergType === "NoSuchTableException",
    );
    await js.dropNamespace({ namespace: ["jsns"] });
  });
});
