/**
 * The DuckDB instance that runs a lakehouse's SQL: configured (threads, memory limit, temp
 * directory, time zone), then sandboxed and locked (`sandbox/duckdb-sandbox.ts`). Kept as
 * settings so that an instance invalidated by a fatal engine error can be replaced by an
 * identical one.
 */
import { Duck } from "../../duckdb/connection.js";
import { quoteString } from "../../duckdb/sql.js";
import { type DuckDBSandboxOptions, sandboxDuckDB } from "../sandbox/duckdb-sandbox.js";

/** Everything an engine instance is opened with. */
export interface EngineSettings extends DuckDBSandboxOptions {
  /** DuckDB's spill directory (also allowed to DuckDB by the sandbox). */
  readonly tempDirectory: string;
  /** Worker threads (default: DuckDB's, the number of cores). */
  readonly threads?: number | undefined;
  /** Memory limit, e.g. `4GB` (default: DuckDB's, 80% of RAM). */
  readonly memoryLimit?: string | undefined;
  /** Time zone of every session (default `UTC`). */
  readonly timeZone?: string | undefined;
}

/**
 * Opens a configured, sandboxed instance.
 * @throws DuckDB's error for a refused setting (e.g. an unknown time zone or memory limit);
 * nothing stays open then
 */
export async function openEngineInstance(settings: EngineSettings): Promise<Duck> {
  const config: Record<string, string> = { temp_directory: settings.tempDirectory };
  if (settings.threads) config.threads = String(settings.threads);
  if (settings.memoryLimit) config.memory_limit = settings.memoryLimit;
  const duck = await Duck.open({ config });
  try {
    // Set globally so every session inherits it (UTC unless configured, like Iceberg's transforms).
    await duck.run(`SET GLOBAL TimeZone = ${quoteString(settings.timeZone ?? "UTC")}`);
    await sandboxDuckDB(duck, {
      ...settings,
      allowedDirectories: [...settings.allowedDirectories, settings.tempDirectory],
    });
    return duck;
  } catch (e) {
    duck.close();
    throw e;
  }
}
