/**
 * Metadata validation of commits and creates (Iceberg Java `Schema`, `PartitionSpec.Builder`,
 * `SortOrder.Builder`, `TableMetadata.Builder`): each invalid change is refused with a 400 of
 * Java's error type naming the field, and a valid counterpart of it is accepted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../src/errors.js";
import { applyUpdates } from "../../src/spec/apply-updates.js";
import { type NewTableOptions, newTableMetadata } from "../../src/spec/new-table-metadata.js";
import type { PartitionField, PartitionSpec } from "../../src/spec/partition-spec.js";
import { Schema } from "../../src/spec/schema.js";
import type { SortOrder } from "../../src/spec/sort-order.js";
import { currentSchema, type TableMetadata } from "../../src/spec/table-metadata.js";
import type { TableUpdate } from "../../src/spec/table-update.js";
import { parseTransform } from "../../src/spec/transform.js";
import { type IcebergType, type NestedField, Types } from "../../src/spec/types.js";
import { validateSchema } from "../../src/spec/validate-schema.js";

const col = (id: number, name: string, type: IcebergType, required = false): NestedField => ({
  id,
  name,
  required,
  type,
});
const list = (elementId: number, element: IcebergType): IcebergType => ({
  kind: "list",
  elementId,
  elementRequired: false,
  element,
});
const map = (keyId: number, valueId: number, value: IcebergType = Types.string): IcebergType => ({
  kind: "map",
  keyId,
  key: Types.string,
  valueId,
  valueRequired: false,
  value,
});
const struct = (...fields: NestedField[]): IcebergType => ({ kind: "struct", fields });

/**
 * The table every case starts from (ids as the catalog assigns them: top level 1..10, then
 * nested): id, name, ts, d, price, loc (required struct), tags (list), props (map), amount,
 * opt (optional struct); loc.lat 11, loc.lon 12, tags.element 13, props.key 14,
 * props.value 15, opt.x 16.
 */
const base = newTableMetadata(
  {
    schema: new Schema(0, [
      col(1, "id", Types.long, true),
      col(2, "name", Types.string),
      col(3, "ts", Types.timestamp),
      col(4, "d", Types.date),
      col(5, "price", Types.double, true),
      col(6, "loc", struct(col(-1, "lat", Types.double, true), col(-2, "lon", Types.long, true)), true),
      col(7, "tags", list(-3, Types.string)),
      col(8, "props", map(-4, -5)),
      col(9, "amount", { kind: "decimal", precision: 9, scale: 2 }),
      col(10, "opt", struct(col(-6, "x", Types.int, true))),
    ]),
    spec: {
      specId: 0,
      fields: [{ sourceId: 3, fieldId: 1000, name: "ts_day", transform: parseTransform("day") }],
    },
    sortOrder: {
      orderId: 1,
      fields: [
        { sourceId: 1, transform: parseTransform("identity"), direction: "asc", nullOrder: "nulls-first" },
      ],
    },
    location: "file:///w/t",
  },
  1_000,
);
const cur = currentSchema(base);

/** `add-schema` of the base columns plus `extra`, made current. */
const addColumns = (extra: NestedField[], identifierFieldIds: number[] = []): TableUpdate[] => [
  { action: "add-schema", schema: new Schema(0, [...cur.fields, ...extra], identifierFieldIds) },
  { action: "set-current-schema", schemaId: -1 },
];
const withIdentifiers = (ids: number[]): TableUpdate[] => addColumns([], ids);
const pf = (sourceId: number, name: string, transform: string, fieldId = 1001): PartitionField => ({
  sourceId,
  fieldId,
  name,
  transform: parseTransform(transform),
});
const addSpec = (...fields: PartitionField[]): TableUpdate[] => [
  { action: "add-spec", spec: { specId: 0, fields } },
  { action: "set-default-spec", specId: -1 },
];
const sortBy = (sourceId: number, transform = "identity"): SortOrder => ({
  orderId: 1,
  fields: [{ sourceId, transform: parseTransform(transform), direction: "desc", nullOrder: "nulls-last" }],
});
const addOrder = (sourceId: number, transform?: string): TableUpdate[] => [
  { action: "add-sort-order", sortOrder: sortBy(sourceId, transform) },
  { action: "set-default-sort-order", sortOrderId: -1 },
];

