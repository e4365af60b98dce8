/**
 * FileIO on S3 and S3-compatible stores (MinIO, versitygw, Ceph, GCS's S3 interoperability
 * API ...) through `@aws-sdk/client-s3`, for `s3://`, `s3a://` and `s3n://` locations
 * (Iceberg Java `S3FileIO`, pyiceberg `PyArrowFileIO` on S3).
 *
 * - Request checksums are sent and validated only "when required": stores that do not know
 *   the SDK's newer default CRC32 trailers keep working.
 * - Throttling and 5xx answers are retried with exponential backoff (the SDK's standard retry
 *   mode, `maxAttempts` attempts).
 * - Files above `multipartThresholdBytes` are uploaded in parts (`@aws-sdk/lib-storage`).
 * - Conditional create (`ifNotExists`) is `PutObject` with `If-None-Match: *`: atomic where the
 *   store supports it (AWS S3, MinIO, versitygw); with `conditionalWrites: false` it is a HEAD
 *   followed by a PUT, which is not atomic.
 * - Data files DuckDB reads are downloaded into a {@link FileCache} (`localReadPath`); new
 *   files are written by DuckDB into a local staging directory and uploaded on `publish`.
 *
 * Every failure names the location: NotFoundError for a missing object, StorageError for
 * anything else (wrong credentials, a missing bucket, a store that went away).
 */
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { AlreadyExistsError, NotFoundError, StorageError } from "../errors.js";
import { FileCache } from "./file-cache.js";
import type { FileInfo, FileIO, StagingDirectory } from "./file-io.js";
import { isS3Location, parseS3Location, s3Location } from "./s3-location.js";
import { type RemoteSignFunction, remoteRequestSigner } from "./s3-remote-signer.js";

/** How to reach an S3 store (Iceberg's `s3.*` FileIO properties, see {@link s3OptionsFromProperties}). */
export interface S3Options {
  /** Endpoint URL of an S3-compatible store, e.g. `http://127.0.0.1:9000` (default: AWS by region). */
  readonly endpoint?: string | undefined;
  /** Region (default `AWS_REGION`, else `us-east-1`). */
  readonly region?: string | undefined;
  /** Path-style addressing `endpoint/bucket/key` (default: true when `endpoint` is set). */
  readonly pathStyle?: boolean | undefined;
  /** Static credentials; without them the AWS default chain (environment, profile, IMDS ...) is used. */
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly sessionToken?: string | undefined;
  /** Attempts per request, retries included (default 5). */
  readonly maxAttempts?: number | undefined;
  /** Whether the store honours `If-None-Match: *` on PutObject (default true). */
  readonly conditionalWrites?: boolean | undefined;
  /** Size from which uploads are multipart (default 16 MiB). */
  readonly multipartThresholdBytes?: number | undefined;
  /** Part size of multipart uploads (default 8 MiB, the S3 minimum is 5 MiB). */
  readonly partSizeBytes?: number | undefined;
  /** Sign requests through a catalog's sign endpoint instead of with keys (remote signing). */
  readonly remoteSigner?: RemoteSignFunction | undefined;
}

/** Options of {@link S3FileIO} beside the store's. */
export interface S3FileIOOptions {
  /** Disk cache for files DuckDB reads (default: a cache under the OS temp directory, 10 GiB). */
  readonly cache?: FileCache | undefined;
  /** Local directory under which staging directories for new files are made (default: OS temp). */
  readonly stagingRoot?: string | undefined;
}

/**
 * Reads S3 options from Iceberg FileIO properties (`s3.endpoint`, `s3.region` or
 * `client.region`, `s3.path-style-access`, `s3.access-key-id`, `s3.secret-access-key`,
 * `s3.session-token`), as a REST catalog's table config or a user's catalog properties give them.
 */
export function s3OptionsFromProperties(props: Readonly<Record<string, string>>): S3Options {
  const bool = (v: string | undefined) => (v === undefined ? undefined : v.toLowerCase() === "true");
  return {
    endpoint: props["s3.endpoint"],
    region: props["s3.region"] ?? props["client.region"],
    pathStyle: bool(props["s3.path-style-access"]),
    accessKeyId: props["s3.access-key-id"],
    secretAccessKey: props["s3.secret-access-key"],
    sessionToken: props["s3.session-token"],
  };
}

