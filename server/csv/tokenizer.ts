// Streaming CSV tokenizer: RFC 4180 §2 records read the way Spark's CSV reader (univocity) reads
// them — configurable separator, quote and escape (`\"` inside quotes, doubled quotes too), CR,
// LF and CRLF record ends, blank and comment lines skipped. Works on UTF-8 bytes: every delimiter
// is ASCII, so fields are found without decoding; values are decoded (or copied) only on demand.
import { CsvError } from './csv-error.ts';
import { CsvRecord, FIELD_SLOW, type CsvDialect } from './record.ts';

const LF = 0x0a;
const CR = 0x0d;
/** Word-at-a-time scanning of unquoted fields: a byte repeated in each lane, and lane high bits
 *  (module-local, not imported: the hot loop then reads them as constants; measured ~25% faster). */
const WORD = 4;
const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;
const LF_WORD = LF * ONES;
const CR_WORD = CR * ONES;
const BYTE_BITS_SHIFT = 3;
/** Spark's `maxColumns` default: a record with more fields is refused, not grown without bound. */
export const MAX_FIELDS = 20_480;
/** Largest record (one row, all fields) held while waiting for its end; Spark bounds this by maxCharsPerColumn. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Called once per record; `rec` is reused, so copy anything kept past the call. */
export type RecordHandler = (rec: CsvRecord) => void;

/** A consumer that may keep records' byte ranges (not copies) until `flush`, which the tokenizer
 *  calls whenever the buffer those ranges point into is about to be moved or reused. */
export interface RecordSink {
  record(rec: CsvRecord): void;
  flush(): void;
  /** When set, offered every record first (checked per record, so a sink may turn it on after
   *  the header); what it declines (-1) takes the general path to record(). */
  readonly fast?: FastRecordReader | null;
}

/** A consumer's fused reader for simple records (zipcsv-fast.ts): reads records from buf[i] on
 *  straight into its columns while it can, and returns where the first one it did not take starts
 *  (`taken` = how many it took: 0 leaves that record to the general path). Never past a blank or
 *  comment line, nor a record that the chunk's end cuts. */
export interface FastRecordReader {
  readRun(buf: Uint8Array, view: DataView, i: number, n: number): number;
  readonly taken: number;
}

export class CsvTokenizer {
  private readonly rec: CsvRecord;
  /** Reused scan buffer: the unfinished record (`carry` bytes at its start), then the chunks
   *  copied after it. Reusing it spares an allocation per chunk, and with it the major GCs
   *  that ArrayBuffer churn triggers (profiled: 15% of a zipcsv read was GC). */
  private work: Uint8Array = new Uint8Array(0);
  private carry = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** 1-based physical line number at the start of `carry`. */
  private line = 1;
  private done = false;
  /** stop() was called: no more records, whatever is pushed. */
  private stopped = false;

  private readonly onRecord: RecordHandler;
  private readonly sink: RecordSink | null;

  constructor(
    private readonly dialect: CsvDialect,
    consumer: RecordHandler | RecordSink,
    private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {
    this.rec = new CsvRecord(dialect);
    this.onRecord = typeof consumer === 'function' ? consumer : (rec) => consumer.record(rec);
    this.sink = typeof consumer === 'function' ? null : consumer;
  }

  /** Feed the next bytes of the member. */
  push(chunk: Uint8Array): void {
    if (this.done) throw new Error('CsvTokenizer.push after end');
    if (chunk.length === 0 || this.stopped) return;
    // A record longer than a chunk is re-scanned from its start once enough bytes arrived to at
    // least double it, so a huge quoted field costs amortised linear time, not quadratic.
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.carry) return;
    this.scan(false);
  }

  /** Emit no more records (the consumer has what it needs): the rest of the bytes are not tokenized. */
  stop(): void {
    this.stopped = true;
  }

  /** No more bytes: emit the last record (a last line without a newline, or an unclosed quote). */
  end(): void {
    if (this.done || this.stopped) return;
    this.scan(true);
    this.done = true;
  }

  /** Physical line number where the next (not yet complete) record starts. */
  get currentLine(): number {
    return this.line;
  }

  private scan(final: boolean): void {
    const total = this.carry + this.pendingBytes;
    // A lone chunk with nothing carried is parsed where it lies; otherwise chunks join the carry.
    const direct = this.carry === 0 && this.pending.length === 1;
    const buf = direct ? plain(this.pending[0]) : this.gather(total);
    this.pending = [];
    this.pendingBytes = 0;
    const used = this.parse(buf, final);
    this.sink?.flush();
    if (this.stopped) {
      this.carry = 0;
      return;
    }
    const rest = total - used;
    if (rest > this.maxRecordBytes) {
      throw new CsvError('RECORD_TOO_LARGE', `record starting at line ${this.line} is longer than ${this.maxRecordBytes} bytes`, this.line);
    }
    // Keep the tail in `work`, so the (possibly large) chunk it came from can be collected.
    if (direct) this.reserve(rest, 0).set(buf.subarray(used));
    else this.work.copyWithin(0, used, total);
    this.carry = rest;
  }

  /** The carried bytes followed by every pending chunk, in `work`. */
  private gather(total: number): Uint8Array {
    const work = this.reserve(total, this.carry);
    let at = this.carry;
    for (const p of this.pending) {
      work.set(p, at);
      at += p.length;
    }
    return work.subarray(0, total);
  }

