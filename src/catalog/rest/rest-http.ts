/**
 * HTTP transport of the REST catalog client: JSON with 64-bit integers, bearer tokens (a
 * static token, or OAuth2 client credentials exchanged at the catalog's token endpoint and
 * renewed before they expire), `Idempotency-Key` on mutations with one retry of the same key
 * after a network failure, and `IcebergErrorResponse` bodies turned back into our error
 * classes (pyiceberg `rest/__init__.py`, Iceberg Java `HTTPClient`).
 */
import { randomBytes } from "node:crypto";
import { CommitStateUnknownError, errorFromRest, NotAuthorizedError, ServerError } from "../../errors.js";
import { parseJson, stringifyJson } from "../../spec/json.js";

/** Connection settings of a REST catalog. */
export interface RestHttpOptions {
  /** Base URI, e.g. `http://localhost:8181` (the `/v1` paths are appended). */
  readonly uri: string;
  /** A bearer token to send as is. */
  readonly token?: string | undefined;
  /** OAuth2 client credentials `client_id:client_secret`. */
  readonly credential?: string | undefined;
  /** Token endpoint (default `<uri>/v1/oauth/tokens`). */
  readonly oauth2ServerUri?: string | undefined;
  /** OAuth2 scope (default `catalog`). */
  readonly scope?: string | undefined;
  /** Request timeout in milliseconds (default 120000). */
  readonly timeoutMs?: number | undefined;
}

/** A request of the client. */
export interface RestRequest {
  readonly query?: Readonly<Record<string, string | undefined>> | undefined;
  readonly body?: unknown;
  /** Send an `Idempotency-Key` (mutations). */
  readonly idempotent?: boolean | undefined;
  /** A commit: 5xx and network failures mean an unknown outcome. */
  readonly commit?: boolean | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, random rest. */
export function uuidv7(): string {
  const b = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The HTTP side of a REST catalog client. */
export class RestHttpClient {
  readonly uri: string;
  /** Responses received, by HTTP status (for diagnostics and tests). */
  readonly statusCounts = new Map<number, number>();
  readonly #opts: RestHttpOptions;
  #token: string | undefined;
  #tokenExpiresAt = Number.POSITIVE_INFINITY;

  constructor(opts: RestHttpOptions) {
    this.uri = opts.uri.replace(/\/+$/, "");
    this.#opts = opts;
    this.#token = opts.token;
  }

  async #authorization(): Promise<string | undefined> {
    if (this.#opts.credential && (this.#token === undefined || Date.now() > this.#tokenExpiresAt - 60_000))
      await this.#fetchToken();
    return this.#token ? `Bearer ${this.#token}` : undefined;
  }

  async #fetchToken(): Promise<void> {
    const cred = this.#opts.credential ?? "";
    const i = cred.indexOf(":");
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: i < 0 ? cred : cred.slice(0, i),
      client_secret: i < 0 ? "" : cred.slice(i + 1),
      scope: this.#opts.scope ?? "catalog",
    });
    const res = await fetch(this.#opts.oauth2ServerUri ?? `${this.uri}/v1/oauth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok || typeof body.access_token !== "string")
      throw new NotAuthorizedError(
        `OAuth2 token request failed (${res.status}): ${String(body.error_description ?? body.error ?? res.statusText)}`,
      );
    this.#token = body.access_token;
    const ttl = typeof body.expires_in === "number" ? body.expires_in : undefined;
    this.#tokenExpiresAt = ttl ? Date.now() + ttl * 1000 : Number.POSITIVE_INFINITY;
  }

  /**
   * Sends a request to `/v1/<path>` (or to `path` itself when it is an absolute http(s) URL,
   * such as a sign endpoint the catalog named) and returns the parsed JSON body (undefined for 204).
   * @throws the error class of the response's REST error type; CommitStateUnknownError for
   * a commit whose outcome is unknown
   */
  async request(method: string, path: string, req: RestRequest = {}): Promise<unknown> {
    const text = await this.requestText(method, path, req);
    return text === "" ? undefined : parseJson(text);
  }

  /**
   * {@link request}, returning the body text of a successful response unparsed ("" for 204).
   * @throws as {@link request}
   */
  async requestText(method: string, path: string, req: RestRequest = {}): Promise<string> {
    const url = new URL(/^https?:\/\//.test(path) ? path : `${this.uri}/v1/${path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const key = req.idempotent ? uuidv7() : undefined;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: "application/json", ...(req.headers ?? {}) };
      const authorization = await this.#authorization();
      if (authorization) headers.authorization = authorization;
      if (key) headers["idempotency-key"] = key;
      if (req.body !== undefined) headers["content-type"] = "application/json";
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: req.body === undefined ? undefined : stringifyJson(req.body),
          signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 120_000),
        });
      } catch (e) {
        // Only a request with an idempotency key is safe to send again.
        if (key && attempt === 0) continue;
        if (req.commit)
          throw new CommitStateUnknownError(
            `commit to ${url.pathname} has an unknown outcome: ${(e as Error).message}`,
            { cause: e },
          );
        throw new ServerError(`REST catalog ${this.uri} is unreachable: ${(e as Error).message}`, {
          cause: e,
        });
      }
      this.statusCounts.set(res.status, (this.statusCounts.get(res.status) ?? 0) + 1);
      if (res.status === 401 && this.#opts.credential && attempt === 0) {
        this.#token = undefined;
        continue;
      }
      const text = await res.text();
      if (res.ok) return text;
      let type = "";
      let message = text || res.statusText;
      try {
        const err = (parseJson(text) as { error?: { type?: unknown; message?: unknown } }).error;
        if (err) {
          type = String(err.type ?? "");
          message = String(err.message ?? message);
        }
      } catch {
        // A non-JSON error body (a proxy's page): keep its text.
      }
      throw errorFromRest(type, message, res.status, req.commit === true);
    }
  }
}
