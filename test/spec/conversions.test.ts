import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bigIntToMinBytes,
  fromBytes,
  fromJsonValue,
  minBytesToBigInt,
  toBytes,
  toJsonValue,
} from "../../src/spec/conversions.js";
import { parseJson, stringifyJson } from "../../src/spec/json.js";
import { decimalType, fixedType, type PrimitiveType, Types } from "../../src/spec/types.js";
import { compareValues, isoDateToDays, isoTimestampToEpoch, parseDecimal } from "../../src/spec/values.js";

describe("binary single-value serialization (spec Appendix D)", () => {
  const cases: [PrimitiveType, unknown, string][] = [
    [Types.boolean, true, "01"],
    [Types.int, 34, "22000000"],
    [Types.long, 34n, "2200000000000000"],
    [Types.float, 1.0, "0000803f"],
    [Types.double, 1.0, "000000000000f03f"],
    [Types.date, isoDateToDays("2017-11-16"), "4e440000"],
    [Types.timestamp, isoTimestampToEpoch("2017-11-16T22:31:08", "micros"), "00c3262d215e0500"],
    [Types.string, "iceberg", "69636562657267"],
    [Types.uuid, "f79c3e09-677c-4bbd-a479-3f349cb785e7", "f79c3e09677c4bbda4793f349cb785e7"],
    [fixedType(4), Uint8Array.of(0, 1, 2, 3), "00010203"],
    [decimalType(9, 2), 1420n, "058c"],
    [decimalType(9, 2), -1420n, "fa74"],
  ];
  for (const [type, value, hex] of cases) {
    it(`${type.kind} ${String(value)}`, () => {
      const bytes = toBytes(type, value as never);
      assert.equal(Buffer.from(bytes).toString("hex"), hex);
      assert.deepEqual(fromBytes(type, bytes), value);
    });
  }
  it("reads bounds written before promotion by their length", () => {
    assert.equal(fromBytes(Types.long, toBytes(Types.int, -7)), -7n);
    assert.equal(fromBytes(Types.double, toBytes(Types.float, 1.5)), 1.5);
    assert.equal(fromBytes(Types.timestamp, toBytes(Types.date, 1)), 86_400_000_000n);
  });
  it("uses minimal two's complement bytes for decimals", () => {
    for (const v of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 10n ** 37n, -(10n ** 37n)]) {
      assert.equal(minBytesToBigInt(bigIntToMinBytes(v)), v);
    }
    assert.equal(bigIntToMinBytes(127n).length, 1);
    assert.equal(bigIntToMinBytes(128n).length, 2);
  });
});

describe("JSON single-value serialization (spec Appendix D)", () => {
  it("round-trips every primitive", () => {
    const cases: [PrimitiveType, unknown, unknown][] = [
      [decimalType(4, 2), 1420n, "14.20"],
      [Types.date, isoDateToDays("2017-11-16"), "2017-11-16"],
      [Types.time, 81068123456n, "22:31:08.123456"],
      [
        Types.timestamp,
        isoTimestampToEpoch("2017-11-16T22:31:08.123456", "micros"),
        "2017-11-16T22:31:08.123456",
      ],
      [
        Types.timestamptz,
        isoTimestampToEpoch("2017-11-16T22:31:08.123456Z", "micros"),
        "2017-11-16T22:31:08.123456+00:00",
      ],
      [
        Types.timestampNs,
        isoTimestampToEpoch("2017-11-16T22:31:08.123456789", "nanos"),
        "2017-11-16T22:31:08.123456789",
      ],
      [Types.binary, Uint8Array.of(0, 1, 2, 255), "000102ff"],
      [Types.long, 9223372036854775807n, 9223372036854775807n],
    ];
    for (const [type, value, json] of cases) {
      assert.deepEqual(toJsonValue(type, value), json);
      assert.deepEqual(fromJsonValue(type, json), value);
    }
  });
  it("keeps 64-bit integers exact through JSON text", () => {
    const text = '{"snapshot-id": 3051729675574597004, "small": 1}';
    const parsed = parseJson(text) as Record<string, unknown>;
    assert.equal(parsed["snapshot-id"], 3051729675574597004n);
    assert.equal(parsed.small, 1);
    assert.equal(stringifyJson(parsed), '{"snapshot-id":3051729675574597004,"small":1}');
  });
  it("rejects values that do not fit the type, naming the type", () => {
    assert.throws(() => fromJsonValue(Types.int, "x"), /not a valid int/);
    assert.throws(() => parseDecimal("1.234", 2), /more than 2 digits/);
  });
});

describe("value ordering (spec Sorting)", () => {
  it("orders floats -NaN < -Inf < -1 < -0 < 0 < 1 < Inf < NaN", () => {
    const sorted = [Number.NaN, 1, -0, Number.POSITIVE_INFINITY, -1, 0, Number.NEGATIVE_INFINITY].sort(
      (a, b) => compareValues(Types.double, a, b),
    );
    assert.deepEqual(
      sorted.map((x) => (Object.is(x, -0) ? "-0" : String(x))),
      ["-Infinity", "-1", "-0", "0", "1", "Infinity", "NaN"],
    );
  });
  it("orders strings by code point (UTF-8 byte order)", () => {
    assert.ok(compareValues(Types.string, "\uFFFF", "😀") < 0);
    assert.ok(compareValues(Types.string, "a", "ab") < 0);
  });
});
