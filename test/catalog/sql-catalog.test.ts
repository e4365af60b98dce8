import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SqlCatalog } from "../../src/catalog/sql/sql-catalog.js";
import { openPostgresCatalogDb } from "../../src/catalog/sql/postgres-dialect.js";
import { openSqliteCatalogDb } from "../../src/catalog/sql/sqlite-dialect.js";
import {
  AlreadyExistsError,
  CommitFailedError,
  NamespaceNotEmptyError,
  NoSuchNamespaceError,
  NoSuchTableError,
  ValidationError,
} from "../../src/errors.js";
import { LocalFileIO } from "../../src/io/local-file-io.js";
import { fileUri } from "../../src/io/location.js";
import { postgresSkip, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { Schema } from "../../src/spec/schema.js";
import { Types } from "../../src/spec/types.js";

const schema = new Schema(0, [
  { id: 1, name: "id", required: true, type: Types.long },
  { id: 2, name: "data", required: false, type: Types.string },
]);

// The catalog contract, run against every backend: one store, two dialects (and the REST
// client against our server, in test/server).
let pg: TestPostgres | undefined;
let pgDatabases = 0;
before(async () => {
  if (!postgresSkip) pg = await startPostgres();
});
after(() => pg?.stop());

const BACKENDS: [string, false | string, (dir: string) => Promise<SqlCatalog>][] = [
  [
    "SQLite",
    false,
    (dir) =>
      SqlCatalog.open({ name: "iceberg", db: openSqliteCatalogDb(join(dir, "catalog.db")), warehouse: fileUri(join(dir, "wh")), io: new LocalFileIO() }),
  ],
  [
    "PostgreSQL",
    postgresSkip,
    async (dir) =>
      SqlCatalog.open({
        name: "iceberg",
        db: openPostgresCatalogDb(pg!.database(`contract_${++pgDatabases}_${process.pid}`)),
        warehouse: fileUri(join(dir, "wh")),
        io: new LocalFileIO(),
      }),
  ],
];

for (const [backend, skip, open] of BACKENDS) {
  describe(`SQL catalog contract: ${backend}`, { skip }, () => {
    let dir: string;
    let catalog: SqlCatalog;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "catalog-"));
      catalog = await open(dir);
    });
    after(async () => {
      await catalog.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("creates, lists, loads properties of and drops namespaces", async () => {
      await catalog.createNamespace(["a"], { owner: "me" });
      await catalog.createNamespace(["a", "b"]);
      assert.deepEqual(await catalog.listNamespaces(), [["a"]]);
      assert.deepEqual(await catalog.listNamespaces(["a"]), [["a", "b"]]);
      assert.deepEqual(await catalog.loadNamespaceProperties(["a"]), { owner: "me" });
      await catalog.updateNamespaceProperties(["a"], ["owner"], { team: "x" });
      assert.deepEqual(await catalog.loadNamespaceProperties(["a"]), { team: "x" });
      await assert.rejects(catalog.createNamespace(["a"]), AlreadyExistsError);
      await assert.rejects(catalog.dropNamespace(["a"]), NamespaceNotEmptyError);
      await catalog.dropNamespace(["a", "b"]);
      await catalog.dropNamespace(["a"]);
      assert.equal(await catalog.namespaceExists(["a"]), false);
      await assert.rejects(catalog.loadNamespaceProperties(["a"]), NoSuchNamespaceError);
    });

    it("rejects names that cannot be stored, naming them", async () => {
      await assert.rejects(catalog.createNamespace(["a.b"]), /must not contain '\.'/);
      await assert.rejects(catalog.createNamespace([""]), ValidationError);
    });

    it("creates, loads, renames, lists and drops tables", async () => {
      await catalog.createNamespace(["ns"]);
      const t = await catalog.createTable({ namespace: ["ns"], name: "t" }, { schema });
      assert.equal(t.metadata.formatVersion, 2);
      assert.match(t.metadataLocation, /\/ns\/t\/metadata\/00000-[0-9a-f-]+\.metadata\.json$/);
      await assert.rejects(
        catalog.createTable({ namespace: ["ns"], name: "t" }, { schema }),
        AlreadyExistsError,
      );
      await assert.rejects(
        catalog.createTable({ namespace: ["nope"], name: "t" }, { schema }),
        NoSuchNamespaceError,
      );
      await assert.rejects(
        catalog.createTable({ namespace: ["ns"], name: "x" }, { schema, location: "file:///etc/evil" }),
        /outside the warehouse/,
      );
      await catalog.renameTable({ namespace: ["ns"], name: "t" }, { namespace: ["ns"], name: "t2" });
      assert.deepEqual(
        (await catalog.listTables(["ns"])).map((x) => x.name),
        ["t2"],
      );
      assert.equal(
        (await catalog.loadTable({ namespace: ["ns"], name: "t2" })).metadata.tableUuid,
        t.metadata.tableUuid,
      );
      await catalog.dropTable({ namespace: ["ns"], name: "t2" }, true);
      await assert.rejects(catalog.loadTable({ namespace: ["ns"], name: "t2" }), NoSuchTableError);
    });

    it("commits by compare-and-swap: a stale commit fails and changes nothing", async () => {
      const id = { namespace: ["ns"], name: "cas" };
      const t = await catalog.createTable(id, { schema });
      const first = await catalog.commitTable(
        id,
        [{ type: "assert-table-uuid", uuid: t.metadata.tableUuid }],
        [{ action: "set-properties", updates: { a: "1" } }],
      );
      assert.equal(first.metadata.properties.a, "1");
      assert.equal(first.metadata.metadataLog.at(-1)?.metadataFile, t.metadataLocation);
      // A writer that still holds the old state: its requirement no longer holds.
      await assert.rejects(
        catalog.commitTable(
          id,
          [{ type: "assert-last-assigned-field-id", lastAssignedFieldId: 99 }],
          [{ action: "set-properties", updates: { b: "2" } }],
        ),
        CommitFailedError,
      );
      const now = await catalog.loadTable(id);
      assert.equal(now.metadataLocation, first.metadataLocation);
      assert.equal(now.metadata.properties.b, undefined);
    });

    it("registers an existing table by metadata location", async () => {
      const t = await catalog.createTable({ namespace: ["ns"], name: "orig" }, { schema });
      const r = await catalog.registerTable({ namespace: ["ns"], name: "copy" }, t.metadataLocation);
      assert.equal(r.metadata.tableUuid, t.metadata.tableUuid);
      await assert.rejects(
        catalog.registerTable({ namespace: ["ns"], name: "copy" }, t.metadataLocation),
        AlreadyExistsError,
      );
    });

    it("keeps the JDBC/pyiceberg SQL catalog layout", async () => {
      const tables = await catalog.db.introspection.getTables();
      const cols = (n: string) =>
        tables
          .find((t) => t.name === n)
          ?.columns.map((c) => c.name)
          .sort();
      assert.deepEqual(cols("iceberg_tables"), [
        "catalog_name",
        "iceberg_type",
        "metadata_location",
        "previous_metadata_location",
        "table_name",
        "table_namespace",
      ]);
      assert.deepEqual(cols("iceberg_namespace_properties"), [
        "catalog_name",
        "namespace",
        "property_key",
        "property_value",
      ]);
    });
  });
}

describe("concurrent writers in separate processes (SQLite)", () => {
  it("two processes appending to one table both succeed and no commit is lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "concurrent-"));
    try {
      const script = join(import.meta.dirname, "../helpers/append-worker.ts");
      execFileSync(process.execPath, ["--import", "tsx", script, dir, "setup"], { stdio: "inherit" });
      const run = (worker: string) =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(process.execPath, ["--import", "tsx", script, dir, worker], {
            stdio: ["ignore", "inherit", "inherit"],
          });
          p.on("exit", (code) =>
            code === 0 ? resolve() : reject(new Error(`worker ${worker} exited ${code}`)),
          );
        });
      await Promise.all([run("w1"), run("w2")]);
      const out = execFileSync(process.execPath, ["--import", "tsx", script, dir, "check"], {
        encoding: "utf8",
      });
      const result = JSON.parse(out.trim().split("\n").at(-1)!);
      assert.equal(result.rows, 2 * 10 * 3, "every appended row is present once");
      assert.equal(result.snapshots, 20, "one snapshot per commit, none lost");
      assert.equal(result.distinctIds, 60);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
