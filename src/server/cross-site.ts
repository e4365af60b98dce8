/**
 * Cross-site protection of `aichemy serve`: a web page the user visits must not be able to
 * drive the lakehouse on their machine. Applied to every request before the routes:
 *
 * 1. **Host** (DNS rebinding): the `Host` header must be a name of this server: the loopback
 *    names `localhost`, `127.0.0.1`, `[::1]` (any port), the address it is bound to, and the
 *    configured server names (`--server-name`, `AICHEMY_SERVER_NAMES`; `*` turns the check
 *    off). A rebound `evil.example` that resolves to 127.0.0.1 is refused, so the page cannot
 *    read answers either. `GET /health` is exempt (load balancers and Kubernetes probes send
 *    the pod address; it answers `{"status":"ok"}` only).
 * 2. **Origin** and **Sec-Fetch-Site** (Fetch Metadata): a request whose `Origin` is not this
 *    server's own origin nor a configured CORS origin (`null` included), or whose
 *    `Sec-Fetch-Site` is `cross-site`, is refused. Browsers send `Origin` on every
 *    cross-origin request and every POST; non-browser clients (Iceberg Java, PyIceberg, Node
 *    `fetch`, iceberg-js under Node, curl) send neither header, so they are unaffected.
 * 3. **Media type**: a POST, PUT, PATCH or DELETE with a body must say `Content-Type:
 *    application/json` (parameters such as `charset` allowed): an HTML form or a no-cors
 *    `fetch` can only send `text/plain`, `application/x-www-form-urlencoded` and
 *    `multipart/form-data` without a CORS preflight. The OAuth2 token endpoint takes RFC
 *    6749's form encoding instead and checks it itself (`rest/token-endpoint.ts`).
 * 4. **CORS** only when configured (`--cors-origin https://app.example.com`, repeatable):
 *    preflights from those origins are answered, responses to them carry
 *    `Access-Control-Allow-Origin`; preflights from any other origin are refused.
 *
 * Refusals are `IcebergErrorResponse`s: 403 `ForbiddenException` (Host, Origin,
 * Sec-Fetch-Site, a preflight from an unknown origin) and 415 `UnsupportedMediaTypeException`.
 * See OWASP "Cross-Site Request Forgery Prevention Cheat Sheet" (Fetch Metadata, Origin
 * verification) and the W3C "Fetch Metadata Request Headers".
 */
import type { MiddlewareHandler } from "hono";
import { ForbiddenError, UnsupportedMediaTypeError, ValidationError } from "../errors.js";
import { errorResponse } from "./rest/http-kit.js";

/** Options of {@link crossSiteProtection}. */
export interface CrossSiteOptions {
  /**
   * Host names (as in the `Host` header: `name`, `name:port`, `[v6]`, `[v6]:port`) the server
   * answers besides the loopback names; a name without port matches any port; `*` accepts any
   * `Host`. Default: none beyond {@link LOOPBACK_SERVER_NAMES} (see {@link serverNamesFor}).
   */
  readonly serverNames?: readonly string[] | undefined;
  /** Origins allowed to call the server from a browser (`https://app.example.com`). Default none. */
  readonly corsOrigins?: readonly string[] | undefined;
}

/** Names always accepted in `Host`: loopback, which DNS rebinding cannot make an attacker's. */
export const LOOPBACK_SERVER_NAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** Paths whose body media type is checked by the route itself (the OAuth2 form endpoint). */
const OWN_MEDIA_TYPE_PATHS = new Set(["/v1/oauth/tokens"]);

/** Headers a configured CORS origin may send (REST catalog and query API clients). */
const CORS_ALLOWED_HEADERS =
  "authorization, content-type, idempotency-key, if-none-match, x-iceberg-access-delegation, x-client-version, x-client-git-commit-short";

/** A parsed server name: lower-case host (IPv6 in brackets) and port ("" = any). */
interface ServerName {
  readonly hostname: string;
  readonly port: string;
}

/**
 * Parses a server name (`lake.example.com`, `lake.example.com:8443`, `10.0.0.5`, `[::1]`,
 * `::1`, or `*`).
 * @throws ValidationError naming the value when it is not a host name with an optional port
 */
export function parseServerName(text: string): ServerName {
  const t = text.trim();
  if (t === "*") return { hostname: "*", port: "" };
  // A bare IPv6 address (several colons, no brackets) gets its brackets.
  const withBrackets = !t.startsWith("[") && (t.match(/:/g)?.length ?? 0) > 1 ? `[${t}]` : t;
  let url: URL;
  try {
    url = new URL(`http://${withBrackets}`);
  } catch {
    throw new ValidationError(`server name ${JSON.stringify(text)} is not a host name or address`);
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password || t === "")
    throw new ValidationError(
      `server name ${JSON.stringify(text)} must be a host name with an optional port, e.g. lake.example.com or lake.example.com:8181`,
    );
  return { hostname: url.hostname, port: url.port };
}

/**
 * Normalizes a CORS origin (`https://app.example.com`, `http://localhost:3000`).
 * @throws ValidationError when it is not exactly `scheme://host[:port]`
 */
