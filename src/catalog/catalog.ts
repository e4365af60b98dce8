/**
 * The Catalog interface: namespaces, tables and views, with commits by compare-and-swap on
 * the metadata location (Iceberg REST catalog operations; pyiceberg `Catalog`, iceberg-rust
 * `Catalog`, Iceberg Java `Catalog` + `ViewCatalog`). Implemented by the SQL catalog
 * (SQLite/PostgreSQL) and the REST client.
 */
import type { FileIO } from "../io/file-io.js";
import type { LocationPolicy } from "../io/location-policy.js";
import type { Namespace, TableIdentifier } from "../spec/identifier.js";
import type { PartitionSpec } from "../spec/partition-spec.js";
import type { Schema } from "../spec/schema.js";
import type { SortOrder } from "../spec/sort-order.js";
import type { FormatVersion, TableMetadata } from "../spec/table-metadata.js";
import type { TableRequirement, TableUpdate } from "../spec/table-update.js";
import type { ViewMetadata, ViewRequirement, ViewUpdate, ViewVersion } from "../spec/view-metadata.js";
import type { Table } from "../table/table.js";
import type { RefreshOptions, TableState } from "../table/table-operations.js";

/** A view's committed state: its metadata and the file it was read from. */
export interface ViewState {
  readonly metadata: ViewMetadata;
  readonly metadataLocation: string;
}

/** What a new view is made of (REST `CreateViewRequest`). */
export interface CreateViewOptions {
  /** Output schema of the view's query; its id is reassigned (0 for a new view). */
  readonly schema: Schema;
  /** First version; its `schemaId` is replaced by the id assigned to `schema`. */
  readonly viewVersion: ViewVersion;
  /** View location; default `<warehouse>/<namespace>/<view>`. Must be inside the warehouse. */
  readonly location?: string | undefined;
  readonly properties?: Readonly<Record<string, string>> | undefined;
}

/** One table's part of a multi-table commit (REST `CommitTableRequest` with `identifier`). */
export interface TableChange {
  readonly identifier: TableIdentifier;
  readonly requirements: readonly TableRequirement[];
  readonly updates: readonly TableUpdate[];
}

/** What a new table is made of. Spec and sort order reference `schema`'s field ids. */
export interface CreateTableOptions {
  readonly schema: Schema;
  readonly partitionSpec?: PartitionSpec | undefined;
  readonly sortOrder?: SortOrder | undefined;
  /** Table location; default `<warehouse>/<namespace>/<table>`. Must be inside the warehouse. */
  readonly location?: string | undefined;
  readonly properties?: Readonly<Record<string, string>> | undefined;
  /** Format version (default 2). */
  readonly formatVersion?: FormatVersion | undefined;
}

