/**
 * IAM session policies that scope vended S3 credentials to one table's location (the policy
 * an STS `AssumeRole` call passes as `Policy`, so the temporary credentials can do at most
 * what both the role and this policy allow). Shapes follow AWS "IAM JSON policy elements".
 *
 * In ARNs and `StringLike` conditions `*` and `?` are wildcards and `${` starts a policy
 * variable. AWS IAM has escapes for them (`${*}`, `${?}`, `${$}`), but MinIO's policy engine
 * does not know them (tested), so a location holding any of them cannot be scoped exactly
 * and is refused rather than widened: such tables are served by remote signing instead.
 * (Table names cannot hold `*`; `?` and `$` in names are percent-encoded in default locations;
 * only explicit locations can hold them.) Quotes and backslashes are escaped by JSON encoding.
 */
import { ForbiddenError, ValidationError } from "../errors.js";
import { parseS3Location } from "./s3-location.js";

/** What vended credentials may do: read objects, or also write and delete them. */
export type StoragePrivilege = "read" | "write";

/** Whether a literal key prefix holds characters an IAM pattern would read as wildcards or variables. */
export function hasIamPatternCharacters(literal: string): boolean {
  return /[*?]|\$\{/.test(literal);
}

/** Object actions of each privilege. */
const READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"];
const WRITE_ACTIONS = [
  ...READ_ACTIONS,
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
];

/**
 * The session policy of credentials for the objects under `location` (a table location,
 * `s3://bucket/prefix`): object actions on `prefix/*`, ListBucket only with an `s3:prefix`
 * under it, GetBucketLocation. Keys are matched below `prefix/`, so table `t` never covers
 * table `t2`. Returns the policy document as JSON text.
 * @throws ValidationError when the location is a bucket root (no prefix to scope to);
 * ForbiddenError when the prefix holds `*`, `?` or `${` (see above).
 */
export function tableSessionPolicy(location: string, privilege: StoragePrivilege): string {
  const { bucket, key } = parseS3Location(location);
  const prefix = key.replace(/\/+$/, "");
  if (prefix === "") throw new ValidationError(`cannot scope credentials to a bucket root: ${location}`);
  if (hasIamPatternCharacters(prefix))
    throw new ForbiddenError(
      `cannot scope credentials to ${location}: the location holds IAM wildcard characters (* ? \${); use remote signing for this table`,
    );
  const p = prefix;
  const policy = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "TableObjects",
        Effect: "Allow",
        Action: privilege === "write" ? WRITE_ACTIONS : READ_ACTIONS,
        Resource: [`arn:aws:s3:::${bucket}/${p}/*`],
      },
      {
        Sid: "ListTable",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [`arn:aws:s3:::${bucket}`],
        Condition: { StringLike: { "s3:prefix": [`${p}/*`] } },
      },
      {
        Sid: "BucketLocation",
        Effect: "Allow",
        Action: ["s3:GetBucketLocation"],
        Resource: [`arn:aws:s3:::${bucket}`],
      },
    ],
  };
  return JSON.stringify(policy);
}
