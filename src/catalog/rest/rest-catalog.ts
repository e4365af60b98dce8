/**
 * A Catalog over any Iceberg REST catalog server (ours, Lakekeeper, Polaris, Nessie ...):
 * `GET /v1/config` picks the warehouse and URL prefix, then every Catalog operation is one
 * REST call (pyiceberg `RestCatalog`, Iceberg Java `RESTSessionCatalog`). Table commits go
 * through `updateTable`; a 409 is a CommitFailedError the table layer retries.
 */
import type { FileIO } from "../../io/file-io.js";
import { LocalFileIO } from "../../io/local-file-io.js";
import { ResolvingFileIO } from "../../io/resolving-file-io.js";
import { s3OptionsFromProperties } from "../../io/s3-file-io.js";
import { isS3Location } from "../../io/s3-location.js";
import type { RemoteSignFunction, RemoteSignResult } from "../../io/s3-remote-signer.js";
import { asArray, asObject } from "../../spec/codec/json-fields.js";
import type { Namespace, TableIdentifier } from "../../spec/identifier.js";
import { parseJson } from "../../spec/json.js";
import type { TableMetadata } from "../../spec/table-metadata.js";
import type { TableRequirement, TableUpdate } from "../../spec/table-update.js";
import type { ViewRequirement, ViewUpdate } from "../../spec/view-metadata.js";
import { Table } from "../../table/table.js";
import type { RefreshOptions, TableOperations, TableState } from "../../table/table-operations.js";
import type { Catalog, CreateTableOptions, CreateViewOptions, TableChange, ViewState } from "../catalog.js";
import { RestHttpClient, type RestHttpOptions } from "./rest-http.js";
import {
  commitTableRequestToJson,
  commitViewRequestToJson,
  createTableRequestToJson,
  createViewRequestToJson,
  encodeNamespace,
  identifierFromJson,
  identifierToJson,
  type LoadTableResult,
  loadTableResultFromJson,
  loadViewResultFromJson,
  namespaceFromJson,
} from "./rest-messages.js";

/** Options of {@link RestCatalog.open}. */
export interface RestCatalogOptions extends RestHttpOptions {
  /** Catalog name as engines address it. */
  readonly name: string;
  /** Warehouse to ask `/v1/config` for (a name or a location; default: the server's default). */
  readonly warehouse?: string | undefined;
  /** Storage of the tables (default: local files). */
  readonly io?: FileIO | undefined;
  /**
   * `X-Iceberg-Access-Delegation` sent when loading and creating tables (default
   * `vended-credentials,remote-signing`); `""` sends none.
   */
  readonly accessDelegation?: string | undefined;
}

/** A REST catalog client. */
export class RestCatalog implements Catalog {
  readonly name: string;
  readonly io: FileIO;
  readonly http: RestHttpClient;
  /** `prefix/` for catalog paths (empty when the server sets no prefix). */
  readonly #prefix: string;
  readonly #delegation: string;
  /** FileIOs made for tables' storage settings, by those settings. */
  readonly #tableIOs = new Map<string, FileIO>();

  private constructor(
    name: string,
    io: FileIO,
    http: RestHttpClient,
    prefix: string | undefined,
    delegation: string,
  ) {
    this.name = name;
    this.io = io;
    this.http = http;
    this.#prefix = prefix ? `${encodeURIComponent(prefix)}/` : "";
    this.#delegation = delegation;
  }

