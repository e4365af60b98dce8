/**
 * Local disk access for a DuckDB confined to some directories (the SQL sandbox's
 * `allowed_directories`): files inside them are read and written in place, like
 * {@link LocalFileIO}; data files elsewhere (a table of a REST catalog on this machine whose
 * warehouse is not ours) are read through the {@link FileCache} (a hard link, or a copy across
 * file systems: Iceberg data files are immutable, so caching by location is safe) and written
 * through a staging directory under `stagingRoot`, moved into place on publish.
 */
import { randomUUID } from "node:crypto";
import { copyFile, link, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { FileCache } from "./file-cache.js";
import type { StagingDirectory } from "./file-io.js";
import { LocalFileIO } from "./local-file-io.js";

/** Moves a file, copying when source and destination are on different file systems. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** LocalFileIO whose paths handed to DuckDB stay under `roots`. */
export class ConfinedLocalFileIO extends LocalFileIO {
  readonly #roots: readonly string[];
  readonly #cache: FileCache;
  readonly #stagingRoot: string;

  /**
   * @param roots directories DuckDB may use directly (absolute paths)
   * @param cache where copies of files outside them are kept (must be under a root)
   * @param stagingRoot where new files bound outside them are written first (under a root)
   */
  constructor(roots: readonly string[], cache: FileCache, stagingRoot: string) {
    super();
    this.#roots = roots.map((r) => resolve(r).replace(/[\\/]+$/, "") + sep);
    this.#cache = cache;
    this.#stagingRoot = stagingRoot;
  }

  /** Whether a local path is under one of the roots. */
  inside(path: string): boolean {
    const p = resolve(path);
    return this.#roots.some((r) => p.startsWith(r) || `${p}${sep}` === r);
  }

  override async localReadPath(location: string): Promise<string> {
    const path = this.path(location);
    if (this.inside(path)) return path;
    return this.#cache.get(location, async (target) => {
      try {
        await link(path, target);
      } catch {
        await copyFile(path, target);
      }
    });
  }

  override async stagingDirectory(prefix: string): Promise<StagingDirectory> {
    if (this.inside(this.path(prefix))) return super.stagingDirectory(prefix);
    await mkdir(this.#stagingRoot, { recursive: true });
    const localPath = await mkdtemp(join(this.#stagingRoot, `aichemy-staging-${randomUUID().slice(0, 8)}-`));
    return {
      localPath,
      publish: async (localFile, location) => {
        const dest = this.path(location);
        await mkdir(dirname(dest), { recursive: true });
        await moveFile(localFile, dest);
      },
      cleanup: async () => {
        await rm(localPath, { recursive: true, force: true });
      },
    };
  }
}
