/**
 * The HTTP server started by `aichemy serve` (Hono on Node's http server): `GET /health`;
 * the Iceberg REST catalog under `/v1` (see `rest/catalog-routes.ts`); and the query API
 * `GET /api/v1/tables`, `POST /api/v1/query` (see `query/query-routes.ts`: results stream
 * under limits, a client that leaves cancels its query). Routes only decode requests and call
 * the lakehouse or the catalog service. With auth on, everything but `/health`,
 * `/v1/config` and the token endpoint needs a bearer token. Every request first passes the
 * cross-site checks of `cross-site.ts` (Host, Origin, Sec-Fetch-Site, JSON bodies, CORS).
 */
import { createServer, type Server } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { Lakehouse } from "../engine/lakehouse.js";
import { AIchemyError, NotFoundError } from "../errors.js";
import { type CrossSiteOptions, crossSiteProtection } from "./cross-site.js";
import {
  installProtocolErrorAnswers,
  requestErrorResponse,
  requestHeadProblem,
  sendError,
} from "./http-protocol-errors.js";
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from "./query/query-limits.js";
import { queryRoutes } from "./query/query-routes.js";
import type { AccessDelegation } from "./rest/access-delegation.js";
import { Authenticator, type AuthOptions } from "./rest/auth.js";
import { restCatalogRoutes } from "./rest/catalog-routes.js";
import { RestCatalogService } from "./rest/catalog-service.js";
import { DEFAULT_MAX_BODY_BYTES, errorResponse, jsonResponse } from "./rest/http-kit.js";

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
  /** Caps and statement timeout of the query API (default {@link DEFAULT_QUERY_LIMITS}). */
  readonly queryLimits?: QueryLimits | undefined;
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

  app.route(
    "/",
    queryRoutes({ lakehouse, log, auth, maxBodyBytes, limits: opts.queryLimits ?? DEFAULT_QUERY_LIMITS }),
  );

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

/**
 * Creates (not yet listening) the Node HTTP server over a lakehouse. Requests refused below the
 * routes (unparsable, several `Host`s or none, an unmet `Expect`, CONNECT) are answered as
 * `IcebergErrorResponse`s too (see `http-protocol-errors.ts`).
 */
export function createHttpServer(opts: HttpServerOptions): Server {
  const app = createHttpApp(opts);
  const listener = getRequestListener(app.fetch, {
    errorHandler: (e) => requestErrorResponse(e, opts.log),
  });
  // Without Host, Node would answer a bare 400 itself: the listener refuses it as an ErrorModel.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    const problem = requestHeadProblem(req);
    if (problem) sendError(res, problem);
    else void listener(req, res);
  });
  installProtocolErrorAnswers(server);
  // Keep idle connections longer than clients' pools do (Node's default 5 s races a client
  // reusing a connection just as the server closes it: "other side closed").
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
