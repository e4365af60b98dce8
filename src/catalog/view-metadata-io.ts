/**
 * Reading and writing view metadata files (Iceberg view spec "Metadata Location":
 * `<view location>/metadata/<V>-<uuid>.metadata.json`, gzip when the name says so).
 */
import { randomUUID } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { FileIO } from "../io/file-io.js";
import { joinLocation } from "../io/location.js";
import { parseViewMetadata, serializeViewMetadata } from "../spec/codec/view-metadata-json.js";
import type { ViewMetadata } from "../spec/view-metadata.js";
import { parseMetadataVersion } from "../table/metadata-io.js";

/**
 * Reads a view metadata file (plain or gzip, detected by magic bytes).
 * @throws NotFoundError when missing; an Error naming the location when it does not parse.
 */
export async function readViewMetadata(io: FileIO, location: string): Promise<ViewMetadata> {
  const raw = await io.read(location);
  const bytes = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  try {
    return parseViewMetadata(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`cannot read view metadata ${location}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The location of the next view metadata file after `previous` (none for a new view), under
 * the `write.metadata.path` property when set.
 */
export function newViewMetadataLocation(md: ViewMetadata, previous?: string): string {
  const version = previous ? parseMetadataVersion(previous) + 1 : 0;
  const name = `${String(Math.max(version, 0)).padStart(5, "0")}-${randomUUID()}.metadata.json`;
  const dir =
    md.properties["write.metadata.path"]?.replace(/\/+$/, "") ?? joinLocation(md.location, "metadata");
  return joinLocation(dir, name);
}

/** Writes a new view metadata file with a conditional create. @throws AlreadyExistsError if taken. */
export async function writeViewMetadata(io: FileIO, location: string, md: ViewMetadata): Promise<void> {
  let bytes: Uint8Array = new TextEncoder().encode(serializeViewMetadata(md));
  if (location.endsWith(".gz.metadata.json")) bytes = gzipSync(bytes);
  await io.write(location, bytes, { ifNotExists: true });
}
