/**
 * HTTP plumbing shared by the REST routes: bounded body reading, JSON with 64-bit integers,
 * errors as `IcebergErrorResponse` (`{"error": {"message", "type", "code"}}`, REST spec
 * "Errors"), and paging of list responses (`pageToken` / `pageSize` / `next-page-token`).
 */
import { AIchemyError, ValidationError } from "../../errors.js";
import { parseJson, StrictJsonError, stringifyJson } from "../../spec/json.js";

/** Default largest accepted request body, in bytes (10 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Reads a request body as text, refusing more than `maxBytes`.
 * @throws ValidationError naming the limit when the body is larger
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new ValidationError(`request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ValidationError(`request body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Parses a JSON request body strictly (64-bit integers kept exact; duplicate keys, numbers
 * beyond a double's range and nesting deeper than 256 levels refused: see `spec/json-strict.ts`).
 * @throws ValidationError naming the line and column of a syntax error, the JSON path
 * (`body.properties`), key, line and column of a strict-mode refusal, or an empty body
 */
export function parseBody(text: string): unknown {
  if (text.trim() === "") throw new ValidationError("request body is empty; a JSON object is required");
  try {
    return parseJson(text, { strict: true });
  } catch (e) {
    if (e instanceof StrictJsonError) throw new ValidationError(`body${e.issue.path}: ${e.message}`);
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split("\n").length;
      const column = before.length - before.lastIndexOf("\n");
      throw new ValidationError(`request body is not valid JSON at line ${line}, column ${column}: ${msg}`);
    }
    throw new ValidationError(`request body is not valid JSON: ${msg}`);
  }
}

/** A JSON response (bigints as JSON numbers). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(stringifyJson(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** An empty response (204 by default). */
export function emptyResponse(status = 204, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

/**
 * The `IcebergErrorResponse` of an error: AIchemy errors keep their REST type and status;
 * anything else is a 500 `InternalServerError` (and `log` hears about it).
 */
export function errorResponse(e: unknown, log?: (e: unknown) => void): Response {
  if (e instanceof AIchemyError)
    return jsonResponse(e.httpStatus, {
      error: { message: e.message, type: e.restType, code: e.httpStatus },
    });
  log?.(e);
  return jsonResponse(500, {
    error: {
      message: `Internal server error: ${(e as Error)?.message ?? String(e)}`,
      type: "InternalServerError",
      code: 500,
    },
  });
}

/** One page of a sorted list, and the token of the next page (null on the last). */
export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

/**
 * Pages `items`, ordered by `key` (code-unit order). Without `pageToken` every
 * item comes back in one page; an empty `pageToken` starts paging (REST spec "PageToken").
 * @throws ValidationError for a `pageSize` that is not a positive integer
 */
export function paginate<T>(
  unsorted: readonly T[],
  key: (t: T) => string,
  pageToken: string | undefined,
  pageSize: string | undefined,
): Page<T> {
  let size = Number.POSITIVE_INFINITY;
  if (pageSize !== undefined) {
    size = Number(pageSize);
    if (!Number.isInteger(size) || size < 1)
      throw new ValidationError(`pageSize must be a positive integer, got ${JSON.stringify(pageSize)}`);
  }
  const items = [...unsorted].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (pageToken === undefined && pageSize === undefined) return { items, next: null };
  let start = 0;
  if (pageToken) {
    const after = Buffer.from(pageToken, "base64url").toString("utf8");
    start = items.findIndex((t) => key(t) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return {
    items: page,
    next: more ? Buffer.from(key(page[page.length - 1]!), "utf8").toString("base64url") : null,
  };
}
