/**
 * A thin wrapper over one DuckDB connection (`@duckdb/node-api`): queries return row objects
 * of DuckDB values; statements run one at a time in call order (a connection runs one query
 * at a time).
 */
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  type DuckDBValue,
} from "@duckdb/node-api";

/** Options of {@link openDuckDB}. */
export interface DuckDBOptions {
  /** DuckDB configuration options, e.g. `{ threads: "2" }`. */
  readonly config?: Readonly<Record<string, string>>;
}

/** A DuckDB instance with one default connection and a queue that serializes its statements. */
export class Duck {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection) {
    this.instance = instance;
    this.connection = connection;
  }

  /** Opens an in-memory DuckDB instance. */
  static async open(opts: DuckDBOptions = {}): Promise<Duck> {
    const instance = await DuckDBInstance.create(":memory:", { ...(opts.config ?? {}) });
    return new Duck(instance, await instance.connect());
  }

  /** A new connection on the same instance (shares catalog and settings, runs concurrently). */
  async connect(): Promise<Duck> {
    return new Duck(this.instance, await this.instance.connect());
  }

  #enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Runs SQL and reads the whole result. */
  reader(sql: string, params?: DuckDBValue[]): Promise<DuckDBResultReader> {
    return this.#enqueue(() => this.connection.runAndReadAll(sql, params));
  }

  /** Runs SQL and returns row objects of DuckDB values. */
  async query(sql: string, params?: DuckDBValue[]): Promise<Record<string, DuckDBValue>[]> {
    return (await this.reader(sql, params)).getRowObjects();
  }

  /** Runs SQL and returns row objects converted to plain JS (bigint for BIGINT, Date-free strings for temporals). */
  async queryJS(sql: string, params?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    return (await this.reader(sql, params)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Runs SQL for its effect. */
  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.#enqueue(() => this.connection.run(sql, params));
  }

  /** Interrupts the running statement, if any. */
  interrupt(): void {
    this.connection.interrupt();
  }

  /** Closes the connection. */
  close(): void {
    this.connection.closeSync();
  }
}
