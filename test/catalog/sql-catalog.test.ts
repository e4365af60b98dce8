import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openPostgresCatalogDb } from "../../src/catalog/sql/postgres-dialect.js";
import { SqlCatalog } from "../../src/catalog/sql/sql-catalog.js";
import { openSqliteCatalogDb } from "../../src/catalog/sql/sqlite-dialect.js";
import { FileCache } from "../../src/io/file-cache.js";
import { LocalFileIO } from "../../src/io/local-file-io.js";
import { fileUri } from "../../src/io/location.js";
import { S3FileIO } from "../../src/io/s3-file-io.js";
import { postgresSkip, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { s3OptionsOf, s3Skip, startS3Server, type TestS3Server } from "../helpers/s3-server.js";
import { catalogContract } from "./catalog-contract.js";

// The catalog contract, run against every backend: one store, two dialects (and the REST
// client against our server, in test/server).
let pg: TestPostgres | undefined;
let pgDatabases = 0;
before(async () => {
  if (!postgresSkip) pg = await startPostgres();
});
after(() => pg?.stop());

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function openSql(dialect: "sqlite" | "postgres"): Promise<SqlCatalog> {
  const dir = mkdtempSync(join(tmpdir(), "catalog-"));
  dirs.push(dir);
  return SqlCatalog.open({
    name: "iceberg",
    db:
      dialect === "sqlite"
        ? openSqliteCatalogDb(join(dir, "catalog.db"))
        : openPostgresCatalogDb(pg!.database(`contract_${++pgDatabases}_${process.pid}`)),
    warehouse: fileUri(join(dir, "wh")),
    io: new LocalFileIO(),
  });
}

// The same contract with the warehouse on real S3 stores (SQLite store).
for (const kind of ["minio", "versitygw"] as const) {
  let server: TestS3Server | undefined;
  after(() => server?.stop());
  catalogContract(`SQLite, S3 warehouse on ${kind}`, s3Skip(kind), async () => {
    if (!server) {
      server = await startS3Server(kind);
      await server.createBucket("contract");
    }
    const dir = mkdtempSync(join(tmpdir(), "catalog-"));
    dirs.push(dir);
    const io = new S3FileIO(s3OptionsOf(server), {
      cache: new FileCache({ directory: join(dir, "cache") }),
      stagingRoot: join(dir, "staging"),
    });
    const catalog = await SqlCatalog.open({
      name: "iceberg",
      db: openSqliteCatalogDb(join(dir, "catalog.db")),
      warehouse: `s3://contract/${randomUUID()}`,
      io,
    });
    return {
      catalog,
      warehouse: catalog.warehouse,
      io,
      close: async () => {
        await catalog.close();
        io.close();
      },
    };
  });
}

for (const [label, dialect, skip] of [
  ["SQLite", "sqlite", false],
  ["PostgreSQL", "postgres", postgresSkip],
] as const) {
  catalogContract(label, skip, async () => {
    const catalog = await openSql(dialect);
    return { catalog, warehouse: catalog.warehouse, close: () => catalog.close() };
  });

  describe(`SQL catalog store: ${label}`, { skip }, () => {
    it("keeps the JDBC/pyiceberg SQL catalog layout", async () => {
      const catalog = await openSql(dialect);
      try {
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
      } finally {
        await catalog.close();
      }
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
