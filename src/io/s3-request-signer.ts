/**
 * AWS Signature Version 4 for S3 requests a client asks a catalog to sign (REST spec
 * `RemoteSignRequest` / `RemoteSignResult`, Iceberg Java `S3V4RestSignerClient`), through
 * `@smithy/signature-v4`, the AWS SDK's own signer. The path is signed in its canonical form
 * (segments encoded once, RFC 3986 unreserved characters only, as S3 computes it); the payload hash is the client's
 * `x-amz-content-sha256` header (`UNSIGNED-PAYLOAD` when absent).
 */
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { encodeRfc3986, rawUriPath } from "./location.js";

/** Static credentials that sign. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

/** A request to sign: method, URI, and headers as a multi-valued map (REST `MultiValuedMap`). */
export interface UnsignedS3Request {
  readonly method: string;
  readonly uri: string;
  readonly headers: Readonly<Record<string, readonly string[]>>;
}

/**
 * The SigV4 canonical form of an S3 path: each segment decoded once and re-encoded with
 * RFC 3986 unreserved characters only (`encodeURIComponent` leaves `!'()*`, which S3 encodes).
 */
function canonicalPath(path: string): string {
  return path
    .split("/")
    .map((seg) => encodeRfc3986(decodeURIComponent(seg)))
    .join("/");
}

/** Headers a client must not choose for a signed request (the signer sets them). */
const DROPPED = new Set(["authorization", "x-amz-date", "x-amz-security-token", "host", "content-length"]);

/**
 * Signs a request; returns the headers to send (REST `RemoteSignResult.headers`), the
 * client's own headers included.
 */
export async function signS3Request(
  req: UnsignedS3Request,
  credentials: SigningCredentials,
  region: string,
): Promise<Record<string, string[]>> {
  const url = new URL(req.uri);
  const rawPath = canonicalPath(rawUriPath(req.uri) || "/");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (!DROPPED.has(k.toLowerCase())) headers[k.toLowerCase()] = v.join(",");
  headers.host = url.host;
  headers["x-amz-content-sha256"] ??= "UNSIGNED-PAYLOAD";
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({
    credentials,
    region,
    service: "s3",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method.toUpperCase(),
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: rawPath,
      query,
      headers,
    }),
  );
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(signed.headers)) out[k] = [String(v)];
  return out;
}
