/**
 * One catalog store (a SQLite file or a PostgreSQL database, ARCHITECTURE.md decision 3)
 * holding several warehouses, each served as a {@link SqlCatalog} over the shared database.
 * Opening runs the migrations.
 */
import type { Kysely } from "kysely";
import { NoSuchWarehouseError } from "../../errors.js";
import type { FileIO } from "../../io/file-io.js";
import type { CatalogDatabase } from "./catalog-schema.js";
import { migrateCatalogSchema } from "./catalog-schema.js";
import { catalogDialect, openCatalogDb } from "./open-catalog-db.js";
import { SqlCatalog } from "./sql-catalog.js";
import { listWarehouses, putWarehouse, type Warehouse } from "./warehouses.js";

/** Options of {@link CatalogStore.open}. */
export interface CatalogStoreOptions {
  /** `postgresql://...` or a SQLite file path / `sqlite:` URL (see `openCatalogDb`). */
  readonly url: string;
  /** Storage of every warehouse's tables. */
  readonly io: FileIO;
}

/** An opened catalog store. */
export class CatalogStore {
  readonly db: Kysely<CatalogDatabase>;
  readonly dialect: "postgres" | "sqlite";
  readonly io: FileIO;
  readonly #catalogs = new Map<string, SqlCatalog>();

  private constructor(db: Kysely<CatalogDatabase>, dialect: "postgres" | "sqlite", io: FileIO) {
    this.db = db;
    this.dialect = dialect;
    this.io = io;
  }

  /** Opens the store and migrates its schema. @throws ValidationError for an unsupported URL. */
  static async open(opts: CatalogStoreOptions): Promise<CatalogStore> {
    const db = openCatalogDb(opts.url);
    try {
      await migrateCatalogSchema(db);
    } catch (e) {
      await db.destroy();
      throw e;
    }
    return new CatalogStore(db, catalogDialect(opts.url), opts.io);
  }

  /** Every warehouse, by name. */
  warehouses(): Promise<Warehouse[]> {
    return listWarehouses(this.db);
  }

  /** Creates or relocates a warehouse. @throws ValidationError for a bad name or location. */
  async putWarehouse(w: Warehouse): Promise<void> {
    await putWarehouse(this.db, w);
    this.#catalogs.delete(w.name);
  }

  /** The catalog of a warehouse. @throws NoSuchWarehouseError */
  async catalog(name: string): Promise<SqlCatalog> {
    const hit = this.#catalogs.get(name);
    if (hit) return hit;
    const w = (await this.warehouses()).find((x) => x.name === name);
    if (!w) throw new NoSuchWarehouseError(`Warehouse does not exist: ${name}`);
    const catalog = await SqlCatalog.open({
      name: w.name,
      db: this.db,
      warehouse: w.location,
      io: this.io,
      ownsDb: false,
    });
    this.#catalogs.set(name, catalog);
    return catalog;
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.db.destroy();
  }
}
