/**
 * Access delegation of the REST catalog (`X-Iceberg-Access-Delegation`, REST spec
 * `LoadTableResult` "Storage Credentials" and "Remote Signing"): engines get just enough
 * access to one table's files on S3.
 *
 * - `vended-credentials`: `sts` mode calls STS `AssumeRole` with a session policy scoped to the
 *   table's location ({@link tableSessionPolicy}), read-only or read-write by the caller's
 *   privilege; `static` mode hands out the server's own keys, which are NOT scoped (for stores
 *   without STS only, documented as such).
 * - `remote-signing`: the table config points the client at
 *   `/v1/{prefix}/namespaces/{ns}/tables/{t}/sign`, where requests are signed with the server's
 *   credentials after {@link checkRequestScope} confirmed they stay inside the table.
 *
 * The server's S3 endpoint and credentials come from its own configuration only; table
 * properties such as `s3.endpoint` never reach these calls.
 */
import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from "@aws-sdk/client-sts";
import { ForbiddenError, StorageError, ValidationError } from "../../errors.js";
import { type S3FileIO, type S3Options, s3PathStyle, s3Region } from "../../io/s3-file-io.js";
import { isS3Location, parseS3Location } from "../../io/s3-location.js";
import type { RemoteSignRequest, RemoteSignResult } from "../../io/s3-remote-signer.js";
import { checkRequestScope, s3RequestTarget } from "../../io/s3-request-scope.js";
import { type SigningCredentials, signS3Request } from "../../io/s3-request-signer.js";
import { type StoragePrivilege, tableSessionPolicy } from "../../io/s3-session-policy.js";

/** How the catalog vends credentials: not at all, scoped STS credentials, or its own keys. */
export type CredentialVending = "off" | "sts" | "static";

/** Options of {@link AccessDelegation}. */
export interface AccessDelegationOptions {
  /** The server's S3 settings (endpoint, region, path style). */
  readonly s3: S3Options;
  /** The server's S3 credentials (static keys or the resolved default chain). */
  readonly credentials: () => Promise<SigningCredentials>;
  /** Credential vending mode (default `off`). */
  readonly vending?: CredentialVending | undefined;
  /** STS endpoint (default: the S3 endpoint, where MinIO serves STS; AWS STS without one). */
  readonly stsEndpoint?: string | undefined;
  /** Role to assume (AWS needs one; MinIO ignores it). Default `arn:aws:iam::000000000000:role/aichemy`. */
  readonly roleArn?: string | undefined;
  /** Lifetime of vended credentials in seconds (default 3600). */
  readonly durationSeconds?: number | undefined;
}

/** REST `StorageCredential`. */
export interface StorageCredential {
  readonly prefix: string;
  readonly config: Record<string, string>;
}

/** What a `LoadTableResult` carries for delegated access. */
export interface TableAccess {
  readonly config: Record<string, string>;
  readonly storageCredentials: StorageCredential[];
}

/** Where the signing endpoint of a table is, relative to the catalog's base URI. */
export interface SignerEndpoint {
  /** Base URI of the catalog as the client reached it, e.g. `http://127.0.0.1:8181`. */
  readonly baseUri: string;
  /** Path of the table's sign endpoint, e.g. `v1/wh/namespaces/ns/tables/t/sign`. */
  readonly path: string;
}

