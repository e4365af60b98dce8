/**
 * `npm run bench [-- --only catalog|hardening|row-level|tpch|s3] [-- options]`: runs the benchmarks one after the
 * other, each in its own process, passing the other options through (`--quick`, `--sf`,
 * `--runs`, `--seconds`, `--no-write`; each benchmark ignores the ones it does not know).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const args = process.argv.slice(2);
const i = args.indexOf("--only");
const only = i >= 0 ? args.splice(i, 2)[1] : undefined;
let failed = false;
for (const name of ["catalog", "hardening", "row-level", "tpch", "s3"]) {
  if (only && only !== name) continue;
  console.log(`\n=== bench/${name}.ts ${args.join(" ")}`);
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", join(import.meta.dirname, `${name}.ts`), ...args],
    {
      stdio: "inherit",
    },
  );
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
