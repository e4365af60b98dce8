/**
 * The one check of where a catalog may put files: every table, view and namespace location,
 * every write-path table property, every registered metadata file and every file a purge
 * deletes must lie inside the warehouse root. Locations are normalised the way the FileIO
 * will use them before they are compared (issue 9, "Locations escape the warehouse"):
 *
 * - `file:` URIs (`file:/x`, `file:///x`, `file://localhost/x`, any case of scheme and host)
 *   are percent-decoded, as `fileURLToPath` decodes them; plain absolute paths are taken
 *   literally (LocalFileIO never decodes them), so `/wh%2fdb` is not `/wh/db`;
 * - `s3://`, `s3a://`, `s3n://` name the same objects: same bucket (case-sensitive, as S3
 *   is), keys as written (S3 keys are never decoded);
 * - other schemes (`gs://`, `hdfs://` ...) compare by lower-case scheme and authority;
 * - duplicate `/` collapse in local paths (POSIX does); in object keys they are kept (`wh//x`
 *   and `wh/x` are different keys);
 * - the boundary is a whole segment: `wh2` is not inside `wh`.
 *
 * Refused outright, whatever the warehouse (never "normalised away", so no reader can decode
 * its way out): `.` or `..` segments, raw or percent-encoded (`%2e%2e`, `.%2E` ...); an
 * encoded `/` or `\` (`%2f`, `%5c`) or a raw `\` (URL parsers turn it into `/`); NUL and
 * other control characters, raw or encoded (URL parsers drop tabs and newlines); malformed
 * percent-encoding, `?` or `#` in URIs other than S3 (they are decoded, or end the path; S3
 * keys may hold them and are used as written); `file:` URIs naming a host; relative paths
 * (the server's working directory is no place anyone meant); names longer than a file system
 * allows (a local segment over 255 bytes, NAME_MAX; a local path over 4095 bytes, PATH_MAX
 * on Linux; an S3 key over 1024 bytes): no file could ever be written there. Symlinks are not
 * followed: the comparison is on the normalised text.
 */
import { ValidationError } from "../errors.js";
import { S3_SCHEMES } from "./s3-location.js";

/** A location in the form where equal places compare equal. */
export interface CanonicalLocation {
  /** `file` for `file:` URIs and plain paths, `s3` for `s3`/`s3a`/`s3n`, else the scheme in lower case. */
  readonly scheme: string;
  /** The bucket for S3 (as written), the lower-case authority for other URIs, empty for local files. */
  readonly authority: string;
  /**
   * Path segments: for local files the file system path's names (decoded for `file:` URIs,
   * literal for plain paths; empty segments dropped); for object stores the key's segments as
   * written (inner empty segments kept, trailing ones dropped).
   */
  readonly segments: readonly string[];
}

/** The result of parsing a location: its canonical form, or why it is refused. */
export type ParsedLocation =
  | { readonly ok: true; readonly location: CanonicalLocation }
  | { readonly ok: false; readonly reason: string };

