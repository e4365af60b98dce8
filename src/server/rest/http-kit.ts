/**
 * HTTP plumbing shared by the REST routes: bounded body reading, JSON with 64-bit integers,
 * errors as `IcebergErrorResponse` (`{"error": {"message", "type", "code"}}`, REST spec
 * "Errors"), and paging of list responses (`pageToken` / `pageSize` / `next-page-token`).
 */
import { AIchemyError, ValidationError } from "../../errors.js";
import { parseJson, StrictJsonError, stringifyJson } from "../../spec/json.js";

/** Default largest accepted request body, in bytes (10 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** UTF-8 decoding that refuses malformed sequences instead of replacing them with U+FFFD. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads a request body as UTF-8 text, refusing more than `maxBytes` (RFC 8259 section 8.1:
 * JSON exchanged between systems is UTF-8; form bodies are ASCII). A body that is not valid
 * UTF-8 is refused rather than read with replacement characters, which would store text the
 * client never sent. A byte order mark is kept (JSON parsing then refuses it).
 * @throws ValidationError naming the limit when the body is larger, the first byte that is
 * not UTF-8, or a body that ended before it was complete (the client went away)
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
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (e) {
      throw new ValidationError(`request body ended before it was complete: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const { done, value } = next;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ValidationError(`request body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const bytes = Buffer.concat(chunks);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new ValidationError(`request body is not valid UTF-8 at byte ${firstInvalidUtf8(bytes)}`);
  }
}

/**
 * Offset of the first byte sequence that is not UTF-8 (RFC 3629 section 4: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequence); `bytes.length` when valid.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = bytes[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    const min = n === 1 ? 0x80 : n === 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return bytes.length;
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