  /** Headers of table loads and creates: the access delegation asked for. */
  #tableHeaders(): Record<string, string> {
    return this.#delegation ? { "x-iceberg-access-delegation": this.#delegation } : {};
  }

  /**
   * The FileIO of a loaded table: for S3 tables whose response carries storage settings
   * (endpoint, vended credentials, the longest matching `storage-credentials` prefix, or
   * remote signing), an S3 FileIO with them; else the catalog's own.
   */
  #tableIO(r: LoadTableResult): FileIO {
    const location = r.metadata.location;
    if (!isS3Location(location)) return this.io;
    const credential = [...(r.storageCredentials ?? [])]
      .filter(
        (c) =>
          location === c.prefix || location.startsWith(c.prefix.endsWith("/") ? c.prefix : `${c.prefix}/`),
      )
      .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    const props = { ...r.config, ...(credential?.config ?? {}) };
    const signing = props["s3.remote-signing-enabled"] === "true" && !props["s3.access-key-id"];
    if (!signing && !props["s3.access-key-id"] && !props["s3.endpoint"]) return this.io;
    const key = JSON.stringify(Object.entries(props).sort());
    let io = this.#tableIOs.get(key);
    if (!io) {
      const opts = s3OptionsFromProperties(props);
      const s3 = signing ? { ...opts, remoteSigner: this.#remoteSigner(props) } : opts;
      io = this.io instanceof ResolvingFileIO ? this.io.withS3(s3) : new ResolvingFileIO({ s3 });
      this.#tableIOs.set(key, io);
    }
    return io;
  }

  /** Calls the sign endpoint a table's config names (`signer.uri` + `signer.endpoint`, else the spec's default). */
  #remoteSigner(props: Record<string, string>): RemoteSignFunction {
    const base = `${(props["signer.uri"] ?? props["s3.signer.uri"] ?? this.http.uri).replace(/\/+$/, "")}/`;
    const endpoint = props["signer.endpoint"] ?? props["s3.signer.endpoint"] ?? "v1/aws/s3/sign";
    const url = new URL(endpoint, base).toString();
    return async (req) =>
      (await this.http.request("POST", url, { body: { ...req, provider: "s3" } })) as RemoteSignResult;
  }

  /** Connects: fetches `/v1/config` (authenticating first when credentials are given). */
  static async open(opts: RestCatalogOptions): Promise<RestCatalog> {
    const http = new RestHttpClient(opts);
    const config = asObject(
      await http.request("GET", "config", { query: { warehouse: opts.warehouse } }),
      "config",
    );
    const overrides = (config.overrides ?? {}) as Record<string, string>;
    const defaults = (config.defaults ?? {}) as Record<string, string>;
    const prefix = overrides.prefix ?? defaults.prefix;
    return new RestCatalog(
      opts.name,
      opts.io ?? new LocalFileIO(),
      http,
      prefix,
      opts.accessDelegation ?? "vended-credentials,remote-signing",
    );
  }

  #ns(ns: Namespace): string {
    return `${this.#prefix}namespaces/${encodeNamespace(ns)}`;
  }

  #table(id: TableIdentifier): string {
    return `${this.#ns(id.namespace)}/tables/${encodeURIComponent(id.name)}`;
  }

  #view(id: TableIdentifier): string {
    return `${this.#ns(id.namespace)}/views/${encodeURIComponent(id.name)}`;
  }

  async #exists(path: string): Promise<boolean> {
    try {
      await this.http.request("HEAD", path);
      return true;
    } catch (e) {
      if ((e as { httpStatus?: number }).httpStatus === 404) return false;
      throw e;
    }
  }

  async #listAll(
    path: string,
    field: string,
    query: Record<string, string | undefined> = {},
  ): Promise<unknown[]> {
    const out: unknown[] = [];
    let token: string | undefined = "";
    for (;;) {
      const res = asObject(
        await this.http.request("GET", path, { query: { ...query, pageToken: token } }),
        "response",
      );
      out.push(...asArray(res[field] ?? [], `response.${field}`));
      const next = res["next-page-token"];
      if (typeof next !== "string" || next === "") return out;
      token = next;
    }
  }

  // ------------------------------------------------------------------ namespaces

  async listNamespaces(parent: Namespace = []): Promise<Namespace[]> {
    const items = await this.#listAll(`${this.#prefix}namespaces`, "namespaces", {
      parent: parent.length > 0 ? parent.join("\u001f") : undefined,
    });
    return items.map((x, i) => namespaceFromJson(x, `namespaces[${i}]`));
  }

  async createNamespace(ns: Namespace, properties: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.http.request("POST", `${this.#prefix}namespaces`, {
      body: { namespace: [...ns], properties: { ...properties } },
      idempotent: true,
    });
  }

  async loadNamespaceProperties(ns: Namespace): Promise<Record<string, string>> {
    const res = asObject(await this.http.request("GET", this.#ns(ns)), "response");
    return { ...((res.properties ?? {}) as Record<string, string>) };
  }

  namespaceExists(ns: Namespace): Promise<boolean> {
    return this.#exists(this.#ns(ns));
  }

  async dropNamespace(ns: Namespace): Promise<void> {
    await this.http.request("DELETE", this.#ns(ns), { idempotent: true });
  }

  async updateNamespaceProperties(
    ns: Namespace,
    removals: readonly string[],
    updates: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.http.request("POST", `${this.#ns(ns)}/properties`, {
      body: { removals: [...removals], updates: { ...updates } },
      idempotent: true,
    });
  }

  // ------------------------------------------------------------------ tables

  async listTables(ns: Namespace): Promise<TableIdentifier[]> {
    const items = await this.#listAll(`${this.#ns(ns)}/tables`, "identifiers");
    return items.map((x, i) => identifierFromJson(x, `identifiers[${i}]`));
  }

  tableExists(id: TableIdentifier): Promise<boolean> {
    return this.#exists(this.#table(id));
  }

  #ops(id: TableIdentifier): TableOperations {
    return {
      refresh: (opts) => this.#load(id, opts?.referencedSnapshotsOnly ? "refs" : undefined),
      commit: (requirements, updates) => this.commitTable(id, requirements, updates),
    };
  }

  async #loadResult(id: TableIdentifier, snapshots?: "refs"): Promise<LoadTableResult> {
    return loadTableResultFromJson(
      await this.http.request("GET", this.#table(id), {
        query: { snapshots },
        headers: this.#tableHeaders(),
      }),
    );
  }

  async #load(id: TableIdentifier, snapshots?: "refs"): Promise<TableState> {
    const r = await this.#loadResult(id, snapshots);
    return { metadata: r.metadata, metadataLocation: r.metadataLocation ?? "" };
  }

  async loadTable(id: TableIdentifier, opts?: RefreshOptions): Promise<Table> {
    const r = await this.#loadResult(id, opts?.referencedSnapshotsOnly ? "refs" : undefined);
    return new Table(
      id,
      { metadata: r.metadata, metadataLocation: r.metadataLocation ?? "" },
      this.#tableIO(r),
      this.#ops(id),
    );
  }

  async #create(id: TableIdentifier, opts: CreateTableOptions, stageCreate: boolean) {
    const properties = { ...(opts.properties ?? {}) };
    if (opts.formatVersion !== undefined) properties["format-version"] = String(opts.formatVersion);
    return loadTableResultFromJson(
      await this.http.request("POST", `${this.#ns(id.namespace)}/tables`, {
        body: createTableRequestToJson({
          name: id.name,
          location: opts.location,
          schema: opts.schema,
          partitionSpec: opts.partitionSpec,
          writeOrder: opts.sortOrder,
          stageCreate,
          properties,
        }),
        idempotent: true,
        headers: this.#tableHeaders(),
      }),
    );
  }

  async createTable(id: TableIdentifier, opts: CreateTableOptions): Promise<Table> {
    const r = await this.#create(id, opts, false);
    return new Table(
      id,
      { metadata: r.metadata, metadataLocation: r.metadataLocation ?? "" },
      this.#tableIO(r),
      this.#ops(id),
    );
  }

  async stageCreateTable(id: TableIdentifier, opts: CreateTableOptions): Promise<TableMetadata> {
    return (await this.#create(id, opts, true)).metadata;
  }

  async registerTable(id: TableIdentifier, metadataLocation: string, overwrite = false): Promise<Table> {
    const r = loadTableResultFromJson(
      await this.http.request("POST", `${this.#ns(id.namespace)}/register`, {
        body: { name: id.name, "metadata-location": metadataLocation, overwrite },
        idempotent: true,
        headers: this.#tableHeaders(),
      }),
    );
    return new Table(
      id,
      { metadata: r.metadata, metadataLocation: r.metadataLocation ?? metadataLocation },
      this.#tableIO(r),
      this.#ops(id),
    );
  }

  async dropTable(id: TableIdentifier, purge = false): Promise<void> {
    await this.http.request("DELETE", this.#table(id), {
      query: { purgeRequested: String(purge) },
      idempotent: true,
    });
  }

  async unregisterTable(id: TableIdentifier): Promise<TableState> {
    const r = loadTableResultFromJson(
      await this.http.request("POST", `${this.#table(id)}/unregister`, { idempotent: true }),
    );
    return { metadata: r.metadata, metadataLocation: r.metadataLocation ?? "" };
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    await this.http.request("POST", `${this.#prefix}tables/rename`, {
      body: { source: identifierToJson(from), destination: identifierToJson(to) },
      idempotent: true,
    });
  }

  async commitTable(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<TableState> {
    const text = await this.http.requestText("POST", this.#table(id), {
      body: commitTableRequestToJson({
        identifier: id,
        requirements: [...requirements],
        updates: [...updates],
      }),
      idempotent: true,
      commit: true,
    });
    return lazyTableState(text);
  }

  async commitTransaction(changes: readonly TableChange[]): Promise<void> {
    await this.http.request("POST", `${this.#prefix}transactions/commit`, {
      body: {
        "table-changes": changes.map((c) =>
          commitTableRequestToJson({
            identifier: c.identifier,
            requirements: [...c.requirements],
            updates: [...c.updates],
          }),
        ),
      },
      idempotent: true,
      commit: true,
    });
  }

  // ------------------------------------------------------------------ views

  async listViews(ns: Namespace): Promise<TableIdentifier[]> {
    const items = await this.#listAll(`${this.#ns(ns)}/views`, "identifiers");
    return items.map((x, i) => identifierFromJson(x, `identifiers[${i}]`));
  }

  viewExists(id: TableIdentifier): Promise<boolean> {
    return this.#exists(this.#view(id));
  }

  async loadView(id: TableIdentifier): Promise<ViewState> {
    return loadViewResultFromJson(await this.http.request("GET", this.#view(id)));
  }

  async createView(id: TableIdentifier, opts: CreateViewOptions): Promise<ViewState> {
    return loadViewResultFromJson(
      await this.http.request("POST", `${this.#ns(id.namespace)}/views`, {
        body: createViewRequestToJson({
          name: id.name,
          location: opts.location,
          schema: opts.schema,
          viewVersion: opts.viewVersion,
          properties: { ...(opts.properties ?? {}) },
        }),
      }),
    );
  }

  async commitView(
    id: TableIdentifier,
    requirements: readonly ViewRequirement[],
    updates: readonly ViewUpdate[],
  ): Promise<ViewState> {
    return loadViewResultFromJson(
      await this.http.request("POST", this.#view(id), {
        body: commitViewRequestToJson({
          identifier: id,
          requirements: [...requirements],
          updates: [...updates],
        }),
        idempotent: true,
        commit: true,
      }),
    );
  }

  async dropView(id: TableIdentifier): Promise<void> {
    await this.http.request("DELETE", this.#view(id), { idempotent: true });
  }

  async renameView(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    await this.http.request("POST", `${this.#prefix}views/rename`, {
      body: { source: identifierToJson(from), destination: identifierToJson(to) },
      idempotent: true,
    });
  }

  async registerView(id: TableIdentifier, metadataLocation: string): Promise<ViewState> {
    return loadViewResultFromJson(
      await this.http.request("POST", `${this.#ns(id.namespace)}/register-view`, {
        body: { name: id.name, "metadata-location": metadataLocation },
        idempotent: true,
      }),
    );
  }

  /** Closes the S3 clients made for tables. */
  async close(): Promise<void> {
    for (const io of this.#tableIOs.values()) io.close?.();
    this.#tableIOs.clear();
  }
}

/** `{"metadata-location": "..."` opening a response, as Iceberg Java and our server write it. */
const LEADING_METADATA_LOCATION = /^\s*\{\s*"metadata-location"\s*:\s*("(?:[^"\\]|\\.)*")\s*,/;

/**
 * The table state in a `CommitTableResponse` text. The metadata of a commit response is often
 * never looked at (the writer is done), and parsing it grows with the table's history, so
 * when the metadata location opens the response it is read from there and the metadata is
 * parsed on first use.
 * @throws JsonShapeError (when the metadata is first used) for a malformed response
 */
function lazyTableState(text: string): TableState {
  const m = LEADING_METADATA_LOCATION.exec(text);
  if (!m) {
    const r = loadTableResultFromJson(parseJson(text));
    return { metadata: r.metadata, metadataLocation: r.metadataLocation ?? "" };
  }
  let metadata: TableMetadata | undefined;
  return {
    metadataLocation: JSON.parse(m[1]!) as string,
    get metadata() {
      metadata ??= loadTableResultFromJson(parseJson(text)).metadata;
      return metadata;
    },
  };
}
