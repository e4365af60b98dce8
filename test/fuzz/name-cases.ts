/**
 * Bad names, in URL paths and in bodies: empty, `.` and `..`, slashes raw and encoded, the
 * namespace separator `%1F`, control characters, NUL, the bidi override U+202E, zero-width
 * characters, 10,000-character and few-MB names, lone surrogates, invalid percent-encoding
 * (`%`, `%zz`, `%c0%ae`, overlong UTF-8), double encoding, and Unicode variants of existing
 * names (NFD of an NFC name, full-width letters, other case): none names an existing object
 * and none is created. Dot segments are resolved before routing (RFC 3986 section 5.2.4), so
 * they are only sent on reads, where answering for the resource they resolve to is right.
 */
import { type FuzzCase, type FuzzTargets, type Random, refused } from "./fuzz-case.js";
import { jsonText, schemaJson, tablePath, v1, viewVersionJson } from "./request-bodies.js";

/** Raw path segments (sent as written) that name nothing that exists. */
export function badSegments(t: FuzzTargets): string[] {
  return [
    "",
    "%",
    "%zz",
    "%c0%ae",
    "%e0%80%ae",
    "%c0%af",
    "%ff",
    "%fe%ff",
    "%2F",
    "a%2fb",
    "%2f..%2f..%2fetc",
    "%5C",
    "a%5C..%5Cb",
    "%00",
    "a%00b",
    "%1F",
    "%1F%1F",
    `${t.namespace}%1F`,
    `%1F${t.namespace}`,
    `${t.namespace}%1Fnope`,
    "%07",
    "%7F",
    "%0d%0a",
    "%E2%80%AE",
    "evil%E2%80%AEtxt",
    "a%E2%80%8Bb",
    "%EF%BB%BF",
    "%ED%A0%80",
    "%F4%90%80%80",
    "x".repeat(10_000),
    "%252e%252e",
    "%25",
    "%u202e",
    "a%20b",
    "*",
    "'",
    "%22",
    // Unicode variants of existing names: NFD of the NFC namespace, full-width letters.
    encodeURIComponent(t.unicodeNamespace.normalize("NFD")),
    encodeURIComponent(t.unicodeNamespace.toUpperCase()),
    encodeURIComponent(t.namespace.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))),
    t.namespace.toUpperCase(),
  ];
}

/** A name for case names: quoted, long ones cut with their length. */
const shown = (s: string) =>
  s.length > 40 ? `${JSON.stringify(s.slice(0, 20))}... (${s.length} chars)` : JSON.stringify(s);

/** Dot segments, raw and encoded (WHATWG URL treats `%2e` as `.`). */
const DOT_SEGMENTS = [".", "..", "%2e", "%2e%2e", ".%2E", "%2E."];

/** Names for bodies (JSON strings) that the name rule refuses. */
export const BAD_BODY_NAMES: readonly string[] = [
  "",
  ".",
  "..",
  "a/b",
  "a.b",
  "a\\b",
  "\u0000",
  "a\u0000b",
  "a\u001fb",
  "\u0007bell",
  "evil\u202Etxt",
  "a\u200Bb",
  "\uFEFFa",
  "a\u2066b",
  "x".repeat(256),
  "\ud800",
  "a\udc00b",
  "a b",
  "a\tb",
  "a\nb",
  "a%2Fb",
  "*",
  "'",
  '"',
  "a\u00a0b",
  "a\u3000b",
];

/** Path-name cases: each bad segment in a few positions (drawn), dot segments on reads. */
function pathNameCases(t: FuzzTargets, rnd: Random): FuzzCase[] {
  const ns = t.namespace;
  const setProps = jsonText({ updates: [{ action: "set-properties", updates: { "fz.k": "v" } }] });
  const createTable = jsonText({ name: "fz_new", schema: schemaJson() });
  const ops: ((s: string) => Omit<FuzzCase, "name">)[] = [
    (s) => ({ method: "GET", target: v1(`/namespaces/${s}`) }),
    (s) => ({ method: "HEAD", target: v1(`/namespaces/${s}`) }),
    (s) => ({ method: "DELETE", target: v1(`/namespaces/${s}`) }),
    (s) => ({ method: "GET", target: v1(`/namespaces/${s}/tables`) }),
    (s) => ({ method: "POST", target: v1(`/namespaces/${s}/tables`), body: createTable }),
    (s) => ({ method: "POST", target: v1(`/namespaces/${s}/properties`), body: '{"updates":{"fz.k":"v"}}' }),
    (s) => ({ method: "GET", target: v1(`/namespaces/${ns}/tables/${s}`) }),
    (s) => ({ method: "HEAD", target: v1(`/namespaces/${ns}/tables/${s}`) }),
    (s) => ({ method: "DELETE", target: v1(`/namespaces/${ns}/tables/${s}`) }),
    (s) => ({ method: "POST", target: v1(`/namespaces/${ns}/tables/${s}`), body: setProps }),
    (s) => ({ method: "GET", target: v1(`/namespaces/${ns}/views/${s}`) }),
    (s) => ({ method: "DELETE", target: v1(`/namespaces/${ns}/views/${s}`) }),
    (s) => ({ method: "GET", target: `/v1/${s}/namespaces` }),
    (s) => ({ method: "GET", target: v1(`/namespaces?parent=${s}`) }),
    (s) => ({ method: "POST", target: `${v1(`/namespaces/${s}/tables/${t.table}`)}/plan`, body: "{}" }),
  ];
  const out: FuzzCase[] = [];
  for (const s of badSegments(t)) {
    const picked = new Set<number>();
    while (picked.size < 4) picked.add(rnd.int(ops.length));
    for (const i of picked) {
      const op = ops[i]!(s);
      // An empty parent lists the top level, as no parent does (REST spec `parent`).
      if (s === "" && op.target.endsWith("parent=")) continue;
      out.push({ name: `name ${shown(s)} in operation ${i}: ${op.method} ${op.target.slice(0, 80)}`, ...op });
    }
  }
  for (const d of DOT_SEGMENTS)
    for (const target of [
      v1(`/namespaces/${d}`),
      `${tablePath(t)}/${d}`,
      v1(`/namespaces/${ns}/tables/${d}/${d}`),
    ])
      out.push({
        name: `dot segment ${d}: GET ${target}`,
        method: "GET",
        target,
        expect: {
          kind: "ok-or-error",
          statuses: [200],
          why: "dot segments are removed before routing (RFC 3986 5.2.4): the read is of the resource they resolve to",
        },
      });
  return out;
}

