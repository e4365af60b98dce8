import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Session } from "../../src/engine/session.js";
import { tempLakehouse, textRows } from "../helpers/lakehouse.js";
import { pyicebergSkip, runPython } from "../helpers/python.js";
import { copySharedIntoWarehouse, shared, sharedSkip } from "../helpers/shared.js";

// Shared tables without stated answers elsewhere, checked against PyIceberg reading the same
// metadata file: row counts, column sums and distinct counts must agree.
const ROOT = "data/iceberg/duckdb-iceberg/iceberg";
const CASES: [string, string][] = [
  ["lineitem_iceberg", "v2.metadata.json"],
  ["lineitem_iceberg_no_hint", "v2.metadata.json"],
  ["lineitem_iceberg_gz", "v2.gz.metadata.json"],
  ["lineitem_iceberg_gz_no_hint", "v2.gz.metadata.json"],
];
const COLUMNS = ["l_orderkey", "l_quantity", "l_extendedprice"];

describe("lineitem tables (v1 gzip metadata, v2 with deletes) agree with PyIceberg", {
  skip: sharedSkip(ROOT) || pyicebergSkip,
}, () => {
  let session: Session;
  let close: () => Promise<void>;
  let dataDir: string;
  before(async () => {
    // The tables live outside the warehouse: registering them needs local file access.
    const t = await tempLakehouse(undefined, { localFileAccess: true });
    close = t.close;
    dataDir = t.dir;
    session = await t.lakehouse.session();
    await session.execute("CREATE SCHEMA iceberg.li");
  });
  after(async () => {
    session.close();
    await close();
  });
  for (const [dir, metadata] of CASES) {
    it(dir, async () => {
      await session.execute(
        `CALL iceberg.system.register_table('li', '${dir}', '${copySharedIntoWarehouse(dataDir, ROOT, dir)}')`,
      );
      const theirs = runPython(join(import.meta.dirname, "pyiceberg_static.py"), [
        shared(ROOT),
        `${dir}/metadata/${metadata}`,
        ...COLUMNS,
      ]) as {
        rows: number;
        sums: Record<string, number>;
        distinct: Record<string, number>;
      };
      const [ours] = await textRows(
        session,
        `SELECT count(*), ${COLUMNS.map((c) => `sum(${c})::DOUBLE, count(DISTINCT ${c})`).join(", ")} FROM iceberg.li.${dir}`,
      );
      const values = ours!.split("\t").map(Number);
      assert.equal(values[0], theirs.rows);
      COLUMNS.forEach((c, i) => {
        assert.ok(
          Math.abs(values[1 + 2 * i]! - theirs.sums[c]!) <= 1e-6 * Math.abs(theirs.sums[c]!),
          `sum(${c})`,
        );
        assert.equal(values[2 + 2 * i], theirs.distinct[c], `count(DISTINCT ${c})`);
      });
    });
  }
});