  /** `work` with room for `size` bytes, keeping its first `keep`. */
  private reserve(size: number, keep: number): Uint8Array {
    if (this.work.length < size) {
      const grown = new Uint8Array(Math.max(size, 2 * this.work.length));
      grown.set(this.work.subarray(0, keep));
      this.work = grown;
    }
    return this.work;
  }

  /** Emit every complete record in buf; return the offset where the first incomplete one starts. */
  private parse(buf: Uint8Array, final: boolean): number {
    const { sep, quote, escape, comment } = this.dialect;
    const rec = this.rec;
    const sink = this.sink;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const sepWord = sep * ONES;
    const n = buf.length;
    let i = 0;
    while (i < n) {
      const recStart = i;
      let lines = 0;
      let c = buf[i];
      if (c === LF || c === CR) {
        // Blank line: Spark (and pyarrow) skip it.
        if (c === CR && i + 1 >= n && !final) return recStart;
        i += c === CR && buf[i + 1] === LF ? 2 : 1;
        this.line++;
        continue;
      }
      if (c === comment) {
        while (i < n && buf[i] !== LF && buf[i] !== CR) i++;
        if (i >= n && !final) return recStart;
        if (i < n) {
          if (buf[i] === CR && i + 1 >= n && !final) return recStart;
          i += buf[i] === CR && buf[i + 1] === LF ? 2 : 1;
        }
        this.line++;
        continue;
      }
      const fast = sink === null ? null : sink.fast;
      if (fast != null) {
        const next = fast.readRun(buf, view, i, n);
        if (fast.taken > 0) {
          // One physical line each (the fused path declines line breaks inside quotes).
          this.line += fast.taken;
          i = next;
          continue;
        }
      }
      rec.reset(buf, recStart, this.line);
      let recEnd = -1;
      for (;;) {
        let start = i;
        let end: number;
        let flags = 0;
        if (i < n && buf[i] === quote) {
          i++;
          start = i;
          let closed = false;
          while (i < n) {
            c = buf[i];
            if (c === escape && escape !== quote) {
              if (i + 1 >= n) break;
              const d = buf[i + 1];
              if (d === quote || d === escape) {
                flags = FIELD_SLOW;
                i += 2;
                continue;
              }
            } else if (c === quote) {
              if (i + 1 >= n) break;
              if (buf[i + 1] === quote) {
                flags = FIELD_SLOW;
                i += 2;
                continue;
              }
              closed = true;
              break;
            } else if (c === LF || (c === CR && buf[i + 1] !== LF)) {
              lines++;
            }
            i++;
          }
          if (!closed && i + 1 >= n && i < n && buf[i] === quote) {
            // A quote as the very last byte: the closing quote if the member ends here.
            if (!final) return recStart;
            closed = true;
          }
          if (!closed) {
            if (!final) return recStart;
            // Unclosed quote at the end of the member: the rest is one malformed field.
            rec.pushField(start, n, 0);
            rec.unclosed = true;
            i = n;
            recEnd = n;
            break;
          }
          end = i;
          i++; // closing quote
          if (i < n && buf[i] !== sep && buf[i] !== LF && buf[i] !== CR) {
            // Text after the closing quote is kept verbatim, as Python's csv and Spark do.
            while (i < n && buf[i] !== sep && buf[i] !== LF && buf[i] !== CR) i++;
            flags = FIELD_SLOW;
            start--;
            end = i;
          } else if (flags === FIELD_SLOW) {
            start--;
            end = i;
          }
        } else {
          // Four bytes at a time while none is a separator, CR or LF (a word has byte x when
          // w ^ x·0x01010101 has a zero byte: (v - 0x01…) & ~v & 0x80… is non-zero exactly then).
          // The lowest flagged byte is always a true match (false flags only sit above one).
          for (; i + WORD <= n; i += WORD) {
            const w = view.getInt32(i, true);
            const a = w ^ sepWord;
            const b = w ^ LF_WORD;
            const d = w ^ CR_WORD;
            const hit = (((a - ONES) & ~a) | ((b - ONES) & ~b) | ((d - ONES) & ~d)) & HIGHS;
            if (hit !== 0) {
              i += (31 - Math.clz32(hit & -hit)) >> BYTE_BITS_SHIFT;
              break;
            }
          }
          while (i < n) {
            c = buf[i];
            if (c === sep || c === LF || c === CR) break;
            i++;
          }
          end = i;
        }
        if (i >= n && !final) return recStart;
        if (rec.count >= MAX_FIELDS) {
          throw new CsvError('TOO_MANY_FIELDS', `record at line ${this.line} has more than ${MAX_FIELDS} fields`, this.line);
        }
        rec.pushField(start, end, flags);
        if (i >= n) {
          recEnd = n;
          break;
        }
        c = buf[i];
        if (c === sep) {
          i++;
          if (i >= n && !final) return recStart;
          continue;
        }
        recEnd = i;
        if (c === CR) {
          if (i + 1 >= n && !final) return recStart;
          i += buf[i + 1] === LF ? 2 : 1;
        } else {
          i++;
        }
        lines++;
        break;
      }
      rec.end = recEnd;
      this.onRecord(rec);
      this.line += lines;
      if (this.stopped) return i;
    }
    return i;
  }
}

/** The bytes as a plain Uint8Array: a Node Buffer is a subclass with its own map, and mixing
 *  both at the per-byte loads here and in the column builders makes those loads polymorphic. */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
