/**
 * Warehouses of one catalog store: each a name (the `catalog_name` of its rows, the REST
 * `prefix` and the engine's catalog name) and a root location that every table and view of
 * it lives under (Lakekeeper's warehouses; the REST `warehouse` config parameter).
 */
import type { Kysely } from "kysely";
import { ValidationError } from "../../errors.js";
import { parseLocation } from "../../io/location-policy.js";
import type { AichemyWarehousesRow, CatalogDatabase } from "./catalog-schema.js";

/** A warehouse: name and root location (a URI, e.g. `file:///data/wh` or `s3://bucket/wh`). */
export type Warehouse = AichemyWarehousesRow;

/** Path words of the REST API that a warehouse name (used as URL prefix) may not be. */
const RESERVED = new Set(["namespaces", "tables", "views", "transactions", "config", "oauth"]);

/**
 * Checks a warehouse name: a lower-case identifier (`[a-z_][a-z0-9_-]*`, at most 63
 * characters), not a REST path word. @throws ValidationError naming the problem.
 */
export function validateWarehouseName(name: string): void {
  if (!/^[a-z_][a-z0-9_-]{0,62}$/.test(name))
    throw new ValidationError(
      `warehouse name ${JSON.stringify(name)} must be a lower-case identifier ([a-z_][a-z0-9_-]*, at most 63 characters)`,
    );
  if (RESERVED.has(name))
    throw new ValidationError(`warehouse name ${JSON.stringify(name)} is a reserved word of the REST API`);
}

/** Every warehouse of the store, by name. */
export async function listWarehouses(db: Kysely<CatalogDatabase>): Promise<Warehouse[]> {
  return db.selectFrom("aichemy_warehouses").selectAll().orderBy("name").execute();
}

/**
 * Creates a warehouse or moves an existing one to `location` (tables keep the absolute
 * locations in their metadata). The location follows the rules of every other location
 * (`parseLocation`: absolute, no `.`/`..` segments ...).
 * @throws ValidationError for a bad name or location.
 */
export async function putWarehouse(db: Kysely<CatalogDatabase>, w: Warehouse): Promise<void> {
  validateWarehouseName(w.name);
  const parsed = parseLocation(w.location);
  if (!parsed.ok)
    throw new ValidationError(`warehouse location ${JSON.stringify(w.location)} ${parsed.reason}`);
  const location = w.location.replace(/\/+$/, "");
  await db
    .insertInto("aichemy_warehouses")
    .values({ name: w.name, location })
    .onConflict((oc) => oc.column("name").doUpdateSet({ location }))
    .execute();
}
