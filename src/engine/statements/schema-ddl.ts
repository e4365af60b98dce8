/**
 * CREATE SCHEMA, DROP SCHEMA [CASCADE] and USE, on the catalogs' namespaces.
 */

import { AlreadyExistsError, NoSuchNamespaceError, ValidationError } from "../../errors.js";
import { namespaceToString } from "../../spec/identifier.js";
import { resolveSchemaName, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";

/**
 * CREATE SCHEMA [IF NOT EXISTS] catalog.schema [WITH (location = ...)]. A location must be
 * inside the catalog's warehouse, as table locations must (engines place new tables under it):
 * the catalog checks it with its location policy.
 * @throws ValidationError for unknown properties or a location outside the warehouse
 */
export async function createSchema(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "createSchema" }>,
): Promise<StatementResult> {
  const { catalog, catalogName, namespace } = resolveSchemaName(ctx, s.name);
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.properties)) {
    if (k !== "location")
      throw new ValidationError(`Catalog '${catalogName}' schema property '${k}' does not exist`);
    properties.location = String(v); // checked by the catalog (the one location check)
  }
  if (await catalog.namespaceExists(namespace)) {
    if (s.ifNotExists) return updateResult("CREATE SCHEMA");
    throw new AlreadyExistsError(`Schema '${catalogName}.${namespaceToString(namespace)}' already exists`);
  }
  await catalog.createNamespace(namespace, properties);
  return updateResult("CREATE SCHEMA");
}

/** DROP SCHEMA [IF EXISTS] s [CASCADE]: CASCADE drops the schema's tables first (with their data). */
export async function dropSchema(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "dropSchema" }>,
): Promise<StatementResult> {
  const { catalog, catalogName, namespace } = resolveSchemaName(ctx, s.name);
  if (!(await catalog.namespaceExists(namespace))) {
    if (s.ifExists) return updateResult("DROP SCHEMA");
    throw new NoSuchNamespaceError(`Schema '${catalogName}.${namespaceToString(namespace)}' does not exist`);
  }
  if (s.cascade) for (const t of await catalog.listTables(namespace)) await catalog.dropTable(t, true);
  else if ((await catalog.listTables(namespace)).length > 0) {
    throw new ValidationError(`Cannot drop non-empty schema '${namespaceToString(namespace)}'`);
  }
  await catalog.dropNamespace(namespace);
  return updateResult("DROP SCHEMA");
}

/** USE catalog.schema | USE schema. @throws ValidationError when it does not exist. */
export async function useSchema(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "use" }>,
): Promise<StatementResult> {
  const { catalog, catalogName, namespace } = resolveSchemaName(ctx, s.name);
  if (!(await catalog.namespaceExists(namespace)))
    throw new ValidationError(`Schema does not exist: ${catalogName}.${namespaceToString(namespace)}`);
  ctx.currentCatalog = catalogName;
  ctx.currentSchema = namespaceToString(namespace);
  return updateResult("USE");
}