/** A catalog of namespaces and tables. Errors are the classes of `errors.ts`. */
export interface Catalog {
  /** Catalog name as engines address it (e.g. `iceberg`). */
  readonly name: string;
  /** Storage the catalog's tables are read and written through. */
  readonly io: FileIO;
  /**
   * The location check of the catalog's warehouse, when the catalog owns one (the SQL
   * catalog; a REST catalog's server checks on its side): lets callers refuse a location
   * before touching storage there.
   */
  readonly locations?: LocationPolicy | undefined;
  /** Direct child namespaces of `parent` (all top-level namespaces when omitted). */
  listNamespaces(parent?: Namespace): Promise<Namespace[]>;
  /**
   * @throws AlreadyExistsError; ValidationError for a `location` property outside the
   * warehouse (catalogs with a warehouse)
   */
  createNamespace(ns: Namespace, properties?: Readonly<Record<string, string>>): Promise<void>;
  /** @throws NoSuchNamespaceError */
  loadNamespaceProperties(ns: Namespace): Promise<Record<string, string>>;
  namespaceExists(ns: Namespace): Promise<boolean>;
  /** @throws NoSuchNamespaceError, NamespaceNotEmptyError */
  dropNamespace(ns: Namespace): Promise<void>;
  /** @throws NoSuchNamespaceError; ValidationError for a `location` outside the warehouse */
  updateNamespaceProperties(
    ns: Namespace,
    removals: readonly string[],
    updates: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** Tables of a namespace. @throws NoSuchNamespaceError */
  listTables(ns: Namespace): Promise<TableIdentifier[]>;
  /** @throws NoSuchNamespaceError, AlreadyExistsError, ValidationError */
  createTable(id: TableIdentifier, opts: CreateTableOptions): Promise<Table>;
  /**
   * Loads a table. With `referencedSnapshotsOnly` a catalog may leave out snapshots no
   * branch or tag points at (REST `snapshots=refs`): enough for writes, which build on the
   * current snapshot, and much smaller for long histories.
   * @throws NoSuchTableError
   */
  loadTable(id: TableIdentifier, opts?: RefreshOptions): Promise<Table>;
  tableExists(id: TableIdentifier): Promise<boolean>;
  /** Removes the table from the catalog; with `purge`, deletes its files too. @throws NoSuchTableError */
  dropTable(id: TableIdentifier, purge?: boolean): Promise<void>;
  /** @throws NoSuchTableError, NoSuchNamespaceError, AlreadyExistsError */
  renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void>;
  /**
   * Registers an existing table by its metadata file, which (with the table's location and
   * write paths) must be inside the warehouse.
   * @throws AlreadyExistsError, NotFoundError, ValidationError naming the location at fault
   */
  registerTable(id: TableIdentifier, metadataLocation: string): Promise<Table>;
  /**
   * Metadata of a table that is not created yet (REST `createTable` with `stage-create`):
   * validated like `createTable`, nothing written. The table comes into existence with a
   * `commitTable` carrying `assert-create` and the updates that build it.
   * @throws NoSuchNamespaceError, AlreadyExistsError, ValidationError
   */
  stageCreateTable(id: TableIdentifier, opts: CreateTableOptions): Promise<TableMetadata>;
  /**
   * Removes a table from the catalog, leaving every file in place, and returns its last
   * state (REST `unregisterTable`). @throws NoSuchTableError
   */
  unregisterTable(id: TableIdentifier): Promise<TableState>;
  /**
   * Commits updates if the requirements hold (REST `updateTable`). With `assert-create`
   * among the requirements the table is created from the updates (staged create).
   * @throws NoSuchTableError, CommitFailedError, CommitStateUnknownError, ValidationError
   */
  commitTable(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<TableState>;
  /**
   * Commits changes to several tables atomically: all or none (REST `commitTransaction`).
   * @throws NoSuchTableError, CommitFailedError, CommitStateUnknownError, ValidationError
   */
  commitTransaction(changes: readonly TableChange[]): Promise<void>;

  /** Views of a namespace. @throws NoSuchNamespaceError */
  listViews(ns: Namespace): Promise<TableIdentifier[]>;
  viewExists(id: TableIdentifier): Promise<boolean>;
  /** @throws NoSuchViewError */
  loadView(id: TableIdentifier): Promise<ViewState>;
  /** @throws NoSuchNamespaceError, AlreadyExistsError (a table or view of that name), ValidationError */
  createView(id: TableIdentifier, opts: CreateViewOptions): Promise<ViewState>;
  /**
   * Replaces a view: applies view updates if the requirements hold (REST `replaceView`).
   * @throws NoSuchViewError, CommitFailedError, ValidationError
   */
  commitView(
    id: TableIdentifier,
    requirements: readonly ViewRequirement[],
    updates: readonly ViewUpdate[],
  ): Promise<ViewState>;
  /** Removes a view from the catalog (its metadata files stay). @throws NoSuchViewError */
  dropView(id: TableIdentifier): Promise<void>;
  /** @throws NoSuchViewError, NoSuchNamespaceError, AlreadyExistsError */
  renameView(from: TableIdentifier, to: TableIdentifier): Promise<void>;
  /** Registers an existing view by its metadata file. @throws AlreadyExistsError, NotFoundError */
  registerView(id: TableIdentifier, metadataLocation: string): Promise<ViewState>;
  /** Releases connections. */
  close(): Promise<void>;
}
