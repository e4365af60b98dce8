/**
 * Deletion vectors (Iceberg spec "Deletion Vectors"; Puffin spec `deletion-vector-v1`): a
 * 64-bit Roaring bitmap of deleted row positions in the portable serialization, framed as
 * 4-byte big-endian length, magic `D1 D3 39 64`, bitmap, 4-byte big-endian CRC-32.
 */
import { crc32 } from "node:zlib";

const MAGIC = [0xd1, 0xd3, 0x39, 0x64];
const SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
const SERIAL_COOKIE = 12347;
const NO_OFFSET_THRESHOLD = 4;

/**
 * Decodes a `deletion-vector-v1` blob into sorted row positions.
 * @throws Error naming `source` for a bad length, magic or checksum, or a malformed bitmap.
 */
export function decodeDeletionVector(blob: Uint8Array, source = "deletion vector"): bigint[] {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length < 12) throw new Error(`${source}: blob too short (${b.length} bytes)`);
  const length = b.readUInt32BE(0);
  if (length + 8 !== b.length)
    throw new Error(`${source}: length field ${length} does not match blob size ${b.length}`);
  if (!MAGIC.every((m, i) => b[4 + i] === m)) throw new Error(`${source}: bad deletion vector magic`);
  const body = b.subarray(4, 4 + length);
  const crc = b.readUInt32BE(4 + length);
  if (crc32(body) >>> 0 !== crc) throw new Error(`${source}: deletion vector checksum mismatch`);
  return decodeRoaring64Portable(body.subarray(4), source);
}

/** Decodes the portable 64-bit Roaring format: count, then (32-bit key, 32-bit Roaring bitmap) pairs. */
export function decodeRoaring64Portable(b: Buffer, source: string): bigint[] {
  let pos = 0;
  const count = Number(b.readBigUInt64LE(pos));
  pos += 8;
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const key = BigInt(b.readUInt32LE(pos));
    pos += 4;
    const { values, end } = decodeRoaring32(b, pos, source);
    pos = end;
    for (const v of values) out.push((key << 32n) | BigInt(v));
  }
  return out;
}

/** Decodes one 32-bit Roaring bitmap (RoaringFormatSpec, portable) starting at `start`. */
export function decodeRoaring32(b: Buffer, start: number, source: string): { values: number[]; end: number } {
  let pos = start;
  const cookie = b.readUInt32LE(pos);
  let size: number;
  let runFlags: Buffer | undefined;
  let hasOffsets: boolean;
  if ((cookie & 0xffff) === SERIAL_COOKIE) {
    size = (cookie >>> 16) + 1;
    pos += 4;
    const flagBytes = Math.ceil(size / 8);
    runFlags = b.subarray(pos, pos + flagBytes);
    pos += flagBytes;
    hasOffsets = size >= NO_OFFSET_THRESHOLD;
  } else if (cookie === SERIAL_COOKIE_NO_RUNCONTAINER) {
    size = b.readUInt32LE(pos + 4);
    pos += 8;
    hasOffsets = true;
  } else {
    throw new Error(`${source}: not a Roaring bitmap (cookie ${cookie})`);
  }
  const keys: number[] = [];
  const cards: number[] = [];
  for (let i = 0; i < size; i++) {
    keys.push(b.readUInt16LE(pos));
    cards.push(b.readUInt16LE(pos + 2) + 1);
    pos += 4;
  }
  if (hasOffsets) pos += 4 * size;
  const values: number[] = [];
  for (let i = 0; i < size; i++) {
    const high = keys[i]! << 16;
    const isRun = runFlags !== undefined && (runFlags[i >> 3]! & (1 << (i & 7))) !== 0;
    if (isRun) {
      const runs = b.readUInt16LE(pos);
      pos += 2;
      for (let r = 0; r < runs; r++) {
        const s = b.readUInt16LE(pos);
        const len = b.readUInt16LE(pos + 2);
        pos += 4;
        for (let v = s; v <= s + len; v++) values.push((high | v) >>> 0);
      }
    } else if (cards[i]! > 4096) {
      for (let w = 0; w < 1024; w++) {
        let word = b.readBigUInt64LE(pos + w * 8);
        let bit = 0;
        while (word !== 0n) {
          if (word & 1n) values.push((high | (w * 64 + bit)) >>> 0);
          word >>= 1n;
          bit++;
        }
      }
      pos += 8192;
    } else {
      for (let k = 0; k < cards[i]!; k++) values.push((high | b.readUInt16LE(pos + 2 * k)) >>> 0);
      pos += 2 * cards[i]!;
    }
  }
  return { values, end: pos };
}
