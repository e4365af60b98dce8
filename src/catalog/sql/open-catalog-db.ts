/**
 * Opens the SQL catalog database named by a URL: `postgresql://...` (or `postgres://`) for
 * PostgreSQL, `sqlite:path` / `file:path` / a plain path for SQLite.
 */
import type { Kysely } from "kysely";
import { ValidationError } from "../../errors.js";
import type { CatalogDatabase } from "./catalog-schema.js";
import { openPostgresCatalogDb } from "./postgres-dialect.js";
import { openSqliteCatalogDb } from "./sqlite-dialect.js";

/** Which dialect a catalog URL selects. */
export function catalogDialect(url: string): "postgres" | "sqlite" {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgres" : "sqlite";
}

/**
 * Opens the database of a catalog URL.
 * @throws ValidationError for URLs of other schemes.
 */
export function openCatalogDb(url: string): Kysely<CatalogDatabase> {
  if (catalogDialect(url) === "postgres") return openPostgresCatalogDb(url);
  const m = /^(?:sqlite:(?:\/\/)?|file:(?:\/\/)?)?(.*)$/i.exec(url);
  const path = m?.[1] ?? url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path))
    throw new ValidationError(`unsupported catalog URL: ${url} (use postgresql://... or a SQLite file path)`);
  return openSqliteCatalogDb(path);
}
