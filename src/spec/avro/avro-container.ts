/**
 * Avro object container files (Avro 1.11 spec, "Object Container Files"): header with
 * metadata and sync marker, then blocks of records, with the `null` and `deflate` codecs.
 * Synchronous, on whole buffers: Iceberg manifests and manifest lists are small files.
 */
import { randomBytes } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import avro from "avsc";
import { avroType } from "./avro-types.js";

const MAGIC = Buffer.from("Obj\x01", "latin1");
const HEADER = avro.Type.forSchema({
  name: "Header",
  type: "record",
  fields: [
    { name: "magic", type: { type: "fixed", name: "Magic", size: 4 } },
    { name: "meta", type: { type: "map", values: "bytes" } },
    { name: "sync", type: { type: "fixed", name: "Sync", size: 16 } },
  ],
} as avro.Schema);
const LONG = avro.Type.forSchema("long");

/** A decoded container: its writer schema (raw JSON), string metadata and records. */
export interface AvroContainer<T = Record<string, unknown>> {
  readonly schema: unknown;
  readonly metadata: Readonly<Record<string, string>>;
  readonly records: T[];
}

/**
 * Decodes an Avro container file.
 * @param source names the file in error messages.
 * @throws Error naming `source` for a bad magic number, an unsupported codec, or a truncated block.
 */
export function readAvroContainer<T = Record<string, unknown>>(
  buf: Uint8Array,
  source = "avro file",
): AvroContainer<T> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 4 || !b.subarray(0, 4).equals(MAGIC))
    throw new Error(`${source} is not an Avro container file (bad magic)`);
  const { value: header, offset: start } = HEADER.decode(b, 0) as unknown as {
    value: { meta: Record<string, Buffer>; sync: Buffer };
    offset: number;
  };
  if (start < 0) throw new Error(`${source}: truncated Avro header`);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(header.meta)) metadata[k] = v.toString("utf8");
  const schemaText = metadata["avro.schema"];
  if (!schemaText) throw new Error(`${source}: Avro header has no avro.schema`);
  const schema = JSON.parse(schemaText);
  const type = avroType(schema);
  const codec = metadata["avro.codec"] ?? "null";
  if (codec !== "null" && codec !== "deflate")
    throw new Error(`${source}: unsupported Avro codec ${codec} (null and deflate are supported)`);
  const records: T[] = [];
  let pos = start;
  while (pos < b.length) {
    const count = LONG.decode(b, pos) as unknown as { value: number; offset: number };
    const size = LONG.decode(b, count.offset) as unknown as { value: number; offset: number };
    if (count.offset < 0 || size.offset < 0)
      throw new Error(`${source}: truncated Avro block header at byte ${pos}`);
    const end = size.offset + size.value;
    if (end + 16 > b.length) throw new Error(`${source}: truncated Avro block at byte ${pos}`);
    let data = b.subarray(size.offset, end);
    if (codec === "deflate") data = inflateRawSync(data);
    let p = 0;
    for (let i = 0; i < count.value; i++) {
      const r = type.decode(data, p) as unknown as { value: T; offset: number };
      if (r.offset < 0) throw new Error(`${source}: truncated record ${i} in block at byte ${pos}`);
      records.push(r.value);
      p = r.offset;
    }
    if (!b.subarray(end, end + 16).equals(header.sync))
      throw new Error(`${source}: sync marker mismatch after block at byte ${pos}`);
    pos = end + 16;
  }
  return { schema, metadata, records };
}

/** Encodes records back to back into one growing buffer (no buffer per record). */
function encodeRecords(type: avro.Type, records: readonly unknown[]): Buffer {
  let buf = Buffer.allocUnsafe(64 * 1024);
  let pos = 0;
  for (const r of records) {
    for (;;) {
      const next = type.encode(r, buf, pos);
      if (next >= 0) {
        pos = next;
        break;
      }
      // `next` is minus the missing bytes: grow and encode this record again.
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, pos - next + 1024));
      buf.copy(bigger, 0, 0, pos);
      buf = bigger;
    }
  }
  return buf.subarray(0, pos);
}

/**
 * Encodes records as an Avro container file with the given writer schema and string
 * metadata (written beside `avro.schema` and `avro.codec`).
 * @param codec `deflate` (default, as Iceberg Java writes) or `null`.
 * @throws Error from avsc when a record does not match the schema.
 */
export function writeAvroContainer(
  schema: unknown,
  records: readonly unknown[],
  metadata: Readonly<Record<string, string>> = {},
  codec: "deflate" | "null" = "deflate",
): Buffer {
  const type = avroType(schema);
  const meta: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v, "utf8");
  meta["avro.schema"] = Buffer.from(JSON.stringify(schema), "utf8");
  meta["avro.codec"] = Buffer.from(codec, "utf8");
  const sync = randomBytes(16);
  const parts: Buffer[] = [HEADER.toBuffer({ magic: MAGIC, meta, sync })];
  const BLOCK = 1000;
  for (let i = 0; i < records.length; i += BLOCK) {
    const chunk = records.slice(i, i + BLOCK);
    let data = encodeRecords(type, chunk);
    if (codec === "deflate") data = deflateRawSync(data);
    parts.push(LONG.toBuffer(chunk.length), LONG.toBuffer(data.length), data, sync);
  }
  return Buffer.concat(parts);
}
