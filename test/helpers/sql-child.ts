/**
 * What the Spark and Flink harnesses (spark.ts, flink.ts) share: a JVM SQL engine driven by a
 * Python script (pyspark, PyFlink) that runs in a child process and answers batches of statements
 * over a line protocol on stdin and stdout.
 *
 *   - finding a JDK of the right major version (`findJava`)
 *   - installing the engine's Python package into a virtualenv and its jars from Maven, once and
 *     under a lock shared by concurrent test processes (`pythonSkip`, `installPythonEngine`)
 *   - a class-data-sharing archive that makes later JVMs start faster (`classDataSharing`)
 *   - the child process and its protocol (`startSqlChild`): the script is started as
 *     `python <script> <scratch>/job.json`, prints `AICHEMY_<TAG>_READY` once it is ready, then
 *     reads one `{"statements": [...]}` line per batch from stdin and answers each with one
 *     `AICHEMY_<TAG>_RESULT [...]` or `AICHEMY_<TAG>_ERROR {...}` line; it exits at end of input.
 *     The Python side of this protocol is test/interop/sql_protocol.py.
 *   - the catalog options both take (`IcebergCatalogOptions`), and the self-test and CI warm-up run
 *     by `node --import tsx test/helpers/<engine>.ts` (`runSelfTest`, `warmUp`)
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseJson } from "../../src/spec/json.js";
import { withLock } from "./file-lock.js";
import { downloadVerified } from "./maven-download.js";

// ---------------------------------------------------------------------------------------------
// Java

/** The major version of a `java` binary (from its JDK's `release` file, else `java -version`), or undefined. */
export function javaMajor(bin: string): number | undefined {
  try {
    const release = join(dirname(dirname(realpathSync(bin))), "release");
    const m = /^JAVA_VERSION="(\d+)/m.exec(readFileSync(release, "utf8"));
    if (m) return Number(m[1]);
  } catch {
    // no release file (or a bare "java"): ask the binary
  }
  const r = spawnSync(bin, ["-version"], { encoding: "utf8", timeout: 20_000 });
  const m = r.status === 0 ? /version "(?:1\.)?(\d+)/.exec(r.stderr) : null;
  return m ? Number(m[1]) : undefined;
}

/** Which Java an engine runs on, for `findJava`. */
export interface JavaRequirement {
  /** Who needs it, for the skip message, e.g. `Spark` or `Flink 2.1.3`. */
  name: string;
  /** The environment variable that names the Java to use (a java binary or a JDK directory). */
  envVar: string;
  /** Lowest major version. */
  min: number;
  /** Highest major version; default none. */
  max?: number;
  /** A major version taken over any other candidate in range; default none (the first in range). */
  prefer?: number;
}

/** The JDK `findJava` chose (`home` undefined: `java` on PATH), or why there is none. */
export interface FoundJava {
  /** The JDK directory, for JAVA_HOME. */
  home?: string;
  /** Set when no Java fits: a skip message naming the versions found. */
  reason?: string;
}

/**
 * A JDK for an engine: `$<envVar>` if set (and nothing else), else `JAVA_HOME`, the JDKs under
 * /usr/lib/jvm (by name) and `java` on PATH, the first whose major version is in range (one of
 * version `prefer` first). Engines' launchers want JAVA_HOME (or java on PATH), so the result is
 * the JDK directory. Never throws: no fitting Java is a `reason`.
 */
