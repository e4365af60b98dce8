/**
 * A loaded Iceberg table: identifier, current metadata, FileIO and the catalog operations to
 * commit through. Immutable: `refresh()` returns a new Table.
 */

import type { FileIO } from "../io/file-io.js";
import { localPathOf, parentLocation, Relocator } from "../io/location.js";
import type { TableIdentifier } from "../spec/identifier.js";
import type { PartitionSpec } from "../spec/partition-spec.js";
import type { Schema } from "../spec/schema.js";
import type { Snapshot } from "../spec/snapshot.js";
import {
  currentSchema,
  currentSnapshot,
  defaultSpec,
  snapshotById,
  type TableMetadata,
} from "../spec/table-metadata.js";
import type { RefreshOptions, TableOperations, TableState } from "./table-operations.js";

/**
 * A table at one metadata version. The metadata is read from the state on first use (a REST
 * commit response is parsed only when someone looks at it).
 */
export class Table {
  readonly identifier: TableIdentifier;
  readonly metadataLocation: string;
  readonly io: FileIO;
  readonly ops: TableOperations;
  readonly #state: TableState;
  #relocation: { value: Relocator | undefined } | undefined;

  constructor(identifier: TableIdentifier, state: TableState, io: FileIO, ops: TableOperations) {
    this.identifier = identifier;
    this.#state = state;
    this.metadataLocation = state.metadataLocation;
    this.io = io;
    this.ops = ops;
  }

  /** The table metadata of this version. */
  get metadata(): TableMetadata {
    return this.#state.metadata;
  }

  /** Set when the table's files moved since they were written (see {@link detectRelocation}). */
  get relocation(): Relocator | undefined {
    this.#relocation ??= { value: detectRelocation(this.metadata, this.metadataLocation) };
    return this.#relocation.value;
  }

  /** The current schema. */
  schema(): Schema {
    return currentSchema(this.metadata);
  }

  /** The default partition spec. */
  spec(): PartitionSpec {
    return defaultSpec(this.metadata);
  }

  /** The current snapshot, or undefined for an empty table. */
  currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.metadata);
  }

  /** A snapshot by id, or undefined. */
  snapshot(id: bigint): Snapshot | undefined {
    return snapshotById(this.metadata, id);
  }

  /** The table's effective base location (after relocation). */
  location(): string {
    return this.resolve(this.metadata.location);
  }

  /** Where a location recorded in metadata is actually stored now. */
  resolve(location: string): string {
    return this.relocation ? this.relocation.resolve(location) : location;
  }

  /** The latest committed version of this table. */
  async refresh(opts?: RefreshOptions): Promise<Table> {
    return new Table(this.identifier, await this.ops.refresh(opts), this.io, this.ops);
  }

  /** This table at another state (after a commit). */
  withState(state: TableState): Table {
    return new Table(this.identifier, state, this.io, this.ops);
  }

  /** This version read and written through another FileIO (later versions keep it). */
  withIO(io: FileIO): Table {
    return new Table(this.identifier, this.#state, io, this.ops);
  }
}

/**
 * Detects a table whose directory moved after it was written (e.g. test tables copied from
 * another machine, or metadata with paths relative to some other root): when the metadata
 * file sits in `<dir>/metadata/` but the metadata's `location` is not `<dir>`, locations
 * under the recorded location are read from `<dir>`. Tables with `write.metadata.path` set
 * keep their locations.
 */
export function detectRelocation(md: TableMetadata, metadataLocation: string): Relocator | undefined {
  if (md.properties["write.metadata.path"]) return undefined;
  const metaDir = parentLocation(metadataLocation);
  if (!/\/metadata$/.test(metaDir)) return undefined;
  const actual = parentLocation(metaDir);
  const recorded = md.location.replace(/\/+$/, "");
  const norm = (l: string) => l.replace(/^file:\/*/, "/");
  if (norm(recorded) === norm(actual)) return undefined;
  // Resolve to plain local paths for local tables: recorded paths are taken literally.
  return new Relocator(recorded, actual.startsWith("file:") ? localPathOf(actual) : actual);
}
