#!/usr/bin/env node
/**
 * The `aichemy` executable. A CommonJS entry, so that it runs before anything uses libuv's
 * thread pool (Node's ESM loader reads files through it, and the pool's size is fixed when it
 * starts): it sizes the pool (`UV_THREADPOOL_SIZE`, default 64 instead of Node's 4) so that
 * DuckDB statements, which each hold a pool thread while they execute, leave threads for file
 * and DNS work (see `engine/execution/threadpool.ts`), then loads the CLI (`main.ts`).
 */
process.env.UV_THREADPOOL_SIZE ||= "64";
import("./main.js").catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exitCode = 1;
});
