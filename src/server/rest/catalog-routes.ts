/**
 * The Iceberg REST catalog routes under `/v1` (OpenAPI `rest-catalog-open-api.yaml`): each
 * route decodes path, query and body, calls the catalog or the service, and encodes the
 * response. Every route exists with and without the `{prefix}` segment (prefix = warehouse
 * name). Errors become `IcebergErrorResponse`; `Idempotency-Key` is honoured on the
 * mutations the spec lists; with auth on, every route but `/v1/config` and the token
 * endpoint needs a bearer token.
 */
import { type Context, Hono } from "hono";
import type { Logger } from "pino";
import {
  commitTableRequestFromJson,
  commitTransactionRequestFromJson,
  commitViewRequestFromJson,
  createNamespaceRequestFromJson,
  createTableRequestFromJson,
  createViewRequestFromJson,
  decodeNamespace,
  encodeNamespace,
  loadViewResultToJson,
  registerRequestFromJson,
  renameRequestFromJson,
  updateNamespacePropertiesRequestFromJson,
} from "../../catalog/rest/rest-messages.js";
import type { SqlCatalog } from "../../catalog/sql/sql-catalog.js";
import {
  ForbiddenError,
  NoSuchTableError,
  NotFoundError,
  UnprocessableEntityError,
  ValidationError,
} from "../../errors.js";
import type { FileIO } from "../../io/file-io.js";
import type { RemoteSignRequest } from "../../io/s3-remote-signer.js";
import type { StoragePrivilege } from "../../io/s3-session-policy.js";
import { tableMetadataToJson } from "../../spec/codec/table-metadata-json.js";
import { identifierToString, type Namespace, type TableIdentifier } from "../../spec/identifier.js";
import { stringifyJson } from "../../spec/json.js";
import type { TableMetadata } from "../../spec/table-metadata.js";
import { readTableMetadataText, recentMetadataText } from "../../table/metadata-io.js";
import { type AccessDelegation, parseAccessDelegation, type TableAccess } from "./access-delegation.js";
import type { Authenticator, Principal } from "./auth.js";
import { onlyReferencedSnapshots, type RestCatalogService, tableETag } from "./catalog-service.js";
import { emptyResponse, errorResponse, jsonResponse, paginate, parseBody, readBodyText } from "./http-kit.js";
import { IdempotencyStore, isValidIdempotencyKey } from "./idempotency.js";
import { decodeBody, RemoteSignRequestSchema, ReportMetricsRequestSchema } from "./request-schemas.js";
import { ScanPlanner } from "./scan-planning.js";
import { tokenEndpoint } from "./token-endpoint.js";

/** Options of {@link restCatalogRoutes}. */
export interface RestCatalogRoutesOptions {
  readonly service: RestCatalogService;
  readonly auth: Authenticator;
  readonly log: Logger;
  /** Largest accepted request body in bytes. */
  readonly maxBodyBytes: number;
  /** Vended credentials and remote signing for S3 tables (default: none). */
  readonly delegation?: AccessDelegation | undefined;
}

type Env = { Variables: { principal: Principal } };

/** Requests a read-only principal may make: reads, scan planning, metrics, signing (checked per request). */
function READ_ONLY_ALLOWED(method: string, path: string): boolean {
  if (method === "GET" || method === "HEAD") return true;
  return /\/(plan(\/[^/]+)?|tasks|metrics|sign)$/.test(path);
}

/** How long requests inside a dropped table's location are still signed (engines purging it). */
const DROPPED_SIGNING_MS = 10 * 60_000;

/** Locations of recently dropped tables, by warehouse and identifier, for a limited time. */
class RecentlyDropped {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { location: string; until: number }>();
  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }
  remember(key: string, location: string): void {
    const now = Date.now();
    for (const [k, v] of this.#entries) if (v.until < now) this.#entries.delete(k);
    this.#entries.set(key, { location, until: now + this.#ttlMs });
  }
  get(key: string): string | undefined {
    const e = this.#entries.get(key);
    return e && e.until >= Date.now() ? e.location : undefined;
  }
}

/** Serialized `loadTable` responses kept, by ETag. */
const LOAD_CACHE_MAX = 16;
type Handler = (c: Context<Env>, req: RequestInfo) => Promise<Response>;

/** What a handler gets besides the Hono context. */
interface RequestInfo {
  /** Catalog of the prefix (or default warehouse). */
  catalog(): Promise<SqlCatalog>;
  /** The decoded `{namespace}` path parameter. */
  namespace(): Namespace;
  /** `{namespace}` + `{table}` or `{view}`. */
  identifier(param: "table" | "view"): TableIdentifier;
  /** The parsed JSON body. */
  body(): Promise<unknown>;
}

