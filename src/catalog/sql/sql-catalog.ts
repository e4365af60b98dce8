/**
 * The SQL catalog: namespaces and table pointers in a SQL database through Kysely, in the
 * layout of the Iceberg JDBC catalog and pyiceberg's SQL catalog. Commits swap the metadata
 * location with a single compare-and-swap UPDATE. One implementation serves every Kysely
 * dialect (SQLite embedded, PostgreSQL); only opening the database differs.
 */
import type { Kysely, Transaction } from "kysely";
import {
  AlreadyExistsError,
  CommitFailedError,
  CommitStateUnknownError,
  NamespaceNotEmptyError,
  NoSuchNamespaceError,
  NoSuchTableError,
  NoSuchViewError,
  NotFoundError,
  UnprocessableEntityError,
  ValidationError,
} from "../../errors.js";
import type { FileIO } from "../../io/file-io.js";
import { joinLocation, parentLocation } from "../../io/location.js";
import { LocationPolicy } from "../../io/location-policy.js";
import { isS3Location } from "../../io/s3-location.js";
import { WarehouseFileIO } from "../../io/warehouse-file-io.js";
import { applyUpdates } from "../../spec/apply-updates.js";
import {
  identifierToString,
  type Namespace,
  namespaceFromString,
  namespaceToString,
  type TableIdentifier,
  validateName,
  validatePropertyKey,
} from "../../spec/identifier.js";
import { newTableMetadata } from "../../spec/new-table-metadata.js";
import type { TableMetadata } from "../../spec/table-metadata.js";
import { checkRequirements, checkSnapshotSequenceNumbers } from "../../spec/table-requirement.js";
import type { TableRequirement, TableUpdate } from "../../spec/table-update.js";
import type { ViewRequirement, ViewUpdate } from "../../spec/view-metadata.js";
import { newMetadataLocation, readTableMetadata, writeTableMetadata } from "../../table/metadata-io.js";
import { purgeTableFiles } from "../../table/purge.js";
import { detectRelocation, Table } from "../../table/table.js";
import type { TableOperations, TableState } from "../../table/table-operations.js";
import type { Catalog, CreateTableOptions, CreateViewOptions, TableChange, ViewState } from "../catalog.js";
import {
  checkMetadataLocations,
  checkUpdateFileLocations,
  readRegisteredMetadata,
} from "../metadata-locations.js";
import { requireUnusedLocation } from "../unused-location.js";
import { CatalogRows, type EntryKind, isUniqueViolation } from "./catalog-rows.js";
import type { CatalogDatabase } from "./catalog-schema.js";
import { migrateCatalogSchema } from "./catalog-schema.js";
import { KeyedLocks } from "./commit-lock.js";
import { SqlViewStore } from "./sql-views.js";
import { newTableDirectory, requireOwnDirectory } from "./table-directories.js";

/** Options of {@link SqlCatalog}. */
export interface SqlCatalogOptions {
  /** Catalog name (the `catalog_name` column and the SQL catalog name), e.g. `iceberg`. */
  readonly name: string;
  readonly db: Kysely<CatalogDatabase>;
  /**
   * Warehouse root location (a URI or an absolute path); new tables go under it, and every
   * location the catalog stores or deletes at must be inside it ({@link LocationPolicy}).
   */
  readonly warehouse: string;
  readonly io: FileIO;
  /** Whether `close()` destroys `db` (default true; false when catalogs share one store). */
  readonly ownsDb?: boolean | undefined;
}

const NAMESPACE_EXISTS_PROPERTY = "exists";

/** Metadata files are immutable: cache parsed metadata by location. */
const metadataCache = new Map<string, TableMetadata>();
const METADATA_CACHE_MAX = 512;
/** How long a metadata file on object storage seen to exist is not checked again (ms). */
const REMOTE_EXISTS_TTL_MS = 10_000;

