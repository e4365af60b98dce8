/** Downloading artifacts from Maven Central for the test harnesses (Spark runtime, Trino). */
import { createHash } from "node:crypto";
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

/**
 * Downloads `url` to `dest`, checking the SHA-1 that Maven Central publishes next to it; the
 * file appears at `dest` only when complete and verified.
 * @throws Error naming the URL on an HTTP error or a checksum mismatch
 */
export async function downloadVerified(url: string, dest: string): Promise<void> {
  const sha = await fetch(`${url}.sha1`);
  if (!sha.ok) throw new Error(`GET ${url}.sha1: HTTP ${sha.status}`);
  const expected = (await sha.text()).trim().split(/\s+/)[0]!.toLowerCase();
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const hash = createHash("sha1");
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const part = `${dest}.part-${process.pid}`;
  await pipeline(Readable.fromWeb(res.body as WebReadableStream), tap, createWriteStream(part));
  const actual = hash.digest("hex");
  if (actual !== expected) {
    rmSync(part, { force: true });
    throw new Error(`${url}: SHA-1 ${actual} does not match Maven Central's ${expected}`);
  }
  renameSync(part, dest);
}
