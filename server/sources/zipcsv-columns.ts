// Arrow columns built straight from CSV field bytes (Arrow columnar format: validity bitmap,
// 32-bit offsets + UTF-8 data for strings, fixed-width little-endian values otherwise). Each
// builder parses with the grammar of server/csv/values.ts; a value that does not parse is
// reported (false) so the reader can apply `mode`. No per-row objects: typed arrays only.
import { Data, DataType, Field, makeData, Type, type Float, type Int, type Timestamp } from 'apache-arrow';
import { invalidArgument } from '../errors.ts';
import { parseBool, parseDate, parseDouble, parseInt64, parseTimestamp } from '../csv/values.ts';
import type { FieldBlock } from './zipcsv-block.ts';

const BITS_PER_BYTE = 8;
const INITIAL_TEXT_BYTES = 64 * 1024;
const TWO_POW_32 = 2 ** 32;
/** Fields up to this many bytes are copied byte by byte. */
const SHORT_COPY = 24;
/** Bytes per word copied by the column-at-a-time string path. */
const WORD = 4;
/** The next batch's text buffer: the last one's size plus 1/16, so it rarely has to grow. */
const NEXT_BATCH_SLACK_SHIFT = 4;

type RangeParser<T> = (b: Uint8Array, s: number, e: number) => T | undefined;

/** One column of the batch being built. `capacity` rows at most between two `finish()` calls. */
export interface ColumnBuilder {
  readonly length: number;
  /** Body bytes held so far (for the batch byte budget). */
  readonly byteLength: number;
  /** Append a value from field bytes; false (and a null appended) when it does not parse. */
  append(bytes: Uint8Array): boolean;
  /** append(buf.subarray(s, e)) without making the view (the hot path: one call per field). */
  appendRange(buf: Uint8Array, s: number, e: number): boolean;
  appendNull(): void;
  appendNulls(n: number): void;
  /**
   * Field k of block rows [r0, r1) (the column-at-a-time path): nulls per nullValue, values
   * that do not parse become null and are marked in `block.bad`; false when any did not parse.
   */
  appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean;
  /** The values buf[starts[j], ends[j]) for j in [from, to), none null (asLines' line column). */
  appendRanges(buf: Uint8Array, starts: Int32Array, ends: Int32Array, from: number, to: number): void;
  /** The same value `n` times (asLines' and includeSource's archive and member columns). */
  appendRepeated(value: Uint8Array, n: number): void;
  /** Drop rows after `length` (a row DROPMALFORMED removes after its fields were appended). */
  truncate(length: number): void;
  /** The column's Data; the builder starts afresh. */
  finish(): Data;
}

abstract class Base implements ColumnBuilder {
  length = 0;
  protected nulls = 0;
  protected validity: Uint8Array;
  constructor(readonly type: DataType, protected readonly capacity: number) {
    this.validity = new Uint8Array(Math.ceil(capacity / BITS_PER_BYTE));
  }
  abstract appendRange(buf: Uint8Array, s: number, e: number): boolean;
  abstract appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean;
  abstract get byteLength(): number;

  append(bytes: Uint8Array): boolean {
    return this.appendRange(bytes, 0, bytes.length);
  }
  protected abstract take(): Record<string, unknown>;
  protected abstract reset(): void;

  protected valid(): number {
    const i = this.length++;
    this.validity[i >> 3] |= 1 << (i & 7);
    return i;
  }

  appendNull(): void {
    this.nulls++;
    this.length++;
  }

  appendNulls(n: number): void {
    this.nulls += n;
    this.length += n;
  }

  appendRanges(buf: Uint8Array, starts: Int32Array, ends: Int32Array, from: number, to: number): void {
    for (let j = from; j < to; j++) this.appendRange(buf, starts[j], ends[j]);
  }

  appendRepeated(value: Uint8Array, n: number): void {
    for (let j = 0; j < n; j++) this.append(value);
  }

