import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cachedRawJson, parseJson, RawJson, stringifyJson } from "../../src/spec/json.js";

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