/** Where a location lies relative to a warehouse root (see {@link LocationPolicy.verdict}). */
export type LocationVerdict =
  | { readonly kind: "inside" }
  | { readonly kind: "outside" }
  | { readonly kind: "refused"; readonly reason: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;
// Bucket naming rules (AWS "Bucket naming rules"), as `parseS3Location` applies them.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const refuse = (reason: string): ParsedLocation => ({ ok: false, reason });

/** Longest local file name (NAME_MAX), path (PATH_MAX on Linux, less the NUL) and S3 key, in bytes. */
const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 4095;
const MAX_S3_KEY_BYTES = 1024;

/** A canonical location, or the refusal of one no file system or store could hold. */
function sized(location: CanonicalLocation): ParsedLocation {
  if (location.scheme === "file") {
    const long = location.segments.find((s) => Buffer.byteLength(s) > MAX_NAME_BYTES);
    if (long !== undefined)
      return refuse(
        `has a name of ${Buffer.byteLength(long)} bytes (${JSON.stringify(long.slice(0, 20))}...): file systems allow ${MAX_NAME_BYTES}`,
      );
    const bytes = Buffer.byteLength(`/${location.segments.join("/")}`);
    if (bytes > MAX_PATH_BYTES)
      return refuse(`is a path of ${bytes} bytes: file systems allow ${MAX_PATH_BYTES}`);
  } else if (location.scheme === "s3") {
    const bytes = Buffer.byteLength(location.segments.join("/"));
    if (bytes > MAX_S3_KEY_BYTES) return refuse(`has a key of ${bytes} bytes: S3 allows ${MAX_S3_KEY_BYTES}`);
  }
  return { ok: true, location };
}

/** `U+000A` style name of a character. */
const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Checks one raw path segment, and returns it decoded (for `file:` URIs) or as written, or
 * a refusal reason. Only ASCII escapes matter for the checks; `strictPercent` refuses a `%`
 * that starts no escape (URIs whose paths are decoded); `decodeAll` also requires the whole
 * segment to be valid percent-encoded UTF-8 (what `fileURLToPath` will decode).
 */
function checkSegment(
  raw: string,
  strictPercent: boolean,
  decodeAll: boolean,
): { value: string } | { reason: string } {
  if (raw === "." || raw === "..") return { reason: `contains a '${raw}' segment` };
  if (raw.includes("\\")) return { reason: "contains a '\\' (URL parsers read it as '/')" };
  if (strictPercent && /%(?![0-9A-Fa-f]{2})/.test(raw))
    return { reason: `has a malformed percent-encoding in segment ${JSON.stringify(raw)}` };
  const ascii = raw.replace(/%([0-7][0-9A-Fa-f])/g, (_m, h: string) =>
    String.fromCharCode(Number.parseInt(h, 16)),
  );
  if (ascii !== raw) {
    if (ascii === "." || ascii === "..")
      return { reason: `contains an encoded dot segment ${JSON.stringify(raw)} (it means '${ascii}')` };
    if (ascii.includes("/")) return { reason: `contains an encoded '/' in segment ${JSON.stringify(raw)}` };
    if (ascii.includes("\\")) return { reason: `contains an encoded '\\' in segment ${JSON.stringify(raw)}` };
    const c = CONTROL.exec(ascii)?.[0];
    if (c !== undefined)
      return {
        reason: `contains an encoded control character ${codePoint(c)} in segment ${JSON.stringify(raw)}`,
      };
  }
  if (!decodeAll) return { value: raw };
  try {
    return { value: decodeURIComponent(raw) };
  } catch {
    return { reason: `has a percent-encoding that is not UTF-8 in segment ${JSON.stringify(raw)}` };
  }
}

/** Checks and canonicalises the segments of a path (see {@link CanonicalLocation.segments}). */
function segmentsOf(
  path: string,
  opts: { strictPercent: boolean; decode: boolean; keepEmpty: boolean },
): { segments: string[] } | { reason: string } {
  const out: string[] = [];
  for (const raw of path.split("/")) {
    const r = checkSegment(raw, opts.strictPercent, opts.decode);
    if ("reason" in r) return r;
    if (r.value !== "" || opts.keepEmpty) out.push(r.value);
  }
  if (opts.keepEmpty) {
    if (out[0] === "") out.shift(); // the `/` that starts the path
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
  }
  return { segments: out };
}

/**
 * Parses and checks a location (see the module doc for the rules).
 * @returns the canonical form, or `{ ok: false, reason }` with a reason such as
 * `contains an encoded dot segment "%2e%2e" (it means '..')`; never throws
 */
export function parseLocation(location: string): ParsedLocation {
  if (typeof location !== "string" || location === "") return refuse("is empty");
  const c = CONTROL.exec(location)?.[0];
  if (c !== undefined) return refuse(`contains the control character ${codePoint(c)}`);
  const m = SCHEME.exec(location);
  if (!m) {
    if (!location.startsWith("/"))
      return refuse("is a relative path (give an absolute path or a URI such as file:///path)");
    const s = segmentsOf(location, { strictPercent: false, decode: false, keepEmpty: false });
    return "reason" in s ? refuse(s.reason) : sized({ scheme: "file", authority: "", segments: s.segments });
  }
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  const s3 = S3_SCHEMES.includes(scheme);
  // S3 keys are taken as written ('?', '#' and '%' are key characters); other URIs are parsed.
  if (!s3 && /[?#]/.test(rest)) return refuse("contains '?' or '#' (they end the path of a URI)");
  if (scheme === "file") {
    let path = rest;
    if (rest.startsWith("//")) {
      const end = rest.indexOf("/", 2);
      const host = rest.slice(2, end < 0 ? undefined : end);
      if (host !== "" && host.toLowerCase() !== "localhost")
        return refuse(`names the host ${JSON.stringify(host)} (file: locations are local: file:///path)`);
      path = end < 0 ? "/" : rest.slice(end);
    }
    if (!path.startsWith("/")) return refuse("is a relative file: URI (give file:///absolute/path)");
    const s = segmentsOf(path, { strictPercent: true, decode: true, keepEmpty: false });
    return "reason" in s ? refuse(s.reason) : sized({ scheme: "file", authority: "", segments: s.segments });
  }
  if (!rest.startsWith("//")) return refuse(`has no authority (expected ${scheme}://bucket-or-host/path)`);
  const end = rest.indexOf("/", 2);
  const authority = rest.slice(2, end < 0 ? undefined : end);
  const path = end < 0 ? "" : rest.slice(end);
  if (s3 && !BUCKET.test(authority))
    return refuse(`has an invalid S3 bucket name ${JSON.stringify(authority)}`);
  if (!s3 && authority === "") return refuse(`has no authority (expected ${scheme}://host/path)`);
  const ah = checkSegment(authority, true, false);
  if ("reason" in ah) return refuse(ah.reason);
  const s = segmentsOf(path, { strictPercent: !s3, decode: false, keepEmpty: true });
  if ("reason" in s) return refuse(s.reason);
  return sized({
    scheme: s3 ? "s3" : scheme,
    authority: s3 ? authority : authority.toLowerCase(),
    segments: s.segments,
  });
}

/** Whether canonical `location` is `root` or below it (whole segments). */
export function isWithin(root: CanonicalLocation, location: CanonicalLocation): boolean {
  return (
    root.scheme === location.scheme &&
    root.authority === location.authority &&
    location.segments.length >= root.segments.length &&
    root.segments.every((s, i) => location.segments[i] === s)
  );
}

/**
 * The usual spellings of the place canonical `location` names, as catalogs store locations as
 * written: a local directory as `/p`, `file:/p`, `file:///p` (raw and percent-encoded) and
 * `file://localhost/p`; an S3 key under `s3://`, `s3a://` and `s3n://`; other URIs as
 * `scheme://authority/path`. No trailing `/`. Used to find stored locations by text prefix.
 */
export function spellingsOf(location: CanonicalLocation): string[] {
  const path = location.segments.join("/");
  if (location.scheme === "file") {
    const encoded = location.segments.map((seg) => encodeURIComponent(seg)).join("/");
    return [
      ...new Set([
        `/${path}`,
        `file:/${path}`,
        `file:///${path}`,
        `file:///${encoded}`,
        `file://localhost/${path}`,
      ]),
    ];
  }
  const tail = path === "" ? "" : `/${path}`;
  const schemes = location.scheme === "s3" ? S3_SCHEMES : [location.scheme];
  return schemes.map((scheme) => `${scheme}://${location.authority}${tail}`);
}

/**
 * The location check of one warehouse: whether a location is inside its root, and the
 * ValidationError (REST 400 `BadRequestException`) that names the field when it is not.
 */
export class LocationPolicy {
  /** The warehouse root as configured (trailing `/` removed). */
  readonly warehouse: string;
  readonly #root: CanonicalLocation;

  /**
   * @param warehouse the warehouse root: a URI (`file:///data/wh`, `s3://bucket/wh`) or an
   * absolute path
   * @throws ValidationError when the root itself is refused (e.g. relative, or with `..`)
   */
  constructor(warehouse: string) {
    this.warehouse = warehouse.replace(/\/+$/, "");
    const parsed = parseLocation(warehouse);
    if (!parsed.ok)
      throw new ValidationError(`warehouse location ${JSON.stringify(warehouse)} ${parsed.reason}`);
    this.#root = parsed.location;
  }

  /** Inside, outside, or refused (with the reason) for this warehouse. */
  verdict(location: string): LocationVerdict {
    const parsed = parseLocation(location);
    if (!parsed.ok) return { kind: "refused", reason: parsed.reason };
    return { kind: isWithin(this.#root, parsed.location) ? "inside" : "outside" };
  }

  /** Whether `location` is the warehouse root or inside it (false when refused). */
  allows(location: string): boolean {
    return this.verdict(location).kind === "inside";
  }

  /**
   * Requires `location` to be inside the warehouse.
   * @param field what the location is, as the caller's input names it: `location`,
   * `properties.write.data.path`, `updates[0].location`, `metadata-location` ...
   * @throws ValidationError `<field> "<location>" is outside the warehouse <root>` or
   * `<field> "<location>" is refused: <reason> ...`
   */
  check(field: string, location: string): void {
    const v = this.verdict(location);
    if (v.kind === "inside") return;
    const shown = JSON.stringify(location);
    if (v.kind === "outside")
      throw new ValidationError(`${field} ${shown} is outside the warehouse ${this.warehouse}`);
    throw new ValidationError(
      `${field} ${shown} is refused: it ${v.reason}; locations must name a place inside the warehouse ${this.warehouse}`,
    );
  }
}
