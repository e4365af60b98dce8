/**
 * Validity of a partition spec added to a table, with the rules Iceberg Java applies when a
 * REST `add-spec` (or a create request's spec) is bound to the current schema:
 * `UnboundPartitionSpec.bind` -> `PartitionSpec.Builder.add` (names) and `build` ->
 * `PartitionSpec.checkCompatibility` (sources), plus `TableMetadata.Builder`'s v1 rule of
 * sequential field ids (spec "Partitioning", "Partition Transforms", "Partition Evolution").
 * Pure; linear in the number of fields.
 */
import { InvalidArgumentError } from "../errors.js";
import { PARTITION_DATA_ID_START, type PartitionSpec } from "./partition-spec.js";
import type { Schema } from "./schema.js";
import { transformToString } from "./transform.js";
import { validationException } from "./validate-schema.js";
import { transformArgumentProblem, transformSourceProblem } from "./validate-transform.js";

/** Options of {@link validatePartitionSpec}. */
export interface PartitionSpecValidationOptions {
  /** Where the spec is, prefixed to messages, e.g. `updates[2].spec` (default `spec`). */
  readonly where?: string | undefined;
  /** The table's format version: v1 specs need field ids 1000, 1001, ... in order (default 2). */
  readonly formatVersion?: number | undefined;
  /**
   * Whether the spec's partition field ids are kept (default true) and so checked; false for a
   * create request's spec, whose field ids are reassigned from 1000.
   */
  readonly storedFieldIds?: boolean | undefined;
}

/**
 * Checks a spec that is being added, against the schema it binds to:
 * - transform arguments: `bucket[N]` and `truncate[W]` need N, W > 0;
 * - names: not empty, used once, and not the name of another schema column (a partition
 *   field may take the name of its own source column, whatever the transform, as Java's
 *   `Builder.add(sourceId, fieldId, name, transform)` allows);
 * - partition field ids: used once in the spec (spec "Partitioning"), sequential from 1000 in v1;
 * - sources (unless `void`): the column exists, is primitive, accepts the transform (unknown
 *   transforms accept any source, spec "Partition Transforms") and sits only in structs.
 * @throws InvalidArgumentError (REST `IllegalArgumentException`) for argument, name and id
 * problems; a ValidationError typed `ValidationException` for source problems; each message
 * names the field, e.g. `updates[1].spec.fields[0].transform: bucket[0]: invalid number of buckets 0 (must be > 0)`.
 */
export function validatePartitionSpec(
  spec: PartitionSpec,
  schema: Schema,
  opts: PartitionSpecValidationOptions = {},
): void {
  const where = opts.where ?? "spec";
  const checkIds = opts.storedFieldIds ?? true;
  const names = new Set<string>();
  const fieldIds = new Map<number, string>();
  spec.fields.forEach((f, i) => {
    const at = `${where}.fields[${i}]`;
    const argProblem = transformArgumentProblem(f.transform);
    if (argProblem) throw new InvalidArgumentError(`${at}.transform: ${argProblem}`);
    if (f.name.length === 0) throw new InvalidArgumentError(`${at}.name: cannot use empty partition name`);
    if (names.has(f.name))
      throw new InvalidArgumentError(`${at}.name: cannot use partition name more than once: ${f.name}`);
    names.add(f.name);
    const column = schema.findFieldByName(f.name);
    if (column && column.id !== f.sourceId && schema.findField(f.sourceId))
      throw new InvalidArgumentError(
        `${at}.name: partition name '${f.name}' is the name of schema column id ${column.id}, not of its source column id ${f.sourceId}`,
      );
    if (!checkIds) return;
    if (!Number.isInteger(f.fieldId))
      throw new InvalidArgumentError(`${at}.field-id: ${f.fieldId} is not an integer`);
    const other = fieldIds.get(f.fieldId);
    if (other !== undefined)
      throw new InvalidArgumentError(
        `${at}.field-id: partition field id ${f.fieldId} is used by both '${other}' and '${f.name}'`,
      );
    fieldIds.set(f.fieldId, f.name);
  });
  checkPartitionSpecCompatibility(spec, schema, where);
  if (checkIds && (opts.formatVersion ?? 2) === 1) {
    spec.fields.forEach((f, i) => {
      if (f.fieldId !== PARTITION_DATA_ID_START + i)
        throw validationException(
          `${where}.fields[${i}].field-id: spec does not use sequential IDs that are required in v1: field '${f.name}' has id ${f.fieldId}, expected ${PARTITION_DATA_ID_START + i}`,
        );
    });
  }
}

/**
 * Java's `PartitionSpec.checkCompatibility`: every non-`void` field's source column exists in
 * `schema`, is primitive, accepts the transform and is nested only in structs. Run on added
 * specs and, at the end of a commit that changes the schema or spec, on the default spec
 * against the current schema (Java `TableMetadata.Builder.build`).
 * @throws ValidationError typed `ValidationException` naming the field, e.g.
 * `spec.fields[0]: cannot find source column 9 for partition field 'p'`.
 */
export function checkPartitionSpecCompatibility(spec: PartitionSpec, schema: Schema, where = "spec"): void {
  spec.fields.forEach((f, i) => {
    if (f.transform.kind === "void") return;
    const at = `${where}.fields[${i}]`;
    const source = schema.findIndexed(f.sourceId);
    if (!source)
      throw validationException(
        `${at}: cannot find source column ${f.sourceId} for partition field '${f.name}' (${transformToString(f.transform)}) in schema ${schema.schemaId}`,
      );
    const problem = transformSourceProblem(f.transform, source.field.type);
    if (problem)
      throw validationException(`${at}: partition field '${f.name}' on column '${source.path}': ${problem}`);
    for (const parentId of source.parents) {
      const parent = schema.findIndexed(parentId)!;
      if (parent.field.type.kind !== "struct")
        throw validationException(
          `${at}: partition field '${f.name}' has source column '${source.path}' inside ${parent.field.type.kind} '${parent.path}'; only struct parents are allowed`,
        );
    }
  });
}
