/**
 * Branch and tag procedures: `CALL iceberg.system.create_branch(schema_name, table_name,
 * branch[, snapshot_id])`, `create_tag(..., tag[, snapshot_id])`, `replace_branch` and
 * `replace_tag(..., name, snapshot_id)`, `drop_branch(..., branch)`, `drop_tag(..., tag)`,
 * `fast_forward(..., branch, to)` and `set_current_snapshot(..., snapshot_id | ref)`.
 * Reads use `FOR VERSION AS OF 'name'`; writes to a branch use `INSERT INTO "t@branch"`.
 */
import { ValidationError } from "../../errors.js";
import { createRef, dropRef, fastForward, setCurrentSnapshot } from "../../table/refs.js";
import { loadTableOrFail, resolveTableName, type SessionContext } from "../context.js";
import { type StatementResult, updateResult } from "../result.js";
import type { LiteralValue } from "../sql/parser.js";
import type { CallArgument } from "../sql/statement.js";
import { bindArguments } from "./call.js";

const TABLE = [
  { name: "schema_name", required: true },
  { name: "table_name", required: true },
];

function snapshotIdArg(v: LiteralValue | undefined): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "bigint" && typeof v !== "number")
    throw new ValidationError(`snapshot_id must be a snapshot id, got ${JSON.stringify(String(v))}`);
  return BigInt(v);
}

/**
 * Runs a ref procedure, or returns undefined when `procedure` is not one.
 * @throws ValidationError for bad arguments, unknown refs or snapshots; AlreadyExistsError
 */
export async function refProcedure(
  ctx: SessionContext,
  catalogName: string,
  procedure: string,
  args: readonly CallArgument[],
): Promise<StatementResult | undefined> {
  const table = async (a: Record<string, LiteralValue>) =>
    loadTableOrFail(resolveTableName(ctx, [catalogName, String(a.schema_name), String(a.table_name)]));
  switch (procedure) {
    case "create_branch":
    case "replace_branch":
    case "create_tag":
    case "replace_tag": {
      const kind = procedure.endsWith("tag") ? "tag" : "branch";
      const replace = procedure.startsWith("replace");
      const a = bindArguments(
        procedure,
        [...TABLE, { name: kind, required: true }, { name: "snapshot_id", required: replace }],
        args,
      );
      await createRef(await table(a), String(a[kind]), kind, {
        snapshotId: snapshotIdArg(a.snapshot_id),
        replace,
      });
      return updateResult("CALL");
    }
    case "drop_branch":
    case "drop_tag": {
      const kind = procedure === "drop_tag" ? "tag" : "branch";
      const a = bindArguments(procedure, [...TABLE, { name: kind, required: true }], args);
      await dropRef(await table(a), String(a[kind]), kind);
      return updateResult("CALL");
    }
    case "fast_forward": {
      const a = bindArguments(
        procedure,
        [...TABLE, { name: "branch", required: true }, { name: "to", required: true }],
        args,
      );
      await fastForward(await table(a), String(a.branch), String(a.to));
      return updateResult("CALL");
    }
    case "set_current_snapshot": {
      const a = bindArguments(
        procedure,
        [...TABLE, { name: "snapshot_id", required: false }, { name: "ref", required: false }],
        args,
      );
      const id = snapshotIdArg(a.snapshot_id);
      if ((id === undefined) === (a.ref === undefined || a.ref === null))
        throw new ValidationError("set_current_snapshot: give exactly one of snapshot_id and ref");
      await setCurrentSnapshot(await table(a), id ?? String(a.ref));
      return updateResult("CALL");
    }
    default:
      return undefined;
  }
}
