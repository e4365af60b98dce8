import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Lakehouse } from "../../src/engine/lakehouse.js";
import type { Session } from "../../src/engine/session.js";
import { StorageError } from "../../src/errors.js";
import type { ResolvingFileIO } from "../../src/io/resolving-file-io.js";
import { sleep } from "../helpers/file-lock.js";
import { textRows } from "../helpers/lakehouse.js";
import { s3OptionsOf, s3Skip, startS3Server, type TestS3Server } from "../helpers/s3-server.js";

/**
 * A table on a 4-drive MinIO erasure set (EC:2, write quorum 3, read quorum 2) while drives are
 * taken away mid-run. With one drive gone reads and writes continue. With two gone reads
 * continue, and writes fail with a clear error leaving the table exactly as it was (MinIO
 * cannot write without a quorum of 3 of 4 drives: no 4-drive setup can). Once the wiped
 * drives are back (MinIO reformats and heals them) writes resume, and nothing committed is lost.
 */
describe("S3 warehouse on a 4-drive MinIO erasure set losing drives", { skip: s3Skip("minio") }, () => {
  let server: TestS3Server;
  let dir: string;
  let lakehouse: Lakehouse;
  let session: Session;
  const rows = (sql: string) => textRows(session, sql);
  let committed = 0;
  const insert = async (n: number) => {
    await session.execute(`INSERT INTO lake.ec.t SELECT i, 'batch${committed}' FROM range(${n}) r(i)`);
    committed += n;
  };
  const wipe = (d: string) => {
    rmSync(d, { recursive: true });
    mkdirSync(d);
  };
  /** Reads every row with an empty cache, so the data really comes from the erasure set. */
  const countFromStore = async () => {
    await (lakehouse.store.io as ResolvingFileIO).s3.cache.clear();
    return rows("SELECT count(*), count(DISTINCT name) FROM lake.ec.t");
  };

  before(async () => {
    server = await startS3Server("minio", { drives: 4 });
    await server.createBucket("lake");
    dir = mkdtempSync(join(tmpdir(), "s3-ec-"));
    lakehouse = await Lakehouse.open({
      dataDir: dir,
      warehouses: [{ name: "lake", location: "s3://lake/warehouse" }],
      s3: { ...s3OptionsOf(server), maxAttempts: 2 },
      threads: 2,
    });
    session = await lakehouse.session({ catalog: "lake" });
    await session.execute("CREATE SCHEMA lake.ec");
    await session.execute("CREATE TABLE lake.ec.t (id BIGINT, name VARCHAR)");
    for (let b = 0; b < 3; b++) await insert(1000);
  });
  after(async () => {
    session?.close();
    await lakehouse?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("one drive gone: reads and writes continue", async () => {
    wipe(server.dataDirs[3]!);
    assert.deepEqual(await countFromStore(), [`${committed}\t3`]);
    await insert(500);
    await session.execute("DELETE FROM lake.ec.t WHERE name = 'batch0' AND id < 100");
    committed -= 100;
    assert.deepEqual(await countFromStore(), [`${committed}\t4`]);
  });

  it("two drives gone: reads continue; a write fails naming the location and changes nothing", async () => {
    wipe(server.dataDirs[2]!);
    wipe(server.dataDirs[3]!);
    assert.deepEqual(await countFromStore(), [`${committed}\t4`]);
    const snapshots = await rows('SELECT count(*) FROM lake.ec."t$snapshots"');
    await assert.rejects(
      session.execute("INSERT INTO lake.ec.t SELECT i, 'lost' FROM range(10) r(i)"),
      (e: unknown) => {
        assert.ok(e instanceof StorageError, String(e));
        assert.match((e as Error).message, /s3:\/\/lake\/warehouse\/ec\/t\//);
        return true;
      },
    );
    assert.deepEqual(await rows('SELECT count(*) FROM lake.ec."t$snapshots"'), snapshots);
    assert.deepEqual(await countFromStore(), [`${committed}\t4`]);
  });

  it("drives back (healed by MinIO): writes resume and every committed row is there", async () => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        await insert(200);
        break;
      } catch (e) {
        assert.ok(e instanceof StorageError, String(e));
        assert.ok(Date.now() < deadline, "writes did not resume after MinIO healed the drives");
        await sleep(1000);
      }
    }
    assert.deepEqual(await countFromStore(), [`${committed}\t5`]);
    assert.deepEqual(await rows("SELECT count(*) FROM lake.ec.t WHERE name = 'lost'"), ["0"]);
  });
});
