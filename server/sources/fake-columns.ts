// Columnar generators for the `fake` source: each column fills its Arrow buffers directly (typed
// arrays, a UTF-8 offsets+bytes builder, a validity-free bitmap) per Arrow's columnar format
// (arrow.apache.org/docs/format/Columnar.html), with no per-row objects. Each column draws from
// its own seeded stream, so a column's values depend only on (seed, partition, column index).
import { type Data, type DataType, type Decimal, type Field, type Int, type Float, Type, makeData } from 'apache-arrow';
import { invalidArgument } from '../errors.ts';
import { SUPPORTED_STRING_FIELDS, seededFaker, stringGenerator } from './fake-generators.ts';
import { Prng, mixSeed } from './fake-random.ts';
import { Utf8Builder } from './fake-strings.ts';

const UINT32_RANGE = 2 ** 32;
const MS_PER_DAY = 86_400_000;
const MICROS_PER_MS = 1000;
/** Plausible, non-negative ranges for typed columns (upper bounds exclusive). */
const INT_RANGES: Record<number, number> = { 8: 100, 16: 10_000, 32: 1_000_000, 64: 1_000_000_000_000 };
const FLOAT_RANGE = 1000;
const FLOAT_STEP = FLOAT_RANGE / UINT32_RANGE;
const DATE_FROM = Date.UTC(1950, 0, 1);
const DATE_TO = Date.UTC(2025, 0, 1);
const TIMESTAMP_FROM = Date.UTC(2000, 0, 1);
const TIMESTAMP_TO = DATE_TO;
/** Decimal unscaled values stay below 2^53 so they are exact in a JS number. */
const MAX_DECIMAL_DIGITS = 15;
const DECIMAL_WORDS = 4; // a Decimal128 value is four little-endian uint32 words
const BINARY_LENGTH = 16;
/**
 * Values a string column's Faker pools hold (fake-strings.ts `pool`): enough that picks look varied,
 * few enough that filling them (Faker makes 30k–500k values/s) costs little next to the rows.
 */
export const FAKE_POOL_SIZE = 4096;
/** The PRNG stream that picks among a string column's pools, apart from its Faker's own stream. */
const PICK_STREAM = 1;

/** Produces the next `rows` values of one column as Arrow Data of the field's type. */
export type ColumnGenerator = (rows: number) => Data;

/**
 * A column's values memory kept from batch to batch: the Source contract (source.ts) says a
 * batch is consumed before the next is pulled, so steady-state generation writes into memory that
 * is already mapped (no page faults) and leaves nothing for the GC (issue 7: the DoGet figure).
 * Words a column never writes (a decimal's upper 64 bits) stay zero from the allocation.
 */
function reused<A extends { length: number; subarray(begin: number, end: number): A }>(allocate: (n: number) => A): (n: number) => A {
  let kept: A | undefined;
  return (n) => {
    if (!kept || kept.length < n) kept = allocate(n);
    return kept.subarray(0, n);
  };
}

function int64Column(type: DataType, prng: Prng, from: number, to: number): ColumnGenerator {
  const memory = reused((n) => new Uint32Array(n));
  return (rows) => {
    const words = memory(rows * 2);
    prng.fillWide(words, 2, rows, from, to - from);
    return makeData({ type, length: rows, nullCount: 0, data: new BigInt64Array(words.buffer, words.byteOffset, rows) } as never);
  };
}

function stringColumn(field: Field, seed: number, partitionRows: number): ColumnGenerator {
  const part = stringGenerator(field.name);
  if (!part) {
    throw invalidArgument(
      `fake: no generator for string field '${field.name}'; supported names (Python Faker methods): ${SUPPORTED_STRING_FIELDS.join(', ')}`,
    );
  }
  let write: ((out: Utf8Builder) => void) | undefined;
  return (rows) => {
    // Built on the first batch: planning only checks the name, and pools are sized to the partition.
    write ??= part({ faker: seededFaker(seed), prng: new Prng(mixSeed(seed, PICK_STREAM)), poolSize: Math.max(1, Math.min(FAKE_POOL_SIZE, partitionRows)) });
    const b = new Utf8Builder(rows);
    for (let i = 0; i < rows; i++) {
      write(b);
      b.endValue();
    }
    return b.finish(field.type);
  };
}

