/**
 * Apache Flink as an interop client (no Docker): PyFlink in a virtualenv plus Iceberg's Flink
 * runtime jar and Hadoop's shaded client jars, driven by test/interop/flink_sql.py with the Table
 * API (SQL, batch mode) on a local mini-cluster.
 *
 * Installed on first use into `$AICHEMY_CI_CACHE` (default `~/.cache/aichemy`):
 *   - `venv-flink-<FLINK_VERSION>/`  apache-flink from PyPI (~0.8 GB on disk: Flink's jars, Beam,
 *     pyarrow, pandas)
 *   - `flink/iceberg-flink-runtime-<FLINK_MINOR>-<ICEBERG_VERSION>.jar` (~39 MB)
 *   - `flink/hadoop-client-api-<HADOOP_VERSION>.jar` and `flink/hadoop-client-runtime-...jar`
 *     (~50 MB): Iceberg's Flink catalog factory builds a Hadoop `Configuration` through Flink's
 *     own `HadoopUtils`, and HadoopFileIO reads and writes the `file:` locations
 *   - `flink/cds-<FLINK_VERSION>-<hash>.jsa`  a class-data-sharing archive written by the first
 *     run (~180 MB) that makes later JVMs start faster (`AICHEMY_FLINK_CDS=0` turns it off)
 * the jars from Maven Central, checked against their `.sha1`. After that nothing is downloaded.
 * All three jars go on the JVM's class path (`HADOOP_CLASSPATH`, which PyFlink's launcher
 * appends), as Flink's docs do with `lib/`: Hadoop must be there (in `pipeline.jars` Flink's own
 * classes would not see it), and Iceberg in `pipeline.jars` would be loaded again by every job's
 * class loader (~2 s more per INSERT or SELECT).
 * Overrides: `AICHEMY_FLINK_PYTHON` (a Python that can import pyflink), `AICHEMY_MAVEN_URL`;
 * `AICHEMY_SKIP_FLINK=1` skips the tests.
 *
 * Flink 2.1 runs on Java 17 or 21 (and Iceberg 1.11 is compiled for Java 17): `AICHEMY_FLINK_JAVA`
 * (a java binary or a JDK directory), `JAVA_HOME`, JDKs under /usr/lib/jvm, then `java` on PATH.
 *
 * A Flink is one Python process and one JVM (1 GB heap; ~3-5 s to start; every INSERT or SELECT
 * is a job on a fresh local mini-cluster, ~1.5-4 s each), so batch statements: `startFlink()`
 * keeps one for several batches (e.g. per test file), `runFlinkSql()` starts one for a single
 * batch. Neither blocks the event loop, so the catalog under test can run in the same Node process.
 * `node --import tsx test/helpers/flink.ts` installs everything and runs `flinkSelfTest()` (for CI).
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
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseJson } from "../../src/spec/json.js";
import { withLock } from "./file-lock.js";
import { downloadVerified } from "./maven-download.js";

/** PyFlink (apache-flink) release: the newest with an Iceberg runtime jar and a Python 3.11 wheel. */
export const FLINK_VERSION = "2.1.3";
/** Flink minor version in the Iceberg runtime's artifact name. */
export const FLINK_MINOR = "2.1";
/** Iceberg release of the Flink runtime jar (the newest built for Flink 2.1). */
export const ICEBERG_VERSION = "1.11.0";
/** Hadoop release of the shaded client jars. */
export const HADOOP_VERSION = "3.4.2";
const MIN_JAVA = 17;
const MAX_JAVA = 21;

const CACHE = process.env.AICHEMY_CI_CACHE ?? join(homedir(), ".cache/aichemy");
const VENV = join(CACHE, `venv-flink-${FLINK_VERSION}`);
const JARS_DIR = join(CACHE, "flink");
const MAVEN = (process.env.AICHEMY_MAVEN_URL ?? "https://repo1.maven.org/maven2").replace(/\/$/, "");
const SCRIPT = join(import.meta.dirname, "../interop/flink_sql.py");

/** A Maven Central artifact: its path in the repository and where it is cached. */
function artifact(group: string, name: string, version: string): { url: string; file: string } {
  const file = `${name}-${version}.jar`;
  return {
    url: `${MAVEN}/${group.replaceAll(".", "/")}/${name}/${version}/${file}`,
    file: join(JARS_DIR, file),
  };
}

