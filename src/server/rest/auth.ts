/**
 * Authentication of the REST catalog: OAuth2 client credentials at `POST /v1/oauth/tokens`
 * (REST spec `OAuthTokenRequest`, RFC 6749 section 4.4; token exchange RFC 8693 to refresh a
 * token, as Iceberg Java clients do), issuing HS256-signed JWT bearer tokens (via `jose`);
 * and static bearer tokens from configuration. With auth off every request is anonymous.
 *
 * Issued JWTs carry `sub`, `iss`, `aud`, `iat`, `exp` and `scope` (RFC 7519 section 4.1), and
 * every one of them is required on verification: a token signed with the right key but
 * without `exp`, with another issuer or audience, with `iat` in the future or with a
 * lifetime beyond the configured one is refused (RFC 8725 section 3.10: validate issuer and
 * audience; a shared HMAC key must not turn another service's tokens into ours).
 *
 * Scope (RFC 6749 section 3.3): `catalog` (Iceberg clients' default; also
 * `PRINCIPAL_ROLE:ALL`, as Apache Polaris names the same thing) gives a token for every
 * warehouse; `warehouse:<name>` (repeatable, space-separated) limits the token to those
 * warehouses: other warehouses' routes answer 403, and the query API (SQL reaches every
 * warehouse) refuses it. Polaris scopes tokens to principal roles and Lakekeeper leaves
 * scoping to its authorizer; neither scopes an unscoped request, so neither do we.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { NotAuthorizedError } from "../../errors.js";

/** Default `iss` of issued tokens. */
export const DEFAULT_TOKEN_ISSUER = "aichemy";
/** Default `aud` of issued tokens. */
export const DEFAULT_TOKEN_AUDIENCE = "aichemy-catalog";
/** The scope of a token for every warehouse (Iceberg clients' default scope). */
export const CATALOG_SCOPE = "catalog";
/** Prefix of a scope that limits a token to one warehouse: `warehouse:<name>`. */
export const WAREHOUSE_SCOPE_PREFIX = "warehouse:";
/**
 * The scope Iceberg Java's remote S3 signer asks its token for (`S3V4RestSignerClient.SCOPE`):
 * it narrows nothing; signing is authorized per request like any catalog call.
 */
export const SIGN_SCOPE = "sign";
/** Clock skew tolerated on `iat` (tokens of a peer server whose clock runs ahead), in seconds. */
const IAT_SKEW_SECONDS = 60;

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
  /** Lifetime of issued tokens in seconds (default 3600); longer-lived tokens are refused. */
  readonly tokenTtlSeconds?: number | undefined;
  /** `iss` of issued tokens, required on every JWT (default {@link DEFAULT_TOKEN_ISSUER}). */
  readonly issuer?: string | undefined;
  /** `aud` of issued tokens, required on every JWT (default {@link DEFAULT_TOKEN_AUDIENCE}). */
  readonly audience?: string | undefined;
  /**
   * Failed token requests allowed per client id and per remote address per minute before the
   * token endpoint answers 429 (default 10; see `token-rate-limit.ts`).
   */
  readonly tokenFailuresPerMinute?: number | undefined;
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
  /** Warehouses a scoped token may use (`warehouse:<name>` scopes); undefined: every one. */
  readonly warehouses?: readonly string[] | undefined;
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

/** A token issued by {@link Authenticator.token}: the response and who it is for. */
export interface IssuedToken {
  readonly response: OAuthTokenResponse;
  /** The client id (client credentials) or the subject token's principal (token exchange). */
  readonly principal: string;
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

/**
 * The warehouses a scope allows: undefined for `catalog` (or `PRINCIPAL_ROLE:ALL`, `sign`, or
 * an empty scope), else the names of its `warehouse:<name>` tokens, sorted.
 * @throws OAuthError `invalid_scope` naming an unknown scope token
 */
export function warehousesOfScope(scope: string): string[] | undefined {
  const names = new Set<string>();
  for (const token of scope.split(" ").filter(Boolean)) {
    if (token === CATALOG_SCOPE || token === "PRINCIPAL_ROLE:ALL" || token === SIGN_SCOPE) continue;
    if (token.startsWith(WAREHOUSE_SCOPE_PREFIX) && token.length > WAREHOUSE_SCOPE_PREFIX.length)
      names.add(token.slice(WAREHOUSE_SCOPE_PREFIX.length));
    else
      throw new OAuthError(
        "invalid_scope",
        `unknown scope ${JSON.stringify(token)}: use 'catalog' (every warehouse) or 'warehouse:<name>'`,
      );
  }
  // A warehouse scope narrows the default scope that clients send along with it.
  return names.size > 0 ? [...names].sort() : undefined;
}

/** The scope text of a warehouse list (undefined: `catalog`). */
export function scopeOfWarehouses(warehouses: readonly string[] | undefined): string {
  return warehouses === undefined
    ? CATALOG_SCOPE
    : warehouses.map((w) => `${WAREHOUSE_SCOPE_PREFIX}${w}`).join(" ");
}

/**
 * The client id a token request names: the form's `client_id`, else the user of HTTP Basic
 * `authorization` (RFC 6749 section 2.3.1); undefined when none.
 */
export function tokenRequestClient(
  form: URLSearchParams,
  authorization?: string,
): { id: string | undefined; secret: string | null } {
  let id = form.get("client_id") ?? undefined;
  let secret = form.get("client_secret");
  if ((!id || secret === null) && authorization?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i >= 0) {
      try {
        id = decodeURIComponent(decoded.slice(0, i));
        secret = decodeURIComponent(decoded.slice(i + 1));
      } catch {
        throw new OAuthError("invalid_request", "HTTP Basic credentials are not valid URL-encoded text");
      }
    }
  }
  return { id: id || undefined, secret };
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return timingSafeEqual(x, y);
}

