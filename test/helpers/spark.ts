/**
 * Apache Spark as an interop client (no Docker): pyspark in a virtualenv plus Iceberg's Spark
 * runtime jar, driven by test/interop/spark_sql.py in local mode.
 *
 * Installed on first use into `$AICHEMY_CI_CACHE` (default `~/.cache/aichemy`):
 *   - `venv-spark-<SPARK_VERSION>/`  pyspark from PyPI (~318 MB download, ~365 MB on disk)
 *   - `spark/iceberg-spark-runtime-3.5_2.12-<ICEBERG_VERSION>.jar`  from Maven Central, checked
 *     against its `.sha1` (~48 MB)
 *   - `spark/cds-<SPARK_VERSION>-<hash>.jsa`  a class-data-sharing archive written by the first
 *     run (~140 MB) that makes later JVMs start ~35% faster (`AICHEMY_SPARK_CDS=0` turns it off)
 * After that nothing is downloaded: the jar is given to Spark as `spark.jars` (no Ivy).
 * Overrides: `AICHEMY_SPARK_PYTHON` (a Python that can import pyspark), `AICHEMY_SPARK_JAR`,
 * `AICHEMY_MAVEN_URL`; `AICHEMY_SKIP_SPARK=1` skips the tests.
 *
 * Spark needs Java 17+ here (Iceberg 1.12 is compiled for Java 17): `AICHEMY_SPARK_JAVA` (a java
 * binary or a JDK directory), `JAVA_HOME`, JDKs under /usr/lib/jvm, then `java` on PATH.
 *
 * A Spark is one Python process and one JVM (local[2], 1 GB heap; ~5-10 s to start, ~0.4-0.5 GB
 * RSS), so batch statements: `runSparkSql()` starts one for a single batch, `startSpark()` keeps
 * one for several batches (e.g. per test file). Neither blocks the event loop, so the catalog
 * under test can run in the same Node process. Statements see the catalog's current state (Spark's
 * table cache is off). `type: "hadoop"` runs against a plain local Hadoop catalog instead.
 * `node --import tsx test/helpers/spark.ts` installs everything and runs `sparkSelfTest()` (for CI).
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

/** pyspark release (Scala 2.12 build, the one Iceberg's 3.5 runtime is built against). */
export const SPARK_VERSION = "3.5.9";
/** Iceberg release of the Spark runtime jar. */
export const ICEBERG_VERSION = "1.12.0";
const MIN_JAVA = 17;

const CACHE = process.env.AICHEMY_CI_CACHE ?? join(homedir(), ".cache/aichemy");
const VENV = join(CACHE, `venv-spark-${SPARK_VERSION}`);
const JAR_NAME = `iceberg-spark-runtime-3.5_2.12-${ICEBERG_VERSION}.jar`;
const JAR = join(CACHE, "spark", JAR_NAME);
const JAR_PATH = `org/apache/iceberg/iceberg-spark-runtime-3.5_2.12/${ICEBERG_VERSION}/${JAR_NAME}`;
const MAVEN = (process.env.AICHEMY_MAVEN_URL ?? "https://repo1.maven.org/maven2").replace(/\/$/, "");
const SCRIPT = join(import.meta.dirname, "../interop/spark_sql.py");

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

function findJava(): { home?: string; reason?: string } {
  const asBin = (p: string) => (existsSync(join(p, "bin/java")) ? join(p, "bin/java") : p);
  const candidates: string[] = [];
  if (process.env.AICHEMY_SPARK_JAVA) candidates.push(asBin(process.env.AICHEMY_SPARK_JAVA));
  else {
    if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, "bin/java"));
    const jvm = "/usr/lib/jvm";
    if (existsSync(jvm)) for (const d of readdirSync(jvm).sort()) candidates.push(join(jvm, d, "bin/java"));
    candidates.push("java");
  }
  const seen: string[] = [];
  for (const bin of candidates) {
    if (bin !== "java" && !existsSync(bin)) continue;
    const v = javaMajor(bin);
    if (v === undefined) continue;
    seen.push(`${bin} (${v})`);
    if (v >= MIN_JAVA) {
      // Spark's launcher wants JAVA_HOME (or java on PATH): hand it the JDK directory.
      const real = bin === "java" ? undefined : realpathSync(bin);
      return { home: real ? dirname(dirname(real)) : undefined };
    }
  }
  return {
    reason: `Spark needs Java >= ${MIN_JAVA}; found ${seen.join(", ") || "none"} (apt-get install openjdk-17-jre-headless, or set AICHEMY_SPARK_JAVA)`,
  };
}