type RestType = "IllegalArgumentException" | "ValidationException";
/** An invalid change, what it must be refused with, and a valid counterpart. */
interface Case {
  readonly name: string;
  readonly invalid: readonly TableUpdate[];
  readonly type: RestType;
  readonly message: RegExp;
  readonly valid: readonly TableUpdate[];
  readonly on?: TableMetadata;
}

const v3Upgrade: TableUpdate = { action: "upgrade-format-version", formatVersion: 3 };

const cases: Case[] = [
  // --- schemas: field ids
  {
    name: "two columns with one id",
    invalid: addColumns([col(17, "a", Types.int), col(17, "b", Types.int)]),
    type: "IllegalArgumentException",
    message: /^updates\[0\]\.schema: field id 17 is used by both 'a' and 'b'$/,
    valid: addColumns([col(17, "a", Types.int), col(18, "b", Types.int)]),
  },
  {
    name: "a new column reusing an existing column's id",
    invalid: addColumns([col(2, "b", Types.int)]),
    type: "IllegalArgumentException",
    message: /field id 2 is used by both 'name' and 'b'/,
    valid: addColumns([col(17, "b", Types.int)]),
  },
  {
    name: "a negative field id",
    invalid: addColumns([col(-1, "a", Types.int)]),
    type: "IllegalArgumentException",
    message: /updates\[0\]\.schema: field 'a' has id -1; field ids must be positive/,
    valid: addColumns([col(17, "a", Types.int)]),
  },
  {
    name: "a zero field id",
    invalid: addColumns([col(0, "a", Types.int)]),
    type: "IllegalArgumentException",
    message: /field 'a' has id 0; field ids must be positive/,
    valid: addColumns([col(1_000_000, "a", Types.int)]),
  },
  {
    name: "a field id in the reserved metadata range",
    invalid: addColumns([col(2147483646, "a", Types.int)]),
    type: "IllegalArgumentException",
    message: /field 'a' has id 2147483646, in the range reserved for metadata columns/,
    valid: addColumns([col(2147483447, "a", Types.int)]),
  },
  {
    name: "a fractional field id",
    invalid: addColumns([col(17.5, "a", Types.int)]),
    type: "IllegalArgumentException",
    message: /field 'a' has id 17\.5, which is not an integer/,
    valid: addColumns([col(17, "a", Types.int)]),
  },
  {
    name: "a list element id equal to a column id",
    invalid: addColumns([col(17, "l", list(1, Types.int))]),
    type: "IllegalArgumentException",
    message: /field id 1 is used by both 'id' and 'l\.element'/,
    valid: addColumns([col(17, "l", list(18, Types.int))]),
  },
  {
    name: "a map key id equal to a column id",
    invalid: addColumns([col(17, "m", map(5, 18))]),
    type: "IllegalArgumentException",
    message: /field id 5 is used by both 'price' and 'm\.key'/,
    valid: addColumns([col(17, "m", map(19, 18))]),
  },
  {
    name: "a map value id equal to its key id",
    invalid: addColumns([col(17, "m", map(18, 18))]),
    type: "IllegalArgumentException",
    message: /field id 18 is used by both 'm\.key' and 'm\.value'/,
    valid: addColumns([col(17, "m", map(18, 19))]),
  },
  {
    name: "a nested struct field id equal to its parent's",
    invalid: addColumns([col(17, "s", struct(col(17, "inner", Types.int)))]),
    type: "IllegalArgumentException",
    message: /field id 17 is used by both 's' and 's\.inner'/,
    valid: addColumns([col(17, "s", struct(col(18, "inner", Types.int)))]),
  },
  {
    name: "an id inside a map value's list colliding with a list element id",
    invalid: addColumns([col(17, "m", map(18, 19, list(20, Types.int))), col(21, "l", list(20, Types.int))]),
    type: "IllegalArgumentException",
    message: /field id 20 is used by both 'm\.value\.element' and 'l\.element'/,
    valid: addColumns([col(17, "m", map(18, 19, list(20, Types.int))), col(21, "l", list(22, Types.int))]),
  },
  // --- schemas: names
  {
    name: "two top-level columns of one name",
    invalid: addColumns([col(17, "name", Types.int)]),
    type: "ValidationException",
    message: /updates\[0\]\.schema: multiple fields for name 'name': ids 2 and 17/,
    // Names are case-sensitive, as in Iceberg Java.
    valid: addColumns([col(17, "Name", Types.int)]),
  },
  {
    name: "two fields of one name in a nested struct",
    invalid: addColumns([col(17, "s", struct(col(18, "a", Types.int), col(19, "a", Types.long)))]),
    type: "ValidationException",
    message: /multiple fields for name 's\.a': ids 18 and 19/,
    valid: addColumns([col(17, "s", struct(col(18, "a", Types.int), col(19, "b", Types.long)))]),
  },
  {
    name: "a dotted column name equal to a nested field's full name",
    invalid: addColumns([col(17, "loc.lat", Types.int)]),
    type: "ValidationException",
    message: /multiple fields for name 'loc\.lat': ids 11 and 17/,
    valid: addColumns([col(17, "loc_lat", Types.int)]),
  },
  // --- schemas: identifier fields
  {
    name: "an identifier field id that does not exist",
    invalid: withIdentifiers([99]),
    type: "IllegalArgumentException",
    message:
      /updates\[0\]\.schema\.identifier-field-ids: cannot add field id 99 as an identifier field: field does not exist/,
    valid: withIdentifiers([1]),
  },
  {
    name: "an optional identifier field",
    invalid: withIdentifiers([2]),
    type: "IllegalArgumentException",
    message: /cannot add field 'name' as an identifier field: not a required field/,
    valid: addColumns([col(17, "code", Types.string, true)], [17]),
  },
  {
    name: "a double identifier field",
    invalid: withIdentifiers([5]),
    type: "IllegalArgumentException",
    message: /cannot add field 'price' as an identifier field: must not be float or double field/,
    valid: withIdentifiers([1]),
  },
  {
    name: "a float identifier field",
    invalid: addColumns([col(17, "f", Types.float, true)], [17]),
    type: "IllegalArgumentException",
    message: /cannot add field 'f' as an identifier field: must not be float or double field/,
    valid: addColumns([col(17, "f", Types.int, true)], [17]),
  },
  {
    name: "a struct identifier field",
    invalid: withIdentifiers([6]),
    type: "IllegalArgumentException",
    message: /cannot add field 'loc' as an identifier field: not a primitive type field/,
    // A required primitive inside a required struct is fine.
    valid: withIdentifiers([12]),
  },
  {
    name: "an identifier field inside a list",
    invalid: addColumns([col(17, "l", { ...list(18, struct(col(19, "k", Types.int, true))) }, true)], [19]),
    type: "IllegalArgumentException",
    message: /cannot add field 'l\.element\.k' as an identifier field: must not be nested in list 'l'/,
    valid: addColumns([col(17, "s", struct(col(19, "k", Types.int, true)), true)], [19]),
  },
  {
    name: "an identifier field inside a map value",
    invalid: addColumns([col(17, "m", map(18, 19, struct(col(20, "k", Types.int, true))), true)], [20]),
    type: "IllegalArgumentException",
    message: /cannot add field 'm\.value\.k' as an identifier field: must not be nested in map 'm'/,
    valid: addColumns([col(17, "m", map(18, 19, struct(col(20, "k", Types.int, true))), true)], [1]),
  },
  {
    name: "an identifier field inside an optional struct",
    invalid: withIdentifiers([16]),
    type: "IllegalArgumentException",
    message:
      /cannot add field 'opt\.x' as an identifier field: must not be nested in an optional field 'opt'/,
    valid: withIdentifiers([1, 12]),
  },
  // --- schemas: format version
  {
    name: "a timestamp_ns column in a v2 table",
    invalid: addColumns([col(17, "tn", Types.timestampNs)]),
    type: "IllegalArgumentException",
    message: /invalid type for tn: timestamp_ns is not supported until v3 \(table is v2\)/,
    valid: [v3Upgrade, ...addColumns([col(17, "tn", Types.timestampNs)])],
  },
  {
    name: "a variant field nested in a v2 table",
    invalid: addColumns([col(17, "s", struct(col(18, "v", Types.variant)))]),
    type: "IllegalArgumentException",
    message: /invalid type for s\.v: variant is not supported until v3/,
    valid: [v3Upgrade, ...addColumns([col(17, "s", struct(col(18, "v", Types.variant)))])],
  },
  {
    name: "an initial default in a v2 table",
    invalid: addColumns([{ ...col(17, "n", Types.int), initialDefault: 7 }]),
    type: "IllegalArgumentException",
    message: /invalid initial default for n: non-null default is not supported until v3/,
    valid: [v3Upgrade, ...addColumns([{ ...col(17, "n", Types.int), initialDefault: 7 }])],
  },
  // --- partition specs: transforms
  {
    name: "bucket[0]",
    invalid: [{ action: "set-properties", updates: {} }, ...addSpec(pf(1, "id_bucket", "bucket[0]"))],
    type: "IllegalArgumentException",
    message:
      /^updates\[1\]\.spec\.fields\[0\]\.transform: bucket\[0\]: invalid number of buckets 0 \(must be > 0\)$/,
    valid: addSpec(pf(1, "id_bucket", "bucket[16]")),
  },
  {
    name: "truncate[0]",
    invalid: addSpec(pf(2, "name_trunc", "truncate[0]")),
    type: "IllegalArgumentException",
    message:
      /updates\[0\]\.spec\.fields\[0\]\.transform: truncate\[0\]: invalid truncate width 0 \(must be > 0\)/,
    valid: addSpec(pf(2, "name_trunc", "truncate[4]")),
  },
  {
    name: "a bucket count beyond an int",
    invalid: addSpec(pf(1, "id_bucket", "bucket[3000000000]")),
    type: "IllegalArgumentException",
    message: /number of buckets 3000000000 does not fit an int/,
    valid: addSpec(pf(1, "id_bucket", "bucket[2147483647]")),
  },
  {
    name: "year on a string",
    invalid: addSpec(pf(2, "name_year", "year")),
    type: "ValidationException",
    message:
      /updates\[0\]\.spec\.fields\[0\]: partition field 'name_year' on column 'name': invalid source type string for transform year/,
    valid: addSpec(pf(3, "ts_year", "year")),
  },
  {
    name: "hour on a date",
    invalid: addSpec(pf(4, "d_hour", "hour")),
    type: "ValidationException",
    message: /invalid source type date for transform hour/,
    valid: addSpec(pf(3, "ts_hour", "hour")),
  },
  {
    name: "day on a long",
    invalid: addSpec(pf(1, "id_day", "day")),
    type: "ValidationException",
    message: /invalid source type long for transform day/,
    valid: addSpec(pf(4, "d_day", "day")),
  },
  {
    name: "bucket on a double",
    invalid: addSpec(pf(5, "price_bucket", "bucket[4]")),
    type: "ValidationException",
    message: /invalid source type double for transform bucket\[4\]/,
    valid: addSpec(pf(9, "amount_bucket", "bucket[4]")),
  },
  {
    name: "truncate on a date",
    invalid: addSpec(pf(4, "d_trunc", "truncate[2]")),
    type: "ValidationException",
    message: /invalid source type date for transform truncate\[2\]/,
    valid: addSpec(pf(9, "amount_trunc", "truncate[2]")),
  },
  {
    name: "identity on a struct",
    invalid: addSpec(pf(6, "loc_part", "identity")),
    type: "ValidationException",
    message: /partition field 'loc_part' on column 'loc': cannot apply identity to non-primitive struct/,
    // A field of a struct may be a source.
    valid: addSpec(pf(12, "loc_lon", "identity")),
  },
  {
    name: "identity on a list element",
    invalid: addSpec(pf(13, "tag", "identity")),
    type: "ValidationException",
    message: /source column 'tags\.element' inside list 'tags'; only struct parents are allowed/,
    // void accepts any source, as Java's VoidTransform does.
    valid: addSpec(pf(13, "tag", "void")),
  },
  {
    name: "a partition source column that does not exist",
    invalid: addSpec(pf(99, "gone", "identity")),
    type: "ValidationException",
    message: /updates\[0\]\.spec\.fields\[0\]: cannot find source column 99 for partition field 'gone'/,
    // A void field over a dropped column stays valid (v1 partition evolution).
    valid: addSpec(pf(99, "gone", "void")),
  },
  {
    name: "an unknown transform on a missing column",
    invalid: addSpec(pf(99, "z", "zorder")),
    type: "ValidationException",
    message: /cannot find source column 99 for partition field 'z' \(zorder\)/,
    // The spec keeps unknown transforms (readers ignore them); Java accepts them too.
    valid: addSpec(pf(1, "z", "zorder")),
  },
  // --- partition specs: names and field ids
  {
    name: "two partition fields of one name",
    invalid: addSpec(pf(1, "p", "bucket[2]", 1001), pf(2, "p", "truncate[2]", 1002)),
    type: "IllegalArgumentException",
    message: /updates\[0\]\.spec\.fields\[1\]\.name: cannot use partition name more than once: p/,
    valid: addSpec(pf(1, "p1", "bucket[2]", 1001), pf(2, "p2", "truncate[2]", 1002)),
  },
  {
    name: "an empty partition name",
    invalid: addSpec(pf(1, "", "bucket[2]")),
    type: "IllegalArgumentException",
    message: /updates\[0\]\.spec\.fields\[0\]\.name: cannot use empty partition name/,
    valid: addSpec(pf(1, "b", "bucket[2]")),
  },
  {
    name: "a partition named after another column",
    invalid: addSpec(pf(1, "name", "bucket[2]")),
    type: "IllegalArgumentException",
    message: /partition name 'name' is the name of schema column id 2, not of its source column id 1/,
    // Its own source column's name is allowed, for any transform (Java's Builder.add).
    valid: addSpec(pf(3, "ts", "day"), pf(1, "id", "identity", 1002)),
  },
  {
    name: "two partition fields with one field id",
    invalid: addSpec(pf(1, "a", "bucket[2]", 1001), pf(2, "b", "truncate[2]", 1001)),
    type: "IllegalArgumentException",
    message: /updates\[0\]\.spec\.fields\[1\]\.field-id: partition field id 1001 is used by both 'a' and 'b'/,
    valid: addSpec(pf(1, "a", "bucket[2]", 1001), pf(2, "b", "truncate[2]", 1002)),
  },
  // --- sort orders
  {
    name: "a sort order on a missing column",
    invalid: addOrder(99),
    type: "ValidationException",
    message:
      /updates\[0\]\.sort-order\.fields\[0\]: cannot find source column 99 for sort field identity\(99\)/,
    valid: addOrder(2),
  },
  {
    name: "a sort order with bucket[0]",
    invalid: addOrder(1, "bucket[0]"),
    type: "IllegalArgumentException",
    message: /updates\[0\]\.sort-order\.fields\[0\]\.transform: bucket\[0\]: invalid number of buckets 0/,
    valid: addOrder(1, "bucket[4]"),
  },
  {
    name: "a sort order on a map",
    invalid: addOrder(8),
    type: "ValidationException",
    message: /sort field on column 'props': cannot apply identity to non-primitive map/,
    valid: addOrder(14),
  },
  {
    name: "a sort order by hour of a date",
    invalid: addOrder(4, "hour"),
    type: "ValidationException",
    message: /sort field on column 'd': invalid source type date for transform hour/,
    valid: addOrder(4, "day"),
  },
  // --- current / default ids and format version
  {
    name: "set-current-schema to an unknown schema",
    invalid: [{ action: "set-current-schema", schemaId: 7 }],
    type: "IllegalArgumentException",
    message: /updates\[0\] \(set-current-schema\): no schema with id 7/,
    valid: [{ action: "set-current-schema", schemaId: 0 }],
  },
  {
    name: "set-current-schema -1 without an added schema",
    invalid: [{ action: "set-current-schema", schemaId: -1 }],
    type: "IllegalArgumentException",
    message: /no schema was added in this commit \(-1\)/,
    valid: addColumns([col(17, "a", Types.int)]),
  },
  {
    name: "set-default-spec to an unknown spec",
    invalid: [{ action: "set-default-spec", specId: 3 }],
    type: "IllegalArgumentException",
    message: /no partition spec with id 3/,
    valid: [{ action: "set-default-spec", specId: 0 }],
  },
  {
    name: "set-default-sort-order to an unknown order",
    invalid: [{ action: "set-default-sort-order", sortOrderId: 5 }],
    type: "IllegalArgumentException",
    message: /no sort order with id 5/,
    valid: [{ action: "set-default-sort-order", sortOrderId: 1 }],
  },
  {
    name: "a format version downgrade",
    invalid: [{ action: "upgrade-format-version", formatVersion: 1 }],
    type: "IllegalArgumentException",
    message: /cannot downgrade format version from 2 to 1/,
    valid: [{ action: "upgrade-format-version", formatVersion: 2 }],
  },
  {
    name: "a format version of 0",
    invalid: [{ action: "upgrade-format-version", formatVersion: 0 }],
    type: "IllegalArgumentException",
    message: /unsupported format version 0/,
    valid: [v3Upgrade],
  },
  {
    name: "a current schema without the default spec's source column",
    invalid: [
      {
        action: "add-schema",
        schema: new Schema(
          0,
          cur.fields.filter((f) => f.name !== "ts"),
        ),
      },
      { action: "set-current-schema", schemaId: -1 },
    ],
    type: "ValidationException",
    message:
      /partition-specs\[spec-id=0\]\.fields\[0\]: cannot find source column 3 for partition field 'ts_day' \(day\) in schema 1/,
    // Moving to an unpartitioned spec first makes the drop valid.
    valid: [
      ...addSpec(),
      {
        action: "add-schema",
        schema: new Schema(
          0,
          cur.fields.filter((f) => f.name !== "ts"),
        ),
      },
      { action: "set-current-schema", schemaId: -1 },
    ],
  },
  {
    name: "a current schema without the default sort order's source column",
    invalid: [
      {
        action: "add-schema",
        schema: new Schema(
          0,
          cur.fields.filter((f) => f.name !== "id"),
        ),
      },
      { action: "set-current-schema", schemaId: -1 },
    ],
    type: "ValidationException",
    message:
      /sort-orders\[order-id=1\]\.fields\[0\]: cannot find source column 1 for sort field identity\(1\) in schema 1/,
    valid: [
      { action: "add-sort-order", sortOrder: { orderId: 0, fields: [] } },
      { action: "set-default-sort-order", sortOrderId: -1 },
      {
        action: "add-schema",
        schema: new Schema(
          0,
          cur.fields.filter((f) => f.name !== "id"),
        ),
      },
      { action: "set-current-schema", schemaId: -1 },
    ],
  },
];

