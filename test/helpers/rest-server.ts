/**
 * Our REST catalog server for tests: a lakehouse in a temporary directory (SQLite store, or
 * PostgreSQL when `catalogUrl` is given) served on a free loopback port.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Logger, pino } from "pino";
import { RestCatalog } from "../../src/catalog/rest/rest-catalog.js";
import type { Warehouse } from "../../src/catalog/sql/warehouses.js";
import { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import type { ResolvingFileIO } from "../../src/io/resolving-file-io.js";
import type { S3Options } from "../../src/io/s3-file-io.js";
import type { CrossSiteOptions } from "../../src/server/cross-site.js";
import { createHttpServer } from "../../src/server/http-server.js";
import type { QueryLimits } from "../../src/server/query/query-limits.js";
import { AccessDelegation, type AccessDelegationOptions } from "../../src/server/rest/access-delegation.js";
import type { AuthOptions } from "../../src/server/rest/auth.js";
import { stringifyJson } from "../../src/spec/json.js";

/** A running server. */
export interface TestRestServer {
  /** Base URI, e.g. `http://127.0.0.1:40123`. */
  readonly uri: string;
  readonly lakehouse: Lakehouse;
  readonly dir: string;
  /** Location of the default warehouse (`file:` URI). */
  readonly warehouse: string;
  stop(): Promise<void>;
}

/** Starts a server. */
export async function startRestServer(
  opts: {
    catalogUrl?: string;
    auth?: AuthOptions;
    maxBodyBytes?: number;
    threads?: number;
    /** Further warehouses (e.g. on S3) and how to reach S3. */
    warehouses?: Warehouse[];
    s3?: S3Options;
    /** Access delegation settings besides `s3` (vending mode, STS); signing is always on. */
    delegation?: Omit<AccessDelegationOptions, "s3" | "credentials">;
    /** Server names and CORS origins (default: loopback names only, no CORS). */
    crossSite?: CrossSiteOptions;
    /** The server's logger (default: silent, or `AICHEMY_TEST_LOG`'s level). */
    log?: Logger;
    /** Lets SQL read local files outside the lakehouse (default false: the SQL sandbox). */
    localFileAccess?: boolean;
    /** Caps and timeout of the query API (default: the server's defaults). */
    queryLimits?: QueryLimits;
    /** DuckDB memory limit, e.g. `200MB`. */
    memoryLimit?: string;
    /** Most statements running at once (default: from the thread pool). */
    maxConcurrentStatements?: number;
  } = {},
): Promise<TestRestServer> {
  const dir = mkdtempSync(join(tmpdir(), "rest-server-"));
  const lakehouse = await Lakehouse.open({
    dataDir: dir,
    catalogUrl: opts.catalogUrl,
    threads: opts.threads ?? 2,
    warehouses: opts.warehouses,
    s3: opts.s3,
    localFileAccess: opts.localFileAccess,
    memoryLimit: opts.memoryLimit,
    maxConcurrentStatements: opts.maxConcurrentStatements,
  });
  const delegation = AccessDelegation.forS3FileIO(
    (lakehouse.store.io as ResolvingFileIO).s3,
    opts.delegation,
  );
  const server: Server = createHttpServer({
    lakehouse,
    log: opts.log ?? pino({ level: process.env.AICHEMY_TEST_LOG ?? "silent" }),
    auth: opts.auth,
    maxBodyBytes: opts.maxBodyBytes,
    delegation,
    crossSite: opts.crossSite,
    queryLimits: opts.queryLimits,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const warehouse = (await lakehouse.store.warehouses()).find(
    (w) => w.name === lakehouse.defaultCatalog,
  )!.location;
  return {
    uri: `http://127.0.0.1:${port}`,
    lakehouse,
    dir,
    warehouse,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      delegation.close();
      await lakehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A second lakehouse that reaches a server only through our REST client, as catalog `rest`. */
export interface RestClientLakehouse {
  readonly lakehouse: Lakehouse;
  /** A session whose default catalog is `rest`. */
  readonly session: Session;
  close(): Promise<void>;
}

/**
 * Opens a {@link RestClientLakehouse} on `server` (data in `<server.dir>/<opts.name>`, default
 * `client`), with an OAuth2 `credential` (`id:secret`) or a static bearer `token`; `opts.uri`
 * reaches the server another way (e.g. through a proxy); `opts.warehouse` picks a warehouse.
 */
export async function openRestClient(
  server: TestRestServer,
  auth: { credential?: string; token?: string } = {},
  opts: { uri?: string; name?: string; warehouse?: string } = {},
): Promise<RestClientLakehouse> {
  const rest = await RestCatalog.open({
    name: "rest",
    uri: opts.uri ?? server.uri,
    warehouse: opts.warehouse,
    ...auth,
  });
  const lakehouse = await Lakehouse.open({
    dataDir: join(server.dir, opts.name ?? "client"),
    catalogs: new Map([["rest", rest]]),
    threads: 2,
  });
  const session = await lakehouse.session({ catalog: "rest" });
  return {
    lakehouse,
    session,
    close: async () => {
      session.close();
      await lakehouse.close();
    },
  };
}

/** An HTTP answer of {@link restCall}: the status, the body parsed as JSON (else its text), the headers. */
export interface RestAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the server answered.
  readonly body: any;
  readonly headers: Headers;
}

/**
 * One request to a test server: `body` is sent as is when a string, else as JSON (with
 * `content-type: application/json`; none without a body); `token` becomes a bearer
 * `authorization` header; `headers` are added last.
 */
export async function restCall(
  server: { readonly uri: string },
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<RestAnswer> {
  const res = await fetch(`${server.uri}${path}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body:
      opts.body === undefined
        ? undefined
        : typeof opts.body === "string"
          ? opts.body
          : stringifyJson(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: res.status, body, headers: res.headers };
}
