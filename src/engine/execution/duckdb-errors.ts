/**
 * DuckDB's errors as the user should see them, for the failures the engine itself causes or
 * must contain: the sandbox refusing a file (`Permission Error`), the memory limit (`Out of
 * Memory Error`), an interrupt (`INTERRUPT Error`), and failures that invalidate the whole
 * DuckDB instance (`FATAL Error`, `INTERNAL Error`: every later statement would fail with
 * "database has been invalidated", so the lakehouse replaces the instance). Other errors are
 * the query's own and pass through, without DuckDB's `LINE n:` context (it quotes the
 * rewritten SQL, with data file paths, never the user's text).
 */
import {
  AccessDeniedError,
  AIchemyError,
  ExceededLimitError,
  QueryCanceledError,
  ServerError,
} from "../../errors.js";

/**
 * An engine failure that invalidated the DuckDB instance (REST `ServerErrorException`, 500):
 * the statement failed, the process goes on, and new sessions get a new instance.
 */
export class EngineFailureError extends ServerError {}

/** DuckDB's message without its `LINE n: ...` context (which quotes the rewritten SQL, not the user's). */
export function withoutSqlContext(message: string): string {
  return message.replace(/\n+\s*LINE \d+:[\s\S]*$/, "").trim();
}

/** Whether an error is DuckDB saying its instance is no longer usable. */
export function invalidatesInstance(e: unknown): boolean {
  const m = e instanceof Error ? e.message : "";
  return /^(FATAL|INTERNAL) Error:|database has been invalidated/i.test(m);
}

/**
 * Translates an error thrown by a DuckDB call (see the module doc); AIchemy's own errors and
 * others pass through unchanged.
 */
export function translateDuckDBError(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof AIchemyError) return e;
  const m = e.message;
  if (/^Permission Error:/.test(m)) {
    const what = withoutSqlContext(m.replace(/^Permission Error:\s*/, ""))
      .replace(/ - file system operations are disabled by configuration$/, "")
      .replace(/^Cannot access (file|directory) /, "Cannot access $1 ");
    return new AccessDeniedError(
      `Access Denied: ${what} (outside the lakehouse: the SQL sandbox allows no other file or URL)`,
      { cause: e },
    );
  }
  if (/^Out of Memory Error:/.test(m))
    return new ExceededLimitError(
      // DuckDB's "Possible solutions" are settings users of a locked engine cannot change.
      `Query exceeded the memory limit: ${withoutSqlContext(m.replace(/^Out of Memory Error:\s*/, "")).replace(/\s*Possible solutions:[\s\S]*$/, "")}`,
      "EXCEEDED_MEMORY_LIMIT",
      { cause: e },
    );
  if (/^INTERRUPT Error:/.test(m)) return new QueryCanceledError("Query was canceled", { cause: e });
  if (invalidatesInstance(e))
    return new EngineFailureError(
      `the query engine failed and was restarted; run the statement again (${withoutSqlContext(m)})`,
      { cause: e },
    );
  // The rest are the query's own errors; their `LINE n:` context quotes our rewritten SQL.
  const bare = withoutSqlContext(m);
  return bare === m ? e : new Error(bare, { cause: e });
}
