import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyTransform,
  bucketHash,
  parseTransform,
  toHumanString,
  truncateValue,
} from "../../src/spec/transform.js";
import { decimalType, fixedType, Types } from "../../src/spec/types.js";
import { isoDateToDays, isoTimestampToEpoch, isoTimeToMicros } from "../../src/spec/values.js";

// Test values are the Iceberg spec's Appendix B table (../shared/data/specs/iceberg/spec.md).
describe("bucket hash (spec Appendix B)", () => {
  const cases: [string, () => number, number][] = [
    ["int 34", () => bucketHash(Types.int, 34), 2017239379],
    ["long 34L", () => bucketHash(Types.long, 34n), 2017239379],
    ["decimal 14.20", () => bucketHash(decimalType(9, 2), 1420n), -500754589],
    ["date 2017-11-16", () => bucketHash(Types.date, isoDateToDays("2017-11-16")), -653330422],
    ["time 22:31:08", () => bucketHash(Types.time, isoTimeToMicros("22:31:08")), -662762989],
    [
      "timestamp",
      () => bucketHash(Types.timestamp, isoTimestampToEpoch("2017-11-16T22:31:08", "micros")),
      -2047944441,
    ],
    [
      "timestamp .000001",
      () => bucketHash(Types.timestamp, isoTimestampToEpoch("2017-11-16T22:31:08.000001", "micros")),
      -1207196810,
    ],
    [
      "timestamptz -08:00",
      () => bucketHash(Types.timestamptz, isoTimestampToEpoch("2017-11-16T14:31:08-08:00", "micros")),
      -2047944441,
    ],
    [
      "timestamptz .000001-08:00",
      () => bucketHash(Types.timestamptz, isoTimestampToEpoch("2017-11-16T14:31:08.000001-08:00", "micros")),
      -1207196810,
    ],
    [
      "timestamp_ns .000001001",
      () => bucketHash(Types.timestampNs, isoTimestampToEpoch("2017-11-16T22:31:08.000001001", "nanos")),
      -1207196810,
    ],
    [
      "timestamptz_ns -08:00",
      () =>
        bucketHash(Types.timestamptzNs, isoTimestampToEpoch("2017-11-16T14:31:08.000001001-08:00", "nanos")),
      -1207196810,
    ],
    ["string iceberg", () => bucketHash(Types.string, "iceberg"), 1210000089],
    ["uuid", () => bucketHash(Types.uuid, "f79c3e09-677c-4bbd-a479-3f349cb785e7"), 1488055340],
    ["fixed 00010203", () => bucketHash(fixedType(4), Uint8Array.of(0, 1, 2, 3)), -188683207],
    ["binary 00010203", () => bucketHash(Types.binary, Uint8Array.of(0, 1, 2, 3)), -188683207],
    ["boolean true", () => bucketHash(Types.boolean, true), 1392991556],
    ["float 1.0", () => bucketHash(Types.float, 1.0), -142385009],
    ["double 0.0", () => bucketHash(Types.double, 0.0), 1669671676],
    ["double -0.0", () => bucketHash(Types.double, -0.0), 1669671676],
  ];
  for (const [name, fn, expected] of cases) it(name, () => assert.equal(fn(), expected));

  it("bucket[N] discards the sign bit before the modulo", () => {
    const h = bucketHash(Types.string, "iceberg");
    assert.equal(
      applyTransform(parseTransform("bucket[16]"), Types.string, "iceberg"),
      (h & 0x7fffffff) % 16,
    );
    const neg = bucketHash(Types.long, isoTimestampToEpoch("2017-11-16T22:31:08", "micros"));
    assert.ok(neg < 0);
    const b = applyTransform(
      parseTransform("bucket[7]"),
      Types.timestamp,
      isoTimestampToEpoch("2017-11-16T22:31:08", "micros"),
    );
    assert.equal(b, (neg & 0x7fffffff) % 7);
  });
});

describe("truncate (spec Truncate Transform Details)", () => {
  it("int and long remainders are positive", () => {
    assert.equal(truncateValue(Types.int, 1, 10), 0);
    assert.equal(truncateValue(Types.int, -1, 10), -10);
    assert.equal(truncateValue(Types.long, -1n, 10), -10n);
  });
  it("decimal uses the unscaled value", () => {
    assert.equal(truncateValue(decimalType(9, 2), 1065n, 50), 1050n);
  });
  it("string truncates to code points, binary to bytes", () => {
    assert.equal(truncateValue(Types.string, "iceberg", 3), "ice");
    assert.equal(truncateValue(Types.string, "😀😀😀", 2), "😀😀");
    assert.deepEqual(truncateValue(Types.binary, Uint8Array.of(1, 2, 3, 4, 5), 3), Uint8Array.of(1, 2, 3));
  });
});

describe("temporal transforms", () => {
  const ts = isoTimestampToEpoch("2017-11-16T22:31:08", "micros");
  it("year, month, day, hour of a timestamp", () => {
    assert.equal(applyTransform({ kind: "year" }, Types.timestamp, ts), 47);
    assert.equal(applyTransform({ kind: "month" }, Types.timestamp, ts), 47 * 12 + 10);
    assert.equal(applyTransform({ kind: "day" }, Types.timestamp, ts), isoDateToDays("2017-11-16"));
    assert.equal(
      applyTransform({ kind: "hour" }, Types.timestamp, ts),
      isoDateToDays("2017-11-16") * 24 + 22,
    );
  });
  it("values before the epoch floor towards negative infinity", () => {
    const before = isoTimestampToEpoch("1969-12-31T23:59:59.999999", "micros");
    assert.equal(applyTransform({ kind: "day" }, Types.timestamp, before), -1);
    assert.equal(applyTransform({ kind: "hour" }, Types.timestamp, before), -1);
    assert.equal(applyTransform({ kind: "month" }, Types.timestamp, before), -1);
    assert.equal(applyTransform({ kind: "year" }, Types.timestamp, before), -1);
  });
  it("renders human strings like Iceberg Java", () => {
    assert.equal(toHumanString({ kind: "month" }, Types.timestamp, 47 * 12 + 10), "2017-11");
    assert.equal(
      toHumanString({ kind: "hour" }, Types.timestamp, isoDateToDays("2017-11-16") * 24 + 22),
      "2017-11-16-22",
    );
    assert.equal(toHumanString({ kind: "day" }, Types.date, 0), "1970-01-01");
    assert.equal(toHumanString({ kind: "identity" }, Types.string, null), "null");
  });
  it("void yields null and null yields null", () => {
    assert.equal(applyTransform({ kind: "void" }, Types.int, 5), null);
    assert.equal(applyTransform({ kind: "bucket", numBuckets: 4 }, Types.int, null), null);
  });
});
