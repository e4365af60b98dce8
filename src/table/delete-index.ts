/**
 * Assigns delete files to the data files they apply to, by the scope rules of the Iceberg
 * spec ("Scan Planning"): position deletes apply to data files of the same partition with a
 * data sequence number <= theirs (and only to `referenced_data_file` when set, or within the
 * delete file's `file_path` bounds); equality deletes apply to older data files (strictly
 * lower sequence number) of the same partition, or of any partition when the delete file's
 * spec is unpartitioned. A deletion vector replaces position delete files for its data file.
 */
import { fromBytes } from "../spec/conversions.js";
import { type DataFile, DataFileContent } from "../spec/manifest-entry.js";
import { MetadataColumns } from "../spec/schema.js";
import { Types } from "../spec/types.js";
import { compareStrings, type PrimitiveValue } from "../spec/values.js";

/** A delete file with its inherited data sequence number and spec. */
export interface IndexedDeleteFile {
  readonly file: DataFile;
  readonly dataSequenceNumber: bigint;
  readonly specId: number;
  /** Whether the delete file's spec is unpartitioned (global equality deletes). */
  readonly unpartitioned: boolean;
}

/** Key of a (spec, partition tuple) pair for equality of partitions. */
export function partitionKey(specId: number, partition: readonly (PrimitiveValue | null)[]): string {
  return `${specId}|${partition
    .map((v) =>
      v === null
        ? "\u0000null"
        : v instanceof Uint8Array
          ? `b:${Buffer.from(v).toString("hex")}`
          : `${typeof v}:${String(v)}`,
    )
    .join("|")}`;
}

/** An index of delete files answering "which deletes apply to this data file?". */
export class DeleteFileIndex {
  readonly #byPartition = new Map<string, IndexedDeleteFile[]>();
  readonly #global: IndexedDeleteFile[] = [];
  readonly #dvs = new Map<string, IndexedDeleteFile>();
  readonly size: number;

  constructor(deletes: readonly IndexedDeleteFile[]) {
    this.size = deletes.length;
    for (const d of deletes) {
      if (
        d.file.content === DataFileContent.POSITION_DELETES &&
        d.file.fileFormat === "PUFFIN" &&
        d.file.referencedDataFile
      ) {
        this.#dvs.set(d.file.referencedDataFile, d);
        continue;
      }
      if (d.file.content === DataFileContent.EQUALITY_DELETES && d.unpartitioned) {
        this.#global.push(d);
        continue;
      }
      const key = partitionKey(d.specId, d.file.partition);
      const list = this.#byPartition.get(key);
      if (list) list.push(d);
      else this.#byPartition.set(key, [d]);
    }
  }

  /** The delete files that apply to a data file. */
  forDataFile(file: DataFile, specId: number, dataSequenceNumber: bigint): IndexedDeleteFile[] {
    if (this.size === 0) return [];
    const out: IndexedDeleteFile[] = [];
    const dv = this.#dvs.get(file.filePath);
    if (dv && dv.dataSequenceNumber >= dataSequenceNumber) out.push(dv);
    for (const d of this.#byPartition.get(partitionKey(specId, file.partition)) ?? []) {
      if (d.file.content === DataFileContent.POSITION_DELETES) {
        if (dv) continue;
        if (d.dataSequenceNumber < dataSequenceNumber) continue;
        if (d.file.referencedDataFile !== undefined && d.file.referencedDataFile !== file.filePath) continue;
        if (!pathWithinBounds(d.file, file.filePath)) continue;
        out.push(d);
      } else if (d.dataSequenceNumber > dataSequenceNumber) {
        out.push(d);
      }
    }
    for (const d of this.#global) if (d.dataSequenceNumber > dataSequenceNumber) out.push(d);
    return out;
  }
}

/** Whether a position delete file's `file_path` bounds admit a data file path. */
function pathWithinBounds(deleteFile: DataFile, path: string): boolean {
  const id = MetadataColumns.deleteFilePath.id;
  const lower = deleteFile.lowerBounds?.get(id);
  const upper = deleteFile.upperBounds?.get(id);
  if (lower && compareStrings(path, fromBytes(Types.string, lower) as string) < 0) return false;
  if (upper) {
    // Bounds may be truncated: compare only as many characters as the bound has.
    const u = fromBytes(Types.string, upper) as string;
    if (compareStrings(path.slice(0, u.length), u) > 0) return false;
  }
  return true;
}
