/**
 * A lock file shared by concurrent test processes (installing Spark, Trino, ... once): created
 * exclusively with the owner's pid; a lock whose owner died is stale and taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process with this pid is running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `fn` holding the lock file `lock` (waits up to 30 minutes for another holder).
 * @throws Error when the wait times out
 */
export async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number.parseInt(readFileSync(lock, "utf8") || "0", 10);
      // An empty file is a lock being written right now; a dead owner's lock is stale.
      if (owner && !alive(owner)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
