/**
 * Reading manifest lists and manifests of a table, cached in memory by location: these
 * files are immutable, so a cache entry never goes stale (ARCHITECTURE.md decision 4).
 */
import type { FileIO } from "../io/file-io.js";
import { readManifest } from "../spec/avro/manifest-avro.js";
import { readManifestList } from "../spec/avro/manifest-list-avro.js";
import { type ManifestEntry, ManifestEntryStatus } from "../spec/manifest-entry.js";
import type { ManifestFile } from "../spec/manifest-file.js";
import type { PartitionSpec } from "../spec/partition-spec.js";
import type { Snapshot } from "../spec/snapshot.js";
import type { TableMetadata } from "../spec/table-metadata.js";
import { resultType } from "../spec/transform.js";
import { isPrimitive, type NestedField, type PrimitiveType, type StructType, Types } from "../spec/types.js";

/** A bounded map that forgets the least recently used entries. */
class Lru<V> {
  readonly #max: number;
  readonly #map = new Map<string, V>();
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.#map.delete(key);
    this.#map.set(key, v);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
  }
}

const manifestLists = new Lru<ManifestFile[]>(256);
const manifests = new Lru<ManifestEntry[]>(2048);

/**
 * The partition struct of a spec: result types of each field's transform over its source
 * column, looked up in the current schema and then in older schemas (dropped columns).
 */
export function specPartitionType(md: TableMetadata, spec: PartitionSpec): StructType {
  const fields: NestedField[] = spec.fields.map((f) => {
    let source: PrimitiveType | undefined;
    const current = md.schemas.find((s) => s.schemaId === md.currentSchemaId);
    for (const s of current ? [current, ...md.schemas] : md.schemas) {
      const field = s.findField(f.sourceId);
      if (field && isPrimitive(field.type)) {
        source = field.type;
        break;
      }
    }
    return {
      id: f.fieldId,
      name: f.name,
      required: false,
      type: source ? resultType(f.transform, source) : Types.string,
    };
  });
  return { kind: "struct", fields };
}

/** Reads (cached) the manifest list of a snapshot; v1 snapshots listing `manifests` get minimal entries. */
export async function readSnapshotManifests(
  io: FileIO,
  snapshot: Snapshot,
  resolve: (location: string) => string,
): Promise<ManifestFile[]> {
  if (!snapshot.manifestList) {
    return (snapshot.manifests ?? []).map((path) => ({
      manifestPath: path,
      manifestLength: 0n,
      partitionSpecId: 0,
      content: 0,
      sequenceNumber: 0n,
      minSequenceNumber: 0n,
      addedSnapshotId: snapshot.snapshotId,
    }));
  }
  const location = resolve(snapshot.manifestList);
  const cached = manifestLists.get(location);
  if (cached) return cached;
  const list = readManifestList(await io.read(location), location);
  manifestLists.set(location, list);
  return list;
}

/**
 * Reads (cached) the entries of a manifest, with partition tuples typed by `partitionType`
 * and sequence numbers and snapshot ids inherited from the manifest (spec "Sequence Number
 * Inheritance"): null values of ADDED entries take the manifest's; v1 manifests have 0.
 */
export async function readManifestEntries(
  io: FileIO,
  manifest: ManifestFile,
  partitionType: StructType,
  resolve: (location: string) => string,
): Promise<ManifestEntry[]> {
  const location = resolve(manifest.manifestPath);
  const key = `${location}|${partitionType.fields.map((f) => `${f.id}:${f.type.kind}`).join(",")}`;
  const cached = manifests.get(key);
  if (cached) return cached;
  const { entries } = readManifest(await io.read(location), partitionType, location);
  const inherited = entries.map((e) => {
    const added = e.status === ManifestEntryStatus.ADDED;
    return {
      ...e,
      snapshotId: e.snapshotId ?? manifest.addedSnapshotId,
      sequenceNumber: e.sequenceNumber ?? (added ? manifest.sequenceNumber : 0n),
      fileSequenceNumber: e.fileSequenceNumber ?? (added ? manifest.sequenceNumber : 0n),
    };
  });
  manifests.set(key, inherited);
  return inherited;
}
