/**
 * `Host` and `Origin` variations (refused cleanly with an ErrorModel, never reset) and odd
 * query strings (`pageToken`, `pageSize=-1`, `pageSize=1e9`, `snapshots=bogus`, repeated
 * parameters), sent as raw bytes; the valid ones say why.
 */
import { type Expectation, type FuzzCase, type FuzzTargets, refused } from "./fuzz-case.js";
import { either, ok, raw } from "./http-cases.js";
import { tablePath, v1 } from "./request-bodies.js";

/** Host, Origin and Fetch Metadata cases. */
function hostCases(t: FuzzTargets): FuzzCase[] {
  const get = (target: string, headers: string[], expect: Expectation = refused()) =>
    raw(
      `GET ${target} with ${JSON.stringify(headers)}`,
      [`GET ${target} HTTP/1.1`, ...headers, "Connection: close"],
      "",
      { expect },
    );
  const port = t.host.split(":")[1]!;
  const cfg = "/v1/config";
  const out: FuzzCase[] = [];
  out.push(get(cfg, []));
  for (const h of [
    "",
    "evil.example",
    `evil.example:${port}`,
    "localhost:99999",
    `127.0.0.1:${port}@evil.example`,
    "local host",
    "127.0.0.1:abc",
    "[::1",
    "%31%32%37.0.0.1",
    "ex\u00e4mple.com",
    "a".repeat(300),
  ])
    out.push(get(cfg, [`Host: ${h}`]));
  out.push(get(cfg, ["Host: {host}", "Host: evil.example"]));
  out.push(get(cfg, ["Host: evil.example", "Host: {host}"]));
  out.push(get(cfg, [`Host: [::1]:${port}`], ok("[::1] is a loopback name", 200)));
  out.push(
    get(cfg, [`Host: LOCALHOST:${port}`], ok("host names are case-insensitive: LOCALHOST is localhost", 200)),
  );
  out.push(
    get(
      cfg,
      [`Host: 127.0.0.1.:${port}`],
      either("127.0.0.1. is 127.0.0.1 (an address: no DNS to rebind)", 200),
    ),
  );
  out.push(
    get(
      cfg,
      [`Host: 0x7f.1:${port}`],
      either("0x7f.1 is 127.0.0.1 (a loopback address, not a name DNS could rebind)", 200),
    ),
  );
  out.push(get("/health", ["Host: evil.example"], ok("/health is exempt from the Host check (probes)", 200)));
  out.push(
    raw(
      "absolute-form target naming another host",
      ["GET http://evil.example/v1/config HTTP/1.1", "Host: {host}", "Connection: close"],
      "",
      { expect: refused(403) },
    ),
  );
  out.push(
    raw(
      "absolute-form target naming this server",
      [`GET http://${t.host}/v1/config HTTP/1.1`, "Host: {host}", "Connection: close"],
      "",
      { expect: ok("an absolute-form target of this server (RFC 9112 3.2.2)", 200) },
    ),
  );
  out.push(
    raw(
      "absolute-form target with user info",
      [`GET http://a:b@${t.host}/v1/config HTTP/1.1`, "Host: {host}", "Connection: close"],
      "",
      { expect: either("user info is dropped with the absolute form", 200) },
    ),
  );
  out.push(
    raw("absolute-form ftp target", [
      `GET ftp://${t.host}/v1/config HTTP/1.1`,
      "Host: {host}",
      "Connection: close",
    ]),
  );
  for (const origin of ["https://evil.example", "null", "%%%", `http://${t.host}.evil.example`, "file://"])
    out.push(get(cfg, ["Host: {host}", `Origin: ${origin}`], refused(403)));
  out.push(get(cfg, ["Host: {host}", `Origin: http://${t.host}`], ok("the server's own origin", 200)));
  out.push(
    get(
      cfg,
      ["Host: {host}", `Origin: https://${t.host}`],
      either("https on this server's own host and port: no other site can be served there", 200),
    ),
  );
  out.push(get(cfg, ["Host: {host}", "Sec-Fetch-Site: cross-site"], refused(403)));
  out.push(get(cfg, ["Host: {host}", "Sec-Fetch-Site: same-origin"], ok("a same-origin fetch", 200)));
  out.push(
    raw(
      "a CORS preflight from a foreign origin",
      [
        "OPTIONS /api/v1/query HTTP/1.1",
        "Host: {host}",
        "Origin: https://evil.example",
        "Access-Control-Request-Method: POST",
        "Connection: close",
      ],
      "",
      { expect: refused(403) },
    ),
  );
  out.push(
    raw(
      "a cross-origin POST of a form to the query API",
      [
        "POST /api/v1/query HTTP/1.1",
        "Host: {host}",
        "Origin: https://evil.example",
        "Content-Type: text/plain",
        "Content-Length: 19",
        "Connection: close",
      ],
      '{"sql": "SELECT 1"}',
      { expect: refused(403) },
    ),
  );
  return out;
}

