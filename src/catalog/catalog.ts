/**
 * The Catalog interface: namespaces and tables, with commits by compare-and-swap on the
 * metadata location (Iceberg REST catalog operations; pyiceberg `Catalog`, iceberg-rust
 * `Catalog`). Implemented by the SQL catalog (SQLite/PostgreSQL) and, later, the REST client.
 */
import type { FileIO } from "../io/file-io.js";
import type { Namespace, TableIdentifier } from "../spec/identifier.js";
import type { PartitionSpec } from "../spec/partition-spec.js";
import type { Schema } from "../spec/schema.js";
import type { SortOrder } from "../spec/sort-order.js";
import type { FormatVersion } from "../spec/table-metadata.js";
import type { TableRequirement, TableUpdate } from "../spec/table-update.js";
import type { Table } from "../table/table.js";
import type { TableState } from "../table/table-operations.js";

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
  /** Direct child namespaces of `parent` (all top-level namespaces when omitted). */
  listNamespaces(parent?: Namespace): Promise<Namespace[]>;
  /** @throws AlreadyExistsError */
  createNamespace(ns: Namespace, properties?: Readonly<Record<string, string>>): Promise<void>;
  /** @throws NoSuchNamespaceError */
  loadNamespaceProperties(ns: Namespace): Promise<Record<string, string>>;
  namespaceExists(ns: Namespace): Promise<boolean>;
  /** @throws NoSuchNamespaceError, NamespaceNotEmptyError */
  dropNamespace(ns: Namespace): Promise<void>;
  /** @throws NoSuchNamespaceError */
  updateNamespaceProperties(
    ns: Namespace,
    removals: readonly string[],
    updates: Readonly<Record<string, string>>,
  ): Promise<void>;
  /** Tables of a namespace. @throws NoSuchNamespaceError */
  listTables(ns: Namespace): Promise<TableIdentifier[]>;
  /** @throws NoSuchNamespaceError, AlreadyExistsError, ValidationError */
  createTable(id: TableIdentifier, opts: CreateTableOptions): Promise<Table>;
  /** @throws NoSuchTableError */
  loadTable(id: TableIdentifier): Promise<Table>;
  tableExists(id: TableIdentifier): Promise<boolean>;
  /** Removes the table from the catalog; with `purge`, deletes its files too. @throws NoSuchTableError */
  dropTable(id: TableIdentifier, purge?: boolean): Promise<void>;
  /** @throws NoSuchTableError, NoSuchNamespaceError, AlreadyExistsError */
  renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void>;
  /** Registers an existing table by its metadata file. @throws AlreadyExistsError, NotFoundError */
  registerTable(id: TableIdentifier, metadataLocation: string): Promise<Table>;
  /**
   * Commits updates if the requirements hold (REST `updateTable`).
   * @throws NoSuchTableError, CommitFailedError, CommitStateUnknownError, ValidationError
   */
  commitTable(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<TableState>;
  /** Releases connections. */
  close(): Promise<void>;
}