/** A catalog on a SQL database (see module doc). */
export class SqlCatalog implements Catalog {
  readonly name: string;
  readonly db: Kysely<CatalogDatabase>;
  readonly warehouse: string;
  /** The one location check of this warehouse (tables, views, namespaces, registers, purges). */
  readonly locations: LocationPolicy;
  /**
   * Storage of this catalog's tables: the store's FileIO bounded to the warehouse (writes and
   * deletes outside it are refused, see {@link WarehouseFileIO}).
   */
  readonly io: FileIO;
  /** Rows of this catalog in `iceberg_tables`. */
  readonly rows: CatalogRows;
  readonly views: SqlViewStore;
  readonly #ownsDb: boolean;
  readonly #locks = new KeyedLocks();
  /**
   * When a cached metadata file on object storage was last seen to exist (ms): that check is a
   * HEAD request, so it is not repeated within 10 s (local files are always checked: a stat is
   * cheap). Per catalog, because each catalog reaches storage with its own credentials.
   */
  readonly #existsCheckedAt = new Map<string, number>();

  private constructor(opts: SqlCatalogOptions) {
    this.name = opts.name;
    this.db = opts.db;
    this.warehouse = opts.warehouse.replace(/\/+$/, "");
    this.locations = new LocationPolicy(this.warehouse);
    this.io = new WarehouseFileIO(opts.io, this.locations);
    this.rows = new CatalogRows(opts.db, opts.name);
    this.views = new SqlViewStore(this);
    this.#ownsDb = opts.ownsDb ?? true;
  }

  /** Opens the catalog, creating its tables when missing. */
  static async open(opts: SqlCatalogOptions): Promise<SqlCatalog> {
    await migrateCatalogSchema(opts.db);
    return new SqlCatalog(opts);
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.db.destroy();
  }

