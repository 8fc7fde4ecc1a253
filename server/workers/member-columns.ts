// Many members' results in columnar form (the Arrow columnar format's utf8 layout: UTF-8 bytes +
// int32 offsets, plus a validity byte per row), built on a pool worker. One structured clone of a
// few typed arrays crosses the thread boundary per chunk instead of one object graph per member,
// and the main thread copies byte ranges into Arrow buffers without decoding or re-encoding text.
import type { MemberResult } from './member-task.ts';

/** One utf8 column of a chunk: row i is bytes[offsets[i], offsets[i+1]) when valid[i] is 1. */
export interface Utf8Part {
  bytes: Uint8Array;
  offsets: Int32Array;
  valid: Uint8Array;
}

/** One int32 column of a chunk; valid[i] 0 means null. */
export interface Int32Part {
  values: Int32Array;
  valid: Uint8Array;
}

export interface MemberColumns {
  length: number;
  meta: Utf8Part;
  /** MemberResult.strings in order (KEY_STRING_TAGS, then the transfer syntax UID). */
  strings: Utf8Part[];
  /** MemberResult.ints in order. */
  ints: Int32Part[];
  hash: Utf8Part;
  pixelHash: Utf8Part;
  /** The member's own error text (without archive and member name); null when read. */
  errors: (string | null)[];
}

/** Utf8 key columns a result carries (7 key tags + transfer syntax UID) and int32 ones. */
export const STRING_KEYS = 8;
export const INT_KEYS = 3;
/** Worst-case UTF-8 bytes per UTF-16 code unit. */
const UTF8_PER_UNIT = 3;
const FIRST_CAPACITY = 16 * 1024;

/** Appends strings as UTF-8 into one growing buffer. */
class Utf8Writer {
  private bytes = Buffer.allocUnsafe(FIRST_CAPACITY);
  private end = 0;
  private readonly offsets: Int32Array;
  private readonly valid: Uint8Array;
  private row = 0;

  constructor(rows: number) {
    this.offsets = new Int32Array(rows + 1);
    this.valid = new Uint8Array(rows);
  }

  append(text: string | null | undefined): void {
    if (text !== null && text !== undefined) {
      this.reserve(text.length * UTF8_PER_UNIT);
      this.end += this.bytes.write(text, this.end, 'utf8');
      this.valid[this.row] = 1;
    }
    this.offsets[++this.row] = this.end;
  }

  finish(): Utf8Part {
    // A copy of just the used bytes: the clone to the main thread then carries no slack.
    return { bytes: new Uint8Array(this.bytes.subarray(0, this.end)), offsets: this.offsets, valid: this.valid };
  }

  private reserve(more: number): void {
    if (this.end + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.end + more));
    this.bytes.copy(grown, 0, 0, this.end);
    this.bytes = grown;
  }
}

function int32Part(results: MemberResult[], k: number): Int32Part {
  const values = new Int32Array(results.length);
  const valid = new Uint8Array(results.length);
  results.forEach((r, i) => {
    const v = r.ints[k];
    if (v !== null && v !== undefined) {
      values[i] = v;
      valid[i] = 1;
    }
  });
  return { values, valid };
}

function utf8Part(results: MemberResult[], pick: (r: MemberResult) => string | null | undefined): Utf8Part {
  const w = new Utf8Writer(results.length);
  for (const r of results) w.append(pick(r));
  return w.finish();
}

/** The columnar form of `results`, in order. */
export function toColumns(results: MemberResult[]): MemberColumns {
  return {
    length: results.length,
    meta: utf8Part(results, (r) => r.meta),
    strings: Array.from({ length: STRING_KEYS }, (_, k) => utf8Part(results, (r) => r.strings[k])),
    ints: Array.from({ length: INT_KEYS }, (_, k) => int32Part(results, k)),
    hash: utf8Part(results, (r) => r.hash),
    pixelHash: utf8Part(results, (r) => r.pixelHash),
    errors: results.map((r) => r.error),
  };
}