export function findJava(req: JavaRequirement): FoundJava {
  const asBin = (p: string) => (existsSync(join(p, "bin/java")) ? join(p, "bin/java") : p);
  const candidates: string[] = [];
  const chosen = process.env[req.envVar];
  if (chosen) candidates.push(asBin(chosen));
  else {
    if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, "bin/java"));
    const jvm = "/usr/lib/jvm";
    if (existsSync(jvm)) for (const d of readdirSync(jvm).sort()) candidates.push(join(jvm, d, "bin/java"));
    candidates.push("java");
  }
  const home = (bin: string): FoundJava => {
    const real = bin === "java" ? undefined : realpathSync(bin);
    return { home: real ? dirname(dirname(real)) : undefined };
  };
  const seen: string[] = [];
  let fallback: string | undefined;
  for (const bin of candidates) {
    if (bin !== "java" && !existsSync(bin)) continue;
    const v = javaMajor(bin);
    if (v === undefined) continue;
    seen.push(`${bin} (${v})`);
    if (v < req.min || (req.max !== undefined && v > req.max)) continue;
    if (req.prefer === undefined || v === req.prefer) return home(bin);
    fallback ??= bin;
  }
  if (fallback) return home(fallback);
  const range = req.max === undefined ? `>= ${req.min}` : `${req.min}..${req.max}`;
  return {
    reason: `${req.name} needs Java ${range}; found ${seen.join(", ") || "none"} (apt-get install openjdk-${req.min}-jre-headless, or set ${req.envVar})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Installation (once, under a lock shared by concurrent test processes)

/** An engine's Python package, installed into a virtualenv of its own in the cache. */
export interface PythonEngine {
  /** The cache directory for the engine's jars, its install lock and class-data archives. */
  dir: string;
  /** The virtualenv, e.g. `~/.cache/aichemy/venv-spark-3.5.9`; complete once it holds `.aichemy-complete`. */
  venv: string;
  /** What pip installs into it, e.g. `pyspark==3.5.9`. */
  requirement: string;
  /** A module a usable Python can import, e.g. `pyflink.table`. */
  module: string;
  /** The environment variable naming a Python to use instead of the virtualenv, e.g. `AICHEMY_SPARK_PYTHON`. */
  pythonVar: string;
  /** Python code that exits 0 when `python3` can build the virtualenv, e.g. `import venv, ensurepip`. */
  python3Check: string;
  /** The skip message when it cannot. */
  python3Missing: string;
}

/** Whether `python` can import `module`. */
export function canImport(python: string, module: string): boolean {
  return spawnSync(python, ["-c", `import ${module}`], { encoding: "utf8", timeout: 60_000 }).status === 0;
}

/**
 * `false` when the engine's Python is here or can be installed (`$<pythonVar>` imports the module,
 * or the virtualenv exists, or `python3` passes `python3Check`), else a skip message.
 */
export function pythonSkip(engine: PythonEngine): false | string {
  const python = process.env[engine.pythonVar];
  if (python) {
    if (canImport(python, engine.module)) return false;
    return `${engine.pythonVar}=${python} cannot import ${engine.module.split(".")[0]}`;
  }
  if (existsSync(join(engine.venv, "bin/python"))) return false;
  return spawnSync("python3", ["-c", engine.python3Check]).status === 0 ? false : engine.python3Missing;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err = (err + c.toString("utf8")).slice(-4000);
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} failed (${code}):\n${err}`)),
    );
  });
}

