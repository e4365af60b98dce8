import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cachedRawJson, parseJson, RawJson, StrictJsonError, stringifyJson } from "../../src/spec/json.js";

describe("JSON with 64-bit integers", () => {
  it("parses integers beyond 2^53 as bigint and the rest as number", () => {
    const v = parseJson(
      '{"id": 9223372036854775807, "neg": -9223372036854775808, "safe": 9007199254740991, "long16": 1234567890123456, "f": 1.2345678901234567e5, "g": 12345678901234567.5, "arr": [1, 18446744073709551615]}',
    ) as Record<string, unknown>;
    assert.equal(v.id, 9223372036854775807n);
    assert.equal(v.neg, -9223372036854775808n);
    assert.equal(v.safe, 9007199254740991);
    assert.equal(v.long16, 1234567890123456);
    assert.equal(v.f, 123456.78901234567);
    assert.equal(v.g, Number("12345678901234567.5"));
    assert.deepEqual(v.arr, [1, 18446744073709551615n]);
  });

  it("leaves digits inside strings alone, escapes included", () => {
    const v = parseJson(
      '{"a": "12345678901234567890", "b": "say \\"9223372036854775807\\"", "c\\\\": 9223372036854775807}',
    ) as Record<string, unknown>;
    assert.equal(v.a, "12345678901234567890");
    assert.equal(v.b, 'say "9223372036854775807"');
    assert.equal(v["c\\"], 9223372036854775807n);
  });

  it("writes bigints as plain numbers and round-trips", () => {
    const value = { id: 9223372036854775807n, list: [-1n, 2], s: "x", nested: { n: null } };
    const text = stringifyJson(value);
    assert.equal(text, '{"id":9223372036854775807,"list":[-1,2],"s":"x","nested":{"n":null}}');
    assert.deepEqual(parseJson(text), { ...value, list: [-1, 2] });
    assert.equal(stringifyJson({ a: 1n }, 2), '{\n  "a": 1\n}');
    assert.equal(
      (1n as unknown as { toJSON?: unknown }).toJSON,
      undefined,
      "BigInt.prototype is left as it was",
    );
  });

  it("reports syntax errors with their position in the original text", () => {
    assert.throws(() => parseJson('{"id": 9223372036854775807,, }'), /position 27/);
  });

  it("splices RawJson texts verbatim and caches them per object", () => {
    const snap = { id: 9223372036854775807n, name: 'a "quoted" \u0000 name' };
    let encodes = 0;
    const raw = () =>
      cachedRawJson(snap, "test", (x) => {
        encodes++;
        return { ...x, nested: new RawJson("[1,2]") };
      });
    const value = { list: [raw(), raw()], big: 1n, plain: "\u0000\u0002raw:0" };
    const text = stringifyJson(value);
    assert.equal(encodes, 1, "encoded once");
    assert.deepEqual(parseJson(text), {
      list: [
        { id: 9223372036854775807n, name: snap.name, nested: [1, 2] },
        { id: 9223372036854775807n, name: snap.name, nested: [1, 2] },
      ],
      big: 1,
      plain: "\u0000\u0002raw:0",
    });
    assert.throws(() => JSON.stringify({ r: new RawJson("1") }), /only serialized by stringifyJson/);
  });
});

describe("strict JSON (request bodies)", () => {
  const strictIssue = (text: string) => {
    try {
      parseJson(text, { strict: true });
      return undefined;
    } catch (e) {
      assert.ok(e instanceof StrictJsonError, String(e));
      return e.issue;
    }
  };

  it("refuses duplicate keys, also spelled with escapes, and names their object and position", () => {
    assert.deepEqual(strictIssue('{"a": 1, "a": 2}'), {
      kind: "duplicate-key",
      path: "",
      line: 1,
      column: 10,
      message: 'duplicate key "a"',
    });
    assert.equal(strictIssue('{"k": {"\\u0061": 1, "a": 2}}')?.path, ".k");
    assert.equal(strictIssue('{"list": [{"x": 1}, {"y": 1, "y": 2}]}')?.path, ".list[1]");
    assert.equal(strictIssue('{"a": {"b": 1}, "c": {"b": 1}}'), undefined, "same key in other objects");
    assert.equal(
      strictIssue('{"s": "not a key: \\"s\\", {\\"s\\": 1}, [", "t": ["s", "s"]}'),
      undefined,
      "string contents are not keys",
    );
    // The lenient default keeps JSON.parse's last-one-wins.
    assert.deepEqual(parseJson('{"a": 1, "a": 2}'), { a: 2 });
  });

  it("refuses numbers a double cannot hold, keeps exact long integers", () => {
    const issue = strictIssue('{"x": [1.5, 2e308]}');
    assert.equal(issue?.kind, "non-finite-number");
    assert.equal(issue?.path, ".x[1]");
    assert.equal(strictIssue('{"x": -1E+400}')?.kind, "non-finite-number");
    assert.equal(strictIssue('{"x": 1e-400, "y": 1.7976931348623157e308}'), undefined, "underflow is 0");
    const v = parseJson('{"id": 123456789012345678901234567890}', { strict: true }) as { id: bigint };
    assert.equal(v.id, 123456789012345678901234567890n);
    assert.equal(
      (parseJson('{"x": 1e999999}') as { x: number }).x,
      Number.POSITIVE_INFINITY,
      "lenient default",
    );
  });

  it("refuses nesting beyond maxDepth and reports syntax errors before strict issues", () => {
    assert.equal(strictIssue(`${"[".repeat(300)}${"]".repeat(300)}`)?.kind, "too-deep");
    assert.doesNotThrow(() =>
      parseJson(`${"[".repeat(300)}${"]".repeat(300)}`, { strict: true, maxDepth: 300 }),
    );
    assert.throws(
      () => parseJson('{"a": 1, "a": 2,}', { strict: true }),
      (e: unknown) => e instanceof SyntaxError && !(e instanceof StrictJsonError),
    );
  });
});
