/**
 * `aichemy sql`: runs `-e SQL`, `-f FILE`, piped statements, or an interactive shell.
 */
import { readFileSync } from "node:fs";
import type { Config } from "../../config/config.js";
import { splitStatements } from "../../engine/sql/tokenizer.js";
import { errorMessage } from "../errors.js";
import { formatResult, type OutputFormat } from "../format.js";
import { openLakehouse } from "../open-lakehouse.js";
import { runRepl } from "../repl.js";

/** Options of the sql command. */
export interface SqlOptions {
  readonly execute?: string | undefined;
  readonly file?: string | undefined;
  readonly format: OutputFormat;
  readonly schema?: string | undefined;
  /** Let SQL read local files (`read_csv('x.csv')`, `FROM 'x.parquet'`), as DuckDB's CLI does (default false). */
  readonly allowLocalFiles?: boolean | undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Runs the command; returns the exit code (1 after an error). */
export async function sql(config: Config, opts: SqlOptions): Promise<number> {
  const lakehouse = await openLakehouse(config, { localFileAccess: opts.allowLocalFiles });
  try {
    const session = await lakehouse.session({ schema: opts.schema });
    let script: string | undefined = opts.execute;
    if (script === undefined && opts.file !== undefined) script = readFileSync(opts.file, "utf8");
    if (script === undefined && process.stdin.isTTY) {
      await runRepl(session, opts.format);
      return 0;
    }
    script ??= await readStdin();
    const statements = splitStatements(script);
    for (const [i, stmt] of statements.entries()) {
      try {
        const result = await session.execute(stmt.sql);
        const showDdl = result.columns.length > 0 || opts.format === "table";
        if (showDdl) process.stdout.write(`${formatResult(result, opts.format)}\n`);
        if (i < statements.length - 1 && result.columns.length > 0 && opts.format === "table")
          process.stdout.write("\n");
      } catch (e) {
        const where = opts.file
          ? `${opts.file}:${stmt.line}:${stmt.column}: `
          : statements.length > 1
            ? `statement ${i + 1} (line ${stmt.line}): `
            : "";
        process.stderr.write(`${where}${errorMessage(e)}\n`);
        return 1;
      }
    }
    return 0;
  } finally {
    await lakehouse.close();
  }
}
