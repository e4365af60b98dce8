/**
 * Access to ../shared reference data from tests: a path helper and a skip reason for when the
 * directory is absent (a user's clone has no ../shared).
 */
import { existsSync } from "node:fs";
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
