// The fused path for zipcsv's typed read: a well-formed record (RFC 4180 §2) of plain or simply
// quoted fields goes from the member's bytes straight into the Arrow columns in one pass; text
// fields are scanned and copied together, typed fields parsed from their byte range. The general
// path (CsvRecord → MemberRows row by row) keeps everything else: a record of the wrong width, a
// line break inside quotes, text after a closing quote, a value that does not parse (mode
// decides), a record cut by the chunk's end. Declining rolls the row back, so nothing is lost.
import type { CsvDialect } from '../csv/record.ts';
import { CR, LF, ONES, scanUnquoted } from '../csv/scan.ts';
import type { FastRecordReader } from '../csv/tokenizer.ts';
import { BoolColumn, Int64Column, NumberColumn, type ColumnBuilder } from './zipcsv-columns.ts';
import { BytesColumn } from './zipcsv-text-column.ts';

/** How each field is filled; one switch case per builder class keeps every call site monomorphic. */
const KIND_TEXT = 0;
const KIND_NUMBER = 1;
const KIND_INT64 = 2;
const KIND_BOOL = 3;
const DECLINE = -1;

/** The row bookkeeping the fused path reports to (MemberRows). */
export interface FastRowOwner {
  /** Index in the batch of the row being read. */
  readonly nextRow: number;
  /** One more row was appended to every data column. */
  fastRow(): void;
}

function kindOf(b: ColumnBuilder): number {
  if (b instanceof BytesColumn) return KIND_TEXT;
  if (b instanceof NumberColumn) return KIND_NUMBER;
  if (b instanceof Int64Column) return KIND_INT64;
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

  constructor(private readonly cols: ColumnBuilder[], private readonly kinds: Uint8Array, dialect: CsvDialect, private readonly owner: FastRowOwner) {
    this.sep = dialect.sep;
    this.sepWord = dialect.sep * ONES;
    this.quote = dialect.quote;
    this.escape = dialect.escape;
  }

  read(buf: Uint8Array, view: DataView, i: number, n: number): number {
    const { cols, kinds, sep } = this;
    const last = kinds.length - 1;
    for (let k = 0; ; k++) {
      const end = kinds[k] === KIND_TEXT ? this.text(cols[k] as BytesColumn, buf, view, i, n) : this.typed(k, buf, view, i, n);
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
    if (i < n && buf[i] === this.quote) return col.scanQuoted(buf, i + 1, n, this.quote, this.escape);
    return col.scanPlain(buf, view, i, n, this.sep, this.sepWord);
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
        ok = (col as NumberColumn).appendRange(buf, s, e);
        break;
      case KIND_INT64:
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