/** Builds the `/v1` routes. */
export function restCatalogRoutes(opts: RestCatalogRoutesOptions): Hono<Env> {
  const { service, auth, log } = opts;
  const idempotency = new IdempotencyStore();
  const planner = new ScanPlanner();
  const loadCache = new Map<string, string>();
  const droppedTables = new RecentlyDropped(DROPPED_SIGNING_MS);

  /**
   * A `LoadTableResult` response with its ETag. Metadata files are immutable, so the text of
   * one is reused: from the metadata file this process just wrote, or from earlier answers
   * (refreshes under contention load the same version many times).
   */
  /** Bodies of table responses that an idempotent replay can read back from the metadata file. */
  const replayable = new WeakMap<Response, () => Promise<string>>();
  const tableResponse = (
    metadataLocation: string,
    metadata: TableMetadata,
    mode: "all" | "refs",
    io?: FileIO,
    access?: TableAccess,
  ): Response => {
    const etag = tableETag(metadataLocation, mode);
    let text = loadCache.get(etag);
    if (text === undefined) {
      const written = mode === "all" ? recentMetadataText(metadataLocation) : undefined;
      text =
        written ??
        stringifyJson(tableMetadataToJson(mode === "refs" ? onlyReferencedSnapshots(metadata) : metadata));
      if (loadCache.size >= LOAD_CACHE_MAX) loadCache.delete(loadCache.keys().next().value as string);
      loadCache.set(etag, text);
    }
    const res = new Response(loadTableResultText(metadataLocation, text, access), {
      status: 200,
      headers: { "content-type": "application/json", etag },
    });
    if (io && mode === "all")
      replayable.set(res, async () =>
        loadTableResultText(metadataLocation, await readTableMetadataText(io, metadataLocation), access),
      );
    return res;
  };

  /**
   * Delegated access to a table's files for this request (X-Iceberg-Access-Delegation); none
   * for a table whose location is not inside its warehouse (metadata stored before locations
   * were checked, or a registered copy recording another location): credentials and
   * signatures are never scoped to a place outside the warehouse.
   */
  const tableAccess = async (
    c: Context<Env>,
    catalog: SqlCatalog,
    location: string,
    id: TableIdentifier,
  ): Promise<TableAccess | undefined> => {
    if (!opts.delegation || !catalog.inWarehouse(location)) return undefined;
    const base = new URL(c.req.url);
    const prefix = c.req.param("prefix");
    const path = `v1/${prefix ? `${encodeURIComponent(prefix)}/` : ""}namespaces/${encodeNamespace(id.namespace)}/tables/${encodeURIComponent(id.name)}/sign`;
    return opts.delegation.tableAccess(
      location,
      parseAccessDelegation(c.req.header("x-iceberg-access-delegation")),
      privilegeOf(c.get("principal")),
      { baseUri: `${base.protocol}//${base.host}`, path },
    );
  };
  /** The response to a create or register: the whole metadata and the delegated access. */
  const createdTableResponse = async (
    c: Context<Env>,
    id: TableIdentifier,
    t: { metadataLocation: string; metadata: TableMetadata },
    catalog: SqlCatalog,
  ) =>
    tableResponse(
      t.metadataLocation,
      t.metadata,
      "all",
      catalog.io,
      await tableAccess(c, catalog, t.metadata.location, id),
    );

  const app = new Hono<Env>();

  const logError = (e: unknown) => log.error({ err: e }, "REST catalog request failed");

  app.use("*", async (c, next) => {
    const path = c.req.path;
    if (path === "/v1/config" || path === "/v1/oauth/tokens") {
      await next();
      return;
    }
    try {
      const principal = await auth.authenticate(c.req.header("authorization"));
      c.set("principal", principal);
      if (principal.readOnly && !READ_ONLY_ALLOWED(c.req.method, path))
        throw new ForbiddenError(
          `principal ${principal.name} is read-only: ${c.req.method} ${path} is not allowed`,
        );
    } catch (e) {
      return errorResponse(e);
    }
    await next();
  });

  /** Wraps a handler: request decoding helpers, errors as IcebergErrorResponse, idempotency. */
  const handle =
    (h: Handler, idempotent = false) =>
    async (c: Context<Env>): Promise<Response> => {
      const params = c.req.param() as Record<string, string>;
      let bodyPromise: Promise<unknown> | undefined;
      const info: RequestInfo = {
        catalog: () => service.catalog(params.prefix, c.get("principal")),
        namespace: () => {
          const ns = decodeNamespace(params.namespace ?? "");
          if (ns.length === 0) throw new ValidationError("namespace must not be empty");
          return ns;
        },
        identifier: (p) => ({ namespace: info.namespace(), name: params[p] ?? "" }),
        body: () => {
          bodyPromise ??= readBodyText(c.req.raw, opts.maxBodyBytes).then(parseBody);
          return bodyPromise;
        },
      };
      const run = async () => {
        try {
          return await h(c, info);
        } catch (e) {
          return errorResponse(e, logError);
        }
      };
      const key = c.req.header("idempotency-key");
      if (!idempotent || key === undefined) return run();
      if (!isValidIdempotencyKey(key))
        return errorResponse(
          new ValidationError(`Idempotency-Key must be a UUID (36 characters), got ${JSON.stringify(key)}`),
        );
      const principal = c.get("principal")?.name ?? "anonymous";
      const stored = await idempotency.run(`${principal} ${c.req.method} ${c.req.path}`, key, async () => {
        const res = await run();
        const replay = replayable.get(res);
        return {
          status: res.status,
          body: res.status === 204 || res.status === 304 || replay ? null : await res.text(),
          headers: Object.fromEntries(res.headers),
          replay,
        };
      });
      return new Response(stored.replay ? await stored.replay() : stored.body, {
        status: stored.status,
        headers: stored.headers,
      });
    };

  // Every catalog route, registered without and with the prefix; unprefixed first so that
  // `/v1/namespaces/...` never reads "namespaces" as a prefix.
  const route = (method: "GET" | "POST" | "DELETE", path: string, h: Handler, idempotent = false) => {
    app.on(method, `/v1${path}`, handle(h, idempotent));
    app.on(method, `/v1/:prefix${path}`, handle(h, idempotent));
  };

  // ------------------------------------------------------------------ config and tokens

  app.get("/v1/config", async (c) => {
    try {
      return jsonResponse(200, await service.config(c.req.query("warehouse")));
    } catch (e) {
      return errorResponse(e, logError);
    }
  });

  app.post("/v1/oauth/tokens", tokenEndpoint({ auth, log, failuresPerMinute: auth.tokenFailuresPerMinute }));

  // ------------------------------------------------------------------ namespaces

  route("GET", "/namespaces", async (c, r) => {
    const catalog = await r.catalog();
    const parentText = c.req.query("parent");
    const parent = parentText ? decodeNamespace(parentText) : [];
    const all = await catalog.listNamespaces(parent);
    const page = paginate(all, (ns) => ns.join("\u001f"), c.req.query("pageToken"), c.req.query("pageSize"));
    return jsonResponse(200, { namespaces: page.items.map((ns) => [...ns]), "next-page-token": page.next });
  });

  route(
    "POST",
    "/namespaces",
    async (_c, r) => {
      const catalog = await r.catalog();
      const req = createNamespaceRequestFromJson(await r.body());
      await catalog.createNamespace(req.namespace, req.properties);
      return jsonResponse(200, {
        namespace: [...req.namespace],
        properties: await catalog.loadNamespaceProperties(req.namespace),
      });
    },
    true,
  );

  route("GET", "/namespaces/:namespace", async (c, r) => {
    const catalog = await r.catalog();
    const ns = r.namespace();
    if (c.req.method === "HEAD") {
      if (!(await catalog.namespaceExists(ns))) return emptyResponse(404);
      return emptyResponse(204);
    }
    return jsonResponse(200, { namespace: [...ns], properties: await catalog.loadNamespaceProperties(ns) });
  });

  route(
    "DELETE",
    "/namespaces/:namespace",
    async (_c, r) => {
      await (await r.catalog()).dropNamespace(r.namespace());
      return emptyResponse();
    },
    true,
  );

  route(
    "POST",
    "/namespaces/:namespace/properties",
    async (_c, r) => {
      const catalog = await r.catalog();
      const ns = r.namespace();
      const req = updateNamespacePropertiesRequestFromJson(await r.body());
      const both = req.removals.filter((k) => k in req.updates);
      if (both.length > 0)
        throw new UnprocessableEntityError(`properties both removed and updated: ${both.join(", ")}`);
      const before = await catalog.loadNamespaceProperties(ns);
      await catalog.updateNamespaceProperties(ns, req.removals, req.updates);
      return jsonResponse(200, {
        updated: Object.keys(req.updates),
        removed: req.removals.filter((k) => k in before),
        missing: req.removals.filter((k) => !(k in before)),
      });
    },
    true,
  );

  // ------------------------------------------------------------------ tables

  route("GET", "/namespaces/:namespace/tables", async (c, r) => {
    const catalog = await r.catalog();
    const ns = r.namespace();
    const page = paginate(
      await catalog.listTables(ns),
      (t) => t.name,
      c.req.query("pageToken"),
      c.req.query("pageSize"),
    );
    return jsonResponse(200, {
      identifiers: page.items.map((t) => ({ namespace: [...t.namespace], name: t.name })),
      "next-page-token": page.next,
    });
  });

  route(
    "POST",
    "/namespaces/:namespace/tables",
    async (c, r) => {
      const catalog = await r.catalog();
      const ns = r.namespace();
      const req = createTableRequestFromJson(await r.body());
      const id = { namespace: ns, name: req.name };
      const { "format-version": formatVersion, ...properties } = req.properties;
      const opts = {
        schema: req.schema,
        partitionSpec: req.partitionSpec,
        sortOrder: req.writeOrder,
        location: req.location,
        properties,
        formatVersion: formatVersionOf(formatVersion),
      };
      if (req.stageCreate) {
        const metadata = await catalog.stageCreateTable(id, opts);
        const access = await tableAccess(c, catalog, metadata.location, id);
        return new Response(loadTableResultText(null, stringifyJson(tableMetadataToJson(metadata)), access), {
          status: 200,
          headers: { "content-type": "application/json" },
        });
      }
      return createdTableResponse(c, id, await catalog.createTable(id, opts), catalog);
    },
    true,
  );

  route(
    "POST",
    "/namespaces/:namespace/register",
    async (c, r) => {
      const catalog = await r.catalog();
      const req = registerRequestFromJson(await r.body());
      const id = { namespace: r.namespace(), name: req.name };
      return createdTableResponse(
        c,
        id,
        await catalog.registerTable(id, req.metadataLocation, req.overwrite),
        catalog,
      );
    },
    true,
  );

  route("GET", "/namespaces/:namespace/tables/:table", async (c, r) => {
    const catalog = await r.catalog();
    const id = r.identifier("table");
    if (c.req.method === "HEAD") return emptyResponse((await catalog.tableExists(id)) ? 204 : 404);
    const mode = c.req.query("snapshots") ?? "all";
    if (mode !== "all" && mode !== "refs")
      throw new ValidationError(`snapshots must be 'all' or 'refs', got ${JSON.stringify(mode)}`);
    const t = await catalog.loadTable(id);
    const etag = tableETag(t.metadataLocation, mode);
    if (c.req.header("if-none-match") === etag) return emptyResponse(304, { etag });
    // Metadata files are immutable: the serialized response of one is reused (refreshes under
    // contention load the same version many times).
    return tableResponse(
      t.metadataLocation,
      t.metadata,
      mode,
      undefined,
      await tableAccess(c, catalog, t.metadata.location, id),
    );
  });

  route(
    "POST",
    "/namespaces/:namespace/tables/:table",
    async (_c, r) => {
      const catalog = await r.catalog();
      const id = r.identifier("table");
      const req = commitTableRequestFromJson(await r.body());
      if (req.identifier && identifierToString(req.identifier) !== identifierToString(id))
        throw new ValidationError(
          `body.identifier ${identifierToString(req.identifier)} does not match the URL's table ${identifierToString(id)}`,
        );
      const state = await catalog.commitTable(id, req.requirements, req.updates);
      return tableResponse(state.metadataLocation, state.metadata, "all", catalog.io);
    },
    true,
  );

  route(
    "DELETE",
    "/namespaces/:namespace/tables/:table",
    async (c, r) => {
      const purge = c.req.query("purgeRequested");
      if (purge !== undefined && purge !== "true" && purge !== "false")
        throw new ValidationError(`purgeRequested must be true or false, got ${JSON.stringify(purge)}`);
      const catalog = await r.catalog();
      const id = r.identifier("table");
      // Engines purge a dropped table's files themselves (Spark's DROP TABLE ... PURGE drops,
      // then deletes through the table's FileIO): remote signing must outlive the drop a while.
      const location =
        opts.delegation && purge !== "true" ? (await catalog.loadTable(id)).metadata.location : undefined;
      await catalog.dropTable(id, purge === "true");
      if (location) droppedTables.remember(`${catalog.name}\u0000${identifierToString(id)}`, location);
      return emptyResponse();
    },
    true,
  );

  route(
    "POST",
    "/namespaces/:namespace/tables/:table/unregister",
    async (_c, r) => {
      const state = await (await r.catalog()).unregisterTable(r.identifier("table"));
      return jsonResponse(200, {
        "metadata-location": state.metadataLocation,
        metadata: tableMetadataToJson(state.metadata),
      });
    },
    true,
  );

  route("GET", "/namespaces/:namespace/tables/:table/credentials", async (c, r) => {
    const catalog = await r.catalog();
    const t = await catalog.loadTable(r.identifier("table"));
    const credentials = catalog.inWarehouse(t.metadata.location)
      ? ((await opts.delegation?.credentialsFor(t.metadata.location, privilegeOf(c.get("principal")))) ?? [])
      : [];
    return jsonResponse(200, { "storage-credentials": credentials });
  });

  route("POST", "/namespaces/:namespace/tables/:table/sign", async (c, r) => {
    if (!opts.delegation) throw new ForbiddenError("remote signing is not configured on this server");
    const catalog = await r.catalog();
    const id = r.identifier("table");
    let location: string;
    try {
      location = (await catalog.loadTable(id)).metadata.location;
    } catch (e) {
      const dropped = droppedTables.get(`${catalog.name}\u0000${identifierToString(id)}`);
      if (!(e instanceof NoSuchTableError) || dropped === undefined) throw e;
      location = dropped;
    }
    if (!catalog.inWarehouse(location))
      throw new ForbiddenError(
        `table ${identifierToString(id)} has its location ${JSON.stringify(location)} outside the warehouse ${catalog.warehouse}: no request is signed for it`,
      );
    const req = remoteSignRequestFromJson(await r.body());
    const signed = await opts.delegation.sign(location, privilegeOf(c.get("principal")), req);
    return new Response(JSON.stringify(signed), {
      status: 200,
      headers: { "content-type": "application/json", "cache-control": "no-cache" },
    });
  });

  route("POST", "/namespaces/:namespace/tables/:table/metrics", async (_c, r) => {
    const catalog = await r.catalog();
    const id = r.identifier("table");
    const type = decodeBody(ReportMetricsRequestSchema, await r.body())["report-type"];
    if (!(await catalog.tableExists(id)))
      throw new NoSuchTableError(`Table does not exist: ${identifierToString(id)}`);
    log.debug({ table: identifierToString(id), reportType: type }, "metrics report");
    return emptyResponse();
  });

  // ------------------------------------------------------------------ scan planning

  const tableKey = (c: Context<Env>, id: TableIdentifier) =>
    `${c.req.param("prefix") ?? service.defaultWarehouse}\u0000${identifierToString(id)}`;

  route(
    "POST",
    "/namespaces/:namespace/tables/:table/plan",
    async (c, r) => {
      const id = r.identifier("table");
      const table = await (await r.catalog()).loadTable(id);
      const text = await readBodyText(c.req.raw, opts.maxBodyBytes);
      return jsonResponse(
        200,
        await planner.plan(table, tableKey(c, id), text.trim() === "" ? undefined : parseBody(text)),
      );
    },
    true,
  );

  route("GET", "/namespaces/:namespace/tables/:table/plan/:planId", async (c, r) => {
    const id = r.identifier("table");
    await (await r.catalog()).loadTable(id);
    return jsonResponse(200, planner.fetch(c.req.param("planId") ?? "", tableKey(c, id)));
  });

  route(
    "DELETE",
    "/namespaces/:namespace/tables/:table/plan/:planId",
    async (c, r) => {
      const id = r.identifier("table");
      await (await r.catalog()).loadTable(id);
      planner.cancel(c.req.param("planId") ?? "", tableKey(c, id));
      return emptyResponse();
    },
    true,
  );

  route(
    "POST",
    "/namespaces/:namespace/tables/:table/tasks",
    async (c, r) => {
      const id = r.identifier("table");
      await (await r.catalog()).loadTable(id);
      return jsonResponse(200, planner.tasks(tableKey(c, id), await r.body()));
    },
    true,
  );

  // ------------------------------------------------------------------ rename, transactions

  route(
    "POST",
    "/tables/rename",
    async (_c, r) => {
      const req = renameRequestFromJson(await r.body());
      await (await r.catalog()).renameTable(req.source, req.destination);
      return emptyResponse();
    },
    true,
  );

  route(
    "POST",
    "/transactions/commit",
    async (_c, r) => {
      const changes = commitTransactionRequestFromJson(await r.body());
      await (await r.catalog()).commitTransaction(changes);
      return emptyResponse();
    },
    true,
  );

  // ------------------------------------------------------------------ views

  route("GET", "/namespaces/:namespace/views", async (c, r) => {
    const catalog = await r.catalog();
    const page = paginate(
      await catalog.listViews(r.namespace()),
      (t) => t.name,
      c.req.query("pageToken"),
      c.req.query("pageSize"),
    );
    return jsonResponse(200, {
      identifiers: page.items.map((t) => ({ namespace: [...t.namespace], name: t.name })),
      "next-page-token": page.next,
    });
  });

  route("POST", "/namespaces/:namespace/views", async (_c, r) => {
    const catalog = await r.catalog();
    const req = createViewRequestFromJson(await r.body());
    const state = await catalog.createView(
      { namespace: r.namespace(), name: req.name },
      {
        schema: req.schema,
        viewVersion: req.viewVersion,
        location: req.location,
        properties: req.properties,
      },
    );
    return jsonResponse(200, loadViewResultToJson({ ...state, config: {} }));
  });

  route("GET", "/namespaces/:namespace/views/:view", async (c, r) => {
    const catalog = await r.catalog();
    const id = r.identifier("view");
    if (c.req.method === "HEAD") return emptyResponse((await catalog.viewExists(id)) ? 204 : 404);
    return jsonResponse(200, loadViewResultToJson({ ...(await catalog.loadView(id)), config: {} }));
  });

  route(
    "POST",
    "/namespaces/:namespace/views/:view",
    async (_c, r) => {
      const req = commitViewRequestFromJson(await r.body());
      const state = await (await r.catalog()).commitView(r.identifier("view"), req.requirements, req.updates);
      return jsonResponse(200, loadViewResultToJson({ ...state, config: {} }));
    },
    true,
  );

  route(
    "DELETE",
    "/namespaces/:namespace/views/:view",
    async (_c, r) => {
      await (await r.catalog()).dropView(r.identifier("view"));
      return emptyResponse();
    },
    true,
  );

  route(
    "POST",
    "/views/rename",
    async (_c, r) => {
      const req = renameRequestFromJson(await r.body());
      await (await r.catalog()).renameView(req.source, req.destination);
      return emptyResponse();
    },
    true,
  );

  route(
    "POST",
    "/namespaces/:namespace/register-view",
    async (_c, r) => {
      const catalog = await r.catalog();
      const req = registerRequestFromJson(await r.body());
      const state = await catalog.registerView(
        { namespace: r.namespace(), name: req.name },
        req.metadataLocation,
      );
      return jsonResponse(200, loadViewResultToJson({ ...state, config: {} }));
    },
    true,
  );

  app.all("/v1/*", (c) =>
    errorResponse(new NotFoundError(`${c.req.method} ${c.req.path} is not an endpoint of this catalog`)),
  );
  return app;
}

