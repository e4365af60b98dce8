import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ValidationError } from "../../src/errors.js";
import {
  parseViewMetadata,
  serializeViewMetadata,
  viewUpdateFromJson,
} from "../../src/spec/codec/view-metadata-json.js";
import { Schema } from "../../src/spec/schema.js";
import { Types } from "../../src/spec/types.js";
import { applyViewUpdates, currentViewSchema, currentViewVersion } from "../../src/spec/view-metadata.js";
import { shared, sharedSkip } from "../helpers/shared.js";

const SUB = "data/iceberg/spec-metadata-examples";
const read = (name: string) => readFileSync(shared(SUB, name), "utf8");

describe("view metadata JSON (Iceberg view spec)", { skip: sharedSkip(SUB) }, () => {
  it("parses the reference implementation's valid view metadata and round-trips it", () => {
    const md = parseViewMetadata(read("ValidViewMetadata.json"));
    assert.equal(md.viewUuid, "fa6506c3-7681-40c8-86dc-e36561f83385");
    assert.equal(md.currentVersionId, 2);
    assert.equal(currentViewVersion(md).representations[0]!.sql, "select 1 id, 'abc' data");
    assert.deepEqual(
      currentViewSchema(md).fields.map((f) => f.name),
      ["x", "y", "z"],
    );
    assert.equal(md.versionLog.length, 2);
    assert.equal(
      serializeViewMetadata(parseViewMetadata(serializeViewMetadata(md))),
      serializeViewMetadata(md),
    );
  });

  for (const [file, field] of [
    ["ViewMetadataInvalidCurrentSchema.json", "versions"],
    ["ViewMetadataInvalidCurrentVersion.json", "current-version-id"],
    ["ViewMetadataMissingCurrentVersion.json", "current-version-id"],
    ["ViewMetadataMissingLocation.json", "location"],
    ["ViewMetadataMultipleSQLsForDialect.json", "representations"],
  ] as const) {
    it(`rejects ${file}, naming ${field}`, () => {
      assert.throws(
        () => parseViewMetadata(read(file)),
        (e: Error) => e.message.includes(field),
      );
    });
  }
});

describe("applyViewUpdates", () => {
  const schema = new Schema(7, [{ id: 1, name: "id", required: true, type: Types.long }]);
  const version = (sql: string, dialect = "trino") => ({
    versionId: 1,
    schemaId: -1,
    timestampMs: 1000,
    summary: { engine: "test" },
    representations: [{ type: "sql" as const, sql, dialect }],
    defaultNamespace: ["ns"],
  });
  const create = () =>
    applyViewUpdates(undefined, [
      { action: "assign-uuid", uuid: "0190f4f0-0000-7000-8000-000000000001" },
      { action: "set-location", location: "file:///w/ns/v/" },
      { action: "add-schema", schema },
      { action: "add-view-version", viewVersion: version("SELECT 1 AS id") },
      { action: "set-current-view-version", viewVersionId: -1 },
    ]);

  it("creates a view: schema ids renumbered from 0, version 1, one log entry", () => {
    const md = create();
    assert.equal(md.location, "file:///w/ns/v");
    assert.equal(md.schemas[0]!.schemaId, 0);
    assert.equal(md.currentVersionId, 1);
    assert.equal(currentViewVersion(md).schemaId, 0);
    assert.deepEqual(md.versionLog, [{ versionId: 1, timestampMs: 1000 }]);
  });

  it("replaces a view with a new version and reuses an equivalent older one", () => {
    const v1 = create();
    const v2 = applyViewUpdates(
      v1,
      [
        { action: "add-schema", schema },
        { action: "add-view-version", viewVersion: version("SELECT 2 AS id") },
        { action: "set-current-view-version", viewVersionId: -1 },
      ],
      2000,
    );
    assert.equal(v2.currentVersionId, 2);
    assert.equal(v2.schemas.length, 1, "an identical schema is reused");
    const back = applyViewUpdates(
      v2,
      [
        { action: "add-view-version", viewVersion: { ...version("SELECT 1 AS id"), schemaId: 0 } },
        { action: "set-current-view-version", viewVersionId: -1 },
      ],
      3000,
    );
    assert.equal(back.versions.length, 2, "equivalent version is not added twice");
    assert.equal(back.currentVersionId, 1);
    assert.deepEqual(back.versionLog.at(-1), { versionId: 1, timestampMs: 3000 });
  });

  it("refuses two representations of one dialect, unknown versions and a UUID change", () => {
    const v1 = create();
    assert.throws(
      () =>
        applyViewUpdates(v1, [
          {
            action: "add-view-version",
            viewVersion: {
              ...version("a"),
              schemaId: 0,
              representations: [
                { type: "sql", sql: "a", dialect: "trino" },
                { type: "sql", sql: "b", dialect: "TRINO" },
              ],
            },
          },
        ]),
      /multiple queries for dialect trino/,
    );
    assert.throws(
      () => applyViewUpdates(v1, [{ action: "set-current-view-version", viewVersionId: 9 }]),
      ValidationError,
    );
    assert.throws(() => applyViewUpdates(v1, [{ action: "assign-uuid", uuid: "other" }]), /UUID/);
  });

  it("keeps version.history.num-entries versions", () => {
    let md = applyViewUpdates(create(), [
      { action: "set-properties", updates: { "version.history.num-entries": "2" } },
    ]);
    for (let i = 2; i <= 4; i++)
      md = applyViewUpdates(md, [
        { action: "add-view-version", viewVersion: { ...version(`SELECT ${i} AS id`), schemaId: 0 } },
        { action: "set-current-view-version", viewVersionId: -1 },
      ]);
    assert.deepEqual(
      md.versions.map((v) => v.versionId),
      [3, 4],
    );
  });

  it("decodes updates naming the path of a bad field", () => {
    assert.throws(
      () => viewUpdateFromJson({ action: "add-view-version" }, "updates[3]"),
      /updates\[3\]\.view-version/,
    );
    assert.throws(() => viewUpdateFromJson({ action: "frobnicate" }, "updates[0]"), /updates\[0\]\.action/);
  });
});
