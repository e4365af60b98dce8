/**
 * `aichemy tables`: every table of the embedded catalog with its snapshot count, rows and
 * size from the current snapshot's summary.
 */

import type { Config } from "../../config/config.js";
import { quoteString } from "../../duckdb/sql.js";
import { literalResult } from "../../engine/result.js";
import { namespaceToString } from "../../spec/identifier.js";
import { formatResult, type OutputFormat } from "../format.js";
import { openLakehouse } from "../open-lakehouse.js";

/** Prints the table list. */
export async function tables(config: Config, format: OutputFormat): Promise<void> {
  const lakehouse = await openLakehouse(config);
  try {
    const catalog = lakehouse.catalog();
    const rows: string[][] = [];
    const walk = async (parent: readonly string[]) => {
      for (const ns of await catalog.listNamespaces(parent)) {
        for (const id of await catalog.listTables(ns)) {
          const t = await catalog.loadTable(id);
          const s = t.currentSnapshot();
          rows.push([
            quoteString(namespaceToString(ns)),
            quoteString(id.name),
            String(t.metadata.snapshots.length),
            s?.summary["total-records"] ?? "NULL",
            s?.summary["total-data-files"] ?? "NULL",
            s?.summary["total-files-size"] ?? "NULL",
            s ? `make_timestamptz(${BigInt(s.timestampMs) * 1000n})` : "NULL",
          ]);
        }
        await walk(ns);
      }
    };
    await walk([]);
    const result = await literalResult(
      lakehouse.duck,
      [
        { name: "schema", type: "VARCHAR" },
        { name: "table", type: "VARCHAR" },
        { name: "snapshots", type: "BIGINT" },
        { name: "records", type: "BIGINT" },
        { name: "data_files", type: "BIGINT" },
        { name: "size_bytes", type: "BIGINT" },
        { name: "last_updated", type: "TIMESTAMPTZ" },
      ],
      rows,
    );
    process.stdout.write(`${formatResult(result, format)}\n`);
  } finally {
    await lakehouse.close();
  }
}
