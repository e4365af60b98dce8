/**
 * Error classes named after the Iceberg REST spec's error types, with one table that maps
 * class <-> REST `type` <-> HTTP status both ways (pyiceberg `rest/response.py`, lakekeeper
 * `ErrorModel`). Every error carries a stable `code` used by the CLI and servers.
 */

/** Base class of every error AIchemy raises on purpose. */
export class AIchemyError extends Error {
  /** Stable machine-readable code, e.g. `NO_SUCH_TABLE`. */
  readonly code: string;
  /** REST error type (`IcebergErrorResponse.error.type`). */
  readonly restType: string;
  /** HTTP status the REST server answers with. */
  readonly httpStatus: number;

  constructor(message: string, code: string, restType: string, httpStatus: number, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.restType = restType;
    this.httpStatus = httpStatus;
  }
}

/** Bad input: a malformed statement, value, name or request (REST `BadRequestException`, 400). */
export class ValidationError extends AIchemyError {
  /** @param restType REST error type (default `BadRequestException`). */
  constructor(message: string, options?: ErrorOptions, restType = "BadRequestException") {
    super(message, "VALIDATION", restType, 400, options);
  }
}

/**
 * A well-formed request whose content is invalid for the object it changes: an update that
 * names an unknown schema, a second query for one view dialect ... (REST 400 with type
 * `IllegalArgumentException`, which Iceberg Java clients raise as such).
 */
export class InvalidArgumentError extends ValidationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options, "IllegalArgumentException");
  }
}

/** The table does not exist (REST `NoSuchTableException`, 404). */
export class NoSuchTableError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NO_SUCH_TABLE", "NoSuchTableException", 404, options);
  }
}

/** The namespace does not exist (REST `NoSuchNamespaceException`, 404). */
export class NoSuchNamespaceError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NO_SUCH_NAMESPACE", "NoSuchNamespaceException", 404, options);
  }
}

/** The view does not exist (REST `NoSuchViewException`, 404). */
export class NoSuchViewError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NO_SUCH_VIEW", "NoSuchViewException", 404, options);
  }
}

/** The warehouse named by `warehouse` or the URL prefix does not exist (REST `NoSuchWarehouseException`, 404). */
export class NoSuchWarehouseError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NO_SUCH_WAREHOUSE", "NoSuchWarehouseException", 404, options);
  }
}

/** A scan plan id is unknown or expired (REST `NoSuchPlanIdException`, 404). */
export class NoSuchPlanIdError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NO_SUCH_PLAN_ID", "NoSuchPlanIdException", 404, options);
  }
}

/** A plan task is unknown or expired (REST `NoSuchPlanTaskException`, 404). */
export class NoSuchPlanTaskError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NO_SUCH_PLAN_TASK", "NoSuchPlanTaskException", 404, options);
  }
}

/** Both sides of an update name the same key (REST `UnprocessableEntityException`, 422). */
export class UnprocessableEntityError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "UNPROCESSABLE_ENTITY", "UnprocessableEntityException", 422, options);
  }
}

/** A table, view or namespace of that name already exists (REST `AlreadyExistsException`, 409). */
export class AlreadyExistsError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "ALREADY_EXISTS", "AlreadyExistsException", 409, options);
  }
}

/** The namespace still holds tables or views (REST `NamespaceNotEmptyException`, 409). */
export class NamespaceNotEmptyError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NAMESPACE_NOT_EMPTY", "NamespaceNotEmptyException", 409, options);
  }
}

/**
 * A commit's requirements did not hold against the current metadata: someone else committed
 * first (REST `CommitFailedException`, 409). Safe to refresh, re-validate and retry.
 */
export class CommitFailedError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "COMMIT_FAILED", "CommitFailedException", 409, options);
  }
}

/**
 * A row-level change conflicts with changes committed since it read the table (Iceberg Java
 * `ValidationException` from `RowDelta`/`OverwriteFiles` validation): not retried, the
 * statement must run again on the new state (409).
 */
export class ConflictingChangesError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "CONFLICTING_CHANGES", "ValidationException", 409, options);
  }
}

/**
 * The outcome of a commit is unknown (timeout, 5xx): the written files must NOT be deleted
 * (REST `CommitStateUnknownException`, 500).
 */
export class CommitStateUnknownError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "COMMIT_STATE_UNKNOWN", "CommitStateUnknownException", 500, options);
  }
}

/** The operation or feature is not supported (REST `UnsupportedOperationException`, 406). */
export class UnsupportedOperationError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "UNSUPPORTED", "UnsupportedOperationException", 406, options);
  }
}

/** Credentials are missing or invalid (REST `NotAuthorizedException`, 401). */
export class NotAuthorizedError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NOT_AUTHORIZED", "NotAuthorizedException", 401, options);
  }
}

/** The caller may not do this (REST `ForbiddenException`, 403). */
export class ForbiddenError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "FORBIDDEN", "ForbiddenException", 403, options);
  }
}

/**
 * User SQL tried to reach what the SQL sandbox keeps out: a file- or network-reaching function,
 * a file named as a table, the engine's settings (HTTP 403, REST type `ForbiddenException`).
 * Messages follow Trino's `Access Denied: Cannot ...`.
 */
export class AccessDeniedError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "ACCESS_DENIED", "ForbiddenException", 403, options);
  }
}

/**
 * A query went past a limit: its statement timeout (`EXCEEDED_TIME_LIMIT`), its result's row or
 * byte cap (`EXCEEDED_OUTPUT_LIMIT`) or the engine's memory limit (`EXCEEDED_MEMORY_LIMIT`), with
 * Trino's error names as codes (HTTP 400, REST type `ExceededLimitException`).
 */
