/**
 * Apache Spark as an interop client (no Docker): pyspark in a virtualenv plus Iceberg's Spark
 * runtime jar, driven by test/interop/spark_sql.py in local mode.
 *
 * Installed on first use into `$AICHEMY_CI_CACHE` (default `~/.cache/aichemy`):
 *   - `venv-spark-<SPARK_VERSION>/`  pyspark from PyPI (~318 MB download, ~365 MB on disk)
 *   - `spark/iceberg-spark-runtime-3.5_2.12-<ICEBERG_VERSION>.jar`  from Maven Central, checked
 *     against its `.sha1` (~48 MB)
 *   - `spark/iceberg-aws-bundle-<ICEBERG_VERSION>.jar`  likewise (~69 MB): the AWS SDK for
 *     Iceberg's S3FileIO, on the class path only of sessions started with `s3: true`
 *   - `spark/cds-<SPARK_VERSION>-<hash>.jsa`  a class-data-sharing archive written by the first
 *     run (~140 MB) that makes later JVMs start ~35% faster (`AICHEMY_SPARK_CDS=0` turns it off)
 * After that nothing is downloaded: the jars are given to Spark as `spark.jars` (no Ivy).
 * Overrides: `AICHEMY_SPARK_PYTHON` (a Python that can import pyspark), `AICHEMY_SPARK_JAR`,
 * `AICHEMY_SPARK_AWS_JAR`, `AICHEMY_MAVEN_URL`; `AICHEMY_SKIP_SPARK=1` skips the tests.
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
import { mkdtempSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
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

/** pyspark release (Scala 2.12 build, the one Iceberg's 3.5 runtime is built against). */
export const SPARK_VERSION = "3.5.9";
/** Iceberg release of the Spark runtime jar. */
export const ICEBERG_VERSION = "1.12.0";

const CACHE = process.env.AICHEMY_CI_CACHE ?? join(homedir(), ".cache/aichemy");
const JAR_NAME = `iceberg-spark-runtime-3.5_2.12-${ICEBERG_VERSION}.jar`;
const JAR_PATH = `org/apache/iceberg/iceberg-spark-runtime-3.5_2.12/${ICEBERG_VERSION}/${JAR_NAME}`;
const AWS_JAR_NAME = `iceberg-aws-bundle-${ICEBERG_VERSION}.jar`;
const AWS_JAR_PATH = `org/apache/iceberg/iceberg-aws-bundle/${ICEBERG_VERSION}/${AWS_JAR_NAME}`;
const MAVEN = (process.env.AICHEMY_MAVEN_URL ?? "https://repo1.maven.org/maven2").replace(/\/$/, "");
const SCRIPT = join(import.meta.dirname, "../interop/spark_sql.py");

const ENGINE: PythonEngine = {
  dir: join(CACHE, "spark"),
  venv: join(CACHE, `venv-spark-${SPARK_VERSION}`),
  requirement: `pyspark==${SPARK_VERSION}`,
  module: "pyspark",
  pythonVar: "AICHEMY_SPARK_PYTHON",
  python3Check: "import venv, ensurepip",
  python3Missing:
    "Spark tests need python3 with venv and ensurepip (apt-get install python3-venv) to install pyspark",
};
const JAR = process.env.AICHEMY_SPARK_JAR ?? join(ENGINE.dir, JAR_NAME);
const AWS_JAR = process.env.AICHEMY_SPARK_AWS_JAR ?? join(ENGINE.dir, AWS_JAR_NAME);

// ---------------------------------------------------------------------------------------------
// Prerequisites

const java = findJava({ name: "Spark", envVar: "AICHEMY_SPARK_JAVA", min: 17 });

