/**
 * The HTTP server started by `aichemy serve`. Routes only decode requests and call the
 * lakehouse: `GET /health`, `GET /api/v1/tables`, `POST /api/v1/query` (`{"sql": "...",
 * "catalog"?: "...", "schema"?: "..."}` -> columns, rows, update type and count). Later
 * issues add the Iceberg REST catalog and the client protocols beside these routes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { jsonValue } from "../duckdb/values.js";
import type { Lakehouse } from "../engine/lakehouse.js";
import { AIchemyError, ValidationError } from "../errors.js";
import { namespaceToString } from "../spec/identifier.js";

/** Largest accepted request body, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ValidationError(`request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) =>
    typeof v === "bigint" ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v,
  );
  res.writeHead(status, { "content-type": "application/json" });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof AIchemyError) {
    send(res, e.httpStatus, {
      error: { message: e.message, type: e.restType, code: e.httpStatus, errorCode: e.code },
    });
    return;
  }
  // DuckDB execution errors are the client's query errors.
  send(res, 400, { error: { message: (e as Error)?.message ?? String(e), type: "QueryError", code: 400 } });
}

/** Creates (not yet listening) the HTTP server over a lakehouse. */
export function createHttpServer(lakehouse: Lakehouse, log: Logger): Server {
  return createServer(async (req, res) => {
    const started = Date.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (req.method === "GET" && url.pathname === "/health") return send(res, 200, { status: "ok" });
      if (req.method === "GET" && url.pathname === "/api/v1/tables") {
        const out: { catalog: string; schema: string; table: string }[] = [];
        for (const [name, catalog] of lakehouse.catalogs) {
          for (const ns of await catalog.listNamespaces()) {
            for (const t of await catalog.listTables(ns))
              out.push({ catalog: name, schema: namespaceToString(ns), table: t.name });
          }
        }
        return send(res, 200, { tables: out });
      }
      if (req.method === "POST" && url.pathname === "/api/v1/query") {
        let body: { sql?: unknown; catalog?: unknown; schema?: unknown };
        try {
          body = JSON.parse(await readBody(req));
        } catch (e) {
          if (e instanceof AIchemyError) throw e;
          throw new ValidationError(`request body is not valid JSON: ${(e as Error).message}`);
        }
        if (typeof body.sql !== "string" || body.sql.trim() === "")
          throw new ValidationError("field 'sql' must be a non-empty string");
        const session = await lakehouse.session({
          catalog: typeof body.catalog === "string" ? body.catalog : undefined,
          schema: typeof body.schema === "string" ? body.schema : undefined,
        });
        try {
          const r = await session.execute(body.sql);
          send(res, 200, {
            columns: r.columns,
            rows: r.rows.map((row) => row.map((v) => jsonValue(v))),
            updateType: r.updateType,
            updateCount: r.updateCount,
          });
        } finally {
          session.close();
        }
        log.info({ path: url.pathname, ms: Date.now() - started }, "query");
        return;
      }
      send(res, 404, {
        error: {
          message: `no route for ${req.method} ${url.pathname}`,
          type: "NotFoundException",
          code: 404,
        },
      });
    } catch (e) {
      log.warn({ path: url.pathname, err: (e as Error).message }, "request failed");
      sendError(res, e);
    }
  });
}
