/**
 * A statement's result read batch by batch, so that no surface ever holds a whole result: a
 * query's rows come from DuckDB chunk by chunk as the reader asks for them (backpressure:
 * nothing is computed ahead of the reader beyond DuckDB's own buffers); the results of other
 * statements (DDL, DML counts, SHOW) are small and arrive whole.
 */
import type { DuckDBValue } from "@duckdb/node-api";
import type { DuckStream } from "../duckdb/connection.js";
import type { ResultColumn, StatementResult } from "./result.js";

/** A batch of result rows, column-major (DuckDB's data chunk, or rows of a small result). */
export interface ResultBatch {
  readonly rowCount: number;
  /** The values, one array per column, each `rowCount` long. */
  getColumns(): DuckDBValue[][];
}

/** The result of one statement as a stream of batches. */
export interface StatementStream {
  readonly columns: readonly ResultColumn[];
  /** Trino update type for statements that change something (see {@link StatementResult}). */
  readonly updateType?: string | undefined;
  /** Rows written or affected, when known. */
  readonly updateCount?: bigint | undefined;
  /**
   * The next batch, or undefined at the end (the statement is then done and its resources
   * released).
   * @throws the statement's error (timeouts, cancellation and DuckDB's errors translated)
   */
  next(): Promise<ResultBatch | undefined>;
  /** Ends the statement early (canceling what still runs) and releases it; idempotent. */
  close(): void;
}

/** Rows per batch of a whole result (DuckDB's vector size). */
const BATCH_ROWS = 2048;

/** A stream over a whole result (`onEnd` runs once, at the end or on close). */
export function resultStream(result: StatementResult, onEnd: () => void = () => {}): StatementStream {
  let offset = 0;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    columns: result.columns,
    updateType: result.updateType,
    updateCount: result.updateCount,
    next: async () => {
      if (offset >= result.rows.length) {
        end();
        return undefined;
      }
      const rows = result.rows.slice(offset, offset + BATCH_ROWS);
      offset += rows.length;
      return {
        rowCount: rows.length,
        getColumns: () => result.columns.map((_, j) => rows.map((r) => r[j]!)),
      };
    },
    close: end,
  };
}

/**
 * A stream over a DuckDB query stream; `translate` maps errors (see `StatementControl.error`),
 * `canceled` gives the reason the statement was canceled, if it was (an interrupted streaming
 * query may just end early, so the end is only the end when nothing canceled it); `onEnd`
 * runs once at the end, on error or on close (after the DuckDB stream is closed).
 */
export function duckStream(
  stream: DuckStream,
  translate: (e: unknown) => unknown,
  canceled: () => unknown,
  onEnd: () => void,
): StatementStream {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    stream.close();
    onEnd();
  };
  return {
    columns: stream.columnNames.map((name, i) => ({ name, type: stream.columnTypes[i]!.toString() })),
    next: async () => {
      if (ended) return undefined;
      try {
        const chunk = await stream.nextChunk();
        const reason = canceled();
        if (reason !== undefined) throw reason;
        if (!chunk) {
          end();
          return undefined;
        }
        return chunk;
      } catch (e) {
        end();
        throw translate(e);
      }
    },
    close: end,
  };
}