const ICEBERG_JAR = artifact("org.apache.iceberg", `iceberg-flink-runtime-${FLINK_MINOR}`, ICEBERG_VERSION);
const HADOOP_JARS = [
  artifact("org.apache.hadoop", "hadoop-client-api", HADOOP_VERSION),
  artifact("org.apache.hadoop", "hadoop-client-runtime", HADOOP_VERSION),
];

// ---------------------------------------------------------------------------------------------
// Prerequisites

function javaMajor(bin: string): number | undefined {
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

/** A JDK that Flink supports (17 preferred over 21), as the directory for JAVA_HOME. */
function findJava(): { home?: string; reason?: string } {
  const asBin = (p: string) => (existsSync(join(p, "bin/java")) ? join(p, "bin/java") : p);
  const candidates: string[] = [];
  if (process.env.AICHEMY_FLINK_JAVA) candidates.push(asBin(process.env.AICHEMY_FLINK_JAVA));
  else {
    if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, "bin/java"));
    const jvm = "/usr/lib/jvm";
    if (existsSync(jvm)) for (const d of readdirSync(jvm).sort()) candidates.push(join(jvm, d, "bin/java"));
    candidates.push("java");
  }
  const seen: string[] = [];
  const ok: { bin: string; v: number }[] = [];
  for (const bin of candidates) {
    if (bin !== "java" && !existsSync(bin)) continue;
    const v = javaMajor(bin);
    if (v === undefined) continue;
    seen.push(`${bin} (${v})`);
    if (v >= MIN_JAVA && v <= MAX_JAVA) ok.push({ bin, v });
  }
  const best = ok.find((j) => j.v === MIN_JAVA) ?? ok[0];
  if (best) {
    // PyFlink's launcher runs $JAVA_HOME/bin/java (else java on PATH): hand it the JDK directory.
    const real = best.bin === "java" ? undefined : realpathSync(best.bin);
    return { home: real ? dirname(dirname(real)) : undefined };
  }
  return {
    reason: `Flink ${FLINK_VERSION} needs Java ${MIN_JAVA}..${MAX_JAVA}; found ${seen.join(", ") || "none"} (apt-get install openjdk-17-jre-headless, or set AICHEMY_FLINK_JAVA)`,
  };
}

function works(python: string): boolean {
  return (
    spawnSync(python, ["-c", "import pyflink.table"], { encoding: "utf8", timeout: 60_000 }).status === 0
  );
}

const java = findJava();

function skipReason(): false | string {
  if (process.env.AICHEMY_SKIP_FLINK === "1") return "AICHEMY_SKIP_FLINK=1";
  if (java.reason) return java.reason;
  if (process.env.AICHEMY_FLINK_PYTHON && !works(process.env.AICHEMY_FLINK_PYTHON)) {
    return `AICHEMY_FLINK_PYTHON=${process.env.AICHEMY_FLINK_PYTHON} cannot import pyflink`;
  }
  if (!process.env.AICHEMY_FLINK_PYTHON && !existsSync(join(VENV, "bin/python"))) {
    const r = spawnSync("python3", [
      "-c",
      "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))",
    ]);
    if (r.status !== 0) {
      return "Flink tests need python3 (3.9-3.12) with venv and ensurepip (apt-get install python3-venv) to install apache-flink";
    }
  }
  return false;
}

/**
 * `false` when Flink can run here, else a skip message for node:test. Only local prerequisites
 * are checked (Java 17-21, a Python to install PyFlink with); the download happens in
 * `ensureFlink()`, and its failure is a test failure rather than a skip.
 */
export const flinkSkip: false | string = skipReason();

// ---------------------------------------------------------------------------------------------
// Installation (once, under a lock shared by concurrent test processes)

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

/** A venv with PyFlink, built beside the final directory and renamed into place when complete. */
async function installPyflink(): Promise<void> {
  const staging = `${VENV}.staging-${process.pid}`;
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
      `apache-flink==${FLINK_VERSION}`,
    ]);
    rmSync(VENV, { recursive: true, force: true });
    renameSync(staging, VENV);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** What Flink runs with: a Python with PyFlink, the jars and the JDK. */