/** Runs `fn` and returns the ValidationError it throws. */
function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected the change to be refused");
}

describe("metadata validation of commits (Iceberg Java TableMetadata.Builder)", () => {
  it("starts from the expected base table", () => {
    assert.deepEqual(
      cur.allFields().map((f) => [f.path, f.field.id]),
      [
        ["id", 1],
        ["name", 2],
        ["ts", 3],
        ["d", 4],
        ["price", 5],
        ["loc", 6],
        ["loc.lat", 11],
        ["loc.lon", 12],
        ["tags", 7],
        ["tags.element", 13],
        ["props", 8],
        ["props.key", 14],
        ["props.value", 15],
        ["amount", 9],
        ["opt", 10],
        ["opt.x", 16],
      ],
    );
    assert.equal(base.lastColumnId, 16);
  });
  for (const c of cases) {
    it(`refuses ${c.name} (${c.type})`, () => {
      const e = refusal(() => applyUpdates(c.on ?? base, c.invalid));
      assert.equal(e.httpStatus, 400);
      assert.equal(e.restType, c.type, e.message);
      assert.match(e.message, c.message);
    });
    it(`accepts the valid counterpart of ${c.name}`, () => {
      const md = applyUpdates(c.on ?? base, c.valid);
      assert.ok(md.schemas.some((s) => s.schemaId === md.currentSchemaId));
    });
  }
  assert.ok(cases.length >= 40, `${cases.length} cases`);
});

