/**
 * Opens the SQL catalog's Kysely instance on PostgreSQL (node-postgres pool): the second
 * dialect of the one SQL catalog store (ARCHITECTURE.md decision 3).
 */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { CatalogDatabase } from "./catalog-schema.js";

/**
 * Opens a PostgreSQL catalog database from a `postgresql://user:pass@host:port/db` URL.
 * @param maxConnections pool size (default 10).
 */
export function openPostgresCatalogDb(url: string, maxConnections = 10): Kysely<CatalogDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  return new Kysely<CatalogDatabase>({ dialect: new PostgresDialect({ pool }) });
}
