/**
 * Configuration: one zod schema for the values that come from flags and the environment
 * (flags win over environment, environment over defaults).
 */
import { z } from "zod";

/** A catalog attached by `--catalog name=rest:<uri>[;key=value...]` (keys: warehouse, token, credential). */
export interface AttachedCatalog {
  readonly name: string;
  readonly type: "rest";
  readonly uri: string;
  readonly properties: Readonly<Record<string, string>>;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Parses a size: bytes, or a number with a unit (`kb`, `mb`, `gb` decimal; `kib`, `mib`, `gib`
 * binary), case-insensitive, e.g. `134217728`, `128MB`, `10GiB`. Returns bytes, or undefined
 * when the text is not a size.
 */
export function parseSize(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?$/i.exec(value.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
    tib: 1024 ** 4,
  };
  return Math.round(Number(m[1]) * mult[(m[2] ?? "b").toLowerCase()]!);
}

/**
 * Parses a duration: milliseconds with `ms`, or a number with `s`, `m`, `h` or `d` (Trino's
 * duration units), or plain seconds, e.g. `500ms`, `30s`, `10m`, `1h`, `90`. Returns
 * milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(value.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Math.round(Number(m[1]) * mult[(m[2] ?? "s").toLowerCase()]!);
}

/**
 * Parses a `--catalog` value: a plain name (the embedded catalog's name) or
 * `name=rest:<uri>[;key=value...]`.
 * @throws Error naming the value when it is neither.
 */
export function parseCatalogOption(value: string): string | AttachedCatalog {
  const eq = value.indexOf("=");
  if (eq < 0) return value;
  const name = value.slice(0, eq);
  const spec = value.slice(eq + 1);
  if (!NAME.test(name)) throw new Error(`--catalog ${value}: catalog names are lower-case identifiers`);
  const m = /^rest:(.+)$/.exec(spec);
  if (!m)
    throw new Error(`--catalog ${value}: expected name=rest:<uri> (e.g. iceberg=rest:http://localhost:8181)`);
  const [uri, ...props] = m[1]!.split(";");
  if (!/^https?:\/\//.test(uri!))
    throw new Error(`--catalog ${value}: the REST catalog URI must start with http:// or https://`);
  const properties: Record<string, string> = {};
  for (const p of props) {
    const i = p.indexOf("=");
    if (i <= 0) throw new Error(`--catalog ${value}: expected key=value after ';', got ${JSON.stringify(p)}`);
    properties[p.slice(0, i)] = p.slice(i + 1);
  }
  return { name, type: "rest", uri: uri!, properties };
}

/** Parses `name=location` warehouse values. @throws Error naming the value. */
function parseWarehouse(value: string): { name: string; location: string } {
  const i = value.indexOf("=");
  if (i <= 0) throw new Error(`warehouse ${JSON.stringify(value)}: expected name=location`);
  return { name: value.slice(0, i), location: value.slice(i + 1) };
}

const list = (v: unknown) =>
  v === undefined
    ? []
    : Array.isArray(v)
      ? v.map(String)
      : String(v)
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);

/** Validated configuration of a command. */
export const ConfigSchema = z.object({
  /** Directory of the embedded lakehouse (catalog database and warehouse). */
  dataDir: z.string().min(1).default("./lakehouse"),
  /** Name of the default catalog (the embedded warehouse, or an attached catalog). */
  catalog: z.string().regex(NAME, "catalog names are lower-case identifiers").default("iceberg"),
  /** Catalogs attached beside the store's warehouses (`--catalog name=rest:<uri>`). */
  attachedCatalogs: z.array(z.custom<AttachedCatalog>()).default([]),
  /** Catalog store URL (default: SQLite in the data directory); `postgresql://...` for PostgreSQL. */
  catalogUrl: z.string().min(1).optional(),
  /** Extra warehouses to create or relocate (`name=location`). */
  warehouses: z.array(z.object({ name: z.string(), location: z.string() })).default([]),
  /** DuckDB worker threads (default: all cores). */
  threads: z.coerce.number().int().positive().optional(),
  /** DuckDB memory limit, e.g. `4GB`. */
  memoryLimit: z.string().optional(),
  /** HTTP port of `aichemy serve`. */
  port: z.coerce.number().int().min(0).max(65535).default(8181),
  /** HTTP bind address of `aichemy serve`. */
  host: z.string().default("127.0.0.1"),
  /** Require bearer tokens (OAuth2 client credentials or static tokens). */
  auth: z.boolean().default(false),
  /** OAuth2 clients, `id:secret`. */
  authClients: z.array(z.string().regex(/^[^:]+:.+$/, "expected client_id:client_secret")).default([]),
  /** Static bearer tokens, `token` or `token=principal`. */
  authTokens: z.array(z.string().min(16, "static tokens must be at least 16 characters")).default([]),
  /** Principals that may only read (client ids or static-token names). */
  readOnlyPrincipals: z.array(z.string().min(1)).default([]),
  /** HMAC secret of issued tokens (default: random per process). */
  authSecret: z.string().min(16, "the token secret must be at least 16 characters").optional(),
  /** Serve anonymously on a non-loopback address (off: refuse to start without --auth). */
  allowAnonymous: z.boolean().default(false),
  /** `iss` of issued tokens, required on every token (default `aichemy`). */
  authIssuer: z.string().min(1).optional(),
  /** `aud` of issued tokens, required on every token (default `aichemy-catalog`). */
  authAudience: z.string().min(1).optional(),
  /**
   * Host names `aichemy serve` answers to besides loopback and its bind address (`name` or
   * `name:port`; `*` accepts any Host): DNS rebinding protection.
   */
  serverNames: z.array(z.string().min(1)).default([]),
  /** Browser origins allowed to call the server (CORS), e.g. `https://app.example.com`. */
  corsOrigins: z
    .array(z.string().regex(/^https?:\/\/[^/?#]+$/, "expected an origin like https://app.example.com"))
    .default([]),
  /** How the server reaches S3 warehouses (its own credentials; never taken from table properties). */
  s3: z
    .object({
      endpoint: z.string().url("s3 endpoint must be a URL like http://127.0.0.1:9000").optional(),
      region: z.string().min(1).optional(),
      pathStyle: z.boolean().optional(),
      accessKeyId: z.string().min(1).optional(),
      secretAccessKey: z.string().min(1).optional(),
      sessionToken: z.string().min(1).optional(),
      conditionalWrites: z.boolean().optional(),
    })
    .default({}),
  /** Directory of the disk cache of remote data files (default `<dataDir>/cache`). */
  cacheDir: z.string().min(1).optional(),
  /** Size bound of that cache in bytes (default 10 GiB). */
  cacheSize: z
    .preprocess(
      (v) => (typeof v === "string" ? (parseSize(v) ?? v) : v),
      z.number({ error: "expected a size like 10GiB or 500MB" }).int().positive(),
    )
    .optional(),
  /**
   * Credential vending for S3 tables (`X-Iceberg-Access-Delegation: vended-credentials`):
   * `off` (default), `sts` (AssumeRole with a session policy scoped to the table) or `static`
   * (the server's own keys, unscoped: only for stores without STS).
   */
  credentialVending: z.enum(["off", "sts", "static"]).default("off"),
  /** STS endpoint for `sts` vending (default: the S3 endpoint, as MinIO serves STS there). */
  stsEndpoint: z.string().url().optional(),
  /** Role to assume for `sts` vending (AWS requires one; MinIO ignores it). */
  stsRoleArn: z.string().min(1).optional(),
  /** Lifetime of vended credentials in seconds (default 3600; STS allows 900-43200). */
  credentialDurationSeconds: z.coerce.number().int().min(900).max(43200).default(3600),
  /** Statement timeout of the query API in milliseconds (default 1 hour; 0: none). */
  queryTimeoutMs: z
    .preprocess(
      (v) => (typeof v === "string" ? (parseDuration(v) ?? v) : v),
      z.number({ error: "expected a duration like 30s, 10m or 1h" }).int().min(0),
    )
    .default(3_600_000),
  /** Most rows a query API result returns (default 1,000,000; 0: no cap). */
  queryMaxRows: z.coerce.number().int().min(0).default(1_000_000),
  /** Most bytes of rows a query API result returns (default 256 MiB; 0: no cap). */
  queryMaxBytes: z
    .preprocess(
      (v) => (typeof v === "string" ? (parseSize(v) ?? v) : v),
      z.number({ error: "expected a size like 256MiB" }).int().min(0),
    )
    .default(256 * 1024 * 1024),
  /** Most statements running at once; others queue (default: half of libuv's pool, see the engine). */
  maxConcurrentQueries: z.coerce.number().int().positive().optional(),
});

/** Configuration after validation. */
export type Config = z.infer<typeof ConfigSchema>;

/** Flags as commander gives them (`catalog` may repeat). */
export type ConfigFlags = Partial<Record<Exclude<keyof Config, "catalog" | "warehouses" | "s3">, unknown>> & {
  s3Endpoint?: unknown;
  s3Region?: unknown;
  s3PathStyle?: unknown;
  catalog?: string | string[] | undefined;
  warehouses?: string[] | undefined;
};

/**
 * Builds the configuration from flags and the environment (`AICHEMY_DATA_DIR`,
 * `AICHEMY_CATALOG`, `AICHEMY_CATALOG_URL`, `AICHEMY_WAREHOUSES` (comma-separated
 * `name=location`), `AICHEMY_THREADS`, `AICHEMY_MEMORY_LIMIT`, `AICHEMY_PORT`, `AICHEMY_HOST`,
 * `AICHEMY_AUTH` (`true`), `AICHEMY_AUTH_CLIENTS`, `AICHEMY_AUTH_TOKENS`, `AICHEMY_AUTH_SECRET`,
 * `AICHEMY_READ_ONLY_PRINCIPALS`, `AICHEMY_AUTH_ISSUER`, `AICHEMY_AUTH_AUDIENCE`,
 * `AICHEMY_SERVER_NAMES` and `AICHEMY_CORS_ORIGINS` (comma-separated), `AICHEMY_S3_ENDPOINT`, `AICHEMY_S3_REGION`, `AICHEMY_S3_PATH_STYLE`, `AICHEMY_S3_ACCESS_KEY_ID`,
 * `AICHEMY_S3_SECRET_ACCESS_KEY`, `AICHEMY_S3_SESSION_TOKEN`, `AICHEMY_S3_CONDITIONAL_WRITES`,
 * `AICHEMY_CACHE_DIR`, `AICHEMY_CACHE_SIZE`, `AICHEMY_CREDENTIAL_VENDING`, `AICHEMY_STS_ENDPOINT`,
 * `AICHEMY_STS_ROLE_ARN`, `AICHEMY_CREDENTIAL_DURATION`, `AICHEMY_QUERY_TIMEOUT`,
 * `AICHEMY_QUERY_MAX_ROWS`, `AICHEMY_QUERY_MAX_BYTES`, `AICHEMY_MAX_CONCURRENT_QUERIES`). S3 keys come from the environment only
 * (flags show in process lists); without them the AWS default credential chain applies.
 * @throws Error listing every invalid field.
 */
export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (flag: unknown, envName: string) => (flag !== undefined ? flag : env[envName]);
  const catalogValues = list(pick(flags.catalog, "AICHEMY_CATALOG"));
  const parsed = catalogValues.map(parseCatalogOption);
  const plain = parsed.filter((p): p is string => typeof p === "string");
  const attached = parsed.filter((p): p is AttachedCatalog => typeof p !== "string");
  if (plain.length > 1)
    throw new Error(
      `invalid configuration: catalog: more than one default catalog name (${plain.join(", ")})`,
    );
  const catalog = plain[0] ?? (attached.length === 1 ? attached[0]!.name : undefined);
  const bool = (v: unknown) => (v === undefined ? undefined : v === true || v === "true" || v === "1");
  const result = ConfigSchema.safeParse({
    dataDir: pick(flags.dataDir, "AICHEMY_DATA_DIR"),
    catalog,
    attachedCatalogs: attached,
    catalogUrl: pick(flags.catalogUrl, "AICHEMY_CATALOG_URL"),
    warehouses: list(pick(flags.warehouses, "AICHEMY_WAREHOUSES")).map(parseWarehouse),
    threads: pick(flags.threads, "AICHEMY_THREADS"),
    memoryLimit: pick(flags.memoryLimit, "AICHEMY_MEMORY_LIMIT"),
    port: pick(flags.port, "AICHEMY_PORT"),
    host: pick(flags.host, "AICHEMY_HOST"),
    auth: bool(pick(flags.auth, "AICHEMY_AUTH")),
    authClients: list(pick(flags.authClients, "AICHEMY_AUTH_CLIENTS")),
    authTokens: list(pick(flags.authTokens, "AICHEMY_AUTH_TOKENS")),
    authSecret: pick(flags.authSecret, "AICHEMY_AUTH_SECRET"),
    readOnlyPrincipals: list(pick(flags.readOnlyPrincipals, "AICHEMY_READ_ONLY_PRINCIPALS")),
    allowAnonymous: bool(flags.allowAnonymous),
    authIssuer: pick(flags.authIssuer, "AICHEMY_AUTH_ISSUER"),
    authAudience: pick(flags.authAudience, "AICHEMY_AUTH_AUDIENCE"),
    serverNames: list(pick(flags.serverNames, "AICHEMY_SERVER_NAMES")),
    corsOrigins: list(pick(flags.corsOrigins, "AICHEMY_CORS_ORIGINS")),
    s3: {
      endpoint: pick(flags.s3Endpoint, "AICHEMY_S3_ENDPOINT"),
      region: pick(flags.s3Region, "AICHEMY_S3_REGION"),
      pathStyle: bool(pick(flags.s3PathStyle, "AICHEMY_S3_PATH_STYLE")),
      accessKeyId: env.AICHEMY_S3_ACCESS_KEY_ID,
      secretAccessKey: env.AICHEMY_S3_SECRET_ACCESS_KEY,
      sessionToken: env.AICHEMY_S3_SESSION_TOKEN,
      conditionalWrites: bool(env.AICHEMY_S3_CONDITIONAL_WRITES),
    },
    cacheDir: pick(flags.cacheDir, "AICHEMY_CACHE_DIR"),
    cacheSize: pick(flags.cacheSize, "AICHEMY_CACHE_SIZE"),
    credentialVending: pick(flags.credentialVending, "AICHEMY_CREDENTIAL_VENDING"),
    stsEndpoint: pick(flags.stsEndpoint, "AICHEMY_STS_ENDPOINT"),
    stsRoleArn: pick(flags.stsRoleArn, "AICHEMY_STS_ROLE_ARN"),
    credentialDurationSeconds: pick(flags.credentialDurationSeconds, "AICHEMY_CREDENTIAL_DURATION"),
    queryTimeoutMs: pick(flags.queryTimeoutMs, "AICHEMY_QUERY_TIMEOUT"),
    queryMaxRows: pick(flags.queryMaxRows, "AICHEMY_QUERY_MAX_ROWS"),
    queryMaxBytes: pick(flags.queryMaxBytes, "AICHEMY_QUERY_MAX_BYTES"),
    maxConcurrentQueries: pick(flags.maxConcurrentQueries, "AICHEMY_MAX_CONCURRENT_QUERIES"),
  });
  if (!result.success) {
    throw new Error(
      `invalid configuration: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return result.data;
}
