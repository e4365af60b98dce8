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
import { isWithin, parseLocation } from "../io/location-policy.js";

/** The directories of an Iceberg table's layout (spec "Table layout": metadata and data). */
const TABLE_LAYOUT = ["metadata", "data"];

/** Whether `file` lies in a layout directory of `dir` (compared as places, not as text). */
function inTableLayout(dir: string, file: string): boolean {
  const d = parseLocation(dir);
  const f = parseLocation(file);
  if (!d.ok || !f.ok || !isWithin(d.location, f.location)) return false;
  const rest = f.location.segments.slice(d.location.segments.length);
  return rest.length > 1 && TABLE_LAYOUT.includes(rest[0]!);
}

/**
 * Refuses `location` (a table directory, no trailing slash needed) when it holds a file
 * outside an Iceberg table's `metadata/` and `data/` directories.
 * @throws ValidationError naming the location and the first such file
 */
export async function requireUnusedLocation(io: FileIO, location: string): Promise<void> {
  const dir = location.replace(/\/+$/, "");
  for await (const file of io.list(`${dir}/`)) {
    if (inTableLayout(dir, file.location)) continue;
    throw new ValidationError(
      `Cannot create a table on a non-empty location: ${location} (it holds ${file.location}, which is not an Iceberg table's file)`,
    );
  }
}
