/**
 * A FileIO that picks the implementation by each location's scheme (Iceberg Java
 * `ResolvingFileIO`): `s3://`, `s3a://`, `s3n://` go to {@link S3FileIO}, `file:` URIs and plain
 * paths to {@link LocalFileIO}. Warehouses on local disk and on S3 can then live in one catalog.
 */
import { UnsupportedOperationError } from "../errors.js";
import type { FileCache } from "./file-cache.js";
import type { FileInfo, FileIO, StagingDirectory } from "./file-io.js";
import { LocalFileIO } from "./local-file-io.js";
import { schemeOf } from "./location.js";
import { S3FileIO, type S3Options } from "./s3-file-io.js";

/** Options of {@link ResolvingFileIO}. */
export interface ResolvingFileIOOptions {
  /** How to reach S3 (default: AWS with the default credential chain). */
  readonly s3?: S3Options | undefined;
  /** Disk cache of remote data files (default: see {@link S3FileIO}). */
  readonly cache?: FileCache | undefined;
  /** Local directory for staging new files bound for remote stores (default: OS temp). */
  readonly stagingRoot?: string | undefined;
}

/** FileIO over local disk and S3, by location. */
export class ResolvingFileIO implements FileIO {
  readonly local = new LocalFileIO();
  readonly #opts: ResolvingFileIOOptions;
  #s3: S3FileIO | undefined;

  constructor(opts: ResolvingFileIOOptions = {}) {
    this.#opts = opts;
  }

  /**
   * A FileIO like this one (same cache and staging) that reaches S3 with other options, e.g.
   * credentials a REST catalog vended for one table.
   */
  withS3(s3: S3Options): ResolvingFileIO {
    return new ResolvingFileIO({ ...this.#opts, s3, cache: this.#opts.cache ?? this.s3.cache });
  }

  /** The disk cache and staging root (see {@link FileIO.localDirectories}). */
  get localDirectories(): readonly string[] {
    const cache = this.#opts.cache?.directory ?? this.#s3?.cache.directory;
    return [cache, this.#opts.stagingRoot].filter((d): d is string => d !== undefined);
  }

  /** The S3 FileIO (created on first use). */
  get s3(): S3FileIO {
    this.#s3 ??= new S3FileIO(this.#opts.s3 ?? {}, {
      cache: this.#opts.cache,
      stagingRoot: this.#opts.stagingRoot,
    });
    return this.#s3;
  }

  /**
   * The implementation for a location.
   * @throws UnsupportedOperationError naming the location for schemes other than file and S3.
   */
  io(location: string): LocalFileIO | S3FileIO {
    if (LocalFileIO.handles(location)) return this.local;
    if (S3FileIO.handles(location)) return this.s3;
    throw new UnsupportedOperationError(
      `no FileIO for scheme ${schemeOf(location)}: (${location}); supported: file, s3, s3a, s3n`,
    );
  }

  read(location: string): Promise<Uint8Array> {
    return this.io(location).read(location);
  }
  readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    return this.io(location).readRange(location, offset, length);
  }
  write(location: string, data: Uint8Array, opts?: { ifNotExists?: boolean }): Promise<void> {
    return this.io(location).write(location, data, opts);
  }
  exists(location: string): Promise<boolean> {
    return this.io(location).exists(location);
  }
  stat(location: string): Promise<FileInfo> {
    return this.io(location).stat(location);
  }
  delete(location: string): Promise<void> {
    return this.io(location).delete(location);
  }
  list(prefix: string): AsyncIterable<FileInfo> {
    return this.io(prefix).list(prefix);
  }
  localReadPath(location: string): Promise<string> {
    return this.io(location).localReadPath(location);
  }
  stagingDirectory(prefix: string): Promise<StagingDirectory> {
    return this.io(prefix).stagingDirectory(prefix);
  }

  /** Closes the S3 client, if one was made. */
  close(): void {
    this.#s3?.close();
  }
}
