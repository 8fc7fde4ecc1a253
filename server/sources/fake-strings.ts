// Fast string values for the `fake` source, written straight into an Arrow Utf8 column (int32
// offsets + UTF-8 bytes, Arrow columnar format "Variable-size Binary Layout"). Faker is slow per
// call (30k–500k values/s), so a column calls it only to fill small pools of values once per
// partition and then copies pool bytes picked by a fast seeded PRNG; digit/hex patterns and dates
// are written from the PRNG directly, with the same formats and uniform draws Faker uses.
import type { Data, DataType } from 'apache-arrow';
import { makeData } from 'apache-arrow';
import type { Faker } from '@faker-js/faker';
import type { Prng } from './fake-random.ts';

/** First guess of UTF-8 bytes per string value; the builder grows as needed. */
const INITIAL_BYTES_PER_VALUE = 16;
const UTF8_MAX_BYTES_PER_UTF16_UNIT = 3;
const MS_PER_DAY = 86_400_000;
const ISO_DATE_LENGTH = 10; // yyyy-mm-dd
const YEAR_LENGTH = 4;
const [HOURS, MINUTES, SECONDS] = [24, 60, 60];
const ASCII_ZERO = 0x30;
const encoder = new TextEncoder();

/** Appends values to one Utf8 column: parts write bytes, `endValue` closes a value. */
export class Utf8Builder {
  private readonly offsets: Int32Array;
  bytes: Uint8Array;
  end = 0;
  private count = 0;
  constructor(rows: number) {
    this.offsets = new Int32Array(rows + 1);
    this.bytes = new Uint8Array(rows * INITIAL_BYTES_PER_VALUE);
  }
  /** Room for `n` more bytes at `end`. */
  reserve(n: number): void {
    if (this.end + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.end + n, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.end));
    this.bytes = grown;
  }
  copy(src: Uint8Array, from: number, to: number): void {
    this.reserve(to - from);
    for (let i = from; i < to; i++) this.bytes[this.end++] = src[i];
  }
  text(s: string): void {
    this.reserve(s.length * UTF8_MAX_BYTES_PER_UTF16_UNIT);
    this.end += encoder.encodeInto(s, this.bytes.subarray(this.end)).written;
  }
  endValue(): void {
    this.offsets[++this.count] = this.end;
  }
  finish(type: DataType): Data {
    return makeData({ type, length: this.count, nullCount: 0, valueOffsets: this.offsets, data: this.bytes.subarray(0, this.end) } as never);
  }
}

/** What a column's parts are built from: its own Faker and PRNG, and how many values a pool holds. */
export interface PartContext {
  faker: Faker;
  prng: Prng;
  poolSize: number;
}
/** Appends one piece of the current value. */
export type PartWriter = (out: Utf8Builder) => void;
/** A piece of a value's format, built once per column and partition. */
export type Part = (ctx: PartContext) => PartWriter;

/** Many strings in one UTF-8 buffer, so copying one is a byte loop with no string in between. */
class StringTable {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
  constructor(values: readonly string[]) {
    const encoded = values.map((v) => encoder.encode(v));
    this.offsets = new Int32Array(values.length + 1);
    encoded.forEach((e, i) => (this.offsets[i + 1] = this.offsets[i] + e.length));
    this.bytes = new Uint8Array(this.offsets[values.length]);
    encoded.forEach((e, i) => this.bytes.set(e, this.offsets[i]));
  }
  get size(): number {
    return this.offsets.length - 1;
  }
  write(out: Utf8Builder, i: number): void {
    out.copy(this.bytes, this.offsets[i], this.offsets[i + 1]);
  }
}

/** A fixed string. */
export function lit(s: string): Part {
  const bytes = encoder.encode(s);
  return () => (out) => out.copy(bytes, 0, bytes.length);
}

/** Parts one after the other. */
export function seq(...parts: Part[]): Part {
  return (ctx) => {
    const writers = parts.map((p) => p(ctx));
    return (out) => {
      for (const w of writers) w(out);
    };
  };
}

