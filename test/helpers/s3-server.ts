/**
 * Real S3-compatible servers for tests, run as local processes (no Docker): MinIO and versitygw.
 *
 * Both are Go programs, built once with `go install` into `$AICHEMY_CI_CACHE/go-bin` (default
 * `~/.cache/aichemy/go-bin`) and reused; `ensureS3Binary()` builds a missing one (on two cores
 * with nothing cached: MinIO ~7 min, versitygw ~3.5 min; ~15 s once Go's build cache is warm).
 * Go is `AICHEMY_GO`, `go` on PATH or /usr/local/go/bin/go. Tests skip (see `s3Skip`) when the
 * binary is missing and there is no Go.
 *
 * Each `startS3Server()` runs one server on a free 127.0.0.1 port over fresh temporary
 * directories, with a root user, and waits until an S3 ListBuckets call succeeds:
 *   - MinIO: `minio server` over one directory, or an erasure set over `drives` directories
 *     (`MINIO_CI_CD=1` lets all drives sit on one disk, even the root disk). 4 drives default to
 *     EC:2: reads survive 2 lost drives, writes need 3 (see test/io/s3-server.test.ts).
 *   - versitygw: the `posix` backend over one directory.
 * The process (its own process group) is killed by `stop()`, when this Node process exits, and by
 * a small watchdog shell when this Node process dies without running exit handlers.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3Options } from "../../src/io/s3-file-io.js";
import { sleep, withLock } from "./file-lock.js";
import { startServiceProcess } from "./service-process.js";

/** The S3-compatible servers this helper can run. */
export type S3ServerKind = "minio" | "versitygw";

const CACHE = process.env.AICHEMY_CI_CACHE ?? join(homedir(), ".cache/aichemy");
const GOBIN = join(CACHE, "go-bin");

/**
 * What `go install` builds for each kind: pinned to the versions the tests were written against
 * (MinIO's module has no semver tags, so its version is a pseudo-version; this one is what
 * `@latest` resolved to in Nov 2026). A cached binary is not rebuilt when these change: delete it.
 */
const PACKAGES: Record<S3ServerKind, string> = {
  minio: "github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c",
  versitygw: "github.com/versity/versitygw/cmd/versitygw@v1.8.0",
};

const ROOT_USER = "aichemy-root";
const ROOT_PASSWORD = "aichemy-root-secret";
const REGION = "us-east-1";
const START_TIMEOUT_MS = 60_000;

/** A running S3-compatible server with a root user; `stop()` kills it and deletes its files. */
export interface TestS3Server {
  /** Which server this is. */
  readonly kind: S3ServerKind;
  /** `http://127.0.0.1:<port>`; use path-style addressing (`forcePathStyle: true`). */
  readonly endpoint: string;
  /** The region to sign requests for (`us-east-1`). */
  readonly region: string;
  /** Access key of the root (admin) user. */
  readonly accessKeyId: string;
  /** Secret key of the root (admin) user. */
  readonly secretAccessKey: string;
  /** The directories the server stores objects in (one per MinIO drive). */
  readonly dataDirs: readonly string[];
  /** Creates a bucket as the root user. */
  createBucket(name: string): Promise<void>;
  /** Kills the server's process group and removes its temporary directories. */
  stop(): Promise<void>;
}

/** Where the cached binary for `kind` lives (it may not exist yet). */
export function s3BinaryPath(kind: S3ServerKind): string {
  return join(GOBIN, kind);
}

