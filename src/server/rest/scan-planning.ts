/**
 * Server-side scan planning (REST `planTableScan`, `fetchPlanningResult`, `cancelPlanning`,
 * `fetchScanTasks`): plans with the table layer's `planScan` (manifest, partition and
 * column-bounds pruning, delete file assignment) and answers `completed` at once. Large plans
 * are split into plan tasks of {@link TASKS_PER_PLAN_TASK} file scan tasks that clients fetch
 * separately. Plans live in memory for {@link PLAN_TTL_MS}.
 */
import { randomUUID } from "node:crypto";
import {
  NoSuchPlanIdError,
  NoSuchPlanTaskError,
  UnsupportedOperationError,
  ValidationError,
} from "../../errors.js";
import { contentFileToJson, type StatsSelection } from "../../spec/codec/content-file-json.js";
import { expressionFromJson } from "../../spec/codec/expression-json.js";
import type { JsonObject } from "../../spec/codec/json-fields.js";
import type { Expression } from "../../spec/expressions/expression.js";
import { specById } from "../../spec/table-metadata.js";
import { specPartitionType } from "../../table/manifest-reader.js";
import { planScan, schemaForSnapshot, selectSnapshot } from "../../table/scan.js";
import type { Table } from "../../table/table.js";
import { decodeBody, FetchScanTasksRequestSchema, PlanTableScanRequestSchema } from "./request-schemas.js";

/** File scan tasks per plan task when a plan is split. */
export const TASKS_PER_PLAN_TASK = 1000;
/** How long a plan can be fetched after it was made, in milliseconds. */
export const PLAN_TTL_MS = 15 * 60 * 1000;

/** REST `ScanTasks` (JSON-ready). */
interface ScanTasksJson {
  "delete-files": JsonObject[];
  "file-scan-tasks": JsonObject[];
  "plan-tasks"?: string[];
}

interface StoredPlan {
  readonly table: string;
  readonly expires: number;
  readonly chunks: ScanTasksJson[];
}

/** Plans scans and keeps them for fetching. */
export class ScanPlanner {
  readonly #plans = new Map<string, StoredPlan>();
  readonly #tasksPerPlanTask: number;

  /** @param tasksPerPlanTask file scan tasks per plan task (default {@link TASKS_PER_PLAN_TASK}) */
  constructor(tasksPerPlanTask = TASKS_PER_PLAN_TASK) {
    this.#tasksPerPlanTask = tasksPerPlanTask;
  }

