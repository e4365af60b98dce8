/**
 * Opens the SQL catalog's Kysely instance on SQLite (better-sqlite3) in WAL mode with a busy
 * timeout, so several processes can share one catalog file.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { CatalogDatabase } from "./catalog-schema.js";

/** Opens (creating if needed) a SQLite catalog database at `path` (`:memory:` for tests). */
export function openSqliteCatalogDb(path: string): Kysely<CatalogDatabase> {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma("journal_mode = WAL");
  database.pragma("busy_timeout = 10000");
  database.pragma("synchronous = NORMAL");
  return new Kysely<CatalogDatabase>({ dialect: new SqliteDialect({ database }) });
}
