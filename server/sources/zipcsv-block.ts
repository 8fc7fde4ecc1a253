// A block of well-formed CSV records (RFC 4180 §2) of one member, kept as field byte ranges over
// the tokenizer's buffer until the tokenizer flushes. Columns are then filled one at a time from
// it (Arrow's columnar layout), so each column's loop is short and monomorphic instead of one
// virtual call per field: profiled, the per-row path spent ~40 ns per field.
import { FIELD_SLOW, unescapeField, type CsvDialect, type CsvRecord } from '../csv/record.ts';

/** Records held before columns are filled: enough to amortise the per-column setup. */
export const BLOCK_ROWS = 4096;
/** Fields held at most (the record's range arrays grow to this): a wide member gets fewer rows
 *  per block, so 20,480-field records cannot make the arrays hundreds of MB. */
export const BLOCK_FIELDS = 64 * 1024;
const INITIAL_SCRATCH = 256;

export class FieldBlock {
  buf: Uint8Array = new Uint8Array(0);
  rows = 0;
  /** Fields per record (the member's width): field k of row r is at index r * width + k of
   *  the tokenizer record's own starts/ends/flags, which it wrote there (CsvRecord.base). */
  width = 0;
  private rec: CsvRecord | null = null;
  /** Byte range of each whole record (the corrupt-record text) and its first physical line. */
  recStart = new Int32Array(BLOCK_ROWS);
  recEnd = new Int32Array(BLOCK_ROWS);
  line = new Float64Array(BLOCK_ROWS);
  /** Rows whose value did not parse for its column (set by the column builders). */
  readonly bad = new Uint8Array(BLOCK_ROWS);
  /** An empty field is null (nullValue is ''); else every field is compared with nullBytes (resolve()). */
  readonly emptyIsNull: boolean;
  /** The value of the field resolve() looked at, when it is not null. */
  src: Uint8Array = new Uint8Array(0);
  s = 0;
  e = 0;
  private scratch = new Uint8Array(INITIAL_SCRATCH);

  constructor(private readonly dialect: CsvDialect, private readonly nullBytes: Uint8Array, width: number) {
    this.emptyIsNull = nullBytes.length === 0;
    this.setWidth(width);
  }

  /** Rows this block holds for the member's width. */
  private capacity = BLOCK_ROWS;

  setWidth(width: number): void {
    this.width = width;
    this.capacity = Math.max(1, Math.min(BLOCK_ROWS, Math.floor(BLOCK_FIELDS / Math.max(1, width))));
  }

  get starts(): Int32Array {
    return this.rec!.starts;
  }
  get ends(): Int32Array {
    return this.rec!.ends;
  }
  get flags(): Uint8Array {
    return this.rec!.flags;
  }

  /** Keep `rec` (which has exactly `width` fields, at rows * width); true when the block is full. */
  add(rec: CsvRecord): boolean {
    const r = this.rows++;
    this.rec = rec;
    this.buf = rec.buf;
    // The next record's fields go after this one's: no copy of the ranges.
    rec.base += this.width;
    this.recStart[r] = rec.start;
    this.recEnd[r] = rec.end;
    this.line[r] = rec.line;
    return this.rows === this.capacity;
  }

  /**
   * The value of the field at `idx` when it needs more than its range: quoted with escapes
   * (unescaped into scratch), or compared with nullValue. True when it is null; otherwise
   * `src[s, e)` holds the value. Same reading as CsvRecord.equals/bytes.
   */
  resolve(idx: number): boolean {
    let src = this.buf;
    let s = this.starts[idx];
    let e = this.ends[idx];
    if (this.flags[idx] === FIELD_SLOW) {
      if (this.scratch.length < e - s) this.scratch = new Uint8Array(2 * (e - s));
      e = unescapeField(src, s, e, this.dialect, this.scratch);
      s = 0;
      src = this.scratch;
      if (this.emptyIsNull && e === 0) return true;
    } else if (this.emptyIsNull) {
      if (s === e) return true;
    }
    if (!this.emptyIsNull && e - s === this.nullBytes.length && sameBytes(src, s, this.nullBytes)) return true;
    this.src = src;
    this.s = s;
    this.e = e;
    return false;
  }

  /**
   * Point `src[s, e)` at the value of the field at `idx`; false when the field is null. Plain
   * fields (no escapes, no nullValue to compare) take their range as it is, empty = null.
   */
  locate(idx: number): boolean {
    if (this.flags[idx] !== 0 || !this.emptyIsNull) return !this.resolve(idx);
    this.src = this.buf;
    this.s = this.starts[idx];
    this.e = this.ends[idx];
    return this.s !== this.e;
  }

  /** The rows were consumed: the tokenizer's record writes from index 0 again. */
  release(): void {
    if (this.rec) this.rec.base = 0;
  }

  /** Record r's raw text (without its line end): the corrupt-record column's value. */
  raw(r: number): Uint8Array {
    return this.buf.subarray(this.recStart[r], this.recEnd[r]);
  }
}

function sameBytes(a: Uint8Array, at: number, b: Uint8Array): boolean {
  for (let j = 0; j < b.length; j++) if (a[at + j] !== b[j]) return false;
  return true;
}
