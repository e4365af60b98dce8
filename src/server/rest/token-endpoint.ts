/**
 * `POST /v1/oauth/tokens` (REST spec `getToken`, deprecated there but still what Iceberg
 * clients call by default): an RFC 6749 token endpoint taking
 * `application/x-www-form-urlencoded` bodies (415 otherwise), answering `OAuthTokenResponse`
 * or an `OAuthError` (`{"error", "error_description"}`).
 *
 * - Failed requests are rate-limited per client id and per remote address (see
 *   `token-rate-limit.ts`): past the limit the answer is 429 with `Retry-After` and error
 *   `slow_down` (the RFC 8628 section 3.5 code for a client that must slow down).
 * - A parameter given twice is an `invalid_request` (RFC 6749 section 3.2).
 * - Every request is audited: one pino line `{"audit": "oauth-token", grantType, clientId,
 *   principal, remoteAddress, outcome, scope}` (outcome `issued`, an OAuth error code, or
 *   `rate_limited`); secrets and tokens are never logged.
 *
 * Cross-site form posts: a web page can make a browser POST a form here (a "simple"
 * request), but nothing comes of it: the endpoint uses no ambient credentials (no cookies;
 * a token needs the client secret or a token in the body), the page cannot read the answer
 * (no CORS unless configured), and a browser's `Origin` header makes `cross-site.ts` refuse
 * it before it gets here. What remains, guessing secrets from many browsers, is what the
 * rate limit is for.
 */
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import type { Logger } from "pino";
import { type Authenticator, OAuthError, tokenRequestClient } from "./auth.js";
import { jsonResponse, readBodyText } from "./http-kit.js";
import { FailureRateLimiter } from "./token-rate-limit.js";

/** Largest token request body, in bytes (a form of a few fields). */
const MAX_TOKEN_BODY_BYTES = 64 * 1024;

/** Options of {@link tokenEndpoint}. */
export interface TokenEndpointOptions {
  readonly auth: Authenticator;
  /** Receives the audit lines. */
  readonly log: Logger;
  /** Failed requests per client id and per remote address per minute (default 10). */
  readonly failuresPerMinute?: number | undefined;
}

/** The remote address of a request ("unknown" in-process, e.g. `app.request()`). */
function remoteAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** A value for an audit line: at most 200 characters. */
const clip = (v: string | undefined) => (v === undefined ? undefined : v.slice(0, 200));

/**
 * The first parameter a form gives more than once: RFC 6749 section 3.2 says request
 * parameters "MUST NOT be included more than once" (which of two `client_id`s, or
 * `scope`s, would be meant?). Undefined when there is none.
 */
export function repeatedParameter(form: URLSearchParams): string | undefined {
  const seen = new Set<string>();
  for (const key of form.keys()) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

/** The Hono handler of the token endpoint. */
export function tokenEndpoint(opts: TokenEndpointOptions): (c: Context) => Promise<Response> {
  const { auth, log } = opts;
  const limiter = new FailureRateLimiter({ maxFailures: opts.failuresPerMinute ?? 10, windowMs: 60_000 });
  const oauthError = (e: OAuthError, headers: Record<string, string> = {}) =>
    jsonResponse(e.status, { error: e.error, error_description: e.message }, headers);

  return async (c) => {
    const audit = {
      audit: "oauth-token",
      remoteAddress: remoteAddress(c),
      grantType: undefined as string | undefined,
      clientId: undefined as string | undefined,
    };
    const contentType = c.req.header("content-type") ?? "";
    if (contentType.split(";")[0]!.trim().toLowerCase() !== "application/x-www-form-urlencoded") {
      log.warn({ ...audit, outcome: "unsupported_media_type" }, "token request refused");
      return oauthError(
        new OAuthError(
          "invalid_request",
          `the token endpoint takes Content-Type application/x-www-form-urlencoded (RFC 6749 section 4.4.2), got ${JSON.stringify(contentType)}`,
          415,
        ),
      );
    }
    const keys = [`address ${audit.remoteAddress}`];
    try {
      const form = new URLSearchParams(await readBodyText(c.req.raw, MAX_TOKEN_BODY_BYTES));
      const repeated = repeatedParameter(form);
      audit.grantType = clip(form.get("grant_type") ?? undefined);
      const authorization = c.req.header("authorization");
      const client = tokenRequestClient(form, authorization);
      audit.clientId = clip(client.id);
      if (client.id !== undefined) keys.push(`client ${client.id}`);
      const retryAfter = limiter.retryAfterSeconds(keys);
      if (retryAfter > 0) {
        log.warn(
          { ...audit, outcome: "rate_limited", retryAfterSeconds: retryAfter },
          "token request refused",
        );
        return oauthError(
          new OAuthError(
            "slow_down",
            `too many failed token requests from this client or address: retry after ${retryAfter} s`,
            429,
          ),
          { "retry-after": String(retryAfter) },
        );
      }
      if (repeated !== undefined)
        throw new OAuthError(
          "invalid_request",
          `parameter ${JSON.stringify(repeated)} is given more than once (RFC 6749 section 3.2)`,
        );
      const issued = await auth.token(form, authorization);
      log.info(
        { ...audit, principal: clip(issued.principal), outcome: "issued", scope: issued.response.scope },
        "token issued",
      );
      return jsonResponse(200, issued.response, { "cache-control": "no-store" });
    } catch (e) {
      const err =
        e instanceof OAuthError ? e : new OAuthError("invalid_request", (e as Error).message ?? String(e));
      limiter.recordFailure(keys);
      log.warn({ ...audit, outcome: err.error }, "token request refused");
      return oauthError(err, { "cache-control": "no-store" });
    }
  };
}
