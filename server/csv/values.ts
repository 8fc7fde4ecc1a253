// Typed values from CSV field bytes, with the grammar Spark's CSV reader accepts for each type:
// integers (Java Long.parseLong: optional sign, digits), doubles (decimal/exponent, NaN, Inf,
// Infinity), booleans (true/false, any case), ISO 8601 dates and timestamps (ISO 8601-1 §5.2, §5.4).

const ZERO = 0x30;
const NINE = 0x39;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const MS_PER_DAY = 86_400_000;
/** 10^k is exact in a double up to k = 22, so m / 10^k is correctly rounded when m < 2^53. */
const EXACT_POW10 = 22;
const POW10 = Array.from({ length: EXACT_POW10 + 1 }, (_, k) => 10 ** k);
const MAX_FAST_DIGITS = 15;
const latin1 = new TextDecoder('latin1');
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const isDigit = (c: number) => c >= ZERO && c <= NINE;

/** Signed 64-bit integer in b[s, e), or undefined. A number when safe, else a bigint. */
export function parseInt64(b: Uint8Array, s = 0, e = b.length): number | bigint | undefined {
  let i = s;
  let neg = false;
  if (i < e && (b[i] === PLUS || b[i] === MINUS)) neg = b[i++] === MINUS;
  if (i >= e) return undefined;
  let v = 0;
  for (let j = i; j < e; j++) {
    const c = b[j];
    if (!isDigit(c)) return undefined;
    v = v * 10 + (c - ZERO);
  }
  if (e - i <= MAX_FAST_DIGITS) return neg ? -v : v;
  const big = BigInt(latin1.decode(b.subarray(s, e)));
  if (big < INT64_MIN || big > INT64_MAX) return undefined;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

/** True when an int64 value also fits Spark's IntegerType. */
export const fitsInt32 = (v: number | bigint) => typeof v === 'number' && v >= -2147483648 && v <= 2147483647;

/** A double written in decimal in b[s, n), or NaN / Inf / Infinity with a sign; undefined otherwise. */
export function parseDouble(b: Uint8Array, s = 0, n = b.length): number | undefined {
  let i = s;
  let neg = false;
  if (i < n && (b[i] === PLUS || b[i] === MINUS)) neg = b[i++] === MINUS;
  if (i >= n) return undefined;
  if (!isDigit(b[i]) && b[i] !== DOT) return special(b.subarray(i, n), neg);
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let any = false;
  for (; i < n && isDigit(b[i]); i++, any = true) {
    if (mant !== 0 || b[i] !== ZERO) digits++;
    mant = mant * 10 + (b[i] - ZERO);
  }
  if (i < n && b[i] === DOT) {
    for (i++; i < n && isDigit(b[i]); i++, any = true) {
      if (mant !== 0 || b[i] !== ZERO) digits++;
      mant = mant * 10 + (b[i] - ZERO);
      scale++;
    }
  }
  if (!any) return undefined;
  let exp = 0;
  if (i < n && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    let eneg = false;
    if (i < n && (b[i] === PLUS || b[i] === MINUS)) eneg = b[i++] === MINUS;
    if (i >= n) return undefined;
    for (; i < n; i++) {
      if (!isDigit(b[i])) return undefined;
      exp = Math.min(exp * 10 + (b[i] - ZERO), 100_000);
    }
    if (eneg) exp = -exp;
  }
  if (i !== n) return undefined;
  const e10 = exp - scale;
  let v: number;
  if (digits <= MAX_FAST_DIGITS && e10 >= -EXACT_POW10 && e10 <= EXACT_POW10) {
    v = e10 < 0 ? mant / POW10[-e10] : mant * POW10[e10];
  } else {
    v = Math.abs(Number(latin1.decode(b.subarray(s, n))));
  }
  return neg ? -v : v;
}

function special(b: Uint8Array, neg: boolean): number | undefined {
  const word = latin1.decode(b);
  if (word === 'NaN') return NaN;
  if (word === 'Inf' || word === 'Infinity') return neg ? -Infinity : Infinity;
  return undefined;
}

export function parseBool(b: Uint8Array, s = 0, e = b.length): boolean | undefined {
  const n = e - s;
  if (n === 4 && (b[s] | 0x20) === 0x74 && (b[s + 1] | 0x20) === 0x72 && (b[s + 2] | 0x20) === 0x75 && (b[s + 3] | 0x20) === 0x65) return true;
  if (n === 5 && (b[s] | 0x20) === 0x66 && (b[s + 1] | 0x20) === 0x61 && (b[s + 2] | 0x20) === 0x6c && (b[s + 3] | 0x20) === 0x73 && (b[s + 4] | 0x20) === 0x65) return false;
  return undefined;
}

// yyyy-M-d (Spark's lenient date parsing accepts one-digit month and day).
const DATE_RE = /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})$/;
// yyyy-MM-dd[T ]HH:mm[:ss[.fraction]][Z|±HH[:mm]]
const TS_RE = /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function civilDays(y: number, m: number, d: number): number | undefined {
  if (m < 1 || m > 12 || d < 1) return undefined;
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCDate() !== d || back.getUTCMonth() !== m - 1) return undefined; // 2023-02-30
  return Math.round(ms / MS_PER_DAY) + (y >= 0 && y < 100 ? dayShiftForTwoDigitYear(y) : 0);
}

