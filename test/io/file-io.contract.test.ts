import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AlreadyExistsError, NotFoundError } from "../../src/errors.js";
import type { FileIO } from "../../src/io/file-io.js";
import { LocalFileIO } from "../../src/io/local-file-io.js";
import { fileUri, Relocator } from "../../src/io/location.js";
import { MemoryFileIO } from "../../src/io/memory-file-io.js";

// One contract, every FileIO (STYLE.md rule 6): S3 joins this list with object storage.
const dir = mkdtempSync(join(tmpdir(), "fileio-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const IMPLEMENTATIONS: [string, () => FileIO, (name: string) => string][] = [
  ["local (file: URIs)", () => new LocalFileIO(), (n) => `${fileUri(dir)}/uri/${n}`],
  ["local (plain paths)", () => new LocalFileIO(), (n) => join(dir, "plain", n)],
  ["memory", () => new MemoryFileIO(), (n) => `mem://bucket/${n}`],
];

for (const [name, make, loc] of IMPLEMENTATIONS) {
  describe(`FileIO contract: ${name}`, () => {
    const io = make();
    it("writes, reads, stats and deletes", async () => {
      const l = loc("a/b/file.bin");
      await io.write(l, Uint8Array.of(1, 2, 3));
      assert.deepEqual([...(await io.read(l))], [1, 2, 3]);
      assert.equal((await io.stat(l)).sizeBytes, 3);
      assert.equal(await io.exists(l), true);
      await io.delete(l);
      assert.equal(await io.exists(l), false);
      await io.delete(l); // deleting a missing file succeeds
    });
    it("reports missing files as NotFoundError naming the location", async () => {
      await assert.rejects(
        io.read(loc("missing")),
        (e: unknown) => e instanceof NotFoundError && (e as Error).message.includes("missing"),
      );
    });
    it("conditional create refuses to overwrite, atomically, under concurrency", async () => {
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
    it("lists files under a prefix recursively", async () => {
      await io.write(loc("list/x/1"), Uint8Array.of(1));
      await io.write(loc("list/y/2"), Uint8Array.of(2, 2));
      const found: string[] = [];
      for await (const f of io.list(loc("list")))
        found.push(f.location.slice(f.location.lastIndexOf("list")));
      assert.deepEqual(found.sort(), ["list/x/1", "list/y/2"]);
    });
    it("stages files for publishing and exposes a local read path", async () => {
      const staging = await io.stagingDirectory(loc("stage"));
      const { writeFileSync } = await import("node:fs");
      writeFileSync(join(staging.localPath, "f"), "hello");
      await staging.publish(join(staging.localPath, "f"), loc("stage/out/f.txt"));
      await staging.cleanup();
      assert.equal(Buffer.from(await io.read(loc("stage/out/f.txt"))).toString(), "hello");
      const { readFileSync } = await import("node:fs");
      assert.equal(readFileSync(await io.localReadPath(loc("stage/out/f.txt")), "utf8"), "hello");
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
