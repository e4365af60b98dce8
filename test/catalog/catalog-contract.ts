/**
 * The catalog contract: every behaviour of the Catalog interface, run against each backend
 * (SQLite, PostgreSQL, and the REST client talking to our REST server on either store).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/catalog/catalog.js";
import {
  AlreadyExistsError,
  CommitFailedError,
  NamespaceNotEmptyError,
  NoSuchNamespaceError,
  NoSuchTableError,
  NoSuchViewError,
  ValidationError,
} from "../../src/errors.js";
import type { FileIO } from "../../src/io/file-io.js";
import { localPathOf } from "../../src/io/location.js";
import { createTableUpdates } from "../../src/spec/new-table-metadata.js";
import { Schema } from "../../src/spec/schema.js";
import { Types } from "../../src/spec/types.js";
import type { ViewVersion } from "../../src/spec/view-metadata.js";

/** A catalog under test and its warehouse (a `file:` URI, or `s3://` with `io`). */
export interface CatalogUnderTest {
  readonly catalog: Catalog;
  readonly warehouse: string;
  /** Storage of the warehouse, to check files (default: local disk). */
  readonly io?: FileIO | undefined;
  close(): Promise<void>;
}

export const schema = new Schema(0, [
  { id: 1, name: "id", required: true, type: Types.long },
  { id: 2, name: "data", required: false, type: Types.string },
]);

const viewVersion = (sql: string): ViewVersion => ({
  versionId: 1,
  schemaId: 0,
  timestampMs: Date.now(),
  summary: { "engine-name": "aichemy" },
  representations: [{ type: "sql", sql, dialect: "trino" }],
  defaultNamespace: ["ns"],
});

