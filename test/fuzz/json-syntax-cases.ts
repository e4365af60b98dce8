/**
 * Bodies that are not (acceptable) JSON, for every endpoint that takes JSON: truncated,
 * trailing garbage, raw NUL bytes, invalid UTF-8, a BOM, numbers beyond a double
 * (`1e999999`), number syntax JSON does not have (`NaN`, `+1`, `01`), nesting 100,000 deep,
 * duplicate keys (also spelled with escapes), the wrong top-level type, empty and blank
 * bodies, 100,000 keys, strings of a few MB, and bodies over the server's limit (declared
 * and chunked). Every one is a 4xx ErrorModel; an empty body on the plan endpoint is valid.
 */
import { DEFAULT_MAX_BODY_BYTES } from "../../src/server/rest/http-kit.js";
import { type FuzzCase, type FuzzTargets, type Random, refused } from "./fuzz-case.js";
import { type BodyEndpoint, bodyEndpoints, jsonText } from "./request-bodies.js";

/** `{"fz": <value>, ...rest of the body}`: a value of our choosing before the real fields. */
const withLeading = (text: string, value: string) => `{"fz":${value},${text.slice(1)}`;

/** `depth` nested arrays around `inner`. */
const nested = (depth: number, inner = "0") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

/** Several megabytes of one character. */
const LONG_STRING_CHARS = 3 * 1024 * 1024;

/** The malformed bodies of one endpoint. */
function endpointSyntaxCases(e: BodyEndpoint, rnd: Random): FuzzCase[] {
  const text = jsonText(e.body);
  const bytes = (b: string | Buffer): Pick<FuzzCase, "method" | "target" | "body"> => ({
    method: e.method,
    target: e.target,
    body: b,
  });
  const out: FuzzCase[] = [];
  const add = (what: string, body: string | Buffer, extra: Partial<FuzzCase> = {}) =>
    out.push({ name: `${e.label}: ${what}`, ...bytes(body), ...extra });
  const cut = 1 + rnd.int(text.length - 1);
  add(`truncated at ${cut} of ${text.length}`, text.slice(0, cut));
  add("only an opening brace", "{");
  add("trailing garbage", `${text}x`);
  add("a second value after the body", `${text} {}`);
  add("an extra closing brace", `${text}}`);
  add("raw NUL inside a string", text.replace(/"([^"]*)"/, '"$1\u0000"'));
  add("raw NUL between tokens", `{\u0000${text.slice(1)}`);
  const firstString = /:"([^"]+)"/.exec(text);
  if (firstString) {
    const at = firstString.index + 2;
    add(
      "invalid UTF-8 (0xFF 0xFE) in a string",
      Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(at))]),
    );
    add(
      "overlong UTF-8 (0xC0 0xAE) in a string",
      Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc0, 0xae]), Buffer.from(text.slice(at))]),
    );
    add(
      "truncated UTF-8 sequence (0xE2 0x82) in a string",
      Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xe2, 0x82]), Buffer.from(text.slice(at))]),
    );
  }
  add("a byte order mark before the body", `\uFEFF${text}`);
  for (const n of ["1e999999", "-1e400", "NaN", "Infinity", "-Infinity", "+1", "01", "1.", ".5", "0x10", "-"])
    add(`number ${n}`, withLeading(text, n));
  add("arrays nested 100,000 deep", withLeading(text, nested(100_000)));
  add("objects nested 100,000 deep", withLeading(text, `${'{"a":'.repeat(100_000)}0${"}".repeat(100_000)}`));
  add("arrays opened 100,000 deep, never closed", `{"fz":${"[".repeat(100_000)}`);
  const firstKey = /^\{"([^"]+)":/.exec(text)![1]!;
  add(`duplicate key ${firstKey}`, `${text.slice(0, -1)},${JSON.stringify(firstKey)}:null}`);
  const escaped = firstKey.replace(/^./, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  add(`duplicate key ${firstKey} spelled with an escape`, `${text.slice(0, -1)},"${escaped}":null}`);
  for (const [what, body] of [
    ["an array", "[]"],
    ["the body inside an array", `[${text}]`],
    ["a string", '"body"'],
    ["a number", "5"],
    ["null", "null"],
    ["true", "true"],
  ] as const)
    add(`top-level ${what}`, body);
  add("single quotes", text.replaceAll('"', "'"));
  add("unquoted keys", text.replace(/"([a-z-]+)":/g, "$1:"));
  add("a trailing comma", `${text.slice(0, -1)},}`);
  add("a comment", `/* fuzz */${text}`);
  add("an invalid escape \\x41", text.replace(/"([^"]*)"/, '"$1\\x41"'));
  add("a short unicode escape", text.replace(/"([^"]*)"/, '"$1\\u12"'));
  add(
    "100,000 unknown keys and none of the fields",
    `{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`,
    e.allOptional
      ? {
          expect: {
            kind: "ok",
            statuses: [200],
            why: "every field is optional and unknown ones are ignored: a request that changes nothing",
          },
        }
      : {},
  );
  if (!e.emptyOk) {
    add("an empty body", "");
    add("a blank body", " \r\n\t ");
  }
  add(
    `a ${LONG_STRING_CHARS / 1024 / 1024} MB key`,
    `{"${"k".repeat(LONG_STRING_CHARS)}":${text}}`.replace(/}$/, ',"x":}'),
  );
  return out;
}

