/**
 * Requests malformed at the HTTP level, sent as raw bytes: media types, `Content-Length`
 * mismatches, odd and broken chunking, methods the server has no route for or that are no
 * method, broken request lines and headers, oversized request heads. Each answer must still
 * be an ErrorModel (the server's own HTTP parser refusals included); the few valid ones say
 * why. `Host`, `Origin` and query strings are in `http-host-cases.ts`.
 */
import type { Expectation, FuzzCase, FuzzTargets } from "./fuzz-case.js";
import { refused } from "./fuzz-case.js";
import { tablePath, v1 } from "./request-bodies.js";

/** A raw case: `lines` joined with CRLF, then a blank line and `body`. */
export function raw(name: string, head: string[], body = "", extra: Partial<FuzzCase> = {}): FuzzCase {
  return {
    name,
    method: head[0]!.split(" ")[0]!,
    target: head[0]!.split(" ")[1] ?? "",
    raw: `${head.join("\r\n")}\r\n\r\n${body}`,
    expect: refused(),
    ...extra,
  };
}

/** A valid request: `why`. */
export const ok = (why: string, ...statuses: number[]): Expectation => ({ kind: "ok", statuses, why });
/** A valid request or a clean refusal: `why`. */
export const either = (why: string, ...statuses: number[]): Expectation => ({
  kind: "ok-or-error",
  statuses,
  why,
});

/** A body the server parses and refuses (it lacks `namespace`): a 400 shows it was read. */
const PARSED = '{"properties":{}}';

/** Media type, length and chunking cases. */
function bodyFramingCases(): FuzzCase[] {
  const post = (target: string, headers: string[]) => [
    `POST ${target} HTTP/1.1`,
    "Host: {host}",
    ...headers,
    "Connection: close",
  ];
  const ns = v1("/namespaces");
  const len = `Content-Length: ${PARSED.length}`;
  const out: FuzzCase[] = [];
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "application/json-patch+json",
    "",
    "application/json, text/plain",
    "json",
  ])
    for (const target of [ns, "/api/v1/query"])
      out.push(
        raw(
          `Content-Type ${JSON.stringify(type)} on ${target}`,
          post(target, [`Content-Type: ${type}`, len]),
          PARSED,
          { expect: refused(415) },
        ),
      );
  out.push(raw("a body without Content-Type", post(ns, [len]), PARSED, { expect: refused(415) }));
  for (const type of [
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/json;charset=latin1",
    "application/json ; foo=bar",
  ])
    out.push(
      raw(
        `Content-Type ${JSON.stringify(type)} is JSON (the body is read)`,
        post(ns, [`Content-Type: ${type}`, len]),
        PARSED,
        { expect: { ...refused(400), mentions: "namespace" } },
      ),
    );
  const json = "Content-Type: application/json";
  out.push(
    raw(
      "Content-Length shorter than the body",
      post(ns, [json, "Content-Length: 5"]),
      '{"namespace":["fz_cl"]}',
      { expect: refused(400) },
    ),
  );
  out.push(
    raw(
      "Content-Length longer than the body, then end of stream",
      post(ns, [json, "Content-Length: 100"]),
      '{"namespace":',
      { send: { halfClose: true } },
    ),
  );
  out.push(
    raw(
      "Content-Length 0 with a body after it",
      post(ns, [json, "Content-Length: 0"]),
      '{"namespace":["fz_cl"]}',
      { expect: refused(400) },
    ),
  );
  for (const v of ["abc", "-1", "+5", "1, 2", "0x10", "5 5", "99999999999999999999999"])
    out.push(
      raw(`Content-Length ${v}`, post(ns, [json, `Content-Length: ${v}`]), PARSED, {
        send: { halfClose: true },
      }),
    );
  out.push(
    raw(
      "two different Content-Lengths",
      post(ns, [json, "Content-Length: 5", `Content-Length: ${PARSED.length}`]),
      PARSED,
    ),
  );
  out.push(
    raw(
      "Content-Length and Transfer-Encoding",
      post(ns, [json, len, "Transfer-Encoding: chunked"]),
      `${PARSED.length.toString(16)}\r\n${PARSED}\r\n0\r\n\r\n`,
    ),
  );
  const chunked = (name: string, body: string, extra: Partial<FuzzCase> = {}, te = "chunked") =>
    out.push(raw(name, post(ns, [json, `Transfer-Encoding: ${te}`]), body, extra));
  const parsedOk = { expect: { ...refused(400), mentions: "namespace" } };
  const hex = PARSED.length.toString(16);
  const head = `${post(ns, [json, "Transfer-Encoding: chunked"]).join("\r\n")}\r\n\r\n`;
  const pieces = [
    Buffer.from(head),
    ...[...PARSED].map((c) => Buffer.from(`1\r\n${c}\r\n`)),
    Buffer.from("0\r\n\r\n"),
  ];
  out.push({
    name: "chunked one byte per chunk, sent apart",
    method: "POST",
    target: ns,
    raw: Buffer.concat(pieces),
    send: { pieces, pauseMs: 2 },
    ...parsedOk,
  });
  chunked("chunk extensions", `${hex};name=value;x\r\n${PARSED}\r\n0;end\r\n\r\n`, parsedOk);
  chunked(
    "upper-case hex with leading zeros",
    `000${hex.toUpperCase()}\r\n${PARSED}\r\n0000\r\n\r\n`,
    parsedOk,
  );
  chunked("trailer fields", `${hex}\r\n${PARSED}\r\n0\r\nX-Trailer: y\r\n\r\n`, parsedOk);
  chunked("Transfer-Encoding in capitals", `${hex}\r\n${PARSED}\r\n0\r\n\r\n`, parsedOk, "Chunked");
  chunked("chunk size zz", `zz\r\n${PARSED}\r\n0\r\n\r\n`);
  chunked("negative chunk size", `-5\r\n${PARSED}\r\n0\r\n\r\n`);
  chunked("chunk size beyond 64 bits", `ffffffffffffffffffff\r\n${PARSED}\r\n0\r\n\r\n`);
  chunked("chunk size larger than the data, then end of stream", `ff\r\n${PARSED}`, {
    send: { halfClose: true },
  });
  chunked("no last chunk, then end of stream", `${hex}\r\n${PARSED}\r\n`, { send: { halfClose: true } });
  chunked("chunk data longer than its size", `2\r\n${PARSED}\r\n0\r\n\r\n`);
  chunked("bare LF line endings", `${hex}\n${PARSED}\n0\n\n`, { send: { halfClose: true } });
  chunked("a space after the chunk size", `${hex} \r\n${PARSED}\r\n0\r\n\r\n`);
  chunked("Transfer-Encoding gzip", PARSED, {}, "gzip");
  chunked("Transfer-Encoding chunked, gzip", PARSED, {}, "chunked, gzip");
  chunked("Transfer-Encoding identity", PARSED, { send: { halfClose: true } }, "identity");
  out.push(
    raw(
      "Expect: 100-continue (answered after the body)",
      post(ns, [json, "Expect: 100-continue", len]),
      PARSED,
      parsedOk,
    ),
  );
  out.push(
    raw("Expect: something unknown", post(ns, [json, "Expect: teapot", len]), PARSED, {
      expect: refused(417),
    }),
  );
  return out;
}

