// asLines=true: the reference zipcsv's rows for users migrating from it: `zipfile string,
// file_name string, line string`, one row per physical line of each member, as Python's binary
// line iteration splits them (on LF only; no row after a final LF) and `str.strip()` trims them
// (Python's whitespace: ASCII 9–13, 28–32 and the Unicode spaces below). A BOM is kept, as the
// reference's utf-8 decode keeps it. `zipfile` is the archive's path under the data root.
import { Schema, Field, Utf8 } from 'apache-arrow';
import { limits } from '../limits.ts';
import { CsvError } from '../csv/csv-error.ts';
import { makeNormalizer } from '../csv/decode.ts';
import type { ZipEntry } from '../zip/archive.ts';
import type { BatchSink } from './zipcsv-batches.ts';
import { inputError, memberBytes, type OpenArchive } from './zipcsv-inputs.ts';
import type { ZipcsvSettings } from './zipcsv-options.ts';

const LF = 0x0a;
const KEEP_BOM = true;
/** UTF-8 of the non-ASCII code points Python's str.isspace() accepts. */
const UNICODE_SPACES = [0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]
  .map((cp) => new TextEncoder().encode(String.fromCodePoint(cp)));

export function linesSchema(): Schema {
  return new Schema([new Field('zipfile', new Utf8(), true), new Field('file_name', new Utf8(), true), new Field('line', new Utf8(), true)]);
}

const isAsciiSpace = (b: number) => (b >= 0x09 && b <= 0x0d) || (b >= 0x1c && b <= 0x20);

function unicodeSpaceAt(buf: Uint8Array, i: number, end: number): number {
  for (const u of UNICODE_SPACES) {
    if (i + u.length <= end && u.every((x, j) => buf[i + j] === x)) return u.length;
  }
  return 0;
}

/** First index of buf[s, e) that is not Python whitespace (e when all is). */
function stripStart(buf: Uint8Array, s: number, e: number): number {
  for (;;) {
    if (s < e && isAsciiSpace(buf[s])) s++;
    else if (s < e && buf[s] >= 0x80 && unicodeSpaceAt(buf, s, e)) s += unicodeSpaceAt(buf, s, e);
    else return s;
  }
}

/** End of buf[s, e) without trailing Python whitespace. */
function stripEnd(buf: Uint8Array, s: number, e: number): number {
  for (;;) {
    if (e > s && isAsciiSpace(buf[e - 1])) e--;
    else if (e > s && buf[e - 1] >= 0x80 && [2, 3].some((n) => e - n >= s && unicodeSpaceAt(buf, e - n, e) === n)) {
      e -= [2, 3].find((n) => e - n >= s && unicodeSpaceAt(buf, e - n, e) === n)!;
    } else return e;
  }
}

/** [start, end) of buf[s, e) without Python-whitespace at either end. */
export function stripRange(buf: Uint8Array, s: number, e: number): [number, number] {
  const a = stripStart(buf, s, e);
  return [a, stripEnd(buf, a, e)];
}

/** A byte that is neither ASCII whitespace nor part of a (possibly space) non-ASCII character:
 *  a line starting and ending with one needs no strip (the common case, checked per line). */
const isPlainEdge = (b: number) => b > 0x20 && b < 0x80;
const INITIAL_LINES = 4096;

export class LineRows {
  private readonly zip: Uint8Array;
  private readonly member: Uint8Array;
  private carry: Uint8Array = new Uint8Array(0);
  /** Stripped line ranges of the chunk being read. */
  private starts = new Int32Array(INITIAL_LINES);
  private ends = new Int32Array(INITIAL_LINES);

  constructor(private readonly sink: BatchSink, private readonly settings: ZipcsvSettings, archive: string, member: string) {
    this.zip = new TextEncoder().encode(archive);
    this.member = new TextEncoder().encode(member);
  }

  /** Yields after each chunk so the caller can send the batches that filled. */
  async *read(input: OpenArchive, entry: ZipEntry, signal: AbortSignal): AsyncGenerator<void> {
    const where = `${input.path}::${entry.name}`;
    const normalizer = makeNormalizer(this.settings.encoding, KEEP_BOM);
    try {
      for await (const chunk of memberBytes(input, entry, signal)) {
        this.push(normalizer.push(chunk), where);
        yield;
        signal.throwIfAborted();
      }
      this.push(normalizer.end(), where);
      if (this.carry.length > 0) {
        this.keep(0, this.carry, 0, this.carry.length);
        this.rows(this.carry, 1);
      }
    } catch (err) {
      throw inputError(err, where);
    }
    yield;
  }

  private push(chunk: Uint8Array, where: string): void {
    if (chunk.length === 0) return;
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (this.carry.length > 0) {
      // Only the line the last chunk cut is joined (a few bytes copied, not the whole chunk).
      const lf = buf.indexOf(LF);
      const joined = Buffer.concat([this.carry, lf < 0 ? buf : buf.subarray(0, lf)]);
      if (lf < 0) {
        this.keepCarry(joined, 0, where);
        return;
      }
      this.keep(0, joined, 0, joined.length);
      this.rows(new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength), 1);
      start = lf + 1;
    }
    let lines = 0;
    for (let lf = buf.indexOf(LF, start); lf >= 0; lf = buf.indexOf(LF, start)) {
      this.keep(lines++, buf, start, lf);
      start = lf + 1;
    }
    this.rows(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), lines);
    this.keepCarry(buf, start, where);
  }

  /** buf[start, end) is the start of a line the next chunk goes on with: a copy, so the chunk can go. */
  private keepCarry(buf: Buffer, start: number, where: string): void {
    if (buf.length - start > limits().maxCsvRecordBytes) {
      throw new CsvError('RECORD_TOO_LARGE', `${where}: a line is longer than ${limits().maxCsvRecordBytes} bytes`);
    }
    this.carry = Uint8Array.prototype.slice.call(buf, start);
  }

  /** Line j of this chunk is buf[s, e), stripped. */
  private keep(j: number, buf: Uint8Array, s: number, e: number): void {
    if (j === this.starts.length) {
      this.starts = doubled(this.starts);
      this.ends = doubled(this.ends);
    }
    if (s < e && !(isPlainEdge(buf[s]) && isPlainEdge(buf[e - 1]))) {
      s = stripStart(buf, s, e);
      e = stripEnd(buf, s, e);
    }
    this.starts[j] = s;
    this.ends[j] = e;
  }

  /** The chunk's `count` kept lines as rows, column by column, in batch-sized runs. */
  private rows(buf: Uint8Array, count: number): void {
    const [zip, member, line] = this.sink.builders;
    for (let j = 0; j < count; ) {
      const n = Math.min(count - j, this.sink.room);
      zip.appendRepeated(this.zip, n);
      member.appendRepeated(this.member, n);
      line.appendRanges(buf, this.starts, this.ends, j, j + n);
      this.sink.addRows(n);
      j += n;
    }
  }
}

/** `a` copied into an array twice its length (the rest zero). */
function doubled(a: Int32Array): Int32Array<ArrayBuffer> {
  const out = new Int32Array(2 * a.length);
  out.set(a);
  return out;
}