  truncate(length: number): void {
    for (let i = length; i < this.length; i++) {
      const bit = 1 << (i & 7);
      if (this.validity[i >> 3] & bit) this.validity[i >> 3] &= ~bit;
      else this.nulls--;
    }
    this.length = length;
  }

  finish(): Data {
    const props = { type: this.type, length: this.length, nullCount: this.nulls, nullBitmap: this.validity.subarray(0, Math.ceil(this.length / BITS_PER_BYTE)), ...this.take() };
    const data = makeData(props as Parameters<typeof makeData>[0]) as Data;
    this.validity = new Uint8Array(Math.ceil(this.capacity / BITS_PER_BYTE));
    this.length = 0;
    this.nulls = 0;
    this.reset();
    return data;
  }
}

/** Utf8 and Binary: the bytes as they are (the member was normalised to UTF-8 before tokenising). */
class BytesColumn extends Base {
  private offsets: Int32Array;
  private data = new Uint8Array(INITIAL_TEXT_BYTES);
  private used = 0;
  constructor(type: DataType, capacity: number) {
    super(type, capacity);
    this.offsets = new Int32Array(capacity + 1);
  }
  get byteLength(): number {
    return this.used + 4 * this.length;
  }
  appendRange(buf: Uint8Array, s: number, e: number): boolean {
    const need = this.used + e - s;
    if (need > this.data.length) this.grow(need, this.used);
    // Short fields are copied by hand: cheaper than creating a view to set() from.
    if (e - s <= SHORT_COPY) for (let i = s, j = this.used; i < e; ) this.data[j++] = buf[i++];
    else this.data.set(buf.subarray(s, e), this.used);
    this.used = need;
    this.offsets[this.valid() + 1] = need;
    return true;
  }
  override appendNull(): void {
    super.appendNull();
    this.offsets[this.length] = this.used;
  }
  override appendNulls(n: number): void {
    this.offsets.fill(this.used, this.length + 1, this.length + n + 1);
    super.appendNulls(n);
  }
  override appendRanges(buf: Uint8Array, starts: Int32Array, ends: Int32Array, from: number, to: number): void {
    const { offsets, validity } = this;
    const src = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let data: Uint8Array = this.data;
    let dst = new DataView(data.buffer);
    let used = this.used;
    let i = this.length;
    for (let j = from; j < to; j++, i++) {
      let s = starts[j];
      const e = ends[j];
      const len = e - s;
      if (used + len + WORD > data.length) {
        data = this.grow(used + len + WORD, used);
        dst = new DataView(data.buffer);
      }
      if (e + WORD <= buf.length) for (let at = used; s < e; s += WORD, at += WORD) dst.setInt32(at, src.getInt32(s, true), true);
      else for (let at = used; s < e; ) data[at++] = buf[s++];
      used += len;
      offsets[i + 1] = used;
      validity[i >> 3] |= 1 << (i & 7);
    }
    this.length = i;
    this.used = used;
  }
  override appendRepeated(value: Uint8Array, n: number): void {
    const len = value.length;
    const start = this.used;
    const total = len * n;
    if (start + total > this.data.length) this.grow(start + total, start);
    const data = this.data;
    data.set(value, start);
    // Doubling native copies: O(log n) calls whatever n is.
    for (let filled = len; filled < total; filled *= 2) data.copyWithin(start + filled, start, start + Math.min(filled, total - filled));
    for (let j = 0, i = this.length; j < n; j++, i++) {
      this.offsets[i + 1] = start + (j + 1) * len;
      this.validity[i >> 3] |= 1 << (i & 7);
    }
    this.length += n;
    this.used = start + total;
  }
  appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean {
    const { starts, ends, flags, width, nullCheck } = block;
    const { offsets, validity } = this;
    let data: Uint8Array = this.data;
    let to = new DataView(data.buffer);
    const from = new DataView(block.buf.buffer, block.buf.byteOffset, block.buf.byteLength);
    let used = this.used;
    let i = this.length;
    let nulls = this.nulls;
    for (let r = r0; r < r1; r++, i++) {
      const idx = r * width + k;
      let src = block.buf;
      let s = starts[idx];
      let e = ends[idx];
      if (flags[idx] !== 0 || nullCheck) {
        if (block.resolve(idx)) {
          nulls++;
          offsets[i + 1] = used;
          continue;
        }
        src = block.src;
        s = block.s;
        e = block.e;
      } else if (s === e) {
        nulls++;
        offsets[i + 1] = used;
        continue;
      }
      const len = e - s;
      if (used + len + WORD > data.length) {
        data = this.grow(used + len + WORD, used);
        to = new DataView(data.buffer);
      }
      if (len > SHORT_COPY) data.set(src.subarray(s, e), used);
      else if (src === block.buf && e + WORD <= src.length) {
        // Four bytes at a time (DataView loads/stores are unaligned-safe and byte-exact); the
        // last word may spill past the value into bytes the next value overwrites.
        for (let j = used; s < e; s += WORD, j += WORD) to.setInt32(j, from.getInt32(s, true), true);
      } else for (let j = used; s < e; ) data[j++] = src[s++];
      used += len;
      offsets[i + 1] = used;
      validity[i >> 3] |= 1 << (i & 7);
    }
    this.length = i;
    this.used = used;
    this.nulls = nulls;
    return true;
  }
  private grow(need: number, used: number): Uint8Array {
    const grown = new Uint8Array(Math.max(need, 2 * this.data.length));
    grown.set(this.data.subarray(0, used));
    this.data = grown;
    return grown;
  }
  override truncate(length: number): void {
    super.truncate(length);
    this.used = this.offsets[length];
  }
  protected take() {
    return { valueOffsets: this.offsets.subarray(0, this.length + 1), data: this.data.subarray(0, this.used) };
  }
  protected reset(): void {
    this.offsets = new Int32Array(this.capacity + 1);
    this.data = new Uint8Array(Math.max(INITIAL_TEXT_BYTES, this.used + (this.used >> NEXT_BATCH_SLACK_SHIFT)));
    this.used = 0;
  }
}

