import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { s3Skip, startS3Server, type TestS3Server } from "../helpers/s3-server.js";

const ROOT = resolve(import.meta.dirname, "../..");
const MAIN = join(ROOT, "src/cli/aichemy.cts");
/** tsx resolved from this repository (the CLI runs with other working directories). */
const TSX = import.meta.resolve("tsx");
let dir: string;

function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd: dir,
    input: opts.input ?? "",
    encoding: "utf8",
    env: { ...process.env, AICHEMY_DATA_DIR: join(dir, "lh"), ...(opts.env ?? {}) },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-"));
  writeFileSync(join(dir, "people.csv"), 'Person ID,Full Name,Score\n1,Ann,9.5\n2,"Bo, Jr.",7\n3,Cy,\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("aichemy CLI", () => {
  it("ingests a CSV into a new table with sanitized column names", () => {
    const r = cli(["ingest", "people.csv", "--table", "demo.people"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Created table iceberg\.demo\.people: appended 3 rows/);
  });

  it("runs -e in every output format; CSV has a header row", () => {
    const q = "SELECT person_id, full_name, score FROM iceberg.demo.people ORDER BY person_id";
    const csv = cli(["sql", "--format", "csv", "-e", q]);
    assert.equal(csv.code, 0, csv.err);
    assert.equal(csv.out, 'person_id,full_name,score\n1,Ann,9.5\n2,"Bo, Jr.",7\n3,Cy,\n');
    const json = JSON.parse(cli(["sql", "--format", "json", "-e", q]).out);
    assert.deepEqual(json[1], { person_id: 2, full_name: "Bo, Jr.", score: 7 });
    const md = cli(["sql", "--format", "markdown", "-e", q]).out;
    assert.match(
      md,
      /^\| person_id \| full_name \| score \|\n\| --- \| --- \| --- \|\n\| 1 \| Ann \| 9.5 \|/,
    );
    const table = cli(["sql", "-e", q]).out;
    assert.match(table, /│ Bo, Jr\. +│/);
    assert.match(table, /\(3 rows\)/);
  });

  it("runs -f scripts and piped statements, and --data-dir overrides the environment", () => {
    writeFileSync(
      join(dir, "script.sql"),
      "CREATE SCHEMA iceberg.s;\nCREATE TABLE iceberg.s.t (x INTEGER);\nINSERT INTO iceberg.s.t VALUES (1), (2);\nSELECT sum(x) AS total FROM iceberg.s.t;\n",
    );
    const r = cli(["sql", "--format", "csv", "-f", "script.sql"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /total\n3\n/);
    const piped = cli(["sql", "--format", "csv"], { input: "SELECT count(*) AS n FROM iceberg.s.t;" });
    assert.match(piped.out, /n\n2/);
    const other = cli(["--data-dir", join(dir, "other"), "sql", "--format", "csv", "-e", "SHOW SCHEMAS"]);
    assert.equal(other.out, "Schema\ninformation_schema\n");
  });

  it("exits 1 with a clear message naming the object, file and line", () => {
    const r = cli(["sql", "-e", "SELECT * FROM iceberg.demo.nope"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /Error \[NO_SUCH_TABLE\]: Table 'iceberg.demo.nope' does not exist/);
    writeFileSync(join(dir, "bad.sql"), "SELECT 1;\n\nCREATE TABLE iceberg.s.t (x INTEGER);\n");
    const f = cli(["sql", "-f", "bad.sql"]);
    assert.equal(f.code, 1);
    assert.match(f.err, /bad\.sql:3:1: Error \[ALREADY_EXISTS\]: Table 'iceberg.s.t' already exists/);
    writeFileSync(join(dir, "bad.csv"), "Person ID,Full Name,Score\n4,Di,x1\n");
    const i = cli(["ingest", "bad.csv", "--table", "demo.people"]);
    assert.equal(i.code, 1);
    assert.match(i.err, /Error \[DATA\]: .*bad\.csv, line 2, column Score/);
    const h = cli(["history", "demo.nope"]);
    assert.equal(h.code, 1);
  });

  it("upserts by key (--mode upsert --key): matching rows replaced, new ones inserted, duplicate keys refused", () => {
    writeFileSync(join(dir, "u1.csv"), "Order ID,Region,Qty\n1,eu,5\n2,us,6\n3,eu,7\n");
    writeFileSync(join(dir, "u2.csv"), "Order ID,Region,Qty\n2,us,60\n4,apac,8\n");
    writeFileSync(join(dir, "u3.csv"), "Order ID,Region,Qty\n5,eu,1\n5,us,2\n");
    const first = cli(["ingest", "u1.csv", "--table", "up.orders", "--mode", "upsert", "--key", "order_id"]);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /Created table iceberg\.up\.orders: upserted 3 rows/);
    const second = cli(["ingest", "u2.csv", "--table", "up.orders", "--mode", "upsert", "-k", "order_id"]);
    assert.equal(second.code, 0, second.err);
    const rows = cli(["sql", "--format", "csv", "-e", "SELECT * FROM iceberg.up.orders ORDER BY order_id"]);
    assert.equal(rows.out, "order_id,region,qty\n1,eu,5\n2,us,60\n3,eu,7\n4,apac,8\n");
    const dup = cli(["ingest", "u3.csv", "--table", "up.orders", "--mode", "upsert", "--key", "order_id"]);
    assert.equal(dup.code, 1);
    assert.match(dup.err, /u3\.csv: key \(order_id=5\) appears 2 times/);
    const noKey = cli(["ingest", "u2.csv", "--table", "up.orders", "--mode", "upsert"]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.err, /--key/);
    const history = cli([
      "sql",
      "--format",
      "csv",
      "-e",
      'SELECT operation FROM iceberg.up."orders$snapshots" ORDER BY committed_at',
    ]);
    assert.equal(history.out, "operation\nappend\noverwrite\n", "the refused upserts committed nothing");
    // Without --key, the table's identifier fields are the key.
    for (const sql of [
      "CREATE TABLE iceberg.up.keyed (order_id BIGINT NOT NULL, region VARCHAR, qty BIGINT)",
      "ALTER TABLE iceberg.up.keyed SET IDENTIFIER FIELDS order_id",
    ])
      assert.equal(cli(["sql", "-e", sql]).code, 0);
    for (const file of ["u1.csv", "u2.csv"]) {
      const r = cli(["ingest", file, "--table", "up.keyed", "--mode", "upsert"]);
      assert.equal(r.code, 0, r.err);
    }
    assert.equal(
      cli(["sql", "--format", "csv", "-e", "SELECT * FROM iceberg.up.keyed ORDER BY order_id"]).out,
      "order_id,region,qty\n1,eu,5\n2,us,60\n3,eu,7\n4,apac,8\n",
    );
  });

  it("lists tables and a table's history", () => {
    cli(["ingest", "people.csv", "--table", "demo.people"]);
    const t = cli(["tables", "--format", "csv"]);
    assert.match(t.out, /^schema,table,snapshots,records,data_files,size_bytes,last_updated\n/);
    assert.match(t.out, /demo,people,2,6,2,\d+,/);
    const h = cli(["history", "demo.people", "--format", "csv"]);
    const lines = h.out.trim().split("\n");
    assert.equal(lines[0], "snapshot_id,committed_at,operation,parent_id,is_current,summary");
    assert.equal(lines.length, 3);
    assert.match(lines[2]!, /^\d+,.*,append,\d+,true,"added-data-files=1, added-records=3,/);
  });

  it("gives an interactive shell with completion of catalog names on a terminal", {
    skip: existsSync("/usr/bin/script") ? false : "needs script(1) for a pseudo-terminal",
  }, async () => {
    const child = spawn("script", ["-qfec", `${process.execPath} --import ${TSX} ${MAIN} sql`, "/dev/null"], {
      cwd: dir,
      env: { ...process.env, AICHEMY_DATA_DIR: join(dir, "lh"), AICHEMY_HISTORY_FILE: join(dir, "history") },
    });
    let out = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
    });
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 300 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, re);
    };
    await waitFor(/aichemy:iceberg> /);
    child.stdin!.write("SELECT count(*) AS n FROM icebe");
    await new Promise((r) => setTimeout(r, 300));
    child.stdin!.write("\t");
    await waitFor(/FROM iceberg/);
    child.stdin!.write(".demo.people;\r");
    await waitFor(/│ 6 +│/);
    child.stdin!.write("quit\r");
    await new Promise((r) => child.on("exit", r));
    assert.match(out, /FROM iceberg\.demo\.people/, "Tab completed the catalog name");
  });
});