/** Parses the requested mechanisms of an `X-Iceberg-Access-Delegation` header. */
export function parseAccessDelegation(header: string | undefined): Set<string> {
  return new Set(
    (header ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Access delegation for the S3 tables of one server. */
export class AccessDelegation {
  readonly #opts: AccessDelegationOptions;
  readonly #region: string;
  #sts: STSClient | undefined;
  readonly #vended = new Map<string, { credential: StorageCredential; renewAtMs: number }>();

  /**
   * Delegation for the tables an {@link S3FileIO} reaches: its store settings, and its
   * credentials (static keys, or the AWS default chain resolved by its client) to sign and assume roles with.
   */
  static forS3FileIO(
    s3: S3FileIO,
    settings: Omit<AccessDelegationOptions, "s3" | "credentials"> = {},
  ): AccessDelegation {
    return new AccessDelegation({
      ...settings,
      s3: s3.options,
      credentials: async () => s3.client.config.credentials(),
    });
  }

  constructor(opts: AccessDelegationOptions) {
    this.#opts = opts;
    this.#region = s3Region(opts.s3);
  }

  /** Vending mode in force. */
  get vending(): CredentialVending {
    return this.#opts.vending ?? "off";
  }

  /** Non-secret settings every client of an S3 table needs (endpoint, region, path style). */
  storeConfig(): Record<string, string> {
    const s3 = this.#opts.s3;
    const out: Record<string, string> = { "client.region": this.#region, "s3.region": this.#region };
    if (s3.endpoint) out["s3.endpoint"] = s3.endpoint;
    out["s3.path-style-access"] = String(s3PathStyle(s3));
    return out;
  }

  /**
   * The config and storage credentials of a `LoadTableResult` for a table at `location`
   * (nothing for tables off S3): the store settings always; vended credentials when asked for
   * and vending is on; else the remote-signing settings when asked for.
   * @throws StorageError when STS refuses to vend.
   */
  async tableAccess(
    location: string,
    mechanisms: ReadonlySet<string>,
    privilege: StoragePrivilege,
    signer: SignerEndpoint,
  ): Promise<TableAccess> {
    if (!isS3Location(location)) return { config: {}, storageCredentials: [] };
    const config = this.storeConfig();
    if (mechanisms.has("vended-credentials") && this.vending !== "off") {
      const credential = await this.vend(location, privilege);
      // Clients that only read `config` (older PyIceberg, Trino) get the same keys there.
      return { config: { ...config, ...credential.config }, storageCredentials: [credential] };
    }
    if (mechanisms.has("remote-signing")) {
      Object.assign(config, {
        "s3.remote-signing-enabled": "true",
        "signer.uri": signer.baseUri,
        "signer.endpoint": signer.path,
        "s3.signer.uri": signer.baseUri,
        "s3.signer.endpoint": signer.path,
      });
    }
    return { config, storageCredentials: [] };
  }

  /**
   * The `storage-credentials` of GET `.../credentials` for a table at `location`: none for
   * tables off S3 or with vending off, else one entry (see {@link vend}).
   * @throws StorageError when STS refuses; ForbiddenError for a location that cannot be scoped.
   */
  async credentialsFor(location: string, privilege: StoragePrivilege): Promise<StorageCredential[]> {
    if (this.vending === "off" || !isS3Location(location)) return [];
    return [await this.vend(location, privilege)];
  }

  /**
   * Credentials for the table at `location`: scoped STS credentials, or the server's keys in
   * `static` mode.
   * @throws ForbiddenError when vending is off; StorageError when STS refuses.
   */
  async vend(location: string, privilege: StoragePrivilege): Promise<StorageCredential> {
    if (this.vending === "off")
      throw new ForbiddenError(
        "credential vending is off on this server (aichemy serve --credential-vending)",
      );
    const prefix = location.replace(/\/+$/, "");
    const key = `${privilege} ${prefix}`;
    const hit = this.#vended.get(key);
    if (hit && hit.renewAtMs > Date.now()) return hit.credential;
    const base = this.storeConfig();
    let config: Record<string, string>;
    let renewAtMs: number;
    if (this.vending === "static") {
      const c = await this.#opts.credentials();
      config = {
        ...base,
        "s3.access-key-id": c.accessKeyId,
        "s3.secret-access-key": c.secretAccessKey,
        ...(c.sessionToken ? { "s3.session-token": c.sessionToken } : {}),
      };
      renewAtMs = Date.now() + 60_000;
    } else {
      const duration = this.#opts.durationSeconds ?? 3600;
      const policy = tableSessionPolicy(prefix, privilege);
      let out: AssumeRoleCommandOutput;
      try {
        out = await this.#stsClient().send(
          new AssumeRoleCommand({
            RoleArn: this.#opts.roleArn ?? "arn:aws:iam::000000000000:role/aichemy",
            RoleSessionName: `aichemy-${privilege}-${Date.now()}`,
            Policy: policy,
            DurationSeconds: duration,
          }),
        );
      } catch (e) {
        throw new StorageError(`STS AssumeRole for ${prefix} failed: ${(e as Error).message}`, { cause: e });
      }
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
        throw new StorageError(`STS AssumeRole for ${prefix} returned no credentials`);
      const expires = c.Expiration?.getTime() ?? Date.now() + duration * 1000;
      config = {
        ...base,
        "s3.access-key-id": c.AccessKeyId,
        "s3.secret-access-key": c.SecretAccessKey,
        "s3.session-token": c.SessionToken,
        "s3.session-token-expires-at-ms": String(expires),
      };
      // Reuse while more than half the lifetime is left.
      renewAtMs = Date.now() + (expires - Date.now()) / 2;
    }
    const credential = { prefix, config };
    this.#vended.set(key, { credential, renewAtMs });
    return credential;
  }

  /**
   * Signs a request for the table at `location` (REST `signRequest`) after checking that
   * every key it touches is inside the table and the privilege allows it.
   * @throws ValidationError for a request that is not to the server's store or cannot be
   * accounted for; ForbiddenError for one outside the table or a write under read privilege.
   */
  async sign(
    location: string,
    privilege: StoragePrivilege,
    req: RemoteSignRequest,
  ): Promise<RemoteSignResult> {
    if (req.provider !== undefined && req.provider !== "s3")
      throw new ValidationError(`remote signing supports provider s3, got ${JSON.stringify(req.provider)}`);
    if (!isS3Location(location))
      throw new ForbiddenError(`table location ${location} is not on S3: nothing to sign`);
    const table = parseS3Location(location);
    const target = s3RequestTarget(req, { endpoint: this.#opts.s3.endpoint, region: this.#region });
    checkRequestScope(target, { bucket: table.bucket, prefix: table.key }, privilege);
    const headers = await signS3Request(req, await this.#opts.credentials(), this.#region);
    return { uri: req.uri, headers };
  }

  /** Closes the STS client. */
  close(): void {
    this.#sts?.destroy();
  }

  #stsClient(): STSClient {
    const endpoint = this.#opts.stsEndpoint ?? this.#opts.s3.endpoint;
    this.#sts ??= new STSClient({
      region: this.#region,
      ...(endpoint ? { endpoint } : {}),
      credentials: this.#opts.credentials,
      maxAttempts: 3,
    });
    return this.#sts;
  }
}
