#!/usr/bin/env node
// Runs every test file under test/ with Node's built-in test runner (TypeScript through tsx)
// and prints a final "N passed, N failed, N skipped" line for CI. Files named `*.solo.test.ts`
// (load tests whose assertions depend on having the machine to themselves) run afterwards, one
// at a time.
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect("test").filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
const tapDir = mkdtempSync(join(tmpdir(), "aichemy-tap-"));
const concurrency = process.env.TEST_CONCURRENCY ?? "2";

/** Runs `batch` with `parallel` files at a time; returns its exit status and TAP text. */
function run(batch, parallel, name) {
  const tap = join(tapDir, `${name}.tap`);
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${parallel}`,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      "--test-reporter=tap",
      `--test-reporter-destination=${tap}`,
      ...batch,
    ],
    { stdio: "inherit" },
  );
  let text = "";
  try {
    text = readFileSync(tap, "utf8");
  } catch {}
  return { status: result.status ?? 1, text };
}

const solo = files.filter((f) => f.endsWith(".solo.test.ts"));
const shared = files.filter((f) => !f.endsWith(".solo.test.ts"));
const runs = [];
if (shared.length > 0) runs.push(run(shared, concurrency, "shared"));
if (solo.length > 0) runs.push(run(solo, "1", "solo"));
const count = (name) =>
  runs.reduce((n, r) => n + Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(r.text)?.[1] ?? 0), 0);
if (runs.every((r) => r.text))
  console.log(
    `\n${count("pass")} passed, ${count("fail") + count("cancelled")} failed, ${count("skipped")} skipped`,
  );
else console.log("\ntest summary unavailable");
rmSync(tapDir, { recursive: true, force: true });
process.exit(runs.some((r) => r.status !== 0) ? 1 : 0);
