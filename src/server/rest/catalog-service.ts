/**
 * The REST catalog service: what the `/v1` routes call after decoding a request. It resolves
 * warehouses (the `warehouse` config parameter and the URL `prefix`), shapes responses as
 * the OpenAPI schemas (`CatalogConfig`, `LoadTableResult` with `snapshots=refs`, ETags ...).
 * Locations are checked by the catalog itself (`SqlCatalog.locations`), for REST and SQL alike.
 */
import { createHash } from "node:crypto";
import type { CatalogStore } from "../../catalog/sql/catalog-store.js";
import type { SqlCatalog } from "../../catalog/sql/sql-catalog.js";
import { ForbiddenError, NoSuchWarehouseError } from "../../errors.js";
import type { TableMetadata } from "../../spec/table-metadata.js";
import type { Principal } from "./auth.js";
import { IDEMPOTENCY_KEY_LIFETIME } from "./idempotency.js";

/** The endpoints this server implements, as advertised in `CatalogConfig.endpoints`. */
export const SUPPORTED_ENDPOINTS: readonly string[] = [
  "GET /v1/{prefix}/namespaces",
  "POST /v1/{prefix}/namespaces",
  "GET /v1/{prefix}/namespaces/{namespace}",
  "HEAD /v1/{prefix}/namespaces/{namespace}",
  "DELETE /v1/{prefix}/namespaces/{namespace}",
  "POST /v1/{prefix}/namespaces/{namespace}/properties",
  "GET /v1/{prefix}/namespaces/{namespace}/tables",
  "POST /v1/{prefix}/namespaces/{namespace}/tables",
  "POST /v1/{prefix}/namespaces/{namespace}/register",
  "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
  "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
  "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
  "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
  "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister",
  "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials",
  "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
  "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign",
  "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan",
  "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
  "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
  "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks",
  "POST /v1/{prefix}/tables/rename",
  "POST /v1/{prefix}/transactions/commit",
  "GET /v1/{prefix}/namespaces/{namespace}/views",
  "POST /v1/{prefix}/namespaces/{namespace}/views",
  "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
  "POST /v1/{prefix}/namespaces/{namespace}/views/{view}",
  "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
  "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
  "POST /v1/{prefix}/views/rename",
  "POST /v1/{prefix}/namespaces/{namespace}/register-view",
];

/** Options of {@link RestCatalogService}. */
export interface RestCatalogServiceOptions {
  readonly store: CatalogStore;
  /** Warehouse used when a client names none (no `warehouse` parameter, no prefix). */
  readonly defaultWarehouse: string;
}

/** Warehouse resolution and response shaping for the REST routes. */
export class RestCatalogService {
  readonly store: CatalogStore;
  readonly defaultWarehouse: string;

  constructor(opts: RestCatalogServiceOptions) {
    this.store = opts.store;
    this.defaultWarehouse = opts.defaultWarehouse;
  }

  /**
   * REST `getConfig`: the warehouse is chosen by name or by location (clients of other
   * catalogs pass a location); its name becomes the `prefix` override.
   * @throws NoSuchWarehouseError
   */
  async config(warehouse: string | undefined): Promise<Record<string, unknown>> {
    let name = this.defaultWarehouse;
    if (warehouse !== undefined && warehouse !== "") {
      const all = await this.store.warehouses();
      const norm = (l: string) => l.replace(/^file:\/*/, "/").replace(/\/+$/, "");
      const hit =
        all.find((w) => w.name === warehouse) ?? all.find((w) => norm(w.location) === norm(warehouse));
      if (!hit) throw new NoSuchWarehouseError(`Warehouse does not exist: ${warehouse}`);
      name = hit.name;
    }
    await this.store.catalog(name);
    return {
      defaults: {},
      overrides: { prefix: name },
      endpoints: [...SUPPORTED_ENDPOINTS],
      "idempotency-key-lifetime": IDEMPOTENCY_KEY_LIFETIME,
    };
  }

  /**
   * The catalog of a URL prefix (the default warehouse when absent), for `principal`: a
   * token scoped to other warehouses (`warehouse:<name>` scopes) is refused.
   * @throws ForbiddenError for a warehouse outside the principal's scope; NoSuchWarehouseError
   */
  catalog(prefix: string | undefined, principal?: Principal): Promise<SqlCatalog> {
    const name = prefix ?? this.defaultWarehouse;
    const allowed = principal?.warehouses;
    if (allowed !== undefined && !allowed.includes(name))
      return Promise.reject(
        new ForbiddenError(
          `the token of ${principal!.name} is scoped to warehouse(s) ${allowed.join(", ")}, not to warehouse ${name}`,
        ),
      );
    return this.store.catalog(name);
  }
}

/**
 * `snapshots=refs`: only the snapshots a branch or tag points at (REST `loadTable`). The
 * snapshot log then keeps only its entries after the last one whose snapshot is left out,
 * as Iceberg Java's builder does for missing snapshots (`suppressHistoricalSnapshots`).
 */
export function onlyReferencedSnapshots(md: TableMetadata): TableMetadata {
  const referenced = new Set(Object.values(md.refs).map((r) => r.snapshotId));
  let start = 0;
  md.snapshotLog.forEach((e, i) => {
    if (!referenced.has(e.snapshotId)) start = i + 1;
  });
  return {
    ...md,
    snapshots: md.snapshots.filter((s) => referenced.has(s.snapshotId)),
    snapshotLog: md.snapshotLog.slice(start),
  };
}

/** The ETag of a table representation: differs per metadata file and per `snapshots` mode. */
export function tableETag(metadataLocation: string, mode: string): string {
  return `"${createHash("sha256").update(`${mode}\u0000${metadataLocation}`).digest("hex").slice(0, 32)}"`;
}
