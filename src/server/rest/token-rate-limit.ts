/**
 * Rate limit of failed token requests (OWASP "Blocking Brute Force Attacks"; RFC 6749
 * section 10.10 asks authorization servers to make guessing credentials infeasible): a token
 * bucket per key (a client id, a remote address) that holds `maxFailures` and refills at
 * `maxFailures` per `windowMs`. Every failed request takes one from each of its keys; a
 * request with an empty bucket is refused before its credentials are looked at, so a
 * correct guess during a lockout is not told apart from a wrong one. In memory, per process
 * (several servers behind a load balancer each allow `maxFailures`).
 */

/** Options of {@link FailureRateLimiter}. */
export interface FailureRateLimitOptions {
  /** Failures a key may have in a burst, and per window (default 10). */
  readonly maxFailures?: number | undefined;
  /** Refill period of a whole bucket, in milliseconds (default 60000: a minute). */
  readonly windowMs?: number | undefined;
  /** Keys tracked before full buckets are forgotten (default 10000). */
  readonly maxKeys?: number | undefined;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Failure buckets by key. */
export class FailureRateLimiter {
  readonly maxFailures: number;
  readonly #perMs: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(opts: FailureRateLimitOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 10;
    this.#perMs = this.maxFailures / (opts.windowMs ?? 60_000);
    this.#maxKeys = opts.maxKeys ?? 10_000;
  }

  /** Keys currently tracked (for diagnostics). */
  get trackedKeys(): number {
    return this.#buckets.size;
  }

  #tokens(key: string, nowMs: number): number {
    const b = this.#buckets.get(key);
    if (!b) return this.maxFailures;
    return Math.min(this.maxFailures, b.tokens + (nowMs - b.updatedMs) * this.#perMs);
  }

  /**
   * Seconds until every key may fail once more: 0 when none is exhausted (the request may
   * go on), else the `Retry-After` value (RFC 9110 section 10.2.3), at least 1.
   */
  retryAfterSeconds(keys: readonly string[], nowMs = Date.now()): number {
    let waitMs = 0;
    for (const k of keys) {
      const t = this.#tokens(k, nowMs);
      if (t < 1) waitMs = Math.max(waitMs, (1 - t) / this.#perMs);
    }
    return waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000));
  }

  /** Records one failure against each key. */
  recordFailure(keys: readonly string[], nowMs = Date.now()): void {
    for (const k of keys) {
      const tokens = Math.max(0, this.#tokens(k, nowMs) - 1);
      this.#buckets.delete(k); // re-inserted last: the map stays in order of last failure
      this.#buckets.set(k, { tokens, updatedMs: nowMs });
    }
    if (this.#buckets.size > this.#maxKeys) this.#forget(nowMs);
  }

  /** Drops full buckets, then the least recently failed ones, down to the key bound. */
  #forget(nowMs: number): void {
    for (const k of [...this.#buckets.keys()])
      if (this.#tokens(k, nowMs) >= this.maxFailures) this.#buckets.delete(k);
    for (const k of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxKeys) break;
      this.#buckets.delete(k);
    }
  }
}
