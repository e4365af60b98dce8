/**
 * Server processes started by tests (Trino, MinIO, versitygw): spawned with output to a log
 * file, not keeping the event loop alive, and never left behind: they are killed (and their
 * working directory removed) by `stop()`, when this process exits or is signalled, and by a
 * small watchdog shell when this process dies without running exit handlers (SIGKILL).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";

/** A running server process. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Why the process is gone (`exited with 1`, `failed to start: ...`), or undefined while it runs. */
  exited(): string | undefined;
  /** The last 40 lines of its log. */
  logTail(): string;
  /**
   * Stops it: SIGTERM, then SIGKILL after `killAfterMs`; then removes its directory.
   * Safe to call more than once.
   */
  stop(killAfterMs: number): Promise<void>;
}

/** Options of {@link startServiceProcess}. */
export interface ServiceProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** Working directory, removed when the process is stopped. */
  readonly dir: string;
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** File that receives stdout and stderr (appended to). */
  readonly logFile: string;
  /** Run in its own process group and signal the whole group (servers that start children). */
  readonly group?: boolean | undefined;
}

const running = new Map<ChildProcess, { dir: string; group: boolean }>();
let hooked = false;

function signal(child: ChildProcess, group: boolean, sig: NodeJS.Signals): void {
  try {
    if (group) process.kill(-child.pid!, sig);
    else child.kill(sig);
  } catch {
    // already gone
  }
}

function killAllSync(): void {
  for (const [child, { dir, group }] of running) {
    signal(child, group, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
  running.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAllSync);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      killAllSync();
      process.kill(process.pid, sig);
    });
  }
}

/** Starts a server process (see the module comment for how it is cleaned up). */
export function startServiceProcess(opts: ServiceProcessOptions): ServiceProcess {
  const group = opts.group ?? false;
  const logFd = openSync(opts.logFile, "a");
  const child = spawn(opts.command, [...opts.args], {
    cwd: opts.dir,
    stdio: ["ignore", logFd, logFd],
    detached: group,
    ...(opts.env ? { env: opts.env } : {}),
  });
  closeSync(logFd);
  // Don't keep the event loop alive for the server: a forgotten stop() is handled at exit.
  child.unref();
  hookExit();
  running.set(child, { dir: opts.dir, group });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, sig) => {
      exited = `exited with ${sig ?? code}`;
      running.delete(child);
      resolve();
    }),
  );
  child.once("error", (e) => {
    exited = `failed to start: ${e.message}`;
  });
  if (child.pid) {
    const target = group ? `-${child.pid}` : `${child.pid}`;
    spawn(
      "sh",
      [
        "-c",
        `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 2; done; ` +
          `kill -9 ${target} 2>/dev/null; rm -rf '${opts.dir}'`,
      ],
      { detached: true, stdio: "ignore" },
    ).unref();
  }
  let stopped = false;
  return {
    child,
    exited: () => exited,
    logTail: () => {
      try {
        return readFileSync(opts.logFile, "utf8").split("\n").slice(-40).join("\n");
      } catch {
        return "(no log)";
      }
    },
    stop: async (killAfterMs) => {
      if (stopped) return;
      stopped = true;
      if (!exited) {
        signal(child, group, "SIGTERM");
        const timer = setTimeout(() => signal(child, group, "SIGKILL"), killAfterMs);
        await exit;
        clearTimeout(timer);
      }
      running.delete(child);
      rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}
