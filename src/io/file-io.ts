/**
 * FileIO: the storage interface tables read and write through (pyiceberg `FileIO`,
 * Iceberg Java `FileIO`). Locations are URIs or absolute paths. Implementations: local disk
 * (`local-file-io.ts`), memory (`memory-file-io.ts`), S3 (`s3-file-io.ts`), and one that picks
 * by scheme (`resolving-file-io.ts`).
 */

/** Facts about a stored file. */
export interface FileInfo {
  readonly location: string;
  readonly sizeBytes: number;
  readonly lastModifiedMs: number;
}

/**
 * A local directory where DuckDB writes new files before they are published to their
 * locations. For local storage it lives under the destination, so publishing is a rename.
 */
export interface StagingDirectory {
  /** Local filesystem path of the directory. */
  readonly localPath: string;
  /** Moves (or uploads) a file written under `localPath` to `location`. */
  publish(localFile: string, location: string): Promise<void>;
  /** Removes the directory and anything left in it. */
  cleanup(): Promise<void>;
}

/** Storage operations tables need. Every method rejects with an Error naming the location. */
export interface FileIO {
  /** Reads a whole file. Rejects with NotFoundError when absent. */
  read(location: string): Promise<Uint8Array>;
  /**
   * Reads `length` bytes from byte `offset` (fewer at the end of the file): an HTTP range
   * request on object stores. Rejects with NotFoundError when absent.
   */
  readRange(location: string, offset: number, length: number): Promise<Uint8Array>;
  /**
   * Writes a whole file. With `ifNotExists`, fails (AlreadyExistsError) when the file
   * exists, atomically: the check-and-create is one operation (conditional create).
   */
  write(location: string, data: Uint8Array, opts?: { ifNotExists?: boolean }): Promise<void>;
  /** Whether a file exists. */
  exists(location: string): Promise<boolean>;
  /** Size and modification time. Rejects with NotFoundError when absent. */
  stat(location: string): Promise<FileInfo>;
  /** Deletes a file; deleting a missing file succeeds. */
  delete(location: string): Promise<void>;
  /** Every file under a prefix (recursively). */
  list(prefix: string): AsyncIterable<FileInfo>;
  /** A local filesystem path whose bytes equal the file at `location` (the file itself, or a cached copy). */
  localReadPath(location: string): Promise<string>;
  /** A staging directory for files destined under `prefix` (see {@link StagingDirectory}). */
  stagingDirectory(prefix: string): Promise<StagingDirectory>;
  /** Releases network clients, if the implementation holds any (optional; idempotent). */
  close?(): void;
  /**
   * Local directories this FileIO hands to DuckDB besides the locations themselves (its disk
   * cache, staging, temporary copies): the SQL sandbox lets DuckDB read and write there
   * (optional; none when absent).
   */
  readonly localDirectories?: readonly string[];
}
