/**
 * Validity of a sort order added to a table, with the rules of Iceberg Java's
 * `UnboundSortOrder.bind` (transform arguments through `Transforms.fromString`) and
 * `SortOrder.checkCompatibility` (spec "Sorting", "Partition Transforms"). Pure.
 */
import { InvalidArgumentError } from "../errors.js";
import type { Schema } from "./schema.js";
import type { SortOrder } from "./sort-order.js";
import { transformToString } from "./transform.js";
import { validationException } from "./validate-schema.js";
import { transformArgumentProblem, transformSourceProblem } from "./validate-transform.js";

/**
 * Checks a sort order against the schema it binds to: transform arguments (`bucket[N]`,
 * `truncate[W]` with N, W > 0), then each field's source column exists, is primitive and
 * accepts the transform (`void` and unknown transforms accept any source).
 * @param where prefix of messages, e.g. `updates[3].sort-order` (default `sort-order`)
 * @throws InvalidArgumentError (REST `IllegalArgumentException`) for transform arguments; a
 * ValidationError typed `ValidationException` for sources, naming the field, e.g.
 * `updates[0].sort-order.fields[0]: cannot find source column 42 for sort field identity(42)`.
 */
export function validateSortOrder(order: SortOrder, schema: Schema, where = "sort-order"): void {
  order.fields.forEach((f, i) => {
    const problem = transformArgumentProblem(f.transform);
    if (problem) throw new InvalidArgumentError(`${where}.fields[${i}].transform: ${problem}`);
  });
  checkSortOrderCompatibility(order, schema, where);
}

/**
 * Java's `SortOrder.checkCompatibility`: every field's source column exists in `schema`, is
 * primitive and accepts the transform. Also run on the default order against the current
 * schema at the end of a commit that changes either.
 * @throws ValidationError typed `ValidationException` naming the field.
 */
export function checkSortOrderCompatibility(order: SortOrder, schema: Schema, where = "sort-order"): void {
  order.fields.forEach((f, i) => {
    const at = `${where}.fields[${i}]`;
    const source = schema.findIndexed(f.sourceId);
    const term = `${transformToString(f.transform)}(${f.sourceId})`;
    if (!source)
      throw validationException(
        `${at}: cannot find source column ${f.sourceId} for sort field ${term} in schema ${schema.schemaId}`,
      );
    const problem = transformSourceProblem(f.transform, source.field.type);
    if (problem) throw validationException(`${at}: sort field on column '${source.path}': ${problem}`);
  });
}
