/**
 * The lakehouse statements of the Trino dialect, parsed into a small AST: SHOW, DESCRIBE,
 * CREATE/DROP SCHEMA, CREATE TABLE [AS], INSERT, DROP TABLE, ALTER TABLE, COMMENT ON, CALL,
 * USE, EXPLAIN. Queries (SELECT, WITH, VALUES, TABLE, FROM-first) are kept as text for the
 * query rewriter. Grammar follows Trino's `SqlBase.g4` for these statements.
 */
import { UnsupportedOperationError } from "../../errors.js";
import type { IcebergType } from "../../spec/types.js";
import type { ColumnPosition } from "../../table/schema-update.js";
import { type LiteralValue, Parser, type QualifiedName } from "./parser.js";
import { isKeyword } from "./tokenizer.js";
import { parseTrinoType } from "./trino-types.js";

/** A column of CREATE TABLE or ALTER TABLE ADD COLUMN. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: IcebergType;
  readonly notNull: boolean;
  readonly comment?: string | undefined;
}

/** ALTER TABLE actions. */
export type AlterAction =
  | {
      readonly kind: "addColumn";
      readonly column: ColumnDefinition;
      readonly ifNotExists: boolean;
      readonly position?: ColumnPosition | undefined;
    }
  | { readonly kind: "moveColumn"; readonly column: string; readonly position: ColumnPosition }
  | { readonly kind: "dropNotNull"; readonly column: string }
  | { readonly kind: "setIdentifierFields"; readonly columns: readonly string[] }
  | { readonly kind: "dropIdentifierFields"; readonly columns: readonly string[] }
  | { readonly kind: "dropColumn"; readonly column: string; readonly ifExists: boolean }
  | { readonly kind: "renameColumn"; readonly from: string; readonly to: string; readonly ifExists: boolean }
  | { readonly kind: "renameTable"; readonly to: QualifiedName }
  | { readonly kind: "setColumnType"; readonly column: string; readonly type: IcebergType }
  | { readonly kind: "setProperties"; readonly properties: Record<string, LiteralValue> }
  | {
      readonly kind: "execute";
      readonly procedure: string;
      readonly args: readonly CallArgument[];
      readonly where?: string | undefined;
    };

/** A procedure argument, positional or named (`name => value`). */
export interface CallArgument {
  readonly name?: string | undefined;
  readonly value: LiteralValue;
}

/** `column = expression` of UPDATE and MERGE ... UPDATE SET. */
export interface Assignment {
  readonly column: string;
  readonly expr: string;
}

/** One `WHEN [NOT] MATCHED [AND condition] THEN ...` clause of MERGE. */
export interface MergeClause {
  readonly matched: boolean;
  readonly condition?: string | undefined;
  readonly action:
    | { readonly kind: "update"; readonly assignments: readonly Assignment[] }
    | { readonly kind: "delete" }
    | {
        readonly kind: "insert";
        readonly columns?: readonly string[] | undefined;
        readonly values: readonly string[];
      };
}

/**
 * A parsed statement. `query` fields are the original SQL text of the query part, preceded by
 * the statement's text before it blanked out (offsets, lines and columns are the statement's).
 */
