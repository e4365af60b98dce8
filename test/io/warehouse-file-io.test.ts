import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ValidationError } from "../../src/errors.js";
import { LocalFileIO } from "../../src/io/local-file-io.js";
import { fileUri } from "../../src/io/location.js";
import { LocationPolicy } from "../../src/io/location-policy.js";
import { WarehouseFileIO } from "../../src/io/warehouse-file-io.js";

describe("WarehouseFileIO: writes and deletes only inside the warehouse", () => {
  let dir: string;
  let wh: string;
  let io: WarehouseFileIO;
  const bytes = new TextEncoder().encode("x");
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "warehouse-io-"));
    mkdirSync(join(dir, "wh"));
    wh = fileUri(join(dir, "wh"));
    io = new WarehouseFileIO(new LocalFileIO(), new LocationPolicy(wh));
    writeFileSync(join(dir, "victim.txt"), "keep me");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const outside = () => [
    fileUri(join(dir, "victim.txt")),
    `${wh}/t/%2e%2e/%2e%2e/victim.txt`,
    `${wh}/t/.%2E/..%2fvictim.txt`,
    `${wh}/../victim.txt`,
    join(dir, "victim.txt"),
  ];

  it("refuses to delete or overwrite a file outside, raw or through an encoded escape; the file stays", async () => {
    for (const location of outside()) {
      await assert.rejects(io.delete(location), (e: unknown) => {
        assert.ok(e instanceof ValidationError, String(e));
        assert.match(e.message, /^file to delete "/);
        return true;
      });
      await assert.rejects(io.write(location, bytes), /^ValidationError: file to write "/);
    }
    assert.deepEqual(readdirSync(dir).sort(), ["victim.txt", "wh"]);
  });

  it("refuses staging for a prefix outside, and publishing a staged file outside", async () => {
    await assert.rejects(io.stagingDirectory(`${wh}/t/%2e%2e/%2e%2e/data`), /staging prefix/);
    const staging = await io.stagingDirectory(`${wh}/t/data`);
    writeFileSync(join(staging.localPath, "f.parquet"), "x");
    await assert.rejects(
      staging.publish(join(staging.localPath, "f.parquet"), `${wh}/t/data/%2e%2e/%2e%2e/%2e%2e/f.parquet`),
      /file to write/,
    );
    assert.equal(existsSync(join(dir, "f.parquet")), false);
    await staging.publish(join(staging.localPath, "f.parquet"), `${wh}/t/data/f.parquet`);
    assert.ok(existsSync(join(dir, "wh", "t", "data", "f.parquet")));
    await staging.cleanup();
  });

  it("reads, lists and tells of nothing outside; reads, writes and deletes inside", async () => {
    const victim = fileUri(join(dir, "victim.txt"));
    for (const op of [
      () => io.read(victim),
      () => io.readRange(victim, 0, 4),
      () => io.localReadPath(victim),
      () => io.exists(victim),
      () => io.stat(victim),
      async () => {
        for await (const _ of io.list(fileUri(dir))) break;
      },
    ])
      await assert.rejects(op(), /is outside the warehouse/);
    await io.write(`${wh}/t/metadata/a.json`, bytes);
    assert.deepEqual([...(await io.read(`${wh}/t/metadata/a.json`))], [...bytes]);
    assert.ok(await io.exists(`file://localhost${join(dir, "wh")}/t/metadata/a.json`));
    await io.delete(`${wh}/t/metadata/a.json`);
    assert.equal(await io.exists(`${wh}/t/metadata/a.json`), false);
  });
});