describe("metadata validation: ids that must not go backwards", () => {
  it("keeps last-column-id when a schema is added with a lower last-column-id", () => {
    const md = applyUpdates(base, [
      {
        action: "add-schema",
        schema: new Schema(
          0,
          cur.fields.filter((f) => f.name !== "opt"),
        ),
        lastColumnId: 3,
      },
      { action: "set-current-schema", schemaId: -1 },
    ]);
    assert.equal(md.lastColumnId, 16);
  });
  it("raises last-column-id to the added schema's highest id even when the request says less", () => {
    const md = applyUpdates(base, [
      {
        action: "add-schema",
        schema: new Schema(0, [...cur.fields, col(40, "a", Types.int)]),
        lastColumnId: 17,
      },
      { action: "set-current-schema", schemaId: -1 },
    ]);
    assert.equal(md.lastColumnId, 40);
  });
  it("keeps last-partition-id when a spec with lower field ids is added", () => {
    const high = applyUpdates(base, addSpec(pf(1, "b", "bucket[2]", 1005)));
    const md = applyUpdates(high, addSpec(pf(2, "t", "truncate[2]", 1001)));
    assert.equal(high.lastPartitionId, 1005);
    assert.equal(md.lastPartitionId, 1005);
  });
  it("refuses non-sequential partition field ids in a v1 table", () => {
    const v1 = newTableMetadata({ schema: cur, location: "file:///w/v1", formatVersion: 1 }, 1_000);
    const e = refusal(() =>
      applyUpdates(v1, addSpec(pf(1, "a", "bucket[2]", 1000), pf(2, "b", "void", 1005))),
    );
    assert.equal(e.restType, "ValidationException");
    assert.match(
      e.message,
      /fields\[1\]\.field-id: spec does not use sequential IDs that are required in v1/,
    );
    const ok = applyUpdates(v1, addSpec(pf(1, "a", "bucket[2]", 1000), pf(2, "b", "void", 1001)));
    assert.equal(ok.partitionSpecs.length, 2);
  });
  it("re-adding an existing spec reuses it without binding it again, but it cannot become default (Java)", () => {
    // ts is dropped after moving to an unpartitioned spec: the old day(ts) spec stays.
    const md = applyUpdates(base, [
      ...addSpec(),
      {
        action: "add-schema",
        schema: new Schema(
          0,
          cur.fields.filter((f) => f.name !== "ts"),
        ),
      },
      { action: "set-current-schema", schemaId: -1 },
    ]);
    const again = applyUpdates(md, [{ action: "add-spec", spec: base.partitionSpecs[0]! }]);
    assert.equal(again.partitionSpecs.length, 2);
    const e = refusal(() =>
      applyUpdates(md, [
        { action: "add-spec", spec: base.partitionSpecs[0]! },
        { action: "set-default-spec", specId: -1 },
      ]),
    );
    assert.equal(e.restType, "ValidationException");
    assert.match(e.message, /partition-specs\[spec-id=0\]\.fields\[0\]: cannot find source column 3/);
  });
  it("repairs a table that already stores a duplicate-id schema by making the old schema current", () => {
    // What the unchecked server stored: schema 1 with id 2 twice, made current.
    const dup = new Schema(1, [...cur.fields, col(2, "other", Types.string)]);
    const corrupt: TableMetadata = { ...base, schemas: [...base.schemas, dup], currentSchemaId: 1 };
    const md = applyUpdates(corrupt, [{ action: "set-current-schema", schemaId: 0 }]);
    assert.equal(md.currentSchemaId, 0);
    assert.equal(md.schemas.length, 2, "the bad schema stays in the history; it is not re-validated");
  });
  it("does not re-check the stored layout on commits that do not change it", () => {
    // A table whose stored default spec lost its source column (written by an older tool)
    // still takes appends and property changes.
    const broken: TableMetadata = {
      ...base,
      partitionSpecs: [{ specId: 0, fields: [pf(77, "old", "identity", 1000)] }],
    };
    const md = applyUpdates(broken, [{ action: "set-properties", updates: { k: "v" } }]);
    assert.equal(md.properties.k, "v");
  });
});