function intColumn(type: Int, prng: Prng): ColumnGenerator {
  const range = INT_RANGES[type.bitWidth];
  if (type.bitWidth === 64) return int64Column(type, prng, 0, range);
  const Arr = type.bitWidth === 8 ? Int8Array : type.bitWidth === 16 ? Int16Array : Int32Array;
  const draws = reused((n) => new Uint32Array(n));
  const values = reused((n) => new Arr(n));
  return (rows) => {
    const drawn = draws(rows);
    prng.fill(drawn, 0, 1, rows, range);
    const out = values(rows);
    out.set(drawn);
    return makeData({ type, length: rows, nullCount: 0, data: out } as never);
  };
}

function floatColumn(type: Float, prng: Prng): ColumnGenerator {
  const Arr = type.precision === 1 ? Float32Array : Float64Array;
  const memory = reused((n) => new Arr(n));
  return (rows) => {
    // One 32-bit draw per value: plenty of distinct values for fake data.
    const values = memory(rows);
    prng.fillScaled(values, rows, FLOAT_STEP);
    return makeData({ type, length: rows, nullCount: 0, data: values } as never);
  };
}

function boolColumn(type: DataType, prng: Prng): ColumnGenerator {
  const memory = reused((n) => new Uint8Array(n));
  return (rows) => {
    const bits = memory(Math.ceil(rows / 8)).fill(0);
    for (let i = 0; i < rows; i++) if (prng.uint32() & 1) bits[i >> 3] |= 1 << (i & 7);
    return makeData({ type, length: rows, nullCount: 0, data: bits } as never);
  };
}

function decimalColumn(type: Decimal, prng: Prng): ColumnGenerator {
  const range = 10 ** Math.min(type.precision, MAX_DECIMAL_DIGITS);
  const memory = reused((n) => new Uint32Array(n));
  return (rows) => {
    const words = memory(rows * DECIMAL_WORDS);
    prng.fillWide(words, DECIMAL_WORDS, rows, 0, range);
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

/**
 * A generator for one field of a partition of `partitionRows` rows; throws INVALID_ARGUMENT for
 * string names without a generator.
 */
export function columnGenerator(field: Field, seed: number, partitionRows: number = FAKE_POOL_SIZE): ColumnGenerator {
  const type = field.type;
  const prng = new Prng(seed);
  switch (type.typeId) {
    case Type.Utf8: return stringColumn(field, seed, partitionRows);
    case Type.Int: return intColumn(type as Int, prng);
    case Type.Float: return floatColumn(type as Float, prng);
    case Type.Bool: return boolColumn(type, prng);
    case Type.Decimal: return decimalColumn(type as Decimal, prng);
    case Type.Binary: return binaryColumn(type, prng);
    case Type.Date: {
      const [from, to] = [DATE_FROM / MS_PER_DAY, DATE_TO / MS_PER_DAY];
      const memory = reused((n) => new Int32Array(n));
      return (rows) => {
        const days = memory(rows);
        for (let i = 0; i < rows; i++) days[i] = from + prng.below(to - from);
        return makeData({ type, length: rows, nullCount: 0, data: days } as never);
      };
    }
    case Type.Timestamp: {
      const [from, to] = [TIMESTAMP_FROM * MICROS_PER_MS, TIMESTAMP_TO * MICROS_PER_MS];
      return int64Column(type, prng, from, to);
    }
    default:
      throw invalidArgument(`fake: field '${field.name}' has type ${type}, which the fake source does not generate`);
  }
}
