/**
 * Limits of queries through the query API: a server-wide cap on rows and bytes per result and
 * a statement timeout, which a request may lower (never raise) for itself. A result past a
 * cap ends early with `"truncated": true`; a statement past its timeout fails with
 * `EXCEEDED_TIME_LIMIT`.
 */

/** Caps of one query (0 or Infinity: none). */
export interface QueryLimits {
  /** Most rows a result returns (default 1,000,000). */
  readonly maxRows: number;
  /** Most bytes of row JSON a result returns (default 256 MiB). */
  readonly maxBytes: number;
  /** Statement timeout in milliseconds, queueing included (default 1 hour). */
  readonly timeoutMs: number;
}

/** The server's defaults. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxRows: 1_000_000,
  maxBytes: 256 * 1024 * 1024,
  timeoutMs: 60 * 60 * 1000,
};

const capOf = (v: number) => (v > 0 && Number.isFinite(v) ? v : Number.POSITIVE_INFINITY);

/**
 * The limits of one request: the server's, lowered by the request's own (each undefined or a
 * positive number).
 */
export function requestLimits(
  server: QueryLimits,
  request: { maxRows?: number | undefined; maxBytes?: number | undefined; timeoutMs?: number | undefined },
): QueryLimits {
  const lower = (s: number, r: number | undefined) =>
    Math.min(capOf(s), r === undefined ? Infinity : capOf(r));
  return {
    maxRows: lower(server.maxRows, request.maxRows),
    maxBytes: lower(server.maxBytes, request.maxBytes),
    timeoutMs: lower(server.timeoutMs, request.timeoutMs),
  };
}
