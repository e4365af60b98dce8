/**
 * Reading and writing table metadata files (Iceberg spec "Table Metadata", "Metastore
 * Tables" naming `<V>-<uuid>.metadata.json`, Appendix F gzip naming `.gz.metadata.json`).
 */
import { randomUUID } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { FileIO } from "../io/file-io.js";
import { joinLocation } from "../io/location.js";
import { parseTableMetadata, serializeTableMetadata } from "../spec/codec/table-metadata-json.js";
import type { TableMetadata } from "../spec/table-metadata.js";

/**
 * Reads a metadata file (plain or gzip, detected by magic bytes).
 * @throws NotFoundError when missing; an Error naming the location when it does not parse.
 */
export async function readTableMetadata(io: FileIO, location: string): Promise<TableMetadata> {
  const text = await readTableMetadataText(io, location);
  try {
    return parseTableMetadata(text);
  } catch (e) {
    throw new Error(`cannot read table metadata ${location}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The JSON text of a metadata file (plain or gzip, detected by magic bytes).
 * @throws NotFoundError when missing
 */
export async function readTableMetadataText(io: FileIO, location: string): Promise<string> {
  const raw = await io.read(location);
  const bytes = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  return new TextDecoder().decode(bytes);
}

/** The version number in a metadata file name (`00003-<uuid>.metadata.json` or `v3.metadata.json`), or -1. */
export function parseMetadataVersion(location: string): number {
  const name = location.slice(location.lastIndexOf("/") + 1);
  const m = /^v?(\d+)[-.]/.exec(name);
  return m ? Number(m[1]) : -1;
}

/** Base location of metadata files: `write.metadata.path` or `<table>/metadata`. */
export function metadataDir(md: TableMetadata): string {
  return md.properties["write.metadata.path"]?.replace(/\/+$/, "") ?? joinLocation(md.location, "metadata");
}

/** The location of the next metadata file after `previous` (none for a new table). */
export function newMetadataLocation(md: TableMetadata, previous?: string): string {
  const version = previous ? parseMetadataVersion(previous) + 1 : 0;
  const gzip = (md.properties["write.metadata.compression-codec"] ?? "none").toLowerCase() === "gzip";
  const name = `${String(Math.max(version, 0)).padStart(5, "0")}-${randomUUID()}${gzip ? ".gz" : ""}.metadata.json`;
  return joinLocation(metadataDir(md), name);
}

/** JSON text of recently written metadata files, by location (files are immutable). */
const writtenText = new Map<string, string>();
const WRITTEN_TEXT_MAX = 8;

/**
 * The JSON text of a metadata file this process wrote recently, or undefined: lets a
 * server answer a commit with the text it just wrote instead of serializing it again.
 */
export function recentMetadataText(location: string): string | undefined {
  return writtenText.get(location);
}

/**
 * Writes a new metadata file with a conditional create (never overwrites).
 * @throws AlreadyExistsError if the location is taken.
 */
export async function writeTableMetadata(io: FileIO, location: string, md: TableMetadata): Promise<void> {
  const text = serializeTableMetadata(md);
  let bytes: Uint8Array = new TextEncoder().encode(text);
  if (location.endsWith(".gz.metadata.json") || location.endsWith(".metadata.json.gz"))
    bytes = gzipSync(bytes);
  await io.write(location, bytes, { ifNotExists: true });
  if (writtenText.size >= WRITTEN_TEXT_MAX) writtenText.delete(writtenText.keys().next().value as string);
  writtenText.set(location, text);
}