function works(python: string): boolean {
  return spawnSync(python, ["-c", "import pyspark"], { encoding: "utf8", timeout: 60_000 }).status === 0;
}

const java = findJava();

function skipReason(): false | string {
  if (process.env.AICHEMY_SKIP_SPARK === "1") return "AICHEMY_SKIP_SPARK=1";
  if (java.reason) return java.reason;
  if (process.env.AICHEMY_SPARK_PYTHON && !works(process.env.AICHEMY_SPARK_PYTHON)) {
    return `AICHEMY_SPARK_PYTHON=${process.env.AICHEMY_SPARK_PYTHON} cannot import pyspark`;
  }
  if (!process.env.AICHEMY_SPARK_PYTHON && !existsSync(join(VENV, "bin/python"))) {
    if (spawnSync("python3", ["-c", "import venv, ensurepip"]).status !== 0) {
      return "Spark tests need python3 with venv and ensurepip (apt-get install python3-venv) to install pyspark";
    }
  }
  return false;
}

/**
 * `false` when Spark can run here, else a skip message for node:test. Only local prerequisites
 * are checked (Java 17+, a Python to install pyspark with); the download happens in
 * `ensureSpark()`, and its failure is a test failure rather than a skip.
 */
export const sparkSkip: false | string = skipReason();

/** Why Spark tests must be skipped here, or undefined when they can run. */
export function sparkAvailable(): string | undefined {
  return sparkSkip === false ? undefined : sparkSkip;
}

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

/** A venv with pyspark, built beside the final directory and renamed into place when complete. */
async function installPyspark(): Promise<void> {
  const staging = `${VENV}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await run("python3", ["-m", "venv", staging]);
    const py = join(staging, "bin/python");
    // --no-cache-dir: the venv is the cache; pip's wheel cache would keep another 305 MB copy.
    await run(py, [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--no-cache-dir",
      "--disable-pip-version-check",
      `pyspark==${SPARK_VERSION}`,
    ]);
    rmSync(VENV, { recursive: true, force: true });
    renameSync(staging, VENV);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** What Spark runs with: a Python with pyspark, the Iceberg runtime jar and the JDK. */
export interface SparkInstall {
  python: string;
  jar: string;
  javaHome?: string;
}

let installing: Promise<SparkInstall> | undefined;

/** Installs pyspark and the Iceberg runtime jar into the cache if needed (safe across processes). */
export function ensureSpark(): Promise<SparkInstall> {
  if (sparkSkip) return Promise.reject(new Error(sparkSkip));
  installing ??= (async () => {
    const python = process.env.AICHEMY_SPARK_PYTHON ?? join(VENV, "bin/python");
    const jar = process.env.AICHEMY_SPARK_JAR ?? JAR;
    const ready = () =>
      existsSync(jar) &&
      existsSync(python) &&
      (!!process.env.AICHEMY_SPARK_PYTHON || existsSync(join(VENV, ".aichemy-complete")));
    if (!ready()) {
      mkdirSync(join(CACHE, "spark"), { recursive: true });
      await withLock(join(CACHE, "spark", ".lock"), async () => {
        if (!existsSync(jar)) await downloadVerified(`${MAVEN}/${JAR_PATH}`, jar);
        if (!process.env.AICHEMY_SPARK_PYTHON && !existsSync(join(VENV, ".aichemy-complete"))) {
          if (!existsSync(join(VENV, "bin/python")) || !works(join(VENV, "bin/python")))
            await installPyspark();
          writeFileSync(join(VENV, ".aichemy-complete"), `pyspark==${SPARK_VERSION}\n`);
        }
      });
    }
    return { python, jar, javaHome: java.home };
  })();
  installing.catch(() => {
    installing = undefined;
  });
  return installing;
}

// ---------------------------------------------------------------------------------------------
// Running statements

/** How Spark connects to the catalog under test. */
export interface SparkCatalogOptions {
  /** `rest` (default) needs `restUri`; `hadoop` is a local file-system catalog for self-tests. */
  type?: "rest" | "hadoop";
  /** Iceberg REST catalog URI, e.g. `http://127.0.0.1:8181` (the client appends `/v1/...`). */
  restUri?: string;
  /** `warehouse` catalog property: for REST sent as `?warehouse=` to GET /v1/config; for hadoop a `file:` URI. */
  warehouse?: string;
  /** Spark catalog name; also the default catalog, so `db.t` means `<catalogName>.db.t`. Default `rest`. */
  catalogName?: string;
  /** Bearer token sent as-is (`token` catalog property). */
  token?: string;
  /** `client_id:client_secret` for the OAuth2 client-credentials flow (`credential`). */
  credential?: string;
  /** More `spark.sql.catalog.<name>.*` properties, e.g. `{ "oauth2-server-uri": "..." }`. */
  catalogProperties?: Record<string, string>;
  /** More Spark properties (override the defaults, e.g. `spark.driver.memory`). */
  conf?: Record<string, string>;
  /** Kills Spark when starting or one batch takes longer; default 10 minutes. */
  timeoutMs?: number;
}

