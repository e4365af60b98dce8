import assert from "node:assert/strict";
import { normalize } from "node:path";
import { describe, it } from "node:test";
import { ValidationError } from "../../src/errors.js";
import { localPathOf } from "../../src/io/location.js";
import { LocationPolicy, parseLocation, spellingsOf } from "../../src/io/location-policy.js";

/** What a case expects: inside, outside, or refused with a reason matching the pattern. */
type Expected = "inside" | "outside" | RegExp;

const LOCAL = "file:///data/wh";
const PLAIN = "/data/wh";
const SPACED = "file:///tmp/my%20lake/wh";
const S3 = "s3://bucket/wh";

/** [warehouse, location, expected] */
const CASES: [string, string, Expected][] = [
  // ---- local warehouse: the spellings of one place
  [LOCAL, "file:///data/wh", "inside"],
  [LOCAL, "file:///data/wh/", "inside"],
  [LOCAL, "file:///data/wh/ns/t", "inside"],
  [LOCAL, "file:/data/wh/ns/t", "inside"],
  [LOCAL, "file://localhost/data/wh/ns/t", "inside"],
  [LOCAL, "file://LocalHost/data/wh/ns/t", "inside"],
  [LOCAL, "FILE:///data/wh/ns/t", "inside"],
  [LOCAL, "File:/data/wh/ns/t", "inside"],
  [LOCAL, "file:////data/wh/ns/t", "inside"],
  [LOCAL, "file:///data//wh///ns//t/", "inside"],
  [LOCAL, "/data/wh/ns/t", "inside"],
  [LOCAL, "//data/wh/ns/t", "inside"],
  [LOCAL, "file:///data/wh/n%73/t", "inside"],
  [LOCAL, "file:///data/w%68/ns", "inside"],
  [LOCAL, "file:///data/wh/a%2520b", "inside"],
  [LOCAL, "file:///data/wh/%C3%A9t%C3%A9", "inside"],
  [LOCAL, "file:///data/wh/a b", "inside"],
  [LOCAL, "file:///data/wh/..foo/t", "inside"],
  [LOCAL, "file:///data/wh/.hidden", "inside"],
  [LOCAL, "file:///data/wh/a..b/...", "inside"],
  [LOCAL, "file:///data/wh/%2e%2efoo", "inside"],
  // ---- local warehouse: other places
  [LOCAL, "file:///data/wh2/t", "outside"],
  [LOCAL, "file:///data/wh-other", "outside"],
  [LOCAL, "file:///data/w", "outside"],
  [LOCAL, "file:///data", "outside"],
  [LOCAL, "file:///", "outside"],
  [LOCAL, "file:///etc/passwd", "outside"],
  [LOCAL, "file:///DATA/wh/t", "outside"],
  [LOCAL, "/data/wh2", "outside"],
  [LOCAL, "/data/w%68/ns", "outside"], // a plain path is never decoded: the directory is "w%68"
  [LOCAL, "s3://bucket/data/wh/t", "outside"],
  [LOCAL, "gs://data/wh/t", "outside"],
  // ---- dot segments, raw and encoded, any case, mixed
  [LOCAL, "file:///data/wh/../etc", /'\.\.' segment/],
  [LOCAL, "file:///data/wh/ns/../t", /'\.\.' segment/],
  [LOCAL, "file:///data/wh/./t", /'\.' segment/],
  [LOCAL, "file:///data/wh/ns/t/..", /'\.\.' segment/],
  [LOCAL, "file:///data/wh/%2e%2e/etc", /encoded dot segment "%2e%2e"/],
  [LOCAL, "file:///data/wh/%2E%2E/etc", /encoded dot segment/],
  [LOCAL, "file:///data/wh/%2E%2e/etc", /encoded dot segment/],
  [LOCAL, "file:///data/wh/.%2e/etc", /encoded dot segment/],
  [LOCAL, "file:///data/wh/%2e./etc", /encoded dot segment/],
  [LOCAL, "file:///data/wh/%2e/t", /encoded dot segment "%2e" \(it means '\.'\)/],
  [LOCAL, "file:///data/wh/ns/%2e%2e/%2e%2e/%2e%2e/evil", /encoded dot segment/],
  [LOCAL, "/data/wh/../evil", /'\.\.' segment/],
  [LOCAL, "/data/wh/%2e%2e/evil", /encoded dot segment/],
  [LOCAL, "/data/wh/.%2E/evil", /encoded dot segment/],
  // ---- encoded separators, backslashes
  [LOCAL, "file:///data/wh/a%2fb", /encoded '\/'/],
  [LOCAL, "file:///data/wh/a%2Fb", /encoded '\/'/],
  [LOCAL, "file:///data/wh/%2f..%2f..%2fetc", /encoded '\/'/],
  [LOCAL, "/data/wh/a%2fb", /encoded '\/'/],
  [LOCAL, "file:///data/wh/a%5cb", /encoded '\\'/],
  [LOCAL, "file:///data/wh/..%5C..%5Cetc", /encoded '\\'/],
  [LOCAL, "file:///data/wh/a\\..\\..\\etc", /contains a '\\'/],
  [LOCAL, "/data/wh/a\\b", /contains a '\\'/],
  // ---- control characters, raw and encoded
  [LOCAL, "file:///data/wh/a\u0000b", /control character U\+0000/],
  [LOCAL, "file:///data/wh/a%00b", /encoded control character U\+0000/],
  [LOCAL, "file:///data/w\th/t", /control character U\+0009/],
  [LOCAL, "file:///data/wh/t\n", /control character U\+000A/],
  [LOCAL, "file:///data/wh/a%0Ab", /encoded control character U\+000A/],
  [LOCAL, "file:///data/wh/a%7fb", /encoded control character U\+007F/],
  [LOCAL, "/data/wh/a%01b", /encoded control character U\+0001/],
  // ---- malformed URIs, hosts, relative paths
  [LOCAL, "file:///data/wh/100%", /malformed percent-encoding/],
  [LOCAL, "file:///data/wh/%zz", /malformed percent-encoding/],
  [LOCAL, "file:///data/wh/%ff", /not UTF-8/],
  [LOCAL, "file:///data/wh/%C0%AE%C0%AE/etc", /not UTF-8/],
  [LOCAL, "file:///data/wh/t?x=1", /'\?' or '#'/],
  [LOCAL, "file:///data/wh/t#/../../etc", /'\?' or '#'/],
  [LOCAL, "file://evil.example/data/wh/t", /host "evil\.example"/],
  [LOCAL, "file://data/wh/t", /host "data"/],
  [LOCAL, "file:data/wh/t", /relative file: URI/],
  [LOCAL, "data/wh/t", /relative path/],
  [LOCAL, "./data/wh/t", /relative path/],
  [LOCAL, "", /empty/],
  // ---- plain-path warehouse, and one whose URI is percent-encoded
  [PLAIN, "file:///data/wh/ns/t", "inside"],
  [PLAIN, "/data/wh/ns/t", "inside"],
  [PLAIN, "/data/wh2/ns/t", "outside"],
  [SPACED, "/tmp/my lake/wh/t", "inside"],
  [SPACED, "file:///tmp/my%20lake/wh/t", "inside"],
  [SPACED, "file:///tmp/my lake/wh/t", "inside"],
  [SPACED, "/tmp/my%20lake/wh/t", "outside"],
  // ---- S3 warehouse: bucket, prefix boundary at '/', scheme spellings
  [S3, "s3://bucket/wh", "inside"],
  [S3, "s3://bucket/wh/", "inside"],
  [S3, "s3://bucket/wh/ns/t", "inside"],
  [S3, "s3a://bucket/wh/ns/t", "inside"],
  [S3, "S3N://bucket/wh/ns/t", "inside"],
  [S3, "s3://bucket/wh//ns/t", "inside"],
  [S3, "s3://bucket/wh/a%20b", "inside"],
  [S3, "s3://bucket/wh2/t", "outside"],
  [S3, "s3://bucket/w", "outside"],
  [S3, "s3://bucket", "outside"],
  [S3, "s3://bucket//wh/t", "outside"], // the key "/wh/t" is not under "wh/"
  [S3, "s3://bucket/w%68/t", "outside"], // keys are never decoded
  [S3, "s3://other-bucket/wh/t", "outside"],
  [S3, "file:///bucket/wh/t", "outside"],
  [S3, "/bucket/wh/t", "outside"],
  [S3, "gs://bucket/wh/t", "outside"],
  [S3, "s3://Bucket/wh/t", /invalid S3 bucket name "Bucket"/],
  [S3, "s3://bucket/wh/../x", /'\.\.' segment/],
  [S3, "s3://bucket/wh/%2e%2e/x", /encoded dot segment/],
  [S3, "s3://bucket/wh/a%2fb", /encoded '\/'/],
  [S3, "s3://bucket/wh/a%5Cb", /encoded '\\'/],
  [S3, "s3://bucket/wh/t?versionId=1", "inside"], // S3 keys may hold '?', '#' and '%'
  [S3, "s3://bucket/wh/s*t?u$v'w\"x+y%z q#", "inside"],
  [S3, "s3://bucket/wh2?/t", "outside"],
  [S3, "s3://bucket/wh/a\tb", /control character U\+0009/],
  [S3, "s3://bucket/wh/a\\b", /contains a '\\'/],
  ["gs://bucket/wh", "gs://bucket/wh/t?x", /'\?' or '#'/],
  ["gs://bucket/wh", "GS://BUCKET/wh/t", "inside"],
  ["gs://bucket/wh", "gs://bucket/wh/100%", /malformed percent-encoding/],
  [S3, "s3:/bucket/wh/t", /has no authority/],
  [S3, "hdfs:///wh/t", /has no authority/],
];