/** A virtualenv with the package, built beside the final directory and renamed into place when complete. */
async function installVenv(engine: PythonEngine): Promise<void> {
  const staging = `${engine.venv}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await run("python3", ["-m", "venv", staging]);
    const py = join(staging, "bin/python");
    // --no-cache-dir: the venv is the cache; pip's wheel cache would keep another copy.
    await run(py, [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--no-cache-dir",
      "--disable-pip-version-check",
      engine.requirement,
    ]);
    rmSync(engine.venv, { recursive: true, force: true });
    renameSync(staging, engine.venv);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A jar to download from `url` (checked against its `.sha1`) to `file` when missing. */
export interface Artifact {
  /** Its Maven repository URL. */
  url: string;
  /** Where it is cached. */
  file: string;
}

/**
 * Downloads the missing jars and installs the package into the virtualenv (unless `$<pythonVar>`
 * names a Python to use), under the lock `<dir>/.lock` so that concurrent test processes install
 * once. Does nothing when all is in place.
 * @returns the Python to run the engine's script with.
 * @throws Error when a download (HTTP error, checksum mismatch) or pip fails.
 */
export async function installPythonEngine(engine: PythonEngine, jars: Artifact[]): Promise<string> {
  const own = process.env[engine.pythonVar];
  const python = own ?? join(engine.venv, "bin/python");
  const complete = join(engine.venv, ".aichemy-complete");
  if (jars.every((j) => existsSync(j.file)) && existsSync(python) && (!!own || existsSync(complete))) {
    return python;
  }
  mkdirSync(engine.dir, { recursive: true });
  await withLock(join(engine.dir, ".lock"), async () => {
    for (const j of jars) if (!existsSync(j.file)) await downloadVerified(j.url, j.file);
    if (!own && !existsSync(complete)) {
      const venvPython = join(engine.venv, "bin/python");
      if (!existsSync(venvPython) || !canImport(venvPython, engine.module)) await installVenv(engine);
      writeFileSync(complete, `${engine.requirement}\n`);
    }
  });
  return python;
}

/**
 * An engine's `ensure…()`: runs `install` once, and later calls share its promise, except after a
 * failure, when the next call runs it again (e.g. an install that failed on a network error).
 * @returns a function that rejects with `Error(skip)` when `skip` is set (the engine cannot run
 * here), else with what `install` throws.
 */
export function installOnce<T>(skip: false | string, install: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (skip) return Promise.reject(new Error(skip));
    if (pending) return pending;
    const p = install();
    pending = p;
    p.catch(() => {
      if (pending === p) pending = undefined;
    });
    return p;
  };
}

// ---------------------------------------------------------------------------------------------
// Class-data sharing

/** What a class-data-sharing archive is for: its name hashes all of it except `dir` and `disabled`. */
export interface CdsKey {
  /** Where archives live. */
  dir: string;
  /** The engine's version, also in the archive's name: `cds-<version>-<hash>.jsa`. */
  version: string;
  /** The Python that runs the engine's script. */
  python: string;
  /** The jars on the JVM's class path or given to the engine. */
  jars: string[];
  /** The JDK directory (undefined: `java` on PATH); its `release` file is hashed too. */
  javaHome: string | undefined;
  /** No archive at all (e.g. `AICHEMY_SPARK_CDS=0`). */
  disabled?: boolean;
}

/** The class-data-sharing options of one JVM (see `classDataSharing`). */
export interface ClassDataSharing {
  /** JVM options: use the archive, write it as the JVM exits, or none. */
  jvmOptions: string[];
  /**
   * Called once the JVM has exited: keeps the archive it wrote when `complete` (it was not killed).
   * Idempotent.
   */
  done(complete: boolean): void;
}

/** Archives a JVM of this process is writing now: one writer each. */
const dumping = new Set<string>();

/**
 * Class-data sharing for one JVM: the first JVM dumps the classes it loaded into an archive that
 * later JVMs map instead of loading and verifying them again (start-up and short statements
 * faster). The archive is keyed by engine version, Python, jars and JDK; a JVM that cannot use it
 * (another JDK build or class path) warns and runs without. While one JVM of this process writes
 * the archive, others run without it.
 */
export function classDataSharing(key: CdsKey): ClassDataSharing {
  const none: ClassDataSharing = { jvmOptions: [], done: () => {} };
  if (key.disabled) return none;
  mkdirSync(key.dir, { recursive: true });
  let jdk = key.javaHome ?? "java";
  try {
    if (key.javaHome) jdk += readFileSync(join(key.javaHome, "release"), "utf8");
  } catch {
    // no release file: the path alone
  }
  const hash = createHash("sha1")
    .update(`${key.version}\n${key.python}\n${key.jars.join(":")}\n${jdk}`)
    .digest("hex")
    .slice(0, 12);
  const archive = join(key.dir, `cds-${key.version}-${hash}.jsa`);
  if (existsSync(archive)) return { jvmOptions: [`-XX:SharedArchiveFile=${archive}`], done: () => {} };
  if (dumping.has(archive)) return none;
  dumping.add(archive);
  const part = `${archive}.part-${process.pid}`;
  let finished = false;
  return {
    jvmOptions: [`-XX:ArchiveClassesAtExit=${part}`],
    done(complete) {
      if (finished) return;
      finished = true;
      if (complete && existsSync(part)) renameSync(part, archive);
      dumping.delete(archive);
      rmSync(part, { force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The catalog under test

/** How an engine connects to the Iceberg catalog under test (what Spark's and Flink's options share). */
export interface IcebergCatalogOptions {
  /** `rest` (default) needs `restUri`; `hadoop` is a local file-system catalog for self-tests. */
  type?: "rest" | "hadoop";
  /** Iceberg REST catalog URI, e.g. `http://127.0.0.1:8181` (the client appends `/v1/...`). */
  restUri?: string;
  /** `warehouse` catalog property: for REST sent as `?warehouse=` to GET /v1/config; for hadoop a `file:` URI. */
  warehouse?: string;
  /** The engine's name for the catalog, also its default catalog; each engine has its own default. */
  catalogName?: string;
  /** Bearer token sent as-is (`token` catalog property). */
  token?: string;
  /** `client_id:client_secret` for the OAuth2 client-credentials flow (`credential`). */
  credential?: string;
  /** More catalog properties. */
  catalogProperties?: Record<string, string>;
  /** More engine options (override the engine's defaults). */
  conf?: Record<string, string>;
  /** Kills the engine when starting or one batch takes longer; default 10 minutes. */
  timeoutMs?: number;
}

/**
 * The catalog type of `opts` (default `rest`).
 * @throws Error (`<engine>: restUri is required for type=rest`, likewise `warehouse` for hadoop)
 * when what the type needs is missing.
 */
export function catalogType(engine: string, opts: IcebergCatalogOptions): "rest" | "hadoop" {
  const type = opts.type ?? "rest";
  if (type === "rest" && !opts.restUri) throw new Error(`${engine}: restUri is required for type=rest`);
  if (type === "hadoop" && !opts.warehouse)
    throw new Error(`${engine}: warehouse is required for type=hadoop`);
  return type;
}