export interface FlinkInstall {
  python: string;
  /** Iceberg's Flink runtime and Hadoop's client jars, for the JVM's class path. */
  jars: string[];
  javaHome?: string;
}

let installing: Promise<FlinkInstall> | undefined;

/** Installs PyFlink and the jars into the cache if needed (safe across processes). */
export function ensureFlink(): Promise<FlinkInstall> {
  if (flinkSkip) return Promise.reject(new Error(flinkSkip));
  installing ??= (async () => {
    const python = process.env.AICHEMY_FLINK_PYTHON ?? join(VENV, "bin/python");
    const jars = [ICEBERG_JAR, ...HADOOP_JARS];
    const ready = () =>
      jars.every((j) => existsSync(j.file)) &&
      existsSync(python) &&
      (!!process.env.AICHEMY_FLINK_PYTHON || existsSync(join(VENV, ".aichemy-complete")));
    if (!ready()) {
      mkdirSync(JARS_DIR, { recursive: true });
      await withLock(join(JARS_DIR, ".lock"), async () => {
        for (const j of jars) if (!existsSync(j.file)) await downloadVerified(j.url, j.file);
        if (!process.env.AICHEMY_FLINK_PYTHON && !existsSync(join(VENV, ".aichemy-complete"))) {
          if (!existsSync(join(VENV, "bin/python")) || !works(join(VENV, "bin/python")))
            await installPyflink();
          writeFileSync(join(VENV, ".aichemy-complete"), `apache-flink==${FLINK_VERSION}\n`);
        }
      });
    }
    return { python, jars: jars.map((j) => j.file), javaHome: java.home };
  })();
  installing.catch(() => {
    installing = undefined;
  });
  return installing;
}

// ---------------------------------------------------------------------------------------------
// Running statements

/** How Flink connects to the catalog under test. */
export interface FlinkCatalogOptions {
  /** `rest` (default) needs `restUri`; `hadoop` is a local file-system catalog for self-tests. */
  type?: "rest" | "hadoop";
  /** Iceberg REST catalog URI, e.g. `http://127.0.0.1:8181` (the client appends `/v1/...`). */
  restUri?: string;
  /** `warehouse` catalog property: for REST sent as `?warehouse=` to GET /v1/config; for hadoop a `file:` URI. */
  warehouse?: string;
  /** Flink catalog name; also the current catalog, so `db.t` means `<catalogName>.db.t`. Default `lake`. */
  catalogName?: string;
  /** Bearer token sent as-is (`token` catalog property). */
  token?: string;
  /** `client_id:client_secret` for the OAuth2 client-credentials flow (`credential`). */
  credential?: string;
  /** More catalog properties, e.g. `{ "cache-enabled": "false" }`. */
  catalogProperties?: Record<string, string>;
  /** More Flink options (override the defaults, e.g. `parallelism.default`). */
  conf?: Record<string, string>;
  /**
   * `batch` (default) or `streaming` execution mode. In streaming mode a query's rows are its
   * changelog as is (an aggregate's updates are rows too).
   */
  mode?: "batch" | "streaming";
  /** Kills Flink when starting or one batch takes longer; default 10 minutes. */
  timeoutMs?: number;
}

export interface FlinkSqlOptions extends FlinkCatalogOptions {
  /** Statements run in order in one TableEnvironment; the first failure stops the batch. */
  statements: string[];
}

/** One statement's result. DDL statements and INSERTs have no columns. */
export interface FlinkResult {
  columns: string[];
  /**
   * Rows as JSON: integers as numbers (`bigint` beyond 2^53), decimals, dates, times and timestamps
   * (ISO, full precision; TIMESTAMP_LTZ in UTC, without zone) as strings, binary as hex, rows as
   * objects (lists when unnamed), arrays as lists, maps as `[key, value]` pairs.
   */
  rows: unknown[][];
  /** How long Flink took for the statement. */
  ms: number;
}

