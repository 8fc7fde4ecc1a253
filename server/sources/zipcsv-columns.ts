// Arrow columns built straight from CSV field bytes (Arrow columnar format: validity bitmap,
// 32-bit offsets + UTF-8 data for strings, fixed-width little-endian values otherwise). Each
// builder parses with the grammar of server/csv/values.ts; a value that does not parse is
// reported (false) so the reader can apply `mode`. No per-row objects: typed arrays only.
import { DataType, Field, Type, type Float, type Int, type Timestamp } from 'apache-arrow';
import { invalidArgument } from '../errors.ts';
import { INTO_BIGINT, INTO_NONE, parseBool, parseDate, parseDoubleInto, parseInt64, parseInt64Into, parseTimestamp, parseTimestampInto } from '../csv/values.ts';
import type { FieldBlock } from './zipcsv-block.ts';
import { Base, BITS_PER_BYTE, type ColumnBuilder } from './zipcsv-column-base.ts';
import { BytesColumn } from './zipcsv-text-column.ts';

export type { ColumnBuilder } from './zipcsv-column-base.ts';

const TWO_POW_32 = 2 ** 32;

type RangeParser<T> = (b: Uint8Array, s: number, e: number) => T | undefined;
/** Parses b[s, e) into out[0]; true when it holds a value. Values travel through a typed array
 *  because a double returned from a call is a heap allocation (profiled: GC was 17% of a read). */
type IntoParser = (b: Uint8Array, s: number, e: number, out: Float64Array) => boolean;
/** Like IntoParser, answering INTO_NONE / INTO_NUMBER / INTO_BIGINT (then `general` gives the bigint). */
type Int64IntoParser = (b: Uint8Array, s: number, e: number, out: Float64Array) => number;

/** The parsed value between an IntoParser and the column (one per module: parsing is synchronous). */
const PARSED = new Float64Array(1);

type FixedArray = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A column whose values parse from field bytes: the row loops are shared, subclasses store a value. */
abstract class ParsedColumn extends Base {
  /** Parse b[s, e) into row i's value slot; false when it does not parse (the slot is left as is). */
  protected abstract store(i: number, b: Uint8Array, s: number, e: number): boolean;
  appendRange(buf: Uint8Array, s: number, e: number): boolean {
    if (!this.store(this.length, buf, s, e)) {
      this.appendNull();
      return false;
    }
    this.valid();
    return true;
  }
  appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean {
    const { width, bad } = block;
    const { validity } = this;
    let i = this.length;
    let nulls = this.nulls;
    let ok = true;
    for (let r = r0; r < r1; r++, i++) {
      if (!block.locate(r * width + k)) {
        nulls++;
        continue;
      }
      if (!this.store(i, block.src, block.s, block.e)) {
        nulls++;
        bad[r] = 1;
        ok = false;
        continue;
      }
      validity[i >> 3] |= 1 << (i & 7);
    }
    this.length = i;
    this.nulls = nulls;
    return ok;
  }
}

/** Int8/16/32, Float32/64, Date32: one JS number per value. */
export class NumberColumn extends ParsedColumn {
  private values: FixedArray;
  constructor(type: DataType, capacity: number, private readonly make: (n: number) => FixedArray, private readonly parse: IntoParser) {
    super(type, capacity);
    this.values = make(capacity);
  }
  get byteLength(): number {
    return this.length * this.values.BYTES_PER_ELEMENT;
  }
  protected store(i: number, b: Uint8Array, s: number, e: number): boolean {
    if (!this.parse(b, s, e, PARSED)) return false;
    this.values[i] = PARSED[0];
    return true;
  }
  /** A value the caller already parsed with this column's grammar (the fused path's doubles). */
  appendValue(v: number): void {
    this.values[this.length] = v;
    this.valid();
  }
  protected take() {
    return { data: this.values.subarray(0, this.length) };
  }
  protected owned(): ArrayBufferView[] {
    return [this.values];
  }
  protected reset(reuse: ArrayBufferView[] | null): void {
    this.values = reuse ? (reuse[0] as FixedArray) : this.make(this.capacity);
  }
}

