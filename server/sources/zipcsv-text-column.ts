// Utf8/Binary columns: 32-bit offsets + one UTF-8 data buffer (Arrow columnar format, "Variable-size
// Binary Layout"), copied straight from the member's bytes: short values four bytes at a time
// through DataViews (unaligned-safe), long ones with one native copy, repeated ones by doubling.
import type { DataType } from 'apache-arrow';
import type { FieldBlock } from './zipcsv-block.ts';
import { Base } from './zipcsv-column-base.ts';

const INITIAL_TEXT_BYTES = 64 * 1024;
/** A narrow batch (few rows: a very wide member) starts with this many text bytes per row instead. */
const INITIAL_BYTES_PER_ROW = 4;
/** Fields up to this many bytes are copied by hand (word or byte loop) rather than via a view. */
const SHORT_COPY = 24;
/** Bytes per word copied by the column-at-a-time string path. */
const WORD = 4;
// The tokenizer's word test (server/csv/tokenizer.ts), module-local: imported constants measured
// ~25% slower in these loops than local ones.
const LF = 0x0a;
const CR = 0x0d;
const SCAN_WORD = 4;
const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;
const LF_WORD = 0x0a0a0a0a;
const CR_WORD = 0x0d0d0d0d;
const BYTE_BITS_SHIFT = 3;
/** Index (0–3, little-endian) of the lowest byte whose high bit is set in `hit`. */
const firstFlaggedByte = (hit: number) => (31 - Math.clz32(hit & -hit)) >> BYTE_BITS_SHIFT;
/** The next batch's text buffer: the last one's size plus 1/16, so it rarely has to grow. */
const NEXT_BATCH_SLACK_SHIFT = 4;

/** Utf8 and Binary: the bytes as they are (the member was normalised to UTF-8 before tokenising). */
export class BytesColumn extends Base {
  private offsets: Int32Array;
  private data: Uint8Array;
  /** The same bytes for word stores (the fused scan). */
  private dv: DataView;
  private used = 0;
  constructor(type: DataType, capacity: number) {
    super(type, capacity);
    this.offsets = new Int32Array(capacity + 1);
    this.data = new Uint8Array(this.initialBytes());
    this.dv = new DataView(this.data.buffer);
  }