  /**
   * Plans a scan of `table` from a REST `PlanTableScanRequest` body (absent or `{}` = the
   * current snapshot, whole table: the spec makes the body and each of its fields optional).
   * `tableKey` scopes the plan id to the table (warehouse + identifier).
   * @throws ValidationError for bad requests; UnsupportedOperationError for incremental scans
   */
  async plan(table: Table, tableKey: string, body: unknown): Promise<JsonObject> {
    this.#expire();
    const req = decodeBody(PlanTableScanRequestSchema, body === undefined ? {} : body);
    const long = (v: number | bigint | null | undefined) => (v == null ? undefined : BigInt(v));
    const snapshotId = long(req["snapshot-id"]);
    const start = long(req["start-snapshot-id"]);
    const end = long(req["end-snapshot-id"]);
    if (start !== undefined || end !== undefined) {
      if (snapshotId !== undefined)
        throw new ValidationError(
          "body: snapshot-id cannot be combined with start-snapshot-id/end-snapshot-id",
        );
      if (start !== undefined && end === undefined)
        throw new ValidationError("body.end-snapshot-id: required when start-snapshot-id is set");
      throw new UnsupportedOperationError(
        "incremental scan planning (start-snapshot-id/end-snapshot-id) is not supported yet",
      );
    }
    const md = table.metadata;
    if (snapshotId !== undefined && !md.snapshots.some((s) => s.snapshotId === snapshotId))
      throw new ValidationError(`body.snapshot-id: Cannot find snapshot with ID ${snapshotId}`);
    const caseSensitive = req["case-sensitive"] !== false;
    const useSnapshotSchema = req["use-snapshot-schema"] === true;
    const snapshot = selectSnapshot(md, { snapshotId });
    const schema = schemaForSnapshot(md, snapshot, snapshotId !== undefined && useSnapshotSchema);
    const filter: Expression | undefined =
      req.filter === undefined || req.filter === null
        ? undefined
        : expressionFromJson(req.filter, schema, { caseSensitive });
    for (const [i, name] of (req.select ?? []).entries()) {
      if (!schema.findFieldByName(name, caseSensitive))
        throw new ValidationError(
          `body.select[${i}]: Cannot find field ${JSON.stringify(name)} in the table schema`,
        );
    }
    let stats: StatsSelection = "none";
    if (req["stats-fields"] !== undefined && req["stats-fields"] !== null) {
      const ids = new Set<number>();
      for (const [i, name] of req["stats-fields"].entries()) {
        const f = schema.findFieldByName(name, caseSensitive);
        if (!f)
          throw new ValidationError(
            `body.stats-fields[${i}]: Cannot find field ${JSON.stringify(name)} in the table schema`,
          );
        ids.add(f.id);
      }
      stats = ids;
    }
    const plan = await planScan(table, { snapshotId, filter });
    const partitionTypes = new Map<number, ReturnType<typeof specPartitionType>>();
    const partitionType = (specId: number) => {
      let t = partitionTypes.get(specId);
      if (!t) {
        t = specPartitionType(md, specById(md, specId));
        partitionTypes.set(specId, t);
      }
      return t;
    };
    const chunks: ScanTasksJson[] = [];
    for (let i = 0; i < plan.tasks.length || chunks.length === 0; i += this.#tasksPerPlanTask) {
      const deleteIndex = new Map<string, number>();
      const chunk: ScanTasksJson = { "delete-files": [], "file-scan-tasks": [] };
      for (const task of plan.tasks.slice(i, i + this.#tasksPerPlanTask)) {
        const refs: number[] = [];
        for (const d of task.deletes) {
          let idx = deleteIndex.get(d.file.filePath);
          if (idx === undefined) {
            idx = chunk["delete-files"].length;
            deleteIndex.set(d.file.filePath, idx);
            chunk["delete-files"].push(
              contentFileToJson(d.file, d.specId, partitionType(d.specId), schema, "all"),
            );
          }
          refs.push(idx);
        }
        const t: JsonObject = {
          "data-file": contentFileToJson(task.file, task.specId, partitionType(task.specId), schema, stats),
        };
        if (refs.length > 0) t["delete-file-references"] = refs;
        chunk["file-scan-tasks"].push(t);
      }
      chunks.push(chunk);
      if (plan.tasks.length === 0) break;
    }
    const planId = randomUUID();
    this.#plans.set(planId, { table: tableKey, expires: Date.now() + PLAN_TTL_MS, chunks });
    return { status: "completed", "plan-id": planId, ...this.#result(planId, chunks) };
  }

  #result(planId: string, chunks: ScanTasksJson[]): ScanTasksJson {
    if (chunks.length === 1) return chunks[0]!;
    return {
      "delete-files": [],
      "file-scan-tasks": [],
      "plan-tasks": chunks.map((_, i) => `${planId}:${i}`),
    };
  }

  #get(planId: string, tableKey: string): StoredPlan {
    this.#expire();
    const plan = this.#plans.get(planId);
    if (!plan || plan.table !== tableKey) throw new NoSuchPlanIdError(`No such plan: ${planId}`);
    return plan;
  }

  /** REST `fetchPlanningResult`. @throws NoSuchPlanIdError */
  fetch(planId: string, tableKey: string): JsonObject {
    const plan = this.#get(planId, tableKey);
    return { status: "completed", ...this.#result(planId, plan.chunks) };
  }

  /** REST `cancelPlanning`. @throws NoSuchPlanIdError */
  cancel(planId: string, tableKey: string): void {
    this.#get(planId, tableKey);
    this.#plans.delete(planId);
  }

  /** REST `fetchScanTasks` from a `FetchScanTasksRequest` body. @throws NoSuchPlanTaskError */
  tasks(tableKey: string, body: unknown): JsonObject {
    const task = decodeBody(FetchScanTasksRequestSchema, body)["plan-task"];
    const m = /^([0-9a-f-]{36}):(\d+)$/.exec(task);
    const plan = m ? this.#plans.get(m[1]!) : undefined;
    const chunk =
      plan && plan.table === tableKey && plan.expires > Date.now() ? plan.chunks[Number(m![2])] : undefined;
    if (!chunk) throw new NoSuchPlanTaskError(`No such plan task: ${task}`);
    return { ...chunk };
  }

  #expire(): void {
    const now = Date.now();
    for (const [id, p] of this.#plans) if (p.expires <= now) this.#plans.delete(id);
  }
}