export type Statement =
  | { readonly kind: "query"; readonly query: string }
  | { readonly kind: "explain"; readonly analyze: boolean; readonly query: string }
  | { readonly kind: "showCatalogs"; readonly like?: string | undefined }
  | {
      readonly kind: "showSchemas";
      readonly catalog?: string | undefined;
      readonly like?: string | undefined;
    }
  | {
      readonly kind: "showTables";
      readonly schema?: QualifiedName | undefined;
      readonly like?: string | undefined;
    }
  | { readonly kind: "showColumns"; readonly table: QualifiedName }
  | { readonly kind: "showCreateTable"; readonly table: QualifiedName }
  | {
      readonly kind: "createSchema";
      readonly name: QualifiedName;
      readonly ifNotExists: boolean;
      readonly properties: Record<string, LiteralValue>;
    }
  | {
      readonly kind: "dropSchema";
      readonly name: QualifiedName;
      readonly ifExists: boolean;
      readonly cascade: boolean;
    }
  | {
      readonly kind: "createTable";
      readonly name: QualifiedName;
      readonly orReplace: boolean;
      readonly ifNotExists: boolean;
      readonly columns: readonly ColumnDefinition[];
      readonly comment?: string | undefined;
      readonly properties: Record<string, LiteralValue>;
    }
  | {
      readonly kind: "createTableAs";
      readonly name: QualifiedName;
      readonly orReplace: boolean;
      readonly ifNotExists: boolean;
      readonly columnAliases?: readonly string[] | undefined;
      readonly comment?: string | undefined;
      readonly properties: Record<string, LiteralValue>;
      readonly query: string;
      readonly withData: boolean;
    }
  | {
      readonly kind: "insert";
      readonly table: QualifiedName;
      readonly columns?: readonly string[] | undefined;
      readonly query: string;
    }
  | {
      readonly kind: "delete";
      readonly table: QualifiedName;
      /** Alias of the table in the WHERE clause (`DELETE FROM t AS x WHERE x.a = 1`). */
      readonly alias?: string | undefined;
      /** The WHERE condition's text, or undefined to delete every row. */
      readonly where?: string | undefined;
    }
  | {
      readonly kind: "update";
      readonly table: QualifiedName;
      readonly alias?: string | undefined;
      readonly assignments: readonly Assignment[];
      readonly where?: string | undefined;
    }
  | {
      readonly kind: "merge";
      readonly target: QualifiedName;
      readonly targetAlias?: string | undefined;
      /** A table name or a parenthesized query, as source text. */
      readonly source: string;
      readonly sourceAlias?: string | undefined;
      /** Column aliases of the source (`USING (VALUES ...) AS s(a, b)`). */
      readonly sourceColumns?: readonly string[] | undefined;
      readonly on: string;
      readonly clauses: readonly MergeClause[];
    }
  | { readonly kind: "dropTable"; readonly name: QualifiedName; readonly ifExists: boolean }
  | {
      readonly kind: "alterTable";
      readonly name: QualifiedName;
      readonly ifExists: boolean;
      readonly action: AlterAction;
    }
  | { readonly kind: "commentOnTable"; readonly name: QualifiedName; readonly comment: string | null }
  | { readonly kind: "commentOnColumn"; readonly name: QualifiedName; readonly comment: string | null }
  | { readonly kind: "call"; readonly procedure: QualifiedName; readonly args: readonly CallArgument[] }
  | { readonly kind: "use"; readonly name: QualifiedName };

const QUERY_STARTS = new Set(["SELECT", "WITH", "VALUES", "TABLE", "FROM"]);

/**
 * Parses one statement.
 * @throws ValidationError naming line and column of the first token that does not fit.
 */
export function parseStatement(sql: string): Statement {
  const p = new Parser(sql);
  const first = p.peek();
  if (first.kind === "eof") throw p.error("empty statement");
  if ((first.kind === "word" && QUERY_STARTS.has(first.text.toUpperCase())) || p.isPunct("("))
    return { kind: "query", query: p.restInPlace() };
  if (p.acceptKeyword("EXPLAIN")) {
    const analyze = p.acceptKeyword("ANALYZE");
    if (p.isPunct("(")) p.parenthesized(); // options such as (TYPE DISTRIBUTED) are accepted and ignored
    return { kind: "explain", analyze, query: p.restInPlace() };
  }
  if (p.acceptKeyword("SHOW")) return parseShow(p);
  if (p.acceptKeyword("DESCRIBE") || p.acceptKeyword("DESC")) {
    const table = p.qualifiedName("table name");
    p.expectEnd();
    return { kind: "showColumns", table };
  }
  if (p.acceptKeyword("CREATE")) return parseCreate(p);
  if (p.acceptKeyword("DROP")) return parseDrop(p);
  if (p.acceptKeyword("INSERT")) return parseInsert(p);
  if (p.acceptKeyword("DELETE")) return parseDelete(p);
  if (p.acceptKeyword("UPDATE")) return parseUpdate(p);
  if (p.acceptKeyword("MERGE")) return parseMerge(p);
  if (p.acceptKeyword("ALTER")) return parseAlter(p);
  if (p.acceptKeyword("COMMENT")) return parseComment(p);
  if (p.acceptKeyword("CALL")) {
    const procedure = p.qualifiedName("procedure name");
    const args = parseCallArguments(p);
    p.expectEnd();
    return { kind: "call", procedure, args };
  }
  for (const kw of [
    "TRUNCATE",
    "GRANT",
    "REVOKE",
    "SET",
    "RESET",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "START",
    "COMMIT",
    "ROLLBACK",
  ]) {
    if (p.isKeyword(kw)) throw new UnsupportedOperationError(`${kw} statements are not supported yet`);
  }
  if (p.acceptKeyword("USE")) {
    const name = p.qualifiedName("schema name");
    p.expectEnd();
    return { kind: "use", name };
  }
  throw p.error(
    `mismatched input '${first.text}'. Expecting: 'ALTER', 'CALL', 'COMMENT', 'CREATE', 'DELETE', 'DESCRIBE', 'DROP', 'EXPLAIN', 'INSERT', 'MERGE', 'SELECT', 'SHOW', 'UPDATE', 'USE', 'VALUES', 'WITH'`,
  );
}

