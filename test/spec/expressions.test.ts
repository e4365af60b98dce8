import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toBytes } from "../../src/spec/conversions.js";
import { and, type BoundReference, type Expression, not, or } from "../../src/spec/expressions/expression.js";
import { inclusiveMetricsEvaluator } from "../../src/spec/expressions/inclusive-metrics-evaluator.js";
import { manifestEvaluator } from "../../src/spec/expressions/manifest-evaluator.js";
import { partitionEvaluator } from "../../src/spec/expressions/partition-evaluator.js";
import { projectInclusive } from "../../src/spec/expressions/projection.js";
import type { DataFile } from "../../src/spec/manifest-entry.js";
import type { ManifestFile } from "../../src/spec/manifest-file.js";
import { partitionType } from "../../src/spec/partition-spec.js";
import { Schema } from "../../src/spec/schema.js";
import { applyTransform, parseTransform } from "../../src/spec/transform.js";
import { Types } from "../../src/spec/types.js";
import { isoTimestampToEpoch } from "../../src/spec/values.js";

const id: BoundReference = { fieldId: 1, type: Types.long, name: "id" };
const ts: BoundReference = { fieldId: 2, type: Types.timestamp, name: "ts" };
const name: BoundReference = { fieldId: 3, type: Types.string, name: "name" };
const schema = new Schema(0, [
  { id: 1, name: "id", required: false, type: Types.long },
  { id: 2, name: "ts", required: false, type: Types.timestamp },
  { id: 3, name: "name", required: false, type: Types.string },
]);

function file(over: Partial<DataFile>): DataFile {
  return {
    content: 0,
    filePath: "f",
    fileFormat: "PARQUET",
    partition: [],
    recordCount: 10n,
    fileSizeInBytes: 1n,
    valueCounts: new Map([
      [1, 10n],
      [3, 10n],
    ]),
    nullValueCounts: new Map([
      [1, 0n],
      [3, 2n],
    ]),
    lowerBounds: new Map([
      [1, toBytes(Types.long, 10n)],
      [3, toBytes(Types.string, "apple")],
    ]),
    upperBounds: new Map([
      [1, toBytes(Types.long, 20n)],
      [3, toBytes(Types.string, "melon")],
    ]),
    ...over,
  };
}

describe("inclusive metrics evaluator (column bounds and counts)", () => {
  const f = file({});
  const cases: [string, Expression, boolean][] = [
    ["id = 15", { op: "eq", ref: id, value: 15n }, true],
    ["id = 25", { op: "eq", ref: id, value: 25n }, false],
    ["id < 10", { op: "lt", ref: id, value: 10n }, false],
    ["id <= 10", { op: "ltEq", ref: id, value: 10n }, true],
    ["id > 20", { op: "gt", ref: id, value: 20n }, false],
    ["id >= 20", { op: "gtEq", ref: id, value: 20n }, true],
    ["id IN (1, 2)", { op: "in", ref: id, values: [1n, 2n] }, false],
    ["id IN (1, 12)", { op: "in", ref: id, values: [1n, 12n] }, true],
    ["id IS NULL (no nulls)", { op: "isNull", ref: id }, false],
    ["name IS NULL (2 nulls)", { op: "isNull", ref: name }, true],
    ["name starts with 'b'", { op: "startsWith", ref: name, value: "b" }, true],
    ["name starts with 'z'", { op: "startsWith", ref: name, value: "z" }, false],
    ["id <> 15 (never prunes)", { op: "notEq", ref: id, value: 15n }, true],
    ["NOT id < 30 (rewritten to id >= 30)", not({ op: "lt", ref: id, value: 30n }), false],
    ["id = 25 OR id = 15", or({ op: "eq", ref: id, value: 25n }, { op: "eq", ref: id, value: 15n }), true],
    ["id = 25 AND name IS NULL", and({ op: "eq", ref: id, value: 25n }, { op: "isNull", ref: name }), false],
  ];
  for (const [label, e, expected] of cases)
    it(label, () => assert.equal(inclusiveMetricsEvaluator(e)(f), expected));
  it("keeps files whose metrics are missing", () => {
    assert.equal(inclusiveMetricsEvaluator({ op: "eq", ref: ts, value: 1n })(f), true);
  });
  it("prunes an all-null column for comparisons and NOT NULL", () => {
    const allNull = file({
      valueCounts: new Map([[1, 10n]]),
      nullValueCounts: new Map([[1, 10n]]),
      lowerBounds: new Map(),
      upperBounds: new Map(),
    });
    assert.equal(inclusiveMetricsEvaluator({ op: "notNull", ref: id })(allNull), false);
    assert.equal(inclusiveMetricsEvaluator({ op: "gt", ref: id, value: 0n })(allNull), false);
    assert.equal(inclusiveMetricsEvaluator({ op: "isNull", ref: id })(allNull), true);
  });
  it("skips empty files", () =>
    assert.equal(inclusiveMetricsEvaluator({ op: "true" })(file({ recordCount: 0n })), false));
});

