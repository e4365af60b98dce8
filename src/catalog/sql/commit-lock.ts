/**
 * In-process locks per table for commits: commits to one table from one process run one at
 * a time, so a commit whose base went stale fails its requirement check at once instead of
 * writing a metadata file and losing the compare-and-swap. Other processes are still kept
 * honest by the compare-and-swap itself.
 */

/** Exclusive async locks by key. */
export class KeyedLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` holding the locks of every key (taken in sorted order, so never deadlocks). */
  async with<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of sorted) releases.push(await this.#acquire(key));
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  async #acquire(key: string): Promise<() => void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}
