/**
 * `aichemy serve` as a separate process (so the server has its own event loop and core):
 * started on a free port, stopped with SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const MAIN = join(import.meta.dirname, "../../src/cli/aichemy.cts");

/** A running `aichemy serve`. */
export interface ServeProcess {
  readonly uri: string;
  readonly process: ChildProcess;
  /** Everything the server wrote to stderr/stdout so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `aichemy [globalArgs] serve --port 0 [serveArgs]` and waits for its URL; `main` is
 * another entry point to run (e.g. an earlier version's, for a benchmark's reference).
 */
export async function startServeProcess(
  globalArgs: string[],
  serveArgs: string[] = [],
  main = MAIN,
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.AICHEMY_SERVE_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      "--import",
      import.meta.resolve("tsx"),
      main,
      ...globalArgs,
      "serve",
      "--port",
      "0",
      ...serveArgs,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      // AICHEMY_SERVE_NODE_ARGS are node flags for the server only (e.g. --cpu-prof). tsx's
      // loader uses libuv's pool before the entry runs, so the pool size the executable
      // would set (cli/aichemy.cts) is given here.
      env: {
        ...process.env,
        AICHEMY_PORT: undefined,
        UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE || "64",
      },
    },
  );
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`aichemy serve did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = /REST catalog\s+(http:\/\/[^/\s]+)\/v1\/config/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`aichemy serve exited with ${code}:\n${out}`));
    });
  });
  return {
    uri,
    process: child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}
