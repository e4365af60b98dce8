/**
 * libuv's worker pool as the engine sees it: DuckDB runs each statement on one of its
 * threads (`@duckdb/node-api` async work), and so do file reads, `stat`, DNS lookups and
 * crypto. The pool has `UV_THREADPOOL_SIZE` threads (default 4), fixed when it starts: the
 * `aichemy` executable sets 16 before anything runs (`cli/aichemy.cts`).
 */

/** Threads in libuv's pool of this process (`UV_THREADPOOL_SIZE`, default 4, at most 1024). */
export function threadpoolSize(): number {
  const n = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * Default number of statements allowed to run at once: half the pool (at least 1, at most 8),
 * leaving the other half to file and catalog work (2 with Node's default pool, 8 with the
 * executable's 16).
 */
export function defaultMaxConcurrentStatements(poolSize = threadpoolSize()): number {
  return Math.max(1, Math.min(8, Math.floor(poolSize / 2)));
}