/** Issues and verifies tokens. */
export class Authenticator {
  readonly enabled: boolean;
  /** See {@link AuthOptions.tokenFailuresPerMinute}. */
  readonly tokenFailuresPerMinute: number;
  readonly #clients: Readonly<Record<string, string>>;
  readonly #tokens: Readonly<Record<string, string>>;
  readonly #key: Uint8Array;
  readonly #ttl: number;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #readOnly: ReadonlySet<string>;

  constructor(opts: AuthOptions) {
    this.#readOnly = new Set(opts.readOnlyPrincipals ?? []);
    this.enabled = opts.enabled;
    this.tokenFailuresPerMinute = opts.tokenFailuresPerMinute ?? 10;
    this.#clients = opts.clients ?? {};
    this.#tokens = opts.tokens ?? {};
    this.#key = opts.secret ? new TextEncoder().encode(opts.secret) : randomBytes(32);
    this.#ttl = opts.tokenTtlSeconds ?? 3600;
    this.#issuer = opts.issuer ?? DEFAULT_TOKEN_ISSUER;
    this.#audience = opts.audience ?? DEFAULT_TOKEN_AUDIENCE;
  }

  /**
   * Handles a token request (form fields of `application/x-www-form-urlencoded`; client
   * credentials may also come as HTTP Basic `authorization`). `scope` (default `catalog`)
   * chooses the warehouses (see the module documentation); a token exchange can narrow the
   * subject token's scope, never widen it.
   * @throws OAuthError (`invalid_request`, `invalid_client`, `invalid_grant`,
   * `invalid_scope`, `unsupported_grant_type`)
   */
  async token(form: URLSearchParams, authorization?: string): Promise<IssuedToken> {
    const grant = form.get("grant_type");
    const requested = warehousesOfScope(form.get("scope") ?? CATALOG_SCOPE);
    if (grant === "client_credentials") {
      const { id, secret } = tokenRequestClient(form, authorization);
      if (!id) throw new OAuthError("invalid_request", "client_id is required");
      const expected = this.#clients[id];
      if (expected === undefined || secret === null || !sameSecret(expected, secret))
        throw new OAuthError("invalid_client", "Credentials for client are invalid", 401);
      return this.#issue(id, requested);
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
      const held = principal.warehouses;
      if (held && requested?.some((w) => !held.includes(w)))
        throw new OAuthError(
          "invalid_scope",
          `the subject token is scoped to ${scopeOfWarehouses(held)}: a token exchange cannot widen it`,
        );
      return this.#issue(principal.name, requested ?? held);
    }
    throw new OAuthError("unsupported_grant_type", `unsupported grant_type ${JSON.stringify(grant)}`);
  }

  async #issue(subject: string, warehouses: readonly string[] | undefined): Promise<IssuedToken> {
    const scope = scopeOfWarehouses(warehouses);
    const jwt = await new SignJWT({ scope })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(subject)
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setIssuedAt()
      .setExpirationTime(`${this.#ttl}s`)
      .sign(this.#key);
    return {
      response: {
        access_token: jwt,
        token_type: "bearer",
        expires_in: this.#ttl,
        issued_token_type: ACCESS_TOKEN_TYPE,
        scope,
      },
      principal: subject,
    };
  }

  /**
   * The principal of a bearer token: a static token, or a JWT of ours (signature, `iss`,
   * `aud`, `sub`, `scope`, `iat` not in the future, `exp` not passed and at most the token
   * lifetime after `iat`).
   * @throws NotAuthorizedError naming what is wrong when unknown, forged, expired or incomplete.
   */
  async verifyToken(token: string): Promise<Principal> {
    for (const [t, name] of Object.entries(this.#tokens))
      if (sameSecret(t, token)) return this.#principal(name, undefined);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        issuer: this.#issuer,
        audience: this.#audience,
        algorithms: ["HS256"],
        requiredClaims: ["exp", "iat", "sub", "scope"],
      }));
    } catch (e) {
      const expired = (e as { code?: string }).code === "ERR_JWT_EXPIRED";
      const claim = (e as { code?: string }).code === "ERR_JWT_CLAIM_VALIDATION_FAILED";
      throw new NotAuthorizedError(
        expired
          ? "Bearer token expired"
          : `Bearer token is invalid${claim ? `: ${(e as Error).message}` : ""}`,
      );
    }
    const iat = payload.iat as number;
    const exp = payload.exp as number;
    const now = Math.floor(Date.now() / 1000);
    if (iat > now + IAT_SKEW_SECONDS)
      throw new NotAuthorizedError('Bearer token is invalid: "iat" claim is in the future');
    if (exp - iat > this.#ttl)
      throw new NotAuthorizedError(
        `Bearer token is invalid: it lives ${exp - iat} s, longer than tokens of this server (${this.#ttl} s)`,
      );
    let warehouses: string[] | undefined;
    try {
      warehouses = warehousesOfScope(String(payload.scope));
    } catch {
      throw new NotAuthorizedError('Bearer token is invalid: unknown "scope" claim');
    }
    return this.#principal(String(payload.sub), warehouses);
  }

  #principal(name: string, warehouses: readonly string[] | undefined): Principal {
    return { name, anonymous: false, readOnly: this.#readOnly.has(name), warehouses };
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
