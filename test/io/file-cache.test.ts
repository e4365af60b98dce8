import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FileCache } from "../../src/io/file-cache.js";

const root = mkdtempSync(join(tmpdir(), "file-cache-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => join(root, `c${++n}`);
/** A fetch that writes `size` bytes of `fill` and counts its calls. */
const source = () => {
  const calls: string[] = [];
  const fetch = (location: string, size: number) => async (path: string) => {
    calls.push(location);
    writeFileSync(path, Buffer.alloc(size, location.length));
  };
  return { calls, fetch };
};

describe("FileCache (disk cache of immutable remote files)", () => {
  it("downloads a file once; later gets are hits on the same local path", async () => {
    const cache = new FileCache({ directory: newDir() });
    const { calls, fetch } = source();
    const a = await cache.get("s3://b/t/data/a.parquet", fetch("s3://b/t/data/a.parquet", 10));
    const again = await cache.get("s3://b/t/data/a.parquet", fetch("s3://b/t/data/a.parquet", 10));
    assert.equal(a, again);
    assert.ok(a.endsWith(".parquet"));
    assert.deepEqual(calls, ["s3://b/t/data/a.parquet"]);
    assert.deepEqual(
      { hits: cache.stats().hits, misses: cache.stats().misses, bytes: cache.stats().bytes },
      { hits: 1, misses: 1, bytes: 10 },
    );
  });

  it("concurrent gets of one location share one download", async () => {
    const cache = new FileCache({ directory: newDir() });
    const { calls, fetch } = source();
    const paths = await Promise.all(
      Array.from({ length: 5 }, () => cache.get("s3://b/x", fetch("s3://b/x", 4))),
    );
    assert.equal(new Set(paths).size, 1);
    assert.equal(calls.length, 1);
  });

  it("evicts least recently used files beyond the size bound, sparing recently used ones", async () => {
    const cache = new FileCache({ directory: newDir(), maxBytes: 250, graceMs: 0 });
    const { calls, fetch } = source();
    const get = (l: string) => cache.get(l, fetch(l, 100));
    const a = await get("s3://b/a");
    await get("s3://b/b");
    await get("s3://b/a"); // a is now more recent than b
    await get("s3://b/c"); // 300 bytes: b (least recently used) goes
    assert.equal(cache.stats().bytes, 200);
    assert.equal(cache.stats().evictions, 1);
    assert.ok(existsSync(a), "recently used a stays");
    await get("s3://b/b");
    assert.deepEqual(calls, ["s3://b/a", "s3://b/b", "s3://b/c", "s3://b/b"], "b was fetched again");
  });

  it("does not evict a file handed out within the grace period, even over the bound", async () => {
    const cache = new FileCache({ directory: newDir(), maxBytes: 150, graceMs: 60_000 });
    const { fetch } = source();
    const a = await cache.get("s3://b/a", fetch("s3://b/a", 100));
    const b = await cache.get("s3://b/b", fetch("s3://b/b", 100));
    assert.ok(existsSync(a) && existsSync(b));
    assert.equal(cache.stats().bytes, 200);
  });

  it("a failed download caches nothing and leaves no partial file", async () => {
    const dir = newDir();
    const cache = new FileCache({ directory: dir });
    await assert.rejects(
      cache.get("s3://b/broken", async (path) => {
        writeFileSync(path, "partial");
        throw new Error("connection reset");
      }),
      /connection reset/,
    );
    assert.deepEqual(readdirSync(dir), []);
    const { calls, fetch } = source();
    await cache.get("s3://b/broken", fetch("s3://b/broken", 3));
    assert.equal(calls.length, 1, "the next get downloads again");
  });

  it("reuses the files of an earlier process and refetches a cached file deleted behind its back", async () => {
    const dir = newDir();
    const { calls, fetch } = source();
    const first = new FileCache({ directory: dir });
    const p = await first.get("s3://b/kept", fetch("s3://b/kept", 7));
    writeFileSync(join(dir, ".tmp-leftover"), "x"); // a download cut short by a crash
    const second = new FileCache({ directory: dir });
    assert.equal(second.stats().bytes, 7);
    assert.ok(!existsSync(join(dir, ".tmp-leftover")), "partial downloads are removed on open");
    assert.equal(await second.get("s3://b/kept", fetch("s3://b/kept", 7)), p);
    assert.equal(calls.length, 1);
    rmSync(p);
    const again = await second.get("s3://b/kept", fetch("s3://b/kept", 7));
    assert.equal(readFileSync(again).length, 7);
    assert.equal(calls.length, 2);
  });
});