/**
 * `ctx.poolSize` values of a Faker call, made once; the first poolSize values are used in order
 * (a small partition reads exactly what Faker made), later ones are uniform picks among them.
 */
export function pool(make: (f: Faker) => string): Part {
  return ({ faker, prng, poolSize }) => {
    const table = new StringTable(Array.from({ length: poolSize }, () => make(faker)));
    let next = 0;
    return (out) => table.write(out, next < table.size ? next++ : prng.below(table.size));
  };
}

/** A uniform pick from a fixed list (Faker's `arrayElement` over a locale list). */
export function oneOf(values: readonly string[]): Part {
  const table = new StringTable(values);
  return ({ prng }) => (out) => table.write(out, prng.below(table.size));
}

/** Python Faker's / faker-js's pattern symbols: `#` any digit, `!` 2–9, `x` lower hex, `y` 8/9/a/b (UUID v4 variant). */
const SYMBOLS: Readonly<Record<string, string>> = { '#': '0123456789', '!': '23456789', x: '0123456789abcdef', y: '89ab' };

/** A pattern such as `###-##-####`: each symbol a uniform draw from its alphabet, other characters kept. */
export function pattern(format: string): Part {
  const alphabets = [...format].map((c) => encoder.encode(SYMBOLS[c] ?? c));
  return ({ prng }) => (out) => {
    out.reserve(alphabets.length);
    for (const a of alphabets) out.bytes[out.end++] = a.length === 1 ? a[0] : a[prng.below(a.length)];
  };
}

/** A value computed from the PRNG as a string (for formats that are no pattern, e.g. decimals). */
export function computed(make: (prng: Prng) => string): Part {
  return ({ prng }) => (out) => out.text(make(prng));
}

// ISO dates of every day in a range, built once per range and shared: same bytes for every seed.
const dayTables = new Map<string, Uint8Array>();

function dayTable(fromMs: number, toMs: number): Uint8Array {
  const key = `${fromMs}:${toMs}`;
  let table = dayTables.get(key);
  if (!table) {
    const days = Math.ceil((toMs - fromMs) / MS_PER_DAY);
    table = new Uint8Array(days * ISO_DATE_LENGTH);
    for (let d = 0; d < days; d++) encoder.encodeInto(new Date(fromMs + d * MS_PER_DAY).toISOString().slice(0, ISO_DATE_LENGTH), table.subarray(d * ISO_DATE_LENGTH));
    dayTables.set(key, table);
  }
  return table;
}

/** A day uniform in [fromMs, toMs) as `yyyy-mm-dd` (Faker's `date.between` is uniform in time). */
export function isoDay(fromMs: number, toMs: number, length: number = ISO_DATE_LENGTH): Part {
  return ({ prng }) => {
    const table = dayTable(fromMs, toMs);
    const days = table.length / ISO_DATE_LENGTH;
    return (out) => {
      const at = prng.below(days) * ISO_DATE_LENGTH;
      out.copy(table, at, at + length);
    };
  };
}

/** The year of a day uniform in [fromMs, toMs), as four digits. */
export const yearOf = (fromMs: number, toMs: number): Part => isoDay(fromMs, toMs, YEAR_LENGTH);

function twoDigits(out: Utf8Builder, n: number): void {
  out.bytes[out.end++] = ASCII_ZERO + Math.floor(n / 10);
  out.bytes[out.end++] = ASCII_ZERO + (n % 10);
}

/** A time of day uniform to the second, `hh:mm:ss`. */
export const clock: Part = ({ prng }) => (out) => {
  out.reserve(8);
  twoDigits(out, prng.below(HOURS));
  out.bytes[out.end++] = 0x3a;
  twoDigits(out, prng.below(MINUTES));
  out.bytes[out.end++] = 0x3a;
  twoDigits(out, prng.below(SECONDS));
};
