/**
 * Views of the SQL catalog: rows of `iceberg_tables` with `iceberg_type = 'VIEW'` pointing at
 * view metadata files (Iceberg JDBC catalog `JdbcViewOperations`). Replacing a view writes a
 * new metadata file and swaps the pointer by compare-and-swap, like a table commit.
 */
import { randomUUID } from "node:crypto";
import { AlreadyExistsError, CommitFailedError, NoSuchViewError } from "../../errors.js";
import { identifierToString, type Namespace, type TableIdentifier } from "../../spec/identifier.js";
import {
  applyViewUpdates,
  type ViewMetadata,
  type ViewRequirement,
  type ViewUpdate,
} from "../../spec/view-metadata.js";
import type { CreateViewOptions, ViewState } from "../catalog.js";
import { checkMetadataLocations, readRegisteredMetadata } from "../metadata-locations.js";
import { newViewMetadataLocation, readViewMetadata, writeViewMetadata } from "../view-metadata-io.js";
import { isUniqueViolation } from "./catalog-rows.js";
import type { SqlCatalog } from "./sql-catalog.js";

/** The view half of a {@link SqlCatalog}. */
export class SqlViewStore {
  readonly #catalog: SqlCatalog;

  constructor(catalog: SqlCatalog) {
    this.#catalog = catalog;
  }

  /** Views of a namespace. @throws NoSuchNamespaceError */
  async list(ns: Namespace): Promise<TableIdentifier[]> {
    await this.#catalog.requireNamespace(ns);
    return (await this.#catalog.rows.list(ns, "VIEW")).map((name) => ({ namespace: ns, name }));
  }

  async exists(id: TableIdentifier): Promise<boolean> {
    return (await this.#catalog.rows.find(id, "VIEW")) !== undefined;
  }

  /** @throws NoSuchViewError */
  async load(id: TableIdentifier): Promise<ViewState> {
    const row = await this.#catalog.rows.find(id, "VIEW");
    if (!row?.metadata_location) throw new NoSuchViewError(`View does not exist: ${identifierToString(id)}`);
    return {
      metadata: await readViewMetadata(this.#catalog.io, row.metadata_location),
      metadataLocation: row.metadata_location,
    };
  }

  /** @throws NoSuchNamespaceError, AlreadyExistsError, ValidationError */
  async create(id: TableIdentifier, opts: CreateViewOptions): Promise<ViewState> {
    await this.#catalog.checkNewName(id, "view");
    const location = (opts.location ?? this.#catalog.defaultTableLocation(id)).replace(/\/+$/, "");
    const metadata = applyViewUpdates(undefined, [
      { action: "assign-uuid", uuid: randomUUID() },
      { action: "upgrade-format-version", formatVersion: 1 },
      { action: "set-location", location },
      { action: "set-properties", updates: { ...(opts.properties ?? {}) } },
      { action: "add-schema", schema: opts.schema },
      { action: "add-view-version", viewVersion: { ...opts.viewVersion, schemaId: -1 } },
      { action: "set-current-view-version", viewVersionId: -1 },
    ]);
    checkMetadataLocations(this.#catalog.locations, metadata);
    const metadataLocation = newViewMetadataLocation(metadata);
    await writeViewMetadata(this.#catalog.io, metadataLocation, metadata);
    try {
      await this.#catalog.rows.insert(id, "VIEW", metadataLocation);
    } catch (e) {
      await this.#catalog.io.delete(metadataLocation).catch(() => {});
      if (isUniqueViolation(e))
        throw new AlreadyExistsError(`View already exists: ${identifierToString(id)}`);
      throw e;
    }
    return { metadata, metadataLocation };
  }

  /** Applies view updates by compare-and-swap. @throws NoSuchViewError, CommitFailedError, ValidationError */
  async commit(
    id: TableIdentifier,
    requirements: readonly ViewRequirement[],
    updates: readonly ViewUpdate[],
  ): Promise<ViewState> {
    const base = await this.load(id);
    for (const r of requirements) {
      if (r.type === "assert-view-uuid" && r.uuid !== base.metadata.viewUuid)
        throw new CommitFailedError(
          `Requirement failed: view UUID does not match: expected ${r.uuid} != ${base.metadata.viewUuid}`,
        );
    }
    const metadata: ViewMetadata = applyViewUpdates(base.metadata, updates);
    checkMetadataLocations(this.#catalog.locations, metadata, { updates });
    const metadataLocation = newViewMetadataLocation(metadata, base.metadataLocation);
    await writeViewMetadata(this.#catalog.io, metadataLocation, metadata);
    if (!(await this.#catalog.rows.swap(id, base.metadataLocation, metadataLocation))) {
      await this.#catalog.io.delete(metadataLocation).catch(() => {});
      throw new CommitFailedError(`View ${identifierToString(id)} was updated concurrently`);
    }
    return { metadata, metadataLocation };
  }

  /**
   * Registers a view by its metadata file, which must be inside the warehouse, as must the
   * view's location. @throws AlreadyExistsError, NotFoundError, ValidationError
   */
  async register(id: TableIdentifier, metadataLocation: string): Promise<ViewState> {
    await this.#catalog.checkNewName(id, "view");
    this.#catalog.locations.check("metadata-location", metadataLocation);
    const metadata = await readRegisteredMetadata(metadataLocation, () =>
      readViewMetadata(this.#catalog.io, metadataLocation),
    );
    checkMetadataLocations(this.#catalog.locations, metadata, {
      prefix: `metadata-location ${JSON.stringify(metadataLocation)}: `,
    });
    try {
      await this.#catalog.rows.insert(id, "VIEW", metadataLocation);
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AlreadyExistsError(`View already exists: ${identifierToString(id)}`);
      throw e;
    }
    return { metadata, metadataLocation };
  }
}