describe("LocationPolicy: one check for every location", () => {
  it(`classifies ${CASES.length} locations as inside, outside or refused`, () => {
    assert.ok(CASES.length >= 60);
    const wrong: string[] = [];
    for (const [warehouse, location, expected] of CASES) {
      const v = new LocationPolicy(warehouse).verdict(location);
      const ok =
        typeof expected === "string" ? v.kind === expected : v.kind === "refused" && expected.test(v.reason);
      if (!ok)
        wrong.push(
          `${warehouse} | ${JSON.stringify(location)}: expected ${expected}, got ${JSON.stringify(v)}`,
        );
    }
    assert.deepEqual(wrong, []);
  });

  it("agrees with the FileIO: every local location it allows is a path under the warehouse's path", () => {
    let checked = 0;
    for (const [warehouse, location, expected] of CASES) {
      if (expected !== "inside" || !(warehouse.startsWith("file:") || warehouse.startsWith("/"))) continue;
      // POSIX collapses duplicate slashes; a trailing one names the same directory.
      const path = normalize(localPathOf(location)).replace(/(.)\/$/, "$1");
      const root = normalize(localPathOf(warehouse));
      assert.ok(path === root || path.startsWith(`${root}/`), `${location} -> ${path} is not under ${root}`);
      const parsed = parseLocation(location);
      assert.ok(parsed.ok);
      assert.equal(`/${parsed.location.segments.join("/")}`, path);
      checked++;
    }
    assert.ok(checked >= 20);
  });

  it("check() throws a ValidationError naming the field, the location and the warehouse", () => {
    const p = new LocationPolicy("file:///data/wh/");
    assert.equal(p.warehouse, "file:///data/wh");
    assert.doesNotThrow(() => p.check("location", "file:///data/wh/ns/t"));
    assert.throws(
      () => p.check("updates[0].location", "file:///data/elsewhere"),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message === 'updates[0].location "file:///data/elsewhere" is outside the warehouse file:///data/wh',
    );
    assert.throws(
      () => p.check("properties.write.data.path", "file:///data/wh/%2e%2e/x"),
      (e: unknown) =>
        e instanceof ValidationError &&
        /^properties\.write\.data\.path "file:\/\/\/data\/wh\/%2e%2e\/x" is refused: it contains an encoded dot segment "%2e%2e" \(it means '\.\.'\); locations must name a place inside the warehouse file:\/\/\/data\/wh$/.test(
          e.message,
        ),
    );
    assert.equal(p.allows("file:///data/wh/%2e%2e/x"), false);
    assert.equal(p.allows("file:///data/wh/t"), true);
  });

  it("refuses a warehouse root that is itself relative or escapes", () => {
    for (const root of ["data/wh", "file:///data/wh/../x", "file:///data/%2e%2e/wh", "s3://B/wh"])
      assert.throws(() => new LocationPolicy(root), ValidationError, root);
  });
});

describe("spellingsOf: the ways catalogs store one place", () => {
  it("spells a local directory as a path and as file: URIs, each parsing back to the same place", () => {
    const place = parseLocation("file:///tmp/w%20h/t");
    assert.ok(place.ok);
    const spellings = spellingsOf(place.location);
    assert.deepEqual(spellings, [
      "/tmp/w h/t",
      "file:/tmp/w h/t",
      "file:///tmp/w h/t",
      "file:///tmp/w%20h/t",
      "file://localhost/tmp/w h/t",
    ]);
    for (const s of spellings.filter((x) => !x.includes(" ") || !x.startsWith("file:"))) {
      const back = parseLocation(s);
      assert.ok(back.ok, s);
      assert.deepEqual(back.location, place.location, s);
    }
  });

  it("spells an S3 key under each S3 scheme", () => {
    const place = parseLocation("s3a://bucket/wh/t/");
    assert.ok(place.ok);
    assert.deepEqual(spellingsOf(place.location), [
      "s3://bucket/wh/t",
      "s3a://bucket/wh/t",
      "s3n://bucket/wh/t",
    ]);
  });
});
