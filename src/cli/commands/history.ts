/**
 * `aichemy history ns.t`: the table's snapshots, oldest first: id, time, operation, parent,
 * and the summary as `key=value` pairs.
 */

import type { Config } from "../../config/config.js";
import { quoteString } from "../../duckdb/sql.js";
import { literalResult } from "../../engine/result.js";
import { NoSuchTableError } from "../../errors.js";
import { identifierToString, parseIdentifier } from "../../spec/identifier.js";
import { formatResult, type OutputFormat } from "../format.js";
import { openLakehouse } from "../open-lakehouse.js";

/** Prints a table's snapshot history. @throws NoSuchTableError */
export async function history(config: Config, table: string, format: OutputFormat): Promise<void> {
  const lakehouse = await openLakehouse(config);
  try {
    const id = parseIdentifier(table);
    const catalog = lakehouse.catalog();
    if (!(await catalog.tableExists(id)))
      throw new NoSuchTableError(`Table '${config.catalog}.${identifierToString(id)}' does not exist`);
    const t = await catalog.loadTable(id);
    const current = t.currentSnapshot()?.snapshotId;
    const rows = [...t.metadata.snapshots]
      .sort((a, b) => a.timestampMs - b.timestampMs)
      .map((s) => [
        String(s.snapshotId),
        `make_timestamptz(${BigInt(s.timestampMs) * 1000n})`,
        quoteString(s.summary.operation),
        s.parentSnapshotId === undefined ? "NULL" : String(s.parentSnapshotId),
        s.snapshotId === current ? "true" : "false",
        quoteString(
          Object.entries(s.summary)
            .filter(([k]) => k !== "operation")
            .map(([k, v]) => `${k}=${v}`)
            .join(", "),
        ),
      ]);
    const result = await literalResult(
      lakehouse.duck,
      [
        { name: "snapshot_id", type: "BIGINT" },
        { name: "committed_at", type: "TIMESTAMPTZ" },
        { name: "operation", type: "VARCHAR" },
        { name: "parent_id", type: "BIGINT" },
        { name: "is_current", type: "BOOLEAN" },
        { name: "summary", type: "VARCHAR" },
      ],
      rows,
    );
    process.stdout.write(`${formatResult(result, format)}\n`);
  } finally {
    await lakehouse.close();
  }
}
