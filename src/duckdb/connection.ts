/**
 * A thin wrapper over one DuckDB connection (`@duckdb/node-api`): queries return row objects
 * of DuckDB values, or stream chunk by chunk; statements run one at a time in call order (a
 * connection runs one query at a time; a stream holds the connection until it is closed). A
 * connection can be canceled: its running statement is interrupted and later ones fail with
 * the cancel reason until {@link Duck.resetCancel}.
 */
import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBResult,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue,
} from "@duckdb/node-api";

/** Options of {@link openDuckDB}. */
export interface DuckDBOptions {
  /** DuckDB configuration options, e.g. `{ threads: "2" }`. */
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * A streaming query result: column names and types, then chunks (up to DuckDB's vector size,
 * 2048 rows) fetched on demand, so a result is never held whole. Holds its connection until
 * {@link close} or the last chunk.
 */
export class DuckStream {
  readonly #result: DuckDBResult;
  readonly #release: () => void;
  #done = false;

  /** Deduplicated column names (`a`, `a_1` ...), as readers give them. */
  readonly columnNames: readonly string[];
  readonly columnTypes: readonly DuckDBType[];

  /** @internal made by {@link Duck.stream} */
  constructor(result: DuckDBResult, release: () => void) {
    this.#result = result;
    this.#release = release;
    this.columnNames = result.deduplicatedColumnNames();
    this.columnTypes = result.columnTypes();
  }

  /**
   * The next non-empty chunk, or undefined at the end (the stream is then closed).
   * @throws DuckDB's error when execution fails (the stream is then closed)
   */
  async nextChunk(): Promise<DuckDBDataChunk | undefined> {
    if (this.#done) return undefined;
    try {
      for (;;) {
        const chunk = await this.#result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) {
          this.close();
          return undefined;
        }
        return chunk;
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Releases the connection (idempotent); unread chunks are dropped. */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#release();
  }
}

/** A DuckDB instance with one default connection and a queue that serializes its statements. */
export class Duck {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  #queue: Promise<unknown> = Promise.resolve();
  #canceled: Error | undefined;
  #closing: Promise<void> | undefined;

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
    const guarded = () => {
      if (this.#canceled) return Promise.reject(this.#canceled);
      return fn();
    };
    const run = this.#queue.then(guarded, guarded);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Runs a query and streams its result (see {@link DuckStream}); the connection runs
   * nothing else until the stream is closed or exhausted.
   */
  stream(sql: string, params?: DuckDBValue[]): Promise<DuckStream> {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    return new Promise<DuckStream>((resolve, reject) => {
      this.#enqueue(async () => {
        let result: DuckDBResult;
        try {
          result = await this.connection.stream(sql, params);
        } catch (e) {
          reject(e);
          return;
        }
        resolve(new DuckStream(result, release));
        await held;
      }).catch(reject);
    });
  }

  /**
   * Cancels the connection's work: interrupts the running statement and makes every later
   * one (queued or new) fail with `reason`, until {@link resetCancel}.
   */
  cancel(reason: Error): void {
    this.#canceled ??= reason;
    this.connection.interrupt();
  }

  /** Why the connection was canceled, if it was. */
  get cancelReason(): Error | undefined {
    return this.#canceled;
  }

  /** Lets statements run again after {@link cancel} (not after {@link close}). */
  resetCancel(): void {
    if (!this.#closing) this.#canceled = undefined;
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

  /**
   * Closes the connection once the statement running on it (if any) has settled: nothing
   * queued after this runs (it fails like a canceled statement).
   */
  close(): void {
    this.#canceled ??= new Error("the DuckDB connection is closed");
    this.#closing ??= this.#queue.then(() => this.connection.closeSync());
  }
}