/** Body-name cases: every bad name in every request that names something new. */
function bodyNameCases(t: FuzzTargets): FuzzCase[] {
  const ns = t.namespace;
  const ops: [string, string, (n: string) => unknown][] = [
    ["create namespace", v1("/namespaces"), (n) => ({ namespace: [n] })],
    ["create nested namespace", v1("/namespaces"), (n) => ({ namespace: [ns, n] })],
    ["create table", v1(`/namespaces/${ns}/tables`), (n) => ({ name: n, schema: schemaJson() })],
    [
      "create view",
      v1(`/namespaces/${ns}/views`),
      (n) => ({ name: n, schema: schemaJson(), "view-version": viewVersionJson(t) }),
    ],
    [
      "register table",
      v1(`/namespaces/${ns}/register`),
      (n) => ({ name: n, "metadata-location": t.metadataLocation }),
    ],
    [
      "rename table",
      v1("/tables/rename"),
      (n) => ({ source: { namespace: [ns], name: t.table }, destination: { namespace: [ns], name: n } }),
    ],
    [
      "rename view",
      v1("/views/rename"),
      (n) => ({ source: { namespace: [ns], name: t.view }, destination: { namespace: [ns], name: n } }),
    ],
  ];
  const out: FuzzCase[] = [];
  for (const [label, target, body] of ops)
    for (const n of BAD_BODY_NAMES)
      out.push({
        name: `${label} named ${shown(n)}`,
        method: "POST",
        target,
        body: JSON.stringify(body(n)),
        expect: refused(400),
      });
  const long = "n".repeat(3 * 1024 * 1024);
  for (const [label, target, body] of ops.slice(0, 3))
    out.push({
      name: `${label} named with 3 MB`,
      method: "POST",
      target,
      body: JSON.stringify(body(long)),
      expect: refused(400),
    });
  for (const namespace of [[], [""], [ns, ""], ["", ns], [ns, "a\u0000"]])
    out.push({
      name: `create namespace ${JSON.stringify(namespace).slice(0, 40)}`,
      method: "POST",
      target: v1("/namespaces"),
      body: JSON.stringify({ namespace }),
      expect: refused(),
    });
  out.push({
    name: "create namespace that exists",
    method: "POST",
    target: v1("/namespaces"),
    body: JSON.stringify({ namespace: [ns] }),
    expect: refused(409),
  });
  out.push({
    name: "create table that exists",
    method: "POST",
    target: v1(`/namespaces/${ns}/tables`),
    body: JSON.stringify({ name: t.table, schema: schemaJson() }),
    expect: refused(409),
  });
  out.push({
    name: "rename table onto another table",
    method: "POST",
    target: v1("/tables/rename"),
    body: JSON.stringify({
      source: { namespace: [ns], name: t.table },
      destination: { namespace: [ns], name: t.partitioned },
    }),
    expect: refused(409),
  });
  out.push({
    name: "rename table onto the view",
    method: "POST",
    target: v1("/tables/rename"),
    body: JSON.stringify({
      source: { namespace: [ns], name: t.table },
      destination: { namespace: [ns], name: t.view },
    }),
    expect: refused(409),
  });
  out.push({
    name: "rename table into a missing namespace",
    method: "POST",
    target: v1("/tables/rename"),
    body: JSON.stringify({
      source: { namespace: [ns], name: t.table },
      destination: { namespace: ["fz_nope"], name: "x" },
    }),
    expect: refused(404),
  });
  out.push({
    name: "rename a missing table",
    method: "POST",
    target: v1("/tables/rename"),
    body: JSON.stringify({
      source: { namespace: [ns], name: "fz_missing" },
      destination: { namespace: [ns], name: "x" },
    }),
    expect: refused(404),
  });
  out.push({
    name: "register over an existing table without overwrite",
    method: "POST",
    target: v1(`/namespaces/${ns}/register`),
    body: JSON.stringify({ name: t.partitioned, "metadata-location": t.metadataLocation }),
    expect: refused(409),
  });
  out.push({
    name: "drop a namespace that holds tables",
    method: "DELETE",
    target: v1(`/namespaces/${ns}`),
    expect: refused(409),
  });
  return out;
}

/** Every name case. */
export function nameCases(t: FuzzTargets, rnd: Random): FuzzCase[] {
  return [...pathNameCases(t, rnd), ...bodyNameCases(t)];
}
