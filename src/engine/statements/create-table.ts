/**
 * CREATE TABLE (with Trino types and Iceberg table properties) and CREATE TABLE AS SELECT.
 */

import { WRITE_PATH_PROPERTIES } from "../../catalog/metadata-locations.js";
import { SqlCatalog } from "../../catalog/sql/sql-catalog.js";
import { requireUnusedLocation } from "../../catalog/unused-location.js";
import { duckTypeToIceberg } from "../../duckdb/types.js";
import { AlreadyExistsError, ValidationError } from "../../errors.js";
import { isWithin, parseLocation } from "../../io/location-policy.js";
import { assignFreshIds, Schema } from "../../spec/schema.js";
import type { NestedField } from "../../spec/types.js";
import { writeQuery } from "../../table/write-query.js";
import { qualifiedText, type ResolvedName, resolveTableName, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";
import { type ParsedTableProperties, parseTableProperties } from "../table-properties.js";

/** Whether `location` is `root` or below it (both parsed by the location check). */
function under(root: string, location: string): boolean {
  const r = parseLocation(root);
  const l = parseLocation(location);
  return r.ok && l.ok && isWithin(r.location, l.location);
}

function checkColumnNames(fields: readonly NestedField[]): void {
  const seen = new Set<string>();
  for (const f of fields) {
    const key = f.name.toLowerCase();
    if (seen.has(key)) throw new ValidationError(`Column name '${f.name}' specified more than once`);
    seen.add(key);
  }
}

/**
 * Refuses an explicit `location` that holds files other than an Iceberg table's leftovers (see
 * `requireUnusedLocation`), before a CREATE OR REPLACE drops anything. `replaced` is the
 * location of the table a CREATE OR REPLACE drops: it and places under it may be reused.
 * Locations a SQL catalog refuses anyway (outside its warehouse) are not listed.
 * @throws ValidationError naming the location
 */
async function checkLocationUnused(
  r: ResolvedName,
  location: string | undefined,
  replaced: string | undefined,
): Promise<void> {
  if (location === undefined) return;
  const normalized = location.replace(/\/+$/, "");
  if (replaced !== undefined && under(replaced, normalized)) return;
  if (r.catalog instanceof SqlCatalog && !r.catalog.inWarehouse(normalized)) return;
  await requireUnusedLocation(r.catalog.io, normalized);
}

/**
 * Checks the new table's location and write paths with the catalog's location check before a
 * `CREATE OR REPLACE` drops the table it replaces (the catalog checks them again on create).
 * @throws ValidationError naming the field
 */
function checkNewLocations(r: ResolvedName, props: ParsedTableProperties): void {
  const policy = r.catalog.locations;
  if (!policy) return;
  if (props.location !== undefined) policy.check("location", props.location);
  for (const key of WRITE_PATH_PROPERTIES) {
    const value = props.properties[key];
    if (value !== undefined) policy.check(`properties.${key}`, value);
  }
}

/** Creates the table in its catalog from parsed properties and an optional comment. */
function createWithProperties(
  r: ResolvedName,
  schema: Schema,
  props: ParsedTableProperties,
  comment: string | undefined,
) {
  return r.catalog.createTable(r.id, {
    schema,
    partitionSpec: props.partitionSpec,
    sortOrder: props.sortOrder,
    location: props.location,
    formatVersion: props.formatVersion,
    properties: { ...props.properties, ...(comment !== undefined ? { comment } : {}) },
  });
}

/** CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name (columns) [COMMENT] [WITH (...)]. */
export async function createTable(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "createTable" }>,
): Promise<StatementResult> {
  const r = resolveTableName(ctx, s.name);
  const fields: NestedField[] = s.columns.map((c, i) => ({
    id: i + 1,
    name: c.name,
    required: c.notNull,
    type: c.type,
    doc: c.comment,
  }));
  checkColumnNames(fields);
  // Nested types come with placeholder ids: a create request needs unique ones (Java refuses
  // duplicates), so number them as the catalog will (top level 1..n, then nested).
  const schema = new Schema(0, assignFreshIds(fields, 0).fields);
  const props = parseTableProperties(s.properties, schema, r.catalogName);
  if (await r.catalog.tableExists(r.id)) {
    if (s.ifNotExists) return updateResult("CREATE TABLE");
    if (!s.orReplace) throw new AlreadyExistsError(`Table '${qualifiedText(r)}' already exists`);
    await checkLocationUnused(r, props.location, (await r.catalog.loadTable(r.id)).metadata.location);
    checkNewLocations(r, props);
    await r.catalog.dropTable(r.id, true);
  } else await checkLocationUnused(r, props.location, undefined);
  await createWithProperties(r, schema, props, s.comment);
  return updateResult("CREATE TABLE");
}

/**
 * CREATE TABLE name [(aliases)] [COMMENT] [WITH (...)] AS query [WITH [NO] DATA]. The table is
 * created from the query's column types; if writing the data fails, the table is dropped again.
 */
export async function createTableAs(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "createTableAs" }>,
): Promise<StatementResult> {
  const r = resolveTableName(ctx, s.name);
  const exists = await r.catalog.tableExists(r.id);
  if (exists && s.ifNotExists) return updateResult("CREATE TABLE", 0n);
  if (exists && !s.orReplace) throw new AlreadyExistsError(`Table '${qualifiedText(r)}' already exists`);
  const query = await ctx.rewrite(s.query);
  const described = await ctx.duck.reader(`SELECT * FROM (${query}) AS q LIMIT 0`);
  const names = s.columnAliases ?? described.columnNames();
  const types = described.columnTypes();
  if (names.length !== types.length) {
    throw new ValidationError(
      `Column alias list has ${names.length} entries but the query has ${types.length} columns`,
    );
  }
  const fields: NestedField[] = names.map((name, i) => ({
    id: i + 1,
    name,
    required: false,
    type: duckTypeToIceberg(types[i]!, `column ${name}`),
  }));
  checkColumnNames(fields);
  // Nested types come with placeholder ids: a create request needs unique ones (Java refuses
  // duplicates), so number them as the catalog will (top level 1..n, then nested).
  const schema = new Schema(0, assignFreshIds(fields, 0).fields);
  const props = parseTableProperties(s.properties, schema, r.catalogName);
  await checkLocationUnused(
    r,
    props.location,
    exists ? (await r.catalog.loadTable(r.id)).metadata.location : undefined,
  );
  checkNewLocations(r, props);
  if (exists) await r.catalog.dropTable(r.id, true);
  const table = await createWithProperties(r, schema, props, s.comment);
  if (!s.withData) return updateResult("CREATE TABLE", 0n);
  try {
    const written = await writeQuery(ctx.duck, table, query, { tableName: qualifiedText(r) });
    return updateResult("CREATE TABLE", written.rows);
  } catch (e) {
    await r.catalog.dropTable(r.id, true).catch(() => {});
    throw e;
  }
}
