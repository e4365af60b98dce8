import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readManifest, writeManifest } from "../../src/spec/avro/manifest-avro.js";
import { readManifestList, writeManifestList } from "../../src/spec/avro/manifest-list-avro.js";
import { type DataFile, ManifestEntryStatus } from "../../src/spec/manifest-entry.js";
import { partitionType } from "../../src/spec/partition-spec.js";
import { Schema } from "../../src/spec/schema.js";
import { parseTransform } from "../../src/spec/transform.js";
import { decimalType, Types } from "../../src/spec/types.js";
import { shared, sharedSkip } from "../helpers/shared.js";

const schema = new Schema(0, [
  { id: 1, name: "id", required: true, type: Types.long },
  { id: 2, name: "ts", required: false, type: Types.timestamp },
  { id: 3, name: "amount", required: false, type: decimalType(20, 4) },
]);
const spec = {
  specId: 0,
  fields: [
    { sourceId: 2, fieldId: 1000, name: "ts_day", transform: parseTransform("day") },
    { sourceId: 1, fieldId: 1001, name: "id-bucket", transform: parseTransform("bucket[8]") },
    { sourceId: 3, fieldId: 1002, name: "amount", transform: parseTransform("identity") },
  ],
};
const file: DataFile = {
  content: 0,
  filePath: "file:///w/t/data/a.parquet",
  fileFormat: "PARQUET",
  partition: [19723, 3, -123456789n],
  recordCount: 10n,
  fileSizeInBytes: 1234n,
  columnSizes: new Map([[1, 100n]]),
  valueCounts: new Map([[1, 10n]]),
  nullValueCounts: new Map([[1, 0n]]),
  lowerBounds: new Map([[1, Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0)]]),
  upperBounds: new Map([[1, Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0)]]),
  splitOffsets: [4n],
  sortOrderId: 0,
};

describe("manifest files (spec Manifests)", () => {
  for (const formatVersion of [1, 2]) {
    it(`round-trips a v${formatVersion} manifest with sanitized partition names and decimal values`, () => {
      const ptype = partitionType(spec, schema);
      const bytes = writeManifest([{ status: ManifestEntryStatus.ADDED, snapshotId: 77n, dataFile: file }], {
        formatVersion,
        schema,
        spec,
        partitionType: ptype,
        content: "data",
        snapshotId: 77n,
      });
      const back = readManifest(bytes, ptype, "test");
      assert.equal(back.metadata["format-version"], String(formatVersion));
      assert.equal(back.metadata["partition-spec-id"], "0");
      const e = back.entries[0]!;
      assert.equal(e.snapshotId, 77n);
      assert.deepEqual(e.dataFile.partition, file.partition);
      assert.equal(e.dataFile.recordCount, 10n);
      assert.deepEqual(e.dataFile.lowerBounds?.get(1), file.lowerBounds?.get(1));
      // The Avro schema carries the spec's field ids.
      const schemaJson = JSON.parse(readAvroSchema(bytes));
      const df = schemaJson.fields.find((f: { name: string }) => f.name === "data_file");
      assert.equal(df["field-id"], 2);
      assert.ok(
        df.type.fields.some(
          (f: { name: string; "field-id": number }) => f.name === "partition" && f["field-id"] === 102,
        ),
      );
      assert.ok(JSON.stringify(df.type).includes('"id_x2Dbucket"'));
    });
  }

  it("round-trips manifest lists with 64-bit ids", () => {
    const bytes = writeManifestList(
      [
        {
          manifestPath: "m.avro",
          manifestLength: 99n,
          partitionSpecId: 0,
          content: 0,
          sequenceNumber: 5n,
          minSequenceNumber: 3n,
          addedSnapshotId: 9223372036854775807n,
          addedFilesCount: 1,
          existingFilesCount: 0,
          deletedFilesCount: 0,
          addedRowsCount: 10n,
          existingRowsCount: 0n,
          deletedRowsCount: 0n,
          partitions: [
            {
              containsNull: false,
              containsNan: false,
              lowerBound: Uint8Array.of(1),
              upperBound: Uint8Array.of(2),
            },
          ],
        },
      ],
      { formatVersion: 2, snapshotId: 9223372036854775807n, sequenceNumber: 5n },
    );
    const [m] = readManifestList(bytes, "test");
    assert.equal(m!.addedSnapshotId, 9223372036854775807n);
    assert.equal(m!.minSequenceNumber, 3n);
    assert.deepEqual(m!.partitions?.[0]?.upperBound, Uint8Array.of(2));
  });
});

function readAvroSchema(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString("latin1");
  const start = text.indexOf('{"type":"record"');
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === "{") depth++;
    if (text[i] === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  throw new Error("no schema");
}

describe("manifests written by Spark and PyIceberg (../shared)", {
  skip: sharedSkip("data/iceberg/duckdb-iceberg"),
}, () => {
  it("reads every manifest list and manifest of the test tables", () => {
    const root = shared("data/iceberg/duckdb-iceberg");
    let lists = 0;
    let manifests = 0;
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".avro") && !e.name.startsWith(".")) {
          const bytes = readFileSync(p);
          if (/snap-|manifest-list/.test(e.name)) {
            const list = readManifestList(bytes, p);
            assert.ok(
              list.every((m) => m.manifestPath.length > 0 && typeof m.addedSnapshotId === "bigint"),
              p,
            );
            lists++;
          } else {
            const m = readManifest(bytes, { kind: "struct", fields: [] }, p);
            assert.ok(
              m.entries.every((x) => x.dataFile.filePath.length > 0 && x.dataFile.recordCount >= 0n),
              p,
            );
            manifests++;
          }
        }
      }
    };
    walk(root);
    assert.ok(lists > 40, `read ${lists} manifest lists`);
    assert.ok(manifests > 40, `read ${manifests} manifests`);
  });
});
