// One CSV record as field byte ranges over the tokenizer's buffer (RFC 4180 §2 fields), reused
// for every record so the hot path allocates nothing per row. Quoted fields holding escapes or
// text after the closing quote are flagged and unescaped into a scratch buffer only when read.

export interface CsvDialect {
  /** Byte values; `comment` is -1 when comments are off. escape === quote means RFC 4180 only. */
  sep: number;
  quote: number;
  escape: number;
  comment: number;
}

/** The field's range still holds its quotes and escapes: decode through unescapeField. */
export const FIELD_SLOW = 1;
const INITIAL_FIELDS = 64;
const utf8 = new TextDecoder('utf-8');

export class CsvRecord {
  buf: Uint8Array = new Uint8Array(0);
  count = 0;
  /** Index of field 0 in starts/ends/flags. A consumer may advance it past a record it keeps, so
   *  the next record's ranges land after it (a block of records without copying); reset() keeps it. */
  base = 0;
  starts = new Int32Array(INITIAL_FIELDS);
  ends = new Int32Array(INITIAL_FIELDS);
  flags = new Uint8Array(INITIAL_FIELDS);
  /** Byte range of the whole record, without its line terminator. */
  start = 0;
  end = 0;
  /** 1-based physical line where the record starts. */
  line = 0;
  /** The member ended inside a quoted field. */
  unclosed = false;
  private scratch = new Uint8Array(256);

  constructor(readonly dialect: CsvDialect) {}

  reset(buf: Uint8Array, start: number, line: number): void {
    this.buf = buf;
    this.start = start;
    this.line = line;
    this.count = 0;
    this.unclosed = false;
  }

  pushField(start: number, end: number, flags: number): void {
    const k = this.base + this.count;
    if (k === this.starts.length) this.grow();
    this.starts[k] = start;
    this.ends[k] = end;
    this.flags[k] = flags;
    this.count++;
  }

  /** Field k's value bytes (valid until the next record). */
  bytes(field: number): Uint8Array {
    const k = this.base + field;
    const s = this.starts[k];
    const e = this.ends[k];
    if (this.flags[k] !== FIELD_SLOW) return this.buf.subarray(s, e);
    if (this.scratch.length < e - s) this.scratch = new Uint8Array(2 * (e - s));
    const len = unescapeField(this.buf, s, e, this.dialect, this.scratch);
    return this.scratch.subarray(0, len);
  }

  /** True when field k's value is byte-equal to `value` (used for nullValue). */
  equals(field: number, value: Uint8Array): boolean {
    const k = this.base + field;
    const s = this.starts[k];
    const e = this.ends[k];
    if (this.flags[k] !== FIELD_SLOW) {
      if (e - s !== value.length) return false;
      for (let j = 0; j < value.length; j++) if (this.buf[s + j] !== value[j]) return false;
      return true;
    }
    const b = this.bytes(field);
    return b.length === value.length && b.every((x, j) => x === value[j]);
  }

  text(k: number): string {
    return utf8.decode(this.bytes(k));
  }

  /** The record as written, without its line terminator (Spark's `_corrupt_record`). */
  raw(): string {
    return utf8.decode(this.buf.subarray(this.start, this.end));
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.starts = grow32(this.starts);
    this.ends = grow32(this.ends);
    const f = new Uint8Array(size);
    f.set(this.flags);
    this.flags = f;
  }
}

/**
 * Decode a quoted field written as `"…"` plus any text after the closing quote: doubled quotes
 * and escape+quote give a quote, escape+escape gives the escape, any other escape is kept as
 * written (Spark's reading). Returns the length written to `out` (at most e - s bytes).
 */
export function unescapeField(buf: Uint8Array, s: number, e: number, d: CsvDialect, out: Uint8Array): number {
  let n = 0;
  let i = s + 1; // opening quote
  while (i < e) {
    const c = buf[i];
    if (c === d.escape && d.escape !== d.quote && i + 1 < e && (buf[i + 1] === d.quote || buf[i + 1] === d.escape)) {
      out[n++] = buf[i + 1];
      i += 2;
    } else if (c === d.quote) {
      if (i + 1 < e && buf[i + 1] === d.quote) {
        out[n++] = c;
        i += 2;
      } else {
        i++;
        break; // closing quote
      }
    } else {
      out[n++] = c;
      i++;
    }
  }
  while (i < e) out[n++] = buf[i++];
  return n;
}

/** Spark's spelling of a tab and other escaped separators. */
const NAMED_CHARS: Record<string, string> = { '\\t': '\t', '\\u0000': '\0', '\\\\': '\\' };
const NONE = -1;

/**
 * Dialect bytes from Spark option strings: one ASCII character each (`\t` spelled out is a tab);
 * an empty quote or escape turns that feature off, and an empty comment means no comments.
 */
export function makeDialect(o: { sep: string; quote: string; escape: string; comment: string }): CsvDialect | string {
  const one = (name: string, v: string, allowEmpty: boolean): number | string => {
    const s = NAMED_CHARS[v] ?? v;
    if (s === '' || s === '\0') return allowEmpty ? NONE : `${name} must be one character`;
    if (s.length !== 1 || s.charCodeAt(0) > 0x7f) return `${name} must be a single ASCII character, got ${JSON.stringify(v)}`;
    if (s === '\n' || s === '\r') return `${name} cannot be a line break`;
    return s.charCodeAt(0);
  };
  const sep = one('sep', o.sep, false);
  const quote = one('quote', o.quote, true);
  const escape = one('escape', o.escape, true);
  const comment = one('comment', o.comment, true);
  for (const v of [sep, quote, escape, comment]) if (typeof v === 'string') return v;
  const d = { sep, quote, escape, comment } as CsvDialect;
  if (d.sep === d.quote || d.sep === d.escape || d.sep === d.comment) return 'sep must differ from quote, escape and comment';
  if (d.quote !== NONE && d.quote === d.comment) return 'quote must differ from comment';
  // With no escape character, only RFC 4180's doubled quote escapes a quote.
  if (d.escape === NONE) d.escape = d.quote;
  return d;
}
