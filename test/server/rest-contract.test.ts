import { after, before } from "node:test";
import { RestCatalog } from "../../src/catalog/rest/rest-catalog.js";
import { catalogContract } from "../catalog/catalog-contract.js";
import { postgresSkip, startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { startRestServer } from "../helpers/rest-server.js";

// The catalog contract through our REST client against our REST server, on both stores.
let pg: TestPostgres | undefined;
before(async () => {
  if (!postgresSkip) pg = await startPostgres();
});
after(() => pg?.stop());

for (const [label, skip, url] of [
  ["REST client -> server on SQLite", false, () => undefined],
  ["REST client -> server on PostgreSQL", postgresSkip, () => pg!.database(`rest_contract_${process.pid}`)],
] as const) {
  catalogContract(label, skip, async () => {
    const server = await startRestServer({ catalogUrl: url() });
    const catalog = await RestCatalog.open({ name: "iceberg", uri: server.uri });
    return { catalog, warehouse: server.warehouse, close: () => server.stop() };
  });
}
