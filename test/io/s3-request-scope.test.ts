import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ForbiddenError, ValidationError } from "../../src/errors.js";
import { checkRequestScope, s3RequestTarget } from "../../src/io/s3-request-scope.js";
import { tableSessionPolicy } from "../../src/io/s3-session-policy.js";

const minio = { endpoint: "http://127.0.0.1:9000", region: "us-east-1" };
const aws = { region: "eu-west-1" };
const table = { bucket: "lake", prefix: "wh/ns/t" };
const target = (uri: string, method = "GET", body?: string, ep: typeof minio | typeof aws = minio) =>
  s3RequestTarget({ uri, method, body }, ep);

describe("what an S3 request touches (remote signing scope)", () => {
  it("reads path-style and virtual-host requests, decoding keys once", () => {
    assert.deepEqual(target("http://127.0.0.1:9000/lake/wh/ns/t/data/a%20b%2Bc.parquet"), {
      bucket: "lake",
      keys: ["wh/ns/t/data/a b+c.parquet"],
      write: false,
    });
    assert.deepEqual(target("https://lake.s3.eu-west-1.amazonaws.com/wh/ns/t/x", "PUT", undefined, aws), {
      bucket: "lake",
      keys: ["wh/ns/t/x"],
      write: true,
    });
    assert.deepEqual(target("http://127.0.0.1:9000/lake?list-type=2&prefix=wh%2Fns%2Ft%2Fdata%2F"), {
      bucket: "lake",
      keys: [],
      listPrefix: "wh/ns/t/data/",
      write: false,
    });
  });

  it("reads the keys of a DeleteObjects body, XML entities decoded", () => {
    const body =
      "<Delete><Object><Key>wh/ns/t/a&amp;b</Key></Object><Object><Key>wh/ns/t&#47;c</Key></Object></Delete>";
    assert.deepEqual(target("http://127.0.0.1:9000/lake?delete", "POST", body).keys, [
      "wh/ns/t/a&b",
      "wh/ns/t/c",
    ]);
    assert.throws(() => target("http://127.0.0.1:9000/lake?delete", "POST"), ValidationError);
  });

  it("refuses what it cannot account for", () => {
    for (const uri of [
      "http://127.0.0.1:9000/lake/wh/ns/t/../u/x",
      "http://127.0.0.1:9000/lake/wh/ns/t/%2e%2E/u/x",
      "http://127.0.0.1:9000/lake/wh/ns/t/x?acl",
      "http://127.0.0.1:9000/lake/wh/ns/t/x?policy",
      "http://169.254.169.254/lake/wh/ns/t/x",
      "http://127.0.0.1:9000/lake?list-type=2",
      "http://127.0.0.1:9000/lake/wh/ns/t/%E0%A4%A",
      "not a url",
    ])
      assert.throws(() => target(uri), ValidationError, uri);
    assert.throws(() => target("http://127.0.0.1:9000/lake", "PUT"), ValidationError);
  });

  it("keeps every key and listing below <prefix>/ and writes to write privilege", () => {
    const ok = (uri: string, method = "GET", body?: string) =>
      checkRequestScope(target(uri, method, body), table, "write");
    ok("http://127.0.0.1:9000/lake/wh/ns/t/data/x");
    ok("http://127.0.0.1:9000/lake?list-type=2&prefix=wh/ns/t/");
    for (const [uri, method] of [
      ["http://127.0.0.1:9000/lake/wh/ns/t2/data/x", "GET"], // a sibling sharing the name's start
      ["http://127.0.0.1:9000/lake/wh/ns/t", "GET"], // the prefix itself is no object of the table
      ["http://127.0.0.1:9000/other/wh/ns/t/x", "GET"],
      ["http://127.0.0.1:9000/lake?list-type=2&prefix=wh/ns/t", "GET"], // would list t2/ too
    ] as const)
      assert.throws(() => ok(uri, method), ForbiddenError, uri);
    assert.throws(
      () => checkRequestScope(target("http://127.0.0.1:9000/lake/wh/ns/t/x", "DELETE"), table, "read"),
      /read-only/,
    );
  });
});

describe("session policies of vended credentials", () => {
  it("scope object actions to <location>/* and listings below it; read privilege reads only", () => {
    const read = JSON.parse(tableSessionPolicy("s3://lake/wh/ns/t", "read"));
    assert.deepEqual(read.Statement[0].Resource, ["arn:aws:s3:::lake/wh/ns/t/*"]);
    assert.deepEqual(read.Statement[0].Action, ["s3:GetObject", "s3:GetObjectVersion"]);
    assert.deepEqual(read.Statement[1].Condition, { StringLike: { "s3:prefix": ["wh/ns/t/*"] } });
    const write = JSON.parse(tableSessionPolicy("s3://lake/wh/ns/t/", "write"));
    assert.ok(write.Statement[0].Action.includes("s3:PutObject"));
    assert.deepEqual(write.Statement[0].Resource, ["arn:aws:s3:::lake/wh/ns/t/*"]);
  });

  it("refuses locations it cannot scope exactly", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a placeholder
    for (const l of ["s3://lake/wh/a*b", "s3://lake/wh/a?b", "s3://lake/wh/${aws:username}"])
      assert.throws(() => tableSessionPolicy(l, "read"), ForbiddenError, l);
    assert.throws(() => tableSessionPolicy("s3://lake", "read"), ValidationError);
    // Quotes are JSON-escaped, never breaking out of the string.
    const q = JSON.parse(tableSessionPolicy(`s3://lake/wh/a"b'c`, "read"));
    assert.deepEqual(q.Statement[0].Resource, [`arn:aws:s3:::lake/wh/a"b'c/*`]);
  });
});