/** A failed statement, with Flink's message (e.g. `org.apache.flink.table.api.ValidationException: ...`). */
export class FlinkSqlError extends Error {
  constructor(
    message: string,
    /** 0-based index of the failed statement in its batch (-1 when Flink or its set-up failed). */
    readonly statement: number,
    readonly sql: string | undefined,
    /** The last lines of Flink's log (stderr). */
    readonly log: string,
  ) {
    super(message);
    this.name = "FlinkSqlError";
  }
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The `CREATE CATALOG` statement the harness runs first, e.g. for a REST catalog with OAuth2:
 * `CREATE CATALOG lake WITH ('type'='iceberg', 'catalog-type'='rest', 'uri'='http://...', 'credential'='id:secret')`.
 */
export function flinkCatalogSql(opts: FlinkCatalogOptions): string {
  const type = opts.type ?? "rest";
  if (type === "rest" && !opts.restUri) throw new Error("Flink: restUri is required for type=rest");
  if (type === "hadoop" && !opts.warehouse) throw new Error("Flink: warehouse is required for type=hadoop");
  const name = opts.catalogName ?? "lake";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Flink: bad catalog name ${name}`);
  const props: [string, string][] = [
    ["type", "iceberg"],
    ["catalog-type", type],
  ];
  if (type === "rest") props.push(["uri", opts.restUri!]);
  for (const key of ["warehouse", "token", "credential"] as const) {
    if (opts[key]) props.push([key, opts[key]!]);
  }
  props.push(...Object.entries(opts.catalogProperties ?? {}));
  // Backquoted: `local` and other words are reserved in Flink SQL.
  return `CREATE CATALOG \`${name}\` WITH (${props.map(([k, v]) => `${quote(k)}=${quote(v)}`).join(", ")})`;
}

let cdsDumping = false;

/**
 * Where the class-data-sharing archive for this PyFlink + jars + JDK lives (undefined when
 * disabled with `AICHEMY_FLINK_CDS=0`). A JVM that cannot use it (another JDK build or class path)
 * warns on stdout and runs without.
 */
function cdsArchive(install: FlinkInstall): string | undefined {
  if (process.env.AICHEMY_FLINK_CDS === "0") return undefined;
  mkdirSync(JARS_DIR, { recursive: true });
  let jdk = install.javaHome ?? "java";
  try {
    if (install.javaHome) jdk += readFileSync(join(install.javaHome, "release"), "utf8");
  } catch {
    // no release file: the path alone
  }
  const key = createHash("sha1")
    .update(`${FLINK_VERSION}\n${install.python}\n${install.jars.join(":")}\n${jdk}`)
    .digest("hex")
    .slice(0, 12);
  return join(JARS_DIR, `cds-${FLINK_VERSION}-${key}.jsa`);
}

const RESULT = "AICHEMY_FLINK_RESULT ";
const ERROR = "AICHEMY_FLINK_ERROR ";
const READY = "AICHEMY_FLINK_READY";

/** A running Flink (one Python process and its JVM) connected to one catalog. */
export interface FlinkSession {
  /** The `CREATE CATALOG` statement this session ran (see `flinkCatalogSql`). */
  readonly catalogSql: string;
  /**
   * Runs statements in order and returns one result per statement. A statement may use an earlier
   * result of the same batch: `{{i.r.c}}` is replaced by statement i's value at row r, column c
   * (index or name). Batches run one at a time (calls queue up); a failed batch leaves the session
   * usable.
   * @throws FlinkSqlError with Flink's message when a statement fails; later statements are not run.
   */
  sql(statements: string[]): Promise<FlinkResult[]>;
  /** The last lines of Flink's log (stderr). */
  log(): string;
  /** Stops Flink and removes its scratch directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a local Flink (TableEnvironment in batch mode on local mini-clusters, parallelism 1,
 * 1 GB heap, UTC) with one Iceberg catalog as its current catalog, for tests that run several
 * batches: the JVM starts once. Installs PyFlink and the jars first if needed. The process does not keep
 * Node alive while idle; call `stop()` (e.g. in `after()`); it is killed when this process exits
 * anyway.
 * @throws FlinkSqlError when Flink does not start or `CREATE CATALOG` fails.
 */
export async function startFlink(opts: FlinkCatalogOptions = {}): Promise<FlinkSession> {
  const catalogSql = flinkCatalogSql(opts);
  const install = await ensureFlink();
  const { python, jars, javaHome } = install;
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const scratch = mkdtempSync(join(tmpdir(), "aichemy-flink-"));

  // Class-data sharing: the first JVM dumps the classes it loaded into an archive that later JVMs
  // map instead of loading and verifying them again (start-up ~1.5 s faster, jobs a little too).
  const cds = cdsArchive(install);
  // C1 only and serial GC: faster start-up and short jobs on small machines.
  const jvmArgs = ["-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.timezone=UTC"];
  let dumping: string | undefined;
  if (cds && existsSync(cds)) jvmArgs.push(`-XX:SharedArchiveFile=${cds}`);
  else if (cds && !cdsDumping) {
    cdsDumping = true;
    dumping = `${cds}.part-${process.pid}`;
    jvmArgs.push(`-XX:ArchiveClassesAtExit=${dumping}`);
  }
  const job = {
    setup: [catalogSql, `USE CATALOG \`${opts.catalogName ?? "lake"}\``],
    mode: opts.mode ?? "batch",
    conf: opts.conf,
    scratch,
  };
  const jobFile = join(scratch, "job.json");
  writeFileSync(jobFile, JSON.stringify(job));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TZ: "UTC",
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    // Read by PyFlink's launcher (pyflink_gateway_server.py): the JVM's class path, options, logs.
    HADOOP_CLASSPATH: jars.join(":"),
    JVM_ARGS: jvmArgs.join(" "),
    FLINK_LOG_DIR: join(scratch, "log"),
  };
  // Another Flink's or Hadoop's settings would change what PyFlink launches.
  for (const k of [
    "FLINK_HOME",
    "FLINK_CONF_DIR",
    "FLINK_LIB_DIR",
    "FLINK_OPT_DIR",
    "FLINK_PLUGINS_DIR",
    "FLINK_ENV_JAVA_OPTS",
    "FLINK_TESTING",
    "HADOOP_CONF_DIR",
    "YARN_CONF_DIR",
    "HBASE_CONF_DIR",
    "PYFLINK_GATEWAY_PORT",
  ]) {
    delete env[k];
  }
  if (javaHome) {
    env.JAVA_HOME = javaHome;
    env.PATH = `${join(javaHome, "bin")}:${env.PATH ?? ""}`;
  }

