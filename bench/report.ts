/**
 * Writing a benchmark's section into docs/benchmarks.md: the text between two
 * `<!-- name -->` markers is replaced (or appended when the section is new).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

/** Replaces (or appends) the section `name` of docs/benchmarks.md with `lines`. */
export function writeSection(name: string, lines: readonly string[]): void {
  const file = join(ROOT, "docs/benchmarks.md");
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  const previous = existsSync(file) ? readFileSync(file, "utf8") : "";
  const marker = `<!-- ${name} -->`;
  const section = `${marker}\n${lines.join("\n")}\n${marker}`;
  const re = new RegExp(`${marker}[\\s\\S]*?${marker}`);
  const next = re.test(previous)
    ? previous.replace(re, section)
    : `${previous.trim() ? `${previous.trim()}\n\n` : ""}${section}\n`;
  writeFileSync(file, next);
  console.log(`\nwritten to ${file} (${statSync(file).size} bytes)`);
}

/** "2 cores (AMD EPYC), 24 GiB RAM, Node v20" for a report's header. */
export function machineLine(): string {
  const cpu =
    cpus()[0]
      ?.model.replace(/\s+\d+-Core Processor/, "")
      .trim() ?? "?";
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
}
