/**
 * Storage locations: URIs (`file:///x`, `s3://bucket/key`) or plain absolute paths, and
 * relocation of tables whose files moved (Iceberg spec "Paths in Metadata").
 */
import { resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The URI scheme of a location (`s3`, `file` ...), or `file` for a plain path. */
export function schemeOf(location: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(location);
  if (!m || (m[1]!.length === 1 && sep === "\\")) return "file";
  return m[1]!.toLowerCase();
}

/** True when the location carries a URI scheme. */
export function hasScheme(location: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(location);
}

/**
 * The local filesystem path of a `file:` URI or plain path; relative paths resolve against
 * `base` (default: the working directory).
 * @throws TypeError for other schemes.
 */
export function localPathOf(location: string, base?: string): string {
  if (location.startsWith("file:")) {
    // file:/a, file:///a and file://localhost/a are all accepted.
    const normalized = location.replace(/^file:\/*/, "file:///").replace(/^file:\/\/\/localhost\//, "file:///");
    return fileURLToPath(normalized);
  }
  if (hasScheme(location)) throw new TypeError(`not a local location: ${location}`);
  return base ? resolve(base, location) : resolve(location);
}

/** A `file:` URI for a local path (`file:///abs/path`). */
export function fileUri(path: string): string {
  return pathToFileURL(resolve(path)).href;
}

/** Joins location parts with single `/` separators (no normalization of `.` or `..`). */
export function joinLocation(base: string, ...parts: string[]): string {
  let out = base.replace(/\/+$/, "");
  for (const p of parts) out += `/${p.replace(/^\/+/, "")}`;
  return out;
}

/** The parent of a location (everything before the last `/`). */
export function parentLocation(location: string): string {
  const i = location.replace(/\/+$/, "").lastIndexOf("/");
  return i <= 0 ? location : location.slice(0, i);
}

/**
 * A prefix rewrite for tables whose files moved after they were written: locations that
 * start with `from` (the table location recorded in metadata) are read from `to` (where the
 * table is now). Also matches `from` with or without a `file:` scheme.
 */
export interface Relocation {
  readonly from: string;
  readonly to: string;
}

/** Applies a relocation to a location; locations outside `from` are returned unchanged. */
export function relocate(location: string, relocation: Relocation | undefined): string {
  if (!relocation) return location;
  const candidates = [relocation.from];
  const bare = relocation.from.replace(/^file:\/*/, "/");
  if (bare !== relocation.from) candidates.push(bare);
  else if (relocation.from.startsWith("/")) candidates.push(`file:${relocation.from}`, `file://${relocation.from}`);
  for (const c of candidates) {
    if (location === c) return relocation.to;
    if (location.startsWith(`${c}/`)) return relocation.to + location.slice(c.length);
  }
  return location;
}
