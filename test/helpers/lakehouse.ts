/**
 * Test helpers: a lakehouse in a fresh temporary directory (also as a suite fixture), and query results as text rows
 * (every value cast to VARCHAR by DuckDB, columns joined by tabs, NULL as `NULL`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { Lakehouse, type LakehouseOptions } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";

/** A lakehouse in a new temp dir; `close()` closes it and deletes the dir. */
export async function tempLakehouse(
  prefix = "aichemy-test-",
  opts: Partial<LakehouseOptions> = {},
): Promise<{ lakehouse: Lakehouse; dir: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const lakehouse = await Lakehouse.open({ dataDir: dir, threads: 2, ...opts });
  return {
    lakehouse,
    dir,
    close: async () => {
      await lakehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a statement and returns its rows as tab-joined VARCHAR renderings (queries are wrapped
 * so that DuckDB itself casts every value; other statements render DuckDB's values as text).
 */
export async function textRows(session: Session, sql: string): Promise<string[]> {
  const isQuery = /^\s*(SELECT|WITH|FROM|VALUES|\()/i.test(sql);
  const r = await session.execute(isQuery ? `SELECT COLUMNS(*)::VARCHAR FROM (${sql}) AS __q` : sql);
  return r.rows.map((row) => row.map((v) => (v === null ? "NULL" : String(v))).join("\t"));
}

/** What {@link useTempLakehouse} gives a suite; fields are set once its `before` hook has run. */
export interface TempLakehouseFixture {
  readonly lakehouse: Lakehouse;
  /** A session on `lakehouse` (default catalog `iceberg`). */
  readonly session: Session;
  /** The temporary data directory. */
  readonly dir: string;
}

/**
 * Registers hooks in the enclosing suite (or file) that open a {@link tempLakehouse} and a
 * session, run `CREATE SCHEMA iceberg.<schema>` when `schema` is given, and close and delete it
 * all after the suite. Hooks registered later run after this `before` and after this `after`.
 * `opts` are further options of the lakehouse (e.g. `localFileAccess` for suites that ingest
 * files from anywhere, as the CLI's `ingest` may).
 * @throws from the hooks: whatever opening the lakehouse or creating the schema throws
 */
export function useTempLakehouse(
  schema?: string,
  opts: Partial<LakehouseOptions> = {},
): TempLakehouseFixture {
  let opened: { lakehouse: Lakehouse; dir: string; close: () => Promise<void> } | undefined;
  let session: Session | undefined;
  const unset = (): never => {
    throw new Error("useTempLakehouse: used before its before() hook ran");
  };
  before(async () => {
    opened = await tempLakehouse(undefined, opts);
    session = await opened.lakehouse.session();
    if (schema !== undefined) await session.execute(`CREATE SCHEMA iceberg.${schema}`);
  });
  after(async () => {
    session?.close();
    await opened?.close();
  });
  return {
    get lakehouse() {
      return opened?.lakehouse ?? unset();
    },
    get session() {
      return session ?? unset();
    },
    get dir() {
      return opened?.dir ?? unset();
    },
  };
}
