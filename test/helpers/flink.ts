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
import { mkdtempSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type Artifact,
  catalogType,
  classDataSharing,
  findJava,
  type IcebergCatalogOptions,
  installOnce,
  installPythonEngine,
  type PythonEngine,
  pythonSkip,
  runSelfTest,
  startSqlChild,
  warmUp,
} from "./sql-child.js";

/** PyFlink (apache-flink) release: the newest with an Iceberg runtime jar and a Python 3.11 wheel. */
export const FLINK_VERSION = "2.1.3";
/** Flink minor version in the Iceberg runtime's artifact name. */
export const FLINK_MINOR = "2.1";
/** Iceberg release of the Flink runtime jar (the newest built for Flink 2.1). */
export const ICEBERG_VERSION = "1.11.0";
/** Hadoop release of the shaded client jars. */
export const HADOOP_VERSION = "3.4.2";

const CACHE = process.env.AICHEMY_CI_CACHE ?? join(homedir(), ".cache/aichemy");
const JARS_DIR = join(CACHE, "flink");
const MAVEN = (process.env.AICHEMY_MAVEN_URL ?? "https://repo1.maven.org/maven2").replace(/\/$/, "");
const SCRIPT = join(import.meta.dirname, "../interop/flink_sql.py");

const ENGINE: PythonEngine = {
  dir: JARS_DIR,
  venv: join(CACHE, `venv-flink-${FLINK_VERSION}`),
  requirement: `apache-flink==${FLINK_VERSION}`,
  module: "pyflink.table",
  pythonVar: "AICHEMY_FLINK_PYTHON",
  python3Check: "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))",
  python3Missing:
    "Flink tests need python3 (3.9-3.12) with venv and ensurepip (apt-get install python3-venv) to install apache-flink",
};

/** A Maven Central artifact: its path in the repository and where it is cached. */
function artifact(group: string, name: string, version: string): Artifact {
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

/** A JDK that Flink supports (17 preferred over 21), as the directory for JAVA_HOME. */
const java = findJava({
  name: `Flink ${FLINK_VERSION}`,
  envVar: "AICHEMY_FLINK_JAVA",
  min: 17,
  max: 21,
  prefer: 17,
});

function skipReason(): false | string {
  if (process.env.AICHEMY_SKIP_FLINK === "1") return "AICHEMY_SKIP_FLINK=1";
  return java.reason ?? pythonSkip(ENGINE);
}

/**
 * `false` when Flink can run here, else a skip message for node:test. Only local prerequisites
 * are checked (Java 17-21, a Python to install PyFlink with); the download happens in
 * `ensureFlink()`, and its failure is a test failure rather than a skip.
 */
export const flinkSkip: false | string = skipReason();

// ---------------------------------------------------------------------------------------------
// Installation (once, under a lock shared by concurrent test processes)

/** What Flink runs with: a Python with PyFlink, the jars and the JDK. */
export interface FlinkInstall {
  python: string;
  /** Iceberg's Flink runtime and Hadoop's client jars, for the JVM's class path. */
  jars: string[];
  javaHome?: string;
}

/**
 * Installs PyFlink and the jars into the cache if needed (safe across processes).
 * @throws Error with the skip message when Flink cannot run here, or when a download or pip fails.
 */
export const ensureFlink: () => Promise<FlinkInstall> = installOnce(
  flinkSkip,
  async (): Promise<FlinkInstall> => {
    const jars = [ICEBERG_JAR, ...HADOOP_JARS];
    const python = await installPythonEngine(ENGINE, jars);
    return { python, jars: jars.map((j) => j.file), javaHome: java.home };
  },
);

// ---------------------------------------------------------------------------------------------
// Running statements

/** How Flink connects to the catalog under test. */
export interface FlinkCatalogOptions extends IcebergCatalogOptions {
  /** Flink catalog name; also the current catalog, so `db.t` means `<catalogName>.db.t`. Default `lake`. */
  catalogName?: string;
  /** More catalog properties, e.g. `{ "cache-enabled": "false" }`. */
  catalogProperties?: Record<string, string>;
  /** More Flink options (override the defaults, e.g. `parallelism.default`). */
  conf?: Record<string, string>;
  /**
   * `batch` (default) or `streaming` execution mode. In streaming mode a query's rows are its
   * changelog as is (an aggregate's updates are rows too).
   */
  mode?: "batch" | "streaming";
}

/** `runFlinkSql()`: the catalog to connect to and one batch of statements. */
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
  const type = catalogType("Flink", opts);
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
  const { python, jars, javaHome } = await ensureFlink();
  const scratch = mkdtempSync(join(tmpdir(), "aichemy-flink-"));
  const cds = classDataSharing({
    dir: JARS_DIR,
    version: FLINK_VERSION,
    python,
    jars,
    javaHome,
    disabled: process.env.AICHEMY_FLINK_CDS === "0",
  });
  // C1 only and serial GC: faster start-up and short jobs on small machines.
  const jvmArgs = ["-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.timezone=UTC"];
  const job = {
    setup: [catalogSql, `USE CATALOG \`${opts.catalogName ?? "lake"}\``],
    mode: opts.mode ?? "batch",
    conf: opts.conf,
    scratch,
  };
  const child = await startSqlChild<FlinkResult>({
    name: "Flink",
    python,
    script: SCRIPT,
    job,
    scratch,
    env: {
      // Read by PyFlink's launcher (pyflink_gateway_server.py): the JVM's class path, options, logs.
      HADOOP_CLASSPATH: jars.join(":"),
      JVM_ARGS: [...jvmArgs, ...cds.jvmOptions].join(" "),
      FLINK_LOG_DIR: join(scratch, "log"),
    },
    // Another Flink's or Hadoop's settings would change what PyFlink launches.
    unsetEnv: [
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
    ],
    javaHome,
    timeoutMs: opts.timeoutMs ?? 600_000,
    cds,
    error: (message, statement, sql, _errorClass, log) => new FlinkSqlError(message, statement, sql, log),
  });
  return { catalogSql, ...child };
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
export function flinkSelfTest(): Promise<number> {
  return runSelfTest(
    "Flink",
    async (warehouse) => {
      const r = await runFlinkSql({
        type: "hadoop",
        catalogName: "selftest",
        warehouse,
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
      return [r[4]!.rows, r[5]!.rows.length, r[6]!.rows];
    },
    [
      [
        [1, "a", "2024-01-01T10:00:00", "1.50"],
        [2, "b", "2024-01-02T10:00:00", "2.25"],
        [3, "a", "2024-01-03T00:00:00", "3.00"],
      ],
      2,
      [[2]],
    ],
  );
}

// `node --import tsx test/helpers/flink.ts`: install, run the self-test (writing the class-data
// archive) and print timings. For CI set-up; exits 0 when Flink is skipped here.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await warmUp(
    "Flink",
    flinkSkip,
    async () => {
      const f = await ensureFlink();
      return `apache-flink ${FLINK_VERSION}, ${f.python}, ${f.jars.join(", ")}, JAVA_HOME=${f.javaHome ?? "(PATH)"}`;
    },
    flinkSelfTest,
  );
}