  // Own process group, so kill() takes Python and its JVM together. Python exits when its stdin
  // closes (e.g. this process dies), and the JVM when Python does.
  const child = spawn(python, [SCRIPT, jobFile], { cwd: scratch, env, detached: true });
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
  const setRef = (on: boolean) => {
    for (const h of [child, child.stdin, child.stdout, child.stderr] as { ref(): void; unref(): void }[]) {
      if (on) h.ref();
      else h.unref();
    }
  };

  /** The next protocol line, or undefined when Flink exited or timed out (then it is killed). */
  const next = async (): Promise<string | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (lines.length === 0 && !exited) {
      const left = deadline - Date.now();
      if (left <= 0) {
        stderr += `\n(no answer from Flink in ${timeoutMs} ms: killed)`;
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
    // Python exits at end of input and its JVM when Python does (it shares our stdout, so
    // `closed` waits for both); a class-data archive is written as the JVM exits.
    const timer = setTimeout(kill, 60_000);
    await closed;
    clearTimeout(timer);
    if (dumping) {
      if (!killed && existsSync(dumping)) renameSync(dumping, cds!);
      cdsDumping = false;
      rmSync(dumping, { force: true });
    }
    rmSync(scratch, { recursive: true, force: true });
  };

  const errorOf = (line: string): FlinkSqlError => {
    const e = JSON.parse(line.slice(ERROR.length)) as { statement: number; sql: string; message: string };
    const what = e.statement < 0 ? "set-up statement" : `statement ${e.statement}`;
    return new FlinkSqlError(`${what} failed: ${e.message}\n  SQL: ${e.sql}`, e.statement, e.sql, log());
  };

  const ready = await next();
  if (ready !== READY) {
    await stop();
    if (ready?.startsWith(ERROR)) throw errorOf(ready);
    throw new FlinkSqlError(`Flink failed to start:\n${log()}`, -1, undefined, log());
  }
  setRef(false);

  let queue: Promise<unknown> = Promise.resolve();
  const sql = (statements: string[]): Promise<FlinkResult[]> => {
    const runBatch = async (): Promise<FlinkResult[]> => {
      if (stopped || exited) throw new FlinkSqlError(`Flink is not running:\n${log()}`, -1, undefined, log());
      setRef(true);
      try {
        child.stdin.write(`${JSON.stringify({ statements })}\n`);
        const line = await next();
        if (line?.startsWith(RESULT)) return parseJson(line.slice(RESULT.length)) as FlinkResult[];
        if (line?.startsWith(ERROR)) throw errorOf(line);
        throw new FlinkSqlError(`Flink exited:\n${log()}`, -1, undefined, log());
      } finally {
        if (!stopped) setRef(false);
      }
    };
    const p = queue.then(runBatch, runBatch);
    queue = p.catch(() => {});
    return p;
  };

  return { catalogSql, sql, log, stop };
}

/**
 * Runs statements in a fresh local Flink (one JVM, started and stopped for this batch) against an
 * Iceberg catalog and returns one result per statement. See `FlinkSession.sql` for `{{i.r.c}}`.
 * @throws FlinkSqlError with Flink's message when a statement fails.
 */
export async function runFlinkSql(opts: FlinkSqlOptions): Promise<FlinkResult[]> {
  const flink = await startFlink(opts);
  try {
    return await flink.sql(opts.statements);
  } finally {
    await flink.stop();
  }
}

/**
 * Runs a representative batch (create a partitioned table, insert twice, read, snapshots, time
 * travel) against a throwaway local Hadoop catalog and checks the answers: a self-test of this
 * harness that needs no catalog server. The first run also writes the class-data-sharing archive,
 * so CI can pay for that here.
 * @returns how long the batch took.
 * @throws Error when Flink fails or returns something unexpected.
 */
export async function flinkSelfTest(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "aichemy-flink-selftest-"));
  try {
    const t0 = Date.now();
    const r = await runFlinkSql({
      type: "hadoop",
      catalogName: "selftest",
      warehouse: pathToFileURL(join(dir, "warehouse")).href,
      statements: [
        "CREATE DATABASE db",
        "CREATE TABLE db.t (id BIGINT, name STRING, ts TIMESTAMP(6), amount DECIMAL(10,2)) PARTITIONED BY (name)",
        "INSERT INTO db.t VALUES (1, 'a', TIMESTAMP '2024-01-01 10:00:00', 1.50), (2, 'b', TIMESTAMP '2024-01-02 10:00:00', 2.25)",
        "INSERT INTO db.t VALUES (3, 'a', TIMESTAMP '2024-01-03 00:00:00', 3.00)",
        "SELECT id, name, ts, amount FROM db.t ORDER BY id",
        "SELECT snapshot_id FROM db.`t$snapshots` ORDER BY committed_at",
        "SELECT count(*) FROM db.t /*+ OPTIONS('snapshot-id'='{{5.0.snapshot_id}}') */",
      ],
    });
    const got = JSON.stringify([r[4]!.rows, r[5]!.rows.length, r[6]!.rows]);
    const want = JSON.stringify([
      [
        [1, "a", "2024-01-01T10:00:00", "1.50"],
        [2, "b", "2024-01-02T10:00:00", "2.25"],
        [3, "a", "2024-01-03T00:00:00", "3.00"],
      ],
      2,
      [[2]],
    ]);
    if (got !== want) throw new Error(`Flink self-test: expected ${want}, got ${got}`);
    return Date.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import tsx test/helpers/flink.ts`: install, run the self-test (writing the class-data
// archive) and print timings. For CI set-up; exits 0 when Flink is skipped here.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (flinkSkip) {
    console.log(`flink: skipped: ${flinkSkip}`);
  } else {
    const t0 = Date.now();
    const f = await ensureFlink();
    console.log(
      `flink: apache-flink ${FLINK_VERSION}, ${f.python}, ${f.jars.join(", ")}, JAVA_HOME=${f.javaHome ?? "(PATH)"} (${Date.now() - t0} ms)`,
    );
    console.log(`flink: self-test OK in ${await flinkSelfTest()} ms`);
  }
}
