/**
 * Answers to requests refused below the routes, in the `IcebergErrorResponse` shape like every
 * other error of the server (Node answers them with a bare status line and no body by
 * default):
 *
 * - requests Node's HTTP parser cannot read (`clientError`): a malformed request line or
 *   header, broken chunking, a `Content-Length` that is not a number or conflicts with
 *   `Transfer-Encoding`, a body that ends before its declared length: 400; a request head
 *   over Node's limit: 431; chunk extensions over the limit: 413; a request not received in
 *   time: 408 (Node's own choice of status for each, RFC 9112);
 * - an `Expect` other than `100-continue`: 417 (RFC 9110 section 10.1.1);
 * - `CONNECT`: 405, no route serves it (Node closes the connection without a word otherwise);
 * - requests `@hono/node-server` cannot turn into a `Request`: no `Host`, an invalid one, a
 *   `\` in the path, an unusable target: 400 (RFC 9112 section 3.2: a request without `Host`
 *   is a 400);
 * - more than one `Host` header: 400 (RFC 9112 section 3.2; Node keeps the first one, so a
 *   second one could otherwise smuggle a name past the Host check of `cross-site.ts`).
 */
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { RequestError } from "@hono/node-server";
import type { Logger } from "pino";
import { type AIchemyError, HttpProtocolError, ValidationError } from "../errors.js";
import { errorResponse } from "./rest/http-kit.js";

/** The JSON body of an error response. */
function errorBody(e: AIchemyError): string {
  return JSON.stringify({ error: { message: e.message, type: e.restType, code: e.httpStatus } });
}

/** A whole HTTP/1.1 response carrying `e` as an ErrorModel, closing the connection. */
export function rawErrorResponse(e: AIchemyError): Buffer {
  const body = Buffer.from(errorBody(e));
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.1 ${e.httpStatus} ${STATUS_CODES[e.httpStatus] ?? "Error"}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    ),
    body,
  ]);
}

/** A Node parser error as passed to `clientError` (`code` such as `HPE_INVALID_METHOD`). */
interface ParserError extends Error {
  readonly code?: string;
  readonly reason?: string;
}

/** The refusal of a request Node's parser could not read. */
export function parserErrorOf(e: ParserError): HttpProtocolError {
  const what = `${e.code ?? "error"}: ${e.reason ?? e.message}`;
  switch (e.code) {
    case "HPE_HEADER_OVERFLOW":
      return new HttpProtocolError(`request head too large (${what})`, 431);
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new HttpProtocolError(`chunk extensions too large (${what})`, 413);
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new HttpProtocolError(`request not received in time (${what})`, 408);
    default:
      return new HttpProtocolError(`malformed HTTP request (${what})`);
  }
}

/**
 * The refusal of a request's head that passed Node's parser but that no route may see (more
 * than one `Host`), or undefined.
 */
export function requestHeadProblem(req: IncomingMessage): HttpProtocolError | undefined {
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === "host") hosts++;
  if (hosts > 1)
    return new HttpProtocolError(
      `the request has ${hosts} Host headers: exactly one is allowed (RFC 9112 3.2)`,
    );
  return undefined;
}

/** Sends an error on a response that has not started. */
export function sendError(res: ServerResponse, e: AIchemyError): void {
  res.writeHead(e.httpStatus, { "content-type": "application/json", connection: "close" });
  res.end(errorBody(e));
}

/**
 * The response to an error `@hono/node-server` raises while turning a request into a
 * `Request` (`RequestError`: no or invalid `Host`, a `\` in the path, a bad target): a 400
 * naming it; any other error is a logged 500.
 */
export function requestErrorResponse(e: unknown, log: Logger): Response {
  if (e instanceof RequestError)
    return errorResponse(new ValidationError(`invalid request: ${e.message}`, { cause: e }));
  return errorResponse(e, (err) => log.error({ err }, "request failed before routing"));
}

/** Writes `e` on a raw socket unless a response already started on it, then closes it. */
function answerOnSocket(socket: Duplex, e: AIchemyError): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) socket.end(rawErrorResponse(e));
  // Whatever was written, the connection is over: its framing is lost.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Installs the `clientError`, `checkExpectation` and `connect` answers on a server. */
export function installProtocolErrorAnswers(server: Server): void {
  server.on("clientError", (e: ParserError, socket: Duplex) => {
    if (e.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    answerOnSocket(socket, parserErrorOf(e));
  });
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) =>
    sendError(
      res,
      new HttpProtocolError(
        `Expect: ${req.headers.expect} cannot be met: only 100-continue is supported (RFC 9110 10.1.1)`,
        417,
      ),
    ),
  );
  server.on("connect", (_req: IncomingMessage, socket: Duplex) =>
    answerOnSocket(socket, new HttpProtocolError("CONNECT is not served: this is not a proxy", 405)),
  );
}
