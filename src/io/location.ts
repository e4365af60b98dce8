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
  const uri = /^file:(?:\/\/([^/]*))?(.*)$/is.exec(location);
  if (uri) {
    // file:/a, file:///a and file://localhost/a (any case) are all /a. Another host is read as
    // the first directory (file://data/x is /data/x), as tables written by some tools mean it.
    const host = uri[1] ?? "";
    const path = host === "" || host.toLowerCase() === "localhost" ? uri[2]! : `/${host}${uri[2]!}`;
    return fileURLToPath(`file:///${path.replace(/^\/+/, "")}`);
  }
  if (hasScheme(location)) throw new TypeError(`not a local location: ${location}`);
  return base ? resolve(base, location) : resolve(location);
}

/**
 * The path of an absolute URI exactly as written: no percent-decoding and no removal of `.`
 * or `..` segments (which `new URL()` does). Empty when the URI has none.
 */
export function rawUriPath(uri: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(uri)?.[1] ?? "";
}

/**
 * Percent-encodes a URI component keeping only RFC 3986 unreserved characters
 * (`encodeURIComponent` leaves `!'()*`): the form SigV4 canonical requests use.
 */
export function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
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

/** A location in a form where equal places compare equal: no `file:` scheme, no leading `./`, no trailing `/`. */
function comparable(location: string): string {
  return location
    .replace(/^file:\/*/, "/")
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "");
}

/**
 * Resolves locations of a table whose files moved after they were written (a table copied
 * from another machine, or written with paths relative to some other root), given the
 * location recorded in its metadata and where it is now. A location is rewritten when it is
 * (1) under the recorded table location, (2) under the recorded root that the recorded and
 * actual locations share a path suffix below (so files beside the table move too), or
 * (3) a relative path that names the table's directory (`data/persistent/<table>/...`).
 * Anything else is returned unchanged.
 */
export class Relocator {
  readonly recorded: string;
  readonly actual: string;
  readonly #rootFrom: string | undefined;
  readonly #rootTo: string | undefined;
  readonly #anchor: string;
  readonly #plainTarget: boolean;

  constructor(recorded: string, actual: string) {
    this.recorded = comparable(recorded);
    this.actual = actual.replace(/\/+$/, "");
    const a = this.recorded.split("/");
    const b = comparable(actual).split("/");
    let n = 0;
    while (n < a.length - 1 && n < b.length - 1 && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
    if (n > 0) {
      this.#rootFrom = a.slice(0, a.length - n).join("/");
      this.#rootTo = this.actual
        .split("/")
        .slice(0, this.actual.split("/").length - n)
        .join("/");
    }
    this.#anchor = b[b.length - 1] ?? "";
    this.#plainTarget = !hasScheme(this.actual);
  }

  /** A `file:` URI mapped onto a plain path must be percent-decoded. */
  #decodeIfNeeded(location: string, c: string): string {
    if (!this.#plainTarget || !location.startsWith("file:")) return c;
    try {
      return decodeURIComponent(c);
    } catch {
      return c;
    }
  }

  /** Where `location` is stored now. */
  resolve(location: string): string {
    const c = this.#decodeIfNeeded(location, comparable(location));
    if (c === this.recorded) return this.actual;
    if (c.startsWith(`${this.recorded}/`)) return this.actual + c.slice(this.recorded.length);
    if (this.#rootFrom !== undefined && this.#rootTo !== undefined && c.startsWith(`${this.#rootFrom}/`)) {
      return this.#rootTo + c.slice(this.#rootFrom.length);
    }
    if (!hasScheme(location) && !location.startsWith("/") && this.#anchor) {
      const parts = c.split("/");
      const i = parts.indexOf(this.#anchor);
      if (i >= 0) return [this.actual, ...parts.slice(i + 1)].join("/");
    }
    return location;
  }
}
