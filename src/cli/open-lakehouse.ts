/**
 * Opens the lakehouse a command works on, from the configuration: the catalog store and its
 * warehouses, plus catalogs attached with `--catalog name=rest:<uri>`.
 */
import type { Catalog } from "../catalog/catalog.js";
import { RestCatalog } from "../catalog/rest/rest-catalog.js";
import type { Config } from "../config/config.js";
import { Lakehouse, lakehouseFileIO } from "../engine/lakehouse.js";

/** How a command's SQL may reach local files (see `LakehouseOptions`). */
export interface LocalAccess {
  /** User SQL may read any local file (`aichemy sql --allow-local-files`). */
  readonly localFileAccess?: boolean | undefined;
  /** Files the command itself reads (the inputs of `aichemy ingest`). */
  readonly readableFiles?: readonly string[] | undefined;
}

/**
 * Opens the lakehouse of `config`, sandboxed unless `access` opens local files.
 * @throws when an attached catalog cannot be reached.
 */
export async function openLakehouse(config: Config, access: LocalAccess = {}): Promise<Lakehouse> {
  const io = lakehouseFileIO({
    dataDir: config.dataDir,
    s3: config.s3,
    cacheDir: config.cacheDir,
    cacheMaxBytes: config.cacheSize,
  });
  const catalogs = new Map<string, Catalog>();
  for (const a of config.attachedCatalogs) {
    catalogs.set(
      a.name,
      await RestCatalog.open({
        name: a.name,
        uri: a.uri,
        io,
        warehouse: a.properties.warehouse,
        token: a.properties.token,
        credential: a.properties.credential,
        oauth2ServerUri: a.properties["oauth2-server-uri"],
      }),
    );
  }
  return Lakehouse.open({
    dataDir: config.dataDir,
    catalogName: config.catalog,
    catalogUrl: config.catalogUrl,
    warehouses: config.warehouses,
    catalogs,
    threads: config.threads,
    memoryLimit: config.memoryLimit,
    io,
    localFileAccess: access.localFileAccess,
    maxConcurrentStatements: config.maxConcurrentQueries,
    readableFiles: access.readableFiles,
  });
}
