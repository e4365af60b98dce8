import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startServeProcess } from "../helpers/serve-process.js";

// The Apache Iceberg REST Compatibility Kit (iceberg-open-api 1.11.0 test jars from Maven
// Central, run by scripts/rck/run-rck.sh with Iceberg Java's RESTCatalog client) against
// `aichemy serve`. Its CatalogTests create tables at hard-coded `file:/tmp/<ns>/<table>`
// locations, so the server gets a warehouse at `file:/tmp` (we refuse locations outside a
// warehouse).
const SCRIPT = join(import.meta.dirname, "../../scripts/rck/run-rck.sh");
const CACHE = process.env.RCK_CACHE_DIR ?? join(homedir(), ".cache/aichemy/rck");
/** The namespaces the kit creates under /tmp (and leaves behind). */
const RCK_DIRS = ["ns", "newdb", "ns1", "ns2", "other_ns"].map((d) => join("/tmp", d));

function skipReason(): false | string {
  if (process.env.AICHEMY_SKIP_RCK === "1") return "AICHEMY_SKIP_RCK=1";
  const java17 = ["/usr/lib/jvm/java-17-openjdk-amd64", process.env.RCK_JAVA_HOME].some(
    (d) => d && existsSync(join(d, "bin/java")),
  );
  if (!java17) return "the REST compatibility kit needs Java 17 (apt-get install openjdk-17-jre-headless)";
  const cached = existsSync(join(CACHE, "lib"));
  if (!cached && spawnSync("mvn", ["-v"]).status !== 0)
    return "the REST compatibility kit's jars are not cached and Maven is missing (apt-get install maven)";
  return false;
}

/** Removes what an earlier kit run left under /tmp: only directories holding Iceberg tables. */
function removeKitLeftovers(): void {
  for (const dir of RCK_DIRS) {
    if (!existsSync(dir)) continue;
    const tables = readdirSync(dir, { withFileTypes: true });
    const onlyTables = tables.every((e) => e.isDirectory() && existsSync(join(dir, e.name, "metadata")));
    if (onlyTables) rmSync(dir, { recursive: true, force: true });
  }
}

describe("Iceberg REST compatibility kit (RCK 1.11.0)", { skip: skipReason() }, () => {
  it("passes every test that applies to our catalog", { timeout: 20 * 60_000 }, async () => {
    removeKitLeftovers();
    const dir = mkdtempSync(join(tmpdir(), "rck-"));
    const server = await startServeProcess([
      "--data-dir",
      join(dir, "server"),
      "--warehouse",
      "rck=file:/tmp",
    ]);
    const report = join(dir, "report");
    try {
      const rc = await new Promise<number>((resolve, reject) => {
        const child = spawn(
          "bash",
          [SCRIPT, "-q", "--warehouse", "rck", "--report-dir", report, `${server.uri}/`],
          {
            env: { ...process.env, RCK_REQUIRES_NAMESPACE_CREATE: "true" },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
        });
        child.stderr.on("data", (d) => {
          out += d;
        });
        child.on("error", reject);
        child.on("exit", (code) => {
          if (code === 2) reject(new Error(`run-rck.sh could not run:\n${out.slice(-4000)}`));
          else resolve(code ?? 1);
        });
      });
      const summary = readFileSync(join(report, "summary.txt"), "utf8");
      const counts = /tests=(\d+) passed=(\d+) failed=(\d+) skipped=(\d+)/.exec(summary);
      assert.ok(counts, `no counts in summary.txt:\n${summary}`);
      const [, tests, passed, failed, skipped] = counts.map(Number);
      process.stdout.write(`# RCK: ${tests} tests, ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
      assert.equal(
        failed,
        0,
        `failures:\n${summary
          .split("\n")
          .filter((l) => l.startsWith("FAILED"))
          .join("\n")}`,
      );
      assert.equal(rc, 0);
      // Skips are the kit's own assumptions: empty and nested namespaces, names with a dot or a
      // slash (we refuse them), and one test the kit disables. Anything else is a regression.
      assert.ok(passed! >= 145, `at least 145 tests pass (got ${passed})`);
    } finally {
      await server.stop();
      removeKitLeftovers();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