describe("inclusive projection onto partition specs (spec Scan Planning)", () => {
  const spec = {
    specId: 0,
    fields: [
      { sourceId: 2, fieldId: 1000, name: "ts_day", transform: parseTransform("day") },
      { sourceId: 1, fieldId: 1001, name: "id_bucket", transform: parseTransform("bucket[16]") },
      { sourceId: 3, fieldId: 1002, name: "name_trunc", transform: parseTransform("truncate[2]") },
    ],
  };
  const ptype = partitionType(spec, schema);
  const t0 = isoTimestampToEpoch("2024-01-10T00:00:00", "micros");
  const day = (iso: string) =>
    applyTransform(parseTransform("day"), Types.timestamp, isoTimestampToEpoch(iso, "micros")) as number;
  const matches = (e: Expression, partition: (number | string | null)[]) =>
    partitionEvaluator(projectInclusive(e, spec, schema), ptype)(partition);

  it("ts > X keeps the day of X (rows just after X share it)", () => {
    const e: Expression = { op: "gt", ref: ts, value: t0 };
    assert.equal(matches(e, [day("2024-01-10T00:00:00"), 0, "ab"]), true);
    assert.equal(matches(e, [day("2024-01-09T00:00:00"), 0, "ab"]), false);
  });
  it("ts < midnight excludes that day (strict bound on a discrete domain)", () => {
    const e: Expression = { op: "lt", ref: ts, value: t0 };
    assert.equal(matches(e, [day("2024-01-10T00:00:00"), 0, "ab"]), false);
    assert.equal(matches(e, [day("2024-01-09T23:59:59"), 0, "ab"]), true);
  });
  it("id = v projects to the bucket of v; ranges do not prune buckets", () => {
    const b = applyTransform(parseTransform("bucket[16]"), Types.long, 42n) as number;
    assert.equal(matches({ op: "eq", ref: id, value: 42n }, [0, b, "ab"]), true);
    assert.equal(matches({ op: "eq", ref: id, value: 42n }, [0, (b + 1) % 16, "ab"]), false);
    assert.equal(matches({ op: "gt", ref: id, value: 42n }, [0, (b + 1) % 16, "ab"]), true);
  });
  it("startsWith projects through truncate", () => {
    assert.equal(matches({ op: "startsWith", ref: name, value: "abc" }, [0, 0, "ab"]), true);
    assert.equal(matches({ op: "startsWith", ref: name, value: "abc" }, [0, 0, "ac"]), false);
    assert.equal(matches({ op: "startsWith", ref: name, value: "a" }, [0, 0, "ac"]), true);
  });
  it("NOT over projected predicates is rewritten before projection", () => {
    assert.equal(
      matches(not({ op: "lt", ref: ts, value: t0 }), [day("2024-01-09T00:00:00"), 0, "ab"]),
      false,
    );
  });
});

describe("manifest evaluator (partition summaries)", () => {
  const spec = {
    specId: 0,
    fields: [{ sourceId: 1, fieldId: 1000, name: "id", transform: parseTransform("identity") }],
  };
  const ptype = partitionType(spec, schema);
  const manifest = (lo: bigint | undefined, hi: bigint | undefined, containsNull = false): ManifestFile => ({
    manifestPath: "m",
    manifestLength: 1n,
    partitionSpecId: 0,
    content: 0,
    sequenceNumber: 1n,
    minSequenceNumber: 1n,
    addedSnapshotId: 1n,
    partitions: [
      {
        containsNull,
        containsNan: false,
        lowerBound: lo === undefined ? undefined : toBytes(Types.long, lo),
        upperBound: hi === undefined ? undefined : toBytes(Types.long, hi),
      },
    ],
  });
  const ev = (e: Expression) => manifestEvaluator(projectInclusive(e, spec, schema), ptype);
  it("prunes by bounds", () => {
    assert.equal(ev({ op: "eq", ref: id, value: 5n })(manifest(10n, 20n)), false);
    assert.equal(ev({ op: "eq", ref: id, value: 15n })(manifest(10n, 20n)), true);
    assert.equal(ev({ op: "lt", ref: id, value: 10n })(manifest(10n, 20n)), false);
  });
  it("uses contains_null for IS NULL and all-null manifests for comparisons", () => {
    assert.equal(ev({ op: "isNull", ref: id })(manifest(10n, 20n, false)), false);
    assert.equal(ev({ op: "isNull", ref: id })(manifest(undefined, undefined, true)), true);
    assert.equal(ev({ op: "eq", ref: id, value: 1n })(manifest(undefined, undefined, true)), false);
    assert.equal(ev({ op: "notNull", ref: id })(manifest(undefined, undefined, true)), false);
  });
});