function likePattern(p: Parser): string | undefined {
  if (!p.acceptKeyword("LIKE")) return undefined;
  const pattern = p.string("LIKE pattern");
  if (p.acceptKeyword("ESCAPE")) p.string("escape character");
  return pattern;
}

function parseShow(p: Parser): Statement {
  if (p.acceptKeyword("CATALOGS")) {
    const like = likePattern(p);
    p.expectEnd();
    return { kind: "showCatalogs", like };
  }
  if (p.acceptKeyword("SCHEMAS")) {
    const catalog =
      p.acceptKeyword("FROM") || p.acceptKeyword("IN") ? p.identifier("catalog name") : undefined;
    const like = likePattern(p);
    p.expectEnd();
    return { kind: "showSchemas", catalog, like };
  }
  if (p.acceptKeyword("TABLES")) {
    const schema =
      p.acceptKeyword("FROM") || p.acceptKeyword("IN") ? p.qualifiedName("schema name") : undefined;
    const like = likePattern(p);
    p.expectEnd();
    return { kind: "showTables", schema, like };
  }
  if (p.acceptKeyword("COLUMNS")) {
    if (!p.acceptKeyword("FROM")) p.expectKeyword("IN");
    const table = p.qualifiedName("table name");
    p.expectEnd();
    return { kind: "showColumns", table };
  }
  if (p.acceptKeyword("CREATE", "TABLE")) {
    const table = p.qualifiedName("table name");
    p.expectEnd();
    return { kind: "showCreateTable", table };
  }
  return p.unexpected("'CATALOGS', 'SCHEMAS', 'TABLES', 'COLUMNS', 'CREATE TABLE'");
}

function parseColumn(p: Parser, dotted = false): ColumnDefinition {
  const name = dotted ? p.qualifiedName("column name").parts.join(".") : p.identifier("column name");
  const type = parseTrinoType(p);
  let notNull = false;
  let comment: string | undefined;
  for (;;) {
    if (p.acceptKeyword("NOT", "NULL")) notNull = true;
    else if (p.acceptKeyword("NULL")) notNull = false;
    else if (p.acceptKeyword("COMMENT")) comment = p.string("comment");
    else if (p.acceptKeyword("WITH")) p.properties();
    else break;
  }
  return { name, type, notNull, comment };
}

function parseCreate(p: Parser): Statement {
  const orReplace = p.acceptKeyword("OR", "REPLACE");
  if (p.acceptKeyword("SCHEMA")) {
    const ifNotExists = p.acceptKeyword("IF", "NOT", "EXISTS");
    const name = p.qualifiedName("schema name");
    if (p.acceptKeyword("AUTHORIZATION")) p.identifier("principal");
    const properties = p.acceptKeyword("WITH") ? p.properties() : {};
    p.expectEnd();
    return { kind: "createSchema", name, ifNotExists, properties };
  }
  p.expectKeyword("TABLE");
  const ifNotExists = p.acceptKeyword("IF", "NOT", "EXISTS");
  const name = p.qualifiedName("table name");
  let columns: ColumnDefinition[] | undefined;
  let columnAliases: string[] | undefined;
  if (p.isPunct("(")) {
    // Column definitions have a type after the name; CTAS aliases are bare names.
    const save = p.pos;
    p.next();
    const isAliasList =
      p.peek(1).kind === "punct" &&
      (p.peek(1).text === "," || p.peek(1).text === ")") &&
      (p.peek().kind === "word" || p.peek().kind === "quoted");
    p.pos = save;
    p.expectPunct("(");
    if (isAliasList) {
      columnAliases = [];
      do columnAliases.push(p.identifier("column name"));
      while (p.acceptPunct(","));
    } else {
      columns = [];
      do {
        if (p.isKeyword("LIKE")) throw p.error("CREATE TABLE ... LIKE is not supported");
        columns.push(parseColumn(p));
      } while (p.acceptPunct(","));
    }
    p.expectPunct(")");
  }
  const comment = p.acceptKeyword("COMMENT") ? p.string("comment") : undefined;
  const properties = p.acceptKeyword("WITH") ? p.properties() : {};
  if (p.acceptKeyword("AS")) {
    if (columns) throw p.error("CREATE TABLE AS cannot declare column types; list column names only");
    const rest = p.restInPlace();
    const m = /\s+WITH\s+(NO\s+)?DATA\s*$/i.exec(rest);
    const query = m ? rest.slice(0, m.index) : rest;
    const withData = !m?.[1];
    p.pos = p.tokens.length - 1;
    return {
      kind: "createTableAs",
      name,
      orReplace,
      ifNotExists,
      columnAliases,
      comment,
      properties,
      query,
      withData,
    };
  }
  if (!columns) return p.unexpected("'(' column definitions or 'AS' query");
  p.expectEnd();
  return { kind: "createTable", name, orReplace, ifNotExists, columns, comment, properties };
}

