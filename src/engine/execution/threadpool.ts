/**
 * libuv's worker pool as the engine sees it: DuckDB runs each statement on one of its
 * threads (`@duckdb/node-api` async work), and so do file reads, `stat`, DNS lookups and
 * crypto. The pool has `UV_THREADPOOL_SIZE` threads (default 4), fixed when it starts: the
 * `aichemy` executable sets 64 before anything runs (`cli/aichemy.cts`). Idle pool threads
 * cost next to nothing; a statement waiting for a thread costs its whole run.
 */

/** Threads in libuv's pool of this process (`UV_THREADPOOL_SIZE`, default 4, at most 1024). */
export function threadpoolSize(): number {
  const n = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * Default number of statements allowed to run at once: the pool less a quarter of it (at
 * least 2 threads) kept for file, DNS and catalog work: 2 with Node's default pool of 4, 48
 * with the executable's 64. Statements past it queue (see `query-admission.ts`), so the size
 * of the pool is what keeps small queries from waiting behind heavy ones.
 */
export function defaultMaxConcurrentStatements(poolSize = threadpoolSize()): number {
  return Math.max(1, poolSize - Math.max(2, Math.floor(poolSize / 4)));
}
