/**
 * The fuzz suite's request cases: what is sent (method, raw request target, headers, body, or
 * raw bytes), what must come back (an error in the REST `ErrorModel` shape by default; the
 * OAuth error shape for the token endpoint; a 2xx only where the case says why the request is
 * valid), and the check of a response against that. Also the seeded random source the
 * generators draw from, so that a run is reproducible from its seed.
 */
import type { RawResponse, RawSendOptions } from "./raw-http.js";

/**
 * A 4xx `{"error": {"message", "type", "code"}}` (REST spec `IcebergErrorResponse`), one of
 * `statuses` when given, whose message names `mentions` when given (the field at fault).
 */
export interface ErrorExpectation {
  readonly kind: "error";
  readonly statuses?: readonly number[] | undefined;
  readonly mentions?: string | undefined;
}

/** What a case must answer. */
export type Expectation =
  | ErrorExpectation
  /** A 4xx `{"error", "error_description"}` (REST spec `OAuthError`, RFC 6749 section 5.2). */
  | { readonly kind: "oauth-error"; readonly statuses?: readonly number[] | undefined }
  /** A valid request: one of `statuses` (2xx) with a JSON body or none; `why` it is valid. */
  | { readonly kind: "ok"; readonly statuses: readonly number[]; readonly why: string }
  /**
   * Either a 4xx ErrorModel or one of `statuses` (2xx): requests whose validity is not the
   * point (fuzzed SQL text), `why` saying so.
   */
  | { readonly kind: "ok-or-error"; readonly statuses: readonly number[]; readonly why: string };

/** One request of the suite. */
export interface FuzzCase {
  /** What it tries, e.g. `create table: schema.fields[0].id = "1"`; unique in a run. */
  readonly name: string;
  /** Request method as sent (any token, or garbage for raw cases). */
  readonly method: string;
  /** Request target as sent, byte for byte (no normalisation). */
  readonly target: string;
  /**
   * Headers besides the defaults (`Host`, `Content-Type: application/json` when there is a
   * body, `Content-Length`, `Connection: close`); a `null` value removes a default.
   */
  readonly headers?: Readonly<Record<string, string | null>> | undefined;
  /** Request body (text is sent as UTF-8). */
  readonly body?: string | Buffer | undefined;
  /** The whole request as bytes instead (`{host}` in it is replaced by the server's host). */
  readonly raw?: string | Buffer | undefined;
  /** How to send it (pieces, half-close). */
  readonly send?: RawSendOptions | undefined;
  /** What must come back (default: a 4xx ErrorModel). */
  readonly expect?: Expectation | undefined;
}

/** A 4xx ErrorModel expectation, optionally narrowed to some statuses. */
export const refused = (...statuses: number[]): ErrorExpectation => ({
  kind: "error",
  statuses: statuses.length > 0 ? statuses : undefined,
});

/**
 * The bytes of a case's request for a server at `host` (`127.0.0.1:port`).
 * @throws Error when a case gives both `raw` and `body`
 */
export function requestBytes(c: FuzzCase, host: string): Buffer {
  if (c.raw !== undefined) {
    if (c.body !== undefined) throw new Error(`case ${c.name} gives both raw and body`);
    return withHost(typeof c.raw === "string" ? Buffer.from(c.raw, "latin1") : c.raw, host);
  }
  const body = c.body === undefined ? undefined : typeof c.body === "string" ? Buffer.from(c.body) : c.body;
  const headers: Record<string, string | null> = {
    host,
    ...(body === undefined ? {} : { "content-type": "application/json" }),
    ...(body === undefined ? {} : { "content-length": String(body.length) }),
    connection: "close",
  };
  for (const [k, v] of Object.entries(c.headers ?? {})) headers[k.toLowerCase()] = v;
  let head = `${c.method} ${c.target} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) if (v !== null) head += `${k}: ${v}\r\n`;
  const bytes = Buffer.from(`${head}\r\n`, "utf8");
  return body === undefined ? bytes : Buffer.concat([bytes, body]);
}

/** `bytes` with every `{host}` replaced by `host`. */
export function withHost(bytes: Buffer, host: string): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf("{host}"); at >= 0; at = bytes.indexOf("{host}", from)) {
    parts.push(bytes.subarray(from, at), Buffer.from(host));
    from = at + 6;
  }
  return from === 0 ? bytes : Buffer.concat([...parts, bytes.subarray(from)]);
}

/** The OAuth2 error codes of RFC 6749 section 5.2, and `slow_down` (RFC 8628 section 3.5). */
const OAUTH_ERRORS = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "slow_down",
]);

/** The parsed JSON body of a response, or a description of why it is not JSON. */
function jsonOf(res: RawResponse): { ok: true; value: unknown } | { ok: false; why: string } {
  const text = res.body.toString("utf8");
  if (!/^application\/json\b/i.test(res.headers["content-type"] ?? ""))
    return { ok: false, why: `content-type ${JSON.stringify(res.headers["content-type"])}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, why: `body is not JSON (${(e as Error).message})` };
  }
}

