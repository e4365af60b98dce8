/**
 * What an S3 request would touch, read from its URI, method and body, for remote signing
 * (REST spec `RemoteSignRequest`): a catalog signs a request with its own credentials only
 * when everything it touches lies under the table's location and the caller's privilege
 * allows the operation. Anything the parser does not understand is refused, never guessed.
 *
 * Keys are compared after one percent-decoding of the path (what the store will do) and
 * must lie below `<table prefix>/`; `.` and `..` segments (raw or encoded) are refused, as
 * are query parameters outside the object, multipart and listing APIs (`?acl`, `?policy` ...).
 */
import { ForbiddenError, ValidationError } from "../errors.js";
import { rawUriPath } from "./location.js";
import type { StoragePrivilege } from "./s3-session-policy.js";

/** The store a catalog signs for: its endpoint (path-style or virtual-host) or AWS by region. */
export interface S3Endpoint {
  /** Endpoint URL (default: AWS S3 of `region`). */
  readonly endpoint?: string | undefined;
  readonly region: string;
}

/** What one S3 request touches. */
export interface S3RequestTarget {
  readonly bucket: string;
  /** Object keys the request reads or writes (one, or the keys of a DeleteObjects body). */
  readonly keys: readonly string[];
  /** Key prefix of a listing. */
  readonly listPrefix?: string | undefined;
  /** Whether the request changes anything. */
  readonly write: boolean;
}

/** Query parameters of the object, multipart-upload and listing APIs. */
const ALLOWED_QUERY = new Set([
  "x-id",
  "list-type",
  "prefix",
  "delimiter",
  "continuation-token",
  "start-after",
  "max-keys",
  "encoding-type",
  "fetch-owner",
  "marker",
  "uploads",
  "uploadId",
  "partNumber",
  "delete",
  "location",
  "versionId",
]);

const READ_METHODS = new Set(["GET", "HEAD"]);

function hostsOf(ep: S3Endpoint): string[] {
  if (ep.endpoint) return [new URL(ep.endpoint).host.toLowerCase()];
  return [`s3.${ep.region}.amazonaws.com`, "s3.amazonaws.com"];
}

function decodeKey(raw: string, uri: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError(`malformed percent-encoding in the path of ${uri}`);
  }
}

/** Keys of a DeleteObjects XML body (`<Key>` elements, XML entities decoded). */
function deleteObjectsKeys(body: string): string[] {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return [...body.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) =>
    m[1]!.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
      e.startsWith("#x")
        ? String.fromCodePoint(Number.parseInt(e.slice(2), 16))
        : e.startsWith("#")
          ? String.fromCodePoint(Number(e.slice(1)))
          : entities[e]!,
    ),
  );
}

/**
 * Parses the target of an S3 request addressed to `ep`, path-style (`host/bucket/key`) or
 * virtual-host style (`bucket.host/key`).
 * @throws ValidationError for a URI that is not a request to that store, or that the parser
 * cannot account for (unknown query parameters, dot segments, a DeleteObjects body missing).
 */
export function s3RequestTarget(
  req: { readonly uri: string; readonly method: string; readonly body?: string | undefined },
  ep: S3Endpoint,
): S3RequestTarget {
  let url: URL;
  try {
    url = new URL(req.uri);
  } catch {
    throw new ValidationError(`not a URL: ${req.uri}`);
  }
  const rawPath = rawUriPath(req.uri);
  if (rawPath.split("/").some((s) => /^(\.|%2e){1,2}$/i.test(s)))
    throw new ValidationError(`dot segments are not allowed in ${req.uri}`);
  for (const k of url.searchParams.keys())
    if (!ALLOWED_QUERY.has(k) && !k.startsWith("response-"))
      throw new ValidationError(`query parameter ${JSON.stringify(k)} is not signed (${req.uri})`);
  const host = url.host.toLowerCase();
  const hosts = hostsOf(ep);
  let bucket: string;
  let keyPath: string;
  if (hosts.includes(host)) {
    const parts = rawPath.replace(/^\//, "").split("/");
    bucket = decodeKey(parts[0] ?? "", req.uri);
    keyPath = parts.slice(1).join("/");
  } else {
    const base = hosts.find((h) => host.endsWith(`.${h}`));
    if (!base)
      throw new ValidationError(`${req.uri} is not a request to the catalog's storage (${hosts.join(", ")})`);
    bucket = host.slice(0, host.length - base.length - 1);
    keyPath = rawPath.replace(/^\//, "");
  }
  if (!bucket) throw new ValidationError(`no bucket in ${req.uri}`);
  const method = req.method.toUpperCase();
  const key = decodeKey(keyPath, req.uri);
  if (key.split("/").some((s) => s === "." || s === ".."))
    throw new ValidationError(`dot segments are not allowed in ${req.uri}`);
  if (key !== "") return { bucket, keys: [key], write: !READ_METHODS.has(method) };
  // Bucket-level requests: listings, DeleteObjects, location.
  if (method === "POST" && url.searchParams.has("delete")) {
    if (req.body === undefined)
      throw new ValidationError(`a DeleteObjects request must carry its body (${req.uri})`);
    return { bucket, keys: deleteObjectsKeys(req.body), write: true };
  }
  if (READ_METHODS.has(method) && url.searchParams.has("location")) return { bucket, keys: [], write: false };
  if (method === "GET") {
    const prefix = url.searchParams.get("prefix");
    if (prefix === null)
      throw new ValidationError(`a listing must name a prefix under the table (${req.uri})`);
    return { bucket, keys: [], listPrefix: prefix, write: false };
  }
  throw new ValidationError(`${method} on bucket ${bucket} is not signed (${req.uri})`);
}

/**
 * Checks that a request stays inside a table: same bucket, every key and any listing prefix
 * below `<prefix>/`, and no write under read privilege.
 * @throws ForbiddenError naming the key or operation that is out of scope.
 */
export function checkRequestScope(
  target: S3RequestTarget,
  table: { readonly bucket: string; readonly prefix: string },
  privilege: StoragePrivilege,
): void {
  const prefix = table.prefix.replace(/\/+$/, "");
  if (target.write && privilege !== "write")
    throw new ForbiddenError("read-only access: writes are not signed");
  if (target.bucket !== table.bucket)
    throw new ForbiddenError(
      `bucket ${target.bucket} is outside the table's location (bucket ${table.bucket})`,
    );
  for (const k of target.keys)
    if (!k.startsWith(`${prefix}/`))
      throw new ForbiddenError(`key ${JSON.stringify(k)} is outside the table's location ${prefix}/`);
  // A listing of `prefix` itself would also list `prefix2/...` of a sibling table.
  if (target.listPrefix !== undefined && !target.listPrefix.startsWith(`${prefix}/`))
    throw new ForbiddenError(
      `listing prefix ${JSON.stringify(target.listPrefix)} is outside the table's location ${prefix}/`,
    );
}
