/**
 * The locations table and view metadata write files at (its `location` and the write-path
 * properties), named after the request field that set each, and their check against a
 * warehouse's {@link LocationPolicy} (issue 9: every catalog path that stores metadata goes
 * through {@link checkMetadataLocations}).
 */
import { AIchemyError, ValidationError } from "../errors.js";
import type { LocationPolicy } from "../io/location-policy.js";
import type { TableUpdate } from "../spec/table-update.js";

/**
 * Table properties that redirect where files are written (Iceberg Java `TableProperties`
 * `WRITE_DATA_LOCATION`, `WRITE_METADATA_LOCATION`, `OBJECT_STORE_PATH`,
 * `WRITE_FOLDER_STORAGE_LOCATION`); they must stay inside the warehouse.
 */
export const WRITE_PATH_PROPERTIES: readonly string[] = [
  "write.data.path",
  "write.metadata.path",
  "write.object-storage.path",
  "write.folder-storage.path",
];

/** The part of a metadata update this check reads (table and view updates alike). */
export type LocationUpdate =
  | { readonly action: "set-location"; readonly location: string }
  | { readonly action: "set-properties"; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: string };

/** What a location check reads of table or view metadata. */
export interface LocatedMetadata {
  readonly location: string;
  readonly properties: Readonly<Record<string, string>>;
}

/**
 * The field a location came from: the last update in `updates` that set it
 * (`updates[2].location`, `updates[0].updates.write.data.path`), else the metadata's own
 * field (`location`, `properties.write.data.path`); `prefix` is prepended (e.g.
 * `table-changes[1].`).
 */
export function locationField(
  key: "location" | string,
  updates: readonly LocationUpdate[],
  prefix = "",
): string {
  for (let i = updates.length - 1; i >= 0; i--) {
    const u = updates[i]!;
    if (key === "location" && u.action === "set-location") return `${prefix}updates[${i}].location`;
    if (key !== "location" && u.action === "set-properties" && "updates" in u && key in u.updates)
      return `${prefix}updates[${i}].updates.${key}`;
  }
  return key === "location" ? `${prefix}location` : `${prefix}properties.${key}`;
}

/**
 * Requires the metadata's location and write-path properties to be inside the warehouse.
 * @param opts.updates the updates that produced `md` (to name the field that set a location)
 * @param opts.prefix prepended to field names (e.g. `table-changes[1].`)
 * @param opts.resolve maps a recorded location to where it is stored (a relocated table,
 * see `Table.resolve`); identity by default
 * @throws ValidationError naming the field, the location and the warehouse
 */
export function checkMetadataLocations(
  policy: LocationPolicy,
  md: LocatedMetadata,
  opts: {
    updates?: readonly LocationUpdate[];
    prefix?: string;
    resolve?: (location: string) => string;
  } = {},
): void {
  const updates = opts.updates ?? [];
  const resolve = opts.resolve ?? ((l: string) => l);
  policy.check(locationField("location", updates, opts.prefix), resolve(md.location));
  for (const key of WRITE_PATH_PROPERTIES) {
    const value = md.properties[key];
    if (value !== undefined) policy.check(locationField(key, updates, opts.prefix), resolve(value));
  }
}

/**
 * Requires the files a commit's updates point the table at to be inside the warehouse: the
 * manifest list (and v1 manifests) of each `add-snapshot`, the `statistics-path` of each
 * `set-statistics` and `set-partition-statistics`. Readers (scans, other engines, purges)
 * open them through the table, so one outside would read a file of the server's choosing.
 * @param prefix prepended to field names (e.g. `table-changes[1].`)
 * @throws ValidationError naming the update's field, the location and the warehouse
 */
export function checkUpdateFileLocations(
  policy: LocationPolicy,
  updates: readonly TableUpdate[],
  prefix = "",
): void {
  updates.forEach((u, i) => {
    const at = `${prefix}updates[${i}]`;
    if (u.action === "add-snapshot") {
      if (u.snapshot.manifestList !== undefined)
        policy.check(`${at}.snapshot.manifest-list`, u.snapshot.manifestList);
      for (const [j, m] of (u.snapshot.manifests ?? []).entries())
        policy.check(`${at}.snapshot.manifests[${j}]`, m);
    } else if (u.action === "set-statistics")
      policy.check(`${at}.statistics.statistics-path`, u.statistics.statisticsPath);
    else if (u.action === "set-partition-statistics")
      policy.check(`${at}.partition-statistics.statistics-path`, u.partitionStatistics.statisticsPath);
  });
}

/**
 * Reads the metadata file a register request names (`read`), turning a file that is not
 * metadata (a directory, a data file, text that is not JSON) into the client's error: the
 * client chose the file.
 * @throws ValidationError naming the `metadata-location` and why it cannot be read; the
 * errors of `read` that are already AIchemy errors (not found, malformed metadata) as they are
 */
export async function readRegisteredMetadata<T>(
  metadataLocation: string,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof AIchemyError) throw e;
    throw new ValidationError(
      `metadata-location ${JSON.stringify(metadataLocation)} is not a readable metadata file: ${(e as Error).message}`,
      { cause: e },
    );
  }
}
