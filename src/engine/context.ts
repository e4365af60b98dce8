/**
 * What statement handlers need from a session: DuckDB, the catalogs, name resolution with the
 * session's current catalog and schema (Trino rules), and the query rewriter.
 */

import type { Catalog } from "../catalog/catalog.js";
import type { Duck } from "../duckdb/connection.js";
import { NoSuchTableError, ValidationError } from "../errors.js";
import type { Namespace, TableIdentifier } from "../spec/identifier.js";
import type { Table } from "../table/table.js";
import type { RefreshOptions } from "../table/table-operations.js";
import type { RewriteOptions, RewrittenQuery } from "./query/rewrite.js";
import type { QueryPolicy } from "./sandbox/query-policy.js";
import type { QualifiedName } from "./sql/parser.js";

/** A table name resolved against the session. */
export interface ResolvedName {
  readonly catalogName: string;
  readonly catalog: Catalog;
  readonly id: TableIdentifier;
}

/** Session state and services available to statement handlers. */
export interface SessionContext {
  readonly duck: Duck;
  readonly catalogs: ReadonlyMap<string, Catalog>;
  currentCatalog: string | undefined;
  currentSchema: string | undefined;
  /** What the session's SQL may reach (the SQL sandbox), e.g. whether it may name local files. */
  readonly policy: QueryPolicy;
  /** Rewrites a Trino-dialect query to DuckDB SQL over lakehouse tables. */
  rewrite(query: string): Promise<string>;
  /** {@link rewrite} with options, returning the planned scans too. */
  rewriteQuery(query: string, opts?: RewriteOptions): Promise<RewrittenQuery>;
}

/** Namespace levels of a schema name (a quoted name with dots is a nested namespace). */
export function schemaToNamespace(schema: string): Namespace {
  return schema.split(".");
}

/**
 * Resolves a table name: `catalog.schema.table`, `schema.table` under the current catalog,
 * or `table` under the current catalog and schema (Trino's rules and messages).
 * @throws ValidationError when parts are missing or the catalog is unknown.
 */
export function resolveTableName(ctx: SessionContext, name: QualifiedName | readonly string[]): ResolvedName {
  const parts = Array.isArray(name) ? name : (name as QualifiedName).parts;
  let catalogName: string | undefined;
  let schema: string | undefined;
  let table: string;
  if (parts.length >= 3) {
    catalogName = parts[0];
    schema = parts.slice(1, -1).join(".");
    table = parts[parts.length - 1]!;
  } else if (parts.length === 2) {
    catalogName = ctx.currentCatalog;
    schema = parts[0];
    table = parts[1]!;
  } else {
    catalogName = ctx.currentCatalog;
    schema = ctx.currentSchema;
    table = parts[0]!;
  }
  if (!catalogName) throw new ValidationError("Catalog must be specified when session catalog is not set");
  if (!schema) throw new ValidationError("Schema must be specified when session schema is not set");
  const catalog = ctx.catalogs.get(catalogName);
  if (!catalog) throw new ValidationError(`Catalog '${catalogName}' not found`);
  return { catalogName, catalog, id: { namespace: schemaToNamespace(schema), name: table } };
}

/**
 * Resolves a schema name: `catalog.schema` or `schema` under the current catalog.
 * @throws ValidationError when the catalog is missing or unknown.
 */
export function resolveSchemaName(
  ctx: SessionContext,
  name: QualifiedName | readonly string[],
): { catalogName: string; catalog: Catalog; namespace: Namespace } {
  const parts = Array.isArray(name) ? name : (name as QualifiedName).parts;
  const catalogName = parts.length >= 2 ? parts[0] : ctx.currentCatalog;
  const schema = parts.length >= 2 ? parts.slice(1).join(".") : parts[0]!;
  if (!catalogName) throw new ValidationError("Catalog must be specified when session catalog is not set");
  const catalog = ctx.catalogs.get(catalogName);
  if (!catalog) throw new ValidationError(`Catalog '${catalogName}' not found`);
  return { catalogName, catalog, namespace: schemaToNamespace(schema) };
}

/** `catalog.ns.table` text for messages (Trino quotes it: `'iceberg.ns.t'`). */
export function qualifiedText(r: ResolvedName): string {
  return [r.catalogName, ...r.id.namespace, r.id.name].join(".");
}

/**
 * Loads a resolved table.
 * @throws NoSuchTableError with Trino's message `Table 'catalog.schema.table' does not exist`.
 */
export async function loadTableOrFail(r: ResolvedName, opts?: RefreshOptions): Promise<Table> {
  try {
    return await r.catalog.loadTable(r.id, opts);
  } catch (e) {
    if (e instanceof NoSuchTableError)
      throw new NoSuchTableError(`Table '${qualifiedText(r)}' does not exist`, { cause: e });
    throw e;
  }
}
