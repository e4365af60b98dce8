import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  readManifestEntries,
  readSnapshotManifests,
  specPartitionType,
} from "../../src/table/manifest-reader.js";
import { textRows, useTempLakehouse } from "../helpers/lakehouse.js";

describe("manifest merging on append (MergeAppend)", () => {
  const fx = useTempLakehouse("m");

  it("merges once min-count-to-merge manifests pile up, keeping every row and its sequence number", async () => {
    await fx.session.execute(
      "CREATE TABLE iceberg.m.t (id INTEGER, p VARCHAR) WITH (partitioning = ARRAY['p'], extra_properties = MAP(ARRAY['commit.manifest.min-count-to-merge'], ARRAY['4']))",
    );
    const counts: number[] = [];
    for (let i = 1; i <= 9; i++) {
      await fx.session.execute(`INSERT INTO iceberg.m.t VALUES (${i}, '${i % 2 === 0 ? "even" : "odd"}')`);
      const [n] = await textRows(fx.session, 'SELECT count(*) FROM iceberg.m."t$manifests"');
      counts.push(Number(n));
    }
    // 1, 2, 3 manifests, then the 4th append merges all four into one, and so on.
    assert.deepEqual(counts, [1, 2, 3, 1, 2, 3, 1, 2, 3]);
    assert.deepEqual(await textRows(fx.session, "SELECT count(*), sum(id) FROM iceberg.m.t"), ["9\t45"]);
    assert.deepEqual(await textRows(fx.session, "SELECT count(*) FROM iceberg.m.t WHERE p = 'even'"), ["4"]);
    // Merged entries keep the sequence number of the snapshot that added them.
    const table = await fx.lakehouse.catalog().loadTable({ namespace: ["m"], name: "t" });
    const md = table.metadata;
    const seqs: bigint[] = [];
    for (const m of await readSnapshotManifests(table.io, table.currentSnapshot()!, (l) =>
      table.resolve(l),
    )) {
      const type = specPartitionType(md, md.partitionSpecs[0]!);
      for (const e of await readManifestEntries(table.io, m, type, (l) => table.resolve(l)))
        seqs.push(e.sequenceNumber!);
    }
    assert.deepEqual(
      seqs.sort((a, b) => (a < b ? -1 : 1)),
      [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n],
    );
  });

  it("does not merge when commit.manifest-merge.enabled is false", async () => {
    await fx.session.execute(
      "CREATE TABLE iceberg.m.fast (id INTEGER) WITH (extra_properties = MAP(ARRAY['commit.manifest-merge.enabled', 'commit.manifest.min-count-to-merge'], ARRAY['false', '2']))",
    );
    for (let i = 0; i < 4; i++) await fx.session.execute(`INSERT INTO iceberg.m.fast VALUES (${i})`);
    assert.deepEqual(await textRows(fx.session, 'SELECT count(*) FROM iceberg.m."fast$manifests"'), ["4"]);
  });
});