type FixedArray = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** Int8/16/32, Float32/64, Date32: one JS number per value. */
class NumberColumn extends Base {
  private values: FixedArray;
  constructor(type: DataType, capacity: number, private readonly make: (n: number) => FixedArray, private readonly parse: RangeParser<number>) {
    super(type, capacity);
    this.values = make(capacity);
  }
  get byteLength(): number {
    return this.length * this.values.BYTES_PER_ELEMENT;
  }
  appendRange(buf: Uint8Array, s: number, e: number): boolean {
    const v = this.parse(buf, s, e);
    if (v === undefined) {
      this.appendNull();
      return false;
    }
    this.values[this.valid()] = v;
    return true;
  }
  appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean {
    const { starts, ends, flags, width, nullCheck, bad } = block;
    const { values, validity, parse } = this;
    let i = this.length;
    let nulls = this.nulls;
    let ok = true;
    for (let r = r0; r < r1; r++, i++) {
      const idx = r * width + k;
      let v: number | undefined;
      if (flags[idx] !== 0 || nullCheck) {
        if (block.resolve(idx)) {
          nulls++;
          continue;
        }
        v = parse(block.src, block.s, block.e);
      } else if (starts[idx] === ends[idx]) {
        nulls++;
        continue;
      } else v = parse(block.buf, starts[idx], ends[idx]);
      if (v === undefined) {
        nulls++;
        bad[r] = 1;
        ok = false;
        continue;
      }
      values[i] = v;
      validity[i >> 3] |= 1 << (i & 7);
    }
    this.length = i;
    this.nulls = nulls;
    return ok;
  }
  protected take() {
    return { data: this.values.subarray(0, this.length) };
  }
  protected reset(): void {
    this.values = this.make(this.capacity);
  }
}