function parseDrop(p: Parser): Statement {
  if (p.acceptKeyword("SCHEMA")) {
    const ifExists = p.acceptKeyword("IF", "EXISTS");
    const name = p.qualifiedName("schema name");
    const cascade = p.acceptKeyword("CASCADE");
    if (!cascade) p.acceptKeyword("RESTRICT");
    p.expectEnd();
    return { kind: "dropSchema", name, ifExists, cascade };
  }
  p.expectKeyword("TABLE");
  const ifExists = p.acceptKeyword("IF", "EXISTS");
  const name = p.qualifiedName("table name");
  p.expectEnd();
  return { kind: "dropTable", name, ifExists };
}

function parseInsert(p: Parser): Statement {
  p.expectKeyword("INTO");
  const table = p.qualifiedName("table name");
  let columns: string[] | undefined;
  // `INSERT INTO t (a, b) SELECT` vs `INSERT INTO t (SELECT ...)`
  if (
    p.isPunct("(") &&
    !isKeyword(p.peek(1), "SELECT") &&
    !isKeyword(p.peek(1), "WITH") &&
    !isKeyword(p.peek(1), "VALUES")
  ) {
    p.expectPunct("(");
    columns = [];
    do columns.push(p.identifier("column name"));
    while (p.acceptPunct(","));
    p.expectPunct(")");
  }
  if (p.atEnd()) return p.unexpected("query or VALUES");
  return { kind: "insert", table, columns, query: p.restInPlace() };
}

/** `DELETE FROM t [[AS] alias] [WHERE condition]` (Trino). */
function parseDelete(p: Parser): Statement {
  p.expectKeyword("FROM");
  const table = p.qualifiedName("table name");
  let alias: string | undefined;
  if (p.acceptKeyword("AS")) alias = p.identifier("alias");
  else if (!p.atEnd() && !p.isKeyword("WHERE")) alias = p.identifier("alias");
  if (p.atEnd()) return { kind: "delete", table, alias };
  p.expectKeyword("WHERE");
  if (p.atEnd()) return p.unexpected("condition");
  return { kind: "delete", table, alias, where: p.rest() };
}

/** An optional `[AS] alias` before one of `stop` (or the end). */
function optionalAlias(p: Parser, stop: readonly string[]): string | undefined {
  if (p.acceptKeyword("AS")) return p.identifier("alias");
  if (!p.atEnd() && !stop.some((k) => p.isKeyword(k))) return p.identifier("alias");
  return undefined;
}

/** `column = expression [, ...]` up to one of `stop`. */
function parseAssignments(p: Parser, stop: readonly string[]): Assignment[] {
  const out: Assignment[] = [];
  do {
    const column = p.identifier("column name");
    p.expectPunct("=");
    out.push({ column, expr: p.expressionText(stop) });
  } while (p.acceptPunct(","));
  return out;
}

