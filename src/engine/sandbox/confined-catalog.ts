/**
 * Catalogs as the sandboxed engine sees them: every table a catalog hands out (load, create,
 * register, and every later version of it) reads and writes through a {@link ConfinedFileIO},
 * so the paths DuckDB gets stay under the directories the sandbox allows it, whatever the
 * catalog's own FileIO (an attached REST catalog whose tables live elsewhere on this disk, or
 * whose S3 cache is elsewhere). Everything else is the catalog's own.
 */
import type { Catalog } from "../../catalog/catalog.js";
import { ConfinedFileIO, type ConfinedFileIOOptions } from "../../io/confined-file-io.js";
import type { FileIO } from "../../io/file-io.js";
import { Table } from "../../table/table.js";

const TABLE_METHODS = new Set<PropertyKey>(["loadTable", "createTable", "registerTable"]);

/** `catalog` with its tables' FileIOs confined (one ConfinedFileIO per FileIO it uses). */
export function confinedCatalog(catalog: Catalog, opts: ConfinedFileIOOptions): Catalog {
  const wrapped = new WeakMap<FileIO, ConfinedFileIO>();
  const confine = (io: FileIO): FileIO => {
    if (io instanceof ConfinedFileIO) return io;
    let c = wrapped.get(io);
    if (!c) {
      c = new ConfinedFileIO(io, opts);
      wrapped.set(io, c);
    }
    return c;
  };
  return new Proxy(catalog, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      if (!TABLE_METHODS.has(prop)) return value.bind(target);
      return async (...args: unknown[]) => {
        const result: unknown = await value.apply(target, args);
        return result instanceof Table ? result.withIO(confine(result.io)) : result;
      };
    },
  });
}