export class ExceededLimitError extends AIchemyError {
  constructor(
    message: string,
    code: "EXCEEDED_TIME_LIMIT" | "EXCEEDED_OUTPUT_LIMIT" | "EXCEEDED_MEMORY_LIMIT",
    options?: ErrorOptions,
  ) {
    super(message, code, "ExceededLimitException", 400, options);
  }
}

/**
 * The query was canceled before it finished: its client went away, or the server is shutting
 * down (Trino `USER_CANCELED`; HTTP 400, REST type `QueryCanceledException`).
 */
export class QueryCanceledError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "USER_CANCELED", "QueryCanceledException", 400, options);
  }
}

/**
 * A request body of a media type the route does not take (HTTP 415, RFC 9110 section
 * 15.5.16): the REST routes and the query API take `application/json` only, the token
 * endpoint `application/x-www-form-urlencoded`. The REST spec names no type for it; the
 * type follows its `...Exception` pattern.
 */
export class UnsupportedMediaTypeError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "UNSUPPORTED_MEDIA_TYPE", "UnsupportedMediaTypeException", 415, options);
  }
}

/** REST types of {@link HttpProtocolError}s by HTTP status (the status's reason as `...Exception`). */
const HTTP_PROTOCOL_TYPES = {
  400: "BadRequestException",
  405: "MethodNotAllowedException",
  408: "RequestTimeoutException",
  413: "PayloadTooLargeException",
  417: "ExpectationFailedException",
  431: "RequestHeaderFieldsTooLargeException",
} as const;

/**
 * A request the HTTP layer refuses before any route sees it (RFC 9112 "HTTP/1.1", RFC 9110):
 * malformed framing, request line or headers (400), a method no route serves such as CONNECT
 * (405), a request that did not arrive in time (408), chunk extensions too large (413), an
 * `Expect` the server cannot meet (417), a request head too large (431). Code `HTTP_PROTOCOL`.
 */
export class HttpProtocolError extends AIchemyError {
  constructor(message: string, status: keyof typeof HTTP_PROTOCOL_TYPES = 400, options?: ErrorOptions) {
    super(message, "HTTP_PROTOCOL", HTTP_PROTOCOL_TYPES[status], status, options);
  }
}

/** A file the metadata references could not be found (REST `NotFoundException`, 404). */
export class NotFoundError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "NOT_FOUND", "NotFoundException", 404, options);
  }
}

/** Data could not be read or converted: a malformed row, a value that does not fit a column. */
export class DataError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "DATA", "BadRequestException", 400, options);
  }
}

/** An internal failure (REST `ServerErrorException`, 500). */
export class ServerError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "SERVER_ERROR", "ServerErrorException", 500, options);
  }
}

/**
 * Object storage refused or failed a request the server's own credentials made: wrong
 * credentials, a missing bucket, a store that went away (REST `ServerErrorException`, 500).
 * The message names the location.
 */
export class StorageError extends AIchemyError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, "STORAGE", "ServerErrorException", 500, options);
  }
}

type ErrorClass = new (message: string, options?: ErrorOptions) => AIchemyError;

/** REST error type -> class; the inverse of each class's `restType` (first wins for shared types). */
export const ERROR_CLASSES_BY_REST_TYPE: ReadonlyMap<string, ErrorClass> = new Map<string, ErrorClass>([
  ["BadRequestException", ValidationError],
  ["IllegalArgumentException", InvalidArgumentError],
  ["NoSuchTableException", NoSuchTableError],
  ["NoSuchNamespaceException", NoSuchNamespaceError],
  ["NoSuchViewException", NoSuchViewError],
  ["NoSuchWarehouseException", NoSuchWarehouseError],
  ["NoSuchPlanIdException", NoSuchPlanIdError],
  ["NoSuchPlanTaskException", NoSuchPlanTaskError],
  ["UnprocessableEntityException", UnprocessableEntityError],
  ["AlreadyExistsException", AlreadyExistsError],
  ["NamespaceNotEmptyException", NamespaceNotEmptyError],
  ["CommitFailedException", CommitFailedError],
  ["CommitStateUnknownException", CommitStateUnknownError],
  ["UnsupportedOperationException", UnsupportedOperationError],
  ["NotAuthorizedException", NotAuthorizedError],
  ["ForbiddenException", ForbiddenError],
  ["UnsupportedMediaTypeException", UnsupportedMediaTypeError],
  ["NotFoundException", NotFoundError],
  ["ServerErrorException", ServerError],
]);

/**
 * Rebuilds an error from a REST error response (`type`, `message`, `code`), falling back on the
 * HTTP status when the type is unknown: 409 -> CommitFailedError for commits, 5xx ->
 * CommitStateUnknownError when `duringCommit`, else ServerError.
 */
export function errorFromRest(
  type: string,
  message: string,
  status: number,
  duringCommit = false,
): AIchemyError {
  if (duringCommit && status >= 500) return new CommitStateUnknownError(message);
  const cls = ERROR_CLASSES_BY_REST_TYPE.get(type);
  if (cls) return new cls(message);
  if (status === 409) return duringCommit ? new CommitFailedError(message) : new AlreadyExistsError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 401) return new NotAuthorizedError(message);
  if (status === 403) return new ForbiddenError(message);
  if (status === 400) return new ValidationError(message);
  return new ServerError(message);
}
