/**
 * Test helpers: a lakehouse in a fresh temporary directory, and query results as text rows
 * (every value cast to VARCHAR by DuckDB, columns joined by tabs, NULL as `NULL`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";

/** A lakehouse in a new temp dir; `close()` closes it and deletes the dir. */
export async function tempLakehouse(
  prefix = "aichemy-test-",
): Promise<{ lakehouse: Lakehouse; dir: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const lakehouse = await Lakehouse.open({ dataDir: dir, threads: 2 });
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
