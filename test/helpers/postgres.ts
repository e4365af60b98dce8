/**
 * A real PostgreSQL for tests: `AICHEMY_PG_URL` when set (CI may provide one), else a throwaway
 * cluster started from Debian's binaries (`initdb` + `pg_ctl`, as the `postgres` user when
 * running as root) on a free port. Tests skip with a message when neither is possible.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function pgBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, "bin/initdb"))) return join(root, v, "bin");
  return undefined;
}

const BIN = pgBin();
const asRoot = process.getuid?.() === 0;

/** `false` when PostgreSQL is available, else a skip message. */
export const postgresSkip: false | string =
  process.env.AICHEMY_PG_URL || BIN
    ? false
    : "PostgreSQL not found: set AICHEMY_PG_URL or install Debian's postgresql (.ci/run does)";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[]): void {
  const full = asRoot ? ["-u", "postgres", "--", cmd, ...args] : args;
  const r = spawnSync(asRoot ? "runuser" : cmd, full, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
}

/** A running PostgreSQL: its URL, and `stop()` to shut it down and delete its files. */
export interface TestPostgres {
  readonly url: string;
  /** A fresh database on the server; returns its URL. */
  database(name: string): string;
  stop(): void;
}

/** Starts (or connects to) a PostgreSQL server for a test file. */
export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.AICHEMY_PG_URL;
  if (external) {
    return {
      url: external,
      database: (name) => {
        execFileSync("psql", [
          external,
          "-q",
          "-c",
          `DROP DATABASE IF EXISTS ${name}`,
          "-c",
          `CREATE DATABASE ${name}`,
        ]);
        const u = new URL(external);
        u.pathname = `/${name}`;
        return u.toString();
      },
      stop: () => {},
    };
  }
  if (!BIN) throw new Error(postgresSkip as string);
  const dir = mkdtempSync(join(tmpdir(), "aichemy-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  run(join(BIN, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  run(join(BIN, "pg_ctl"), [
    "-D",
    data,
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    "-w",
    "-l",
    join(dir, "log"),
    "start",
  ]);
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    database: (name) => {
      execFileSync("psql", [url, "-q", "-c", `CREATE DATABASE ${name}`]);
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    },
    stop: () => {
      try {
        run(join(BIN, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