/**
 * The reserved `format-version` table property requests a format version (Iceberg Java and
 * PyIceberg send it); it is not kept as a property.
 */
function formatVersionOf(v: string | undefined): 1 | 2 | 3 | undefined {
  if (v === undefined) return undefined;
  if (v !== "1" && v !== "2" && v !== "3")
    throw new ValidationError(`body.properties.format-version: unsupported format version ${v}`);
  return Number(v) as 1 | 2 | 3;
}

/** A `LoadTableResult` body around metadata JSON text. */
function loadTableResultText(
  metadataLocation: string | null,
  metadataText: string,
  access?: TableAccess,
): string {
  const credentials = access?.storageCredentials.length
    ? `,"storage-credentials":${JSON.stringify(access.storageCredentials)}`
    : "";
  return `{"metadata-location":${JSON.stringify(metadataLocation)},"metadata":${metadataText},"config":${JSON.stringify(access?.config ?? {})}${credentials}}`;
}

/**
 * Decodes a REST `RemoteSignRequest`.
 * @throws JsonShapeError naming the field.
 */
function remoteSignRequestFromJson(json: unknown): RemoteSignRequest {
  const o = decodeBody(RemoteSignRequestSchema, json);
  return { ...o, body: o.body ?? undefined, provider: o.provider ?? undefined };
}

/** Storage privilege of a principal: read-only principals read, everyone else writes. */
function privilegeOf(p: Principal | undefined): StoragePrivilege {
  return p?.readOnly ? "read" : "write";
}
