/**
 * A FileIO whose local paths, the ones handed to DuckDB (`localReadPath`, staging
 * directories), stay under some directories (the SQL sandbox's `allowed_directories`).
 * Everything else goes to the wrapped FileIO unchanged. A file the wrapped FileIO gives
 * elsewhere (a table of an attached catalog on this disk, another cache) is read through a
 * {@link FileCache} under those directories (a hard link, or a copy across file systems:
 * Iceberg data files are immutable, so caching by location is safe); new files are written in
 * a staging directory under them and moved into the wrapped FileIO's staging on publish.
 */
import { randomUUID } from "node:crypto";
import { copyFile, link, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { basename, join, resolve, sep } from "node:path";
import type { FileCache } from "./file-cache.js";
import type { FileInfo, FileIO, StagingDirectory } from "./file-io.js";

/** Moves a file, copying when source and destination are on different file systems. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** Options of {@link ConfinedFileIO}. */
export interface ConfinedFileIOOptions {
  /** Directories local paths must stay under (absolute, or resolved against the working directory). */
  readonly roots: readonly string[];
  /** Where copies of files from elsewhere are kept (under a root). */
  readonly cache: FileCache;
  /** Where new files bound elsewhere are written first (under a root). */
  readonly stagingRoot: string;
}

/** See the module documentation. */
export class ConfinedFileIO implements FileIO {
  readonly inner: FileIO;
  readonly #roots: readonly string[];
  readonly #cache: FileCache;
  readonly #stagingRoot: string;

  constructor(inner: FileIO, opts: ConfinedFileIOOptions) {
    this.inner = inner;
    this.#roots = opts.roots.map((r) => resolve(r).replace(/[\\/]+$/, "") + sep);
    this.#cache = opts.cache;
    this.#stagingRoot = opts.stagingRoot;
  }

  /** Whether a local path is under one of the roots. */
  inside(path: string): boolean {
    const p = `${resolve(path)}${sep}`;
    return this.#roots.some((r) => p.startsWith(r));
  }

  read(location: string): Promise<Uint8Array> {
    return this.inner.read(location);
  }
  readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.readRange(location, offset, length);
  }
  write(location: string, data: Uint8Array, opts?: { ifNotExists?: boolean }): Promise<void> {
    return this.inner.write(location, data, opts);
  }
  exists(location: string): Promise<boolean> {
    return this.inner.exists(location);
  }
  stat(location: string): Promise<FileInfo> {
    return this.inner.stat(location);
  }
  delete(location: string): Promise<void> {
    return this.inner.delete(location);
  }
  list(prefix: string): AsyncIterable<FileInfo> {
    return this.inner.list(prefix);
  }
  close(): void {
    this.inner.close?.();
  }

  /** The wrapped FileIO's path when it is under a root, else a cached link or copy of it. */
  async localReadPath(location: string): Promise<string> {
    const path = await this.inner.localReadPath(location);
    if (this.inside(path)) return path;
    return this.#cache.get(location, async (target) => {
      try {
        await link(path, target);
      } catch {
        await copyFile(path, target);
      }
    });
  }

  /** The wrapped FileIO's staging when it is under a root, else one under `stagingRoot` in front of it. */
  async stagingDirectory(prefix: string): Promise<StagingDirectory> {
    const inner = await this.inner.stagingDirectory(prefix);
    if (this.inside(inner.localPath)) return inner;
    await mkdir(this.#stagingRoot, { recursive: true });
    const localPath = await mkdtemp(join(this.#stagingRoot, `aichemy-staging-${randomUUID().slice(0, 8)}-`));
    return {
      localPath,
      publish: async (localFile, location) => {
        const moved = join(inner.localPath, `${randomUUID().slice(0, 8)}-${basename(localFile)}`);
        await moveFile(localFile, moved);
        await inner.publish(moved, location);
      },
      cleanup: async () => {
        await rm(localPath, { recursive: true, force: true });
        await inner.cleanup();
      },
    };
  }
}
