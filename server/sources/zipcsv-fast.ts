// The fused path for zipcsv's typed read: a well-formed record (RFC 4180 §2) of plain or simply
// quoted fields goes from the member's bytes straight into the Arrow columns in one pass; text
// fields are scanned and copied together, typed fields parsed from their byte range. The general
// path (CsvRecord → MemberRows row by row) keeps everything else: a record of the wrong width, a
// line break inside quotes, text after a closing quote, a value that does not parse (mode
// decides), a record cut by the chunk's end. Declining rolls the row back, so nothing is lost.
import { Type, type Int } from 'apache-arrow';
import type { CsvDialect } from '../csv/record.ts';
import { ISO_SECONDS_LENGTH, isoSecondsMicros } from '../csv/values.ts';
import type { FastRecordReader } from '../csv/tokenizer.ts';
import { BoolColumn, Int64Column, NumberColumn, type ColumnBuilder } from './zipcsv-columns.ts';
import { BytesColumn } from './zipcsv-text-column.ts';

/** How each field is filled; one switch case per builder class keeps every call site monomorphic. */
const KIND_TEXT = 0;
const KIND_NUMBER = 1;
const KIND_INT64 = 2;
const KIND_BOOL = 3;
/** Float columns: the common decimal shape is parsed while it is scanned. */
const KIND_DOUBLE = 4;
/** Timestamp columns: `yyyy-MM-ddTHH:mm:ss` is read where it lies. */
const KIND_TIMESTAMP = 5;
/** int / smallint / tinyint columns: a sign and digits are parsed as they are scanned. */
const KIND_INT = 6;
const DECLINE = -1;
// The word-at-a-time test of the tokenizer (a word holds byte x when v = w ^ x·0x01010101 has a
// zero byte: (v - 0x01…) & ~v & 0x80… is then non-zero). Module-local on purpose: imported
// constants and functions measured ~25% slower in these loops than local ones.
const LF = 0x0a;
const CR = 0x0d;
const WORD = 4;
const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;
const LF_WORD = LF * ONES;
const CR_WORD = CR * ONES;
const BYTE_BITS_SHIFT = 3;

/** Index of the first separator, CR or LF in buf[i, n), or n. The lowest flagged byte of a
 *  word is always a true match (false flags only sit above one), so no byte loop is needed. */
function scanUnquoted(buf: Uint8Array, view: DataView, i: number, n: number, sep: number, sepWord: number): number {
  for (; i + WORD <= n; i += WORD) {
    const w = view.getInt32(i, true);
    const a = w ^ sepWord;
    const b = w ^ LF_WORD;
    const d = w ^ CR_WORD;
    const hit = (((a - ONES) & ~a) | ((b - ONES) & ~b) | ((d - ONES) & ~d)) & HIGHS;
    if (hit !== 0) return i + ((31 - Math.clz32(hit & -hit)) >> BYTE_BITS_SHIFT);
  }
  while (i < n) {
    const c = buf[i];
    if (c === sep || c === LF || c === CR) break;
    i++;
  }
  return i;
}

const ZERO = 0x30;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
/** parseDoubleInto's fast shape (server/csv/values.ts): at most 15 digits, so m / 10^k is exact-rounded. */
const MAX_FAST_DIGITS = 15;
const POW10 = Array.from({ length: MAX_FAST_DIGITS + 1 }, (_, k) => 10 ** k);

/** The row bookkeeping the fused path reports to (MemberRows). */
export interface FastRowOwner {
  /** Index in the batch of the row being read. */
  readonly nextRow: number;
  /** One more row was appended to every data column. */
  fastRow(): void;
}

function kindOf(b: ColumnBuilder): number {
  if (b instanceof BytesColumn) return KIND_TEXT;
  if (b instanceof NumberColumn) return b.type.typeId === Type.Float ? KIND_DOUBLE : b.type.typeId === Type.Int ? KIND_INT : KIND_NUMBER;
  if (b instanceof Int64Column) return b.type.typeId === Type.Timestamp ? KIND_TIMESTAMP : KIND_INT64;
  if (b instanceof BoolColumn) return KIND_BOOL;
  return DECLINE;
}

