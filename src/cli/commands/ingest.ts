/**
 * `aichemy ingest FILE... --table ns.t`: loads files into a table, with a progress bar
 * (rows and rows/s) on a terminal.
 */
import cliProgress from "cli-progress";
import type { Config } from "../../config/config.js";
import { ingestFiles } from "../../ingest/file-ingest.js";
import type { FileFormat } from "../../ingest/file-source.js";
import { parseIdentifier } from "../../spec/identifier.js";
import { openLakehouse } from "../open-lakehouse.js";

/** Options of the ingest command. */
export interface IngestCommandOptions {
  readonly table: string;
  readonly mode: "append" | "overwrite" | "upsert";
  /** Key columns of an upsert. */
  readonly keys?: readonly string[] | undefined;
  /** `add` (default) or `none`: see `IngestOptions.schemaEvolution`. */
  readonly schemaEvolution?: "add" | "none" | undefined;
  readonly format?: FileFormat | undefined;
  readonly delimiter?: string | undefined;
  readonly targetFileSize?: number | undefined;
}

/** Runs the command. @throws the ingest's errors (the CLI prints them and exits 1). */
export async function ingest(config: Config, files: string[], opts: IngestCommandOptions): Promise<void> {
  const lakehouse = await openLakehouse(config, { readableFiles: files });
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          format: "ingesting [{bar}] {percentage}% | {rows} rows | {rate} rows/s",
          stream: process.stderr,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  try {
    const duck = await lakehouse.duck.connect();
    // Progress is tracked for the bar, never printed (pragmas: the configuration is locked).
    await duck.run("PRAGMA enable_progress_bar");
    await duck.run("PRAGMA disable_print_progress_bar");
    bar?.start(100, 0, { rows: 0, rate: 0 });
    const session = opts.mode === "upsert" ? await lakehouse.session() : undefined;
    const result = await ingestFiles(duck, lakehouse.catalog(), {
      files,
      table: parseIdentifier(opts.table),
      mode: opts.mode,
      keys: opts.keys,
      schemaEvolution: opts.schemaEvolution,
      session,
      format: opts.format,
      delimiter: opts.delimiter,
      targetFileSizeBytes: opts.targetFileSize,
      onProgress: (rows, _total, ms) => {
        const p = duck.connection.progress.percentage;
        bar?.update(Math.max(0, Math.min(100, Math.round(p))), {
          rows: rows.toString(),
          rate: Math.round(Number(rows) / Math.max(ms / 1000, 0.001)),
        });
      },
    });
    bar?.update(100, {
      rows: result.rows.toString(),
      rate: Math.round(Number(result.rows) / Math.max(result.elapsedMs / 1000, 0.001)),
    });
    bar?.stop();
    const rate = Math.round(Number(result.rows) / Math.max(result.elapsedMs / 1000, 0.001));
    const verb = { append: "appended", overwrite: "overwrote with", upsert: "upserted" }[opts.mode];
    const fileCount = opts.mode === "upsert" ? "" : ` in ${result.dataFiles} file(s)`;
    process.stdout.write(
      `${result.created ? "Created table" : "Table"} ${config.catalog}.${opts.table}: ${verb} ${result.rows} rows${fileCount}, ` +
        `snapshot ${result.table.currentSnapshot()?.snapshotId ?? "-"}, ${(result.elapsedMs / 1000).toFixed(2)}s (${rate} rows/s)\n`,
    );
    session?.close();
    duck.close();
  } finally {
    bar?.stop();
    await lakehouse.close();
  }
}