/** `UPDATE t [[AS] alias] SET c = e [, ...] [WHERE condition]` (Trino). */
function parseUpdate(p: Parser): Statement {
  const table = p.qualifiedName("table name");
  const alias = optionalAlias(p, ["SET"]);
  p.expectKeyword("SET");
  const assignments = parseAssignments(p, ["WHERE"]);
  if (p.atEnd()) return { kind: "update", table, alias, assignments };
  p.expectKeyword("WHERE");
  if (p.atEnd()) return p.unexpected("condition");
  return { kind: "update", table, alias, assignments, where: p.rest() };
}

/**
 * `MERGE INTO t [[AS] a] USING source [[AS] s] ON condition` followed by
 * `WHEN MATCHED [AND c] THEN UPDATE SET ... | DELETE` and
 * `WHEN NOT MATCHED [AND c] THEN INSERT [(columns)] VALUES (...)` clauses (Trino).
 */
function parseMerge(p: Parser): Statement {
  p.expectKeyword("INTO");
  const target = p.qualifiedName("table name");
  const targetAlias = optionalAlias(p, ["USING"]);
  p.expectKeyword("USING");
  let source: string;
  if (p.isPunct("(")) source = `(${p.parenthesized()})`;
  else {
    const n = p.qualifiedName("source table");
    source = p.sql.slice(n.start, n.end);
  }
  const sourceAlias = optionalAlias(p, ["ON"]);
  let sourceColumns: string[] | undefined;
  if (sourceAlias !== undefined && p.isPunct("(")) {
    p.expectPunct("(");
    sourceColumns = [];
    do sourceColumns.push(p.identifier("column name"));
    while (p.acceptPunct(","));
    p.expectPunct(")");
  }
  p.expectKeyword("ON");
  const on = p.expressionText(["WHEN"]);
  const clauses: MergeClause[] = [];
  while (p.acceptKeyword("WHEN")) {
    const matched = !p.acceptKeyword("NOT");
    p.expectKeyword("MATCHED");
    const condition = p.acceptKeyword("AND") ? p.expressionText(["THEN"]) : undefined;
    p.expectKeyword("THEN");
    if (matched && p.acceptKeyword("UPDATE")) {
      p.expectKeyword("SET");
      clauses.push({
        matched,
        condition,
        action: { kind: "update", assignments: parseAssignments(p, ["WHEN"]) },
      });
    } else if (matched && p.acceptKeyword("DELETE")) {
      clauses.push({ matched, condition, action: { kind: "delete" } });
    } else if (!matched && p.acceptKeyword("INSERT")) {
      let columns: string[] | undefined;
      if (p.isPunct("(")) {
        p.expectPunct("(");
        columns = [];
        do columns.push(p.identifier("column name"));
        while (p.acceptPunct(","));
        p.expectPunct(")");
      }
      p.expectKeyword("VALUES");
      p.expectPunct("(");
      const values: string[] = [];
      do values.push(p.expressionText());
      while (p.acceptPunct(","));
      p.expectPunct(")");
      clauses.push({ matched, condition, action: { kind: "insert", columns, values } });
    } else p.unexpected(matched ? "'UPDATE' or 'DELETE'" : "'INSERT'");
  }
  if (clauses.length === 0) p.unexpected("'WHEN'");
  p.expectEnd();
  return { kind: "merge", target, targetAlias, source, sourceAlias, sourceColumns, on, clauses };
}

/** `FIRST | LAST | AFTER column` after a column definition or `ALTER COLUMN c`, if present. */
function parseColumnPosition(p: Parser): ColumnPosition | undefined {
  if (p.acceptKeyword("FIRST")) return { kind: "first" };
  if (p.acceptKeyword("LAST")) return { kind: "last" };
  if (p.acceptKeyword("AFTER"))
    return { kind: "after", column: p.qualifiedName("column name").parts.join(".") };
  return undefined;
}

/** `a, b.c, ...` (optionally in parentheses): dotted column names. */
function parseColumnList(p: Parser): string[] {
  const paren = p.acceptPunct("(");
  const columns: string[] = [];
  do columns.push(p.qualifiedName("column name").parts.join("."));
  while (p.acceptPunct(","));
  if (paren) p.expectPunct(")");
  return columns;
}

