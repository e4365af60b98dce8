/**
 * Admission of statements to the engine: at most `maxConcurrent` run at once, the others wait
 * in arrival order. This is what keeps catalog operations from queueing behind user queries:
 * every DuckDB call holds one of libuv's worker threads while it executes (measured: four
 * heavy queries on the default pool of four made a 1-byte `readFile`, and so every
 * `loadTable`, wait 15 s), so statements may only take the threads the pool has beyond
 * those reserved for file and DNS work (see `threadpool.ts`). Waiting can be abandoned (the
 * client left, the server stops) and is bounded by the statement's own timeout.
 */
import { QueryCanceledError } from "../../errors.js";

/** A slot taken by {@link QueryAdmission.acquire}; `release` is idempotent. */
export interface AdmissionTicket {
  release(): void;
}

interface Waiter {
  readonly grant: () => void;
  readonly fail: (e: Error) => void;
}

/** A FIFO semaphore over running statements. */
export class QueryAdmission {
  /** Most statements running at once (>= 1). */
  readonly maxConcurrent: number;
  #running = 0;
  readonly #waiting: Waiter[] = [];

  /** @param maxConcurrent most statements running at once (clamped to >= 1) */
  constructor(maxConcurrent: number) {
    this.maxConcurrent = Math.max(1, Math.floor(maxConcurrent));
  }

  /** Statements running now. */
  get running(): number {
    return this.#running;
  }

  /** Statements waiting for a slot. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Takes a slot, waiting in arrival order when all are taken.
   * @throws the signal's reason (or QueryCanceledError) when `signal` aborts while waiting
   */
  acquire(signal?: AbortSignal): Promise<AdmissionTicket> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#running < this.maxConcurrent) {
      this.#running++;
      return Promise.resolve(this.#ticket());
    }
    return new Promise<AdmissionTicket>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#ticket());
        },
        fail: reject,
      };
      const onAbort = () => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #ticket(): AdmissionTicket {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiting.shift();
        if (next) next.grant();
        else this.#running--;
      },
    };
  }
}

/** The reason an aborted signal carries, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error && r.name !== "AbortError" ? r : new QueryCanceledError("Query was canceled");
}
