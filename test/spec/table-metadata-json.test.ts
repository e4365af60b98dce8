import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseTableMetadata, serializeTableMetadata } from "../../src/spec/codec/table-metadata-json.js";
import { currentSchema, currentSnapshot } from "../../src/spec/table-metadata.js";

// The reference implementation's own valid and invalid metadata files (apache/iceberg core test resources).
const DIR = join(import.meta.dirname, "../../../shared/data/iceberg/spec-metadata-examples");
const skip = existsSync(DIR)
  ? false
  : "../shared/data/iceberg/spec-metadata-examples is absent (a user's clone has no ../shared)";
const read = (name: string) => readFileSync(join(DIR, name), "utf8");

describe("table metadata JSON (spec Appendix C)", { skip }, () => {
  it("parses v2 with 64-bit snapshot ids exactly and round-trips", () => {
    const text = read("TableMetadataV2Valid.json");
    const md = parseTableMetadata(text);
    assert.equal(md.formatVersion, 2);
    const raw = /"current-snapshot-id"\s*:\s*(\d+)/.exec(text)![1]!;
    assert.equal(md.currentSnapshotId, BigInt(raw));
    assert.equal(currentSnapshot(md)?.snapshotId, BigInt(raw));
    const again = parseTableMetadata(serializeTableMetadata(md));
    assert.equal(serializeTableMetadata(again), serializeTableMetadata(md));
    assert.equal(again.snapshots.length, md.snapshots.length);
  });

  it("upgrades v1 schema and partition-spec to list forms", () => {
    const md = parseTableMetadata(read("TableMetadataV1Valid.json"));
    assert.equal(md.formatVersion, 1);
    assert.equal(md.schemas.length, 1);
    assert.equal(md.partitionSpecs[0]!.fields[0]!.fieldId, 1000);
    assert.equal(md.lastSequenceNumber, 0n);
    const out = JSON.parse(serializeTableMetadata(md));
    assert.ok(out.schema, "v1 output keeps the deprecated schema field");
    assert.ok(out["partition-spec"], "v1 output keeps the deprecated partition-spec field");
    assert.equal(
      serializeTableMetadata(parseTableMetadata(serializeTableMetadata(md))),
      serializeTableMetadata(md),
    );
  });

  it("accepts a v1 schema without type", () => {
    assert.equal(
      currentSchema(parseTableMetadata(read("TableMetadataV1MissingSchemaType.json"))).fields.length > 0,
      true,
    );
  });

  it("reads v3 defaults and next-row-id", () => {
    const md = parseTableMetadata(read("TableMetadataV3ValidMinimal.json"));
    assert.equal(md.nextRowId, 0n);
    assert.equal(currentSchema(md).fields[0]!.initialDefault, 1n);
    assert.equal(
      serializeTableMetadata(parseTableMetadata(serializeTableMetadata(md))),
      serializeTableMetadata(md),
    );
  });

  it("reads statistics and partition statistics", () => {
    assert.equal(parseTableMetadata(read("TableMetadataStatisticsFiles.json")).statistics.length, 1);
    assert.equal(
      parseTableMetadata(read("TableMetadataPartitionStatisticsFiles.json")).partitionStatistics.length,
      1,
    );
  });

  const invalid: [string, RegExp][] = [
    ["TableMetadataUnsupportedVersion.json", /unsupported table format version 42/],
    ["TableMetadataV2CurrentSchemaNotFound.json", /current-schema-id/],
    ["TableMetadataV2MissingLastPartitionId.json", /last-partition-id/],
    ["TableMetadataV2MissingPartitionSpecs.json", /partition-specs/],
    ["TableMetadataV2MissingSchemas.json", /schemas/],
    ["TableMetadataV2MissingSortOrder.json", /sort-orders/],
  ];
  for (const [file, message] of invalid) {
    it(`rejects ${file} naming the field`, () =>
      assert.throws(() => parseTableMetadata(read(file)), message));
  }
});
