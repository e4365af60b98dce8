/**
 * Control of one running statement: its timeout and cancellation. Either interrupts the
 * session's DuckDB connection (the running statement stops, later ones of the same statement
 * fail with the same reason), and errors are reported as the reason, not as DuckDB's
 * interrupt: `ExceededLimitError` (`EXCEEDED_TIME_LIMIT`, Trino's "Query exceeded maximum
 * time limit of ...") or the canceler's error (`QueryCanceledError` by default).
 */
import type { Duck } from "../../duckdb/connection.js";
import { ExceededLimitError } from "../../errors.js";
import { translateDuckDBError } from "./duckdb-errors.js";
import { abortReason } from "./query-admission.js";

/** How a statement may be stopped. */
export interface ExecuteOptions {
  /** Aborting it cancels the statement (the client left, the server stops); its reason is reported. */
  readonly signal?: AbortSignal | undefined;
  /** Further signals that cancel the statement alike (e.g. the server's shutdown). */
  readonly signals?: readonly AbortSignal[] | undefined;
  /** Statement timeout in milliseconds, counted from the call, queueing included (default: none). */
  readonly timeoutMs?: number | undefined;
}

/** Formats a duration like Trino's limits (`30.00s`, `5.00m`, `1.00h`). */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(2)}m`;
  return `${(ms / 3_600_000).toFixed(2)}h`;
}

/** The timeout and cancellation of one statement on one connection; {@link dispose} when it ends. */
export class StatementControl {
  readonly #duck: Duck;
  readonly #abort = new AbortController();
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #outer: { signal: AbortSignal; onAbort: () => void }[] = [];

  constructor(duck: Duck, opts: ExecuteOptions = {}) {
    this.#duck = duck;
    duck.resetCancel();
    for (const signal of [opts.signal, ...(opts.signals ?? [])]) {
      if (!signal) continue;
      const onAbort = () => this.cancel(abortReason(signal));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        this.#outer.push({ signal, onAbort });
      }
    }
    const ms = opts.timeoutMs;
    if (ms !== undefined && Number.isFinite(ms) && ms > 0) {
      this.#timer = setTimeout(
        () =>
          this.cancel(
            new ExceededLimitError(
              `Query exceeded maximum time limit of ${formatDuration(ms)}`,
              "EXCEEDED_TIME_LIMIT",
            ),
          ),
        ms,
      );
      this.#timer.unref();
    }
  }

  /** Aborted when the statement is canceled or times out (for waits outside DuckDB). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Cancels the statement with `reason` (the first reason wins). */
  cancel(reason: Error): void {
    if (!this.#abort.signal.aborted) this.#abort.abort(reason);
    this.#duck.cancel(this.#abort.signal.reason as Error);
  }

  /** The error to report for `e`: the cancel reason once canceled, else DuckDB's error translated. */
  error(e: unknown): unknown {
    if (this.#abort.signal.aborted) return this.#abort.signal.reason;
    return translateDuckDBError(e);
  }

  /** Stops the timer and lets the connection run statements again. */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    for (const { signal, onAbort } of this.#outer) signal.removeEventListener("abort", onAbort);
    this.#duck.resetCancel();
  }
}
