/**
 * The SQL catalog: namespaces and table pointers in a SQL database through Kysely, in the
 * layout of the Iceberg JDBC catalog and pyiceberg's SQL catalog. Commits swap the metadata
 * location with a single compare-and-swap UPDATE. One implementation serves every Kysely
 * dialect (SQLite embedded, PostgreSQL); only opening the database differs.
 */
import type { Kysely } from "kysely";
import {
  AlreadyExistsError,
  CommitFailedError,
  CommitStateUnknownError,
  NamespaceNotEmptyError,
  NoSuchNamespaceError,
  NoSuchTableError,
  ValidationError,
} from "../../errors.js";
import type { FileIO } from "../../io/file-io.js";
import { joinLocation } from "../../io/location.js";
import { applyUpdates } from "../../spec/apply-updates.js";
import {
  identifierToString,
  type Namespace,
  namespaceFromString,
  namespaceToString,
  type TableIdentifier,
  validateName,
} from "../../spec/identifier.js";
import { newTableMetadata } from "../../spec/new-table-metadata.js";
import type { TableMetadata } from "../../spec/table-metadata.js";
import { checkRequirements } from "../../spec/table-requirement.js";
import type { TableRequirement, TableUpdate } from "../../spec/table-update.js";
import { newMetadataLocation, readTableMetadata, writeTableMetadata } from "../../table/metadata-io.js";
import { purgeTableFiles } from "../../table/purge.js";
import { Table } from "../../table/table.js";
import type { TableOperations, TableState } from "../../table/table-operations.js";
import type { Catalog, CreateTableOptions } from "../catalog.js";
import type { CatalogDatabase } from "./catalog-schema.js";
import { migrateCatalogSchema } from "./catalog-schema.js";

/** Options of {@link SqlCatalog}. */
export interface SqlCatalogOptions {
  /** Catalog name (the `catalog_name` column and the SQL catalog name), e.g. `iceberg`. */
  readonly name: string;
  readonly db: Kysely<CatalogDatabase>;
  /** Warehouse root location; new tables go under it. */
  readonly warehouse: string;
  readonly io: FileIO;
}

const NAMESPACE_EXISTS_PROPERTY = "exists";

/** Metadata files are immutable: cache parsed metadata by location. */
const metadataCache = new Map<string, TableMetadata>();
const METADATA_CACHE_MAX = 512;

/** A catalog on a SQL database (see module doc). */
export class SqlCatalog implements Catalog {
  readonly name: string;
  readonly db: Kysely<CatalogDatabase>;
  readonly warehouse: string;
  readonly io: FileIO;

  private constructor(opts: SqlCatalogOptions) {
    this.name = opts.name;
    this.db = opts.db;
    this.warehouse = opts.warehouse.replace(/\/+$/, "");
    this.io = opts.io;
  }

  /** Opens the catalog, creating its tables when missing. */
  static async open(opts: SqlCatalogOptions): Promise<SqlCatalog> {
    await migrateCatalogSchema(opts.db);
    return new SqlCatalog(opts);
  }

  async close(): Promise<void> {
    await this.db.destroy();
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
    return out;
  }

  async dropNamespace(ns: Namespace): Promise<void> {
    const key = namespaceToString(ns);
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`Namespace does not exist: ${key}`);
    const tables = await this.listTables(ns);
    if (tables.length > 0)
      throw new NamespaceNotEmptyError(`Namespace ${key} is not empty: it holds ${tables.length} table(s)`);
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
    const overlap = removals.filter((r) => r in updates);
    if (overlap.length > 0)
      throw new ValidationError(`properties both removed and updated: ${overlap.join(", ")}`);
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

  // ------------------------------------------------------------------ tables