/** Bodies larger than the server accepts (declared, and chunked without a length). */
function oversizeCases(t: FuzzTargets): FuzzCase[] {
  const out: FuzzCase[] = [];
  const big = (n: number) => Buffer.from(`{"namespace":["${"a".repeat(n - 18)}"]}`);
  const over = big(DEFAULT_MAX_BODY_BYTES + 1);
  out.push({
    name: "create namespace: a body one byte over the limit, with Content-Length",
    method: "POST",
    target: "/v1/iceberg/namespaces",
    body: over,
    // Kept alive: on a closed connection the server's early answer races the reset that the
    // rest of the upload meets (RFC 9112 9.6), and the client may never read it.
    headers: { connection: null },
    expect: refused(400, 413),
  });
  out.push({
    name: "query: a body one byte over the limit, with Content-Length",
    method: "POST",
    target: "/api/v1/query",
    body: Buffer.from(`{"sql":"SELECT 1 --${"a".repeat(DEFAULT_MAX_BODY_BYTES - 19)}"}`),
    headers: { connection: null },
    expect: refused(400, 413),
  });
  out.push({
    name: "commit table: a Content-Length of 10 TB announced, 20 bytes sent",
    method: "POST",
    target: `/v1/iceberg/namespaces/${t.namespace}/tables/${t.table}`,
    headers: { "content-length": "10000000000000" },
    body: '{"updates":[],"a":1}',
    send: { halfClose: true },
    expect: refused(400, 413),
  });
  // 11 MiB chunked in 1 MiB chunks, no Content-Length: the limit applies while reading.
  const chunk = Buffer.alloc(1024 * 1024, "a");
  const pieces = [Buffer.from(`11\r\n{"namespace":["aaa\r\n`)];
  for (let i = 0; i < 11; i++) pieces.push(Buffer.from("100000\r\n"), chunk, Buffer.from("\r\n"));
  pieces.push(Buffer.from('3\r\n"]}\r\n0\r\n\r\n'));
  out.push({
    name: "create namespace: 11 MiB chunked without Content-Length",
    method: "POST",
    target: "/v1/iceberg/namespaces",
    raw: Buffer.concat([
      Buffer.from(
        "POST /v1/iceberg/namespaces HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      ),
      ...pieces,
    ]),
    expect: refused(400, 413),
  });
  return out;
}

/** Every syntax case of every endpoint, and the oversize bodies. */
export function jsonSyntaxCases(t: FuzzTargets, rnd: Random): FuzzCase[] {
  return [...bodyEndpoints(t).flatMap((e) => endpointSyntaxCases(e, rnd)), ...oversizeCases(t)];
}