function skipReason(): false | string {
  if (process.env.AICHEMY_SKIP_SPARK === "1") return "AICHEMY_SKIP_SPARK=1";
  return java.reason ?? pythonSkip(ENGINE);
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

/** What Spark runs with: a Python with pyspark, the Iceberg runtime jar and the JDK. */
export interface SparkInstall {
  python: string;
  jar: string;
  /** Iceberg's AWS bundle (S3FileIO and the AWS SDK), for sessions with `s3: true`. */
  awsJar: string;
  javaHome?: string;
}

/**
 * Installs pyspark, the Iceberg runtime jar and the AWS bundle into the cache if needed (safe
 * across processes).
 * @throws Error with the skip message when Spark cannot run here, or when a download or pip fails.
 */
export const ensureSpark: () => Promise<SparkInstall> = installOnce(
  sparkSkip,
  async (): Promise<SparkInstall> => ({
    python: await installPythonEngine(ENGINE, [
      { url: `${MAVEN}/${JAR_PATH}`, file: JAR },
      { url: `${MAVEN}/${AWS_JAR_PATH}`, file: AWS_JAR },
    ]),
    jar: JAR,
    awsJar: AWS_JAR,
    javaHome: java.home,
  }),
);

// ---------------------------------------------------------------------------------------------
// Running statements

/** How Spark connects to the catalog under test. */
export interface SparkCatalogOptions extends IcebergCatalogOptions {
  /** Spark catalog name; also the default catalog, so `db.t` means `<catalogName>.db.t`. Default `rest`. */
  catalogName?: string;
  /** More `spark.sql.catalog.<name>.*` properties, e.g. `{ "oauth2-server-uri": "..." }`. */
  catalogProperties?: Record<string, string>;
  /** More Spark properties (override the defaults, e.g. `spark.driver.memory`). */
  conf?: Record<string, string>;
  /**
   * Puts Iceberg's AWS bundle on the class path, for tables on S3 (`io-impl` =
   * `org.apache.iceberg.aws.s3.S3FileIO`, set by the catalog's config or `catalogProperties`).
   */
  s3?: boolean;
  /** Environment variables for Spark's processes (over this process's), e.g. `AWS_ACCESS_KEY_ID: ""`. */
  env?: Record<string, string>;
}

/** `runSparkSql()`: the catalog to connect to and one batch of statements. */
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
  const { python, jar, awsJar, javaHome } = await ensureSpark();
  const jars = opts.s3 ? [jar, awsJar] : [jar];
  const type = catalogType("Spark", opts);
  const scratch = mkdtempSync(join(tmpdir(), "aichemy-spark-"));
  const cds = classDataSharing({
    dir: ENGINE.dir,
    version: SPARK_VERSION,
    python,
    jars,
    javaHome,
    disabled: process.env.AICHEMY_SPARK_CDS === "0",
  });
  const job = {
    jar,
    extraJars: jars.slice(1),
    javaOptions: cds.jvmOptions,
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
  return startSqlChild<SparkResult>({
    name: "Spark",
    python,
    script: SCRIPT,
    job,
    scratch,
    // Another Spark's settings would make pyspark launch that Spark instead of its own.
    env: opts.env,
    unsetEnv: ["SPARK_HOME", "PYSPARK_SUBMIT_ARGS", "SPARK_CONF_DIR", "HADOOP_CONF_DIR", "PYSPARK_PYTHON"],
    javaHome,
    timeoutMs: opts.timeoutMs ?? 600_000,
    cds,
    error: (message, statement, sql, errorClass, log) =>
      new SparkSqlError(message, statement, sql, errorClass, log),
  });
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
export function sparkSelfTest(): Promise<number> {
  return runSelfTest(
    "Spark",
    async (warehouse) => {
      const r = await runSparkSql({
        type: "hadoop",
        catalogName: "local",
        warehouse,
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
      return [r[5]!.rows, r[7]!.rows, r[8]!.rows, r[6]!.rows.length];
    },
    [
      [
        [2, "B", "2024-01-02T10:00:00", "2.25"],
        [3, "c", "2024-01-03T00:00:00", "3.00"],
      ],
      [[1], [2]],
      [[3]],
      3,
    ],
  );
}

// `node --import tsx test/helpers/spark.ts`: install, run the self-test (writing the class-data
// archive) and print timings. For CI set-up; exits 0 when Spark is skipped here.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await warmUp(
    "Spark",
    sparkSkip,
    async () => {
      const s = await ensureSpark();
      return `pyspark ${SPARK_VERSION}, ${s.python}, ${s.jar}, JAVA_HOME=${s.javaHome ?? "(PATH)"}`;
    },
    sparkSelfTest,
  );
}