/** Date.UTC maps years 0–99 to 1900–1999; undo that. */
function dayShiftForTwoDigitYear(y: number): number {
  const d = new Date(0);
  d.setUTCFullYear(y, 0, 1);
  return Math.round((d.getTime() - Date.UTC(y, 0, 1)) / MS_PER_DAY);
}

const COLON = 0x3a;
const LETTER_T = 0x54;
const SPACE = 0x20;
const LETTER_Z = 0x5a;
const ISO_DATE_LENGTH = 10;
const DAYS_0000_TO_1970 = 719_468;
const DAYS_PER_ERA = 146_097;
const MICROS_PER_SECOND = 1_000_000;
const MICRO_DIGITS = 6;

/** Two ASCII digits at i as a number, or -1. */
function two(b: Uint8Array, i: number): number {
  const hi = b[i] - ZERO;
  const lo = b[i + 1] - ZERO;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (the era-based days-from-civil algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * DAYS_PER_ERA + doe - DAYS_0000_TO_1970;
}

/** The common `yyyy-MM-dd` at b[s] without a regex; undefined when b[s, e) does not start that way. */
function fastDate(b: Uint8Array, s: number, e: number): number | undefined {
  if (e - s < ISO_DATE_LENGTH || b[s + 4] !== MINUS || b[s + 7] !== MINUS) return undefined;
  const c = two(b, s);
  const y2 = two(b, s + 2);
  const m = two(b, s + 5);
  const d = two(b, s + 8);
  if (c < 0 || y2 < 0 || m < 1 || m > 12 || d < 1) return undefined;
  const y = c * 100 + y2;
  if (d > (m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1])) return undefined;
  return daysFromCivil(y, m, d);
}

/** Bytes of `yyyy-MM-ddTHH:mm:ss`, the shape Spark and most exports write timestamps in. */
export const ISO_SECONDS_LENGTH = 19;

/**
 * Exactly `yyyy-MM-ddTHH:mm:ss` (or a space for the T) at b[s, s + 19): µs since the epoch, the
 * value fastTimestamp gives; NaN when the bytes are not that shape, not a valid time or not a safe
 * integer (the caller then asks parseTimestampInto). Returned, not stored: the fused zipcsv path
 * inlines it, so no heap number is made.
 */
export function isoSecondsMicros(b: Uint8Array, s: number): number {
  if (b[s + 4] !== MINUS || b[s + 7] !== MINUS || (b[s + 10] !== LETTER_T && b[s + 10] !== SPACE) || b[s + 13] !== COLON || b[s + 16] !== COLON) return NaN;
  const hh = two(b, s + 11);
  const mi = two(b, s + 14);
  const ss = two(b, s + 17);
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return NaN;
  // fastDate's day count is a small integer: no heap number on the fused path.
  const days = fastDate(b, s, s + ISO_DATE_LENGTH);
  if (days === undefined) return NaN;
  const v = (days * 86_400 + hh * 3600 + mi * 60 + ss) * MICROS_PER_SECOND;
  return Number.isSafeInteger(v) ? v : NaN;
}

/** fastTimestamp's answers: the value is in out[0], the text is no valid time, or not this shape. */
const FAST_OK = 1;
const FAST_INVALID = 0;
const FAST_OTHER = -1;

/**
 * `yyyy-MM-dd[T ]HH:mm[:ss[.fraction]][Z|±HH[:mm]]` in b[s, n) without a regex: µs since the
 * epoch into out[0] (FAST_OK), or FAST_OTHER when the shape is not this common one (the caller
 * falls back to the general grammar), or FAST_INVALID when it is this shape but not a valid time.
 * The value goes to a typed array, not a return value: a returned double is a heap allocation.
 */