  async listTables(ns: Namespace): Promise<TableIdentifier[]> {
    if (!(await this.namespaceExists(ns)))
      throw new NoSuchNamespaceError(`Namespace does not exist: ${namespaceToString(ns)}`);
    const rows = await this.db
      .selectFrom("iceberg_tables")
      .select("table_name")
      .where("catalog_name", "=", this.name)
      .where("table_namespace", "=", namespaceToString(ns))
      .where((eb) => eb.or([eb("iceberg_type", "is", null), eb("iceberg_type", "=", "TABLE")]))
      .orderBy("table_name")
      .execute();
    return rows.map((r) => ({ namespace: ns, name: r.table_name }));
  }

  async #row(id: TableIdentifier) {
    return this.db
      .selectFrom("iceberg_tables")
      .selectAll()
      .where("catalog_name", "=", this.name)
      .where("table_namespace", "=", namespaceToString(id.namespace))
      .where("table_name", "=", id.name)
      .where((eb) => eb.or([eb("iceberg_type", "is", null), eb("iceberg_type", "=", "TABLE")]))
      .executeTakeFirst();
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.#row(id)) !== undefined;
  }

  /** Default location of a new table: `<warehouse>/<ns levels>/<table>`, each part URL-encoded. */
  defaultTableLocation(id: TableIdentifier): string {
    return joinLocation(this.warehouse, ...id.namespace.map(encodeURIComponent), encodeURIComponent(id.name));
  }

  #inWarehouse(location: string): boolean {
    const norm = (l: string) => l.replace(/^file:\/*/, "/").replace(/\/+$/, "");
    const w = norm(this.warehouse);
    const l = norm(location);
    return (l === w || l.startsWith(`${w}/`)) && !l.split("/").some((p) => p === ".." || p === ".");
  }

  #checkInWarehouse(location: string): void {
    if (!this.#inWarehouse(location))
      throw new ValidationError(`table location ${location} is outside the warehouse ${this.warehouse}`);
  }

  async #readMetadata(location: string): Promise<TableMetadata> {
    const hit = metadataCache.get(location);
    if (hit) return hit;
    const md = await readTableMetadata(this.io, location);
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
    const row = await this.#row(id);
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

  async createTable(id: TableIdentifier, opts: CreateTableOptions): Promise<Table> {
    await this.#checkNewTable(id);
    const location = opts.location ?? this.defaultTableLocation(id);
    this.#checkInWarehouse(location);
    const metadata = newTableMetadata({
      schema: opts.schema,
      spec: opts.partitionSpec,
      sortOrder: opts.sortOrder,
      location,
      properties: opts.properties,
      formatVersion: opts.formatVersion,
    });
    const metadataLocation = newMetadataLocation(metadata);
    await writeTableMetadata(this.io, metadataLocation, metadata);
    try {
      await this.#insertTableRow(id, metadataLocation);
    } catch (e) {
      await this.io.delete(metadataLocation).catch(() => {});
      throw e;
    }
    return new Table(id, { metadata, metadataLocation }, this.io, this.#ops(id));
  }

  async registerTable(id: TableIdentifier, metadataLocation: string): Promise<Table> {
    await this.#checkNewTable(id);
    const metadata = await this.#readMetadata(metadataLocation);
    await this.#insertTableRow(id, metadataLocation);
    return new Table(id, { metadata, metadataLocation }, this.io, this.#ops(id));
  }

  /** Validates a new table's name and namespace. @throws ValidationError, NoSuchNamespaceError, AlreadyExistsError */
  async #checkNewTable(id: TableIdentifier): Promise<void> {
    for (const level of id.namespace) validateName(level, "namespace");
    validateName(id.name, "table");
    if (!(await this.namespaceExists(id.namespace))) {
      throw new NoSuchNamespaceError(`Namespace does not exist: ${namespaceToString(id.namespace)}`);
    }
    if (await this.tableExists(id))
      throw new AlreadyExistsError(`Table already exists: ${identifierToString(id)}`);
  }

  /** Inserts the catalog row of a new table. @throws AlreadyExistsError when another writer created it first. */
  async #insertTableRow(id: TableIdentifier, metadataLocation: string): Promise<void> {
    try {
      await this.db
        .insertInto("iceberg_tables")
        .values({
          catalog_name: this.name,
          table_namespace: namespaceToString(id.namespace),
          table_name: id.name,
          metadata_location: metadataLocation,
          previous_metadata_location: null,
          iceberg_type: "TABLE",
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AlreadyExistsError(`Table already exists: ${identifierToString(id)}`);
      throw e;
    }
  }

  async dropTable(id: TableIdentifier, purge = false): Promise<void> {
    const table = purge ? await this.loadTable(id) : undefined;
    const res = await this.db
      .deleteFrom("iceberg_tables")
      .where("catalog_name", "=", this.name)
      .where("table_namespace", "=", namespaceToString(id.namespace))
      .where("table_name", "=", id.name)
      .where((eb) => eb.or([eb("iceberg_type", "is", null), eb("iceberg_type", "=", "TABLE")]))
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0)
      throw new NoSuchTableError(`Table does not exist: ${identifierToString(id)}`);
    if (table) await purgeTableFiles(table, (l) => this.#inWarehouse(l));
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    for (const level of to.namespace) validateName(level, "namespace");
    validateName(to.name, "table");
    if (!(await this.tableExists(from)))
      throw new NoSuchTableError(`Table does not exist: ${identifierToString(from)}`);
    if (!(await this.namespaceExists(to.namespace))) {
      throw new NoSuchNamespaceError(`Namespace does not exist: ${namespaceToString(to.namespace)}`);
    }
    if (await this.tableExists(to))
      throw new AlreadyExistsError(`Table already exists: ${identifierToString(to)}`);
    try {
      const res = await this.db
        .updateTable("iceberg_tables")
        .set({ table_namespace: namespaceToString(to.namespace), table_name: to.name })
        .where("catalog_name", "=", this.name)
        .where("table_namespace", "=", namespaceToString(from.namespace))
        .where("table_name", "=", from.name)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0)
        throw new NoSuchTableError(`Table does not exist: ${identifierToString(from)}`);
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AlreadyExistsError(`Table already exists: ${identifierToString(to)}`);
      throw e;
    }
  }

  async commitTable(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<TableState> {
    const row = await this.#row(id);
    if (!row?.metadata_location)
      throw new NoSuchTableError(`Table does not exist: ${identifierToString(id)}`);
    const base = await this.#readMetadata(row.metadata_location);
    checkRequirements(base, requirements);
    const metadata = applyUpdates(base, updates, { previousMetadataLocation: row.metadata_location });
    if (metadata.location !== base.location) this.#checkInWarehouse(metadata.location);
    const metadataLocation = newMetadataLocation(metadata, row.metadata_location);
    await writeTableMetadata(this.io, metadataLocation, metadata);
    let swapped: boolean;
    try {
      const res = await this.db
        .updateTable("iceberg_tables")
        .set({ metadata_location: metadataLocation, previous_metadata_location: row.metadata_location })
        .where("catalog_name", "=", this.name)
        .where("table_namespace", "=", namespaceToString(id.namespace))
        .where("table_name", "=", id.name)
        .where("metadata_location", "=", row.metadata_location)
        .executeTakeFirst();
      swapped = Number(res.numUpdatedRows) === 1;
    } catch (e) {
      // The database may or may not have applied the swap: never delete the new file.
      throw new CommitStateUnknownError(
        `commit of ${identifierToString(id)} has an unknown outcome: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    if (!swapped) {
      await this.io.delete(metadataLocation).catch(() => {});
      throw new CommitFailedError(
        `Table ${identifierToString(id)} was updated concurrently: metadata location changed from ${row.metadata_location}`,
      );
    }
    metadataCache.set(metadataLocation, metadata);
    return { metadata, metadataLocation };
  }
}

/** Whether a driver error is a unique/primary-key violation (SQLite or PostgreSQL). */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    err.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    err.code === "23505"
  );
}
