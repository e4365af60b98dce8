/**
 * The query API's response body, written as the statement's batches arrive, with
 * backpressure: the next batch is only fetched from DuckDB when the client has taken the
 * previous one (a `ReadableStream` pulled by Node's HTTP writer, which waits for `drain`).
 * One JSON document:
 *
 * ```json
 * {"columns": [{"name": "n", "type": "BIGINT"}], "updateType": null, "updateCount": null,
 *  "rows": [[1], [2]], "rowCount": 2, "truncated": false}
 * ```
 *
 * A result past the row or byte cap ends with `"truncated": true` (its query is canceled); an
 * error after the first batch (the status, 200, is already sent) ends the document with
 * `"error": {"message", "type", "code"}` in the REST ErrorModel's shape instead of
 * `truncated`. A client that goes away cancels the statement (`cancel()` of the stream).
 */

import type { ResultBatch, StatementStream } from "../../engine/statement-stream.js";
import { AIchemyError } from "../../errors.js";
import { stringifyJson } from "../../spec/json.js";
import { batchRowsJson, columnConverter, sliceBatch } from "./json-rows.js";
import type { QueryLimits } from "./query-limits.js";

/** What a finished (or abandoned) response reports, for logging. */
export interface ResultOutcome {
  readonly rowCount: number;
  readonly bytes: number;
  readonly truncated: boolean;
  /** The error that ended it, if any; `abandoned` when the client left. */
  readonly error?: unknown;
  readonly abandoned: boolean;
}

const encoder = new TextEncoder();

/** The ErrorModel object of an error (AIchemy errors keep their type; others are query errors). */
export function errorModel(e: unknown): { message: string; type: string; code: number } {
  if (e instanceof AIchemyError) return { message: e.message, type: e.restType, code: e.httpStatus };
  return { message: e instanceof Error ? e.message : String(e), type: "QueryError", code: 400 };
}

/**
 * The response body of a statement stream whose first batch (`first`, possibly undefined for
 * an empty result) was already read. `abandon` is called when the client goes away (before
 * the stream is closed); `done` once at the end, whatever the outcome.
 */
export function jsonResultBody(
  stream: StatementStream,
  first: ResultBatch | undefined,
  limits: QueryLimits,
  abandon: () => void,
  done: (outcome: ResultOutcome) => void,
): ReadableStream<Uint8Array> {
  const converters = stream.columns.map((c) => columnConverter(c.type));
  let pending: ResultBatch | undefined = first;
  let inflight: Promise<unknown> | undefined;
  let started = false;
  let finished = false;
  let rowCount = 0;
  let bytes = 0;
  const finish = (outcome: Omit<ResultOutcome, "rowCount" | "bytes">) => {
    if (finished) return;
    finished = true;
    stream.close();
    done({ ...outcome, rowCount, bytes });
  };
  /** Rows of `batch` that fit the caps as JSON text, and whether the caps cut it. */
  const take = (batch: ResultBatch): { text: string; cut: boolean } => {
    const columns = batch.getColumns();
    let b: ResultBatch = { rowCount: batch.rowCount, getColumns: () => columns };
    let cut = false;
    if (rowCount + b.rowCount > limits.maxRows) {
      b = sliceBatch(b, 0, limits.maxRows - rowCount);
      cut = true;
    }
    let text = batchRowsJson(b, converters);
    if (bytes + text.length > limits.maxBytes) {
      // Cut at the last whole row that fits: encode the batch's rows one by one.
      let kept = 0;
      let out = "";
      for (let i = 0; i < b.rowCount; i++) {
        const row = (i > 0 ? "," : "") + batchRowsJson(sliceBatch(b, i, i + 1), converters);
        if (bytes + out.length + row.length > limits.maxBytes) break;
        out += row;
        kept = i + 1;
      }
      b = sliceBatch(b, 0, kept);
      text = out;
      cut = true;
    }
    rowCount += b.rowCount;
    bytes += text.length;
    return { text, cut };
  };
  return new ReadableStream<Uint8Array>(
    {
      pull: async (controller) => {
        if (finished) return;
        let out = "";
        if (!started) {
          started = true;
          out += `{"columns":${stringifyJson(stream.columns)},"updateType":${stringifyJson(stream.updateType ?? null)},"updateCount":${stringifyJson(stream.updateCount ?? null)},"rows":[`;
        }
        try {
          let batch = pending;
          if (!batch) {
            const next = stream.next();
            inflight = next.catch(() => {});
            batch = await next;
          }
          pending = undefined;
          if (batch && batch.rowCount > 0) {
            const before = rowCount;
            const { text, cut } = take(batch);
            if (text) out += (before > 0 ? "," : "") + text;
            if (!cut) {
              controller.enqueue(encoder.encode(out));
              return;
            }
            out += `],"rowCount":${rowCount},"truncated":true}`;
            controller.enqueue(encoder.encode(out));
            controller.close();
            finish({ truncated: true, abandoned: false });
            return;
          }
          if (batch) {
            if (out) controller.enqueue(encoder.encode(out));
            return;
          }
          out += `],"rowCount":${rowCount},"truncated":false}`;
          controller.enqueue(encoder.encode(out));
          controller.close();
          finish({ truncated: false, abandoned: false });
        } catch (e) {
          out += `],"rowCount":${rowCount},"error":${stringifyJson(errorModel(e))}}`;
          controller.enqueue(encoder.encode(out));
          controller.close();
          finish({ truncated: false, error: e, abandoned: false });
        }
      },
      cancel: async () => {
        if (finished) return;
        abandon();
        // Let the fetch under way settle (interrupted) before the statement is closed.
        await inflight;
        finish({ truncated: false, abandoned: true });
      },
    },
    { highWaterMark: 0 },
  );
}