/** The region of some S3 options: `region`, else `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`. */
export function s3Region(opts: S3Options): string {
  return opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
}

/** Whether some S3 options address buckets path-style: `pathStyle`, else true exactly when an endpoint is set. */
export function s3PathStyle(opts: S3Options): boolean {
  return opts.pathStyle ?? opts.endpoint !== undefined;
}

/** The SDK client configuration of some S3 options. */
export function s3ClientConfig(opts: S3Options): S3ClientConfig {
  const region = s3Region(opts);
  const credentials = opts.remoteSigner
    ? { accessKeyId: "remote-signing", secretAccessKey: "remote-signing" }
    : opts.accessKeyId && opts.secretAccessKey
      ? {
          accessKeyId: opts.accessKeyId,
          secretAccessKey: opts.secretAccessKey,
          ...(opts.sessionToken ? { sessionToken: opts.sessionToken } : {}),
        }
      : undefined;
  return {
    region,
    ...(opts.remoteSigner ? { signer: remoteRequestSigner(opts.remoteSigner, region) } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: s3PathStyle(opts),
    ...(credentials ? { credentials } : {}),
    maxAttempts: opts.maxAttempts ?? 5,
    retryMode: "standard",
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000 },
  };
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Translates an SDK failure into NotFoundError / AlreadyExistsError / StorageError naming the location. */
function storageError(op: string, location: string, e: unknown): Error {
  const err = e as SdkError;
  const code = err.name ?? err.Code ?? "Error";
  const status = err.$metadata?.httpStatusCode;
  if (code === "NoSuchBucket")
    return new StorageError(`bucket ${parseS3Location(location).bucket} does not exist (${op} ${location})`, {
      cause: e,
    });
  if (code === "NoSuchKey" || code === "NotFound" || status === 404)
    return new NotFoundError(`file not found: ${location}`, { cause: e });
  if (code === "PreconditionFailed" || status === 412)
    return new AlreadyExistsError(`file already exists: ${location}`, { cause: e });
  const why =
    code === "InvalidAccessKeyId" ||
    code === "SignatureDoesNotMatch" ||
    code === "AccessDenied" ||
    status === 403
      ? `access denied (${code}): check the S3 credentials`
      : `${code}${status ? ` (HTTP ${status})` : ""}: ${err.message ?? String(e)}`;
  return new StorageError(`S3 ${op} ${location} failed: ${why}`, { cause: e });
}

/** FileIO over one S3 endpoint (any bucket on it). */
export class S3FileIO implements FileIO {
  readonly client: S3Client;
  readonly options: S3Options;
  readonly cache: FileCache;
  readonly #stagingRoot: string;

  constructor(opts: S3Options = {}, io: S3FileIOOptions = {}) {
    this.options = opts;
    this.client = new S3Client(s3ClientConfig(opts));
    this.cache = io.cache ?? new FileCache({ directory: join(tmpdir(), "aichemy-s3-cache") });
    this.#stagingRoot = io.stagingRoot ?? tmpdir();
  }

  /** Whether this FileIO handles the location (`s3://`, `s3a://`, `s3n://`). */
  static handles(location: string): boolean {
    return isS3Location(location);
  }

  async read(location: string): Promise<Uint8Array> {
    const { bucket, key } = parseS3Location(location);
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await r.Body!.transformToByteArray();
    } catch (e) {
      throw storageError("GetObject", location, e);
    }
  }

  /**
   * Reads `length` bytes from `offset` (an HTTP range request).
   * @throws NotFoundError when the file is missing; StorageError otherwise.
   */
  async readRange(location: string, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0);
    const { bucket, key } = parseS3Location(location);
    try {
      const r = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }),
      );
      return await r.Body!.transformToByteArray();
    } catch (e) {
      throw storageError("GetObject (range)", location, e);
    }
  }

  async write(location: string, data: Uint8Array, opts: { ifNotExists?: boolean } = {}): Promise<void> {
    const { bucket, key } = parseS3Location(location);
    const conditional = opts.ifNotExists === true;
    // Atomic where the store honours If-None-Match (one PutObject, whatever the size: S3 takes
    // up to 5 GiB in one request); else a HEAD first.
    const atomic = conditional && this.options.conditionalWrites !== false;
    if (conditional && !atomic && (await this.exists(location)))
      throw new AlreadyExistsError(`file already exists: ${location}`);
    if (!atomic && data.length >= this.#multipartThreshold()) {
      await this.#upload(location, data);
      return;
    }
    const ifNoneMatch = atomic ? { IfNoneMatch: "*" } : {};
    // A concurrent conditional write to the same key may answer 409 (AWS): retry, then decide.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: data,
            ContentLength: data.length,
            ...ifNoneMatch,
          }),
        );
        return;
      } catch (e) {
        const status = (e as SdkError).$metadata?.httpStatusCode;
        if (atomic && status === 409 && attempt < 5) {
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        throw storageError("PutObject", location, e);
      }
    }
  }

  async exists(location: string): Promise<boolean> {
    try {
      await this.stat(location);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async stat(location: string): Promise<FileInfo> {
    const { bucket, key } = parseS3Location(location);
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        location,
        sizeBytes: Number(r.ContentLength ?? 0),
        lastModifiedMs: r.LastModified?.getTime() ?? 0,
      };
    } catch (e) {
      throw storageError("HeadObject", location, e);
    }
  }

  async delete(location: string): Promise<void> {
    const { bucket, key } = parseS3Location(location);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      const err = storageError("DeleteObject", location, e);
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  /** Every object under the prefix, which is treated as a directory (`prefix/`). */
  async *list(prefix: string): AsyncIterable<FileInfo> {
    const { scheme, bucket, key } = parseS3Location(prefix);
    const dir = key === "" || key.endsWith("/") ? key : `${key}/`;
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: dir, ContinuationToken: token }),
        );
      } catch (e) {
        throw storageError("ListObjectsV2", prefix, e);
      }
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield {
          location: s3Location(bucket, o.Key, scheme),
          sizeBytes: Number(o.Size ?? 0),
          lastModifiedMs: o.LastModified?.getTime() ?? 0,
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** The cached local copy of the file, downloaded (streamed to disk) on a cache miss. */
  async localReadPath(location: string): Promise<string> {
    const { bucket, key } = parseS3Location(location);
    return this.cache.get(location, async (path) => {
      try {
        const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        await pipeline(r.Body as Readable, createWriteStream(path));
      } catch (e) {
        throw storageError("GetObject", location, e);
      }
    });
  }

  /** A local directory; `publish` uploads a file (multipart when large) and removes the local copy. */
  async stagingDirectory(_prefix: string): Promise<StagingDirectory> {
    await mkdir(this.#stagingRoot, { recursive: true });
    const localPath = await mkdtemp(join(this.#stagingRoot, `aichemy-staging-${randomUUID().slice(0, 8)}-`));
    return {
      localPath,
      publish: async (localFile, location) => {
        const { size } = await stat(localFile);
        if (size < this.#multipartThreshold()) await this.write(location, await readFile(localFile));
        else await this.#upload(location, createReadStream(localFile));
        await rm(localFile, { force: true });
      },
      cleanup: async () => {
        await rm(localPath, { recursive: true, force: true });
      },
    };
  }

  /** Closes the SDK client's connections. */
  close(): void {
    this.client.destroy();
  }

  #multipartThreshold(): number {
    return this.options.multipartThresholdBytes ?? 16 * 1024 * 1024;
  }

  async #upload(location: string, body: Uint8Array | Readable): Promise<void> {
    const { bucket, key } = parseS3Location(location);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: bucket, Key: key, Body: body },
      partSize: Math.max(5 * 1024 * 1024, this.options.partSizeBytes ?? 8 * 1024 * 1024),
      queueSize: 4,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      throw storageError("multipart upload", location, e);
    }
  }
}
