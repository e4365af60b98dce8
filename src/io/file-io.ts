/**
 * FileIO: the storage interface tables read and write through (pyiceberg `FileIO`,
 * Iceberg Java `FileIO`). Locations are URIs or absolute paths. Implementations: local disk
 * (`local-file-io.ts`), memory (`memory-file-io.ts`); S3 comes with object storage.
 */

/** Facts about a stored file. */
export interface FileInfo {
  readonly location: string;
  readonly sizeBytes: number;
  readonly lastModifiedMs: number;
}

/**
 * A local file DuckDB can write, published to its location by {@link StagedFile.publish}.
 * For local storage the path is the final location itself.
 */
export interface StagedFile {
  /** Local filesystem path to write. */
  readonly localPath: string;
  /** The destination location. */
  readonly location: string;
  /** Makes the written file visible at `location` (upload for remote stores). */
  publish(): Promise<void>;
  /** Removes whatever was written (used when a write fails before commit). */
  discard(): Promise<void>;
}

/** Storage operations tables need. Every method rejects with an Error naming the location. */
export interface FileIO {
  /** Reads a whole file. Rejects with NotFoundError when absent. */
  read(location: string): Promise<Uint8Array>;
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
  /** A local path to write a new file for `location` (see {@link StagedFile}). */
  stageWrite(location: string): Promise<StagedFile>;
}