describe("aichemy serve", () => {
  let child: ChildProcess;
  let base: string;
  before(async () => {
    child = spawn(process.execPath, ["--import", TSX, MAIN, "serve", "--port", "0"], {
      cwd: dir,
      env: { ...process.env, AICHEMY_DATA_DIR: join(dir, "lh") },
    });
    base = await new Promise<string>((resolveUrl, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += String(d);
        const m = /HTTP\s+(http:\/\/[\d.]+:\d+)/.exec(out);
        if (m) resolveUrl(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`serve exited ${code}`)));
    });
  });
  after(() => {
    child.kill("SIGTERM");
  });
  it("answers the README's curl example, and refuses curl -d (a web page's form)", () => {
    // README: curl --json '{"sql": "SELECT 1"}' http://127.0.0.1:8181/api/v1/query
    const ok = spawnSync("curl", ["-s", "--json", '{"sql": "SELECT 1"}', `${base}/api/v1/query`], {
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(ok.stdout).rows, [[1]]);
    const form = spawnSync(
      "curl",
      ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-d", '{"sql": "SELECT 1"}', `${base}/api/v1/query`],
      {
        encoding: "utf8",
      },
    );
    assert.equal(form.stdout, "415");
  });
  it("serves health, tables and queries over HTTP", async () => {
    assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: "ok" });
    const tables = (await (await fetch(`${base}/api/v1/tables`)).json()) as { tables: { table: string }[] };
    assert.ok(tables.tables.some((t) => t.table === "people"));
    const res = await fetch(`${base}/api/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: "SELECT count(*) AS n FROM iceberg.demo.people" }),
    });
    assert.deepEqual(((await res.json()) as { rows: unknown[][] }).rows, [[6]]);
    const bad = await fetch(`${base}/api/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(bad.status, 400);
    const missing = await fetch(`${base}/api/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: "SELECT * FROM iceberg.demo.nope" }),
    });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { type: string } }).error.type, "NoSuchTableException");
  });
  it("attaches the server as a remote REST catalog of another lakehouse (--catalog name=rest:uri)", async () => {
    const remote = ["--data-dir", join(dir, "client"), "--catalog", `lake=rest:${base}`];
    const r = cli([
      ...remote,
      "sql",
      "--format",
      "csv",
      "-e",
      "SHOW CATALOGS; SELECT count(*) AS n FROM lake.demo.people; CREATE TABLE lake.demo.remote_t (x INTEGER); INSERT INTO lake.demo.remote_t VALUES (7), (8)",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^lake$/m);
    assert.match(r.out, /^n\n6$/m);
    // Written through the REST catalog: the server's own engine sees it.
    const res = await fetch(`${base}/api/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: "SELECT sum(x) AS s FROM iceberg.demo.remote_t" }),
    });
    assert.deepEqual(((await res.json()) as { rows: unknown[][] }).rows, [[15]]);
    const bad = cli([
      ...remote.slice(0, 2),
      "--catalog",
      "lake=rest:http://127.0.0.1:9",
      "sql",
      "-e",
      "SELECT 1",
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /127\.0\.0\.1:9/, "names the unreachable catalog");
  });

  it("stops on SIGTERM", async () => {
    const code = await new Promise<number | null>((r) => {
      child.once("exit", (c) => r(c));
      child.kill("SIGTERM");
    });
    assert.equal(code, 0);
  });
});

