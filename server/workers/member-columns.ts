// Many members' results in columnar form (the Arrow columnar format's utf8 layout: UTF-8 bytes +
// int32 offsets, plus a validity byte per row), built on a pool worker. One structured clone of a
// few typed arrays crosses the thread boundary per chunk instead of one object graph per member,
// and the main thread copies byte ranges into Arrow buffers without decoding or re-encoding text.
import { JsonSink } from './dicom-api.ts';
import type { MemberResult } from './member-task.ts';

/** One utf8 column of a chunk: row i is bytes[offsets[i], offsets[i+1]) when valid[i] is 1
 *  (offsets may start past 0: columns share one text buffer). */
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
const FIRST_CAPACITY = 16 * 1024;

/** The columns as they cross the thread boundary: four typed arrays, whatever the row count
 *  (measured: cloning ~40 small typed arrays per chunk cost 150-200 µs, one buffer each). */
export interface PackedColumns {
  length: number;
  /** UTF-8 text of every utf8 column, column after column. */
  text: Uint8Array;
  /** Per utf8 column (UTF8_COLUMNS of them) length+1 offsets into `text`, column after column. */
  offsets: Int32Array;
  /** One byte per row per column: utf8 columns first, then the int32 ones. */
  valid: Uint8Array;
  /** INT_KEYS columns of `length` values each. */
  ints: Int32Array;
  errors: (string | null)[];
}

/** meta, the STRING_KEYS key columns, hash, pixel hash. */
const UTF8_COLUMNS = 1 + STRING_KEYS + 2;

function pickers(): ((r: MemberResult) => string | null | undefined)[] {
  return [(r) => r.meta, ...Array.from({ length: STRING_KEYS }, (_, k) => (r: MemberResult) => r.strings[k]), (r) => r.hash, (r) => r.pixelHash];
}

/** This thread's growing UTF-8 buffer for one chunk's columns (the DICOM layer's sink: the same
 *  grow-by-doubling buffer), emptied per chunk. */
const text = new JsonSink(FIRST_CAPACITY);

/** Append src[start, end) in one native copy (meta texts are kilobytes). */
function copyInto(out: JsonSink, src: Uint8Array, start: number, end: number): void {
  out.reserve(end - start);
  out.bytes.set(src.subarray(start, end), out.length);
  out.length += end - start;
}


/** Pack `results` (worker side); `sink` holds the meta texts of results that have metaStart. */
export function toColumns(results: MemberResult[], sink?: JsonSink): PackedColumns {
  const n = results.length;
  const offsets = new Int32Array(UTF8_COLUMNS * (n + 1));
  const valid = new Uint8Array((UTF8_COLUMNS + INT_KEYS) * n);
  const ints = new Int32Array(INT_KEYS * n);
  text.length = 0;
  pickers().forEach((pick, c) => {
    offsets[c * (n + 1)] = text.length;
    results.forEach((r, i) => {
      if (c === 0 && sink && r.metaStart !== undefined && r.metaEnd !== undefined) {
        copyInto(text, sink.bytes, r.metaStart, r.metaEnd);
        valid[i] = 1;
      } else {
        const value = pick(r);
        if (value !== null && value !== undefined) {
          text.raw(value);
          valid[c * n + i] = 1;
        }
      }
      offsets[c * (n + 1) + i + 1] = text.length;
    });
  });
  for (let k = 0; k < INT_KEYS; k++) {
    results.forEach((r, i) => {
      const v = r.ints[k];
      if (v === null || v === undefined) return;
      ints[k * n + i] = v;
      valid[(UTF8_COLUMNS + k) * n + i] = 1;
    });
  }
  // A copy of just the used bytes, in a buffer of its own: it is transferred to the main thread
  // (member-worker.cjs) while this thread's buffer serves the next chunk.
  return { length: n, text: new Uint8Array(text.bytes.subarray(0, text.length)), offsets, valid, ints, errors: results.map((r) => r.error) };
}

/** The buffers a PackedColumns owns, for a transfer list: each array has its own. */
export function packedBuffers(p: PackedColumns): ArrayBuffer[] {
  return [p.text.buffer as ArrayBuffer, p.offsets.buffer as ArrayBuffer, p.valid.buffer as ArrayBuffer, p.ints.buffer as ArrayBuffer];
}

/** Views of the packed arrays as columns (main thread; nothing is copied). */
export function unpackColumns(p: PackedColumns): MemberColumns {
  const n = p.length;
  const utf8 = (c: number): Utf8Part => ({ bytes: p.text, offsets: p.offsets.subarray(c * (n + 1), (c + 1) * (n + 1)), valid: p.valid.subarray(c * n, (c + 1) * n) });
  return {
    length: n,
    meta: utf8(0),
    strings: Array.from({ length: STRING_KEYS }, (_, k) => utf8(1 + k)),
    ints: Array.from({ length: INT_KEYS }, (_, k) => ({ values: p.ints.subarray(k * n, (k + 1) * n), valid: p.valid.subarray((UTF8_COLUMNS + k) * n, (UTF8_COLUMNS + k + 1) * n) })),
    hash: utf8(1 + STRING_KEYS),
    pixelHash: utf8(2 + STRING_KEYS),
    errors: p.errors,
  };
}