/** Int64 and Timestamp(µs): safe integers written as two 32-bit halves, bigints directly. */
class Int64Column extends Base {
  private values: BigInt64Array;
  private halves: Int32Array;
  constructor(type: DataType, capacity: number, private readonly parse: RangeParser<number | bigint>) {
    super(type, capacity);
    this.values = new BigInt64Array(capacity);
    this.halves = new Int32Array(this.values.buffer);
  }
  get byteLength(): number {
    return this.length * 8;
  }
  appendRange(buf: Uint8Array, s: number, e: number): boolean {
    const v = this.parse(buf, s, e);
    if (v === undefined) {
      this.appendNull();
      return false;
    }
    this.put(this.valid(), v);
    return true;
  }
  private put(i: number, v: number | bigint): void {
    if (typeof v === 'bigint') this.values[i] = v;
    else {
      const hi = Math.floor(v / TWO_POW_32);
      this.halves[2 * i] = v - hi * TWO_POW_32;
      this.halves[2 * i + 1] = hi;
    }
  }
  appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean {
    const { starts, ends, flags, width, nullCheck, bad } = block;
    const { validity, parse } = this;
    let i = this.length;
    let nulls = this.nulls;
    let ok = true;
    for (let r = r0; r < r1; r++, i++) {
      const idx = r * width + k;
      let v: number | bigint | undefined;
      if (flags[idx] !== 0 || nullCheck) {
        if (block.resolve(idx)) {
          nulls++;
          continue;
        }
        v = parse(block.src, block.s, block.e);
      } else if (starts[idx] === ends[idx]) {
        nulls++;
        continue;
      } else v = parse(block.buf, starts[idx], ends[idx]);
      if (v === undefined) {
        nulls++;
        bad[r] = 1;
        ok = false;
        continue;
      }
      this.put(i, v);
      validity[i >> 3] |= 1 << (i & 7);
    }
    this.length = i;
    this.nulls = nulls;
    return ok;
  }
  protected take() {
    return { data: this.values.subarray(0, this.length) };
  }
  protected reset(): void {
    this.values = new BigInt64Array(this.capacity);
    this.halves = new Int32Array(this.values.buffer);
  }
}

class BoolColumn extends Base {
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
      const idx = r * block.width + k;
      if (block.flags[idx] === 0 && !block.nullCheck && block.starts[idx] === block.ends[idx]) this.appendNull();
      else if (block.resolve(idx)) this.appendNull();
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
  protected reset(): void {
    this.bits = new Uint8Array(Math.ceil(this.capacity / BITS_PER_BYTE));
  }
}

/** An integer parser limited to `bits` (Spark's tinyint/smallint/int refuse values out of range). */
function intParser(bits: number): RangeParser<number> {
  const max = 2 ** (bits - 1);
  return (b, s, e) => {
    const v = parseInt64(b, s, e);
    return typeof v === 'number' && v >= -max && v < max ? v : undefined;
  };
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
      if (bits === 64) return new Int64Column(t, capacity, parseInt64);
      const make = bits === 8 ? (n: number) => new Int8Array(n) : bits === 16 ? (n: number) => new Int16Array(n) : (n: number) => new Int32Array(n);
      return new NumberColumn(t, capacity, make, intParser(bits));
    }
    case Type.Float: {
      const single = (t as Float).precision === 1;
      return new NumberColumn(t, capacity, (n) => (single ? new Float32Array(n) : new Float64Array(n)), parseDouble);
    }
    case Type.Date:
      return new NumberColumn(t, capacity, (n) => new Int32Array(n), parseDate);
    case Type.Timestamp:
      if ((t as Timestamp).unit !== 2) break; // TimeUnit.MICROSECOND: what parseDdl makes
      return new Int64Column(t, capacity, parseTimestamp);
  }
  throw invalidArgument(`zipcsv: column '${field.name}' has type ${t}, which zipcsv cannot read from CSV text (use string, numeric, boolean, date or timestamp)`);
}
