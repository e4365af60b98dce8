/**
 * Finding a Python with PyIceberg for interop tests: `AICHEMY_PYTHON` (set by .ci/run), else
 * `python3` when it can import pyiceberg. Tests skip with a message when none is found.
 */
import { spawn, spawnSync } from "node:child_process";

function works(python: string): boolean {
  const r = spawnSync(python, ["-c", "import pyiceberg, pyarrow, sqlalchemy"], { encoding: "utf8" });
  return r.status === 0;
}

/** The Python interpreter to use, or undefined. */
export const PYTHON: string | undefined = [process.env.AICHEMY_PYTHON, "python3"]
  .filter((p): p is string => !!p)
  .find(works);

/** `false` when PyIceberg is available, else a skip message. */
export const pyicebergSkip: false | string = PYTHON
  ? false
  : "PyIceberg not found: set AICHEMY_PYTHON to a Python with pyiceberg[pyarrow,sql-sqlite] (.ci/run installs one)";

/** Runs a Python script and parses the last line of its output as JSON. @throws Error with stderr on failure. */
export function runPython(script: string, args: string[]): unknown {
  const r = spawnSync(PYTHON!, [script, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

/**
 * Runs a Python script without blocking the event loop (needed when it talks to a server in
 * this process), with `env` added to the environment, and parses the last line of its output as JSON.
 * @throws Error with stderr on failure.
 */
export function runPythonAsync(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON!, [script, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(" ")} failed (${code}):\n${err}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1)!));
      } catch (e) {
        reject(new Error(`${script} printed no JSON: ${out}\n${err}`, { cause: e }));
      }
    });
  });
}
