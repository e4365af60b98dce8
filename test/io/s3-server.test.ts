import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { sleep } from "../helpers/file-lock.js";
import { type S3ServerKind, s3Skip, startS3Server, type TestS3Server } from "../helpers/s3-server.js";

// Smoke tests of the real S3 servers in test/helpers/s3-server.ts, and the server behaviour an S3
// FileIO relies on: conditional create, STS session policies, erasure-coded durability.

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function client(server: TestS3Server, credentials: Credentials = server, maxAttempts?: number): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
  });
}

async function put(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array,
  ifNoneMatch?: string,
) {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: ifNoneMatch }));
}

async function get(s3: S3Client, bucket: string, key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return res.Body!.transformToString();
}

/** "ok", or the HTTP status of the S3 error a request failed with. */
async function outcome(p: Promise<unknown>): Promise<"ok" | number> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof S3ServiceException && e.$metadata.httpStatusCode) return e.$metadata.httpStatusCode;
    throw e;
  }
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: the IAM policy variable, not a placeholder
const STAR = "${*}";

for (const kind of ["minio", "versitygw"] as S3ServerKind[]) {
  describe(`S3 server: ${kind}`, { skip: s3Skip(kind) }, () => {
    let server: TestS3Server;
    let s3: S3Client;
    before(async () => {
      server = await startS3Server(kind);
      s3 = client(server);
      await server.createBucket("smoke");
    });
    after(async () => {
      s3?.destroy();
      await server?.stop();
    });

    it("creates a bucket, puts and gets an object", async () => {
      await put(s3, "smoke", "a/b.txt", "hello");
      assert.equal(await get(s3, "smoke", "a/b.txt"), "hello");
      assert.equal(server.endpoint, new URL(server.endpoint).origin);
      assert.equal(server.dataDirs.length, 1);
    });

    it("If-None-Match: * creates once; the second put gets 412 and the first body stays", async () => {
      assert.equal(await outcome(put(s3, "smoke", "cas", "one", "*")), "ok");
      assert.equal(await outcome(put(s3, "smoke", "cas", "two", "*")), 412);
      assert.equal(await get(s3, "smoke", "cas"), "one");
    });

    it("If-None-Match: * under concurrency: exactly one of 8 writers wins", async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => outcome(put(s3, "smoke", "race", `w${i}`, "*"))),
      );
      assert.equal(results.filter((r) => r === "ok").length, 1, JSON.stringify(results));
      // Both answer every loser with 412 (50 rounds of 8 writers: never anything else). AWS S3 may
      // also answer 409 ConditionalRequestConflict while the winning upload is still in flight.
      assert.ok(
        results.every((r) => r === "ok" || r === 412),
        JSON.stringify(results),
      );
      assert.equal(await get(s3, "smoke", "race"), `w${results.indexOf("ok")}`);
    });
  });
}

describe("MinIO STS: AssumeRole with a session policy", { skip: s3Skip("minio") }, () => {
  let server: TestS3Server;
  let s3: S3Client;
  before(async () => {
    server = await startS3Server("minio");
    s3 = client(server);
    await server.createBucket("bucket");
  });
  after(async () => {
    s3?.destroy();
    await server?.stop();
  });

  /** Root's credentials narrowed to s3:GetObject on `resource` (MinIO accepts any RoleArn). */
  async function assume(resource: string): Promise<S3Client> {
    const sts = new STSClient({
      endpoint: server.endpoint,
      region: server.region,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    try {
      const res = await sts.send(
        new AssumeRoleCommand({
          RoleArn: "arn:minio:iam:::role/aichemy",
          RoleSessionName: "aichemy-test",
          DurationSeconds: 900,
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [resource] }],
          }),
        }),
      );
      const c = res.Credentials!;
      return client(server, {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      });
    } finally {
      sts.destroy();
    }
  }

  it("scopes the temporary credentials to the policy", async () => {
    await put(s3, "bucket", "prefix/x", "allowed");
    await put(s3, "bucket", "other/x", "denied");
    const scoped = await assume("arn:aws:s3:::bucket/prefix/*");
    try {
      assert.equal(await get(scoped, "bucket", "prefix/x"), "allowed");
      await assert.rejects(get(scoped, "bucket", "other/x"), { name: "AccessDenied" });
      await assert.rejects(put(scoped, "bucket", "prefix/y", "no"), { name: "AccessDenied" });
    } finally {
      scoped.destroy();
    }
  });

  it("keeps the policy variable {*} in a Resource as text with a wildcard inside (AWS: literal *)", async () => {
    const keys = ["lit/a*b", "lit/axb", `lit/a${STAR}b`, `lit/a$\{xyz}b`];
    for (const k of keys) await put(s3, "bucket", k, k);
    const scoped = await assume(`arn:aws:s3:::bucket/lit/a${STAR}b`);
    try {
      const allowed = [];
      for (const k of keys) if ((await outcome(get(scoped, "bucket", k))) === "ok") allowed.push(k);
      // AWS IAM would allow exactly lit/a*b. MinIO only substitutes the condition keys it knows
      // and leaves `${*}` as is, whose `*` is then a wildcard like any other (no escape exists).
      assert.deepEqual(allowed, [`lit/a${STAR}b`, `lit/a$\{xyz}b`]);
    } finally {
      scoped.destroy();
    }
  });
});

