/**
 * A REST catalog server on an S3 warehouse for interop tests: a real S3 server (see
 * `s3-server.ts`) with bucket `lake`, our server with warehouse `lake` at
 * `s3://lake/warehouse`, OAuth2 clients (some read-only), an access delegation mode, and a
 * session of the server's own engine on that warehouse.
 */
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { Session } from "../../src/engine/session.js";
import type { CredentialVending } from "../../src/server/rest/access-delegation.js";
import { startRestServer, type TestRestServer } from "./rest-server.js";
import { type S3ServerKind, s3OptionsOf, startS3Server, type TestS3Server } from "./s3-server.js";

/** A running S3 store and catalog server over it. */
export interface S3RestLakehouse {
  readonly s3: TestS3Server;
  readonly server: TestRestServer;
  /** A session of the server's engine whose default catalog is `lake`. */
  readonly session: Session;
  /** Keys in bucket `lake` under `prefix`, listed with the store's root keys. */
  objectsUnder(prefix: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts a {@link S3RestLakehouse}: `clients` are OAuth2 `id -> secret`, `readOnly` the ids
 * that may only read; `vending` the credential vending mode (remote signing is always on).
 */
export async function startS3RestLakehouse(opts: {
  kind: S3ServerKind;
  clients: Record<string, string>;
  readOnly?: string[];
  vending: CredentialVending;
}): Promise<S3RestLakehouse> {
  const s3 = await startS3Server(opts.kind);
  let server: TestRestServer | undefined;
  try {
    await s3.createBucket("lake");
    server = await startRestServer({
      auth: { enabled: true, clients: opts.clients, readOnlyPrincipals: opts.readOnly ?? [] },
      warehouses: [{ name: "lake", location: "s3://lake/warehouse" }],
      s3: s3OptionsOf(s3),
      delegation: { vending: opts.vending, durationSeconds: 900 },
    });
    const session = await server.lakehouse.session({ catalog: "lake" });
    const started = server;
    return {
      s3,
      server: started,
      session,
      objectsUnder: async (prefix) => {
        const client = new S3Client({
          endpoint: s3.endpoint,
          region: s3.region,
          forcePathStyle: true,
          credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        });
        try {
          const out = await client.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: prefix }));
          return (out.Contents ?? []).map((o) => o.Key!);
        } finally {
          client.destroy();
        }
      },
      stop: async () => {
        session.close();
        await started.stop();
        await s3.stop();
      },
    };
  } catch (e) {
    await server?.stop();
    await s3.stop();
    throw e;
  }
}