describe("aichemy on an S3 warehouse (MinIO)", { skip: s3Skip("minio") }, () => {
  let s3: TestS3Server;
  before(async () => {
    s3 = await startS3Server("minio");
    await s3.createBucket("cli-lake");
  });
  after(() => s3?.stop());
  const s3cli = (args: string[], secret = s3.secretAccessKey) =>
    cli(
      [
        "--warehouse",
        "lake=s3://cli-lake/wh",
        "--catalog",
        "lake",
        "--s3-endpoint",
        s3.endpoint,
        "--cache-size",
        "1GiB",
        ...args,
      ],
      {
        env: {
          AICHEMY_DATA_DIR: join(dir, "s3lh"),
          AICHEMY_S3_ACCESS_KEY_ID: s3.accessKeyId,
          AICHEMY_S3_SECRET_ACCESS_KEY: secret,
        },
      },
    );

  it("ingests into and queries a warehouse on S3 configured by flags and environment", () => {
    const ing = s3cli(["ingest", "people.csv", "--table", "demo.people"]);
    assert.equal(ing.code, 0, ing.err);
    const q = s3cli([
      "sql",
      "--format",
      "csv",
      "-e",
      "SELECT count(*) AS n, sum(score) AS s FROM lake.demo.people",
    ]);
    assert.equal(q.code, 0, q.err);
    assert.equal(q.out.trim(), "n,s\n3,16.5");
    assert.ok(existsSync(join(dir, "s3lh", "cache")), "data files are cached under <data-dir>/cache");
    assert.ok(!existsSync(join(dir, "s3lh", "warehouse", "demo")), "nothing of the S3 table on local disk");
  });

  it("wrong S3 credentials: exit 1 with an error naming the location", () => {
    const r = s3cli(["sql", "-e", "SELECT count(*) FROM lake.demo.people"], "wrong-secret");
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /Error \[STORAGE\]: S3 .* s3:\/\/cli-lake\/wh\/demo\/people\/metadata\/.*access denied/,
    );
  });
});
