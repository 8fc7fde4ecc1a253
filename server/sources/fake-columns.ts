// Columnar generators for the `fake` source: each column fills its Arrow buffers directly (typed
// arrays, a UTF-8 offsets+bytes builder, a validity-free bitmap) per Arrow's columnar format
// (arrow.apache.org/docs/format/Columnar.html), with no per-row objects. Each column draws from
// its own seeded stream, so a column's values depend only on (seed, partition, column index).
import { type Data, type DataType, type Decimal, type Field, type Int, type Float, Type, makeData } from 'apache-arrow';
import { invalidArgument } from '../errors.ts';
import { SUPPORTED_STRING_FIELDS, seededFaker, stringGenerator } from './fake-generators.ts';

const UINT32_RANGE = 2 ** 32;
const MS_PER_DAY = 86_400_000;
const MICROS_PER_MS = 1000;
/** Plausible, non-negative ranges for typed columns (upper bounds exclusive). */
const INT_RANGES: Record<number, number> = { 8: 100, 16: 10_000, 32: 1_000_000, 64: 1_000_000_000_000 };
const FLOAT_RANGE = 1000;
const DATE_FROM = Date.UTC(1950, 0, 1);
const DATE_TO = Date.UTC(2025, 0, 1);
const TIMESTAMP_FROM = Date.UTC(2000, 0, 1);
const TIMESTAMP_TO = DATE_TO;
/** Decimal unscaled values stay below 2^53 so they are exact in a JS number. */
const MAX_DECIMAL_DIGITS = 15;
const DECIMAL_WORDS = 4; // a Decimal128 value is four little-endian uint32 words
const BINARY_LENGTH = 16;
/** First guess of UTF-8 bytes per string value; the builder grows as needed. */
const INITIAL_BYTES_PER_VALUE = 16;
const UTF8_MAX_BYTES_PER_UTF16_UNIT = 3;

/** murmur3's 32-bit finaliser folded over the parts: a well-mixed seed per (seed, partition, column). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Split so seeds above 2^32 still change the result.
    for (const word of [part >>> 0, Math.floor(part / UINT32_RANGE) >>> 0]) {
      h = Math.imul(h ^ word, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for plausible test data (not for cryptography). */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1) with 53 bits. */
  float(): number {
    return ((this.uint32() >>> 5) * 2 ** 26 + (this.uint32() >>> 6)) / 2 ** 53;
  }
  /** Uniform integer in [from, to). */
  int(from: number, to: number): number {
    return from + Math.floor(this.float() * (to - from));
  }
}

/** Produces the next `rows` values of one column as Arrow Data of the field's type. */
export type ColumnGenerator = (rows: number) => Data;

/** Grows a UTF-8 value buffer while strings are appended; offsets are Arrow's int32 ones. */
class Utf8Builder {
  private readonly encoder = new TextEncoder();
  private readonly offsets: Int32Array;
  private bytes: Uint8Array;
  private count = 0;
  constructor(rows: number) {
    this.offsets = new Int32Array(rows + 1);
    this.bytes = new Uint8Array(rows * INITIAL_BYTES_PER_VALUE);
  }
  append(s: string): void {
    const end = this.offsets[this.count];
    const need = end + s.length * UTF8_MAX_BYTES_PER_UTF16_UNIT;
    if (need > this.bytes.length) {
      const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, end));
      this.bytes = grown;
    }
    const { written } = this.encoder.encodeInto(s, this.bytes.subarray(end));
    this.offsets[++this.count] = end + written;
  }
  finish(type: DataType): Data {
    const end = this.offsets[this.count];
    return makeData({ type, length: this.count, nullCount: 0, valueOffsets: this.offsets, data: this.bytes.subarray(0, end) } as never);
  }
}

/** Write non-negative integers below 2^53 into an int64 buffer through its two 32-bit halves. */
function int64Data(type: DataType, rows: number, draw: () => number): Data {
  const words = new Uint32Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    const v = draw();
    words[2 * i] = v >>> 0;
    words[2 * i + 1] = Math.floor(v / UINT32_RANGE);
  }
  return makeData({ type, length: rows, nullCount: 0, data: new BigInt64Array(words.buffer) } as never);
}

