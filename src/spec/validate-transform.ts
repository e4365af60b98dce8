/**
 * Checks of a partition or sort transform on its own and against its source column, as Iceberg
 * Java's `Transforms.fromString` / `Bucket.get` / `Truncate.get` and `Transform.canTransform`
 * apply them (spec "Partition Transforms"). Pure; callers turn the problems into errors.
 */
import { canTransform, type Transform, transformToString } from "./transform.js";
import { type IcebergType, isPrimitive, typeToString } from "./types.js";

/** Largest bucket count or truncate width: a Java `int` (`Integer.MAX_VALUE`). */
const MAX_TRANSFORM_ARGUMENT = 2147483647;

/**
 * The problem with a transform's own arguments, or undefined when there is none:
 * `bucket[N]` needs 0 < N <= 2147483647 and `truncate[W]` needs 0 < W <= 2147483647
 * (Iceberg Java: "Invalid number of buckets: 0 (must be > 0)"). Unknown transforms have no
 * arguments we could check: the spec keeps them and readers ignore them; but a `bucket[...]`
 * or `truncate[...]` whose argument is not a number (`bucket[-1]`, `truncate[x]`) is a known
 * transform written wrong, not a transform of a newer spec, and is refused (Java would carry
 * it as unknown, and no writer could then write the table).
 * @example transformArgumentProblem(parseTransform("bucket[0]")) // "bucket[0]: invalid number of buckets 0 (must be > 0)"
 */
export function transformArgumentProblem(t: Transform): string | undefined {
  const text = transformToString(t);
  const malformed = t.kind === "unknown" ? /^\s*(bucket|truncate)\s*\[/i.exec(text)?.[1] : undefined;
  if (malformed)
    return `${text}: malformed ${malformed.toLowerCase()} argument (expected ${malformed.toLowerCase()}[N], N a positive integer)`;
  if (t.kind === "bucket" && !(Number.isInteger(t.numBuckets) && t.numBuckets > 0))
    return `${text}: invalid number of buckets ${t.numBuckets} (must be > 0)`;
  if (t.kind === "truncate" && !(Number.isInteger(t.width) && t.width > 0))
    return `${text}: invalid truncate width ${t.width} (must be > 0)`;
  if (t.kind === "bucket" && t.numBuckets > MAX_TRANSFORM_ARGUMENT)
    return `${text}: number of buckets ${t.numBuckets} does not fit an int (max ${MAX_TRANSFORM_ARGUMENT})`;
  if (t.kind === "truncate" && t.width > MAX_TRANSFORM_ARGUMENT)
    return `${text}: truncate width ${t.width} does not fit an int (max ${MAX_TRANSFORM_ARGUMENT})`;
  return undefined;
}

/**
 * The problem with applying `t` to a source column of `type`, or undefined: the source must
 * be primitive and accepted by the transform (spec transform table: `hour` only on
 * timestamps, `year`/`month`/`day` on dates and timestamps, `identity` on any primitive but
 * geometry/geography/variant ...). `void` and unknown transforms accept any source type, as
 * in Iceberg Java (`VoidTransform`/`UnknownTransform.canTransform` are always true).
 */
export function transformSourceProblem(t: Transform, type: IcebergType): string | undefined {
  if (t.kind === "void") return undefined;
  if (!isPrimitive(type))
    return `cannot apply ${transformToString(t)} to non-primitive ${typeToString(type)}`;
  if (t.kind === "unknown" || canTransform(t, type)) return undefined;
  return `invalid source type ${typeToString(type)} for transform ${transformToString(t)}`;
}