export interface SparkSqlOptions extends SparkCatalogOptions {
  /** Statements run in order in one SparkSession; the first failure stops the batch. */
  statements: string[];
}

/** One statement's result. DDL and DML statements have no columns. */
export interface SparkResult {
  columns: string[];
  /**
   * Rows as JSON: integers as numbers (`bigint` beyond 2^53, e.g. snapshot ids), decimals, dates
   * and timestamps (UTC, ISO without zone) as strings, binary as hex, structs as objects, maps as
   * `[key, value]` pairs.
   */
  rows: unknown[][];
  /** How long Spark took for the statement. */
  ms: number;
}

/** A failed statement, with Spark's message (e.g. `[TABLE_OR_VIEW_NOT_FOUND] ...`). */
export class SparkSqlError extends Error {
  constructor(
    message: string,
    /** 0-based index of the failed statement in its batch (-1 when Spark itself failed). */
    readonly statement: number,
    readonly sql: string | undefined,
    /** Spark's error class, e.g. `TABLE_OR_VIEW_NOT_FOUND`, when it has one. */
    readonly errorClass: string | undefined,
    /** The last lines of Spark's log (stderr). */
    readonly log: string,
  ) {
    super(message);
    this.name = "SparkSqlError";
  }
}

let cdsDumping = false;

/**
 * Where the class-data-sharing archive for this Spark + jar + JDK lives (undefined when disabled
 * with `AICHEMY_SPARK_CDS=0`). A JVM that cannot use it (another JDK build) warns and runs without.
 */
function cdsArchive(python: string, jar: string, javaHome: string | undefined): string | undefined {
  if (process.env.AICHEMY_SPARK_CDS === "0") return undefined;
  mkdirSync(join(CACHE, "spark"), { recursive: true });
  let jdk = javaHome ?? "java";
  try {
    if (javaHome) jdk += readFileSync(join(javaHome, "release"), "utf8");
  } catch {
    // no release file: the path alone
  }
  const key = createHash("sha1")
    .update(`${SPARK_VERSION}\n${python}\n${jar}\n${jdk}`)
    .digest("hex")
    .slice(0, 12);
  return join(CACHE, "spark", `cds-${SPARK_VERSION}-${key}.jsa`);
}

const RESULT = "AICHEMY_SPARK_RESULT ";
const ERROR = "AICHEMY_SPARK_ERROR ";
const READY = "AICHEMY_SPARK_READY";