describe("MinIO erasure set over 4 drives (EC:2)", { skip: s3Skip("minio") }, () => {
  const body = (i: number) => new Uint8Array(300_000).fill(i);
  const sameBytes = async (s3: S3Client, key: string, expected: Uint8Array) => {
    const res = await s3.send(new GetObjectCommand({ Bucket: "ecset", Key: key }));
    assert.deepEqual(Buffer.from(await res.Body!.transformToByteArray()), Buffer.from(expected));
  };

  async function withErasureSet(fn: (server: TestS3Server, s3: S3Client) => Promise<void>) {
    const server = await startS3Server("minio", { drives: 4 });
    // No retries: a write without quorum fails at once instead of after backoff.
    const s3 = client(server, server, 1);
    try {
      assert.equal(server.dataDirs.length, 4);
      await server.createBucket("ecset");
      for (let i = 0; i < 3; i++) await put(s3, "ecset", `o${i}`, body(i));
      await put(s3, "ecset", "small", "inline"); // small objects live inside xl.meta
      await fn(server, s3);
    } finally {
      s3.destroy();
      await server.stop();
    }
  }

  it("wiped drives: reads work, writes fail until MinIO reformats and heals them", async () => {
    await withErasureSet(async (server, s3) => {
      // Emptied (as if replaced by new disks) while the server runs.
      for (const d of server.dataDirs.slice(2)) {
        rmSync(d, { recursive: true });
        mkdirSync(d);
      }
      for (let i = 0; i < 3; i++) await sameBytes(s3, `o${i}`, body(i));
      assert.equal(await get(s3, "ecset", "small"), "inline");
      // No write quorum: 503 SlowDownWrite, or 404 when the bucket's own metadata is not found
      // on enough drives yet (seen on a loaded machine).
      const during = await outcome(put(s3, "ecset", "during", "x"));
      assert.ok(during === 503 || during === 404, `a write without quorum fails, got ${during}`);
      // MinIO looks for fresh drives every 10 s (reconnects every 15 s), formats and heals them;
      // then writes work again. Typically 5-25 s.
      const deadline = Date.now() + 60_000;
      while ((await outcome(put(s3, "ecset", "after-heal", "x"))) !== "ok") {
        assert.ok(Date.now() < deadline, "writes did not recover after the drives were reformatted");
        await sleep(500);
      }
      assert.equal(await get(s3, "ecset", "after-heal"), "x");
    });
  });

  it("2 drives gone for good: reads work, writes fail with 503 (write quorum is 3)", async () => {
    await withErasureSet(async (server, s3) => {
      // A regular file where the drive was: MinIO can neither use nor recreate it.
      for (const d of server.dataDirs.slice(2)) {
        rmSync(d, { recursive: true });
        writeFileSync(d, "");
      }
      for (let i = 0; i < 3; i++) await sameBytes(s3, `o${i}`, body(i));
      assert.equal(await get(s3, "ecset", "small"), "inline");
      assert.equal(await outcome(put(s3, "ecset", "new", "x")), 503);
      assert.equal(await outcome(get(s3, "ecset", "new")), 404); // a failed put leaves nothing
      assert.equal(await outcome(put(s3, "ecset", "o0", "overwrite")), 503);
      await sameBytes(s3, "o0", body(0)); // a failed overwrite keeps the old object
      // A failed delete is NOT rolled back: the surviving drives already dropped the object.
      assert.equal(await outcome(s3.send(new DeleteObjectCommand({ Bucket: "ecset", Key: "o1" }))), 503);
      assert.equal(await outcome(get(s3, "ecset", "o1")), 404);
      // The cluster health check notices the lost write quorum shortly after.
      const deadline = Date.now() + 30_000;
      while ((await fetch(`${server.endpoint}/minio/health/cluster`)).status !== 503) {
        assert.ok(Date.now() < deadline, "/minio/health/cluster still reports a healthy cluster");
        await sleep(250);
      }
    });
  });
});