function findGo(): string | undefined {
  const candidates = [
    process.env.AICHEMY_GO,
    ...(process.env.PATH ?? "").split(delimiter).map((d) => d && join(d, "go")),
    "/usr/local/go/bin/go",
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** `false` when `kind`'s binary is cached or Go can build it, else a skip message. */
export function s3Skip(kind: S3ServerKind): false | string {
  if (existsSync(s3BinaryPath(kind)) || findGo()) return false;
  return (
    `${kind} not found at ${s3BinaryPath(kind)} and no Go toolchain to build it ` +
    `(install Go or set AICHEMY_GO, then \`go install ${PACKAGES[kind]}\` with GOBIN=${GOBIN})`
  );
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const add = (d: Buffer) => {
      out = (out + d).slice(-20_000);
    };
    child.stdout.on("data", add);
    child.stderr.on("data", add);
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(" ")} exited with ${signal ?? code}:\n${out}`)),
    );
  });
}

/**
 * The path of `kind`'s binary, building it with `go install` first when it is not cached (once
 * across concurrent test processes; the binary appears atomically).
 * @throws Error when there is no Go or the build fails
 */
export async function ensureS3Binary(kind: S3ServerKind): Promise<string> {
  const bin = s3BinaryPath(kind);
  if (existsSync(bin)) return bin;
  const go = findGo();
  if (!go) throw new Error(s3Skip(kind) || `no Go to build ${kind}`);
  mkdirSync(GOBIN, { recursive: true });
  return withLock(join(GOBIN, `.${kind}.lock`), async () => {
    if (existsSync(bin)) return bin;
    const staging = mkdtempSync(join(GOBIN, `.${kind}-`));
    try {
      await run(go, ["install", PACKAGES[kind]], { ...process.env, GOBIN: staging });
      renameSync(join(staging, kind), bin);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return bin;
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The command line (after the binary) and environment that start `kind` on `port`. */
function commandLine(
  kind: S3ServerKind,
  dir: string,
  dataDirs: string[],
  port: number,
  consolePort: number,
): { args: string[]; env: NodeJS.ProcessEnv } {
  if (kind === "minio") {
    return {
      args: [
        "server",
        "--address",
        `127.0.0.1:${port}`,
        "--console-address",
        `127.0.0.1:${consolePort}`,
        "--certs-dir",
        join(dir, "certs"),
        ...dataDirs,
      ],
      env: {
        MINIO_ROOT_USER: ROOT_USER,
        MINIO_ROOT_PASSWORD: ROOT_PASSWORD,
        MINIO_BROWSER: "off",
        MINIO_UPDATE: "off",
        // Allows several drives of one erasure set on the same disk (and the root disk).
        MINIO_CI_CD: "1",
      },
    };
  }
  return {
    args: [
      "--quiet",
      "--access",
      ROOT_USER,
      "--secret",
      ROOT_PASSWORD,
      "--port",
      `127.0.0.1:${port}`,
      "--region",
      REGION,
      "posix",
      dataDirs[0]!,
    ],
    env: {},
  };
}

/**
 * Starts a `kind` server (building its binary first when needed) and waits until it serves S3.
 * `drives` (MinIO only, default 1) > 1 starts an erasure-coded set over that many directories.
 * @throws Error with the server's log when it exits or is not ready within 60 s
 */
export async function startS3Server(
  kind: S3ServerKind,
  opts: { drives?: number } = {},
): Promise<TestS3Server> {
  const drives = opts.drives ?? 1;
  if (kind !== "minio" && drives !== 1) throw new Error(`${kind} supports one data directory only`);
  const bin = await ensureS3Binary(kind);
  const dir = mkdtempSync(join(tmpdir(), `aichemy-s3-${kind}-`));
  const dataDirs = Array.from({ length: drives }, (_, i) => join(dir, `data${drives > 1 ? i + 1 : ""}`));
  for (const d of dataDirs) mkdirSync(d);
  const port = await freePort();
  const { args, env } = commandLine(kind, dir, dataDirs, port, await freePort());
  const service = startServiceProcess({
    command: bin,
    args,
    dir,
    env: { ...process.env, ...env },
    logFile: join(dir, "server.log"),
    // Own process group, so stop() can kill everything the server started.
    group: true,
  });
  const logTail = service.logTail;

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD },
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.destroy();
    await service.stop(10_000);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  const ok = async (path: string) => {
    try {
      const res = await fetch(endpoint + path, { signal: AbortSignal.timeout(5_000) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  };
  try {
    for (let lastError = ""; ; ) {
      const exited = service.exited();
      if (exited) throw new Error(`${kind} ${exited}:\n${logTail()}`);
      if (Date.now() > deadline)
        throw new Error(`${kind} not ready after ${START_TIMEOUT_MS / 1000} s (${lastError}):\n${logTail()}`);
      const healthy =
        kind !== "minio" ||
        ((await ok("/minio/health/live")) && (drives === 1 || (await ok("/minio/health/cluster"))));
      if (healthy) {
        try {
          await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(5_000) });
          break;
        } catch (e) {
          lastError = (e as Error).message;
        }
      } else lastError = "health check failing";
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    kind,
    endpoint,
    region: REGION,
    accessKeyId: ROOT_USER,
    secretAccessKey: ROOT_PASSWORD,
    dataDirs,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    stop,
  };
}

/** How our S3 FileIO reaches a test server as its root user (endpoint, region, keys). */
export function s3OptionsOf(server: TestS3Server): S3Options {
  return {
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
  };
}