/** A running Spark (one Python process and its JVM) connected to one catalog. */
export interface SparkSession {
  /**
   * Runs statements in order and returns one result per statement. A statement may use an earlier
   * result of the same batch: `{{i.r.c}}` is replaced by statement i's value at row r, column c
   * (index or name), e.g. `SELECT * FROM t VERSION AS OF {{3.0.snapshot_id}}`. Batches run one at
   * a time (calls queue up); a failed batch leaves the session usable.
   * @throws SparkSqlError with Spark's message when a statement fails; later statements are not run.
   */
  sql(statements: string[]): Promise<SparkResult[]>;
  /** The last lines of Spark's log (stderr). */
  log(): string;
  /** Stops Spark and removes its scratch directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a local Spark (master local[2], 1 GB driver, UI off, Iceberg SQL extensions) with one
 * Iceberg catalog, for tests that run several batches: the JVM starts once (~5-10 s). Installs
 * pyspark and the runtime jar first if needed. The process does not keep Node alive while idle;
 * call `stop()` (e.g. in `after()`); it is killed when this process exits anyway.
 */
export async function startSpark(opts: SparkCatalogOptions = {}): Promise<SparkSession> {
  const { python, jar, javaHome } = await ensureSpark();
  const type = opts.type ?? "rest";
  if (type === "rest" && !opts.restUri) throw new Error("Spark: restUri is required for type=rest");
  if (type === "hadoop" && !opts.warehouse) throw new Error("Spark: warehouse is required for type=hadoop");
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const scratch = mkdtempSync(join(tmpdir(), "aichemy-spark-"));

  // Class-data sharing: the first JVM dumps the classes it loaded into an archive that later JVMs
  // map instead of loading and verifying them again (start-up and short statements ~35% faster).
  const cds = cdsArchive(python, jar, javaHome);
  const javaOptions: string[] = [];
  let dumping: string | undefined;
  if (cds && existsSync(cds)) javaOptions.push(`-XX:SharedArchiveFile=${cds}`);
  else if (cds && !cdsDumping) {
    cdsDumping = true;
    dumping = `${cds}.part-${process.pid}`;
    javaOptions.push(`-XX:ArchiveClassesAtExit=${dumping}`);
  }
  const job = {
    jar,
    javaOptions,
    catalog: opts.catalogName ?? "rest",
    type,
    uri: opts.restUri,
    warehouse: opts.warehouse,
    token: opts.token,
    credential: opts.credential,
    catalogProperties: opts.catalogProperties,
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
  };
  // Another Spark's settings would make pyspark launch that Spark instead of its own.
  for (const k of [
    "SPARK_HOME",
    "PYSPARK_SUBMIT_ARGS",
    "SPARK_CONF_DIR",
    "HADOOP_CONF_DIR",
    "PYSPARK_PYTHON",
  ]) {
    delete env[k];
  }
  if (javaHome) {
    env.JAVA_HOME = javaHome;
    env.PATH = `${join(javaHome, "bin")}:${env.PATH ?? ""}`;
  }

  // Own process group, so kill() takes Python and its JVM together. The JVM also exits by itself
  // when Python does, and Python when its stdin closes (e.g. this process dies).
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
    for (const l of parts) if (l.startsWith(RESULT) || l.startsWith(ERROR) || l === READY) lines.push(l);
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

  /** The next protocol line, or undefined when Spark exited or timed out (then it is killed). */
  const next = async (): Promise<string | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (lines.length === 0 && !exited) {
      const left = deadline - Date.now();
      if (left <= 0) {
        stderr += `\n(no answer from Spark in ${timeoutMs} ms: killed)`;
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
    const timer = setTimeout(kill, 60_000);
    await closed;
    clearTimeout(timer);
    if (dumping) {
      // The JVM writes the archive as it exits, which is before our pipes close.
      if (!killed && existsSync(dumping)) renameSync(dumping, cds!);
      cdsDumping = false;
      rmSync(dumping, { force: true });
    }
    rmSync(scratch, { recursive: true, force: true });
  };

  const ready = await next();
  if (ready !== READY) {
    await stop();
    throw new SparkSqlError(`Spark failed to start:\n${log()}`, -1, undefined, undefined, log());
  }
  setRef(false);

  let queue: Promise<unknown> = Promise.resolve();
  const sql = (statements: string[]): Promise<SparkResult[]> => {
    const run = async (): Promise<SparkResult[]> => {
      if (stopped || exited)
        throw new SparkSqlError(`Spark is not running:\n${log()}`, -1, undefined, undefined, log());
      setRef(true);
      try {
        child.stdin.write(`${JSON.stringify({ statements })}\n`);
        const line = await next();
        if (line?.startsWith(RESULT)) return parseJson(line.slice(RESULT.length)) as SparkResult[];
        if (line?.startsWith(ERROR)) {
          const e = JSON.parse(line.slice(ERROR.length)) as {
            statement: number;
            sql: string;
            errorClass?: string;
            message: string;
          };
          throw new SparkSqlError(
            `statement ${e.statement} failed: ${e.message}\n  SQL: ${e.sql}`,
            e.statement,
            e.sql,
            e.errorClass ?? undefined,
            log(),
          );
        }
        throw new SparkSqlError(`Spark exited:\n${log()}`, -1, undefined, undefined, log());
      } finally {
        if (!stopped) setRef(false);
      }
    };
    const p = queue.then(run, run);
    queue = p.catch(() => {});
    return p;
  };

  return { sql, log, stop };
}

/**
 * Runs statements in a fresh local Spark (one JVM, started and stopped for this batch) against an
 * Iceberg catalog and returns one result per statement. See `SparkSession.sql` for `{{i.r.c}}`.
 * @throws SparkSqlError with Spark's message when a statement fails.
 */
export async function runSparkSql(opts: SparkSqlOptions): Promise<SparkResult[]> {
  const spark = await startSpark(opts);
  try {
    return await spark.sql(opts.statements);
  } finally {
    await spark.stop();
  }
}

/** Returns a `file:` URI for a local directory (what Iceberg's HadoopFileIO writes to). */
export function localWarehouse(dir: string): string {
  return pathToFileURL(dir).href;
}

/**
 * Runs a representative batch (create, insert, MERGE, DELETE, time travel) against a throwaway
 * local Hadoop catalog and checks the answers: a self-test of this harness that needs no catalog
 * server. The first run also writes the class-data-sharing archive, so CI can pay for that here.
 * @returns how long the batch took.
 * @throws Error when Spark fails or returns something unexpected.
 */
export async function sparkSelfTest(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "aichemy-spark-selftest-"));
  try {
    const t0 = Date.now();
    const r = await runSparkSql({
      type: "hadoop",
      catalogName: "local",
      warehouse: localWarehouse(join(dir, "warehouse")),
      statements: [
        "CREATE NAMESPACE db",
        "CREATE TABLE db.t (id BIGINT, name STRING, ts TIMESTAMP, amount DECIMAL(10,2)) USING iceberg PARTITIONED BY (days(ts))",
        "INSERT INTO db.t VALUES (1, 'a', TIMESTAMP '2024-01-01 10:00:00', 1.50), (2, 'b', TIMESTAMP '2024-01-02 10:00:00', 2.25)",
        `MERGE INTO db.t t USING (SELECT 2 AS id, 'B' AS name UNION ALL SELECT 3, 'c') s ON t.id = s.id
           WHEN MATCHED THEN UPDATE SET name = s.name
           WHEN NOT MATCHED THEN INSERT (id, name, ts, amount) VALUES (s.id, s.name, TIMESTAMP '2024-01-03 00:00:00', 3.00)`,
        "DELETE FROM db.t WHERE id = 1",
        "SELECT id, name, ts, amount FROM db.t ORDER BY id",
        "SELECT snapshot_id, committed_at FROM db.t.snapshots ORDER BY committed_at",
        "SELECT id FROM db.t VERSION AS OF {{6.0.snapshot_id}} ORDER BY id",
        "SELECT count(*) FROM db.t TIMESTAMP AS OF '{{6.1.committed_at}}'",
      ],
    });
    const got = JSON.stringify([r[5]!.rows, r[7]!.rows, r[8]!.rows, r[6]!.rows.length]);
    const want = JSON.stringify([
      [
        [2, "B", "2024-01-02T10:00:00", "2.25"],
        [3, "c", "2024-01-03T00:00:00", "3.00"],
      ],
      [[1], [2]],
      [[3]],
      3,
    ]);
    if (got !== want) throw new Error(`Spark self-test: expected ${want}, got ${got}`);
    return Date.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --import tsx test/helpers/spark.ts`: install, run the self-test (writing the class-data
// archive) and print timings. For CI set-up; exits 0 when Spark is skipped here.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (sparkSkip) {
    console.log(`spark: skipped: ${sparkSkip}`);
  } else {
    const t0 = Date.now();
    const s = await ensureSpark();
    console.log(
      `spark: pyspark ${SPARK_VERSION}, ${s.python}, ${s.jar}, JAVA_HOME=${s.javaHome ?? "(PATH)"} (${Date.now() - t0} ms)`,
    );
    console.log(`spark: self-test OK in ${await sparkSelfTest()} ms`);
  }
}
