/**
 * A FileIO that reads, lists, writes and deletes only inside one warehouse (issue 9,
 * "Locations escape the warehouse"): the last line behind the catalog's checks, for every file
 * a table operation touches (metadata, manifests, data and delete files, expired snapshots'
 * files, orphans, purges). Tables are created and registered inside their warehouse, and the
 * files of a copied table are resolved to where it is now; so a location elsewhere can only
 * come from metadata a client wrote to point outside (a manifest listing another table's or
 * the host's files): reading it would hand another place's files to DuckDB, deleting it
 * would destroy them. Every call whose location the warehouse's {@link LocationPolicy} does
 * not allow is refused before anything is touched.
 */
import type { FileInfo, FileIO, StagingDirectory } from "./file-io.js";
import type { LocationPolicy } from "./location-policy.js";

/** A FileIO bounded to a warehouse (see module doc). */
export class WarehouseFileIO implements FileIO {
  /** The FileIO every call goes to once allowed. */
  readonly inner: FileIO;
  /** The warehouse's location check. */
  readonly policy: LocationPolicy;

  constructor(inner: FileIO, policy: LocationPolicy) {
    this.inner = inner;
    this.policy = policy;
  }

  /** @throws ValidationError (`file to read "..." is outside the warehouse ...`) before reading */
  read(location: string): Promise<Uint8Array> {
    return this.#checked("file to read", location, () => this.inner.read(location));
  }

  /** @throws ValidationError (`file to read "..." is outside the warehouse ...`) before reading */
  readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    return this.#checked("file to read", location, () => this.inner.readRange(location, offset, length));
  }

  /** Runs `fn` if the policy allows `location`, else rejects with the policy's error. */
  #checked<T>(field: string, location: string, fn: () => Promise<T>): Promise<T> {
    try {
      this.policy.check(field, location);
    } catch (e) {
      return Promise.reject(e);
    }
    return fn();
  }

  /** @throws ValidationError (`file to write "..." is outside the warehouse ...`) before writing */
  async write(location: string, data: Uint8Array, opts?: { ifNotExists?: boolean }): Promise<void> {
    this.policy.check("file to write", location);
    await this.inner.write(location, data, opts);
  }

  /** @throws ValidationError for a location outside the warehouse (its existence is not told) */
  exists(location: string): Promise<boolean> {
    return this.#checked("file", location, () => this.inner.exists(location));
  }

  /** @throws ValidationError for a location outside the warehouse */
  stat(location: string): Promise<FileInfo> {
    return this.#checked("file", location, () => this.inner.stat(location));
  }

  /** @throws ValidationError (`file to delete "..." is outside the warehouse ...`); nothing is deleted */
  async delete(location: string): Promise<void> {
    this.policy.check("file to delete", location);
    await this.inner.delete(location);
  }

  /** @throws ValidationError (when iterated) for a prefix outside the warehouse */
  async *list(prefix: string): AsyncIterable<FileInfo> {
    this.policy.check("prefix to list", prefix);
    yield* this.inner.list(prefix);
  }

  /** @throws ValidationError (`data file to read "..." is outside the warehouse ...`) */
  localReadPath(location: string): Promise<string> {
    return this.#checked("data file to read", location, () => this.inner.localReadPath(location));
  }

  /**
   * A staging directory for files bound under `prefix`, which must be inside the warehouse,
   * as must every location a staged file is published to.
   * @throws ValidationError naming the prefix or the location
   */
  async stagingDirectory(prefix: string): Promise<StagingDirectory> {
    this.policy.check("staging prefix", prefix);
    const staging = await this.inner.stagingDirectory(prefix);
    return {
      localPath: staging.localPath,
      publish: async (localFile, location) => {
        this.policy.check("file to write", location);
        await staging.publish(localFile, location);
      },
      cleanup: () => staging.cleanup(),
    };
  }
}
