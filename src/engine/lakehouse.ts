/**
 * The lakehouse: a data directory holding the catalog store (SQLite `catalog.db` unless a
 * `catalogUrl` names PostgreSQL) and the default warehouse (`warehouse/`), one DuckDB
 * instance, and sessions over them. Every warehouse of the store is an engine catalog of the
 * same name; REST catalogs can be attached beside them. This is what `aichemy sql`,
 * `aichemy ingest` and `aichemy serve` open.
 */
import { setMaxListeners } from "node:events";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Catalog } from "../catalog/catalog.js";
import { CatalogStore } from "../catalog/sql/catalog-store.js";
import type { Warehouse } from "../catalog/sql/warehouses.js";
import type { Duck } from "../duckdb/connection.js";
import { QueryCanceledError } from "../errors.js";
import { FileCache } from "../io/file-cache.js";
import type { FileIO } from "../io/file-io.js";
import { fileUri, localPathOf, schemeOf } from "../io/location.js";
import { ResolvingFileIO } from "../io/resolving-file-io.js";
import type { S3Options } from "../io/s3-file-io.js";
import { type EngineSettings, openEngineInstance } from "./execution/engine-instance.js";
import { QueryAdmission } from "./execution/query-admission.js";
import { defaultMaxConcurrentStatements } from "./execution/threadpool.js";
import { confinedCatalog } from "./sandbox/confined-catalog.js";
import type { QueryPolicy } from "./sandbox/query-policy.js";
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
  /** Catalog store URL (default: SQLite `<dataDir>/catalog.db`); `postgresql://...` for PostgreSQL. */
  readonly catalogUrl?: string | undefined;
  /** Warehouses to create or relocate in the store on open (besides the default one). */
  readonly warehouses?: readonly Warehouse[] | undefined;
  /** Further catalogs by name (e.g. REST catalogs); a name shadows a warehouse of the store. */
  readonly catalogs?: ReadonlyMap<string, Catalog> | undefined;
  /** Storage of the warehouses (default: {@link lakehouseFileIO} of `dataDir` with `s3`, `cacheDir`, `cacheMaxBytes`). */
  readonly io?: FileIO | undefined;
  /** How to reach S3 warehouses (`s3://bucket/prefix` locations). */
  readonly s3?: S3Options | undefined;
  /** Disk cache of remote data files (default `<dataDir>/cache`). */
  readonly cacheDir?: string | undefined;
  /** Size bound of that cache in bytes (default 10 GiB). */
  readonly cacheMaxBytes?: number | undefined;
  /**
   * Whether user SQL may read local files (`read_csv('x.csv')`, `FROM 'x.parquet'`) as in
   * DuckDB's CLI: the CLI's `--allow-local-files` and `aichemy ingest`. Default false: the SQL
   * sandbox (`sandbox/`) confines DuckDB to the lakehouse's own directories, on every server.
   */
  readonly localFileAccess?: boolean | undefined;
  /**
   * Local files the lakehouse's own code reads for the user besides its directories, e.g. the
   * inputs of `aichemy ingest` (user SQL still cannot name them; default none).
   */
  readonly readableFiles?: readonly string[] | undefined;
  /**
   * Time zone of every session (an IANA name; default `UTC`): how `TIMESTAMP WITH TIME ZONE`
   * values render and zone-less literals read. Fixed for the lakehouse's life: the sandbox
   * locks DuckDB's configuration. Partition transforms are UTC whatever it is (Iceberg's).
   */
  readonly timeZone?: string | undefined;
  /**
   * Most statements running at once over all sessions; others wait their turn (default: half
   * of libuv's thread pool, see `execution/threadpool.ts`).
   */
  readonly maxConcurrentStatements?: number | undefined;
}

/**
 * The FileIO of a lakehouse: local disk and S3 by location, S3 data files cached under
 * `cacheDir` (default `<dataDir>/cache`), new files staged under `<dataDir>/.staging`.
 */
export function lakehouseFileIO(
  opts: Pick<LakehouseOptions, "dataDir" | "s3" | "cacheDir" | "cacheMaxBytes">,
): ResolvingFileIO {
  const dataDir = resolve(opts.dataDir);
  return new ResolvingFileIO({
    s3: opts.s3,
    cache: new FileCache({
      directory: opts.cacheDir ? resolve(opts.cacheDir) : join(dataDir, "cache"),
      maxBytes: opts.cacheMaxBytes,
    }),
    stagingRoot: join(dataDir, ".staging"),
  });
}

/** An opened lakehouse. */
export class Lakehouse {
  readonly dataDir: string;
  readonly catalogs: ReadonlyMap<string, Catalog>;
  readonly defaultCatalog: string;
  /** The catalog store behind the warehouses. */
  readonly store: CatalogStore;
  /** What sessions' SQL may reach (the sandbox's statement check). */
  readonly policy: QueryPolicy;

  /** Admission of statements of every session (see {@link LakehouseOptions.maxConcurrentStatements}). */
  readonly admission: QueryAdmission;
  readonly #settings: EngineSettings;
  readonly #shutdown = new AbortController();
  #duck: Duck;
  #replacing: Promise<void> | undefined;

