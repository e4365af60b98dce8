/**
 * `aichemy serve`: opens the lakehouse and serves HTTP until SIGINT/SIGTERM.
 */
import { pino } from "pino";
import type { Config } from "../../config/config.js";
import { Lakehouse } from "../../engine/lakehouse.js";
import { createHttpServer } from "../../server/http-server.js";

/** Starts the server; resolves when it stops. */
export async function serve(config: Config): Promise<void> {
  const log = pino({ name: "aichemy" });
  const lakehouse = await Lakehouse.open({
    dataDir: config.dataDir,
    catalogName: config.catalog,
    threads: config.threads,
    memoryLimit: config.memoryLimit,
  });
  const server = createHttpServer(lakehouse, log);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log.info(
    { dataDir: lakehouse.dataDir, catalog: config.catalog, url: `http://${config.host}:${port}` },
    "AIchemy lakehouse ready",
  );
  process.stdout.write(
    `AIchemy lakehouse ready: data in ${lakehouse.dataDir}, catalog '${config.catalog}'\n` +
      `  HTTP  http://${config.host}:${port}/health   POST /api/v1/query {"sql": "..."}\n` +
      `  SQL   npx aichemy sql --data-dir ${config.dataDir}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      log.info("shutting down");
      server.close(() => resolve());
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await lakehouse.close();
}
