/**
 * A raw HTTP/1.1 client over `node:net` for the fuzz suite: it sends exactly the bytes it is
 * given (fetch and `node:http` would normalise bad encodings, chunking, lengths and headers),
 * optionally in pieces with pauses and with the write side closed afterwards, and reads one
 * response: status line, headers, and a body framed by `Content-Length`, `chunked`, or the
 * connection closing (RFC 9112 section 6.3).
 */
import { connect } from "node:net";

/** A response read from the socket. */
export interface RawResponse {
  /** HTTP status; 0 when the server closed the connection without answering. */
  readonly status: number;
  /** Header names in lower case (repeated headers joined with `, `). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body after de-chunking. */
  readonly body: Buffer;
  /** Every byte the server sent, for messages. */
  readonly bytes: Buffer;
}

/** How to send a request (see {@link rawRequest}). */
export interface RawSendOptions {
  /** Pieces sent one after the other, `pauseMs` apart (default: one write). */
  readonly pieces?: readonly Buffer[] | undefined;
  /** Pause between pieces in milliseconds (default 5). */
  readonly pauseMs?: number | undefined;
  /** Close the write side after sending (the server then sees the end of the stream). */
  readonly halfClose?: boolean | undefined;
  /** Give up after this many milliseconds (default 30000): the answer is then an error. */
  readonly timeoutMs?: number | undefined;
}

/** Where a response's header block ends, or -1. */
const headerEnd = (b: Buffer) => b.indexOf("\r\n\r\n");

/**
 * Parses one HTTP/1.1 response from `bytes` (all bytes the server sent before closing).
 * @throws Error naming what is malformed (no status line, truncated chunk)
 */
export function parseResponse(received: Buffer, method: string): RawResponse {
  let bytes = received;
  if (bytes.length === 0) return { status: 0, headers: {}, body: Buffer.alloc(0), bytes };
  // Interim 1xx responses (100 Continue) come before the final one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 13).toString("latin1"))) {
    const interim = headerEnd(bytes);
    if (interim < 0) break;
    bytes = bytes.subarray(interim + 4);
  }
  const end = headerEnd(bytes);
  if (end < 0) throw new Error(`response has no complete header block: ${JSON.stringify(bytes.toString())}`);
  const lines = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
  if (!m) throw new Error(`bad status line ${JSON.stringify(lines[0])}`);
  const status = Number(m[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = bytes.subarray(end + 4);
  if (method === "HEAD" || status === 204 || status === 304)
    return { status, headers, body: Buffer.alloc(0), bytes };
  if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf("\r\n", at);
      if (eol < 0) throw new Error("chunked response truncated (no chunk size line)");
      const size = Number.parseInt(rest.subarray(at, eol).toString("latin1").split(";")[0]!, 16);
      if (!Number.isFinite(size)) throw new Error("chunked response has a bad chunk size");
      if (size === 0) break;
      if (eol + 2 + size > rest.length) throw new Error("chunked response truncated (short chunk)");
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    return { status, headers, body: Buffer.concat(parts), bytes };
  }
  const length = headers["content-length"];
  if (length !== undefined) {
    const n = Number(length);
    if (rest.length < n) throw new Error(`response body truncated: ${rest.length} of ${n} bytes`);
    return { status, headers, body: rest.subarray(0, n), bytes };
  }
  return { status, headers, body: rest, bytes };
}

/**
 * Sends `request` (or `opts.pieces`) on a new connection to `port` on 127.0.0.1 and resolves
 * with the response once the server closes the connection (requests should say `Connection:
 * close`), or once a complete response has arrived and the connection stays idle for 50 ms.
 * A connection reset after a complete response (a server that answers a too-large body
 * before reading it) still yields that response.
 * @throws Error on timeout, or when the bytes received are not one HTTP response
 */
export function rawRequest(
  port: number,
  method: string,
  request: Buffer,
  opts: RawSendOptions = {},
): Promise<RawResponse> {
  const pieces = opts.pieces ?? [request];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const socket = connect({ port, host: "127.0.0.1" });
    const finish = (err?: Error) => {
      if (settled) return;
      const bytes = Buffer.concat(chunks);
      let parsed: RawResponse | undefined;
      let parseError: Error | undefined;
      try {
        parsed = parseResponse(bytes, method);
      } catch (e) {
        parseError = e as Error;
      }
      // A reset or timeout before a complete response is the error; after one, the response.
      if (err && !parsed) return fail(err);
      settled = true;
      clearTimeout(timer);
      clearTimeout(idle);
      socket.destroy();
      if (parsed) resolve(parsed);
      else reject(parseError);
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(idle);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new Error(
            `no complete response within ${opts.timeoutMs ?? 30_000} ms; received ${JSON.stringify(Buffer.concat(chunks).toString("latin1").slice(0, 300))}`,
          ),
        ),
      opts.timeoutMs ?? 30_000,
    );
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      clearTimeout(idle);
      idle = setTimeout(() => {
        try {
          parseResponse(Buffer.concat(chunks), method);
          finish();
        } catch {
          // not complete yet
        }
      }, 50);
    });
    socket.on("end", () => finish());
    socket.on("close", () => finish());
    socket.on("error", (e) => finish(e));
    socket.on("connect", async () => {
      try {
        for (let i = 0; i < pieces.length; i++) {
          if (i > 0) await new Promise((r) => setTimeout(r, opts.pauseMs ?? 5));
          if (socket.destroyed) return;
          await new Promise<void>((res) => socket.write(pieces[i]!, () => res()));
        }
        if (opts.halfClose && !socket.destroyed) socket.end();
      } catch {
        // the server closed first: its answer decides
      }
    });
  });
}
