#!/usr/bin/env node
/**
 * The `aichemy` command line (commander): serve, sql, ingest, tables, history. Global
 * options: `--data-dir` (env `AICHEMY_DATA_DIR`, default `./lakehouse`), `--catalog`.
 * Errors print as `Error [CODE]: message` and exit with code 1.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { type Config, type ConfigFlags, loadConfig, parseSize } from "../config/config.js";
import { history } from "./commands/history.js";
import { ingest } from "./commands/ingest.js";
import { serve } from "./commands/serve.js";
import { sql } from "./commands/sql.js";
import { tables } from "./commands/tables.js";
import { errorMessage } from "./errors.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./format.js";

function sizeArg(value: string): number {
  const n = parseSize(value);
  if (n === undefined) throw new InvalidArgumentError("expected a size like 134217728, 128MB or 1GiB");
  return n;
}

/** Collects a repeatable option's values (undefined when never given, so the environment applies). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const program = new Command();
program
  .name("aichemy")
  .description("AIchemy: an open lakehouse. Apache Iceberg tables, one catalog, SQL over all of it.")
  .version("0.1.0")
  .option("-d, --data-dir <dir>", "lakehouse data directory (env AICHEMY_DATA_DIR; default ./lakehouse)")
  .option(
    "--catalog <spec>",
    "default catalog name (env AICHEMY_CATALOG; default iceberg), or attach a REST catalog: name=rest:<uri>[;warehouse=w][;credential=id:secret][;token=t]; repeatable",
    collect,
  )
  .option(
    "--catalog-url <url>",
    "catalog store: a SQLite file or postgresql://... (env AICHEMY_CATALOG_URL; default <data-dir>/catalog.db)",
  )
  .option(
    "--warehouse <name=location>",
    "create or relocate a warehouse in the store (env AICHEMY_WAREHOUSES); repeatable",
    collect,
  )
  .option("--threads <n>", "DuckDB worker threads (env AICHEMY_THREADS)")
  .option("--memory-limit <size>", "DuckDB memory limit, e.g. 4GB (env AICHEMY_MEMORY_LIMIT)")
  .option(
    "--s3-endpoint <url>",
    "S3-compatible endpoint of s3:// warehouses, e.g. http://127.0.0.1:9000 (env AICHEMY_S3_ENDPOINT; default AWS); keys from AICHEMY_S3_ACCESS_KEY_ID/AICHEMY_S3_SECRET_ACCESS_KEY or the AWS default chain",
  )
  .option("--s3-region <region>", "S3 region (env AICHEMY_S3_REGION; default us-east-1)")
  .option(
    "--s3-path-style",
    "path-style S3 addressing (env AICHEMY_S3_PATH_STYLE; default on with --s3-endpoint)",
  )
  .option(
    "--cache-dir <dir>",
    "disk cache of S3 data files (env AICHEMY_CACHE_DIR; default <data-dir>/cache)",
  )
  .option(
    "--cache-size <size>",
    "size bound of the cache, e.g. 20GiB (env AICHEMY_CACHE_SIZE; default 10GiB)",
    sizeArg,
  )
  .showHelpAfterError();

function config(extra: ConfigFlags = {}): Config {
  const o = program.opts<{
    dataDir?: string;
    catalog?: string[];
    catalogUrl?: string;
    warehouse?: string[];
    threads?: string;
    memoryLimit?: string;
    s3Endpoint?: string;
    s3Region?: string;
    s3PathStyle?: boolean;
    cacheDir?: string;
    cacheSize?: number;
  }>();
  return loadConfig({
    dataDir: o.dataDir,
    catalog: o.catalog,
    catalogUrl: o.catalogUrl,
    warehouses: o.warehouse,
    threads: o.threads,
    memoryLimit: o.memoryLimit,
    s3Endpoint: o.s3Endpoint,
    s3Region: o.s3Region,
    s3PathStyle: o.s3PathStyle,
    cacheDir: o.cacheDir,
    cacheSize: o.cacheSize,
    ...extra,
  });
}

const formatOption = () =>
  new Option("--format <format>", "output format").choices([...OUTPUT_FORMATS]).default("table");

program
  .command("serve")
  .description("start the lakehouse: the Iceberg REST catalog under /v1 and the query API, on --port")
  .option("-p, --port <port>", "HTTP port (env AICHEMY_PORT; default 8181)")
  .option("--host <host>", "bind address (env AICHEMY_HOST; default 127.0.0.1)")
  .option(
    "--auth",
    "require bearer tokens: OAuth2 client credentials or static tokens (env AICHEMY_AUTH=true)",
  )
  .option("--auth-client <id:secret>", "an OAuth2 client (env AICHEMY_AUTH_CLIENTS); repeatable", collect)
  .option(
    "--auth-token <token>",
    "a static bearer token, optionally token=principal (env AICHEMY_AUTH_TOKENS); repeatable",
    collect,
  )
  .option(
    "--auth-secret <secret>",
    "HMAC key of issued tokens (env AICHEMY_AUTH_SECRET; default random per start)",
  )
  .option("--allow-anonymous", "serve without auth on a non-loopback address")
  .option("--auth-issuer <iss>", "iss of issued tokens, required on every token (env AICHEMY_AUTH_ISSUER)")
  .option(
    "--auth-audience <aud>",
    "aud of issued tokens, required on every token (env AICHEMY_AUTH_AUDIENCE)",
  )
  .option(
    "--server-name <name>",
    "a Host name clients use for this server, name or name:port, besides loopback and the bind address; '*' accepts any (env AICHEMY_SERVER_NAMES); repeatable",
    collect,
  )
  .option(
    "--cors-origin <origin>",
    "a browser origin allowed to call the server, e.g. https://app.example.com (env AICHEMY_CORS_ORIGINS); repeatable",
    collect,
  )
  .option(
    "--read-only-principal <name>",
    "a client id or token name that may only read, with read-only delegated storage access (env AICHEMY_READ_ONLY_PRINCIPALS); repeatable",
    collect,
  )
  .addOption(
    new Option(
      "--credential-vending <mode>",
      "vended credentials for S3 tables: sts (scoped AssumeRole), static (the server's keys, unscoped) or off (env AICHEMY_CREDENTIAL_VENDING)",
    ).choices(["off", "sts", "static"]),
  )
  .option(
    "--sts-endpoint <url>",
    "STS endpoint for --credential-vending sts (env AICHEMY_STS_ENDPOINT; default the S3 endpoint)",
  )
  .option(
    "--sts-role-arn <arn>",
    "role assumed for vended credentials (env AICHEMY_STS_ROLE_ARN; AWS needs one)",
  )
  .option(
    "--credential-duration <seconds>",
    "lifetime of vended credentials (env AICHEMY_CREDENTIAL_DURATION; default 3600)",
  )
  .option(
    "--query-timeout <duration>",
    "statement timeout of the query API, e.g. 30s, 10m, 1h; 0: none (env AICHEMY_QUERY_TIMEOUT; default 1h)",
  )
  .option(
    "--query-max-rows <n>",
    "most rows a query API result returns, then truncated; 0: no cap (env AICHEMY_QUERY_MAX_ROWS; default 1000000)",
  )
  .option(
    "--query-max-bytes <size>",
    "most bytes of rows a query API result returns, e.g. 1GiB; 0: no cap (env AICHEMY_QUERY_MAX_BYTES; default 256MiB)",
  )
  .option(
    "--max-concurrent-queries <n>",
    "statements running at once, others wait (env AICHEMY_MAX_CONCURRENT_QUERIES; default 48)",
  )
  .action(
    async (o: {
      port?: string;
      host?: string;
      auth?: boolean;
      authClient?: string[];
      authToken?: string[];
      authSecret?: string;
      allowAnonymous?: boolean;
      authIssuer?: string;
      authAudience?: string;
      serverName?: string[];
      corsOrigin?: string[];
      readOnlyPrincipal?: string[];
      credentialVending?: string;
      stsEndpoint?: string;
      stsRoleArn?: string;
      credentialDuration?: string;
      queryTimeout?: string;
      queryMaxRows?: string;
      queryMaxBytes?: string;
      maxConcurrentQueries?: string;
    }) => {
      await serve(
        config({
          port: o.port,
          host: o.host,
          auth: o.auth,
          authClients: o.authClient,
          authTokens: o.authToken,
          authSecret: o.authSecret,
          allowAnonymous: o.allowAnonymous,
          authIssuer: o.authIssuer,
          authAudience: o.authAudience,
          serverNames: o.serverName,
          corsOrigins: o.corsOrigin,
          readOnlyPrincipals: o.readOnlyPrincipal,
          credentialVending: o.credentialVending,
          stsEndpoint: o.stsEndpoint,
          stsRoleArn: o.stsRoleArn,
          credentialDurationSeconds: o.credentialDuration,
          queryTimeoutMs: o.queryTimeout,
          queryMaxRows: o.queryMaxRows,
          queryMaxBytes: o.queryMaxBytes,
          maxConcurrentQueries: o.maxConcurrentQueries,
        }),
      );
    },
  );

program
  .command("sql")
  .description("run SQL: -e, -f, piped statements, or an interactive shell")
  .option("-e, --execute <sql>", "statements to run")
  .option("-f, --file <file>", "file of statements to run")
  .option("-s, --schema <schema>", "default schema")
  .option(
    "--allow-local-files",
    "let SQL read local files (read_csv('x.csv'), FROM 'x.parquet') as DuckDB's CLI does; off: only lakehouse tables",
  )
  .addOption(formatOption())
  .action(
    async (o: {
      execute?: string;
      file?: string;
      schema?: string;
      format: OutputFormat;
      allowLocalFiles?: boolean;
    }) => {
      process.exitCode = await sql(config(), {
        execute: o.execute,
        file: o.file,
        format: o.format,
        schema: o.schema,
        allowLocalFiles: o.allowLocalFiles,
      });
    },
  );

program
  .command("ingest")
  .description("load CSV, JSON, JSON Lines or Parquet files into a table (created if missing)")
  .argument("<files...>", "input files")
  .requiredOption("-t, --table <ns.table>", "target table")
  .addOption(
    new Option("-m, --mode <mode>", "append, overwrite, or upsert (by --key)")
      .choices(["append", "overwrite", "upsert"])
      .default("append"),
  )
  .option("-k, --key <columns>", "key columns of an upsert, comma-separated", (v: string) =>
    v
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .addOption(
    new Option("--format <format>", "input format (default: from the file extension)").choices([
      "csv",
      "json",
      "jsonl",
      "parquet",
    ]),
  )
  .addOption(
    new Option(
      "--schema-evolution <mode>",
      "add: new file columns are added and safe type widenings applied; none: refuse such files",
    )
      .choices(["add", "none"])
      .default("add"),
  )
  .option("--delimiter <char>", "CSV delimiter (default , or tab for .tsv)")
  .option("--target-file-size <size>", "target data file size, e.g. 512MB", sizeArg)
  .action(
    async (
      files: string[],
      o: {
        table: string;
        mode: "append" | "overwrite" | "upsert";
        key?: string[];
        schemaEvolution: "add" | "none";
        format?: "csv" | "json" | "jsonl" | "parquet";
        delimiter?: string;
        targetFileSize?: number;
      },
    ) => {
      await ingest(config(), files, {
        table: o.table,
        mode: o.mode,
        keys: o.key,
        schemaEvolution: o.schemaEvolution,
        format: o.format,
        delimiter: o.delimiter,
        targetFileSize: o.targetFileSize,
      });
    },
  );

program
  .command("tables")
  .description("list tables with snapshots, rows and size")
  .addOption(formatOption())
  .action(async (o: { format: OutputFormat }) => {
    await tables(config(), o.format);
  });

program
  .command("history")
  .description("a table's snapshots: id, time, operation, summary")
  .argument("<table>", "ns.table")
  .addOption(formatOption())
  .action(async (table: string, o: { format: OutputFormat }) => {
    await history(config(), table, o.format);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`${errorMessage(e)}\n`);
  process.exitCode = 1;
});
