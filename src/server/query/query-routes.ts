/**
 * The query API: `GET /api/v1/tables` (every table of every catalog) and `POST /api/v1/query`
 * (`{"sql": "...", "catalog"?, "schema"?, "maxRows"?, "maxBytes"?, "timeoutMs"?}`), whose
 * result streams back as one JSON document (see `json-result-stream.ts`) under the server's
 * limits (`query-limits.ts`). Every statement runs in a new session of the lakehouse: the
 * sandboxed engine path, admitted with every other statement, canceled when its client goes
 * away. Routes only decode and call the lakehouse. With auth on, a bearer token is needed; a
 * token scoped to some warehouses cannot use SQL (which reaches all of them), and a read-only
 * principal's session refuses every statement that writes.
 */
import { Hono } from "hono";
import type { Logger } from "pino";
import { z } from "zod";
import type { Lakehouse } from "../../engine/lakehouse.js";
import type { ResultBatch } from "../../engine/statement-stream.js";
import { ForbiddenError, ValidationError } from "../../errors.js";
import { namespaceToString } from "../../spec/identifier.js";
import type { Authenticator } from "../rest/auth.js";
import { errorResponse, jsonResponse, parseBody, readBodyText } from "../rest/http-kit.js";
import { jsonResultBody } from "./json-result-stream.js";
import { type QueryLimits, requestLimits } from "./query-limits.js";

/** Options of {@link queryRoutes}. */
export interface QueryRoutesOptions {
  readonly lakehouse: Lakehouse;
  readonly log: Logger;
  /** Who may query: bearer tokens when enabled; read-only principals may only read. */
  readonly auth: Authenticator;
  /** Largest accepted request body in bytes. */
  readonly maxBodyBytes: number;
  /** Server-wide caps and timeout (see {@link QueryLimits}). */
  readonly limits: QueryLimits;
}

const positiveInt = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** The body of `POST /api/v1/query`: no other field is accepted. */
export const QueryRequest = z.strictObject({
  sql: z.string().refine((s) => s.trim() !== "", "must be a non-empty string"),
  catalog: z.string().min(1).optional(),
  schema: z.string().min(1).optional(),
  maxRows: positiveInt.optional(),
  maxBytes: positiveInt.optional(),
  timeoutMs: positiveInt.optional(),
});

/**
 * Decodes a query request body.
 * @throws ValidationError naming the field at fault
 */
export function decodeQueryRequest(json: unknown): z.infer<typeof QueryRequest> {
  const r = QueryRequest.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.length > 0 ? `field '${issue.path.join(".")}'` : "request body";
  const message =
    issue.code === "unrecognized_keys"
      ? `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}; expected sql, catalog, schema, maxRows, maxBytes, timeoutMs`
      : issue.code === "invalid_type" && issue.path.length === 0
        ? "must be a JSON object"
        : issue.message;
  throw new ValidationError(`${field}: ${message}`);
}

/** The query API routes. */
export function queryRoutes(opts: QueryRoutesOptions): Hono<{ Variables: { readOnly: boolean } }> {
  const { lakehouse, log, auth } = opts;
  const app = new Hono<{ Variables: { readOnly: boolean } }>();

  app.use("/api/*", async (c, next) => {
    try {
      const principal = await auth.authenticate(c.req.header("authorization"));
      // SQL reaches every warehouse: a token scoped to some cannot use it.
      if (principal.warehouses !== undefined)
        throw new ForbiddenError(
          `the token of ${principal.name} is scoped to warehouse(s) ${principal.warehouses.join(", ")}: the query API needs a token of scope 'catalog'`,
        );
      c.set("readOnly", principal.readOnly);
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
    const body = decodeQueryRequest(parseBody(await readBodyText(c.req.raw, opts.maxBodyBytes)));
    const limits = requestLimits(opts.limits, body);
    // The client leaving (before or while the result streams) cancels the statement.
    const abort = new AbortController();
    const signal = AbortSignal.any([abort.signal, c.req.raw.signal]);
    const session = await lakehouse.session({
      catalog: body.catalog,
      schema: body.schema,
      readOnly: c.get("readOnly"),
    });
    let first: ResultBatch | undefined;
    let stream: Awaited<ReturnType<typeof session.stream>>;
    try {
      stream = await session.stream(body.sql, {
        signal,
        timeoutMs: Number.isFinite(limits.timeoutMs) ? limits.timeoutMs : undefined,
      });
      try {
        first = await stream.next();
      } catch (e) {
        stream.close();
        throw e;
      }
    } catch (e) {
      session.close();
      log.info(
        { path: "/api/v1/query", ms: Date.now() - started, err: (e as Error).message },
        "query failed",
      );
      throw e;
    }
    const body$ = jsonResultBody(
      stream,
      first,
      limits,
      () => abort.abort(),
      (outcome) => {
        session.close();
        log.info(
          {
            path: "/api/v1/query",
            ms: Date.now() - started,
            rows: outcome.rowCount,
            bytes: outcome.bytes,
            truncated: outcome.truncated,
            abandoned: outcome.abandoned,
            err: outcome.error instanceof Error ? outcome.error.message : undefined,
          },
          "query",
        );
      },
    );
    return new Response(body$, { status: 200, headers: { "content-type": "application/json" } });
  });
  return app;
}
