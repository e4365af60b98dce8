/**
 * A read-only table loaded straight from a metadata file, without a catalog (pyiceberg
 * `StaticTable`). Commits are refused.
 */
import { UnsupportedOperationError } from "../errors.js";
import type { FileIO } from "../io/file-io.js";
import { readTableMetadata } from "./metadata-io.js";
import { Table } from "./table.js";

/**
 * Loads a table from its metadata file location.
 * @throws NotFoundError when the file is missing; Error when it does not parse.
 */
export async function loadStaticTable(io: FileIO, metadataLocation: string, name = "static"): Promise<Table> {
  const metadata = await readTableMetadata(io, metadataLocation);
  const state = { metadata, metadataLocation };
  return new Table({ namespace: ["static"], name }, state, io, {
    refresh: async () => ({ metadata: await readTableMetadata(io, metadataLocation), metadataLocation }),
    commit: async () => {
      throw new UnsupportedOperationError("a static table cannot be committed to");
    },
  });
}
