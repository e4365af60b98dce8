/**
 * The HTTP server started by `aichemy serve` (Hono on Node's http server): `GET /health`;
 * the Iceberg REST catalog under `/v1` (see `rest/catalog-routes.ts`); and the query API
 * `GET /api/v1/tables`, `POST /api/v1/query` (`{"sql": "...", "catalog"?: "...",
 * "schema"?: "..."}` -> columns, rows, update type and count). Routes only decode requests
 * and call the lakehouse or the catalog service. With auth on, everything but `/health`,
 * `/v1/config` and the token endpoint needs a bearer token. Every request first passes the
 * cross-site checks of `cross-site.ts` (Host, Origin, Sec-Fetch-Site, JSON bodies, CORS).
 */
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "pino";
import { jsonValue } from "../duckdb/values.js";
import type { Lakehouse } from "../engine/lakehouse.js";
import { AIchemyError, ForbiddenError, NotFoundError, ValidationError } from "../errors.js";
import { namespaceToString } from "../spec/identifier.js";
import { type CrossSiteOptions, crossSiteProtection } from "./cross-site.js";
import type { AccessDelegation } from "./rest/access-delegation.js";
import { Authenticator, type AuthOptions } from "./rest/auth.js";
import { restCatalogRoutes } from "./rest/catalog-routes.js";
import { RestCatalogService } from "./rest/catalog-service.js";
import {
  DEFAULT_MAX_BODY_BYTES,
  errorResponse,
  jsonResponse,
  parseBody,
  readBodyText,
} from "./rest/http-kit.js";

/** Options of {@link createHttpApp}. */
export interface HttpServerOptions {
  readonly lakehouse: Lakehouse;
  readonly log: Logger;
  /** Authentication (default: off, every request anonymous). */
  readonly auth?: AuthOptions | undefined;
  /** Largest accepted request body in bytes (default 10 MiB). */
  readonly maxBodyBytes?: number | undefined;
  /** Vended credentials and remote signing for S3 tables (default: none). */
  readonly delegation?: AccessDelegation | undefined;
  /** Host names and CORS origins (default: loopback names only, no CORS); see `cross-site.ts`. */
  readonly crossSite?: CrossSiteOptions | undefined;
}

/** The Hono application of the server (usable with `app.request()` in-process). */
export function createHttpApp(opts: HttpServerOptions): Hono {
  const { lakehouse, log } = opts;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const auth = new Authenticator(opts.auth ?? { enabled: false });
  const service = new RestCatalogService({
    store: lakehouse.store,
    defaultWarehouse: lakehouse.defaultCatalog,
  });
  const app = new Hono();

  app.use("*", crossSiteProtection(opts.crossSite));
  app.get("/health", (c) => c.json({ status: "ok" }));

  app.route("/", restCatalogRoutes({ service, auth, log, maxBodyBytes, delegation: opts.delegation }));

  app.use("/api/*", async (c, next) => {
    try {
      const principal = await auth.authenticate(c.req.header("authorization"));
      // SQL reaches every warehouse: a token scoped to some cannot use it.
      if (principal.warehouses !== undefined)
        throw new ForbiddenError(
          `the token of ${principal.name} is scoped to warehouse(s) ${principal.warehouses.join(", ")}: the query API needs a token of scope 'catalog'`,
        );
    } catch (e) {
      return errorResponse(e);
    }
    await next();
  });

  app.get("/api/v1/tables", async () => {
    const out: { catalog: string; schema: string; table: string }[] = [];
    for (const [name, catalog] of lakehouse.catalogs) {
      for (const ns of await catalog.listNamespaces()) {
        for (const t of await catalog.listTables(ns))
          out.push({ catalog: name, schema: namespaceToString(ns), table: t.name });
      }
    }
    return jsonResponse(200, { tables: out });
  });

  app.post("/api/v1/query", async (c) => {
    const started = Date.now();
    const body = parseBody(await readBodyText(c.req.raw, maxBodyBytes)) as {
      sql?: unknown;
      catalog?: unknown;
      schema?: unknown;
    };
    if (typeof body !== "object" || body === null)
      throw new ValidationError("request body must be a JSON object");
    if (typeof body.sql !== "string" || body.sql.trim() === "")
      throw new ValidationError("field 'sql' must be a non-empty string");
    const session = await lakehouse.session({
      catalog: typeof body.catalog === "string" ? body.catalog : undefined,
      schema: typeof body.schema === "string" ? body.schema : undefined,
    });
    try {
      const r = await session.execute(body.sql);
      log.info({ path: "/api/v1/query", ms: Date.now() - started }, "query");
      return jsonResponse(200, {
        columns: r.columns,
        rows: r.rows.map((row) => row.map((v) => jsonValue(v))),
        updateType: r.updateType,
        updateCount: r.updateCount,
      });
    } finally {
      session.close();
    }
  });

  app.notFound((c) => errorResponse(new NotFoundError(`no route for ${c.req.method} ${c.req.path}`)));
  app.onError((e, c) => {
    if (e instanceof AIchemyError) return errorResponse(e);
    if (c.req.path.startsWith("/api/")) {
      // DuckDB execution errors are the client's query errors.
      return jsonResponse(400, { error: { message: e.message, type: "QueryError", code: 400 } });
    }
    log.error({ err: e, path: c.req.path }, "request failed");
    return errorResponse(e);
  });
  return app;
}

/** Creates (not yet listening) the Node HTTP server over a lakehouse. */
export function createHttpServer(opts: HttpServerOptions): Server {
  const app = createHttpApp(opts);
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  // Keep idle connections longer than clients' pools do (Node's default 5 s races a client
  // reusing a connection just as the server closes it: "other side closed").
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
