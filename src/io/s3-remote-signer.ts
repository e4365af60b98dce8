/**
 * The client side of remote signing (REST spec `RemoteSignRequest`, Iceberg Java
 * `S3V4RestSignerClient`): an AWS SDK request signer that, instead of signing with keys,
 * sends each S3 request's method, URI and headers to the catalog's sign endpoint and applies
 * the headers it answers with. Used when a catalog hands out `s3.remote-signing-enabled`.
 */
import type { HttpRequest, RequestSigner } from "@smithy/types";
import { encodeRfc3986 } from "./location.js";

/** A REST `RemoteSignRequest`: what a client asks a catalog to sign. */
export interface RemoteSignRequest {
  readonly region: string;
  readonly uri: string;
  readonly method: string;
  /** Headers as a multi-valued map (REST `MultiValuedMap`). */
  readonly headers: Record<string, string[]>;
  /** The body, for requests whose body decides their scope (DeleteObjects). */
  readonly body?: string | undefined;
  /** Storage provider (`s3`; absent means `s3`). */
  readonly provider?: string | undefined;
}

/** A REST `RemoteSignResult`: the URI to send to and the headers to send. */
export interface RemoteSignResult {
  readonly uri: string;
  readonly headers: Record<string, string[]>;
}

/** Calls the sign endpoint. */
export type RemoteSignFunction = (req: RemoteSignRequest) => Promise<RemoteSignResult>;

/** The absolute URI of an SDK request (its path is already encoded). */
export function requestUri(req: HttpRequest): string {
  const port = req.port ? `:${req.port}` : "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v === null || v === undefined) parts.push(encodeRfc3986(k));
    else for (const x of Array.isArray(v) ? v : [v]) parts.push(`${encodeRfc3986(k)}=${encodeRfc3986(x)}`);
  }
  return `${req.protocol}//${req.hostname}${port}${req.path}${parts.length ? `?${parts.join("&")}` : ""}`;
}

/**
 * A request signer for the AWS SDK that delegates to a sign endpoint. The body is sent for
 * DeleteObjects (`?delete`), whose keys the catalog must see to check the scope.
 */
export function remoteRequestSigner(sign: RemoteSignFunction, region: string): RequestSigner {
  return {
    async sign(request: HttpRequest): Promise<HttpRequest> {
      const headers: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(request.headers)) headers[k] = [v];
      const body =
        request.query && "delete" in request.query && typeof request.body === "string"
          ? request.body
          : undefined;
      const signed = await sign({ region, uri: requestUri(request), method: request.method, headers, body });
      const out: Record<string, string> = { ...request.headers };
      for (const [k, v] of Object.entries(signed.headers)) out[k] = v.join(",");
      request.headers = out;
      return request;
    },
  };
}
