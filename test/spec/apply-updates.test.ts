import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CommitFailedError, ValidationError } from "../../src/errors.js";
import { applyUpdates } from "../../src/spec/apply-updates.js";
import { newTableMetadata } from "../../src/spec/new-table-metadata.js";
import { Schema } from "../../src/spec/schema.js";
import type { Snapshot } from "../../src/spec/snapshot.js";
import { currentSchema, snapshotAsOf } from "../../src/spec/table-metadata.js";
import { checkRequirements } from "../../src/spec/table-requirement.js";
import { parseTransform } from "../../src/spec/transform.js";
import { Types } from "../../src/spec/types.js";

const base = newTableMetadata(
  {
    schema: new Schema(0, [
      { id: 7, name: "id", required: true, type: Types.long },
      {
        id: 9,
        name: "tags",
        required: false,
        type: { kind: "list", elementId: 3, elementRequired: false, element: Types.string },
      },
    ]),
    spec: {
      specId: 0,
      fields: [{ sourceId: 7, fieldId: 1000, name: "id_bucket", transform: parseTransform("bucket[4]") }],
    },
    location: "file:///w/t",
  },
  1_000,
);

const snap = (id: bigint, seq: bigint, parent?: bigint, ts = 2_000): Snapshot => ({
  snapshotId: id,
  parentSnapshotId: parent,
  sequenceNumber: seq,
  timestampMs: ts,
  manifestList: `snap-${id}.avro`,
  summary: { operation: "append" },
});

describe("new table metadata", () => {
  it("assigns fresh ids depth-first and remaps the spec's source ids", () => {
    const s = currentSchema(base);
    assert.deepEqual(
      s.allFields().map((f) => [f.path, f.field.id]),
      [
        ["id", 1],
        ["tags", 2],
        ["tags.element", 3],
      ],
    );
    assert.equal(base.lastColumnId, 3);
    assert.equal(base.partitionSpecs[0]!.fields[0]!.sourceId, 1);
    assert.equal(base.lastPartitionId, 1000);
    assert.equal(base.formatVersion, 2);
  });
});

describe("applyUpdates (Iceberg Java TableMetadata.Builder semantics)", () => {
  it("adds a snapshot, moves main, and logs it", () => {
    const md = applyUpdates(
      base,
      [
        { action: "add-snapshot", snapshot: snap(11n, 1n) },
        { action: "set-snapshot-ref", refName: "main", snapshotId: 11n, type: "branch" },
      ],
      { previousMetadataLocation: "v0.json", nowMs: 3_000 },
    );
    assert.equal(md.currentSnapshotId, 11n);
    assert.equal(md.lastSequenceNumber, 1n);
    assert.deepEqual(md.snapshotLog, [{ snapshotId: 11n, timestampMs: 2_000 }]);
    assert.deepEqual(md.metadataLog, [{ metadataFile: "v0.json", timestampMs: 1_000 }]);
    assert.equal(snapshotAsOf(md, 2_500)?.snapshotId, 11n);
    assert.equal(snapshotAsOf(md, 1_500), undefined);
  });
  it("rejects a sequence number that does not advance", () => {
    const md = applyUpdates(base, [{ action: "add-snapshot", snapshot: snap(11n, 1n) }]);
    assert.throws(
      () => applyUpdates(md, [{ action: "add-snapshot", snapshot: snap(12n, 1n, 11n) }]),
      ValidationError,
    );
  });
  it("reuses an identical schema and resolves -1 to the last added", () => {
    const s = currentSchema(base);
    const same = applyUpdates(base, [
      { action: "add-schema", schema: s.withSchemaId(5) },
      { action: "set-current-schema", schemaId: -1 },
    ]);
    assert.equal(same.schemas.length, 1);
    const added = applyUpdates(base, [
      {
        action: "add-schema",
        schema: new Schema(0, [...s.fields, { id: 4, name: "x", required: false, type: Types.int }]),
        lastColumnId: 4,
      },
      { action: "set-current-schema", schemaId: -1 },
    ]);
    assert.equal(added.currentSchemaId, 1);
    assert.equal(added.lastColumnId, 4);
  });
  it("refuses a partition spec over a missing column, naming it", () => {
    assert.throws(
      () =>
        applyUpdates(base, [
          {
            action: "add-spec",
            spec: {
              specId: 0,
              fields: [{ sourceId: 99, fieldId: 1001, name: "p", transform: parseTransform("identity") }],
            },
          },
        ]),
      /updates\[0\]\.spec\.fields\[0\]: cannot find source column 99/,
    );
  });
  it("keeps metadata-log within write.metadata.previous-versions-max", () => {
    let md = applyUpdates(base, [
      { action: "set-properties", updates: { "write.metadata.previous-versions-max": "2" } },
    ]);
    for (let i = 0; i < 5; i++)
      md = applyUpdates(md, [{ action: "set-properties", updates: { k: String(i) } }], {
        previousMetadataLocation: `v${i}.json`,
      });
    assert.deepEqual(
      md.metadataLog.map((e) => e.metadataFile),
      ["v3.json", "v4.json"],
    );
  });
  it("removing snapshots drops their refs and trims the snapshot log", () => {
    let md = applyUpdates(base, [
      { action: "add-snapshot", snapshot: snap(11n, 1n) },
      { action: "set-snapshot-ref", refName: "main", snapshotId: 11n, type: "branch" },
      { action: "add-snapshot", snapshot: snap(12n, 2n, 11n, 2_100) },
      { action: "set-snapshot-ref", refName: "main", snapshotId: 12n, type: "branch" },
      { action: "set-snapshot-ref", refName: "t1", snapshotId: 11n, type: "tag" },
    ]);
    md = applyUpdates(md, [{ action: "remove-snapshots", snapshotIds: [11n] }]);
    assert.equal(md.refs.t1, undefined);
    assert.deepEqual(
      md.snapshotLog.map((e) => e.snapshotId),
      [12n],
    );
  });
});

describe("commit requirements (REST TableRequirement)", () => {
  it("checks ref snapshot ids, schema ids and UUIDs with CommitFailedError", () => {
    assert.doesNotThrow(() =>
      checkRequirements(base, [{ type: "assert-ref-snapshot-id", ref: "main", snapshotId: null }]),
    );
    assert.throws(
      () => checkRequirements(base, [{ type: "assert-ref-snapshot-id", ref: "main", snapshotId: 5n }]),
      CommitFailedError,
    );
    assert.throws(
      () => checkRequirements(base, [{ type: "assert-current-schema-id", currentSchemaId: 3 }]),
      /current schema changed/,
    );
    assert.throws(
      () => checkRequirements(base, [{ type: "assert-table-uuid", uuid: "x" }]),
      /UUID does not match/,
    );
    assert.throws(() => checkRequirements(base, [{ type: "assert-create" }]), /already exists/);
  });
});