/**
 * A fused reader for field k → builder cols[k], or null when some column has no fused form or a
 * nullValue is set (then every field needs comparing with it: the general path does that).
 */
export function fastRows(cols: ColumnBuilder[], dialect: CsvDialect, nullBytes: Uint8Array, owner: FastRowOwner): FastRows | null {
  const kinds = cols.map(kindOf);
  if (cols.length === 0 || nullBytes.length > 0 || kinds.includes(DECLINE)) return null;
  return new FastRows(cols, Uint8Array.from(kinds), dialect, owner);
}

export class FastRows implements FastRecordReader {
  private readonly sep: number;
  private readonly sepWord: number;
  private readonly quote: number;
  private readonly escape: number;
  private readonly comment: number;
  /** 2^(bits - 1) of each integer field's column (Spark refuses values outside it). */
  private readonly intLimit: Float64Array;
  /** Records the last readRun took. */
  taken = 0;
  /** Where the last readRun declined a record (the tokenizer then asks again from there). */
  private declinedBuf: Uint8Array | null = null;
  private declinedAt = -1;

  constructor(private readonly cols: ColumnBuilder[], private readonly kinds: Uint8Array, dialect: CsvDialect, private readonly owner: FastRowOwner) {
    this.sep = dialect.sep;
    this.sepWord = dialect.sep * ONES;
    this.quote = dialect.quote;
    this.escape = dialect.escape;
    this.comment = dialect.comment;
    this.intLimit = Float64Array.from(cols, (c) => (c instanceof NumberColumn && c.type.typeId === Type.Int ? 2 ** ((c.type as Int).bitWidth - 1) : 0));
  }

  /**
   * Records from buf[i] on, for as long as they are simple: where the first one not taken starts
   * (`taken` says how many were). It stops before a blank or comment line and at the end of the
   * chunk (the tokenizer's cases) and at a record it declines, rolled back for the general path.
   */
  readRun(buf: Uint8Array, view: DataView, i: number, n: number): number {
    let taken = 0;
    // The tokenizer comes back to a declined record at once: go straight to its general path.
    if (buf === this.declinedBuf && i === this.declinedAt) {
      this.taken = 0;
      this.declinedBuf = null;
      return i;
    }
    for (;;) {
      const c = i < n ? buf[i] : LF;
      if (c === LF || c === CR || c === this.comment) break;
      const next = this.read(buf, view, i, n);
      if (next < 0) {
        this.declinedBuf = buf;
        this.declinedAt = i;
        break;
      }
      i = next;
      taken++;
    }
    this.taken = taken;
    return i;
  }

  /** One record at buf[i]: where the next starts, or -1 (declined, nothing kept). */
  read(buf: Uint8Array, view: DataView, i: number, n: number): number {
    const { cols, kinds, sep } = this;
    const last = kinds.length - 1;
    for (let k = 0; ; k++) {
      const kind = kinds[k];
      const end = kind === KIND_TEXT
        ? this.text(cols[k] as BytesColumn, buf, view, i, n)
        : kind === KIND_DOUBLE || kind === KIND_INT
          ? this.number(k, kind === KIND_INT, buf, view, i, n)
          : kind === KIND_TIMESTAMP
            ? this.timestamp(k, buf, view, i, n)
            : this.typed(k, buf, view, i, n);
      if (end < 0 || end >= n) return this.decline();
      const c = buf[end];
      if (k < last) {
        if (c !== sep) return this.decline();
        i = end + 1;
        continue;
      }
      if (c === LF) i = end + 1;
      else if (c === CR && end + 1 < n) i = buf[end + 1] === LF ? end + 2 : end + 1;
      else return this.decline();
      this.owner.fastRow();
      return i;
    }
  }

  /** A text field at buf[i]: the delimiter's index after it, or -1. */
  private text(col: BytesColumn, buf: Uint8Array, view: DataView, i: number, n: number): number {
    if (i < n && buf[i] === this.quote) return col.scanQuoted(buf, view, i + 1, n, this.quote, this.escape);
    return col.scanPlain(buf, view, i, n, this.sep, this.sepWord);
  }

