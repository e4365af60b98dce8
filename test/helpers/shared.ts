/**
 * Access to ../shared reference data from tests: a path helper, a skip reason for when the
 * directory is absent (a user's clone has no ../shared), and copies of shared tables inside a
 * lakehouse's warehouse (the catalog registers only tables inside its warehouse).
 */
import { cpSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** Root of the shared reference material. */
export const SHARED = resolve(import.meta.dirname, "../../../shared");

/** A path under ../shared. */
export function shared(...parts: string[]): string {
  return join(SHARED, ...parts);
}

/** `false` when ../shared/<sub> exists, else a skip message for node:test. */
export function sharedSkip(sub: string): false | string {
  return existsSync(join(SHARED, sub))
    ? false
    : `../shared/${sub} is absent (a user's clone has no ../shared); skipping`;
}

/**
 * Copies `../shared/<parts>` into the default warehouse of the lakehouse in `dataDir`
 * (`<dataDir>/warehouse/shared/<parts>`) and returns the copy's path: tables are registered
 * from there, as a user copies tables into a warehouse before `register_table`.
 */
export function copySharedIntoWarehouse(dataDir: string, ...parts: string[]): string {
  const to = join(dataDir, "warehouse", "shared", ...parts);
  cpSync(shared(...parts), to, { recursive: true });
  return to;
}
