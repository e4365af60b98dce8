/**
 * FileIO in memory, for tests of metadata-level code. Files DuckDB must read are copied to a
 * temporary directory on demand.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlreadyExistsError, NotFoundError } from "../errors.js";
import type { FileInfo, FileIO, StagingDirectory } from "./file-io.js";

/** FileIO backed by a Map of location -> bytes. */
export class MemoryFileIO implements FileIO {
  readonly files = new Map<string, { data: Uint8Array; mtime: number }>();
  #tmp: string | undefined;

  async read(location: string): Promise<Uint8Array> {
    const f = this.files.get(location);
    if (!f) throw new NotFoundError(`file not found: ${location}`);
    return f.data;
  }

  async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    return (await this.read(location)).subarray(offset, offset + Math.max(0, length));
  }

  async write(location: string, data: Uint8Array, opts: { ifNotExists?: boolean } = {}): Promise<void> {
    if (opts.ifNotExists && this.files.has(location))
      throw new AlreadyExistsError(`file already exists: ${location}`);
    this.files.set(location, { data: new Uint8Array(data), mtime: Date.now() });
  }

  async exists(location: string): Promise<boolean> {
    return this.files.has(location);
  }

  async stat(location: string): Promise<FileInfo> {
    const f = this.files.get(location);
    if (!f) throw new NotFoundError(`file not found: ${location}`);
    return { location, sizeBytes: f.data.length, lastModifiedMs: f.mtime };
  }

  async delete(location: string): Promise<void> {
    this.files.delete(location);
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    const p = prefix.endsWith("/") ? prefix : `${prefix}/`;
    for (const [location, f] of this.files) {
      if (location.startsWith(p)) yield { location, sizeBytes: f.data.length, lastModifiedMs: f.mtime };
    }
  }

  async #dir(): Promise<string> {
    this.#tmp ??= await mkdtemp(join(tmpdir(), "aichemy-memio-"));
    return this.#tmp;
  }

  async localReadPath(location: string): Promise<string> {
    const data = await this.read(location);
    const path = join(await this.#dir(), encodeURIComponent(location));
    await writeFile(path, data);
    return path;
  }

  async stagingDirectory(_prefix: string): Promise<StagingDirectory> {
    const localPath = await mkdtemp(join(await this.#dir(), "staging-"));
    return {
      localPath,
      publish: async (localFile, location) => {
        await this.write(location, await readFile(localFile));
        await rm(localFile, { force: true });
      },
      cleanup: async () => {
        await rm(localPath, { recursive: true, force: true });
      },
    };
  }
}
