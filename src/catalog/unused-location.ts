/**
 * Whether an explicit table location may take a new table. Trino's Iceberg connector refuses
 * any non-empty location ("Cannot create a table on a non-empty location"): the new table would
 * share files with whatever is there, and its purge or `remove_orphan_files` would delete them.
 * Iceberg's own catalogs (and the REST compatibility kit) re-create tables where a table was
 * dropped without purge. We take both: a location may hold the leftovers of an Iceberg table
 * (files under its `metadata/` and `data/` directories only) and nothing else. A live table's
 * directory also looks like that; the catalog refuses it separately (one directory per table,
 * see `sql/table-directories.ts`).
 */
import { ValidationError } from "../errors.js";
import type { FileIO } from "../io/file-io.js";

/** The directories of an Iceberg table's layout (spec "Table layout": metadata and data). */
const TABLE_LAYOUT = ["metadata/", "data/"];

/**
 * Refuses `location` (a table directory, no trailing slash needed) when it holds a file
 * outside an Iceberg table's `metadata/` and `data/` directories.
 * @throws ValidationError naming the location and the first such file
 */
export async function requireUnusedLocation(io: FileIO, location: string): Promise<void> {
  const dir = `${location.replace(/\/+$/, "")}/`;
  for await (const file of io.list(dir)) {
    const rest = file.location.startsWith(dir) ? file.location.slice(dir.length) : file.location;
    if (TABLE_LAYOUT.some((d) => rest.startsWith(d))) continue;
    throw new ValidationError(
      `Cannot create a table on a non-empty location: ${location} (it holds ${file.location}, which is not an Iceberg table's file)`,
    );
  }
}
