/**
 * The SQL catalog's tables, in the layout of the Iceberg JDBC catalog and pyiceberg's SQL
 * catalog (`iceberg_tables`, `iceberg_namespace_properties`), so both can share a database
 * with us. `iceberg_type` is the JDBC catalog's V1 column (`TABLE` or `VIEW`). Our own
 * `aichemy_warehouses` names the warehouses one server holds (each a `catalog_name`).
 */
import { type Kysely, sql } from "kysely";

/** Row of `iceberg_tables`. */
export interface IcebergTablesRow {
  catalog_name: string;
  table_namespace: string;
  table_name: string;
  metadata_location: string | null;
  previous_metadata_location: string | null;
  iceberg_type: string | null;
}

/** Row of `iceberg_namespace_properties`. */
export interface IcebergNamespacePropertiesRow {
  catalog_name: string;
  namespace: string;
  property_key: string;
  property_value: string | null;
}

/** Row of `aichemy_warehouses`: a named warehouse (a root location) of the server. */
export interface AichemyWarehousesRow {
  name: string;
  location: string;
}

/** The Kysely database shape of the SQL catalog. */
export interface CatalogDatabase {
  iceberg_tables: IcebergTablesRow;
  iceberg_namespace_properties: IcebergNamespacePropertiesRow;
  aichemy_warehouses: AichemyWarehousesRow;
}

/**
 * Creates the catalog tables when missing and adds `iceberg_type` to a pyiceberg-created
 * `iceberg_tables` that lacks it. Idempotent; the same DDL serves SQLite and PostgreSQL.
 */
export async function migrateCatalogSchema(db: Kysely<CatalogDatabase>): Promise<void> {
  await db.schema
    .createTable("iceberg_tables")
    .ifNotExists()
    .addColumn("catalog_name", "varchar(255)", (c) => c.notNull())
    .addColumn("table_namespace", "varchar(255)", (c) => c.notNull())
    .addColumn("table_name", "varchar(255)", (c) => c.notNull())
    .addColumn("metadata_location", "varchar(1000)")
    .addColumn("previous_metadata_location", "varchar(1000)")
    .addColumn("iceberg_type", "varchar(5)")
    .addPrimaryKeyConstraint("iceberg_tables_pk", ["catalog_name", "table_namespace", "table_name"])
    .execute();
  await db.schema
    .createTable("iceberg_namespace_properties")
    .ifNotExists()
    .addColumn("catalog_name", "varchar(255)", (c) => c.notNull())
    .addColumn("namespace", "varchar(255)", (c) => c.notNull())
    .addColumn("property_key", "varchar(255)", (c) => c.notNull())
    .addColumn("property_value", "varchar(1000)")
    .addPrimaryKeyConstraint("iceberg_namespace_properties_pk", ["catalog_name", "namespace", "property_key"])
    .execute();
  await db.schema
    .createTable("aichemy_warehouses")
    .ifNotExists()
    .addColumn("name", "varchar(255)", (c) => c.primaryKey())
    .addColumn("location", "varchar(1000)", (c) => c.notNull())
    .execute();
  const columns = await db.introspection.getTables();
  const t = columns.find((x) => x.name === "iceberg_tables");
  if (t && !t.columns.some((c) => c.name === "iceberg_type")) {
    await sql`ALTER TABLE iceberg_tables ADD COLUMN iceberg_type VARCHAR(5)`.execute(db);
  }
}
