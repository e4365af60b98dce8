/**
 * Authentication of the REST catalog, first cut: OAuth2 client credentials at
 * `POST /v1/oauth/tokens` (REST spec `OAuthTokenRequest`, RFC 6749 section 4.4; token
 * exchange RFC 8693 to refresh a token, as Iceberg Java clients do), issuing HS256-signed
 * JWT bearer tokens (via `jose`) that expire; and static bearer tokens from configuration.
 * With auth off every request is anonymous.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { NotAuthorizedError } from "../../errors.js";

/** Authentication settings. */
export interface AuthOptions {
  /** Whether requests need a token (default false: anonymous). */
  readonly enabled: boolean;
  /** OAuth2 clients: client id -> client secret. */
  readonly clients?: Readonly<Record<string, string>> | undefined;
  /** Static bearer tokens: token -> principal name. */
  readonly tokens?: Readonly<Record<string, string>> | undefined;
  /** HMAC key of issued JWTs (default: random per process, so tokens die with it). */
  readonly secret?: string | undefined;
  /** Lifetime of issued tokens in seconds (default 3600). */
  readonly tokenTtlSeconds?: number | undefined;
  /**
   * Principals (client ids or static-token names) that may only read: mutations are refused
   * with 403 and delegated storage access is read-only.
   */
  readonly readOnlyPrincipals?: readonly string[] | undefined;
}

/** Who made a request. */
export interface Principal {
  readonly name: string;
  readonly anonymous: boolean;
  /** Whether the principal may only read (see {@link AuthOptions.readOnlyPrincipals}). */
  readonly readOnly: boolean;
}

/** The anonymous principal of an auth-less server (full access: auth off means trusted). */
export const ANONYMOUS: Principal = { name: "anonymous", anonymous: true, readOnly: false };

/** An OAuth2 error (REST `OAuthError`): `error` code and description, with its HTTP status. */
export class OAuthError extends Error {
  readonly error: string;
  readonly status: number;
  constructor(error: string, description: string, status = 400) {
    super(description);
    this.error = error;
    this.status = status;
  }
}

/** REST `OAuthTokenResponse`. */
export interface OAuthTokenResponse {
  readonly access_token: string;
  readonly token_type: "bearer";
  readonly expires_in: number;
  readonly issued_token_type: string;
  readonly scope?: string;
}

const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ISSUER = "aichemy";

function sameSecret(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

/** Issues and verifies tokens. */
export class Authenticator {
  readonly enabled: boolean;
  readonly #clients: Readonly<Record<string, string>>;
  readonly #tokens: Readonly<Record<string, string>>;
  readonly #key: Uint8Array;
  readonly #ttl: number;
  readonly #readOnly: ReadonlySet<string>;

  constructor(opts: AuthOptions) {
    this.#readOnly = new Set(opts.readOnlyPrincipals ?? []);
    this.enabled = opts.enabled;
    this.#clients = opts.clients ?? {};
    this.#tokens = opts.tokens ?? {};
    this.#key = opts.secret ? new TextEncoder().encode(opts.secret) : randomBytes(32);
    this.#ttl = opts.tokenTtlSeconds ?? 3600;
  }

  /**
   * Handles a token request (form fields of `application/x-www-form-urlencoded`; client
   * credentials may also come as HTTP Basic `authorization`).
   * @throws OAuthError (`invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`)
   */
  async token(form: URLSearchParams, authorization?: string): Promise<OAuthTokenResponse> {
    const grant = form.get("grant_type");
    const scope = form.get("scope") ?? "catalog";
    if (grant === "client_credentials") {
      let id = form.get("client_id");
      let secret = form.get("client_secret");
      if ((!id || secret === null) && authorization?.toLowerCase().startsWith("basic ")) {
        const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
        const i = decoded.indexOf(":");
        if (i >= 0) {
          id = decodeURIComponent(decoded.slice(0, i));
          secret = decodeURIComponent(decoded.slice(i + 1));
        }
      }
      if (!id) throw new OAuthError("invalid_request", "client_id is required");
      const expected = this.#clients[id];
      if (expected === undefined || secret === null || !sameSecret(expected, secret))
        throw new OAuthError("invalid_client", "Credentials for client are invalid", 401);
      return this.#issue(id, scope);
    }
    if (grant === TOKEN_EXCHANGE) {
      const subject = form.get("subject_token");
      if (!subject) throw new OAuthError("invalid_request", "subject_token is required");
      let principal: Principal;
      try {
        principal = await this.verifyToken(subject);
      } catch {
        throw new OAuthError("invalid_grant", "subject_token is invalid or expired", 401);
      }
      return this.#issue(principal.name, scope);
    }
    throw new OAuthError("unsupported_grant_type", `unsupported grant_type ${JSON.stringify(grant)}`);
  }

  async #issue(subject: string, scope: string): Promise<OAuthTokenResponse> {
    const jwt = await new SignJWT({ scope })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.#ttl}s`)
      .sign(this.#key);
    return {
      access_token: jwt,
      token_type: "bearer",
      expires_in: this.#ttl,
      issued_token_type: ACCESS_TOKEN_TYPE,
      scope,
    };
  }

  /** The principal of a bearer token. @throws NotAuthorizedError when unknown, forged or expired. */
  async verifyToken(token: string): Promise<Principal> {
    for (const [t, name] of Object.entries(this.#tokens))
      if (sameSecret(t, token)) return this.#principal(name);
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, algorithms: ["HS256"] });
      return this.#principal(String(payload.sub));
    } catch (e) {
      const expired = (e as { code?: string }).code === "ERR_JWT_EXPIRED";
      throw new NotAuthorizedError(expired ? "Bearer token expired" : "Bearer token is invalid");
    }
  }

  #principal(name: string): Principal {
    return { name, anonymous: false, readOnly: this.#readOnly.has(name) };
  }

  /**
   * The principal of a request from its `Authorization` header: anonymous when auth is off.
   * @throws NotAuthorizedError when auth is on and the header is missing or wrong.
   */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!this.enabled) return ANONYMOUS;
    const m = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!m) throw new NotAuthorizedError("Authorization: Bearer <token> is required");
    return this.verifyToken(m[1]!);
  }
}
