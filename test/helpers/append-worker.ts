/**
 * A separate process appending to one table (used by the concurrency test): `setup` creates
 * the table, `w1`/`w2` each commit 10 appends of 3 rows, `check` prints row and snapshot counts.
 */
import { Lakehouse } from "../../src/engine/lakehouse.js";

const [dir, role] = process.argv.slice(2) as [string, string];
const lakehouse = await Lakehouse.open({ dataDir: dir, threads: 1 });
const session = await lakehouse.session();
try {
  if (role === "setup") {
    await session.execute("CREATE SCHEMA iceberg.c");
    await session.execute("CREATE TABLE iceberg.c.t (worker VARCHAR, n INTEGER, k INTEGER)");
  } else if (role === "check") {
    const rows = await session.execute("SELECT count(*), count(DISTINCT worker || n || k) FROM iceberg.c.t");
    const snaps = await session.execute(`SELECT count(*) FROM iceberg.c."t$snapshots"`);
    process.stdout.write(
      `${JSON.stringify({ rows: Number(rows.rows[0]![0]), distinctIds: Number(rows.rows[0]![1]), snapshots: Number(snaps.rows[0]![0]) })}\n`,
    );
  } else {
    for (let i = 0; i < 10; i++) {
      await session.execute(
        `INSERT INTO iceberg.c.t VALUES ('${role}', ${i}, 1), ('${role}', ${i}, 2), ('${role}', ${i}, 3)`,
      );
    }
  }
} finally {
  session.close();
  await lakehouse.close();
}