/** Registers the contract's tests for one backend. */
export function catalogContract(
  label: string,
  skip: false | string,
  open: () => Promise<CatalogUnderTest>,
): void {
  describe(`catalog contract: ${label}`, { skip }, () => {
    let cut: CatalogUnderTest;
    let catalog: Catalog;
    before(async () => {
      cut = await open();
      catalog = cut.catalog;
      await catalog.createNamespace(["ns"]);
    });
    after(() => cut?.close());
    const exists = (location: string) =>
      cut.io ? cut.io.exists(location) : Promise.resolve(existsSync(localPathOf(location)));
    /** Whether any file exists at or under `prefix` (a directory on disk, a key prefix on S3). */
    const anyFileUnder = async (prefix: string) => {
      if (!cut.io) return existsSync(localPathOf(prefix));
      for await (const _ of cut.io.list(prefix)) return true;
      return false;
    };

    it("creates, lists, loads properties of and drops namespaces", async () => {
      await catalog.createNamespace(["a"], { owner: "me" });
      await catalog.createNamespace(["a", "b"]);
      assert.deepEqual(await catalog.listNamespaces(), [["a"], ["ns"]]);
      assert.deepEqual(await catalog.listNamespaces(["a"]), [["a", "b"]]);
      const aLocation = `${cut.warehouse}/a`;
      assert.deepEqual(await catalog.loadNamespaceProperties(["a"]), { owner: "me", location: aLocation });
      await catalog.updateNamespaceProperties(["a"], ["owner"], { team: "x" });
      assert.deepEqual(await catalog.loadNamespaceProperties(["a"]), { team: "x", location: aLocation });
      await assert.rejects(catalog.createNamespace(["a"]), AlreadyExistsError);
      await assert.rejects(catalog.dropNamespace(["a"]), NamespaceNotEmptyError);
      await catalog.dropNamespace(["a", "b"]);
      await catalog.dropNamespace(["a"]);
      assert.equal(await catalog.namespaceExists(["a"]), false);
      await assert.rejects(catalog.loadNamespaceProperties(["a"]), NoSuchNamespaceError);
      await assert.rejects(catalog.dropNamespace(["a"]), NoSuchNamespaceError);
      await assert.rejects(catalog.listTables(["a"]), NoSuchNamespaceError);
    });

    it("refuses names with / . * ' \" % and spaces, naming them, and stores nothing", async () => {
      const before = await catalog.listNamespaces();
      for (const bad of ["a/b", "a.b", "a*", "it's", 'say"hi"', "100%", "my table", ""]) {
        await assert.rejects(catalog.createNamespace([bad]), (e: Error) => {
          assert.ok(e instanceof ValidationError, `${bad}: ${e}`);
          assert.match(e.message, /namespace name/);
          return true;
        });
        await assert.rejects(
          catalog.createTable({ namespace: ["ns"], name: bad }, { schema }),
          (e: Error) => {
            assert.ok(e instanceof ValidationError, `${bad}: ${e}`);
            assert.match(e.message, /table name/);
            return true;
          },
        );
      }
      assert.deepEqual(await catalog.listNamespaces(), before);
      assert.deepEqual(await catalog.listTables(["ns"]), []);
    });

    it("creates, loads, renames, lists and drops tables", async () => {
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
      await catalog.renameTable({ namespace: ["ns"], name: "t" }, { namespace: ["ns"], name: "t2" });
      assert.deepEqual(
        (await catalog.listTables(["ns"])).map((x) => x.name),
        ["t2"],
      );
      assert.equal(
        (await catalog.loadTable({ namespace: ["ns"], name: "t2" })).metadata.tableUuid,
        t.metadata.tableUuid,
      );
      await assert.rejects(
        catalog.renameTable({ namespace: ["ns"], name: "gone" }, { namespace: ["ns"], name: "x" }),
        NoSuchTableError,
      );
      await assert.rejects(
        catalog.renameTable({ namespace: ["ns"], name: "t2" }, { namespace: ["nope"], name: "x" }),
        NoSuchNamespaceError,
      );
      await catalog.dropTable({ namespace: ["ns"], name: "t2" }, true);
      await assert.rejects(catalog.loadTable({ namespace: ["ns"], name: "t2" }), NoSuchTableError);
      await assert.rejects(catalog.dropTable({ namespace: ["ns"], name: "t2" }), NoSuchTableError);
      assert.equal(await exists(t.metadataLocation), false, "purge deleted the metadata");
    });

    it("refuses locations outside the warehouse and changes nothing", async () => {
      const id = { namespace: ["ns"], name: "outside" };
      await assert.rejects(
        catalog.createTable(id, { schema, location: "file:///etc/evil" }),
        /outside the warehouse/,
      );
      await assert.rejects(
        catalog.createTable(id, { schema, location: `${cut.warehouse}/ns/../../escape` }),
        /location ".*" is refused: it contains a '\.\.' segment/,
      );
      await assert.rejects(
        catalog.createTable(id, { schema, properties: { "write.data.path": "file:///tmp/elsewhere" } }),
        /write\.data\.path/,
      );
      assert.equal(await catalog.tableExists(id), false);
      const t = await catalog.createTable(id, { schema });
      await assert.rejects(
        catalog.commitTable(id, [], [{ action: "set-location", location: "file:///tmp/moved" }]),
        /outside the warehouse/,
      );
      await assert.rejects(
        catalog.commitTable(
          id,
          [],
          [{ action: "set-properties", updates: { "write.metadata.path": "/tmp/md" } }],
        ),
        /write\.metadata\.path/,
      );
      assert.equal((await catalog.loadTable(id)).metadataLocation, t.metadataLocation);
    });

    it("refuses percent-encoded escapes in every location field, writes nothing outside, keeps what is inside", async () => {
      const id = { namespace: ["ns"], name: "encoded" };
      const parent = cut.warehouse.slice(0, cut.warehouse.lastIndexOf("/"));
      const escaped = `${parent}/escape-encoded`;
      for (const [opts, field, reason] of [
        [
          { location: `${cut.warehouse}/ns/%2e%2e/%2e%2e/escape-encoded` },
          /^location /,
          /encoded dot segment/,
        ],
        [{ location: `${cut.warehouse}/ns/.%2E/..%2f/escape-encoded` }, /^location /, /encoded dot segment/],
        [{ location: `${cut.warehouse}/ns/a%2Fb` }, /^location /, /encoded '\/'/],
        [{ location: `${cut.warehouse}/ns/a%5cb` }, /^location /, /encoded '\\'/],
        [{ location: `${cut.warehouse}/ns/a%00b` }, /^location /, /encoded control character U\+0000/],
        [
          { properties: { "write.data.path": `${cut.warehouse}/ns/%2E%2e/%2e%2E/escape-encoded` } },
          /^properties\.write\.data\.path /,
          /encoded dot segment/,
        ],
        [
          { properties: { "write.metadata.path": `${cut.warehouse}/%2e%2e/escape-encoded` } },
          /^properties\.write\.metadata\.path /,
          /encoded dot segment/,
        ],
      ] as const) {
        await assert.rejects(catalog.createTable(id, { schema, ...opts }), (e: Error) => {
          assert.ok(e instanceof ValidationError, `${e.name}: ${e.message}`);
          assert.match(e.message, field);
          assert.match(e.message, reason);
          assert.ok(e.message.includes(`warehouse ${cut.warehouse}`), e.message);
          return true;
        });
      }
      assert.equal(await catalog.tableExists(id), false);
      const t = await catalog.createTable(id, { schema });
      for (const [updates, field] of [
        [
          [{ action: "set-location", location: `${cut.warehouse}/ns/%2e%2e/%2e%2e/escape-encoded` }],
          /^updates\[0\]\.location /,
        ],
        [
          [
            { action: "set-properties", updates: { x: "1" } },
            {
              action: "set-properties",
              updates: { "write.data.path": `${cut.warehouse}/%2E%2E/escape-encoded` },
            },
          ],
          /^updates\[1\]\.updates\.write\.data\.path /,
        ],
        [
          [{ action: "set-properties", updates: { "write.object-storage.path": `${cut.warehouse}/x%2fy` } }],
          /^updates\[0\]\.updates\.write\.object-storage\.path /,
        ],
      ] as const) {
        await assert.rejects(catalog.commitTable(id, [], updates), (e: Error) => {
          assert.ok(e instanceof ValidationError, `${e.name}: ${e.message}`);
          assert.match(e.message, field);
          return true;
        });
      }
      assert.equal((await catalog.loadTable(id)).metadataLocation, t.metadataLocation);
      assert.equal(await anyFileUnder(escaped), false, "nothing was written outside the warehouse");
      // Legitimate locations inside the warehouse still work.
      const inside = await catalog.createTable(
        { namespace: ["ns"], name: "custom" },
        {
          schema,
          location: `${cut.warehouse}/ns/custom-place`,
          properties: { "write.data.path": `${cut.warehouse}/ns/custom-data` },
        },
      );
      assert.equal(inside.metadata.location, `${cut.warehouse}/ns/custom-place`);
      assert.ok(await exists(inside.metadataLocation));
      await catalog.commitTable(id, [], [{ action: "set-location", location: `${cut.warehouse}/ns/moved` }]);
      assert.equal((await catalog.loadTable(id)).metadata.location, `${cut.warehouse}/ns/moved`);
    });

    it("refuses namespace locations outside the warehouse and stores nothing", async () => {
      for (const location of [
        "file:///tmp/elsewhere",
        `${cut.warehouse}/%2e%2e/elsewhere`,
        `${cut.warehouse}/../elsewhere`,
        `${cut.warehouse}/a%2fb`,
      ]) {
        await assert.rejects(catalog.createNamespace(["nsloc"], { location }), (e: Error) => {
          assert.ok(e instanceof ValidationError, `${e.name}: ${e.message}`);
          assert.match(e.message, /^namespace property location /);
          return true;
        });
        assert.equal(await catalog.namespaceExists(["nsloc"]), false);
      }
      await catalog.createNamespace(["nsloc"], { location: `${cut.warehouse}/custom-ns` });
      await assert.rejects(
        catalog.updateNamespaceProperties(["nsloc"], [], {
          location: `${cut.warehouse}/%2E%2E/x`,
          other: "1",
        }),
        /namespace property location .* is refused: it contains an encoded dot segment/,
      );
      assert.deepEqual(await catalog.loadNamespaceProperties(["nsloc"]), {
        location: `${cut.warehouse}/custom-ns`,
      });
      await catalog.dropNamespace(["nsloc"]);
    });

    it("gives every table a directory of its own: a renamed table's is not reused, another's is refused", async () => {
      const old = await catalog.createTable({ namespace: ["ns"], name: "dir1" }, { schema });
      const oldLocation = old.metadata.location;
      await catalog.renameTable({ namespace: ["ns"], name: "dir1" }, { namespace: ["ns"], name: "dir1b" });
      // The old name's default location holds the renamed table: the new one gets its own.
      const fresh = await catalog.createTable({ namespace: ["ns"], name: "dir1" }, { schema });
      assert.notEqual(fresh.metadata.location, oldLocation);
      assert.match(fresh.metadata.location, /\/dir1-[0-9a-f]{32}$/);
      // An explicit location at, inside or around another table's directory is refused.
      // Spelled differently (a plain path for a file: URI), it is the same place.
      const respelled = oldLocation.startsWith("file:") ? [localPathOf(oldLocation)] : [];
      for (const location of [oldLocation, `${oldLocation}/data/sub`, `${cut.warehouse}/ns`, ...respelled]) {
        await assert.rejects(
          catalog.createTable({ namespace: ["ns"], name: "dir2" }, { schema, location }),
          (e: Error) => {
            assert.ok(e instanceof AlreadyExistsError, `${e.name}: ${e.message}`);
            assert.match(e.message, /^location ".*" is the directory of table ns\.\w+ \(or shares it\)/);
            return true;
          },
        );
        assert.equal(await catalog.tableExists({ namespace: ["ns"], name: "dir2" }), false);
      }
      // Registering another table's metadata would make an alias of it.
      await assert.rejects(
        catalog.registerTable({ namespace: ["ns"], name: "alias" }, fresh.metadataLocation),
        /^AlreadyExistsError: metadata-location .* is the directory of table ns\.dir1/,
      );
      for (const name of ["dir1", "dir1b"]) await catalog.dropTable({ namespace: ["ns"], name }, true);
    });

    it("re-creates a table where one was dropped without purge; refuses a location holding other files", async () => {
      const location = `${cut.warehouse}/ns/reused`;
      const first = await catalog.createTable({ namespace: ["ns"], name: "reused1" }, { schema, location });
      await catalog.dropTable({ namespace: ["ns"], name: "reused1" }, false);
      assert.ok(await catalog.io.exists(first.metadataLocation), "a drop without purge keeps the files");
      // Iceberg's catalogs (and the REST compatibility kit) reuse a dropped table's location,
      // whatever its spelling (the kit writes file:/tmp/..., listings say file:///tmp/...).
      const again = location.startsWith("file:") ? `file:${localPathOf(location)}` : location;
      const second = await catalog.createTable(
        { namespace: ["ns"], name: "reused2" },
        { schema, location: again },
      );
      assert.equal(second.metadata.location, again);
      await catalog.dropTable({ namespace: ["ns"], name: "reused2" }, true);
      // A file that is not an Iceberg table's: the new table's orphan removal would delete it.
      const foreign = `${cut.warehouse}/ns/foreign/notes.txt`;
      await catalog.io.write(foreign, new TextEncoder().encode("keep me"));
      await assert.rejects(
        catalog.createTable(
          { namespace: ["ns"], name: "foreign" },
          { schema, location: `${cut.warehouse}/ns/foreign` },
        ),
        /^ValidationError: Cannot create a table on a non-empty location: .*\/ns\/foreign \(it holds .*notes\.txt/,
      );
      assert.equal(await catalog.tableExists({ namespace: ["ns"], name: "foreign" }), false);
      await catalog.io.delete(foreign);
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
      await assert.rejects(
        catalog.commitTable(
          id,
          [{ type: "assert-last-assigned-field-id", lastAssignedFieldId: 99 }],
          [{ action: "set-properties", updates: { b: "2" } }],
        ),
        CommitFailedError,
      );
      await assert.rejects(
        catalog.commitTable(id, [], [{ action: "set-current-schema", schemaId: 42 }]),
        ValidationError,
      );
      const now = await catalog.loadTable(id);
      assert.equal(now.metadataLocation, first.metadataLocation);
      assert.equal(now.metadata.properties.b, undefined);
      await assert.rejects(
        catalog.commitTable({ namespace: ["ns"], name: "nope" }, [], []),
        NoSuchTableError,
      );
    });

    it("stages a create and creates the table with an assert-create commit", async () => {
      const id = { namespace: ["ns"], name: "staged" };
      const staged = await catalog.stageCreateTable(id, { schema, properties: { owner: "x" } });
      assert.equal(await catalog.tableExists(id), false, "staging creates nothing");
      const state = await catalog.commitTable(id, [{ type: "assert-create" }], createTableUpdates(staged));
      assert.equal(state.metadata.tableUuid, staged.tableUuid);
      assert.equal(state.metadata.properties.owner, "x");
      assert.equal((await catalog.loadTable(id)).metadataLocation, state.metadataLocation);
      await assert.rejects(
        catalog.commitTable(id, [{ type: "assert-create" }], createTableUpdates(staged)),
        CommitFailedError,
      );
    });

    it("commits a transaction across tables atomically", async () => {
      const a = { namespace: ["ns"], name: "tx_a" };
      const b = { namespace: ["ns"], name: "tx_b" };
      const ta = await catalog.createTable(a, { schema });
      const tb = await catalog.createTable(b, { schema });
      await catalog.commitTransaction([
        {
          identifier: a,
          requirements: [{ type: "assert-table-uuid", uuid: ta.metadata.tableUuid }],
          updates: [{ action: "set-properties", updates: { tx: "1" } }],
        },
        {
          identifier: b,
          requirements: [{ type: "assert-table-uuid", uuid: tb.metadata.tableUuid }],
          updates: [{ action: "set-properties", updates: { tx: "1" } }],
        },
      ]);
      const la = await catalog.loadTable(a);
      const lb = await catalog.loadTable(b);
      assert.equal(la.metadata.properties.tx, "1");
      assert.equal(lb.metadata.properties.tx, "1");
      // The second change's requirement fails: the first must not apply either.
      await assert.rejects(
        catalog.commitTransaction([
          { identifier: a, requirements: [], updates: [{ action: "set-properties", updates: { tx: "2" } }] },
          {
            identifier: b,
            requirements: [{ type: "assert-table-uuid", uuid: "00000000-0000-0000-0000-000000000000" }],
            updates: [{ action: "set-properties", updates: { tx: "2" } }],
          },
        ]),
        CommitFailedError,
      );
      assert.equal((await catalog.loadTable(a)).metadataLocation, la.metadataLocation);
      assert.equal((await catalog.loadTable(b)).metadataLocation, lb.metadataLocation);
      await assert.rejects(
        catalog.commitTransaction([
          { identifier: a, requirements: [], updates: [] },
          { identifier: a, requirements: [], updates: [] },
        ]),
        ValidationError,
      );
    });

    it("registers an existing table by metadata location and unregisters it", async () => {
      const orig = { namespace: ["ns"], name: "orig" };
      const t = await catalog.createTable(orig, { schema });
      const copy = { namespace: ["ns"], name: "copy" };
      // Not while another entry owns the directory: an alias would treat the other's new files
      // as its orphans.
      await assert.rejects(catalog.registerTable(copy, t.metadataLocation), AlreadyExistsError);
      await catalog.unregisterTable(orig);
      const r = await catalog.registerTable(copy, t.metadataLocation);
      assert.equal(r.metadata.tableUuid, t.metadata.tableUuid);
      await assert.rejects(catalog.registerTable(copy, t.metadataLocation), AlreadyExistsError);
      const state = await catalog.unregisterTable(copy);
      assert.equal(state.metadataLocation, t.metadataLocation);
      assert.equal(await catalog.tableExists(copy), false);
      assert.ok(await exists(t.metadataLocation), "unregister keeps files");
      await assert.rejects(catalog.unregisterTable(copy), NoSuchTableError);
    });

    it("creates, loads, replaces, renames, lists and drops views", async () => {
      const id = { namespace: ["ns"], name: "v" };
      const created = await catalog.createView(id, {
        schema,
        viewVersion: viewVersion("SELECT 1 AS id, 'a' AS data"),
        properties: { p: "1" },
      });
      assert.equal(created.metadata.currentVersionId, 1);
      assert.equal(created.metadata.properties.p, "1");
      assert.deepEqual(await catalog.listViews(["ns"]), [id]);
      assert.ok(!(await catalog.listTables(["ns"])).some((t) => t.name === "v"), "views are not tables");
      assert.equal(await catalog.viewExists(id), true);
      assert.equal(await catalog.tableExists(id), false);
      await assert.rejects(catalog.createTable(id, { schema }), AlreadyExistsError);
      await assert.rejects(
        catalog.createView(
          { namespace: ["ns"], name: "cas" },
          { schema, viewVersion: viewVersion("SELECT 1") },
        ),
        AlreadyExistsError,
      );
      const replaced = await catalog.commitView(
        id,
        [{ type: "assert-view-uuid", uuid: created.metadata.viewUuid }],
        [
          {
            action: "add-view-version",
            viewVersion: { ...viewVersion("SELECT 2 AS id, 'b' AS data"), schemaId: 0 },
          },
          { action: "set-current-view-version", viewVersionId: -1 },
        ],
      );
      assert.equal(replaced.metadata.currentVersionId, 2);
      assert.equal((await catalog.loadView(id)).metadataLocation, replaced.metadataLocation);
      await assert.rejects(
        catalog.commitView(
          id,
          [{ type: "assert-view-uuid", uuid: "00000000-0000-0000-0000-000000000000" }],
          [],
        ),
        CommitFailedError,
      );
      await assert.rejects(catalog.dropNamespace(["ns"]), NamespaceNotEmptyError);
      const to = { namespace: ["ns"], name: "v2" };
      await catalog.renameView(id, to);
      await assert.rejects(catalog.loadView(id), NoSuchViewError);
      const reg = { namespace: ["ns"], name: "v3" };
      const r = await catalog.registerView(reg, replaced.metadataLocation);
      assert.equal(r.metadata.viewUuid, created.metadata.viewUuid);
      await catalog.dropView(to);
      await catalog.dropView(reg);
      await assert.rejects(catalog.dropView(to), NoSuchViewError);
      assert.deepEqual(await catalog.listViews(["ns"]), []);
    });
  });
}