/** Int64 and Timestamp(µs): safe integers written as two 32-bit halves, bigints directly. */
export class Int64Column extends ParsedColumn {
  private values: BigInt64Array;
  private halves: Int32Array;
  constructor(type: DataType, capacity: number, private readonly parse: Int64IntoParser, private readonly general: RangeParser<number | bigint>) {
    super(type, capacity);
    this.values = new BigInt64Array(capacity);
    this.halves = new Int32Array(this.values.buffer);
  }
  get byteLength(): number {
    return this.length * 8;
  }
  /** PARSED[0] as two 32-bit halves, or the bigint the general parser gives. */
  protected store(i: number, b: Uint8Array, s: number, e: number): boolean {
    const found = this.parse(b, s, e, PARSED);
    if (found === INTO_NONE) return false;
    if (found === INTO_BIGINT) this.values[i] = this.general(b, s, e) as bigint;
    else this.setSafe(i, PARSED[0]);
    return true;
  }
  /** A safe integer the caller already parsed with this column's grammar (the fused path's timestamps). */
  appendSafeInteger(v: number): void {
    this.setSafe(this.length, v);
    this.valid();
  }
  /** Row i's int64 from a safe integer, as its two 32-bit halves (little-endian order). */
  private setSafe(i: number, v: number): void {
    const hi = Math.floor(v / TWO_POW_32);
    this.halves[2 * i] = v - hi * TWO_POW_32;
    this.halves[2 * i + 1] = hi;
  }
  protected take() {
    return { data: this.values.subarray(0, this.length) };
  }
  protected owned(): ArrayBufferView[] {
    return [this.values];
  }
  protected reset(reuse: ArrayBufferView[] | null): void {
    this.values = reuse ? (reuse[0] as BigInt64Array) : new BigInt64Array(this.capacity);
    this.halves = new Int32Array(this.values.buffer);
  }
}

export class BoolColumn extends Base {
  private bits: Uint8Array;
  constructor(type: DataType, capacity: number) {
    super(type, capacity);
    this.bits = new Uint8Array(Math.ceil(capacity / BITS_PER_BYTE));
  }
  get byteLength(): number {
    return Math.ceil(this.length / BITS_PER_BYTE);
  }
  appendRange(buf: Uint8Array, s: number, e: number): boolean {
    const v = parseBool(buf, s, e);
    if (v === undefined) {
      this.appendNull();
      return false;
    }
    const i = this.valid();
    if (v) this.bits[i >> 3] |= 1 << (i & 7);
    return true;
  }
  override truncate(length: number): void {
    for (let i = length; i < this.length; i++) this.bits[i >> 3] &= ~(1 << (i & 7));
    super.truncate(length);
  }
  appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean {
    let ok = true;
    for (let r = r0; r < r1; r++) {
      if (!block.locate(r * block.width + k)) this.appendNull();
      else if (!this.appendRange(block.src, block.s, block.e)) {
        block.bad[r] = 1;
        ok = false;
      }
    }
    return ok;
  }
  protected take() {
    return { data: this.bits.subarray(0, Math.ceil(this.length / BITS_PER_BYTE)) };
  }
  protected owned(): ArrayBufferView[] {
    return [this.bits];
  }
  protected reset(reuse: ArrayBufferView[] | null): void {
    if (reuse) {
      this.bits = reuse[0] as Uint8Array;
      this.bits.fill(0);
    } else this.bits = new Uint8Array(Math.ceil(this.capacity / BITS_PER_BYTE));
  }
}

/** An integer parser limited to `bits` (Spark's tinyint/smallint/int refuse values out of range). */
function intParser(bits: number): IntoParser {
  const max = 2 ** (bits - 1);
  return (b, s, e, out) => {
    const v = parseInt64(b, s, e);
    if (typeof v !== 'number' || v < -max || v >= max) return false;
    out[0] = v;
    return true;
  };
}

function dateInto(b: Uint8Array, s: number, e: number, out: Float64Array): boolean {
  const v = parseDate(b, s, e);
  if (v === undefined) return false;
  out[0] = v;
  return true;
}

/** A builder for `field`'s type, or INVALID_ARGUMENT for a type zipcsv cannot fill from text. */
export function columnBuilder(field: Field, capacity: number): ColumnBuilder {
  const t = field.type;
  switch (t.typeId) {
    case Type.Utf8:
    case Type.Binary:
      return new BytesColumn(t, capacity);
    case Type.Bool:
      return new BoolColumn(t, capacity);
    case Type.Int: {
      const bits = (t as Int).bitWidth;
      if (bits === 64) return new Int64Column(t, capacity, parseInt64Into, parseInt64);
      const make = bits === 8 ? (n: number) => new Int8Array(n) : bits === 16 ? (n: number) => new Int16Array(n) : (n: number) => new Int32Array(n);
      return new NumberColumn(t, capacity, make, intParser(bits));
    }
    case Type.Float: {
      const single = (t as Float).precision === 1;
      return new NumberColumn(t, capacity, (n) => (single ? new Float32Array(n) : new Float64Array(n)), parseDoubleInto);
    }
    case Type.Date:
      return new NumberColumn(t, capacity, (n) => new Int32Array(n), dateInto);
    case Type.Timestamp:
      if ((t as Timestamp).unit !== 2) break; // TimeUnit.MICROSECOND: what parseDdl makes
      return new Int64Column(t, capacity, parseTimestampInto, parseTimestamp);
  }
  throw invalidArgument(`zipcsv: column '${field.name}' has type ${t}, which zipcsv cannot read from CSV text (use string, numeric, boolean, date or timestamp)`);
}
