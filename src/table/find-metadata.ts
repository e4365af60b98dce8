/**
 * Finding the current metadata file of a table directory written elsewhere (Trino's
 * `register_table` without `metadata_file_name`; the file-system table layout of the Iceberg
 * spec, "File System Tables"): `version-hint.text` when present, else the highest version
 * number among `*.metadata.json` files (newest `last-updated-ms` on a tie).
 */
import { NotFoundError } from "../errors.js";
import type { FileIO } from "../io/file-io.js";
import { joinLocation } from "../io/location.js";
import { parseMetadataVersion, readTableMetadata } from "./metadata-io.js";

const METADATA_FILE = /\.metadata\.json(\.gz)?$/;

/**
 * The location of the current metadata file under `<tableLocation>/metadata`.
 * @throws NotFoundError naming the directory when it holds no metadata file.
 */
export async function findCurrentMetadata(io: FileIO, tableLocation: string): Promise<string> {
  const dir = joinLocation(tableLocation, "metadata");
  const files: string[] = [];
  for await (const f of io.list(dir)) {
    const name = f.location.slice(f.location.lastIndexOf("/") + 1);
    if (METADATA_FILE.test(name) && !name.startsWith(".")) files.push(f.location);
  }
  if (files.length === 0) throw new NotFoundError(`No metadata file found in ${dir}`);
  const hint = joinLocation(dir, "version-hint.text");
  if (await io.exists(hint)) {
    const text = new TextDecoder().decode(await io.read(hint)).trim();
    const byName = files.find((f) => f.endsWith(`/${text}`));
    if (byName) return byName;
    if (/^\d+$/.test(text)) {
      const v = Number(text);
      const candidates = files.filter((f) => parseMetadataVersion(f) === v);
      const plain = candidates.find((f) => /\/v\d+\.(gz\.)?metadata\.json(\.gz)?$/.test(f));
      if (plain) return plain;
      if (candidates.length > 0) return newest(io, candidates);
    }
  }
  const max = Math.max(...files.map(parseMetadataVersion));
  return newest(
    io,
    files.filter((f) => parseMetadataVersion(f) === max),
  );
}

async function newest(io: FileIO, files: string[]): Promise<string> {
  if (files.length === 1) return files[0]!;
  let best = files[0]!;
  let bestMs = -1;
  for (const f of files) {
    const md = await readTableMetadata(io, f);
    if (md.lastUpdatedMs > bestMs) {
      bestMs = md.lastUpdatedMs;
      best = f;
    }
  }
  return best;
}
