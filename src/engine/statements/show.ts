/**
 * SHOW CATALOGS | SCHEMAS | TABLES | COLUMNS | CREATE TABLE and DESCRIBE, with Trino's
 * column names (`Catalog`, `Schema`, `Table`, `Column`/`Type`/`Extra`/`Comment`).
 */

import { quoteString } from "../../duckdb/sql.js";
import { ValidationError } from "../../errors.js";
import { namespaceToString } from "../../spec/identifier.js";
import { loadTableOrFail, resolveSchemaName, resolveTableName, type SessionContext } from "../context.js";
import { literalResult, type StatementResult } from "../result.js";
import type { Statement } from "../sql/statement.js";
import { trinoTypeName } from "../sql/trino-types.js";
import { tablePropertiesForShow } from "../table-properties.js";

/** SQL LIKE pattern (with `%` and `_`) as a case-sensitive RegExp. */
export function likeToRegExp(pattern: string): RegExp {
  const re = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${re}$`, "s");
}

const filterLike = (values: string[], like?: string) =>
  like ? values.filter((v) => likeToRegExp(like).test(v)) : values;

/** SHOW CATALOGS: our catalogs plus Trino's `system`. */
export async function showCatalogs(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "showCatalogs" }>,
): Promise<StatementResult> {
  const names = filterLike([...ctx.catalogs.keys(), "system"].sort(), s.like);
  return literalResult(
    ctx.duck,
    [{ name: "Catalog", type: "VARCHAR" }],
    names.map((n) => [quoteString(n)]),
  );
}

/** SHOW SCHEMAS [FROM catalog]: namespaces plus `information_schema`. */
export async function showSchemas(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "showSchemas" }>,
): Promise<StatementResult> {
  const name = s.catalog ?? ctx.currentCatalog;
  if (!name) throw new ValidationError("Catalog must be specified when session catalog is not set");
  const catalog = ctx.catalogs.get(name);
  if (!catalog) throw new ValidationError(`Catalog '${name}' not found`);
  const all: string[] = [];
  const walk = async (parent: readonly string[]) => {
    for (const ns of await catalog.listNamespaces(parent)) {
      all.push(namespaceToString(ns));
      await walk(ns);
    }
  };
  await walk([]);
  const names = filterLike(["information_schema", ...all].sort(), s.like);
  return literalResult(
    ctx.duck,
    [{ name: "Schema", type: "VARCHAR" }],
    names.map((n) => [quoteString(n)]),
  );
}

/** SHOW TABLES [FROM schema]. */
export async function showTables(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "showTables" }>,
): Promise<StatementResult> {
  const parts = s.schema?.parts ?? (ctx.currentSchema ? [ctx.currentSchema] : undefined);
  if (!parts) throw new ValidationError("Schema must be specified when session schema is not set");
  const { catalog, catalogName, namespace } = resolveSchemaName(ctx, parts);
  if (!(await catalog.namespaceExists(namespace)))
    throw new ValidationError(`Schema '${catalogName}.${namespaceToString(namespace)}' does not exist`);
  const names = filterLike(
    (await catalog.listTables(namespace)).map((t) => t.name),
    s.like,
  );
  return literalResult(
    ctx.duck,
    [{ name: "Table", type: "VARCHAR" }],
    names.map((n) => [quoteString(n)]),
  );
}

/** DESCRIBE / SHOW COLUMNS FROM: one row per top-level column. */
export async function showColumns(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "showColumns" }>,
): Promise<StatementResult> {
  const r = resolveTableName(ctx, s.table);
  const table = await loadTableOrFail(r);
  const rows = table
    .schema()
    .fields.map((f) => [
      quoteString(f.name),
      quoteString(trinoTypeName(f.type)),
      quoteString(""),
      quoteString(f.doc ?? ""),
    ]);
  return literalResult(
    ctx.duck,
    [
      { name: "Column", type: "VARCHAR" },
      { name: "Type", type: "VARCHAR" },
      { name: "Extra", type: "VARCHAR" },
      { name: "Comment", type: "VARCHAR" },
    ],
    rows,
  );
}

/** SHOW CREATE TABLE: the Trino DDL that recreates the table. */
export async function showCreateTable(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "showCreateTable" }>,
): Promise<StatementResult> {
  const r = resolveTableName(ctx, s.table);
  const name = [r.catalogName, ...r.id.namespace, r.id.name].join(".");
  const table = await loadTableOrFail(r);
  const schema = table.schema();
  const cols = schema.fields.map((f) => {
    const comment = f.doc ? ` COMMENT '${f.doc.replace(/'/g, "''")}'` : "";
    return `   ${/^[a-z_][a-z0-9_]*$/.test(f.name) ? f.name : `"${f.name.replace(/"/g, '""')}"`} ${trinoTypeName(f.type)}${f.required ? " NOT NULL" : ""}${comment}`;
  });
  const comment = table.metadata.properties.comment;
  const props = tablePropertiesForShow(table.metadata, schema, table.metadata.location).map(
    ([k, v]) => `   ${k} = ${v}`,
  );
  const ddl = `CREATE TABLE ${name} (\n${cols.join(",\n")}\n)\n${comment ? `COMMENT '${comment.replace(/'/g, "''")}'\n` : ""}WITH (\n${props.join(",\n")}\n)`;
  return literalResult(ctx.duck, [{ name: "Create Table", type: "VARCHAR" }], [[quoteString(ddl)]]);
}