/**
 * Checks a response against a case's expectation.
 * @returns undefined when it passes, else what is wrong (status, shape), for the report
 */
export function checkResponse(c: FuzzCase, res: RawResponse): string | undefined {
  const expect = c.expect ?? refused();
  const status = res.status;
  if (status === 0) return "the server closed the connection without an answer";
  if (status >= 500) return `a ${status} (server error)`;
  const head = c.method === "HEAD" && c.raw === undefined;
  const okStatuses = expect.kind === "ok" || expect.kind === "ok-or-error" ? expect.statuses : [];
  if (okStatuses.includes(status)) {
    if (head || res.body.length === 0) return undefined;
    const json = jsonOf(res);
    return json.ok ? undefined : `a ${status} whose ${json.why}`;
  }
  if (expect.kind === "ok") return `a ${status}, expected ${expect.statuses.join(" or ")} (${expect.why})`;
  if (status < 400) return `a ${status}, expected a 4xx refusal`;
  const narrowed = "statuses" in expect && expect.kind !== "ok-or-error" ? expect.statuses : undefined;
  if (narrowed && !narrowed.includes(status)) return `a ${status}, expected ${narrowed.join(" or ")}`;
  if (head) return res.body.length === 0 ? undefined : "a HEAD answer with a body";
  const json = jsonOf(res);
  if (!json.ok) return `a ${status} whose ${json.why}: ${JSON.stringify(res.body.toString().slice(0, 200))}`;
  const v = json.value as Record<string, unknown>;
  if (expect.kind === "oauth-error") {
    if (typeof v?.error !== "string" || !OAUTH_ERRORS.has(v.error))
      return `a ${status} without an OAuth error code: ${JSON.stringify(v)}`;
    if (v.error_description !== undefined && typeof v.error_description !== "string")
      return `a ${status} whose error_description is not a string`;
    return undefined;
  }
  const e = v?.error as Record<string, unknown> | undefined;
  if (typeof e !== "object" || e === null)
    return `a ${status} that is not an ErrorModel: ${JSON.stringify(v)}`;
  if (typeof e.message !== "string" || e.message === "") return `a ${status} ErrorModel without a message`;
  if (typeof e.type !== "string" || !/^[A-Za-z]+$/.test(e.type))
    return `a ${status} ErrorModel whose type is ${JSON.stringify(e.type)}`;
  if (e.code !== status) return `a ${status} ErrorModel whose code is ${JSON.stringify(e.code)}`;
  if (expect.kind === "error" && expect.mentions !== undefined && !e.message.includes(expect.mentions))
    return `a ${status} whose message does not name ${JSON.stringify(expect.mentions)}: ${e.message.slice(0, 300)}`;
  return undefined;
}

/**
 * A seeded pseudo-random source (mulberry32): the same seed draws the same cases.
 */
export class Random {
  #state: number;
  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  /** `n` elements of a list, drawn with replacement. */
  sample<T>(items: readonly T[], n: number): T[] {
    return Array.from({ length: n }, () => this.pick(items));
  }
}

/** What the generators aim at: the server's objects and places, made before the suite runs. */
export interface FuzzTargets {
  /** `127.0.0.1:port`, the `Host` of well-formed requests. */
  readonly host: string;
  /** The default warehouse's location (`file:///.../warehouse`). */
  readonly warehouse: string;
  /**
   * Absolute path of a directory outside the warehouse that location attacks aim at: the
   * warehouse is `<root>/lake/warehouse`, this is `<root>/outside`, so `<warehouse>/../../outside`.
   */
  readonly outside: string;
  /** The namespace holding the tables below (exists). */
  readonly namespace: string;
  /** A namespace whose name is not ASCII, in NFC (`café`); it exists and is empty. */
  readonly unicodeNamespace: string;
  /** A table with rows (exists), in {@link namespace}. */
  readonly table: string;
  /** A partitioned table with rows (exists), in {@link namespace}. */
  readonly partitioned: string;
  /** A view (exists), in {@link namespace}. */
  readonly view: string;
  /** Current metadata location of {@link table}. */
  readonly metadataLocation: string;
  /** Location of a Parquet data file of {@link table}. */
  readonly dataFile: string;
  /** Current snapshot id of {@link table}, as JSON number text. */
  readonly snapshotId: string;
  /** `table-uuid` of {@link table}. */
  readonly tableUuid: string;
  /** `view-uuid` of {@link view}. */
  readonly viewUuid: string;
}
