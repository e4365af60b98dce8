/**
 * S3 locations: `s3://bucket/key` (also `s3a://` and `s3n://`, the Hadoop spellings Iceberg
 * tables written by Spark may carry). Keys are stored as written: no percent-decoding, no
 * normalization (Iceberg spec "Paths in Metadata": locations are opaque strings).
 */

/** Schemes {@link parseS3Location} accepts. */
export const S3_SCHEMES: readonly string[] = ["s3", "s3a", "s3n"];

/** A parsed S3 location. */
export interface S3Location {
  /** The scheme as written (`s3`, `s3a`, `s3n`). */
  readonly scheme: string;
  readonly bucket: string;
  /** The object key (or key prefix), without a leading `/`; may be empty for a bucket root. */
  readonly key: string;
}

// Bucket naming rules (AWS "Bucket naming rules"): 3-63 characters of a-z, 0-9, '.', '-'.
// Stores such as MinIO accept the same set; anything else cannot be a bucket.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Whether a location has an S3 scheme. */
export function isS3Location(location: string): boolean {
  const m = /^([A-Za-z0-9+.-]+):\/\//.exec(location);
  return m !== null && S3_SCHEMES.includes(m[1]!.toLowerCase());
}

/**
 * Splits an S3 location into bucket and key.
 * @throws TypeError naming the location when it has no S3 scheme or an invalid bucket name.
 */
export function parseS3Location(location: string): S3Location {
  const m = /^([A-Za-z0-9+.-]+):\/\/([^/]*)(?:\/(.*))?$/s.exec(location);
  if (!m || !S3_SCHEMES.includes(m[1]!.toLowerCase()))
    throw new TypeError(`not an S3 location (expected s3://bucket/key): ${location}`);
  const bucket = m[2]!;
  if (!BUCKET.test(bucket))
    throw new TypeError(`invalid S3 bucket name ${JSON.stringify(bucket)} in ${location}`);
  return { scheme: m[1]!.toLowerCase(), bucket, key: m[3] ?? "" };
}

/** The location of `key` in `bucket` with the given scheme (default `s3`). */
export function s3Location(bucket: string, key: string, scheme = "s3"): string {
  return `${scheme}://${bucket}/${key}`;
}
