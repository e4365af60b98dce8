import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AlreadyExistsError, NotFoundError } from "../../src/errors.js";
import { FileCache } from "../../src/io/file-cache.js";
import type { FileIO } from "../../src/io/file-io.js";
import { LocalFileIO } from "../../src/io/local-file-io.js";
import { fileUri, Relocator } from "../../src/io/location.js";
import { MemoryFileIO } from "../../src/io/memory-file-io.js";
import { S3FileIO } from "../../src/io/s3-file-io.js";
import { type S3ServerKind, s3OptionsOf, s3Skip, startS3Server } from "../helpers/s3-server.js";

// One contract, every FileIO (STYLE.md rule 6), S3 against real MinIO and versitygw.
const dir = mkdtempSync(join(tmpdir(), "fileio-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Subject {
  io: FileIO;
  loc: (name: string) => string;
  close?: () => Promise<void>;
}
type Implementation = [name: string, skip: false | string, setup: () => Promise<Subject>];

const s3Implementation = (kind: S3ServerKind): Implementation => [
  `S3 (${kind})`,
  s3Skip(kind),
  async () => {
    const server = await startS3Server(kind);
    await server.createBucket("contract");
    const io = new S3FileIO(
      { ...s3OptionsOf(server), multipartThresholdBytes: 5 * 1024 * 1024 },
      {
        cache: new FileCache({ directory: join(dir, `cache-${kind}`) }),
        stagingRoot: join(dir, `staging-${kind}`),
      },
    );
    return {
      io,
      loc: (n) => `s3://contract/prefix/${n}`,
      close: async () => {
        io.close();
        await server.stop();
      },
    };
  },
];

const IMPLEMENTATIONS: Implementation[] = [
  [
    "local (file: URIs)",
    false,
    async () => ({ io: new LocalFileIO(), loc: (n) => `${fileUri(dir)}/uri/${n}` }),
  ],
  ["local (plain paths)", false, async () => ({ io: new LocalFileIO(), loc: (n) => join(dir, "plain", n) })],
  ["memory", false, async () => ({ io: new MemoryFileIO(), loc: (n) => `mem://bucket/${n}` })],
  s3Implementation("minio"),
  s3Implementation("versitygw"),
];

for (const [name, skip, setup] of IMPLEMENTATIONS) {
  describe(`FileIO contract: ${name}`, { skip }, () => {
    let subject: Subject;
    before(async () => {
      subject = await setup();
    });
    after(async () => subject?.close?.());
    const loc = (n: string) => subject.loc(n);
    it("writes, reads, stats and deletes", async () => {
      const { io } = subject;
      const l = loc("a/b/file.bin");
      await io.write(l, Uint8Array.of(1, 2, 3));
      assert.deepEqual([...(await io.read(l))], [1, 2, 3]);
      assert.equal((await io.stat(l)).sizeBytes, 3);
      assert.equal(await io.exists(l), true);
      await io.delete(l);
      assert.equal(await io.exists(l), false);
      await io.delete(l); // deleting a missing file succeeds
    });
    it("reads byte ranges", async () => {
      const { io } = subject;
      const l = loc("range/file.bin");
      await io.write(
        l,
        Uint8Array.from({ length: 100 }, (_, i) => i),
      );
      assert.deepEqual([...(await io.readRange(l, 10, 5))], [10, 11, 12, 13, 14]);
      assert.deepEqual([...(await io.readRange(l, 98, 10))], [98, 99]);
      await assert.rejects(io.readRange(loc("range/missing"), 0, 4), NotFoundError);
    });
    it("reports missing files as NotFoundError naming the location", async () => {
      const { io } = subject;
      for (const op of [() => io.read(loc("missing")), () => io.stat(loc("missing"))])
        await assert.rejects(
          op(),
          (e: unknown) => e instanceof NotFoundError && (e as Error).message.includes(loc("missing")),
        );
    });
    it("conditional create refuses to overwrite, atomically, under concurrency", async () => {
      const { io } = subject;
      const l = loc("cas/v1.json");
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => io.write(l, Uint8Array.of(i), { ifNotExists: true })),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      assert.ok(
        results
          .filter((r) => r.status === "rejected")
          .every((r) => (r as PromiseRejectedResult).reason instanceof AlreadyExistsError),
      );
      const winner = results.findIndex((r) => r.status === "fulfilled");
      assert.deepEqual([...(await io.read(l))], [winner]);
    });
    it("lists files under a prefix recursively, not files of a sibling prefix", async () => {
      const { io } = subject;
      await io.write(loc("list/x/1"), Uint8Array.of(1));
      await io.write(loc("list/y/2"), Uint8Array.of(2, 2));
      await io.write(loc("list2/z"), Uint8Array.of(3));
      const found: string[] = [];
      for await (const f of io.list(loc("list")))
        found.push(f.location.slice(f.location.lastIndexOf("list")));
      assert.deepEqual(found.sort(), ["list/x/1", "list/y/2"]);
    });
    it("stages files for publishing and exposes a local read path", async () => {
      const { io } = subject;
      const staging = await io.stagingDirectory(loc("stage"));
      writeFileSync(join(staging.localPath, "f"), "hello");
      await staging.publish(join(staging.localPath, "f"), loc("stage/out/f.txt"));
      await staging.cleanup();
      assert.equal(Buffer.from(await io.read(loc("stage/out/f.txt"))).toString(), "hello");
      assert.equal(readFileSync(await io.localReadPath(loc("stage/out/f.txt")), "utf8"), "hello");
    });
    it("publishes large files (multipart on S3) byte for byte", async () => {
      const { io } = subject;
      const staging = await io.stagingDirectory(loc("big"));
      const data = randomBytes(12 * 1024 * 1024 + 123);
      writeFileSync(join(staging.localPath, "big.bin"), data);
      await staging.publish(join(staging.localPath, "big.bin"), loc("big/big.bin"));
      await staging.cleanup();
      assert.equal((await io.stat(loc("big/big.bin"))).sizeBytes, data.length);
      assert.ok(readFileSync(await io.localReadPath(loc("big/big.bin"))).equals(data));
      await io.write(loc("big/direct.bin"), data);
      assert.ok(Buffer.from(await io.read(loc("big/direct.bin"))).equals(data));
    });
  });
}

describe("Relocator (tables whose files moved)", () => {
  it("maps the recorded table location, its root, and repo-relative paths", () => {
    const r = new Relocator(
      "data/persistent/column_mapping/warehouse/default.db/my_table",
      "/shared/column_mapping/warehouse/default.db/my_table",
    );
    assert.equal(
      r.resolve("data/persistent/column_mapping/warehouse/default.db/my_table/data/f.parquet"),
      "/shared/column_mapping/warehouse/default.db/my_table/data/f.parquet",
    );
    assert.equal(
      r.resolve("data/persistent/column_mapping/warehouse/example/mock.parquet"),
      "/shared/column_mapping/warehouse/example/mock.parquet",
    );
    assert.equal(r.resolve("s3://elsewhere/x"), "s3://elsewhere/x");
    const q = new Relocator("gs://bucket/table_name", "/shared/big_query_error");
    assert.equal(
      q.resolve("data/persistent/big_query_error/metadata/m.avro"),
      "/shared/big_query_error/metadata/m.avro",
    );
  });
  it("decodes file URIs mapped onto plain paths", () => {
    const r = new Relocator("file:///old/t", "/new/t");
    assert.equal(r.resolve("file:///old/t/data/a%3Db.parquet"), "/new/t/data/a=b.parquet");
  });
});
