/**
 * A SQL session: one DuckDB connection, the current catalog and schema, and statement
 * dispatch. Lakehouse statements (DDL, DML, SHOW, CALL) run here; queries are rewritten so
 * lakehouse tables become scans, then DuckDB executes them.
 */
import type { Catalog } from "../catalog/catalog.js";
import type { Duck } from "../duckdb/connection.js";
import { registerIcebergFunctions } from "../duckdb/functions.js";
import { AccessDeniedError, NoSuchTableError, UnsupportedOperationError } from "../errors.js";
import { qualifiedText, resolveTableName, type SessionContext } from "./context.js";
import { EngineFailureError } from "./execution/duckdb-errors.js";
import type { AdmissionTicket, QueryAdmission } from "./execution/query-admission.js";
import { type ExecuteOptions, StatementControl } from "./execution/statement-control.js";
import {
  type RewriteOptions,
  type RewrittenQuery,
  rewriteQuery,
  type TableResolver,
} from "./query/rewrite.js";
import { readerResult, type StatementResult } from "./result.js";
import { type QueryPolicy, SANDBOXED } from "./sandbox/query-policy.js";
import { parseStatement, type Statement } from "./sql/statement.js";
import { splitStatements } from "./sql/tokenizer.js";
import { duckStream, resultStream, type StatementStream } from "./statement-stream.js";
import { alterTable, commentOnColumn, commentOnTable, dropTable } from "./statements/alter-table.js";
import { call } from "./statements/call.js";
import { createTable, createTableAs } from "./statements/create-table.js";
import { deleteRows } from "./statements/delete.js";
import { insert } from "./statements/insert.js";
import { mergeRows } from "./statements/merge.js";
import { createSchema, dropSchema, useSchema } from "./statements/schema-ddl.js";
import { showCatalogs, showColumns, showCreateTable, showSchemas, showTables } from "./statements/show.js";
import { updateRows } from "./statements/update.js";

/** Where a session starts. */
export interface SessionOptions {
  readonly catalog?: string | undefined;
  readonly schema?: string | undefined;
  /**
   * Only statements that read may run (queries, EXPLAIN, SHOW, USE); others fail with
   * AccessDeniedError (default false). For read-only principals.
   */
  readonly readOnly?: boolean | undefined;
}

/** Statement kinds a read-only session may run. */
const READ_KINDS: ReadonlySet<Statement["kind"]> = new Set([
  "query",
  "explain",
  "showCatalogs",
  "showSchemas",
  "showTables",
  "showColumns",
  "showCreateTable",
  "use",
]);

/** How a session is wired to its lakehouse. */
export interface SessionServices {
  /** What the session's SQL may reach (default: {@link SANDBOXED}, no file access). */
  readonly policy?: QueryPolicy | undefined;
  /** Admission of statements (default: none, every statement runs at once). */
  readonly admission?: QueryAdmission | undefined;
  /** Aborted when every statement must stop (the server shuts down). */
  readonly signal?: AbortSignal | undefined;
  /** Called when a statement's failure invalidated the DuckDB instance. */
  readonly onEngineFailure?: ((e: EngineFailureError) => void) | undefined;
}

/** DuckDB schemas that are never lakehouse namespaces. */
const DUCKDB_SCHEMAS = new Set(["information_schema", "pg_catalog", "main", "temp", "memory", "system"]);

/** A SQL session over the lakehouse's catalogs. Not safe for concurrent statements: use one session per client. */
export class Session implements SessionContext {
  readonly duck: Duck;
  readonly catalogs: ReadonlyMap<string, Catalog>;
  currentCatalog: string | undefined;
  currentSchema: string | undefined;

  /** What the session's SQL may reach (the SQL sandbox's statement check). */
  readonly policy: QueryPolicy;
  /** Resolves table references in queries (see {@link TableResolver}). */
  readonly resolver: TableResolver;
  readonly #services: SessionServices;
  /** Whether only reading statements may run (see {@link SessionOptions.readOnly}). */
  readonly readOnly: boolean;

  constructor(
    duck: Duck,
    catalogs: ReadonlyMap<string, Catalog>,
    opts: SessionOptions = {},
    services: SessionServices = {},
  ) {
    this.duck = duck;
    this.catalogs = catalogs;
    this.currentCatalog = opts.catalog;
    this.currentSchema = opts.schema;
    this.policy = services.policy ?? SANDBOXED;
    this.#services = services;
    this.readOnly = opts.readOnly ?? false;
    this.resolver = {
      policy: this.policy,
      missing: (parts) => {
        try {
          return new NoSuchTableError(
            `Table '${qualifiedText(resolveTableName(this, parts))}' does not exist`,
          );
        } catch (e) {
          return e as Error;
        }
      },
      resolve: async (parts) => {
        const lower = parts;
        if (lower.length === 1 && (!this.currentCatalog || !this.currentSchema)) return undefined;
        if (lower.length === 2 && (!this.currentCatalog || DUCKDB_SCHEMAS.has(lower[0]!))) return undefined;
        if (lower.length >= 3 && !this.catalogs.has(lower[0]!)) return undefined;
        if (lower.length === 1 && DUCKDB_SCHEMAS.has(this.currentSchema!)) return undefined;
        const r = resolveTableName(this, lower);
        try {
          return { table: await r.catalog.loadTable(r.id), qualifiedName: qualifiedText(r) };
        } catch (e) {
          if (!(e instanceof NoSuchTableError)) throw e;
          // A bare or two-part name that is not in the lakehouse may be a DuckDB object; a
          // fully qualified lakehouse name must exist.
          if (lower.length >= 3) throw new NoSuchTableError(`Table '${qualifiedText(r)}' does not exist`);
          return undefined;
        }
      },
    };
    registerIcebergFunctions(duck.connection);
  }