  // ------------------------------------------------------------------ namespaces

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    if (parent.length > 0 && !(await this.namespaceExists(parent))) {
      throw new NoSuchNamespaceError(`Namespace does not exist: ${namespaceToString(parent)}`);
    }
    const out = new Map<string, Namespace>();
    for (const ns of await this.#allNamespaceKeys()) {
      const levels = namespaceFromString(ns);
      if (levels.length <= parent.length) continue;
      if (!parent.every((p, i) => levels[i] === p)) continue;
      const child = levels.slice(0, parent.length + 1);
      out.set(namespaceToString(child), child);
    }
    return [...out.values()].sort((a, b) => namespaceToString(a).localeCompare(namespaceToString(b)));
  }

  async namespaceExists(ns: Namespace): Promise<boolean> {
    const key = namespaceToString(ns);
    const all = await this.#allNamespaceKeys();
    return all.some((k) => k === key || k.startsWith(`${key}.`));
  }

  async #allNamespaceKeys(): Promise<string[]> {
    const a = await this.db
      .selectFrom("iceberg_tables")
      .select("table_namespace as ns")
      .where("catalog_name", "=", this.name)
      .distinct()
      .execute();
    const b = await this.db
      .selectFrom("iceberg_namespace_properties")
      .select("namespace as ns")
      .where("catalog_name", "=", this.name)
      .distinct()
      .execute();
    return [...a, ...b].map((r) => r.ns);
  }

  async createNamespace(ns: Namespace, properties: Readonly<Record<string, string>> = {}): Promise<void> {
    if (ns.length === 0) throw new ValidationError("namespace must have at least one level");
    for (const level of ns) validateName(level, "namespace");
    for (const key of Object.keys(properties)) validatePropertyKey(key, "namespace property key");
    this.#checkNamespaceLocation(properties);
    if (await this.namespaceExists(ns))
      throw new AlreadyExistsError(`Namespace already exists: ${namespaceToString(ns)}`);
    const rows = Object.entries({ [NAMESPACE_EXISTS_PROPERTY]: "true", ...properties }).map(([k, v]) => ({
      catalog_name: this.name,
      namespace: namespaceToString(ns),
      property_key: k,
      property_value: v,
    }));
    try {
      await this.db.insertInto("iceberg_namespace_properties").values(rows).execute();
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AlreadyExistsError(`Namespace already exists: ${namespaceToString(ns)}`);
      throw e;
    }
  }

  async loadNamespaceProperties(ns: Namespace): Promise<Record<string, string>> {
    if (!(await this.namespaceExists(ns)))
      throw new NoSuchNamespaceError(`Namespace does not exist: ${namespaceToString(ns)}`);
    const rows = await this.db
      .selectFrom("iceberg_namespace_properties")
      .select(["property_key", "property_value"])
      .where("catalog_name", "=", this.name)
      .where("namespace", "=", namespaceToString(ns))
      .execute();
    const out: Record<string, string> = {};
    for (const r of rows)
      if (r.property_key !== NAMESPACE_EXISTS_PROPERTY) out[r.property_key] = r.property_value ?? "";
    // Engines (Trino) place new tables under the namespace's `location`: default it in the warehouse.
    out.location ??= this.defaultNamespaceLocation(ns);
    return out;
  }

  async dropNamespace(ns: Namespace): Promise<void> {
    const key = namespaceToString(ns);
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`Namespace does not exist: ${key}`);
    const tables = await this.listTables(ns);
    if (tables.length > 0)
      throw new NamespaceNotEmptyError(`Namespace ${key} is not empty: it holds ${tables.length} table(s)`);
    const views = await this.listViews(ns);
    if (views.length > 0)
      throw new NamespaceNotEmptyError(`Namespace ${key} is not empty: it holds ${views.length} view(s)`);
    const children = await this.listNamespaces(ns);
    if (children.length > 0)
      throw new NamespaceNotEmptyError(
        `Namespace ${key} is not empty: it holds ${children.length} namespace(s)`,
      );
    await this.db
      .deleteFrom("iceberg_namespace_properties")
      .where("catalog_name", "=", this.name)
      .where("namespace", "=", key)
      .execute();
  }

  async updateNamespaceProperties(
    ns: Namespace,
    removals: readonly string[],
    updates: Readonly<Record<string, string>>,
  ): Promise<void> {
    const key = namespaceToString(ns);
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`Namespace does not exist: ${key}`);
    for (const k of Object.keys(updates)) validatePropertyKey(k, "namespace property key");
    const overlap = removals.filter((r) => r in updates);
    if (overlap.length > 0)
      throw new UnprocessableEntityError(`properties both removed and updated: ${overlap.join(", ")}`);
    this.#checkNamespaceLocation(updates);
    await this.db.transaction().execute(async (trx) => {
      if (removals.length > 0) {
        await trx
          .deleteFrom("iceberg_namespace_properties")
          .where("catalog_name", "=", this.name)
          .where("namespace", "=", key)
          .where("property_key", "in", [...removals])
          .execute();
      }
      for (const [k, v] of Object.entries(updates)) {
        await trx
          .insertInto("iceberg_namespace_properties")
          .values({ catalog_name: this.name, namespace: key, property_key: k, property_value: v })
          .onConflict((oc) =>
            oc.columns(["catalog_name", "namespace", "property_key"]).doUpdateSet({ property_value: v }),
          )
          .execute();
      }
      // Keep the namespace alive even when every property is removed.
      await trx
        .insertInto("iceberg_namespace_properties")
        .values({
          catalog_name: this.name,
          namespace: key,
          property_key: NAMESPACE_EXISTS_PROPERTY,
          property_value: "true",
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }

  /**
   * A namespace's `location` property (where engines such as Trino put its new tables) must
   * be inside the warehouse. @throws ValidationError naming `namespace property location`
   */
  #checkNamespaceLocation(properties: Readonly<Record<string, string>>): void {
    const location = properties[NAMESPACE_LOCATION_PROPERTY];
    if (location !== undefined) this.locations.check("namespace property location", location);
  }

  // ------------------------------------------------------------------ tables

  async listTables(ns: Namespace): Promise<TableIdentifier[]> {
    await this.requireNamespace(ns);
    return (await this.rows.list(ns, "TABLE")).map((name) => ({ namespace: ns, name }));
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.rows.find(id, "TABLE")) !== undefined;
  }

  /** Default location of a namespace: `<warehouse>/<ns levels>`, each level URL-encoded. */
  defaultNamespaceLocation(ns: Namespace): string {
    return joinLocation(this.warehouse, ...ns.map(encodeURIComponent));
  }

  /** Default location of a new table or view: `<warehouse>/<ns levels>/<name>`, each part URL-encoded. */
  defaultTableLocation(id: TableIdentifier): string {
    return joinLocation(this.warehouse, ...id.namespace.map(encodeURIComponent), encodeURIComponent(id.name));
  }

  /** Whether a location is inside this catalog's warehouse (see {@link LocationPolicy}). */
  inWarehouse(location: string): boolean {
    return this.locations.allows(location);
  }

  /**
   * Reads (cached: metadata files are immutable) the metadata at `location`. A cached file is
   * still checked to exist (on object storage at most every 10 s), so a table whose current
   * metadata file vanished fails to load.
   * @throws NotFoundError (`Failed to open input stream for file: ...`, Iceberg Java's words)
   */
  async #readMetadata(location: string): Promise<TableMetadata> {
    const missing = () => new NotFoundError(`Failed to open input stream for file: ${location}`);
    const hit = metadataCache.get(location);
    if (hit) {
      const remote = isS3Location(location);
      const checked = remote ? this.#existsCheckedAt.get(location) : undefined;
      if (checked === undefined || Date.now() - checked > REMOTE_EXISTS_TTL_MS) {
        if (!(await this.io.exists(location))) throw missing();
        if (remote) {
          if (this.#existsCheckedAt.size >= METADATA_CACHE_MAX) this.#existsCheckedAt.clear();
          this.#existsCheckedAt.set(location, Date.now());
        }
      }
      return hit;
    }
    let md: TableMetadata;
    try {
      md = await readTableMetadata(this.io, location);
    } catch (e) {
      if (e instanceof NotFoundError) throw missing();
      throw e;
    }
    if (metadataCache.size >= METADATA_CACHE_MAX)
      metadataCache.delete(metadataCache.keys().next().value as string);
    metadataCache.set(location, md);
    return md;
  }

  #ops(id: TableIdentifier): TableOperations {
    return {
      refresh: () => this.#state(id),
      commit: (requirements, updates) => this.commitTable(id, requirements, updates),
    };
  }

  async #state(id: TableIdentifier): Promise<TableState> {
    const row = await this.rows.find(id, "TABLE");
    if (!row?.metadata_location)
      throw new NoSuchTableError(`Table does not exist: ${identifierToString(id)}`);
    return {
      metadata: await this.#readMetadata(row.metadata_location),
      metadataLocation: row.metadata_location,
    };
  }

  async loadTable(id: TableIdentifier): Promise<Table> {
    return new Table(id, await this.#state(id), this.io, this.#ops(id));
  }

  /**
   * The metadata a new table would have. Its location is `opts.location` (refused when another
   * table owns that directory) or a directory of its own under the namespace (see
   * `table-directories.ts`).
   * @throws AlreadyExistsError for a taken name or directory; ValidationError for locations
   * outside the warehouse and invalid schemas, specs and orders
   */
  async stageCreateTable(id: TableIdentifier, opts: CreateTableOptions): Promise<TableMetadata> {
    await this.checkNewName(id, "table");
    let location: string;
    if (opts.location !== undefined) {
      location = opts.location.replace(/\/+$/, "");
      this.locations.check("location", location);
      await requireOwnDirectory(this.rows, "location", location, this.warehouse, id);
    } else
      location = await newTableDirectory(
        this.rows,
        this.io,
        this.defaultTableLocation(id),
        this.warehouse,
        id,
      );
    const metadata = newTableMetadata({
      schema: opts.schema,
      spec: opts.partitionSpec,
      sortOrder: opts.sortOrder,
      location,
      properties: opts.properties,
      formatVersion: opts.formatVersion,
    });
    checkMetadataLocations(this.locations, metadata);
    if (opts.location !== undefined) await requireUnusedLocation(this.io, metadata.location);
    return metadata;
  }

  async createTable(id: TableIdentifier, opts: CreateTableOptions): Promise<Table> {
    const metadata = await this.stageCreateTable(id, opts);
    const metadataLocation = newMetadataLocation(metadata);
    await writeTableMetadata(this.io, metadataLocation, metadata);
    try {
      await this.rows.insert(id, "TABLE", metadataLocation);
    } catch (e) {
      await this.io.delete(metadataLocation).catch(() => {});
      if (isUniqueViolation(e))
        throw new AlreadyExistsError(`Table already exists: ${identifierToString(id)}`);
      throw e;
    }
    metadataCache.set(metadataLocation, metadata);
    return new Table(id, { metadata, metadataLocation }, this.io, this.#ops(id));
  }

  async registerTable(id: TableIdentifier, metadataLocation: string, overwrite = false): Promise<Table> {
    for (const level of id.namespace) validateName(level, "namespace");
    validateName(id.name, "table");
    await this.requireNamespace(id.namespace);
    this.locations.check("metadata-location", metadataLocation);
    const metadata = await readRegisteredMetadata(metadataLocation, () =>
      this.#readMetadata(metadataLocation),
    );
    this.#checkRegisteredLocations(metadata, metadataLocation);
    // The directory the metadata file is in is the table's: it must not be another table's.
    await requireOwnDirectory(
      this.rows,
      "metadata-location",
      parentLocation(parentLocation(metadataLocation)),
      this.warehouse,
      id,
    );
    const existing = await this.rows.any(id);
    if (existing && !(overwrite && existing.iceberg_type !== "VIEW"))
      throw new AlreadyExistsError(
        existing.iceberg_type === "VIEW"
          ? `View with same name already exists: ${identifierToString(id)}`
          : `Table already exists: ${identifierToString(id)}`,
      );
    try {
      if (existing?.metadata_location) {
        if (!(await this.rows.swap(id, existing.metadata_location, metadataLocation)))
          throw new CommitFailedError(`Table ${identifierToString(id)} changed while being re-registered`);
      } else await this.rows.insert(id, "TABLE", metadataLocation);
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AlreadyExistsError(`Table already exists: ${identifierToString(id)}`);
      throw e;
    }
    return new Table(id, { metadata, metadataLocation }, this.io, this.#ops(id));
  }

  /**
   * A registered table's files must be inside the warehouse: its location and write paths as
   * they resolve for a table whose files moved since they were written (a copied table whose
   * metadata records another location; commits to it are refused until its location is set
   * inside, see {@link SqlCatalog.commitTable}).
   * @throws ValidationError naming the field and the metadata file
   */
  #checkRegisteredLocations(metadata: TableMetadata, metadataLocation: string): void {
    const relocation = detectRelocation(metadata, metadataLocation);
    checkMetadataLocations(this.locations, metadata, {
      prefix: `metadata-location ${JSON.stringify(metadataLocation)}: `,
      resolve: (l) => (relocation ? relocation.resolve(l) : l),
    });
  }

  /**
   * Validates a new table or view name and its namespace.
   * @throws ValidationError, NoSuchNamespaceError, AlreadyExistsError (a table or a view holds the name)
   */
  async checkNewName(id: TableIdentifier, what: "table" | "view"): Promise<void> {
    for (const level of id.namespace) validateName(level, "namespace");
    validateName(id.name, what);
    await this.requireNamespace(id.namespace);
    const row = await this.rows.any(id);
    if (row) {
      // Messages as Iceberg Java's catalogs: same kind "already exists", other kind "with same name".
      const existing = row.iceberg_type === "VIEW" ? "view" : "table";
      const kind = existing === "view" ? "View" : "Table";
      throw new AlreadyExistsError(
        existing === what
          ? `${kind} already exists: ${identifierToString(id)}`
          : `${kind} with same name already exists: ${identifierToString(id)}`,
      );
    }
  }

  /** @throws NoSuchNamespaceError when `ns` does not exist. */
  async requireNamespace(ns: Namespace): Promise<void> {
    if (!(await this.namespaceExists(ns)))
      throw new NoSuchNamespaceError(`Namespace does not exist: ${namespaceToString(ns)}`);
  }

  async dropTable(id: TableIdentifier, purge = false): Promise<void> {
    const table = purge ? await this.loadTable(id) : undefined;
    if (!(await this.rows.delete(id, "TABLE")))
      throw new NoSuchTableError(`Table does not exist: ${identifierToString(id)}`);
    if (!table) return;
    // Stored metadata may point outside (written before locations were checked, or a
    // registered table's manifests): such files are left in place.
    const { skipped } = await purgeTableFiles(table, (l) => this.locations.allows(l));
    if (skipped.length > 0)
      process.emitWarning(
        `purge of ${identifierToString(id)} left ${skipped.length} file(s) outside the warehouse ${this.warehouse} in place: ${skipped.slice(0, 5).join(", ")}${skipped.length > 5 ? ", ..." : ""}`,
        { code: PURGE_SKIPPED_WARNING },
      );
  }

  async unregisterTable(id: TableIdentifier): Promise<TableState> {
    const state = await this.#state(id);
    if (!(await this.rows.delete(id, "TABLE")))
      throw new NoSuchTableError(`Table does not exist: ${identifierToString(id)}`);
    return state;
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    await this.#rename(from, to, "TABLE");
  }

  async #rename(from: TableIdentifier, to: TableIdentifier, kind: EntryKind): Promise<void> {
    const what = kind === "TABLE" ? "Table" : "View";
    const missing = () =>
      kind === "TABLE"
        ? new NoSuchTableError(`Table does not exist: ${identifierToString(from)}`)
        : new NoSuchViewError(`View does not exist: ${identifierToString(from)}`);
    for (const level of to.namespace) validateName(level, "namespace");
    validateName(to.name, kind === "TABLE" ? "table" : "view");
    if (!(await this.rows.find(from, kind))) throw missing();
    await this.requireNamespace(to.namespace);
    const taken = await this.rows.any(to);
    if (taken)
      throw new AlreadyExistsError(
        `Cannot rename ${identifierToString(from)} to ${identifierToString(to)}. ${taken.iceberg_type === "VIEW" ? "View" : "Table"} already exists`,
      );
    try {
      if (!(await this.rows.rename(from, to, kind))) throw missing();
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AlreadyExistsError(`${what} already exists: ${identifierToString(to)}`);
      throw e;
    }
  }

  async commitTable(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<TableState> {
    const [state] = await this.#commitWithRetry([{ identifier: id, requirements, updates }], false);
    return state!;
  }

  async commitTransaction(changes: readonly TableChange[]): Promise<void> {
    const seen = new Set<string>();
    for (const [i, c] of changes.entries()) {
      const key = identifierToString(c.identifier);
      if (seen.has(key))
        throw new ValidationError(`table-changes[${i}]: table ${key} appears more than once`);
      seen.add(key);
    }
    await this.#commitWithRetry(changes, true);
  }

  /**
   * Commits, retrying on the server side when only the swap was lost: the requirements are
   * checked again on the new metadata and the updates applied to it, so a client whose
   * requirements still hold never sees a conflict (Iceberg REST "server-side retry").
   */
  async #commitWithRetry(changes: readonly TableChange[], transaction: boolean): Promise<TableState[]> {
    const keys = changes.map((c) => identifierToString(c.identifier));
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#locks.with(keys, () => this.#commitAll(changes, transaction));
      } catch (e) {
        if (!(e instanceof SwapLostError) || attempt >= SERVER_SIDE_RETRIES) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
    }
  }

  /**
   * Prepares one table's change: checks requirements, applies updates, checks the locations
   * the new metadata writes at, writes the new metadata file. The locations are checked on
   * every commit, not only when they change: metadata stored before they were checked (or a
   * registered table whose metadata records another location) is never written through.
   * @param fieldPrefix prepended to the field an error names (`table-changes[1].`)
   */
  async #prepare(change: TableChange, fieldPrefix: string): Promise<PreparedCommit> {
    const id = change.identifier;
    const row = await this.rows.find(id, "TABLE");
    const creating = change.requirements.some((r) => r.type === "assert-create");
    if (!row?.metadata_location) {
      if (!creating) throw new NoSuchTableError(`Table does not exist: ${identifierToString(id)}`);
      await this.checkNewName(id, "table");
    }
    const base = row?.metadata_location ? await this.#readMetadata(row.metadata_location) : undefined;
    checkRequirements(base, change.requirements);
    checkSnapshotSequenceNumbers(base, change.updates);
    const metadata = applyUpdates(base, change.updates, {
      previousMetadataLocation: row?.metadata_location ?? undefined,
    });
    checkMetadataLocations(this.locations, metadata, { updates: change.updates, prefix: fieldPrefix });
    checkUpdateFileLocations(this.locations, change.updates, fieldPrefix);
    const metadataLocation = newMetadataLocation(metadata, row?.metadata_location ?? undefined);
    await writeTableMetadata(this.io, metadataLocation, metadata);
    return { id, base: row?.metadata_location ?? undefined, metadata, metadataLocation };
  }

  /**
   * Commits prepared changes in one database transaction: a compare-and-swap UPDATE per
   * existing table, an INSERT per created one. Any failed swap rolls all back.
   */
  async #commitAll(changes: readonly TableChange[], transaction: boolean): Promise<TableState[]> {
    const prepared: PreparedCommit[] = [];
    try {
      for (const [i, c] of changes.entries())
        prepared.push(await this.#prepare(c, transaction ? `table-changes[${i}].` : ""));
    } catch (e) {
      await Promise.all(prepared.map((p) => this.io.delete(p.metadataLocation).catch(() => {})));
      throw e;
    }
    const swapOne = async (db: Transaction<CatalogDatabase> | Kysely<CatalogDatabase>, p: PreparedCommit) => {
      if (p.base === undefined) {
        try {
          await this.rows.insert(p.id, "TABLE", p.metadataLocation, db);
        } catch (e) {
          if (isUniqueViolation(e))
            throw new CommitFailedError(
              `Requirement failed: table ${identifierToString(p.id)} was created concurrently`,
            );
          throw e;
        }
      } else if (!(await this.rows.swap(p.id, p.base, p.metadataLocation, db))) {
        throw new SwapLostError(
          `Table ${identifierToString(p.id)} was updated concurrently: metadata location changed from ${p.base}`,
        );
      }
    };
    try {
      if (prepared.length === 1) await swapOne(this.db, prepared[0]!);
      else
        await this.db.transaction().execute(async (trx) => {
          for (const p of prepared) await swapOne(trx, p);
        });
    } catch (e) {
      if (e instanceof CommitFailedError) {
        await Promise.all(prepared.map((p) => this.io.delete(p.metadataLocation).catch(() => {})));
        throw e;
      }
      // The database may or may not have applied the swap: never delete the new files.
      throw new CommitStateUnknownError(
        `commit of ${prepared.map((p) => identifierToString(p.id)).join(", ")} has an unknown outcome: ${(e as Error).message}`,
        { cause: e },
      );
    }
    for (const p of prepared) metadataCache.set(p.metadataLocation, p.metadata);
    return prepared.map((p) => ({ metadata: p.metadata, metadataLocation: p.metadataLocation }));
  }

  // ------------------------------------------------------------------ views

  listViews(ns: Namespace): Promise<TableIdentifier[]> {
    return this.views.list(ns);
  }

  viewExists(id: TableIdentifier): Promise<boolean> {
    return this.views.exists(id);
  }

  loadView(id: TableIdentifier): Promise<ViewState> {
    return this.views.load(id);
  }

  createView(id: TableIdentifier, opts: CreateViewOptions): Promise<ViewState> {
    return this.views.create(id, opts);
  }

  commitView(
    id: TableIdentifier,
    requirements: readonly ViewRequirement[],
    updates: readonly ViewUpdate[],
  ): Promise<ViewState> {
    return this.views.commit(id, requirements, updates);
  }

  async dropView(id: TableIdentifier): Promise<void> {
    if (!(await this.rows.delete(id, "VIEW")))
      throw new NoSuchViewError(`View does not exist: ${identifierToString(id)}`);
  }

  async renameView(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    await this.#rename(from, to, "VIEW");
  }

  registerView(id: TableIdentifier, metadataLocation: string): Promise<ViewState> {
    return this.views.register(id, metadataLocation);
  }
}

/** The namespace property engines put a namespace's new tables under. */
const NAMESPACE_LOCATION_PROPERTY = "location";

/** `process.emitWarning` code of a purge that left files outside the warehouse in place. */
export const PURGE_SKIPPED_WARNING = "AICHEMY_PURGE_SKIPPED_OUTSIDE_WAREHOUSE";

/** Times a commit is re-applied on the server after losing the compare-and-swap. */
const SERVER_SIDE_RETRIES = 10;

/** Another commit swapped the pointer between reading it and swapping it (retryable as is). */
class SwapLostError extends CommitFailedError {}

/** A table change whose new metadata file is written and awaits its swap. */
interface PreparedCommit {
  readonly id: TableIdentifier;
  /** Metadata location the swap expects; undefined when the commit creates the table. */
  readonly base: string | undefined;
  readonly metadata: TableMetadata;
  readonly metadataLocation: string;
}
