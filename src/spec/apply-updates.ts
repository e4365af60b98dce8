/**
 * Applies a list of {@link TableUpdate}s to table metadata, with the semantics of Iceberg
 * Java's `TableMetadata.Builder` (reuse of equal schemas/specs/orders, `-1` = last added,
 * sequence-number checks, snapshot log on branch changes, metadata log on every new file).
 * Serves the embedded catalog and the REST server alike (STYLE.md rule 3).
 */
import { InvalidArgumentError } from "../errors.js";
import { validatePropertyKey } from "./identifier.js";
import { lastAssignedFieldId, type PartitionSpec, specsEquivalent } from "./partition-spec.js";
import type { Schema } from "./schema.js";
import { MAIN_BRANCH, type MetadataLogEntry, type SnapshotLogEntry, type SnapshotRef } from "./snapshot.js";
import type { SortOrder } from "./sort-order.js";
import { type FormatVersion, MAX_FORMAT_VERSION, type TableMetadata } from "./table-metadata.js";
import type { TableUpdate } from "./table-update.js";
import { transformToString } from "./transform.js";
import { typesEqual } from "./types.js";
import { validatePartitionSpec } from "./validate-partition-spec.js";
import { validateSchema } from "./validate-schema.js";
import { validateSortOrder } from "./validate-sort-order.js";
import { type DeferredCheck, validateCommittedMetadata } from "./validate-table-metadata.js";

/** Default of `write.metadata.previous-versions-max` (Iceberg Java `TableProperties`). */
export const DEFAULT_PREVIOUS_VERSIONS_MAX = 100;

/** Options of {@link applyUpdates}. */
export interface ApplyOptions {
  /** Location of the metadata file being replaced; added to the metadata log. */
  readonly previousMetadataLocation?: string | undefined;
  /** Clock, milliseconds from the epoch (default `Date.now`). */
  readonly nowMs?: number | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function sameSchema(a: Schema, b: Schema): boolean {
  return (
    typesEqual(a.asStruct(), b.asStruct()) &&
    a.identifierFieldIds.length === b.identifierFieldIds.length &&
    a.identifierFieldIds.every((id, i) => id === b.identifierFieldIds[i])
  );
}

function sameOrder(a: SortOrder, b: SortOrder): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i]!;
      return (
        f.sourceId === g.sourceId &&
        f.direction === g.direction &&
        f.nullOrder === g.nullOrder &&
        transformToString(f.transform) === transformToString(g.transform)
      );
    })
  );
}

/**
 * Applies updates to `base` (undefined when creating a table: the updates must then assign a
 * UUID, a schema, a spec, an order and a location) and returns new metadata. `base` is not
 * modified. What a commit adds is validated as Iceberg Java's builder does: schemas by
 * `validateSchema` (unique positive ids, unique names, identifier fields, format version),
 * specs and sort orders against the current schema, and at the end the default spec and
 * order against the current schema (`validate-table-metadata.ts`). `last-column-id` becomes
 * the highest of the table's and the added schema's ids (a request's `last-column-id` is
 * ignored, as Java >= 1.8 and PyIceberg do), so it never decreases.
 * @throws ValidationError naming the update at fault (unknown ids, sequence numbers going
 * backwards, downgrades, duplicate snapshot ids, invalid schemas, specs or orders ...); its
 * REST type is `IllegalArgumentException` or `ValidationException` as Java's server answers.
 */
