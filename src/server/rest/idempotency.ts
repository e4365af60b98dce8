/**
 * `Idempotency-Key` handling (REST spec "Idempotency-Key" header, RFC draft
 * `draft-ietf-httpapi-idempotency-key-header`): the first request with a key runs; its final
 * response (2xx and deterministic 4xx, never 5xx) is kept for the advertised lifetime and
 * replayed to retries with the same key. A retry that arrives while the first is still
 * running waits for it. Keys are scoped by caller and operation, so one caller's key never
 * replays another caller's response. State is in memory, per server process.
 */

/** A response as stored for replay. */
export interface StoredResponse {
  readonly status: number;
  /** The body, or null when there is none or when {@link replay} rebuilds it. */
  readonly body: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Rebuilds a large body from immutable state instead of keeping it (a commit's response is
   * the table's whole metadata, megabytes on long-lived tables, and is in its metadata file).
   */
  readonly replay?: (() => Promise<string>) | undefined;
}

/** Default lifetime of a key, advertised as `idempotency-key-lifetime` (ISO-8601). */
export const IDEMPOTENCY_KEY_LIFETIME = "PT30M";
const LIFETIME_MS = 30 * 60 * 1000;

/** The spec asks for a UUIDv7 (36 characters); any UUID layout is accepted. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a header value is a well-formed key. */
export function isValidIdempotencyKey(key: string): boolean {
  return UUID.test(key);
}

interface Entry {
  expires: number;
  response?: StoredResponse;
  pending?: Promise<StoredResponse>;
}

/** Keys and their responses, bounded in count (oldest evicted first). */
export class IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #lifetimeMs: number;

  constructor(maxEntries = 100_000, lifetimeMs = LIFETIME_MS) {
    this.#max = maxEntries;
    this.#lifetimeMs = lifetimeMs;
  }

  /**
   * Runs `op` once per `scope`+`key`: later calls get the stored final response, or wait for
   * the first call when it is still running. Responses with status >= 500 are not kept.
   */
  async run(scope: string, key: string, op: () => Promise<StoredResponse>): Promise<StoredResponse> {
    const id = `${scope}\u0000${key}`;
    const now = Date.now();
    const hit = this.#entries.get(id);
    if (hit && hit.expires > now) {
      if (hit.response) return hit.response;
      if (hit.pending) return hit.pending;
    }
    const entry: Entry = { expires: now + this.#lifetimeMs };
    const pending = op().then(
      (response) => {
        if (response.status >= 500) this.#entries.delete(id);
        else {
          entry.response = response;
          entry.pending = undefined;
        }
        return response;
      },
      (e: unknown) => {
        this.#entries.delete(id);
        throw e;
      },
    );
    entry.pending = pending;
    this.#entries.set(id, entry);
    this.#evict(now);
    return pending;
  }

  #evict(now: number): void {
    if (this.#entries.size <= this.#max) return;
    for (const [k, e] of this.#entries) {
      if (this.#entries.size <= this.#max) break;
      if (e.expires <= now || !e.pending) this.#entries.delete(k);
    }
  }
}
