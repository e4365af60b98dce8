/**
 * The embedded lakehouse: a data directory holding the SQL catalog (SQLite, `catalog.db`)
 * and the warehouse (`warehouse/`), one DuckDB instance, and sessions over them. This is what
 * `aichemy sql`, `aichemy ingest` and `aichemy serve` open.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Catalog } from "../catalog/catalog.js";
import { SqlCatalog } from "../catalog/sql/sql-catalog.js";
import { openSqliteCatalogDb } from "../catalog/sql/sqlite-dialect.js";
import { Duck } from "../duckdb/connection.js";
import { LocalFileIO } from "../io/local-file-io.js";
import { fileUri } from "../io/location.js";
import { Session, type SessionOptions } from "./session.js";

/** Options of {@link Lakehouse.open}. */
export interface LakehouseOptions {
  /** Directory for the catalog database and the warehouse (created if missing). */
  readonly dataDir: string;
  /** Name of the embedded catalog (default `iceberg`). */
  readonly catalogName?: string | undefined;
  /** DuckDB worker threads (default: DuckDB's choice, the number of cores). */
  readonly threads?: number | undefined;
  /** DuckDB memory limit, e.g. `4GB` (default: DuckDB's, 80% of RAM). */
  readonly memoryLimit?: string | undefined;
}

/** An opened lakehouse. */
export class Lakehouse {
  readonly dataDir: string;
  readonly catalogs: ReadonlyMap<string, Catalog>;
  readonly defaultCatalog: string;
  readonly duck: Duck;

  private constructor(dataDir: string, catalogs: Map<string, Catalog>, defaultCatalog: string, duck: Duck) {
    this.dataDir = dataDir;
    this.catalogs = catalogs;
    this.defaultCatalog = defaultCatalog;
    this.duck = duck;
  }

  /** Opens (creating when needed) the lakehouse in `dataDir`. */
  static async open(opts: LakehouseOptions): Promise<Lakehouse> {
    const dataDir = resolve(opts.dataDir);
    mkdirSync(join(dataDir, "warehouse"), { recursive: true });
    const name = opts.catalogName ?? "iceberg";
    const catalog = await SqlCatalog.open({
      name,
      db: openSqliteCatalogDb(join(dataDir, "catalog.db")),
      warehouse: fileUri(join(dataDir, "warehouse")),
      io: new LocalFileIO(),
    });
    const config: Record<string, string> = { temp_directory: join(dataDir, ".duckdb-tmp") };
    if (opts.threads) config.threads = String(opts.threads);
    if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
    const duck = await Duck.open({ config });
    // Transforms and timestamps are UTC, like Iceberg's; set globally so every session inherits it.
    await duck.run("SET GLOBAL TimeZone = 'UTC'");
    return new Lakehouse(dataDir, new Map([[name, catalog]]), name, duck);
  }

  /** The embedded catalog. */
  catalog(name = this.defaultCatalog): Catalog {
    const c = this.catalogs.get(name);
    if (!c) throw new Error(`no catalog ${name}`);
    return c;
  }

  /** A new session with its own DuckDB connection (default catalog: the embedded one). */
  async session(opts: SessionOptions = {}): Promise<Session> {
    return new Session(await this.duck.connect(), this.catalogs, {
      catalog: opts.catalog ?? this.defaultCatalog,
      schema: opts.schema,
    });
  }

  /** Closes catalogs and DuckDB. */
  async close(): Promise<void> {
    for (const c of this.catalogs.values()) await c.close();
    this.duck.close();
  }
}