export function parseCorsOrigin(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    text.replace(/\/$/, "") !== url.origin
  )
    throw new ValidationError(
      `CORS origin ${JSON.stringify(text)} must be scheme://host[:port] without a path, e.g. https://app.example.com`,
    );
  return url.origin;
}

/**
 * The server names of a server bound to `bindHost`: the configured ones plus the bind
 * address itself unless it is a wildcard (`0.0.0.0`, `::`), where only configured names
 * (and loopback) can tell which `Host` values are the server's.
 */
export function serverNamesFor(bindHost: string, configured: readonly string[] = []): string[] {
  const wildcard = bindHost === "" || bindHost === "0.0.0.0" || bindHost === "::" || bindHost === "[::]";
  return wildcard ? [...configured] : [...configured, bindHost];
}

/** Whether a bind address accepts connections on every interface. */
export function isWildcardAddress(host: string): boolean {
  return serverNamesFor(host).length === 0;
}

/** The media type of a `Content-Type` value, lower-case without parameters. */
function mediaType(contentType: string): string {
  return contentType.split(";")[0]!.trim().toLowerCase();
}

/** Whether a request carries a body (declared length above zero, or chunked). */
function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  return headers.has("transfer-encoding") || (length !== null && length.trim() !== "0");
}

/**
 * The middleware: Host, Origin, Sec-Fetch-Site and body media type checks, and CORS for the
 * configured origins (see the module documentation).
 * @throws ValidationError at creation for a malformed server name or CORS origin
 */
export function crossSiteProtection(opts: CrossSiteOptions = {}): MiddlewareHandler {
  const configured = (opts.serverNames ?? []).map(parseServerName);
  const anyHost = configured.some((n) => n.hostname === "*");
  const names = [...LOOPBACK_SERVER_NAMES.map(parseServerName), ...configured];
  const corsOrigins = new Set((opts.corsOrigins ?? []).map(parseCorsOrigin));

  const knownHost = (url: URL) =>
    anyHost || names.some((n) => n.hostname === url.hostname && (n.port === "" || n.port === url.port));

  return async (c, next) => {
    const url = new URL(c.req.url);
    const method = c.req.method;
    if ((method === "GET" || method === "HEAD") && url.pathname === "/health") return next();

    if (!knownHost(url))
      return errorResponse(
        new ForbiddenError(
          `Host ${JSON.stringify(url.host)} is not a name of this server (DNS rebinding protection): start it with --server-name ${url.hostname} (env AICHEMY_SERVER_NAMES) to serve that name, or --server-name '*' to accept any Host`,
        ),
      );

    const origin = c.req.header("origin");
    const corsAllowed = origin !== undefined && corsOrigins.has(origin);
    if (method === "OPTIONS" && origin !== undefined && c.req.header("access-control-request-method")) {
      if (!corsAllowed)
        return errorResponse(
          new ForbiddenError(
            `CORS preflight from origin ${origin} refused: that origin is not configured (--cors-origin)`,
          ),
        );
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": "GET, HEAD, POST, DELETE",
          "access-control-allow-headers": CORS_ALLOWED_HEADERS,
          "access-control-max-age": "600",
          vary: "Origin",
        },
      });
    }
    if (origin !== undefined && !corsAllowed && !sameOrigin(origin, url))
      return errorResponse(
        new ForbiddenError(
          `cross-origin request from ${origin} refused: only this server's own origin${corsOrigins.size > 0 ? " and the configured CORS origins are" : " is"} allowed (--cors-origin to allow a web application)`,
        ),
      );
    if (c.req.header("sec-fetch-site") === "cross-site" && !corsAllowed)
      return errorResponse(
        new ForbiddenError(
          "cross-site request refused (Sec-Fetch-Site: cross-site): --cors-origin allows a web application",
        ),
      );

    if (
      (method === "POST" || method === "PUT" || method === "PATCH" || method === "DELETE") &&
      !OWN_MEDIA_TYPE_PATHS.has(url.pathname)
    ) {
      const contentType = c.req.header("content-type");
      const type = contentType === undefined ? undefined : mediaType(contentType);
      if (type === undefined ? hasBody(c.req.raw.headers) : type !== "application/json")
        return errorResponse(
          new UnsupportedMediaTypeError(
            `${method} ${url.pathname} takes a body of Content-Type application/json, got ${contentType === undefined ? "a body without Content-Type" : JSON.stringify(contentType)}`,
          ),
        );
    }

    await next();
    if (corsAllowed) {
      c.header("access-control-allow-origin", origin);
      c.header("access-control-expose-headers", "ETag");
      c.header("vary", "Origin", { append: true });
    }
  };
}

/** Whether `origin` is the request's own origin: same host and port as its `Host` header. */
function sameOrigin(origin: string, url: URL): boolean {
  try {
    const o = new URL(origin);
    return o.host === url.host && (o.protocol === "http:" || o.protocol === "https:");
  } catch {
    return false; // `null` (sandboxed frames, file: pages) and anything unparsable
  }
}