  private initialBytes(): number {
    return Math.min(INITIAL_TEXT_BYTES, this.capacity * INITIAL_BYTES_PER_ROW);
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
    const { width } = block;
    const { offsets, validity } = this;
    let data: Uint8Array = this.data;
    let to = new DataView(data.buffer);
    const from = new DataView(block.buf.buffer, block.buf.byteOffset, block.buf.byteLength);
    let used = this.used;
    let i = this.length;
    let nulls = this.nulls;
    for (let r = r0; r < r1; r++, i++) {
      if (!block.locate(r * width + k)) {
        nulls++;
        offsets[i + 1] = used;
        continue;
      }
      const src = block.src;
      let s = block.s;
      const e = block.e;
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
  /**
   * The fused path (zipcsv-fast.ts): an unquoted field starting at buf[i] is scanned and copied
   * in the same pass, four bytes at a time, up to the separator, CR or LF. Returns that
   * delimiter's index with the value appended (empty = null), or -1 when the chunk ends first
   * (nothing appended; the caller rolls the row back).
   */
  scanPlain(buf: Uint8Array, view: DataView, i: number, n: number, sep: number, sepWord: number): number {
    let data = this.data;
    let dv = this.dv;
    let j = this.used;
    while (i + SCAN_WORD <= n) {
      const w = view.getInt32(i, true);
      const a = w ^ sepWord;
      const b = w ^ LF_WORD;
      const d = w ^ CR_WORD;
      const hit = (((a - ONES) & ~a) | ((b - ONES) & ~b) | ((d - ONES) & ~d)) & HIGHS;
      if (j + SCAN_WORD > data.length) {
        data = this.grow(j + SCAN_WORD, j);
        dv = this.dv;
      }
      // The whole word is stored even when the value ends inside it: the spill is overwritten.
      dv.setInt32(j, w, true);
      if (hit !== 0) {
        // The lowest flagged byte is always a true match (false flags only sit above one).
        const at = firstFlaggedByte(hit);
        i += at;
        j += at;
        this.finishValue(j);
        return i;
      }
      i += SCAN_WORD;
      j += SCAN_WORD;
    }
    for (; i < n; i++, j++) {
      const c = buf[i];
      if (c === sep || c === LF || c === CR) break;
      if (j >= data.length) data = this.grow(j + 1, j);
      data[j] = c;
    }
    if (i >= n) return -1;
    this.finishValue(j);
    return i;
  }

  /**
   * The fused path for a quoted field whose opening quote is at buf[i - 1]: copies the value,
   * unescaped as unescapeField does (doubled quote or escape + quote/escape give the second
   * byte; any other escape is kept). Returns the index after the closing quote, or -1 when the
   * field is not simple (a line break inside, or the chunk ends first): the record's general path.
   */
  scanQuoted(buf: Uint8Array, view: DataView, i: number, n: number, quote: number, escape: number): number {
    const quoteWord = quote * ONES;
    const escapeWord = escape * ONES;
    let data = this.data;
    let dv = this.dv;
    let j = this.used;
    for (;;) {
      // Plain bytes a word at a time, up to the first quote, escape, CR or LF.
      while (i + SCAN_WORD <= n) {
        const w = view.getInt32(i, true);
        const a = w ^ quoteWord;
        const b = w ^ escapeWord;
        const c = w ^ LF_WORD;
        const d = w ^ CR_WORD;
        const hit = (((a - ONES) & ~a) | ((b - ONES) & ~b) | ((c - ONES) & ~c) | ((d - ONES) & ~d)) & HIGHS;
        if (j + SCAN_WORD > data.length) {
          data = this.grow(j + SCAN_WORD, j);
          dv = this.dv;
        }
        dv.setInt32(j, w, true);
        if (hit !== 0) {
          const at = firstFlaggedByte(hit);
          i += at;
          j += at;
          break;
        }
        i += SCAN_WORD;
        j += SCAN_WORD;
      }
      if (i >= n) return -1;
      let c = buf[i];
      if (c === quote || (c === escape && escape !== quote)) {
        if (i + 1 >= n) return -1;
        const d = buf[i + 1];
        if (c === quote && d !== quote) {
          this.finishValue(j);
          return i + 1;
        }
        if (d === quote || d === escape) {
          c = d;
          i++;
        }
      } else if (c === LF || c === CR) return -1;
      if (j >= data.length) {
        data = this.grow(j + 1, j);
        dv = this.dv;
      }
      data[j++] = c;
      i++;
    }
  }

  /** The value just copied ends at `end` of the data buffer; an empty one is null. */
  private finishValue(end: number): void {
    const i = this.length++;
    if (end === this.used) this.nulls++;
    else {
      this.used = end;
      this.validity[i >> 3] |= 1 << (i & 7);
    }
    this.offsets[i + 1] = end;
  }

  private grow(need: number, used: number): Uint8Array {
    const grown = new Uint8Array(Math.max(need, 2 * this.data.length));
    grown.set(this.data.subarray(0, used));
    this.data = grown;
    this.dv = new DataView(grown.buffer);
    return grown;
  }
  override truncate(length: number): void {
    super.truncate(length);
    this.used = this.offsets[length];
  }
  protected take() {
    return { valueOffsets: this.offsets.subarray(0, this.length + 1), data: this.data.subarray(0, this.used) };
  }
  protected owned(): ArrayBufferView[] {
    return [this.offsets, this.data];
  }
  protected reset(reuse: ArrayBufferView[] | null): void {
    if (reuse) {
      this.offsets = reuse[0] as Int32Array;
      this.data = reuse[1] as Uint8Array;
    } else {
      this.offsets = new Int32Array(this.capacity + 1);
      this.data = new Uint8Array(Math.max(this.initialBytes(), this.used + (this.used >> NEXT_BATCH_SLACK_SHIFT)));
    }
    this.dv = new DataView(this.data.buffer);
    this.used = 0;
  }
}
