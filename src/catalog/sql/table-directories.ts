/**
 * One directory per table: no two entries of a catalog may share a table directory (a table's
 * `location`, holding its `metadata/` and `data/`). Two tables in one directory destroy each
 * other: `remove_orphan_files` of one deletes the other's files as orphans, a purge of one
 * deletes both. That happens when a table is renamed and a new one takes the old name (its
 * default location is the renamed table's), when a table is created or registered at another
 * table's location, or inside it. Trino avoids it with unique table locations
 * (`iceberg.unique-table-location`); here a default location already in use gets a unique
 * suffix, and an explicit one is refused.
 */
import { randomUUID } from "node:crypto";
import { AlreadyExistsError } from "../../errors.js";
import type { FileIO } from "../../io/file-io.js";
import { type CanonicalLocation, isWithin, parseLocation, spellingsOf } from "../../io/location-policy.js";
import type { TableIdentifier } from "../../spec/identifier.js";
import type { CatalogRows } from "./catalog-rows.js";

/**
 * The entry whose table directory is `location`, contains it, or lies inside it (other than
 * `except`), as `namespace.name`; undefined when none. Locations compare as places, whatever
 * their spelling (`/p`, `file:/p`, `file:///p`; `s3://` or `s3a://`). `root` bounds the walk up
 * (the warehouse).
 */
export async function directoryOwner(
  rows: CatalogRows,
  location: string,
  root: string,
  except?: TableIdentifier,
): Promise<string | undefined> {
  const name = (r: { table_namespace: string; table_name: string }) => `${r.table_namespace}.${r.table_name}`;
  const parsed = parseLocation(location.replace(/\/+$/, ""));
  if (!parsed.ok) return undefined; // the location check refuses it
  const dir = parsed.location;
  const under = (d: CanonicalLocation, sub: string) => spellingsOf(d).map((s) => `${s}/${sub}`);
  // Another table inside (or at) this directory: its metadata is under it.
  const inside = await rows.firstWithMetadataUnder(under(dir, ""), except);
  if (inside) return name(inside);
  // This directory inside another table's: that table's metadata is in an ancestor's metadata/.
  const top = parseLocation(root.replace(/\/+$/, ""));
  if (!top.ok || !isWithin(top.location, dir)) return undefined;
  for (let depth = dir.segments.length - 1; depth > top.location.segments.length; depth--) {
    const up = { ...dir, segments: dir.segments.slice(0, depth) };
    const owner = await rows.firstWithMetadataUnder(under(up, "metadata/"), except, true);
    if (owner) return name(owner);
  }
  return undefined;
}

/**
 * The location of a new table: `defaultLocation` unless another entry owns it (see
 * {@link directoryOwner}) or files are already there, then `defaultLocation-<uuid>`.
 */
export async function newTableDirectory(
  rows: CatalogRows,
  io: FileIO,
  defaultLocation: string,
  root: string,
  id: TableIdentifier,
): Promise<string> {
  if ((await directoryOwner(rows, defaultLocation, root, id)) === undefined) {
    let empty = true;
    for await (const _ of io.list(defaultLocation)) {
      empty = false;
      break;
    }
    if (empty) return defaultLocation;
  }
  return `${defaultLocation}-${randomUUID().replace(/-/g, "")}`;
}

/**
 * Refuses a table directory another entry owns.
 * @throws AlreadyExistsError naming the owner and the `field` (e.g. `location`)
 */
export async function requireOwnDirectory(
  rows: CatalogRows,
  field: string,
  location: string,
  root: string,
  id: TableIdentifier,
): Promise<void> {
  const owner = await directoryOwner(rows, location, root, id);
  if (owner !== undefined)
    throw new AlreadyExistsError(
      `${field} ${JSON.stringify(location)} is the directory of table ${owner} (or shares it): each table needs its own`,
    );
}
