/**
 * zod schemas of the small REST request bodies the server decodes itself (OpenAPI
 * `PlanTableScanRequest`, `FetchScanTasksRequest`, `ReportMetricsRequest`,
 * `RemoteSignRequest`): types are checked, never coerced (`"false"` is not a boolean, `"5"`
 * not a snapshot id), and a refusal is a JsonShapeError naming the JSON path, like the
 * hand-written decoders of `rest-messages.ts` (`body.select[1]: expected a string ...`).
 * Unknown fields are ignored, as the spec's objects may grow.
 */
import { z } from "zod";
import { JsonShapeError } from "../../spec/codec/json-fields.js";

/** A JSON integer as parsed by `parseJson`: a safe `number`, or a `bigint` beyond 2^53. */
const long = z.custom<number | bigint>(
  (v) => typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v)),
  { message: "expected an integer (a JSON number)" },
);

/** REST `PlanTableScanRequest` (every field optional: an empty object plans the whole table). */
export const PlanTableScanRequestSchema = z.object({
  "snapshot-id": long.nullish(),
  select: z.array(z.string()).nullish(),
  /** An `Expression`, decoded against the table schema by `expressionFromJson`. */
  filter: z.unknown().optional(),
  "case-sensitive": z.boolean().nullish(),
  "use-snapshot-schema": z.boolean().nullish(),
  "start-snapshot-id": long.nullish(),
  "end-snapshot-id": long.nullish(),
  "stats-fields": z.array(z.string()).nullish(),
  "min-rows-requested": long.nullish(),
});
/** A decoded `PlanTableScanRequest`. */
export type PlanTableScanRequest = z.infer<typeof PlanTableScanRequestSchema>;

/** REST `FetchScanTasksRequest`. */
export const FetchScanTasksRequestSchema = z.object({ "plan-task": z.string() });

/**
 * REST `ReportMetricsRequest` (a `ScanReport` or a `CommitReport` with `report-type`): reports
 * are logged, not kept, so only the discriminator is required; the other fields of both
 * reports are optional but, when present, of their spec types (a report is not stored, yet a
 * malformed one is refused like any other body).
 */
export const ReportMetricsRequestSchema = z.object({
  "report-type": z.string(),
  "table-name": z.string().optional(),
  "snapshot-id": long.optional(),
  "sequence-number": long.optional(),
  operation: z.string().optional(),
  "schema-id": long.optional(),
  "projected-field-ids": z.array(long).optional(),
  "projected-field-names": z.array(z.string()).optional(),
  filter: z.unknown().optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/** REST `RemoteSignRequest` (S3 request to sign). */
export const RemoteSignRequestSchema = z.object({
  region: z.string(),
  uri: z.string(),
  method: z.string(),
  headers: z.record(z.string(), z.array(z.string())).default({}),
  body: z.string().nullish(),
  provider: z.string().nullish(),
});

/** `body.a[0].b` for a zod issue path under `root`. */
function pathText(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

/**
 * Decodes a parsed request body with a schema.
 * @param root the name of the body in messages (default `body`)
 * @throws JsonShapeError (a 400 `BadRequestException`) naming the path of the first field at fault
 */
export function decodeBody<T>(schema: z.ZodType<T>, json: unknown, root = "body"): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const message = issue.message.replace(/^Invalid input: /, "");
  throw new JsonShapeError(pathText(root, issue.path), message);
}
