/**
 * ALTER TABLE (ADD | DROP | RENAME COLUMN incl. nested fields and positions, ALTER COLUMN SET
 * DATA TYPE | DROP NOT NULL | FIRST | AFTER, SET | DROP IDENTIFIER FIELDS, RENAME TO, SET
 * PROPERTIES, EXECUTE), COMMENT ON TABLE |
 * COLUMN, and DROP TABLE. Schema changes commit with `assert-current-schema-id` and retry.
 */
import { NoSuchTableError, ValidationError } from "../../errors.js";
import { assignFreshIds } from "../../spec/schema.js";
import { commitMetadataChange, type MetadataChange } from "../../table/metadata-commit.js";
import {
  addColumn,
  dropColumn,
  dropNotNull,
  moveColumn,
  renameColumn,
  type SchemaChange,
  schemaChangeCommit,
  setColumnDoc,
  setIdentifierFields,
  updateColumnType,
} from "../../table/schema-update.js";
import type { Table } from "../../table/table.js";
import { loadTableOrFail, qualifiedText, resolveTableName, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { Statement } from "../sql/statement.js";
import { bindArguments } from "./call.js";
import { setTableProperties } from "./set-properties.js";
import { dataFilesMatching, executeTableProcedure } from "./table-procedures.js";

/** The commit of a schema change derived from the latest base. */
function schemaCommit(base: Table, change: SchemaChange | undefined): MetadataChange {
  return change ? schemaChangeCommit(base.metadata, change) : undefined;
}

/** DROP TABLE [IF EXISTS]: removes the table and deletes its files (Trino semantics). */
export async function dropTable(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "dropTable" }>,
): Promise<StatementResult> {
  const r = resolveTableName(ctx, s.name);
  try {
    await r.catalog.dropTable(r.id, true);
  } catch (e) {
    if (e instanceof NoSuchTableError) {
      if (s.ifExists) return updateResult("DROP TABLE");
      throw new NoSuchTableError(`Table '${qualifiedText(r)}' does not exist`);
    }
    throw e;
  }
  return updateResult("DROP TABLE");
}

