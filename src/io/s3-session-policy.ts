/**
 * IAM session policies that scope vended S3 credentials to one table's location (the policy
 * an STS `AssumeRole` call passes as `Policy`, so the temporary credentials can do at most
 * what both the role and this policy allow). Shapes follow AWS "IAM JSON policy elements".
 *
 * Table names end up in object keys, and `*`, `?` are wildcards and `${...}` a policy variable
 * in ARNs and `StringLike` conditions: such characters are written as the IAM escapes `${*}`,
 * `${?}`, `${$}` (AWS "IAM policy elements: Variables and tags", "Special characters"), so
 * a name can never widen the scope. Quotes and backslashes are escaped by JSON encoding.
 */
import { ValidationError } from "../errors.js";
import { parseS3Location } from "./s3-location.js";

/** What vended credentials may do: read objects, or also write and delete them. */
export type StoragePrivilege = "read" | "write";

/** Escapes IAM wildcard and variable characters (`*`, `?`, `$`) of a literal key or prefix. */
export function escapeIamPattern(literal: string): string {
  return literal.replace(/[*?$]/g, (c) => `\${${c}}`);
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
 * @throws ValidationError when the location is a bucket root (no prefix to scope to).
 */
export function tableSessionPolicy(location: string, privilege: StoragePrivilege): string {
  const { bucket, key } = parseS3Location(location);
  const prefix = key.replace(/\/+$/, "");
  if (prefix === "") throw new ValidationError(`cannot scope credentials to a bucket root: ${location}`);
  const p = escapeIamPattern(prefix);
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