  /**
   * A float or integer field at buf[i]: a sign and up to 15 digits (around one point, for floats)
   * are parsed as they are scanned, exactly as parseDoubleInto / the int parser read them (an
   * integer also within its column's range); any other text goes through typed().
   */
  private number(k: number, integer: boolean, buf: Uint8Array, view: DataView, i: number, n: number): number {
    let j = i;
    if (j < n && (buf[j] === MINUS || buf[j] === PLUS)) j++;
    let mant = 0;
    let digits = 0;
    let scale = 0;
    let dot = integer; // an integer takes no point
    for (; j < n; j++) {
      const c = buf[j];
      const d = c - ZERO;
      if (d >= 0 && d <= 9) {
        mant = mant * 10 + d;
        digits++;
        if (dot) scale++;
      } else if (c === DOT && !dot) dot = true;
      else break;
    }
    if (j >= n || digits === 0 || digits > MAX_FAST_DIGITS) return this.typed(k, buf, view, i, n);
    const c = buf[j];
    if (c !== this.sep && c !== LF && c !== CR) return this.typed(k, buf, view, i, n);
    const col = this.cols[k] as NumberColumn;
    if (integer) {
      const v = buf[i] === MINUS ? -mant : mant;
      if (v < -this.intLimit[k] || v >= this.intLimit[k]) return this.typed(k, buf, view, i, n);
      col.appendValue(v);
      return j;
    }
    const v = scale === 0 ? mant : mant / POW10[scale];
    col.appendValue(buf[i] === MINUS ? -v : v);
    return j;
  }

  /** A timestamp field at buf[i]: the common 19-byte shape read in place, anything else through typed(). */
  private timestamp(k: number, buf: Uint8Array, view: DataView, i: number, n: number): number {
    const end = i + ISO_SECONDS_LENGTH;
    if (end < n) {
      const c = buf[end];
      if (c === this.sep || c === LF || c === CR) {
        const v = isoSecondsMicros(buf, i);
        if (v === v) {
          (this.cols[k] as Int64Column).appendSafeInteger(v);
          return end;
        }
      }
    }
    return this.typed(k, buf, view, i, n);
  }

  /** A typed field at buf[i], parsed from its range: the delimiter's index after it, or -1. */
  private typed(k: number, buf: Uint8Array, view: DataView, i: number, n: number): number {
    let s = i;
    let e: number;
    let end: number;
    if (i < n && buf[i] === this.quote) {
      s = i + 1;
      e = this.closingQuote(buf, s, n);
      if (e < 0) return DECLINE;
      end = e + 1;
    } else {
      end = e = scanUnquoted(buf, view, i, n, this.sep, this.sepWord);
      if (e >= n) return DECLINE;
    }
    const col = this.cols[k];
    if (s === e) {
      col.appendNull();
      return end;
    }
    let ok: boolean;
    switch (this.kinds[k]) {
      case KIND_NUMBER:
      case KIND_DOUBLE:
      case KIND_INT:
        ok = (col as NumberColumn).appendRange(buf, s, e);
        break;
      case KIND_INT64:
      case KIND_TIMESTAMP:
        ok = (col as Int64Column).appendRange(buf, s, e);
        break;
      default:
        ok = (col as BoolColumn).appendRange(buf, s, e);
    }
    return ok ? end : DECLINE;
  }

  /** Index of the quote closing a field that starts at buf[s]; -1 when the field holds an
   *  escape, a doubled quote or a line break, or runs past the chunk (the general path's cases). */
  private closingQuote(buf: Uint8Array, s: number, n: number): number {
    const { quote, escape } = this;
    for (let i = s; i < n; i++) {
      const c = buf[i];
      if (c === quote) return i + 1 < n && buf[i + 1] !== quote ? i : DECLINE;
      if (c === escape || c === LF || c === CR) return DECLINE;
    }
    return DECLINE;
  }

  /** Undo the fields of the row being read (some columns got a value) and leave it to the general path. */
  private decline(): number {
    const row = this.owner.nextRow;
    for (const col of this.cols) if (col.length > row) col.truncate(row);
    return DECLINE;
  }
}
