/**
 * FileIO on the local filesystem, for `file:` URIs and absolute paths. Conditional create
 * (`ifNotExists`) writes a temporary file and hard-links it into place, which is atomic
 * and fails when the target exists.
 */
import { randomUUID } from "node:crypto";
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AlreadyExistsError, NotFoundError } from "../errors.js";
import type { FileInfo, FileIO, StagingDirectory } from "./file-io.js";
import { fileUri, hasScheme, localPathOf } from "./location.js";

function notFound(location: string, e: unknown): never {
  if ((e as NodeJS.ErrnoException).code === "ENOENT")
    throw new NotFoundError(`file not found: ${location}`, { cause: e });
  throw e;
}

/** FileIO over the local filesystem. Relative locations resolve against `baseDir` (default cwd). */
export class LocalFileIO implements FileIO {
  readonly #baseDir: string | undefined;

  constructor(baseDir?: string) {
    this.#baseDir = baseDir;
  }

  /** The local path of a location. @throws TypeError for non-local schemes. */
  path(location: string): string {
    return localPathOf(location, this.#baseDir);
  }

  async read(location: string): Promise<Uint8Array> {
    try {
      return await readFile(this.path(location));
    } catch (e) {
      return notFound(location, e);
    }
  }

  async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    let fh: import("node:fs/promises").FileHandle;
    try {
      fh = await open(this.path(location), "r");
    } catch (e) {
      return notFound(location, e);
    }
    try {
      const buf = Buffer.alloc(Math.max(0, length));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async write(location: string, data: Uint8Array, opts: { ifNotExists?: boolean } = {}): Promise<void> {
    const path = this.path(location);
    await mkdir(dirname(path), { recursive: true });
    if (!opts.ifNotExists) {
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, path);
      return;
    }
    const tmp = join(dirname(path), `.${randomUUID()}.tmp`);
    await writeFile(tmp, data);
    try {
      await link(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST")
        throw new AlreadyExistsError(`file already exists: ${location}`);
      throw e;
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  async exists(location: string): Promise<boolean> {
    try {
      await stat(this.path(location));
      return true;
    } catch {
      return false;
    }
  }

  async stat(location: string): Promise<FileInfo> {
    try {
      const s = await stat(this.path(location));
      return { location, sizeBytes: s.size, lastModifiedMs: s.mtimeMs };
    } catch (e) {
      return notFound(location, e);
    }
  }

  async delete(location: string): Promise<void> {
    await rm(this.path(location), { force: true });
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    const root = this.path(prefix);
    const useUri = prefix.startsWith("file:");
    const walk = async function* (dir: string): AsyncGenerator<FileInfo> {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) yield* walk(p);
        else if (e.isFile()) {
          const s = await stat(p);
          yield { location: useUri ? fileUri(p) : p, sizeBytes: s.size, lastModifiedMs: s.mtimeMs };
        }
      }
    };
    yield* walk(root);
  }

  async localReadPath(location: string): Promise<string> {
    return this.path(location);
  }

  async stagingDirectory(prefix: string): Promise<StagingDirectory> {
    const localPath = join(this.path(prefix), `.staging-${randomUUID()}`);
    await mkdir(localPath, { recursive: true });
    return {
      localPath,
      publish: async (localFile, location) => {
        const dest = this.path(location);
        await mkdir(dirname(dest), { recursive: true });
        await rename(localFile, dest);
      },
      cleanup: async () => {
        await rm(localPath, { recursive: true, force: true });
      },
    };
  }

  /** Whether this FileIO handles the location (file: URIs and plain paths). */
  static handles(location: string): boolean {
    return !hasScheme(location) || /^file:/i.test(location);
  }
}
