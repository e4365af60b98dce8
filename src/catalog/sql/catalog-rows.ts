/**
 * Row access to `iceberg_tables` for tables and views alike (the JDBC catalog keeps both in
 * one table, told apart by `iceberg_type`; a NULL type is a table written by a V0 client).
 * Names are unique per namespace across both kinds: the primary key does not include the type.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { Namespace, TableIdentifier } from "../../spec/identifier.js";
import { namespaceToString } from "../../spec/identifier.js";
import type { CatalogDatabase, IcebergTablesRow } from "./catalog-schema.js";

/** What a row of `iceberg_tables` points at. */
export type EntryKind = "TABLE" | "VIEW";

type Db = Kysely<CatalogDatabase> | Transaction<CatalogDatabase>;

/** Whether a driver error is a unique/primary-key violation (SQLite or PostgreSQL). */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string };
  return (
    err.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    err.code === "SQLITE_CONSTRAINT_UNIQUE" ||
    err.code === "23505"
  );
}

/** The rows of one catalog (`catalog_name`) in `iceberg_tables`. */
export class CatalogRows {
  readonly db: Kysely<CatalogDatabase>;
  readonly catalogName: string;

  constructor(db: Kysely<CatalogDatabase>, catalogName: string) {
    this.db = db;
    this.catalogName = catalogName;
  }

  #where(db: Db, id: TableIdentifier) {
    return db
      .selectFrom("iceberg_tables")
      .selectAll()
      .where("catalog_name", "=", this.catalogName)
      .where("table_namespace", "=", namespaceToString(id.namespace))
      .where("table_name", "=", id.name);
  }

  /** The row of `id` of either kind, or undefined. */
  async any(id: TableIdentifier, db: Db = this.db): Promise<IcebergTablesRow | undefined> {
    return this.#where(db, id).executeTakeFirst();
  }

  /** The row of `id` when it is of `kind`, or undefined. */
  async find(id: TableIdentifier, kind: EntryKind, db: Db = this.db): Promise<IcebergTablesRow | undefined> {
    const row = await this.any(id, db);
    return row && kindOf(row) === kind ? row : undefined;
  }

  /**
   * An entry (of either kind) other than `except` whose metadata file lies under one of
   * `prefixes` (compared as text: each should end with `/`; `direct`: right in it, not
   * deeper), or undefined.
   */
  async firstWithMetadataUnder(
    prefixes: readonly string[],
    except?: TableIdentifier,
    direct = false,
  ): Promise<IcebergTablesRow | undefined> {
    const rows = await this.db
      .selectFrom("iceberg_tables")
      .selectAll()
      .where("catalog_name", "=", this.catalogName)
      .where((eb) =>
        eb.or(
          prefixes.map((prefix) =>
            eb(sql<string>`substr(metadata_location, 1, ${prefix.length})`, "=", prefix),
          ),
        ),
      )
      .limit(100)
      .execute();
    const directly = (location: string | null) =>
      prefixes.some((p) => location?.startsWith(p) && !location.slice(p.length).includes("/"));
    return rows.find(
      (r) =>
        (!direct || directly(r.metadata_location)) &&
        (except === undefined ||
          r.table_namespace !== namespaceToString(except.namespace) ||
          r.table_name !== except.name),
    );
  }

  /** Names of the entries of `kind` in a namespace, sorted. */
  async list(ns: Namespace, kind: EntryKind): Promise<string[]> {
    const rows = await this.db
      .selectFrom("iceberg_tables")
      .select(["table_name", "iceberg_type"])
      .where("catalog_name", "=", this.catalogName)
      .where("table_namespace", "=", namespaceToString(ns))
      .orderBy("table_name")
      .execute();
    return rows.filter((r) => kindOf(r) === kind).map((r) => r.table_name);
  }

  /** Inserts a new entry. @throws the driver's unique violation when the name is taken. */
  async insert(
    id: TableIdentifier,
    kind: EntryKind,
    metadataLocation: string,
    db: Db = this.db,
  ): Promise<void> {
    await db
      .insertInto("iceberg_tables")
      .values({
        catalog_name: this.catalogName,
        table_namespace: namespaceToString(id.namespace),
        table_name: id.name,
        metadata_location: metadataLocation,
        previous_metadata_location: null,
        iceberg_type: kind,
      })
      .execute();
  }

  /** Deletes the entry of `id` when it is of `kind`; true when a row went. */
  async delete(id: TableIdentifier, kind: EntryKind, db: Db = this.db): Promise<boolean> {
    const res = await db
      .deleteFrom("iceberg_tables")
      .where("catalog_name", "=", this.catalogName)
      .where("table_namespace", "=", namespaceToString(id.namespace))
      .where("table_name", "=", id.name)
      .where((eb) =>
        kind === "TABLE"
          ? eb.or([eb("iceberg_type", "is", null), eb("iceberg_type", "=", "TABLE")])
          : eb("iceberg_type", "=", "VIEW"),
      )
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** Renames an entry; true when a row changed. @throws the driver's unique violation when `to` is taken. */
  async rename(from: TableIdentifier, to: TableIdentifier, kind: EntryKind): Promise<boolean> {
    const res = await this.db
      .updateTable("iceberg_tables")
      .set({ table_namespace: namespaceToString(to.namespace), table_name: to.name })
      .where("catalog_name", "=", this.catalogName)
      .where("table_namespace", "=", namespaceToString(from.namespace))
      .where("table_name", "=", from.name)
      .where((eb) =>
        kind === "TABLE"
          ? eb.or([eb("iceberg_type", "is", null), eb("iceberg_type", "=", "TABLE")])
          : eb("iceberg_type", "=", "VIEW"),
      )
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * Compare-and-swap of the metadata location in one UPDATE: true when the row still pointed
   * at `expected` and now points at `next`.
   */
  async swap(id: TableIdentifier, expected: string, next: string, db: Db = this.db): Promise<boolean> {
    const res = await db
      .updateTable("iceberg_tables")
      .set({ metadata_location: next, previous_metadata_location: expected })
      .where("catalog_name", "=", this.catalogName)
      .where("table_namespace", "=", namespaceToString(id.namespace))
      .where("table_name", "=", id.name)
      .where("metadata_location", "=", expected)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
}

function kindOf(row: { iceberg_type: string | null }): EntryKind {
  return row.iceberg_type === "VIEW" ? "VIEW" : "TABLE";
}
