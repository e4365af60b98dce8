/**
 * A FileIO that writes and deletes only inside one warehouse (issue 9, "Locations escape the
 * warehouse"): the last line behind the catalog's checks, for every file a table operation
 * touches (data and delete files, manifests, expired snapshots' files, orphans, purges).
 * Reads pass through: a registered table may reference files elsewhere, and reading is not
 * what escapes. Writes, deletes and publishes of staged files whose location the warehouse's
 * {@link LocationPolicy} does not allow are refused before anything is touched.
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

  read(location: string): Promise<Uint8Array> {
    return this.inner.read(location);
  }

  readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.readRange(location, offset, length);
  }

  /** @throws ValidationError (`file to write "..." is outside the warehouse ...`) before writing */
  async write(location: string, data: Uint8Array, opts?: { ifNotExists?: boolean }): Promise<void> {
    this.policy.check("file to write", location);
    await this.inner.write(location, data, opts);
  }

  exists(location: string): Promise<boolean> {
    return this.inner.exists(location);
  }

  stat(location: string): Promise<FileInfo> {
    return this.inner.stat(location);
  }

  /** @throws ValidationError (`file to delete "..." is outside the warehouse ...`); nothing is deleted */
  async delete(location: string): Promise<void> {
    this.policy.check("file to delete", location);
    await this.inner.delete(location);
  }

  list(prefix: string): AsyncIterable<FileInfo> {
    return this.inner.list(prefix);
  }

  localReadPath(location: string): Promise<string> {
    return this.inner.localReadPath(location);
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
