/**
 * Scheduling priority of a server's threads: the event loop's thread answers catalog calls
 * (loadTable, commits: latency-sensitive, milliseconds each), while libuv's pool threads run
 * DuckDB statements and DuckDB's own workers compute them (throughput work, seconds each). On a
 * machine with fewer cores than busy threads the kernel shares CPU evenly between them, so a
 * few heavy queries slowed every catalog call (measured with four: loadTable p50 160 ms, p99
 * near 1 s on 2 cores). Giving every thread but the main one a lower priority (a higher nice
 * value, Linux's per-thread `setpriority`) keeps the event loop's share and leaves the queries
 * all the CPU it does not use. Threads started later (DuckDB starts workers lazily) are
 * caught by a periodic sweep. Elsewhere than Linux this does nothing.
 */
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

/** Nice value given to worker threads (0 is normal, 19 the lowest priority). */
export const WORKER_NICE = 10;

/** Lowers the priority of every thread of this process but the main one; returns how many changed. */
export function deprioritizeWorkerThreads(nice = WORKER_NICE): number {
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return 0;
  }
  let changed = 0;
  for (const t of tids) {
    const tid = Number(t);
    if (tid === process.pid) continue;
    try {
      setPriority(tid, nice);
      changed++;
    } catch {
      // a thread that just ended, or a platform without per-thread priorities
    }
  }
  return changed;
}

/**
 * Keeps worker threads at a lower priority: now and every `intervalMs` (default 1 s) for
 * threads started since. Returns a function that stops the sweep.
 */
export function keepWorkerThreadsDeprioritized(intervalMs = 1000): () => void {
  deprioritizeWorkerThreads();
  const timer = setInterval(() => deprioritizeWorkerThreads(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