// ---------------------------------------------------------------------------------------------
// The child process and its line protocol

/**
 * Makes the engine's error (SparkSqlError, FlinkSqlError): `statement` is the 0-based index of the
 * failed statement in its batch, negative when a set-up statement failed, -1 with `sql` undefined
 * when the engine itself failed; `log` is the last lines of its stderr.
 */
export type SqlChildError = (
  message: string,
  statement: number,
  sql: string | undefined,
  errorClass: string | undefined,
  log: string,
) => Error;

/** How to start an engine's script, for `startSqlChild`. */
export interface SqlChildOptions {
  /** The engine's name in messages, e.g. `Spark`; upper-cased it is the protocol's tag (`AICHEMY_SPARK_READY`). */
  name: string;
  /** The Python to run `script` with. */
  python: string;
  /** The engine's script, e.g. test/interop/spark_sql.py. */
  script: string;
  /** Written to `<scratch>/job.json`, the script's argument. */
  job: unknown;
  /** The script's working directory, removed when it stops (or this process exits). */
  scratch: string;
  /** Environment variables to set: over this process's, `TZ=UTC` and unbuffered Python without bytecode files. */
  env?: Record<string, string>;
  /** Environment variables to remove (another installation's settings). */
  unsetEnv?: string[];
  /** The JDK to run, as JAVA_HOME and first on PATH; default this process's. */
  javaHome?: string;
  /** Kills the engine when starting or one batch takes longer. */
  timeoutMs: number;
  /** Told when the JVM has exited (see `classDataSharing`). */
  cds?: ClassDataSharing;
  /** Makes the errors that `startSqlChild` and `sql()` throw. */
  error: SqlChildError;
}

/** A running engine (the Python process and its JVM). */
export interface SqlChild<R> {
  /**
   * Runs one batch: statements in order, one result per statement. Batches run one at a time
   * (calls queue up); a failed batch leaves the child usable.
   * @throws the engine's error (`SqlChildOptions.error`) when a statement fails, when the engine
   * exits or does not answer within `timeoutMs` (then it is killed), or after `stop()`.
   */
  sql(statements: string[]): Promise<R[]>;
  /** The last lines of the engine's log (stderr, and stdout lines outside the protocol). */
  log(): string;
  /** Ends its input, waits up to 60 s for it to exit (then kills it) and removes the scratch directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `python script <scratch>/job.json` in its own process group and waits for its READY
 * line. The child does not keep Node alive while idle; it is killed when this process exits.
 * `R` is the shape of one statement's result, parsed with bigints beyond 2^53.
 * @throws the engine's error when the script does not get ready (its ERROR line when it sends one,
 * else "<name> failed to start" with the log); it is stopped then.
 */
export async function startSqlChild<R>(opts: SqlChildOptions): Promise<SqlChild<R>> {
  const tag = `AICHEMY_${opts.name.toUpperCase()}_`;
  const RESULT = `${tag}RESULT `;
  const ERROR = `${tag}ERROR `;
  const READY = `${tag}READY`;
  const { name, scratch, timeoutMs } = opts;
  const jobFile = join(scratch, "job.json");
  writeFileSync(jobFile, JSON.stringify(opts.job));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TZ: "UTC",
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    ...opts.env,
  };
  for (const k of opts.unsetEnv ?? []) delete env[k];
  if (opts.javaHome) {
    env.JAVA_HOME = opts.javaHome;
    env.PATH = `${join(opts.javaHome, "bin")}:${env.PATH ?? ""}`;
  }