  /** Rewrites a query for DuckDB. */
  async rewrite(query: string): Promise<string> {
    return (await rewriteQuery(this.duck, this.resolver, query)).sql;
  }

  /** Rewrites a query for DuckDB, with options, returning the planned scans too. */
  rewriteQuery(query: string, opts?: RewriteOptions): Promise<RewrittenQuery> {
    return rewriteQuery(this.duck, this.resolver, query, opts);
  }

  /**
   * Executes one statement, whole (see {@link stream} for results of any size).
   * @throws ValidationError (syntax, names), NoSuchTableError, AlreadyExistsError, DataError,
   * CommitFailedError ..., AccessDeniedError (the sandbox), ExceededLimitError (timeout,
   * memory), QueryCanceledError, and DuckDB's own errors for query execution.
   */
  async execute(sql: string, opts: ExecuteOptions = {}): Promise<StatementResult> {
    const started = await this.#start(opts);
    try {
      return await this.run(parseStatement(sql));
    } catch (e) {
      throw this.#failed(started.control, e);
    } finally {
      started.end();
    }
  }

  /**
   * Executes one statement and streams its result: a query's rows are computed as they are
   * read (see {@link StatementStream}); other statements run to completion first. The
   * statement holds its admission slot and connection until the stream ends or is closed;
   * the timeout and the signal apply until then.
   * @throws as {@link execute}, before the first batch; later errors come from `next()`
   */
  async stream(sql: string, opts: ExecuteOptions = {}): Promise<StatementStream> {
    const started = await this.#start(opts);
    try {
      const s = parseStatement(sql);
      if (s.kind !== "query" && s.kind !== "explain") {
        const result = await this.run(s);
        return resultStream(result, started.end);
      }
      const rewritten = await this.rewrite(s.query);
      const text = s.kind === "explain" ? `EXPLAIN ${s.analyze ? "ANALYZE " : ""}${rewritten}` : rewritten;
      const ds = await this.duck.stream(text);
      return duckStream(
        ds,
        (e) => this.#failed(started.control, e),
        () => (started.control.signal.aborted ? (started.control.signal.reason as unknown) : undefined),
        started.end,
      );
    } catch (e) {
      started.end();
      throw this.#failed(started.control, e);
    }
  }

  /** Admits a statement and starts its control; `end` (idempotent) releases both. */
  async #start(opts: ExecuteOptions): Promise<{ control: StatementControl; end: () => void }> {
    const control = new StatementControl(this.duck, {
      signal: opts.signal,
      signals: this.#services.signal ? [this.#services.signal] : [],
      timeoutMs: opts.timeoutMs,
    });
    let ticket: AdmissionTicket | undefined;
    try {
      ticket = await this.#services.admission?.acquire(control.signal);
    } catch (e) {
      control.dispose();
      throw control.error(e);
    }
    let ended = false;
    return {
      control,
      end: () => {
        if (ended) return;
        ended = true;
        control.dispose();
        ticket?.release();
      },
    };
  }

  /** The error to report for a failed statement; an engine failure is reported to the lakehouse. */
  #failed(control: StatementControl, e: unknown): unknown {
    const out = control.error(e);
    if (out instanceof EngineFailureError) this.#services.onEngineFailure?.(out);
    return out;
  }

  /** Executes every statement of a script in order; stops at the first error. */
  async executeScript(script: string): Promise<StatementResult[]> {
    const out: StatementResult[] = [];
    for (const s of splitStatements(script)) out.push(await this.execute(s.sql));
    return out;
  }

  /**
   * Runs a parsed statement.
   * @throws AccessDeniedError for a statement that writes in a read-only session
   */
  async run(s: Statement): Promise<StatementResult> {
    if (this.readOnly && !READ_KINDS.has(s.kind))
      throw new AccessDeniedError(`Access Denied: read-only access: cannot run ${statementName(s)}`);
    switch (s.kind) {
      case "query":
        return readerResult(await this.duck.reader(await this.rewrite(s.query)));
      case "explain": {
        const rewritten = await rewriteQuery(this.duck, this.resolver, s.query);
        return readerResult(await this.duck.reader(`EXPLAIN ${s.analyze ? "ANALYZE " : ""}${rewritten.sql}`));
      }
      case "showCatalogs":
        return showCatalogs(this, s);
      case "showSchemas":
        return showSchemas(this, s);
      case "showTables":
        return showTables(this, s);
      case "showColumns":
        return showColumns(this, s);
      case "showCreateTable":
        return showCreateTable(this, s);
      case "createSchema":
        return createSchema(this, s);
      case "dropSchema":
        return dropSchema(this, s);
      case "use":
        return useSchema(this, s);
      case "createTable":
        return createTable(this, s);
      case "createTableAs":
        return createTableAs(this, s);
      case "insert":
        return insert(this, s);
      case "delete":
        return deleteRows(this, s);
      case "update":
        return updateRows(this, s);
      case "merge":
        return mergeRows(this, s);
      case "dropTable":
        return dropTable(this, s);
      case "alterTable":
        return alterTable(this, s);
      case "commentOnTable":
        return commentOnTable(this, s);
      case "commentOnColumn":
        return commentOnColumn(this, s);
      case "call":
        return call(this, s);
      default:
        throw new UnsupportedOperationError(`statement not supported: ${(s as Statement).kind}`);
    }
  }

  /** Closes the session's DuckDB connection. */
  close(): void {
    this.duck.close();
  }
}

/** A statement's name for messages: `CREATE TABLE`, `INSERT`, `ALTER TABLE` ... */
function statementName(s: Statement): string {
  return s.kind
    .replace(/As$/, " AS SELECT")
    .replace(/[A-Z]/g, (c) => ` ${c}`)
    .toUpperCase();
}