function stringColumn(field: Field, seed: number): ColumnGenerator {
  const generate = stringGenerator(field.name);
  if (!generate) {
    throw invalidArgument(
      `fake: no generator for string field '${field.name}'; supported names (Python Faker methods): ${SUPPORTED_STRING_FIELDS.join(', ')}`,
    );
  }
  const faker = seededFaker(seed);
  return (rows) => {
    const b = new Utf8Builder(rows);
    for (let i = 0; i < rows; i++) b.append(generate(faker));
    return b.finish(field.type);
  };
}

function intColumn(type: Int, prng: Prng): ColumnGenerator {
  const range = INT_RANGES[type.bitWidth];
  if (type.bitWidth === 64) return (rows) => int64Data(type, rows, () => prng.int(0, range));
  const Arr = type.bitWidth === 8 ? Int8Array : type.bitWidth === 16 ? Int16Array : Int32Array;
  return (rows) => {
    const values = new Arr(rows);
    for (let i = 0; i < rows; i++) values[i] = prng.int(0, range);
    return makeData({ type, length: rows, nullCount: 0, data: values } as never);
  };
}

function floatColumn(type: Float, prng: Prng): ColumnGenerator {
  const Arr = type.precision === 1 ? Float32Array : Float64Array;
  return (rows) => {
    const values = new Arr(rows);
    for (let i = 0; i < rows; i++) values[i] = prng.float() * FLOAT_RANGE;
    return makeData({ type, length: rows, nullCount: 0, data: values } as never);
  };
}

function boolColumn(type: DataType, prng: Prng): ColumnGenerator {
  return (rows) => {
    const bits = new Uint8Array(Math.ceil(rows / 8));
    for (let i = 0; i < rows; i++) if (prng.uint32() & 1) bits[i >> 3] |= 1 << (i & 7);
    return makeData({ type, length: rows, nullCount: 0, data: bits } as never);
  };
}

function decimalColumn(type: Decimal, prng: Prng): ColumnGenerator {
  const range = 10 ** Math.min(type.precision, MAX_DECIMAL_DIGITS);
  return (rows) => {
    const words = new Uint32Array(rows * DECIMAL_WORDS);
    for (let i = 0; i < rows; i++) {
      const v = prng.int(0, range);
      words[DECIMAL_WORDS * i] = v >>> 0;
      words[DECIMAL_WORDS * i + 1] = Math.floor(v / UINT32_RANGE);
    }
    return makeData({ type, length: rows, nullCount: 0, data: words } as never);
  };
}

function binaryColumn(type: DataType, prng: Prng): ColumnGenerator {
  return (rows) => {
    const bytes = new Uint8Array(rows * BINARY_LENGTH);
    const offsets = new Int32Array(rows + 1);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < BINARY_LENGTH; j++) bytes[i * BINARY_LENGTH + j] = prng.uint32() & 0xff;
      offsets[i + 1] = (i + 1) * BINARY_LENGTH;
    }
    return makeData({ type, length: rows, nullCount: 0, valueOffsets: offsets, data: bytes } as never);
  };
}

/** A generator for one field; throws INVALID_ARGUMENT for string names without a generator. */
export function columnGenerator(field: Field, seed: number): ColumnGenerator {
  const type = field.type;
  const prng = new Prng(seed);
  switch (type.typeId) {
    case Type.Utf8: return stringColumn(field, seed);
    case Type.Int: return intColumn(type as Int, prng);
    case Type.Float: return floatColumn(type as Float, prng);
    case Type.Bool: return boolColumn(type, prng);
    case Type.Decimal: return decimalColumn(type as Decimal, prng);
    case Type.Binary: return binaryColumn(type, prng);
    case Type.Date: {
      const [from, to] = [DATE_FROM / MS_PER_DAY, DATE_TO / MS_PER_DAY];
      return (rows) => {
        const days = new Int32Array(rows);
        for (let i = 0; i < rows; i++) days[i] = prng.int(from, to);
        return makeData({ type, length: rows, nullCount: 0, data: days } as never);
      };
    }
    case Type.Timestamp: {
      const [from, to] = [TIMESTAMP_FROM * MICROS_PER_MS, TIMESTAMP_TO * MICROS_PER_MS];
      return (rows) => int64Data(type, rows, () => prng.int(from, to));
    }
    default:
      throw invalidArgument(`fake: field '${field.name}' has type ${type}, which the fake source does not generate`);
  }
}
