/**
 * A size-bounded local disk cache of immutable remote files, by location (ARCHITECTURE.md
 * decision 4: data files never change once written, so an entry never goes stale). DuckDB has
 * no S3 reader here, so scans read cached copies: a cold scan downloads the files it needs
 * after pruning, a warm scan reads local disk only.
 *
 * Eviction is least-recently-used by bytes. A file handed out in the last `graceMs` is not
 * evicted (DuckDB may not have opened it yet), so the cache can briefly exceed its limit while
 * one scan needs more than the limit.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/** Options of {@link FileCache}. */
export interface FileCacheOptions {
  /** Directory of the cached files (created if missing; entries found there are reused). */
  readonly directory: string;
  /** Upper bound of the cached bytes (default 10 GiB). */
  readonly maxBytes?: number | undefined;
  /** Downloads running at once (default 8). */
  readonly concurrency?: number | undefined;
  /** Milliseconds after a file was handed out during which it is not evicted (default 60000). */
  readonly graceMs?: number | undefined;
}

/** Counters of a {@link FileCache} since it was opened. */
export interface FileCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  /** Bytes downloaded. */
  fetchedBytes: number;
  /** Bytes cached now. */
  bytes: number;
  entries: number;
}

interface Entry {
  readonly path: string;
  readonly size: number;
  lastUsed: number;
}

/** Default size bound: 10 GiB. */
export const DEFAULT_CACHE_BYTES = 10 * 1024 ** 3;

/** A disk cache of immutable files keyed by location. */
export class FileCache {
  readonly directory: string;
  readonly maxBytes: number;
  readonly #graceMs: number;
  readonly #concurrency: number;
  /** Entries in least-recently-used-first order (a Map keeps insertion order). */
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  #bytes = 0;
  readonly #stats = { hits: 0, misses: 0, evictions: 0, fetchedBytes: 0 };

  constructor(opts: FileCacheOptions) {
    this.directory = opts.directory;
    this.maxBytes = opts.maxBytes ?? DEFAULT_CACHE_BYTES;
    this.#graceMs = opts.graceMs ?? 60_000;
    this.#concurrency = Math.max(1, opts.concurrency ?? 8);
    mkdirSync(this.directory, { recursive: true });
    // Files of an earlier process are reused, oldest first; partial downloads are removed.
    const found: { name: string; size: number; mtime: number }[] = [];
    for (const name of readdirSync(this.directory)) {
      const path = join(this.directory, name);
      if (name.startsWith(".tmp-")) {
        rmSync(path, { force: true });
        continue;
      }
      const s = statSync(path, { throwIfNoEntry: false });
      if (s?.isFile()) found.push({ name, size: s.size, mtime: s.mtimeMs });
    }
    found.sort((a, b) => a.mtime - b.mtime);
    for (const f of found) {
      this.#entries.set(f.name, { path: join(this.directory, f.name), size: f.size, lastUsed: 0 });
      this.#bytes += f.size;
    }
    this.#evict();
  }

  /** The cache file name of a location: a hash, plus the location's extension for readability. */
  static fileName(location: string): string {
    const hash = createHash("sha256").update(location).digest("hex").slice(0, 40);
    const ext = /\.[A-Za-z0-9]{1,12}$/.exec(location)?.[0] ?? "";
    return hash + ext;
  }

  /**
   * The local path of the cached copy of `location`, fetching it when absent: `fetch` must
   * write the whole file to the path it is given (a temporary name, renamed into place when
   * it resolves). Concurrent calls for one location share one download.
   * @throws whatever `fetch` throws (nothing is cached then).
   */
  async get(location: string, fetch: (path: string) => Promise<void>): Promise<string> {
    const name = FileCache.fileName(location);
    const hit = this.#entries.get(name);
    if (hit && statSync(hit.path, { throwIfNoEntry: false })) {
      this.#stats.hits++;
      this.#touch(name, hit);
      return hit.path;
    }
    if (hit) this.#forget(name, hit);
    const pending = this.#inflight.get(name);
    if (pending) {
      this.#stats.hits++;
      return pending;
    }
    this.#stats.misses++;
    const p = this.#download(name, fetch).finally(() => this.#inflight.delete(name));
    this.#inflight.set(name, p);
    return p;
  }

  /** Counters since the cache was opened. */
  stats(): FileCacheStats {
    return { ...this.#stats, bytes: this.#bytes, entries: this.#entries.size };
  }

  /** Removes every cached file. */
  async clear(): Promise<void> {
    for (const [name, e] of [...this.#entries]) {
      this.#forget(name, e);
      await rm(e.path, { force: true });
    }
  }

  async #download(name: string, fetch: (path: string) => Promise<void>): Promise<string> {
    await this.#acquire();
    const tmp = join(this.directory, `.tmp-${randomUUID()}`);
    try {
      await fetch(tmp);
      const path = join(this.directory, name);
      await rename(tmp, path);
      const { size } = await stat(path);
      this.#stats.fetchedBytes += size;
      const entry: Entry = { path, size, lastUsed: Date.now() };
      this.#entries.set(name, entry);
      this.#bytes += size;
      this.#evict();
      return path;
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    } finally {
      this.#release();
    }
  }

  #touch(name: string, e: Entry): void {
    e.lastUsed = Date.now();
    this.#entries.delete(name);
    this.#entries.set(name, e);
  }

  #forget(name: string, e: Entry): void {
    if (this.#entries.delete(name)) this.#bytes -= e.size;
  }

  #evict(): void {
    if (this.#bytes <= this.maxBytes) return;
    const now = Date.now();
    for (const [name, e] of [...this.#entries]) {
      if (this.#bytes <= this.maxBytes) break;
      if (now - e.lastUsed < this.#graceMs) continue;
      this.#forget(name, e);
      this.#stats.evictions++;
      rmSync(e.path, { force: true });
    }
  }

  async #acquire(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}
