/**
 * In-memory representation of Iceberg values and their ordering.
 *
 * | type                          | JS value                                      |
 * |-------------------------------|-----------------------------------------------|
 * | boolean                       | boolean                                       |
 * | int, date (days from epoch)   | number                                        |
 * | long, time (micros), timestamp(tz) (micros), timestamp(tz)_ns (nanos) | bigint |
 * | float, double                 | number                                        |
 * | decimal(P,S)                  | bigint (the unscaled value; scale from type)  |
 * | string                        | string                                        |
 * | uuid                          | string (lowercase canonical form)             |
 * | fixed, binary                 | Uint8Array                                    |
 *
 * Null is `null`. Ordering follows the spec ("Sorting"): floats order -NaN < -Inf < ... < -0 <
 * 0 < ... < Inf < NaN, strings by Unicode code point (= UTF-8 byte order), bytes unsigned.
 */
import type { PrimitiveType } from "./types.js";

/** A primitive Iceberg value in the representation described above. */
export type PrimitiveValue = boolean | number | bigint | string | Uint8Array;

const MICROS_PER_DAY = 86_400_000_000n;

/** Compares two non-null values of the same primitive type: negative, zero or positive. */
export function compareValues(type: PrimitiveType, a: PrimitiveValue, b: PrimitiveValue): number {
  switch (type.kind) {
    case "boolean":
      return Number(a as boolean) - Number(b as boolean);
    case "int":
    case "date":
      return (a as number) - (b as number);
    case "float":
    case "double":
      return compareFloats(a as number, b as number);
    case "string":
      return compareStrings(a as string, b as string);
    case "uuid":
      return compareBytes(uuidToBytes(a as string), uuidToBytes(b as string));
    case "fixed":
    case "binary":
    case "geometry":
    case "geography":
      return compareBytes(a as Uint8Array, b as Uint8Array);
    default: {
      const x = a as bigint;
      const y = b as bigint;
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** Total order of doubles per the spec: -NaN < -Inf < -v < -0 < 0 < v < Inf < NaN. */
export function compareFloats(a: number, b: number): number {
  const ka = floatSortKey(a);
  const kb = floatSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function floatSortKey(v: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigInt64(0);
  // Flip negative numbers so that the signed bit pattern sorts as IEEE totalOrder.
  return bits < 0n ? bits ^ 0x7fffffffffffffffn : bits;
}

/** Compares strings by Unicode code point (the order of their UTF-8 bytes). */
export function compareStrings(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Compares byte arrays lexicographically as unsigned bytes. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Equality of two values of the same type (bytes by content, floats by bit pattern). */
export function valuesEqual(type: PrimitiveType, a: PrimitiveValue, b: PrimitiveValue): boolean {
  return compareValues(type, a, b) === 0;
}

// ---------------------------------------------------------------- temporal helpers

/** `YYYY-MM-DD` of a day count from 1970-01-01. */
export function daysToIsoDate(days: number): string {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const year = y < 0 ? `-${String(-y).padStart(6, "0")}` : y > 9999 ? `+${y}` : String(y).padStart(4, "0");
  return `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/**
 * Days from 1970-01-01 of an ISO date `YYYY-MM-DD` (a time part, if any, is ignored).
 * @throws RangeError naming the text when it is not a date.
 */
export function isoDateToDays(text: string): number {
  const m = /^([+-]?\d{4,6})-(\d{2})-(\d{2})/.exec(text.trim());
  if (!m) throw new RangeError(`not an ISO date: ${JSON.stringify(text)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
    throw new RangeError(`not a valid date: ${JSON.stringify(text)}`);
  }
  // Date.UTC maps years 0..99 to 1900..1999; correct that.
  const year = Number(m[1]);
  if (year >= 0 && year < 100) d.setUTCFullYear(year);
  return Math.round(d.getTime() / 86_400_000);
}

/** `HH:MM:SS.ffffff` of microseconds from midnight. */
export function microsToIsoTime(micros: bigint): string {
  const s = micros / 1_000_000n;
  const frac = micros % 1_000_000n;
  return `${pad2(Number(s / 3600n))}:${pad2(Number((s / 60n) % 60n))}:${pad2(Number(s % 60n))}.${String(frac).padStart(6, "0")}`;
}

/**
 * Microseconds from midnight of `HH:MM[:SS[.fraction]]`.
 * @throws RangeError naming the text when it is not a time.
 */
export function isoTimeToMicros(text: string): bigint {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text.trim());
  if (!m) throw new RangeError(`not an ISO time: ${JSON.stringify(text)}`);
  const frac = (m[4] ?? "").padEnd(6, "0").slice(0, 6);
  return (BigInt(m[1]!) * 3600n + BigInt(m[2]!) * 60n + BigInt(m[3] ?? 0)) * 1_000_000n + BigInt(frac);
}

/**
 * ISO timestamp text of a count of `unit`s from the epoch, e.g.
 * `2017-11-16T22:31:08.123456` (micros) or with nanos 9 fraction digits; `+00:00` appended
 * when `withZone`.
 */
export function epochToIsoTimestamp(value: bigint, unit: "micros" | "nanos", withZone: boolean): string {
  const perSecond = unit === "micros" ? 1_000_000n : 1_000_000_000n;
  const perDay = 86_400n * perSecond;
  let days = value / perDay;
  let rem = value % perDay;
  if (rem < 0n) {
    rem += perDay;
    days -= 1n;
  }
  const secs = rem / perSecond;
  const frac = rem % perSecond;
  const date = daysToIsoDate(Number(days));
  const time = `${pad2(Number(secs / 3600n))}:${pad2(Number((secs / 60n) % 60n))}:${pad2(Number(secs % 60n))}`;
  const digits = unit === "micros" ? 6 : 9;
  return `${date}T${time}.${String(frac).padStart(digits, "0")}${withZone ? "+00:00" : ""}`;
}

/**
 * Parses an ISO-8601 timestamp (`YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|±HH[:MM]]`, or a bare date)
 * into a count of `unit`s from the epoch, adjusting to UTC when a zone offset is present.
 * @throws RangeError naming the text when it is not a timestamp.
 */
export function isoTimestampToEpoch(text: string, unit: "micros" | "nanos"): bigint {
  const m =
    /^([+-]?\d{4,6}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      text.trim(),
    );
  if (!m) throw new RangeError(`not an ISO timestamp: ${JSON.stringify(text)}`);
  const days = BigInt(isoDateToDays(m[1]!));
  const seconds = BigInt(m[2] ?? 0) * 3600n + BigInt(m[3] ?? 0) * 60n + BigInt(m[4] ?? 0);
  const digits = unit === "micros" ? 6 : 9;
  const frac = BigInt((m[5] ?? "").padEnd(digits, "0").slice(0, digits));
  const perSecond = unit === "micros" ? 1_000_000n : 1_000_000_000n;
  let value = (days * 86_400n + seconds) * perSecond + frac;
  const zone = m[6];
  if (zone && !/^(Z|UTC)$/i.test(zone)) {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const offset = (BigInt(z[2]!) * 3600n + BigInt(z[3] ?? 0) * 60n) * perSecond;
    value = z[1] === "+" ? value - offset : value + offset;
  }
  return value;
}

/** Micros from epoch -> days from epoch (floor). */
export function microsToDays(micros: bigint): number {
  let d = micros / MICROS_PER_DAY;
  if (micros % MICROS_PER_DAY < 0n) d -= 1n;
  return Number(d);
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

// ---------------------------------------------------------------- decimals

/** Text of an unscaled decimal with `scale` digits after the point, e.g. (1420n, 2) -> `14.20`. */
export function decimalToString(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * Unscaled value of decimal text at `scale`, e.g. (`14.2`, 2) -> 1420n. Accepts exponents
 * (`2E+20`). Extra fraction digits must be zeros.
 * @throws RangeError naming the text when it is not a decimal or loses digits at that scale.
 */
export function parseDecimal(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === ""))
    throw new RangeError(`not a decimal: ${JSON.stringify(text)}`);
  let digits = (m[2] ?? "") + (m[3] ?? "");
  let exp = -(m[3] ?? "").length + Number(m[4] ?? 0);
  // value = digits * 10^exp ; want unscaled = value * 10^scale
  exp += scale;
  if (exp >= 0) digits += "0".repeat(exp);
  else {
    const cut = digits.slice(digits.length + exp);
    if (/[^0]/.test(cut))
      throw new RangeError(`${text} has more than ${scale} digits after the decimal point`);
    digits = digits.slice(0, digits.length + exp);
  }
  const v = BigInt(digits === "" ? "0" : digits);
  return m[1] === "-" ? -v : v;
}

// ---------------------------------------------------------------- uuid

/** 16 big-endian bytes of a UUID string. @throws RangeError when malformed. */
export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${JSON.stringify(uuid)}`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** Lowercase canonical UUID string of 16 bytes. */
export function bytesToUuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