function parseAlter(p: Parser): Statement {
  p.expectKeyword("TABLE");
  const ifExists = p.acceptKeyword("IF", "EXISTS");
  const name = p.qualifiedName("table name");
  let action: AlterAction;
  if (p.acceptKeyword("ADD", "COLUMN")) {
    const ifNotExists = p.acceptKeyword("IF", "NOT", "EXISTS");
    const column = parseColumn(p, true);
    action = { kind: "addColumn", column, ifNotExists, position: parseColumnPosition(p) };
  } else if (p.acceptKeyword("DROP", "COLUMN")) {
    const ifExistsCol = p.acceptKeyword("IF", "EXISTS");
    action = {
      kind: "dropColumn",
      column: p.qualifiedName("column name").parts.join("."),
      ifExists: ifExistsCol,
    };
  } else if (p.acceptKeyword("RENAME", "COLUMN")) {
    const ifExistsCol = p.acceptKeyword("IF", "EXISTS");
    const from = p.qualifiedName("column name").parts.join(".");
    p.expectKeyword("TO");
    action = { kind: "renameColumn", from, to: p.identifier("column name"), ifExists: ifExistsCol };
  } else if (p.acceptKeyword("ALTER", "COLUMN")) {
    const column = p.qualifiedName("column name").parts.join(".");
    const position = parseColumnPosition(p);
    if (position) action = { kind: "moveColumn", column, position };
    else if (p.acceptKeyword("DROP", "NOT", "NULL")) action = { kind: "dropNotNull", column };
    else {
      p.expectKeyword("SET", "DATA", "TYPE");
      action = { kind: "setColumnType", column, type: parseTrinoType(p) };
    }
  } else if (p.acceptKeyword("SET", "IDENTIFIER", "FIELDS")) {
    action = { kind: "setIdentifierFields", columns: parseColumnList(p) };
  } else if (p.acceptKeyword("DROP", "IDENTIFIER", "FIELDS")) {
    action = { kind: "dropIdentifierFields", columns: parseColumnList(p) };
  } else if (p.acceptKeyword("RENAME", "TO")) {
    action = { kind: "renameTable", to: p.qualifiedName("table name") };
  } else if (p.acceptKeyword("SET", "PROPERTIES")) {
    const properties: Record<string, LiteralValue> = {};
    do {
      const key = p.identifier("property name");
      p.expectPunct("=");
      properties[key] = p.acceptKeyword("DEFAULT") ? null : p.literal();
    } while (p.acceptPunct(","));
    action = { kind: "setProperties", properties };
  } else if (p.acceptKeyword("EXECUTE")) {
    const procedure = p.identifier("procedure name");
    const args = p.isPunct("(") ? parseCallArguments(p) : [];
    const where = p.acceptKeyword("WHERE") ? p.rest() : undefined;
    if (where !== undefined) p.pos = p.tokens.length - 1;
    action = { kind: "execute", procedure, args, where };
  } else {
    return p.unexpected(
      "'ADD COLUMN', 'DROP COLUMN', 'RENAME COLUMN', 'ALTER COLUMN', 'RENAME TO', 'SET PROPERTIES', 'SET IDENTIFIER FIELDS', 'DROP IDENTIFIER FIELDS', 'EXECUTE'",
    );
  }
  p.expectEnd();
  return { kind: "alterTable", name, ifExists, action };
}

function parseComment(p: Parser): Statement {
  p.expectKeyword("ON");
  const target = p.acceptKeyword("TABLE")
    ? "table"
    : p.acceptKeyword("COLUMN")
      ? "column"
      : p.unexpected("'TABLE' or 'COLUMN'");
  const name = p.qualifiedName(`${target} name`);
  p.expectKeyword("IS");
  const comment = p.acceptKeyword("NULL") ? null : p.string("comment");
  p.expectEnd();
  return target === "table"
    ? { kind: "commentOnTable", name, comment }
    : { kind: "commentOnColumn", name, comment };
}

/** `(arg, name => arg, ...)` of CALL and table functions: literal values, positional or named. */
export function parseCallArguments(p: Parser): CallArgument[] {
  const args: CallArgument[] = [];
  p.expectPunct("(");
  if (!p.isPunct(")")) {
    do {
      if (
        (p.peek().kind === "word" || p.peek().kind === "quoted") &&
        p.peek(1).kind === "op" &&
        p.peek(1).text === "=>"
      ) {
        const name = p.identifier("argument name");
        p.next();
        args.push({ name, value: p.literal() });
      } else {
        args.push({ value: p.literal() });
      }
    } while (p.acceptPunct(","));
  }
  p.expectPunct(")");
  return args;
}