/** ALTER TABLE ... */
export async function alterTable(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "alterTable" }>,
): Promise<StatementResult> {
  const r = resolveTableName(ctx, s.name);
  let table: Table;
  try {
    table = await loadTableOrFail(r);
  } catch (e) {
    if (e instanceof NoSuchTableError && s.ifExists)
      return updateResult(s.action.kind === "renameTable" ? "RENAME TABLE" : "ALTER TABLE");
    throw e;
  }
  const a = s.action;
  switch (a.kind) {
    case "addColumn": {
      const fresh = assignFreshIds([{ id: 0, name: a.column.name, required: false, type: a.column.type }], 0)
        .fields[0]!;
      await commitMetadataChange(table, (base) =>
        schemaCommit(
          base,
          addColumn(base.metadata, base.schema(), a.column.name, fresh.type, {
            doc: a.column.comment,
            required: a.column.notNull,
            ifNotExists: a.ifNotExists,
            position: a.position,
          }),
        ),
      );
      return updateResult("ADD COLUMN");
    }
    case "dropColumn":
      await commitMetadataChange(table, (base) =>
        schemaCommit(base, dropColumn(base.metadata, base.schema(), a.column, a.ifExists)),
      );
      return updateResult("DROP COLUMN");
    case "renameColumn":
      await commitMetadataChange(table, (base) =>
        schemaCommit(base, renameColumn(base.metadata, base.schema(), a.from, a.to, a.ifExists)),
      );
      return updateResult("RENAME COLUMN");
    case "renameTable": {
      const to = resolveTableName(
        ctx,
        a.to.parts.length === 1 ? [r.catalogName, ...r.id.namespace, a.to.parts[0]!] : a.to,
      );
      if (to.catalogName !== r.catalogName)
        throw new ValidationError("Table rename across catalogs is not supported");
      await r.catalog.renameTable(r.id, to.id);
      return updateResult("RENAME TABLE");
    }
    case "setColumnType":
      await commitMetadataChange(table, (base) =>
        schemaCommit(base, updateColumnType(base.metadata, base.schema(), a.column, a.type)),
      );
      return updateResult("SET COLUMN TYPE");
    case "moveColumn":
      await commitMetadataChange(table, (base) =>
        schemaCommit(base, moveColumn(base.metadata, base.schema(), a.column, a.position)),
      );
      return updateResult("ALTER COLUMN");
    case "dropNotNull":
      await commitMetadataChange(table, (base) =>
        schemaCommit(base, dropNotNull(base.metadata, base.schema(), a.column)),
      );
      return updateResult("DROP NOT NULL");
    case "setIdentifierFields":
    case "dropIdentifierFields":
      await commitMetadataChange(table, (base) => {
        const schema = base.schema();
        let names = a.columns;
        if (a.kind === "dropIdentifierFields") {
          const current = schema.identifierFieldIds.map((id) => schema.columnName(id)!.toLowerCase());
          for (const c of a.columns)
            if (!current.includes(c.toLowerCase()))
              throw new ValidationError(`Cannot drop identifier field '${c}': not an identifier field`);
          const drop = new Set(a.columns.map((c) => c.toLowerCase()));
          names = current.filter((c) => !drop.has(c));
        }
        return schemaCommit(base, setIdentifierFields(base.metadata, schema, names));
      });
      return updateResult(
        a.kind === "setIdentifierFields" ? "SET IDENTIFIER FIELDS" : "DROP IDENTIFIER FIELDS",
      );
    case "setProperties":
      await setTableProperties(table, a.properties, r.catalogName);
      return updateResult("SET PROPERTIES");
    case "execute": {
      const params: Record<string, { name: string; required: boolean }[]> = {
        optimize: [{ name: "file_size_threshold", required: false }],
        optimize_manifests: [],
        expire_snapshots: [{ name: "retention_threshold", required: false }],
        remove_orphan_files: [{ name: "retention_threshold", required: false }],
        rollback_to_snapshot: [{ name: "snapshot_id", required: true }],
      };
      const p = params[a.procedure.toLowerCase()];
      if (!p) throw new ValidationError(`Procedure '${a.procedure}' not registered for table execute`);
      const args = bindArguments(a.procedure, p, a.args);
      if (a.where !== undefined && a.procedure.toLowerCase() !== "optimize")
        throw new ValidationError(`Procedure '${a.procedure}' does not accept a WHERE condition`);
      const dataFiles = a.where === undefined ? undefined : await dataFilesMatching(ctx, s.name, a.where);
      return executeTableProcedure(ctx, table, a.procedure, args, { dataFiles });
    }
  }
}

/** COMMENT ON TABLE t IS '...' | NULL (the Iceberg table property `comment`). */
export async function commentOnTable(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "commentOnTable" }>,
): Promise<StatementResult> {
  const r = resolveTableName(ctx, s.name);
  const table = await loadTableOrFail(r);
  await commitMetadataChange(table, () => ({
    requirements: [],
    updates: [
      s.comment === null
        ? { action: "remove-properties", removals: ["comment"] }
        : { action: "set-properties", updates: { comment: s.comment } },
    ],
  }));
  return updateResult("COMMENT");
}

/** COMMENT ON COLUMN t.c IS '...' | NULL (the field's doc). */
export async function commentOnColumn(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "commentOnColumn" }>,
): Promise<StatementResult> {
  const parts = s.name.parts;
  if (parts.length < 2) throw new ValidationError("COMMENT ON COLUMN needs table.column");
  const r = resolveTableName(ctx, parts.slice(0, -1));
  const column = parts[parts.length - 1]!;
  const table = await loadTableOrFail(r);
  await commitMetadataChange(table, (base) =>
    schemaCommit(base, setColumnDoc(base.metadata, base.schema(), column, s.comment)),
  );
  return updateResult("COMMENT");
}
