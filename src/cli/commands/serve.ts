/**
 * `aichemy serve`: opens the lakehouse and serves HTTP (health, the Iceberg REST catalog under
 * `/v1`, the query API) until SIGINT/SIGTERM. Anonymous access is only allowed on a loopback
 * address unless `--allow-anonymous` says otherwise; `--auth` turns on bearer tokens.
 */
import { pino } from "pino";
import type { Config } from "../../config/config.js";
import { keepWorkerThreadsDeprioritized } from "../../engine/execution/thread-priority.js";
import { ResolvingFileIO } from "../../io/resolving-file-io.js";
import {
  type CrossSiteOptions,
  isWildcardAddress,
  parseCorsOrigin,
  parseServerName,
  serverNamesFor,
} from "../../server/cross-site.js";
import { createHttpServer } from "../../server/http-server.js";
import { AccessDelegation } from "../../server/rest/access-delegation.js";
import type { AuthOptions } from "../../server/rest/auth.js";
import { openLakehouse } from "../open-lakehouse.js";

/** Whether a bind address only accepts local connections. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/** The auth settings of a configuration. @throws Error when it would serve anonymously on the network. */
export function authOptions(config: Config): AuthOptions {
  if (!config.auth && !isLoopback(config.host) && !config.allowAnonymous)
    throw new Error(
      `refusing to serve anonymously on ${config.host}: pass --auth (with --auth-client id:secret or --auth-token), or --allow-anonymous`,
    );
  if (config.auth && config.authClients.length === 0 && config.authTokens.length === 0)
    throw new Error("--auth needs at least one --auth-client id:secret or --auth-token <token>");
  const clients: Record<string, string> = {};
  for (const c of config.authClients) {
    const i = c.indexOf(":");
    clients[c.slice(0, i)] = c.slice(i + 1);
  }
  const tokens: Record<string, string> = {};
  for (const t of config.authTokens) {
    const i = t.indexOf("=");
    if (i < 0) tokens[t] = "token";
    else tokens[t.slice(0, i)] = t.slice(i + 1);
  }
  return {
    enabled: config.auth,
    clients,
    tokens,
    secret: config.authSecret,
    issuer: config.authIssuer,
    audience: config.authAudience,
    readOnlyPrincipals: config.readOnlyPrincipals,
  };
}

/**
 * The cross-site settings of a configuration: the configured server names plus the bind
 * address (loopback names are always accepted), and the CORS origins.
 * @throws ValidationError naming a malformed server name or CORS origin
 */
export function crossSiteOptions(config: Config): CrossSiteOptions {
  const serverNames = serverNamesFor(config.host, config.serverNames);
  serverNames.forEach(parseServerName);
  config.corsOrigins.forEach(parseCorsOrigin);
  return { serverNames, corsOrigins: config.corsOrigins };
}

/**
 * The access delegation of a configuration: remote signing and (with `--credential-vending`)
 * vended credentials for S3 tables, with the server's own S3 settings and credentials.
 */
export function accessDelegation(config: Config, io: ResolvingFileIO): AccessDelegation {
  return AccessDelegation.forS3FileIO(io.s3, {
    vending: config.credentialVending,
    stsEndpoint: config.stsEndpoint,
    roleArn: config.stsRoleArn,
    durationSeconds: config.credentialDurationSeconds,
  });
}

/** Starts the server; resolves when it stops. */
export async function serve(config: Config): Promise<void> {
  const log = pino({ name: "aichemy" });
  const auth = authOptions(config);
  const crossSite = crossSiteOptions(config);
  const lakehouse = await openLakehouse(config);
  // Catalog calls on the event loop keep their CPU share while queries run.
  const stopSweep = keepWorkerThreadsDeprioritized();
  const delegation =
    lakehouse.store.io instanceof ResolvingFileIO ? accessDelegation(config, lakehouse.store.io) : undefined;
  const server = createHttpServer({
    lakehouse,
    log,
    auth,
    delegation,
    crossSite,
    queryLimits: {
      maxRows: config.queryMaxRows,
      maxBytes: config.queryMaxBytes,
      timeoutMs: config.queryTimeoutMs,
    },
  });
  if (isWildcardAddress(config.host) && config.serverNames.length === 0)
    log.warn(
      { host: config.host },
      "bound to every interface but no --server-name given: only requests addressed to localhost, 127.0.0.1 or [::1] are served; pass --server-name <the name clients use> (or '*')",
    );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  log.info(
    {
      dataDir: lakehouse.dataDir,
      catalog: config.catalog,
      store: lakehouse.store.dialect,
      url,
      auth: config.auth,
    },
    "AIchemy lakehouse ready",
  );
  process.stdout.write(
    `AIchemy lakehouse ready: data in ${lakehouse.dataDir}, catalog '${config.catalog}' (${lakehouse.store.dialect} store)\n` +
      `  REST catalog  ${url}/v1/config   (Iceberg REST; warehouses: ${[...lakehouse.catalogs.keys()].join(", ")})\n` +
      `  HTTP          ${url}/health   POST /api/v1/query {"sql": "..."}\n` +
      `  SQL           npx aichemy sql --data-dir ${config.dataDir}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      log.info({ running: lakehouse.admission.running, queued: lakehouse.admission.queued }, "shutting down");
      // Running and queued statements are canceled (DuckDB interrupted), so that nothing
      // keeps the process past a few seconds; a stuck one cannot either.
      lakehouse.cancelAll();
      server.close(() => resolve());
      server.closeAllConnections?.();
      setTimeout(() => {
        log.error(`still stopping after ${SHUTDOWN_GRACE_MS / 1000} s: exiting`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  stopSweep();
  delegation?.close();
  await lakehouse.close();
}

/** How long a stopping server may take before it exits anyway, in milliseconds. */
const SHUTDOWN_GRACE_MS = 10_000;