function fastTimestamp(b: Uint8Array, s: number, n: number, out: Float64Array): number {
  if (n - s < 16 || (b[s + 10] !== LETTER_T && b[s + 10] !== SPACE) || b[s + 13] !== COLON) return FAST_OTHER;
  const days = fastDate(b, s, n);
  const hh = two(b, s + 11);
  const mi = two(b, s + 14);
  if (days === undefined || hh < 0 || mi < 0) return FAST_OTHER;
  let i = s + 16;
  let ss = 0;
  let micros = 0;
  if (i < n && b[i] === COLON) {
    ss = i + 2 < n ? two(b, i + 1) : -1;
    if (ss < 0) return FAST_OTHER;
    i += 3;
    if (i < n && b[i] === DOT) {
      let digits = 0;
      for (i++; i < n && isDigit(b[i]); i++, digits++) if (digits < MICRO_DIGITS) micros = micros * 10 + (b[i] - ZERO);
      if (digits === 0 || digits > 9) return FAST_OTHER;
      for (; digits < MICRO_DIGITS; digits++) micros *= 10;
    }
  }
  if (i < n && b[i] === LETTER_Z) i++;
  else if (i < n && (b[i] === PLUS || b[i] === MINUS)) return FAST_OTHER; // offsets: the general path
  if (i !== n) return FAST_OTHER;
  if (hh > 23 || mi > 59 || ss > 59) return FAST_INVALID;
  const v = (days * 86_400 + hh * 3600 + mi * 60 + ss) * MICROS_PER_SECOND + micros;
  if (!Number.isSafeInteger(v)) return FAST_OTHER;
  out[0] = v;
  return FAST_OK;
}

/** Days since 1970-01-01 for an ISO date in b[s, e), or undefined. */
export function parseDate(b: Uint8Array, s = 0, e = b.length): number | undefined {
  if (e - s === ISO_DATE_LENGTH && b[s + 4] === MINUS) return fastDate(b, s, e);
  if (e - s < 8 || e - s > 12) return undefined;
  const m = DATE_RE.exec(latin1.decode(b.subarray(s, e)));
  return m ? civilDays(+m[1], +m[2], +m[3]) : undefined;
}

/** Microseconds since the epoch for b[s, e) (UTC; a time without offset is read as UTC), or undefined. */
export function parseTimestamp(b: Uint8Array, s = 0, e = b.length): number | bigint | undefined {
  if (e - s < 15 || e - s > 40) return undefined;
  const fast = fastTimestamp(b, s, e, SCRATCH);
  if (fast !== FAST_OTHER) return fast === FAST_OK ? SCRATCH[0] : undefined;
  const m = TS_RE.exec(latin1.decode(b.subarray(s, e)));
  if (!m) return undefined;
  const days = civilDays(+m[1], +m[2], +m[3]);
  const hh = +m[4];
  const mi = +m[5];
  const ss = m[6] ? +m[6] : 0;
  if (days === undefined || hh > 23 || mi > 59 || ss > 59) return undefined;
  let offsetMin = 0;
  const z = m[8];
  if (z && z !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2) : 0;
    if (oh > 18 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const micros = m[7] ? Math.floor(+m[7].padEnd(9, '0') / 1000) : 0;
  const seconds = days * 86_400 + hh * 3600 + mi * 60 + ss - offsetMin * 60;
  const v = seconds * 1e6 + micros;
  return Number.isSafeInteger(v) ? v : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

const SCRATCH = new Float64Array(1);

/** What an `…Into` parser found: no value, a number in out[0], or a value only a bigint holds
 *  (ask the plain parser for it). */
export const INTO_NONE = 0;
export const INTO_NUMBER = 1;
export const INTO_BIGINT = 2;

/** parseTimestamp with the common shape's value written to out[0] (no heap number per value). */
export function parseTimestampInto(b: Uint8Array, s: number, e: number, out: Float64Array): number {
  if (e - s < 15 || e - s > 40) return INTO_NONE;
  const fast = fastTimestamp(b, s, e, out);
  if (fast !== FAST_OTHER) return fast === FAST_OK ? INTO_NUMBER : INTO_NONE;
  return general(parseTimestamp(b, s, e), out);
}

/** parseInt64 with a safe integer written to out[0]. */
export function parseInt64Into(b: Uint8Array, s: number, e: number, out: Float64Array): number {
  return general(parseInt64(b, s, e), out);
}

function general(v: number | bigint | undefined, out: Float64Array): number {
  if (v === undefined) return INTO_NONE;
  if (typeof v === 'bigint') return INTO_BIGINT;
  out[0] = v;
  return INTO_NUMBER;
}

/**
 * parseDouble writing the value to out[0]; true when there is one. The common case (a sign,
 * at most 15 digits around one point, no exponent) is read here, so it is exact: m / 10^k with
 * m < 2^53 and k ≤ 22 is correctly rounded; everything else goes through parseDouble.
 */
export function parseDoubleInto(b: Uint8Array, s: number, e: number, out: Float64Array): boolean {
  let i = s;
  let neg = false;
  if (i < e && (b[i] === PLUS || b[i] === MINUS)) neg = b[i++] === MINUS;
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; i < e; i++) {
    const c = b[i];
    if (c >= ZERO && c <= NINE) {
      mant = mant * 10 + (c - ZERO);
      digits++;
      if (dot) scale++;
    } else if (c === DOT && !dot) dot = true;
    else break;
  }
  if (i === e && digits > 0 && digits <= MAX_FAST_DIGITS) {
    const v = scale === 0 ? mant : mant / POW10[scale];
    out[0] = neg ? -v : v;
    return true;
  }
  const v = parseDouble(b, s, e);
  if (v === undefined) return false;
  out[0] = v;
  return true;
}
