/**
 * An HTTP proxy in front of a real S3 server for fault tests: it forwards every request
 * unchanged (SigV4 signatures stay valid: the Host header is passed through) until told to
 * fail, then destroys every connection, like a store that went away mid-write. It can also
 * trip itself on the first request matching a predicate (e.g. the first metadata upload).
 */
import { createServer, type IncomingMessage, request, type Server } from "node:http";

/** A running proxy. */
export interface S3Proxy {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Requests seen so far, as `METHOD path`. */
  readonly seen: string[];
  /** From now on every request fails (connection destroyed). */
  goAway(): void;
  /** Forward requests again. */
  comeBack(): void;
  /** Answers the next `n` requests with 503 SlowDown (S3's throttling answer) without forwarding them. */
  throttle(n: number): void;
  /** Requests answered 503 so far. */
  readonly throttled: () => number;
  /** Goes away at the first request for which `when` is true (that request fails too). */
  tripOn(when: (req: IncomingMessage) => boolean): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an S3 endpoint URL). */
export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const t = new URL(target);
  let down = false;
  let trip: ((req: IncomingMessage) => boolean) | undefined;
  let toThrottle = 0;
  let throttled = 0;
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (!down && trip?.(req)) {
      down = true;
      trip = undefined;
    }
    if (down) {
      req.socket.destroy();
      return;
    }
    if (toThrottle > 0) {
      toThrottle--;
      throttled++;
      req.resume();
      res.writeHead(503, { "content-type": "application/xml" });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    goAway: () => {
      down = true;
    },
    comeBack: () => {
      down = false;
    },
    throttle: (n) => {
      toThrottle = n;
    },
    throttled: () => throttled,
    tripOn: (when) => {
      trip = when;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