  private constructor(
    dataDir: string,
    store: CatalogStore,
    catalogs: Map<string, Catalog>,
    defaultCatalog: string,
    duck: Duck,
    settings: EngineSettings,
    opts: LakehouseOptions,
  ) {
    this.dataDir = dataDir;
    this.store = store;
    this.catalogs = catalogs;
    this.defaultCatalog = defaultCatalog;
    this.#duck = duck;
    this.#settings = settings;
    this.policy = { localFileAccess: settings.localFileAccess ?? false };
    this.admission = new QueryAdmission(opts.maxConcurrentStatements ?? defaultMaxConcurrentStatements());
    // Every running statement listens for the shutdown.
    setMaxListeners(0, this.#shutdown.signal);
  }

  /** The DuckDB instance's default connection (a new instance after an engine failure). */
  get duck(): Duck {
    return this.#duck;
  }

  /** Opens (creating when needed) the lakehouse in `dataDir`. */
  static async open(opts: LakehouseOptions): Promise<Lakehouse> {
    const dataDir = resolve(opts.dataDir);
    mkdirSync(join(dataDir, "warehouse"), { recursive: true });
    const name = opts.catalogName ?? "iceberg";
    const embedded = opts.catalogUrl === undefined;
    const store = await CatalogStore.open({
      url: opts.catalogUrl ?? join(dataDir, "catalog.db"),
      io: opts.io ?? lakehouseFileIO(opts),
    });
    const catalogs = new Map<string, Catalog>();
    try {
      // The default warehouse lives in the data directory; an embedded store follows the
      // directory when it moves, a shared store keeps the location it was created with.
      const existing = await store.warehouses();
      if (embedded || !existing.some((w) => w.name === name))
        await store.putWarehouse({ name, location: fileUri(join(dataDir, "warehouse")) });
      for (const w of opts.warehouses ?? []) await store.putWarehouse(w);
      for (const w of await store.warehouses()) catalogs.set(w.name, await store.catalog(w.name));
      for (const [n, c] of opts.catalogs ?? []) catalogs.set(n, c);
    } catch (e) {
      await store.close();
      throw e;
    }
    const localFileAccess = opts.localFileAccess ?? false;
    let settings: EngineSettings;
    let duck: Duck;
    try {
      const warehouseRoots = (await store.warehouses())
        .filter((w) => schemeOf(w.location) === "file")
        .map((w) => localPathOf(w.location));
      settings = {
        tempDirectory: join(dataDir, ".duckdb-tmp"),
        threads: opts.threads,
        memoryLimit: opts.memoryLimit,
        timeZone: opts.timeZone,
        allowedDirectories: [
          ...warehouseRoots,
          ...(store.io.localDirectories ?? []),
          join(dataDir, ".sandbox-cache"),
          join(dataDir, ".staging"),
        ],
        allowedPaths: opts.readableFiles,
        localFileAccess,
      };
      duck = await openEngineInstance(settings);
      // Tables of attached catalogs may live on this disk outside these directories.
      if (!localFileAccess) {
        const confinement = {
          roots: [...settings.allowedDirectories, settings.tempDirectory],
          cache: new FileCache({ directory: join(dataDir, ".sandbox-cache"), maxBytes: opts.cacheMaxBytes }),
          stagingRoot: join(dataDir, ".staging"),
        };
        for (const [n, c] of catalogs) catalogs.set(n, confinedCatalog(c, confinement));
      }
    } catch (e) {
      await store.close();
      throw e;
    }
    return new Lakehouse(dataDir, store, catalogs, name, duck, settings, opts);
  }

  /** The embedded catalog. */
  catalog(name = this.defaultCatalog): Catalog {
    const c = this.catalogs.get(name);
    if (!c) throw new Error(`no catalog ${name}`);
    return c;
  }

  /**
   * A new session with its own DuckDB connection (default catalog: the embedded one). Its
   * statements are admitted by {@link admission} and stopped by {@link cancelAll}.
   */
  async session(opts: SessionOptions = {}): Promise<Session> {
    await this.#replacing;
    return new Session(
      await this.#duck.connect(),
      this.catalogs,
      { catalog: opts.catalog ?? this.defaultCatalog, schema: opts.schema, readOnly: opts.readOnly },
      {
        policy: this.policy,
        admission: this.admission,
        signal: this.#shutdown.signal,
        onEngineFailure: () => this.#replaceEngine(),
      },
    );
  }

  /**
   * Cancels every running and queued statement of every session, and every later one, with
   * `reason` (default: QueryCanceledError "the server is shutting down").
   */
  cancelAll(reason: Error = new QueryCanceledError("Query was canceled: the server is shutting down")): void {
    if (!this.#shutdown.signal.aborted) this.#shutdown.abort(reason);
  }

  /** Opens a new engine instance for new sessions after the current one was invalidated. */
  #replaceEngine(): void {
    if (this.#replacing) return;
    const old = this.#duck;
    this.#replacing = openEngineInstance(this.#settings)
      .then((duck) => {
        this.#duck = duck;
        try {
          old.close();
        } catch {
          // an invalidated instance may refuse even this
        }
      })
      .catch(() => {})
      .finally(() => {
        this.#replacing = undefined;
      });
  }

  /** Closes catalogs and DuckDB. */
  async close(): Promise<void> {
    await this.#replacing;
    for (const c of this.catalogs.values()) await c.close();
    await this.store.close();
    this.store.io.close?.();
    this.#duck.close();
  }
}