/** Query strings with odd and repeated parameters. */
function queryStringCases(t: FuzzTargets): FuzzCase[] {
  const get = (target: string, expect: Expectation = refused(400), method = "GET") =>
    raw(
      `${method} ${target.slice(0, 90)}`,
      [`${method} ${target} HTTP/1.1`, "Host: {host}", "Connection: close"],
      "",
      { expect },
    );
  const list = v1("/namespaces");
  const tables = v1(`/namespaces/${t.namespace}/tables`);
  const out: FuzzCase[] = [];
  for (const size of ["-1", "0", "1.5", "abc", "", "Infinity", "-0", "1e-3", "%00", "NaN"])
    for (const target of [list, tables, v1(`/namespaces/${t.namespace}/views`)])
      out.push(get(`${target}?pageSize=${size}`));
  out.push(get(`${list}?pageToken=&pageSize=1`, ok("the first page of one", 200)));
  out.push(get(`${list}?pageSize=1e9`, ok("1e9 is a positive integer: one page holds everything", 200)));
  out.push(
    get(`${list}?pageSize=99999999999999999999999`, either("a huge page size is a page of everything", 200)),
  );
  out.push(get(`${list}?pageSize=0x10`, either("a page size spelled in hex", 200)));
  out.push(get(`${list}?pageSize=1&pageSize=-1`, either("a repeated pageSize: the first one counts", 200)));
  for (const token of ["%zz", "garbage", "%00%00", "AAAA", "x".repeat(5000), "%F0%9F%92%A9", "a&pageToken=b"])
    out.push(
      get(
        `${tables}?pageToken=${token}`,
        ok("page tokens are opaque: an unknown one starts after its key", 200),
      ),
    );
  for (const mode of ["bogus", "REFS", "", "all%00", "refs,all"])
    out.push(get(`${tablePath(t)}?snapshots=${mode}`));
  out.push(
    get(
      `${tablePath(t)}?snapshots=refs&snapshots=bogus`,
      either("a repeated snapshots: the first one counts", 200),
    ),
  );
  for (const purge of ["maybe", "TRUE", "1", ""])
    out.push(
      get(
        `${v1(`/namespaces/${t.namespace}/tables/fz_missing`)}?purgeRequested=${purge}`,
        refused(400, 404),
        "DELETE",
      ),
    );
  for (const parent of ["%1F", `${t.namespace}%1Fnope`, "nope", "%00", "%zz"])
    out.push(get(`${list}?parent=${parent}`, refused(400, 404)));
  for (const wh of ["nope", "%00", "..", "%2e%2e"])
    out.push(get(`/v1/config?warehouse=${wh}`, refused(400, 403, 404)));
  out.push(get(`${list}?&&&=&=&`, ok("empty parameters are no parameters", 200)));
  out.push(get(`${list}?${"a&".repeat(3000)}`, ok("unknown parameters are ignored", 200)));
  out.push(
    get(`${list}?x=${"%".repeat(500)}`, ok("an unknown parameter with broken escapes is ignored", 200)),
  );
  return out;
}

/** Every Host, Origin and query string case. */
export function httpHostCases(t: FuzzTargets): FuzzCase[] {
  return [...hostCases(t), ...queryStringCases(t)];
}
