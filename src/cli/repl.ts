/**
 * The interactive SQL shell of `aichemy sql`: statements end with `;` (multi-line input),
 * history is kept in `~/.aichemy_history` (or `AICHEMY_HISTORY_FILE`), and Tab completes
 * keywords and catalog, schema and table names.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Session } from "../engine/session.js";
import { splitStatements } from "../engine/sql/tokenizer.js";
import { namespaceToString } from "../spec/identifier.js";
import { errorMessage } from "./errors.js";
import { formatResult, type OutputFormat } from "./format.js";

const KEYWORDS = [
  "SELECT",
  "FROM",
  "WHERE",
  "GROUP BY",
  "ORDER BY",
  "LIMIT",
  "JOIN",
  "LEFT JOIN",
  "WITH",
  "AS",
  "AND",
  "OR",
  "NOT",
  "INSERT INTO",
  "VALUES",
  "CREATE TABLE",
  "CREATE SCHEMA",
  "DROP TABLE",
  "DROP SCHEMA",
  "ALTER TABLE",
  "ADD COLUMN",
  "DROP COLUMN",
  "RENAME COLUMN",
  "RENAME TO",
  "COMMENT ON",
  "SHOW CATALOGS",
  "SHOW SCHEMAS",
  "SHOW TABLES",
  "SHOW COLUMNS",
  "SHOW CREATE TABLE",
  "DESCRIBE",
  "USE",
  "CALL",
  "FOR VERSION AS OF",
  "FOR TIMESTAMP AS OF",
  "EXPLAIN",
  "PARTITIONING",
  "FORMAT_VERSION",
];

/** All completable names: catalogs, `catalog.schema`, `catalog.schema.table`, `schema.table`. */
async function completionNames(session: Session): Promise<string[]> {
  const out: string[] = [];
  for (const [name, catalog] of session.catalogs) {
    out.push(name);
    try {
      for (const ns of await catalog.listNamespaces()) {
        const schema = namespaceToString(ns);
        out.push(`${name}.${schema}`);
        if (name === session.currentCatalog) out.push(schema);
        for (const t of await catalog.listTables(ns)) {
          out.push(`${name}.${schema}.${t.name}`);
          if (name === session.currentCatalog) out.push(`${schema}.${t.name}`);
          if (name === session.currentCatalog && schema === session.currentSchema) out.push(t.name);
        }
      }
    } catch {
      // completion is best effort
    }
  }
  return out;
}

/** Runs the shell until `quit`, `exit` or end of input. */
export async function runRepl(session: Session, format: OutputFormat): Promise<void> {
  const historyFile = process.env.AICHEMY_HISTORY_FILE ?? join(homedir(), ".aichemy_history");
  let history: string[] = [];
  try {
    history = readFileSync(historyFile, "utf8").split("\n").filter(Boolean).reverse().slice(0, 1000);
  } catch {
    history = [];
  }
  let names = await completionNames(session);
  const completer = (line: string): [string[], string] => {
    const word = /[\w."$]*$/.exec(line)?.[0] ?? "";
    const lower = word.toLowerCase();
    const hits = [...names, ...KEYWORDS].filter((c) => c.toLowerCase().startsWith(lower));
    return [hits.length > 0 ? hits : [], word];
  };
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    completer,
    history,
    historySize: 1000,
    terminal: true,
  });
  const prompt = () =>
    rl.setPrompt(
      `aichemy:${session.currentCatalog ?? ""}${session.currentSchema ? `.${session.currentSchema}` : ""}> `,
    );
  prompt();
  rl.prompt();
  let buffer = "";
  for await (const line of rl) {
    const trimmed = line.trim();
    if (buffer === "" && /^(quit|exit|\\q)\s*;?$/i.test(trimmed)) break;
    buffer += (buffer ? "\n" : "") + line;
    if (!/;\s*$/.test(buffer) || buffer.trim() === "") {
      if (buffer.trim() === "") buffer = "";
      rl.setPrompt(buffer ? "     -> " : "aichemy> ");
      if (!buffer) prompt();
      rl.prompt();
      continue;
    }
    try {
      appendFileSync(historyFile, `${buffer.replace(/\n/g, " ")}\n`);
    } catch {
      // history is optional
    }
    for (const stmt of splitStatements(buffer)) {
      const started = Date.now();
      try {
        const result = await session.execute(stmt.sql);
        process.stdout.write(`${formatResult(result, format)}\n`);
        process.stdout.write(`Query finished in ${((Date.now() - started) / 1000).toFixed(2)}s\n\n`);
        if (result.updateType) names = await completionNames(session);
      } catch (e) {
        process.stderr.write(`${errorMessage(e)}\n\n`);
      }
    }
    buffer = "";
    prompt();
    rl.prompt();
  }
  rl.close();
}
