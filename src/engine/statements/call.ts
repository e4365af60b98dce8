/**
 * CALL catalog.system.<procedure>(...): Trino's Iceberg procedures. `register_table`
 * registers a table written elsewhere (Spark, PyIceberg ...) by its location and optional
 * metadata file name; `unregister_table` removes a table from the catalog without deleting
 * its files.
 */
import { AccessDeniedError, ValidationError } from "../../errors.js";
import { fileUri, hasScheme, joinLocation, schemeOf } from "../../io/location.js";
import { parseLocation } from "../../io/location-policy.js";
import { findCurrentMetadata } from "../../table/find-metadata.js";
import { loadTableOrFail, qualifiedText, resolveTableName, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { LiteralValue } from "../sql/parser.js";
import type { CallArgument, Statement } from "../sql/statement.js";
import { refProcedure } from "./ref-procedures.js";
import { rollbackToSnapshot } from "./table-procedures.js";

/** Binds positional and named arguments to parameter names (Trino procedure call rules). */
export function bindArguments(
  procedure: string,
  params: readonly { name: string; required: boolean }[],
  args: readonly CallArgument[],
): Record<string, LiteralValue> {
  const out: Record<string, LiteralValue> = {};
  let positional = true;
  args.forEach((a, i) => {
    if (a.name === undefined) {
      if (!positional)
        throw new ValidationError(`${procedure}: positional arguments cannot follow named arguments`);
      const p = params[i];
      if (!p)
        throw new ValidationError(
          `${procedure}: too many arguments (${args.length}); parameters are ${params.map((x) => x.name).join(", ")}`,
        );
      out[p.name] = a.value;
    } else {
      positional = false;
      const p = params.find((x) => x.name === a.name!.toLowerCase());
      if (!p)
        throw new ValidationError(
          `${procedure}: unknown argument ${a.name}; parameters are ${params.map((x) => x.name).join(", ")}`,
        );
      if (p.name in out) throw new ValidationError(`${procedure}: duplicate argument ${p.name}`);
      out[p.name] = a.value;
    }
  });
  for (const p of params)
    if (p.required && (out[p.name] === undefined || out[p.name] === null))
      throw new ValidationError(`${procedure}: required argument ${p.name} is missing`);
  return out;
}

/**
 * The `metadata_file_name` of `register_table`: a metadata file's name in the table's
 * `metadata` directory (`00003-<uuid>.metadata.json`, `v3.metadata.json`, gzip variants),
 * never a path (Trino: `Invalid metadata file`).
 * @throws ValidationError naming the argument for anything else
 */
export function metadataFileName(value: unknown): string {
  const name = String(value);
  if (/[/\\]/.test(name) || name.startsWith(".") || !/\.metadata\.json(\.gz)?$/.test(name))
    throw new ValidationError(
      `Invalid metadata file: ${name} (metadata_file_name is the name of a *.metadata.json file in the table's metadata directory)`,
    );
  return name;
}

/**
 * The table location `register_table` was given, as a URI: a plain path becomes a `file:`
 * URI, a relative one resolved against the working directory. The text is checked first with
 * the catalog's location rules (no `.`/`..` segments, raw or encoded, no control characters
 * ...), so that resolving the path never turns it into another place; the catalog then
 * requires the table to be inside its warehouse, as the REST register route does.
 * @throws ValidationError naming `table_location` and what is wrong with it
 */
export function registerLocation(tableLocation: string): string {
  const raw = tableLocation.replace(/\/+$/, "");
  const absolute = hasScheme(raw) || raw.startsWith("/") ? raw : joinLocation(process.cwd(), raw);
  const parsed = parseLocation(absolute);
  if (!parsed.ok)
    throw new ValidationError(
      `register_table: table_location ${JSON.stringify(tableLocation)} is refused: it ${parsed.reason}`,
    );
  return hasScheme(absolute) ? absolute : fileUri(absolute);
}

/**
 * In the SQL sandbox, a catalog with no warehouse of ours (an attached REST catalog) registers
 * no local directory: reading one needs local file access (the CLI's `--allow-local-files`),
 * as reading any other local file does. Our catalogs check their warehouse themselves.
 * @throws AccessDeniedError naming the location
 */
function checkForeignLocation(
  ctx: SessionContext,
  catalogName: string,
  location: string,
  given: string,
): void {
  if (ctx.policy.localFileAccess || schemeOf(location) !== "file") return;
  throw new AccessDeniedError(
    `Access Denied: Cannot register table_location '${given}': catalog '${catalogName}' has no warehouse on this disk (local tables elsewhere need local file access: aichemy sql --allow-local-files)`,
  );
}

/** Dispatches CALL to the procedure. */
export async function call(
  ctx: SessionContext,
  s: Extract<Statement, { kind: "call" }>,
): Promise<StatementResult> {
  const parts = s.procedure.parts;
  const catalogName = parts.length >= 3 ? parts[0]! : ctx.currentCatalog;
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const procedure = parts[parts.length - 1]!;
  if (!catalogName || !ctx.catalogs.has(catalogName))
    throw new ValidationError(`Catalog '${catalogName ?? ""}' not found`);
  if (schema !== "system") throw new ValidationError(`Procedure not registered: ${parts.join(".")}`);
  switch (procedure) {
    case "register_table": {
      const a = bindArguments(
        procedure,
        [
          { name: "schema_name", required: true },
          { name: "table_name", required: true },
          { name: "table_location", required: true },
          { name: "metadata_file_name", required: false },
        ],
        s.args,
      );
      const r = resolveTableName(ctx, [catalogName, String(a.schema_name), String(a.table_name)]);
      const location = registerLocation(String(a.table_location));
      const catalog = r.catalog;
      // Refused before listing anything there (the catalog checks the metadata file again).
      if (catalog.locations) catalog.locations.check("table_location", location);
      else checkForeignLocation(ctx, catalogName, location, String(a.table_location));
      const metadataLocation = a.metadata_file_name
        ? joinLocation(location, "metadata", metadataFileName(a.metadata_file_name))
        : await findCurrentMetadata(catalog.io, location);
      await catalog.registerTable(r.id, metadataLocation);
      return updateResult("CALL");
    }
    case "unregister_table": {
      const a = bindArguments(
        procedure,
        [
          { name: "schema_name", required: true },
          { name: "table_name", required: true },
        ],
        s.args,
      );
      const r = resolveTableName(ctx, [catalogName, String(a.schema_name), String(a.table_name)]);
      if (!(await r.catalog.tableExists(r.id)))
        throw new ValidationError(`Table '${qualifiedText(r)}' not found`);
      await r.catalog.dropTable(r.id, false);
      return updateResult("CALL");
    }
    case "rollback_to_snapshot": {
      const a = bindArguments(
        procedure,
        [
          { name: "schema_name", required: true },
          { name: "table_name", required: true },
          { name: "snapshot_id", required: true },
        ],
        s.args,
      );
      const r = resolveTableName(ctx, [catalogName, String(a.schema_name), String(a.table_name)]);
      await rollbackToSnapshot(await loadTableOrFail(r), a.snapshot_id);
      return updateResult("CALL");
    }
    default: {
      const result = await refProcedure(ctx, catalogName, procedure, s.args);
      if (result) return result;
      throw new ValidationError(`Procedure not registered: ${parts.join(".")}`);
    }
  }
}
