/**
 * How the CLI reports errors: `Error [CODE]: message` with the stable code of
 * `AIchemyError`, or DuckDB's message for query execution errors.
 */
import { AIchemyError } from "../errors.js";

/** The one-line message printed for an error. */
export function errorMessage(e: unknown): string {
  if (e instanceof AIchemyError) return `Error [${e.code}]: ${e.message}`;
  if (e instanceof Error) return `Error: ${e.message}`;
  return `Error: ${String(e)}`;
}