/** Methods, request lines, headers and request-head sizes. */
function requestLineCases(t: FuzzTargets): FuzzCase[] {
  const line = (
    l: string,
    headers: string[] = ["Host: {host}", "Connection: close"],
    body = "",
    expect: Expectation = refused(),
  ) => raw(`request line ${JSON.stringify(l.slice(0, 80))}`, [l, ...headers], body, { expect });
  const out: FuzzCase[] = [];
  for (const m of ["PATCH", "PUT", "TRACE", "OPTIONS", "PROPFIND", "DELETE", "SEARCH", "LOCK"])
    for (const target of [v1("/namespaces"), "/api/v1/query", "/v1/config", "/health"]) {
      if (m === "DELETE" && target !== "/api/v1/query") continue;
      out.push(
        line(
          `${m} ${target} HTTP/1.1`,
          ["Host: {host}", "Content-Type: application/json", "Content-Length: 2", "Connection: close"],
          "{}",
          target === "/health" && (m === "OPTIONS" || m === "TRACE")
            ? either("/health answers any read", 200)
            : refused(),
        ),
      );
    }
  for (const l of [
    "FOO /v1/config HTTP/1.1",
    "get /v1/config HTTP/1.1",
    "G ET /v1/config HTTP/1.1",
    "GET /v1/con fig HTTP/1.1",
    "GET /v1/config HTTP/1.1 extra",
    "GET /v1/config HTTP/9.9",
    "GET /v1/config\u0001 HTTP/1.1",
    "PRI * HTTP/2.0",
    "GET * HTTP/1.1",
    "OPTIONS * HTTP/1.1",
    "CONNECT 127.0.0.1:22 HTTP/1.1",
    "GET v1/config HTTP/1.1",
    "GET /v1\\iceberg\\namespaces HTTP/1.1",
    "GET //v1/config HTTP/1.1",
    `GET /v1/${"a".repeat(100_000)} HTTP/1.1`,
  ])
    out.push(line(l));
  out.push(raw("HTTP/1.0 without Host", ["GET /v1/config HTTP/1.0"], ""));
  out.push(
    raw("a request line without version", ["GET /v1/config", "Host: {host}", "Connection: close"], "", {
      expect: either("Node's parser takes a request line without version as HTTP/0.9-style GET", 200),
    }),
  );
  out.push(raw("an HTTP/1.1 request without headers", ["GET /v1/config HTTP/1.1"], ""));
  out.push(
    raw("a TLS ClientHello", ["\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"], ""),
  );
  out.push(
    raw("a header with NUL", [
      "GET /v1/config HTTP/1.1",
      "Host: {host}",
      "X-A: a\u0000b",
      "Connection: close",
    ]),
  );
  out.push(
    raw("a header name with a space", [
      "GET /v1/config HTTP/1.1",
      "Host: {host}",
      "Bad Header: x",
      "Connection: close",
    ]),
  );
  out.push(
    raw("an obsolete folded header", [
      "GET /v1/config HTTP/1.1",
      "Host: {host}",
      "X-A: a",
      "  folded",
      "Connection: close",
    ]),
  );
  out.push(
    raw("a header without colon", [
      "GET /v1/config HTTP/1.1",
      "Host: {host}",
      "NoColon",
      "Connection: close",
    ]),
  );
  out.push(
    raw(
      "a 100 kB header",
      ["GET /v1/config HTTP/1.1", "Host: {host}", `X-Big: ${"b".repeat(100_000)}`, "Connection: close"],
      "",
      { expect: refused(431) },
    ),
  );
  out.push(
    raw(
      "3000 headers",
      [
        "GET /v1/config HTTP/1.1",
        "Host: {host}",
        ...Array.from({ length: 3000 }, (_, i) => `X-H${i}: ${i}`),
        "Connection: close",
      ],
      "",
      { expect: refused(431, 400) },
    ),
  );
  out.push(
    raw(
      "a WebSocket upgrade",
      [
        "GET /v1/config HTTP/1.1",
        "Host: {host}",
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      ],
      "",
      { expect: either("no WebSocket endpoint: the request is served as a plain GET", 200) },
    ),
  );
  out.push(
    raw(
      "an h2c upgrade",
      [
        "GET /v1/config HTTP/1.1",
        "Host: {host}",
        "Connection: Upgrade, HTTP2-Settings",
        "Upgrade: h2c",
        "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA",
      ],
      "",
      { expect: either("no h2c: the request is served as HTTP/1.1", 200) },
    ),
  );
  const post = (name: string, headers: string[], body: string, expect: Expectation = refused()) =>
    raw(
      name,
      [
        `POST ${v1("/namespaces")} HTTP/1.1`,
        "Host: {host}",
        "Content-Type: application/json",
        `Content-Length: ${body.length}`,
        ...headers,
        "Connection: close",
      ],
      body,
      { expect },
    );
  for (const key of ["not-a-uuid", "", "x".repeat(1000), "00000000-0000-0000-0000-00000000000g"])
    out.push(
      post(
        `Idempotency-Key ${JSON.stringify(key.slice(0, 40))}`,
        [`Idempotency-Key: ${key}`],
        '{"namespace":["fz_idem"]}',
        refused(400),
      ),
    );
  out.push(
    post(
      "a valid Idempotency-Key on a refused body",
      ["Idempotency-Key: 9b3a1f4e-2c5d-4e6f-8a7b-1c2d3e4f5a6b"],
      PARSED,
      { ...refused(400), mentions: "namespace" },
    ),
  );
  out.push(
    post(
      "the same Idempotency-Key again (replayed refusal)",
      ["Idempotency-Key: 9b3a1f4e-2c5d-4e6f-8a7b-1c2d3e4f5a6b"],
      PARSED,
      { ...refused(400), mentions: "namespace" },
    ),
  );
  const load = (headers: string[], expect: Expectation) =>
    raw(
      `load table with ${JSON.stringify(headers)}`,
      [`GET ${tablePath(t)} HTTP/1.1`, "Host: {host}", ...headers, "Connection: close"],
      "",
      { expect },
    );
  out.push(
    load(
      ["X-Iceberg-Access-Delegation: bogus-mechanism"],
      either("unknown delegation mechanisms may be ignored (REST spec: a hint)", 200),
    ),
  );
  out.push(load(['If-None-Match: "garbage"'], ok("a stale ETag: the table is sent", 200)));
  out.push(load(["Authorization: Bearer \u00ff\u00fe"], ok("auth is off: the header is not read", 200)));
  return out;
}

/** Every case of the request framing: bodies, request lines, methods, headers. */
export function httpFramingCases(t: FuzzTargets): FuzzCase[] {
  return [...bodyFramingCases(), ...requestLineCases(t)];
}
