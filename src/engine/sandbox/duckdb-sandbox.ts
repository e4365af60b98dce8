/**
 * The engine half of the SQL sandbox (ARCHITECTURE.md decision 5): the DuckDB instance that
 * runs user SQL is configured, then locked, so that even SQL the statement check
 * (`query-policy.ts`) let through cannot reach past the lakehouse:
 *
 * - `allowed_directories` = the lakehouse's own local directories (local warehouse roots, the
 *   data file cache, staging, DuckDB's temp directory), `allowed_paths` = files our own code
 *   reads for the user (ingest inputs), then `enable_external_access = false`: no other file,
 *   no URL, no `ATTACH`;
 * - `autoinstall_known_extensions = false`, `autoload_known_extensions = false`: a URL or a
 *   format never makes DuckDB download or load an extension (the ones we use are built in);
 * - `lock_configuration = true`: no statement can change any of this afterwards.
 *
 * With local file access (the CLI's opt-in) external access stays on; extensions are still
 * never fetched and the configuration is still locked.
 * Settings: DuckDB "Securing DuckDB" (duckdb.org/docs/operations_manual/securing_duckdb).
 */
import { resolve, sep } from "node:path";
import type { Duck } from "../../duckdb/connection.js";
import { quoteString } from "../../duckdb/sql.js";

/** Options of {@link sandboxDuckDB}. */
export interface DuckDBSandboxOptions {
  /** Local directories DuckDB may read and write (absolute or relative paths; deduplicated). */
  readonly allowedDirectories: readonly string[];
  /** Single local files DuckDB may read besides (e.g. the inputs of `aichemy ingest`). */
  readonly allowedPaths?: readonly string[] | undefined;
  /** Whether user SQL may read any local file (default false). */
  readonly localFileAccess?: boolean | undefined;
}

/** Absolute directory paths ending in the separator (so `/a/wh` never admits `/a/wh2`), deduplicated, sorted. */
export function directoryPrefixes(dirs: readonly string[]): string[] {
  return [...new Set(dirs.map((d) => resolve(d).replace(/[\\/]+$/, "") + sep))].sort();
}

/**
 * Applies the sandbox to a freshly opened instance (through any of its connections), then
 * locks its configuration: call once, after every other global setting.
 * @throws DuckDB's error if a setting is refused (the instance must then not be used)
 */
export async function sandboxDuckDB(duck: Duck, opts: DuckDBSandboxOptions): Promise<void> {
  if (!opts.localFileAccess) {
    const dirs = directoryPrefixes(opts.allowedDirectories);
    await duck.run(`SET GLOBAL allowed_directories = [${dirs.map(quoteString).join(", ")}]`);
    const paths = [...new Set((opts.allowedPaths ?? []).map((p) => resolve(p)))];
    if (paths.length > 0) await duck.run(`SET GLOBAL allowed_paths = [${paths.map(quoteString).join(", ")}]`);
    await duck.run("SET GLOBAL enable_external_access = false");
  }
  await duck.run("SET GLOBAL autoinstall_known_extensions = false");
  await duck.run("SET GLOBAL autoload_known_extensions = false");
  await duck.run("SET GLOBAL lock_configuration = true");
}
