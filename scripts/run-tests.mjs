#!/usr/bin/env node
// Runs every test file under test/ with Node's built-in test runner (TypeScript through tsx)
// and prints a final "N passed, N failed, N skipped" line for CI.
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
const tap = join(tapDir, "results.tap");
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: "inherit" },
);
try {
  const text = readFileSync(tap, "utf8");
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  console.log(
    `\n${count("pass")} passed, ${count("fail") + count("cancelled")} failed, ${count("skipped")} skipped`,
  );
} catch {
  console.log("\ntest summary unavailable");
}
rmSync(tapDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
