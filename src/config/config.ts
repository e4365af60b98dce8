/**
 * Configuration: one zod schema for the values that come from flags and the environment
 * (flags win over environment, environment over defaults).
 */
import { z } from "zod";

/** Validated configuration of a command. */
export const ConfigSchema = z.object({
  /** Directory of the embedded lakehouse (catalog database and warehouse). */
  dataDir: z.string().min(1).default("./lakehouse"),
  /** Name of the embedded catalog. */
  catalog: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, "catalog names are lower-case identifiers")
    .default("iceberg"),
  /** DuckDB worker threads (default: all cores). */
  threads: z.coerce.number().int().positive().optional(),
  /** DuckDB memory limit, e.g. `4GB`. */
  memoryLimit: z.string().optional(),
  /** HTTP port of `aichemy serve`. */
  port: z.coerce.number().int().min(0).max(65535).default(8181),
  /** HTTP bind address of `aichemy serve`. */
  host: z.string().default("127.0.0.1"),
});

/** Configuration after validation. */
export type Config = z.infer<typeof ConfigSchema>;

/**
 * Builds the configuration from flags and the environment (`AICHEMY_DATA_DIR`,
 * `AICHEMY_CATALOG`, `AICHEMY_THREADS`, `AICHEMY_MEMORY_LIMIT`, `AICHEMY_PORT`, `AICHEMY_HOST`).
 * @throws Error listing every invalid field.
 */
export function loadConfig(
  flags: Partial<Record<keyof Config, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const pick = (flag: unknown, envName: string) => (flag !== undefined ? flag : env[envName]);
  const result = ConfigSchema.safeParse({
    dataDir: pick(flags.dataDir, "AICHEMY_DATA_DIR"),
    catalog: pick(flags.catalog, "AICHEMY_CATALOG"),
    threads: pick(flags.threads, "AICHEMY_THREADS"),
    memoryLimit: pick(flags.memoryLimit, "AICHEMY_MEMORY_LIMIT"),
    port: pick(flags.port, "AICHEMY_PORT"),
    host: pick(flags.host, "AICHEMY_HOST"),
  });
  if (!result.success) {
    throw new Error(
      `invalid configuration: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return result.data;
}