/** The options of a create request over `fields`, with a spec and an order. */
const create = (
  fields: NestedField[],
  extra: Partial<NewTableOptions> & { identifierFieldIds?: number[] } = {},
): NewTableOptions => ({
  schema: new Schema(0, fields, extra.identifierFieldIds ?? []),
  location: "file:///w/new",
  ...extra,
});
const oneSpec = (f: PartitionField): PartitionSpec => ({ specId: 0, fields: [f] });

describe("metadata validation of creates (REST CreateTableRequest, CREATE TABLE)", () => {
  const sparkStyle = [col(0, "id", Types.long, true), col(1, "m", map(2, 3))];
  const createCases: {
    name: string;
    invalid: NewTableOptions;
    type: RestType;
    message: RegExp;
    valid: NewTableOptions;
  }[] = [
    {
      name: "duplicate ids in the request schema",
      invalid: create([col(1, "a", Types.long), col(1, "b", Types.long)]),
      type: "IllegalArgumentException",
      message: /^schema: field id 1 is used by both 'a' and 'b'$/,
      // Ids are reassigned on create: Spark sends ordinals from 0, which are fine if unique.
      valid: create(sparkStyle),
    },
    {
      name: "duplicate ids inside a map in the request schema",
      invalid: create([col(0, "id", Types.long, true), col(1, "m", map(2, 2))]),
      type: "IllegalArgumentException",
      message: /field id 2 is used by both 'm\.key' and 'm\.value'/,
      valid: create(sparkStyle),
    },
    {
      name: "bucket[0] in the request spec",
      invalid: create(sparkStyle, { spec: oneSpec(pf(0, "id_bucket", "bucket[0]")) }),
      type: "IllegalArgumentException",
      message:
        /^partition-spec\.fields\[0\]\.transform: bucket\[0\]: invalid number of buckets 0 \(must be > 0\)$/,
      valid: create(sparkStyle, { spec: oneSpec(pf(0, "id_bucket", "bucket[8]")) }),
    },
    {
      name: "a write order on a missing column",
      invalid: create(sparkStyle, { sortOrder: sortBy(9) }),
      type: "ValidationException",
      message: /^write-order\.fields\[0\]: cannot find source column 9 for sort field identity\(9\)/,
      valid: create(sparkStyle, { sortOrder: sortBy(0) }),
    },
    {
      name: "an optional identifier field",
      invalid: create([col(1, "a", Types.long)], { identifierFieldIds: [1] }),
      type: "IllegalArgumentException",
      message:
        /schema\.identifier-field-ids: cannot add field 'a' as an identifier field: not a required field/,
      valid: create([col(1, "a", Types.long, true)], { identifierFieldIds: [1] }),
    },
    {
      name: "a timestamp_ns column in a v2 table",
      invalid: create([col(1, "t", Types.timestampNs)]),
      type: "IllegalArgumentException",
      message: /schema: invalid type for t: timestamp_ns is not supported until v3 \(table is v2\)/,
      valid: create([col(1, "t", Types.timestampNs)], { formatVersion: 3 }),
    },
  ];
  for (const c of createCases) {
    it(`refuses ${c.name} (${c.type})`, () => {
      const e = refusal(() => newTableMetadata(c.invalid));
      assert.equal(e.restType, c.type, e.message);
      assert.match(e.message, c.message);
    });
    it(`accepts the valid counterpart of ${c.name}`, () => {
      const md = newTableMetadata(c.valid);
      // Stored ids are fresh and positive whatever the request used.
      assert.ok(
        currentSchema(md)
          .allFields()
          .every((f) => f.field.id >= 1),
      );
    });
  }
});

describe("validateSchema", () => {
  it("allows unique non-positive ids only for a create request's schema", () => {
    const s = new Schema(0, [col(0, "a", Types.int), col(-1, "b", Types.int)]);
    assert.doesNotThrow(() => validateSchema(s, { storedIds: false }));
    assert.throws(() => validateSchema(s), /schema: field 'a' has id 0; field ids must be positive/);
  });
  it("checks a large nested schema in linear time", () => {
    let next = 0;
    const fields = Array.from({ length: 2000 }, (_, i) =>
      col(
        ++next,
        `c${i}`,
        struct(col(++next + 100_000, "x", Types.int), col(++next + 100_000, "y", Types.int)),
      ),
    );
    const started = performance.now();
    for (let i = 0; i < 10; i++) validateSchema(new Schema(0, fields));
    assert.ok(performance.now() - started < 1_000, "10 checks of 6000 fields take under a second");
  });
});