  // Own process group, so kill() takes Python and its JVM together. Python exits when its stdin
  // closes (e.g. this process dies), and the JVM when Python does.
  const child = spawn(opts.python, [opts.script, jobFile], { cwd: scratch, env, detached: true });
  let stderr = "";
  let stdoutBuf = "";
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let exited = false;
  child.stderr.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString("utf8")).slice(-64_000);
  });
  child.stdout.on("data", (c: Buffer) => {
    stdoutBuf += c.toString("utf8");
    const parts = stdoutBuf.split("\n");
    stdoutBuf = parts.pop()!;
    for (const l of parts) {
      if (l.startsWith(RESULT) || l.startsWith(ERROR) || l === READY) lines.push(l);
      else stderr = (stderr + l + "\n").slice(-64_000);
    }
    wake?.();
  });
  const closed = new Promise<void>((resolve) =>
    child.on("close", () => {
      exited = true;
      process.off("exit", onExit);
      wake?.();
      resolve();
    }),
  );
  child.on("error", (e) => {
    stderr += `\n${e.message}`;
  });
  // Writing to a Python that has died is reported through the exit, not as a crash here.
  child.stdin.on("error", () => {});
  let killed = false;
  const kill = () => {
    killed = true;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const onExit = () => {
    kill();
    rmSync(scratch, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  const log = () => stderr.split("\n").slice(-60).join("\n");
  const failure = (what: string) => opts.error(`${name} ${what}:\n${log()}`, -1, undefined, undefined, log());
  const setRef = (on: boolean) => {
    for (const h of [child, child.stdin, child.stdout, child.stderr] as { ref(): void; unref(): void }[]) {
      if (on) h.ref();
      else h.unref();
    }
  };

  /** The next protocol line, or undefined when the engine exited or timed out (then it is killed). */
  const next = async (): Promise<string | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (lines.length === 0 && !exited) {
      const left = deadline - Date.now();
      if (left <= 0) {
        stderr += `\n(no answer from ${name} in ${timeoutMs} ms: killed)`;
        kill();
        await closed;
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    return lines.shift();
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    setRef(true);
    child.stdin.end();
    // Python exits at end of input and its JVM when Python does (`closed` waits for both when the
    // JVM shares our pipes); a class-data archive is written as the JVM exits.
    const timer = setTimeout(kill, 60_000);
    await closed;
    clearTimeout(timer);
    opts.cds?.done(!killed);
    rmSync(scratch, { recursive: true, force: true });
  };

  const errorOf = (line: string): Error => {
    const e = JSON.parse(line.slice(ERROR.length)) as {
      statement: number;
      sql: string;
      errorClass?: string | null;
      message: string;
    };
    const what = e.statement < 0 ? "set-up statement" : `statement ${e.statement}`;
    return opts.error(
      `${what} failed: ${e.message}\n  SQL: ${e.sql}`,
      e.statement,
      e.sql,
      e.errorClass ?? undefined,
      log(),
    );
  };

  const ready = await next();
  if (ready !== READY) {
    await stop();
    throw ready?.startsWith(ERROR) ? errorOf(ready) : failure("failed to start");
  }
  setRef(false);

  let queue: Promise<unknown> = Promise.resolve();
  const sql = (statements: string[]): Promise<R[]> => {
    const runBatch = async (): Promise<R[]> => {
      if (stopped || exited) throw failure("is not running");
      setRef(true);
      try {
        child.stdin.write(`${JSON.stringify({ statements })}\n`);
        const line = await next();
        if (line?.startsWith(RESULT)) return parseJson(line.slice(RESULT.length)) as R[];
        if (line?.startsWith(ERROR)) throw errorOf(line);
        throw failure("exited");
      } finally {
        if (!stopped) setRef(false);
      }
    };
    const p = queue.then(runBatch, runBatch);
    queue = p.catch(() => {});
    return p;
  };

  return { sql, log, stop };
}

// ---------------------------------------------------------------------------------------------
// Self-test and CI warm-up

/**
 * Runs an engine's self-test against a throwaway local Hadoop warehouse: `run` gets the
 * warehouse's `file:` URI and returns what it found, which must equal `want` (compared as JSON).
 * The directory is removed afterwards.
 * @returns how long `run` took, in ms.
 * @throws Error (`<name> self-test: expected ..., got ...`) on another answer, or what `run` throws.
 */
export async function runSelfTest(
  name: string,
  run: (warehouse: string) => Promise<unknown>,
  want: unknown,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), `aichemy-${name.toLowerCase()}-selftest-`));
  try {
    const t0 = Date.now();
    const got = JSON.stringify(await run(pathToFileURL(join(dir, "warehouse")).href));
    const ms = Date.now() - t0;
    if (got !== JSON.stringify(want)) {
      throw new Error(`${name} self-test: expected ${JSON.stringify(want)}, got ${got}`);
    }
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What `node --import tsx test/helpers/<engine>.ts` does (for CI set-up): prints the skip message
 * when `skip` is set (and returns normally), else installs (`install` returns a description of the
 * installation to print) and runs the self-test, printing how long each took.
 * @throws what `install` or `selfTest` throws.
 */
export async function warmUp(
  name: string,
  skip: false | string,
  install: () => Promise<string>,
  selfTest: () => Promise<number>,
): Promise<void> {
  const label = name.toLowerCase();
  if (skip) {
    console.log(`${label}: skipped: ${skip}`);
    return;
  }
  const t0 = Date.now();
  const installed = await install();
  console.log(`${label}: ${installed} (${Date.now() - t0} ms)`);
  console.log(`${label}: self-test OK in ${await selfTest()} ms`);
}