export function applyUpdates(
  base: TableMetadata | undefined,
  updates: readonly TableUpdate[],
  opts: ApplyOptions = {},
): TableMetadata {
  const now = opts.nowMs ?? Date.now();
  const refs: Record<string, SnapshotRef> = { ...(base?.refs ?? {}) };
  const md: Mutable<TableMetadata> = base
    ? { ...base, refs, properties: { ...base.properties } }
    : {
        formatVersion: 2,
        tableUuid: "",
        location: "",
        lastSequenceNumber: 0n,
        lastUpdatedMs: now,
        lastColumnId: 0,
        schemas: [],
        currentSchemaId: -1,
        partitionSpecs: [],
        defaultSpecId: -1,
        lastPartitionId: 999,
        properties: {},
        currentSnapshotId: null,
        snapshots: [],
        snapshotLog: [],
        metadataLog: [],
        sortOrders: [],
        defaultSortOrderId: -1,
        refs,
        statistics: [],
        partitionStatistics: [],
      };
  let lastAddedSchemaId: number | undefined;
  let lastAddedSpecId: number | undefined;
  let lastAddedOrderId: number | undefined;
  const addedSnapshots = new Set<bigint>();
  const deferred: DeferredCheck[] = [];
  let layoutChanged = false;
  let changed = false;

  for (const [i, u] of updates.entries()) {
    const where = `updates[${i}] (${u.action})`;
    changed = true;
    switch (u.action) {
      case "assign-uuid":
        if (base && base.tableUuid !== u.uuid)
          throw new InvalidArgumentError(`${where}: cannot reassign the UUID of an existing table`);
        md.tableUuid = u.uuid;
        break;
      case "upgrade-format-version": {
        if (!Number.isInteger(u.formatVersion) || u.formatVersion < 1 || u.formatVersion > MAX_FORMAT_VERSION)
          throw new InvalidArgumentError(`${where}: unsupported format version ${u.formatVersion}`);
        if (base && u.formatVersion < md.formatVersion) {
          throw new InvalidArgumentError(
            `${where}: cannot downgrade format version from ${md.formatVersion} to ${u.formatVersion}`,
          );
        }
        md.formatVersion = u.formatVersion as FormatVersion;
        if (md.formatVersion >= 3 && md.nextRowId === undefined) md.nextRowId = 0n;
        break;
      }
      case "add-schema": {
        validateSchema(u.schema, { where: `updates[${i}].schema`, formatVersion: md.formatVersion });
        layoutChanged = true;
        const existing = md.schemas.find((s) => sameSchema(s, u.schema));
        md.lastColumnId = Math.max(md.lastColumnId, u.schema.highestFieldId());
        if (existing) {
          lastAddedSchemaId = existing.schemaId;
          break;
        }
        const id =
          md.schemas.length === 0
            ? Math.max(0, u.schema.schemaId)
            : Math.max(...md.schemas.map((s) => s.schemaId)) + 1;
        const schema = u.schema.schemaId === id ? u.schema : u.schema.withSchemaId(id);
        md.schemas = [...md.schemas, schema];
        lastAddedSchemaId = id;
        break;
      }
      case "set-current-schema": {
        const id = u.schemaId === -1 ? lastAddedSchemaId : u.schemaId;
        if (id === undefined)
          throw new InvalidArgumentError(`${where}: no schema was added in this commit (-1)`);
        if (!md.schemas.some((s) => s.schemaId === id))
          throw new InvalidArgumentError(`${where}: no schema with id ${id}`);
        layoutChanged ||= md.currentSchemaId !== id;
        md.currentSchemaId = id;
        break;
      }
      case "add-spec": {
        // As Java: a spec equal to an existing one is reused without binding it again.
        const existing = md.partitionSpecs.find((s) => specsEquivalent(s, u.spec));
        if (existing) {
          lastAddedSpecId = existing.specId;
          break;
        }
        const check: DeferredCheck = { kind: "spec", spec: u.spec, where: `updates[${i}].spec` };
        const schema = md.schemas.find((s) => s.schemaId === md.currentSchemaId);
        if (schema)
          validatePartitionSpec(u.spec, schema, { where: check.where, formatVersion: md.formatVersion });
        else deferred.push(check);
        layoutChanged = true;
        const id =
          md.partitionSpecs.length === 0 ? 0 : Math.max(...md.partitionSpecs.map((s) => s.specId)) + 1;
        const spec: PartitionSpec = { ...u.spec, specId: id };
        md.partitionSpecs = [...md.partitionSpecs, spec];
        md.lastPartitionId = Math.max(md.lastPartitionId, lastAssignedFieldId(spec));
        lastAddedSpecId = id;
        break;
      }
      case "set-default-spec": {
        const id = u.specId === -1 ? lastAddedSpecId : u.specId;
        if (id === undefined)
          throw new InvalidArgumentError(`${where}: no partition spec was added in this commit (-1)`);
        if (!md.partitionSpecs.some((s) => s.specId === id))
          throw new InvalidArgumentError(`${where}: no partition spec with id ${id}`);
        layoutChanged ||= md.defaultSpecId !== id;
        md.defaultSpecId = id;
        break;
      }
      case "add-sort-order": {
        const existing = md.sortOrders.find((o) => sameOrder(o, u.sortOrder));
        if (existing) {
          lastAddedOrderId = existing.orderId;
          break;
        }
        const orderWhere = `updates[${i}].sort-order`;
        const orderSchema = md.schemas.find((s) => s.schemaId === md.currentSchemaId);
        if (orderSchema) validateSortOrder(u.sortOrder, orderSchema, orderWhere);
        else deferred.push({ kind: "sort-order", order: u.sortOrder, where: orderWhere });
        layoutChanged = true;
        const id =
          u.sortOrder.fields.length === 0 ? 0 : Math.max(0, ...md.sortOrders.map((o) => o.orderId)) + 1;
        md.sortOrders = [...md.sortOrders, { ...u.sortOrder, orderId: id }];
        lastAddedOrderId = id;
        break;
      }
      case "set-default-sort-order": {
        const id = u.sortOrderId === -1 ? lastAddedOrderId : u.sortOrderId;
        if (id === undefined)
          throw new InvalidArgumentError(`${where}: no sort order was added in this commit (-1)`);
        if (!md.sortOrders.some((o) => o.orderId === id))
          throw new InvalidArgumentError(`${where}: no sort order with id ${id}`);
        layoutChanged ||= md.defaultSortOrderId !== id;
        md.defaultSortOrderId = id;
        break;
      }
      case "add-snapshot": {
        const s = u.snapshot;
        if (md.snapshots.some((x) => x.snapshotId === s.snapshotId)) {
          throw new InvalidArgumentError(`${where}: snapshot ${s.snapshotId} already exists`);
        }
        // Readers of the snapshot (time travel) read it with its schema: it must be one of the table's.
        if (s.schemaId !== undefined && !md.schemas.some((x) => x.schemaId === s.schemaId))
          throw new InvalidArgumentError(
            `${where}.snapshot.schema-id: Cannot find schema with id ${s.schemaId}`,
          );
        if (
          md.formatVersion >= 2 &&
          s.sequenceNumber <= md.lastSequenceNumber &&
          s.parentSnapshotId !== undefined
        ) {
          throw new InvalidArgumentError(
            `${where}: cannot add snapshot with sequence number ${s.sequenceNumber} older than last sequence number ${md.lastSequenceNumber}`,
          );
        }
        md.snapshots = [...md.snapshots, s];
        if (s.sequenceNumber > md.lastSequenceNumber) md.lastSequenceNumber = s.sequenceNumber;
        md.lastUpdatedMs = s.timestampMs;
        if (md.formatVersion >= 3 && s.firstRowId !== undefined && s.addedRows !== undefined) {
          md.nextRowId = s.firstRowId + s.addedRows;
        }
        addedSnapshots.add(s.snapshotId);
        break;
      }
      case "set-snapshot-ref": {
        checkRef(u, where);
        const snap = md.snapshots.find((s) => s.snapshotId === u.snapshotId);
        if (!snap)
          throw new InvalidArgumentError(
            `${where}: cannot set ${u.refName} to unknown snapshot ${u.snapshotId}`,
          );
        if (u.refName === MAIN_BRANCH && u.type !== "branch")
          throw new InvalidArgumentError(`${where}: main must be a branch`);
        const ref: SnapshotRef = {
          snapshotId: u.snapshotId,
          type: u.type,
          minSnapshotsToKeep: u.minSnapshotsToKeep,
          maxSnapshotAgeMs: u.maxSnapshotAgeMs,
          maxRefAgeMs: u.maxRefAgeMs,
        };
        const previous = md.refs[u.refName];
        refs[u.refName] = stripUndefined(ref);
        if (u.refName === MAIN_BRANCH && previous?.snapshotId !== u.snapshotId) {
          md.currentSnapshotId = u.snapshotId;
          const ts = addedSnapshots.has(u.snapshotId) ? snap.timestampMs : now;
          md.lastUpdatedMs = Math.max(md.lastUpdatedMs, ts);
          md.snapshotLog = [...md.snapshotLog, { snapshotId: u.snapshotId, timestampMs: ts }];
        }
        break;
      }
      case "remove-snapshots": {
        const remove = new Set(u.snapshotIds);
        md.snapshots = md.snapshots.filter((s) => !remove.has(s.snapshotId));
        for (const [name, r] of Object.entries(refs)) if (remove.has(r.snapshotId)) delete refs[name];
        if (md.currentSnapshotId !== null && remove.has(md.currentSnapshotId)) md.currentSnapshotId = null;
        md.statistics = md.statistics.filter((s) => !remove.has(s.snapshotId));
        md.partitionStatistics = md.partitionStatistics.filter((s) => !remove.has(s.snapshotId));
        md.snapshotLog = trimSnapshotLog(md.snapshotLog, new Set(md.snapshots.map((s) => s.snapshotId)));
        break;
      }
      case "remove-snapshot-ref":
        delete refs[u.refName];
        if (u.refName === MAIN_BRANCH) md.currentSnapshotId = null;
        break;
      case "set-location":
        md.location = u.location.replace(/\/+$/, "");
        break;
      case "set-properties":
        for (const k of Object.keys(u.updates)) validatePropertyKey(k, "table property key");
        md.properties = { ...md.properties, ...u.updates };
        break;
      case "remove-properties":
        md.properties = Object.fromEntries(
          Object.entries(md.properties).filter(([k]) => !u.removals.includes(k)),
        );
        break;
      case "set-statistics":
        md.statistics = [
          ...md.statistics.filter((s) => s.snapshotId !== u.statistics.snapshotId),
          u.statistics,
        ];
        break;
      case "remove-statistics":
        md.statistics = md.statistics.filter((s) => s.snapshotId !== u.snapshotId);
        break;
      case "set-partition-statistics":
        md.partitionStatistics = [
          ...md.partitionStatistics.filter((s) => s.snapshotId !== u.partitionStatistics.snapshotId),
          u.partitionStatistics,
        ];
        break;
      case "remove-partition-statistics":
        md.partitionStatistics = md.partitionStatistics.filter((s) => s.snapshotId !== u.snapshotId);
        break;
      case "remove-partition-specs":
        if (u.specIds.includes(md.defaultSpecId))
          throw new InvalidArgumentError(`${where}: cannot remove the default partition spec`);
        md.partitionSpecs = md.partitionSpecs.filter((s) => !u.specIds.includes(s.specId));
        break;
      case "remove-schemas":
        if (u.schemaIds.includes(md.currentSchemaId))
          throw new InvalidArgumentError(`${where}: cannot remove the current schema`);
        md.schemas = md.schemas.filter((s) => !u.schemaIds.includes(s.schemaId));
        break;
      default:
        throw new InvalidArgumentError(`${where}: unknown table update`);
    }
  }

  if (!md.tableUuid) throw new InvalidArgumentError("table metadata needs a UUID (assign-uuid)");
  if (!md.location) throw new InvalidArgumentError("table metadata needs a location (set-location)");
  if (!md.schemas.some((s) => s.schemaId === md.currentSchemaId))
    throw new InvalidArgumentError("table metadata needs a current schema");
  if (!md.partitionSpecs.some((s) => s.specId === md.defaultSpecId))
    throw new InvalidArgumentError("table metadata needs a default partition spec");
  if (md.sortOrders.length === 0) md.sortOrders = [{ orderId: 0, fields: [] }];
  if (!md.sortOrders.some((o) => o.orderId === md.defaultSortOrderId))
    md.defaultSortOrderId = md.sortOrders[0]!.orderId;
  if (layoutChanged || !base) validateCommittedMetadata(md, deferred);

  if (changed && base) {
    md.lastUpdatedMs = Math.max(now, md.lastUpdatedMs);
    if (opts.previousMetadataLocation) {
      const max = Number(
        md.properties["write.metadata.previous-versions-max"] ?? DEFAULT_PREVIOUS_VERSIONS_MAX,
      );
      const log: MetadataLogEntry[] = [
        ...md.metadataLog,
        { metadataFile: opts.previousMetadataLocation, timestampMs: base.lastUpdatedMs },
      ];
      md.metadataLog = log.slice(Math.max(0, log.length - max));
    }
  }
  return md;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Drops snapshot-log entries up to and including the last one whose snapshot no longer exists (spec "Table Metadata Fields"). */
function trimSnapshotLog(log: readonly SnapshotLogEntry[], live: Set<bigint>): SnapshotLogEntry[] {
  let cut = -1;
  log.forEach((e, i) => {
    if (!live.has(e.snapshotId)) cut = i;
  });
  return log.slice(cut + 1);
}

/**
 * The rules of Iceberg Java's `SnapshotRef.Builder` for a ref being set: a name, and
 * retention values above zero when given ("Min snapshots to keep must be greater than 0",
 * "Max snapshot age must be greater than 0 ms", "Max reference age must be greater than 0").
 * @throws InvalidArgumentError naming the update's field
 */
function checkRef(u: Extract<TableUpdate, { action: "set-snapshot-ref" }>, where: string): void {
  if (u.refName === "") throw new InvalidArgumentError(`${where}.ref-name: a ref needs a name`);
  const retention: [string, number | undefined][] = [
    ["min-snapshots-to-keep", u.minSnapshotsToKeep],
    ["max-snapshot-age-ms", u.maxSnapshotAgeMs],
    ["max-ref-age-ms", u.maxRefAgeMs],
  ];
  for (const [key, v] of retention)
    if (v !== undefined && !(v > 0))
      throw new InvalidArgumentError(`${where}.${key}: must be greater than 0, got ${v}`);
}
