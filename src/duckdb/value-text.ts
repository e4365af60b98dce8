/**
 * DuckDB's text of dates, timestamps and decimals (`CAST(x AS VARCHAR)`), computed from the
 * values' numbers with integer arithmetic: `@duckdb/node-api`'s own `toString()` goes through
 * JS `Date` objects and `bigint` division, which made formatting a result's timestamps cost
 * more than reading it. Values outside years 1-9999 (BC dates, infinities) and anything
 * unusual fall back to node-api's text, so the output is always DuckDB's.
 * Civil-from-days conversion: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
 */

const MICROS_PER_DAY = 86_400_000_000;
/** 0001-01-01 and 9999-12-31 as days since 1970-01-01. */
const MIN_DAY = -719_162;
const MAX_DAY = 2_932_896;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function pad4(n: number): string {
  if (n >= 1000) return String(n);
  if (n >= 100) return `0${n}`;
  return n >= 10 ? `00${n}` : `000${n}`;
}

/** DuckDB's infinite dates, as day numbers (`2^31 - 1` and its negation). */
const INFINITE_DAYS = 2_147_483_647;

/**
 * `YYYY-MM-DD` of a day number (days since 1970-01-01), `infinity` / `-infinity`, or
 * undefined outside years 1-9999.
 */
export function dateText(days: number): string | undefined {
  if (days === INFINITE_DAYS) return "infinity";
  if (days === -INFINITE_DAYS) return "-infinity";
  if (!Number.isInteger(days) || days < MIN_DAY || days > MAX_DAY) return undefined;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${pad4(y)}-${pad2(m)}-${pad2(d)}`;
}

/** `HH:MM:SS[.ffffff]` (trailing zeros of the fraction dropped) of microseconds in a day. */
export function timeOfDayText(micros: number): string {
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs - h * 3600) / 60);
  const s = secs - h * 3600 - m * 60;
  let out = `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  if (frac !== 0) out += `.${String(frac).padStart(6, "0").replace(/0+$/, "")}`;
  return out;
}

/**
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` of microseconds since 1970-01-01 00:00:00, or undefined
 * outside years 1-9999 (and for the infinities).
 */
export function timestampText(micros: bigint): string | undefined {
  const n = Number(micros);
  if (!Number.isSafeInteger(n)) return undefined;
  const days = Math.floor(n / MICROS_PER_DAY);
  const date = dateText(days);
  return date === undefined ? undefined : `${date} ${timeOfDayText(n - days * MICROS_PER_DAY)}`;
}

/** The text of a decimal: its unscaled integer `value` with `scale` digits after the point. */
export function decimalText(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (digits.length <= scale) digits = "0".repeat(scale - digits.length + 1) + digits;
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
