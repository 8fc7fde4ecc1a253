// The zipdcm output schema and the batch builder that turns worker results into Arrow columns
// (Arrow columnar format: utf8, int32, int64; no dictionaries). Workers hand back UTF-8 bytes +
// offsets per chunk (member-columns.ts); rows are copied as byte ranges into the batch's buffers.
import { Field, Int32, Int64, makeData, RecordBatch, Schema, Struct, Utf8, type Data, type DataType } from 'apache-arrow';
import type { MemberResult } from '../workers/member-task.ts';
import { toColumns, unpackColumns, type MemberColumns, type Utf8Part } from '../workers/member-columns.ts';

/** Utf8 key columns, in the order of MemberResult.strings (KEY_STRING_TAGS, then the file meta's UID). */
export const KEY_STRING_COLUMNS = [
  'sop_instance_uid', 'sop_class_uid', 'study_instance_uid', 'series_instance_uid', 'patient_id', 'modality',
  // DA text exactly as in the file ("20240101"): a date32 would have to drop malformed or
  // multi-valued dates, and users filter on the string as the DICOM JSON model gives it.
  'study_date', 'transfer_syntax_uid',
];
/** Int32 key columns, in the order of MemberResult.ints. */
export const KEY_INT_COLUMNS = ['rows', 'columns', 'number_of_frames'];

export function zipdcmSchema(hashes: boolean): Schema {
  const fields = [
    new Field('rowid', new Int64(), false),
    new Field('path', new Utf8(), false),
    new Field('meta', new Utf8(), true),
    new Field('error', new Utf8(), true),
    ...KEY_STRING_COLUMNS.map((n) => new Field(n, new Utf8(), true)),
    ...KEY_INT_COLUMNS.map((n) => new Field(n, new Int32(), true)),
    new Field('member_size', new Int64(), true),
  ];
  if (hashes) fields.push(new Field('hash', new Utf8(), true), new Field('pixel_hash', new Utf8(), true));
  return new Schema(fields);
}

/** One output row: the worker's result plus what the main thread knows (rowid, path, size). */
export interface RowInput {
  rowid: number;
  path: string;
  memberSize: number | null;
  result: MemberResult;
  /** Replaces result.error when set (errors the main thread found: I/O, archive, method). */
  error?: string | null;
}

/** Consecutive rows: a worker's columns plus what the main thread knows of each row. */
export interface RowsPart {
  cols: MemberColumns;
  /** rowid of the first row; the others follow it. */
  firstRowid: number;
  paths: string[];
  sizes: (number | null)[];
  /** The row's error as it is written (archive and member named); null when the row was read. */
  errors: (string | null)[];
}

/** A single row (bare files, streamed members, archive errors) as a one-row part. */
export function rowPart(row: RowInput): RowsPart {
  const error = row.error !== undefined ? row.error : row.result.error;
  return { cols: unpackColumns(toColumns([row.result])), firstRowid: row.rowid, paths: [row.path], sizes: [row.memberSize], errors: [error] };
}

const FIRST_ROWS = 1024;
/** Bytes a row adds beyond its text (key columns, offsets), for the batch size estimate. */
const ROW_OVERHEAD = 200;

function grow<T extends Uint8Array | Int32Array | BigInt64Array>(a: T, need: number, make: (n: number) => T): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a as never);
  return b;
}

/** Arrow's validity bitmap (LSB first) from one byte per row; null when every row is valid. */
function bitmap(valid: Uint8Array, rows: number): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nulls = 0;
  const bits = new Uint8Array((rows + 7) >> 3);
  for (let i = 0; i < rows; i++) {
    if (valid[i]) bits[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return { nullBitmap: nulls ? bits : undefined, nullCount: nulls };
}

/** A utf8 column assembled from byte ranges (no decode/encode of the text). The bytes are kept
 *  as views of the workers' chunk buffers and copied once, into a buffer of the final size, at
 *  finish: a doubling buffer allocated and copied a batch's meta text about twice over. */
class Utf8Column {
  private pieces: Uint8Array[] = [];
  private end = 0;
  private offsets = new Int32Array(FIRST_ROWS + 1);
  private valid = new Uint8Array(FIRST_ROWS);
  private rows = 0;

  copy(part: Utf8Part, i: number): void {
    if (!part.valid[i]) return this.push(null);
    this.push(part.bytes.subarray(part.offsets[i], part.offsets[i + 1]));
  }

  text(s: string | null): void {
    this.push(s === null ? null : Buffer.from(s, 'utf8'));
  }

  /** Rows 0..n-1 of `part`, their bytes as one piece. */
  copyAll(part: Utf8Part, n: number): void {
    const start = part.offsets[0];
    const stop = part.offsets[n];
    const row = this.rows;
    this.rows += n;
    this.offsets = grow(this.offsets, this.rows + 1, (k) => new Int32Array(k));
    this.valid = grow(this.valid, this.rows, (k) => new Uint8Array(k));
    if (stop > start) this.pieces.push(part.bytes.subarray(start, stop));
    const delta = this.end - start;
    for (let i = 1; i <= n; i++) this.offsets[row + i] = part.offsets[i] + delta;
    this.valid.set(part.valid.subarray(0, n), row);
    this.end += stop - start;
  }

  /** Texts that are all ASCII (checked) with one encode; others one by one. */
  textAll(texts: string[]): void {
    const joined = texts.join('');
    const bytes = Buffer.from(joined, 'utf8');
    if (bytes.length !== joined.length) {
      for (const t of texts) this.text(t);
      return;
    }
    const offsets = new Int32Array(texts.length + 1);
    texts.forEach((t, i) => { offsets[i + 1] = offsets[i] + t.length; });
    this.copyAll({ bytes, offsets, valid: new Uint8Array(texts.length).fill(1) }, texts.length);
  }

  finish(type: DataType): Data {
    const { nullBitmap, nullCount } = bitmap(this.valid, this.rows);
    // Not zero-filled: every byte is written below.
    const data = new Uint8Array(Buffer.allocUnsafeSlow(this.end).buffer, 0, this.end);
    let at = 0;
    for (const piece of this.pieces) {
      data.set(piece, at);
      at += piece.length;
    }
    // Views, not copies: the builder starts afresh after a flush, so the batch owns these buffers.
    return makeData({ type: type as Utf8, length: this.rows, nullCount, nullBitmap, valueOffsets: this.offsets.subarray(0, this.rows + 1), data });
  }

  private push(value: Uint8Array | null): void {
    const row = this.rows++;
    this.offsets = grow(this.offsets, row + 2, (n) => new Int32Array(n));
    this.valid = grow(this.valid, row + 1, (n) => new Uint8Array(n));
    if (value !== null) {
      if (value.length > 0) this.pieces.push(value);
      this.end += value.length;
      this.valid[row] = 1;
    }
    this.offsets[row + 1] = this.end;
  }
}

/** An int32 or int64 column. */
class IntColumn<T extends Int32Array | BigInt64Array> {
  private valid = new Uint8Array(FIRST_ROWS);
  private rows = 0;
  constructor(private values: T, private readonly make: (n: number) => T) {}

  push(v: number | null): void {
    const row = this.rows++;
    this.values = grow(this.values, row + 1, this.make);
    this.valid = grow(this.valid, row + 1, (n) => new Uint8Array(n));
    if (v === null) return;
    this.values[row] = (this.values instanceof BigInt64Array ? BigInt(v) : v) as never;
    this.valid[row] = 1;
  }

  /** Rows 0..n-1 of an int32 part. */
  pushAll(values: Int32Array, valid: Uint8Array, n: number): void {
    const row = this.rows;
    this.rows += n;
    this.values = grow(this.values, this.rows, this.make);
    this.valid = grow(this.valid, this.rows, (k) => new Uint8Array(k));
    (this.values as Int32Array).set(values.subarray(0, n), row);
    this.valid.set(valid.subarray(0, n), row);
  }

  finish(type: DataType): Data {
    const { nullBitmap, nullCount } = bitmap(this.valid, this.rows);
    return makeData({ type: type as Int32, length: this.rows, nullCount, nullBitmap, data: this.values.subarray(0, this.rows) as Int32Array });
  }
}

const int32s = (n: number) => new Int32Array(n);
const int64s = (n: number) => new BigInt64Array(n);

/** What `part` adds to BatchBuilder.bytes. */
export function partTextBytes(part: RowsPart): number {
  const meta = part.cols.meta.offsets;
  let bytes = meta[part.cols.length] - meta[0];
  for (let i = 0; i < part.cols.length; i++) bytes += part.paths[i].length + (part.errors[i]?.length ?? 0) + ROW_OVERHEAD;
  return bytes;
}

/** Accumulates rows column by column; `flush()` hands back a RecordBatch and starts afresh. */
export class BatchBuilder {
  private readonly schema: Schema;
  private readonly hashes: boolean;
  private rows = 0;
  private textBytes = 0;
  private rowid = new IntColumn(int64s(FIRST_ROWS), int64s);
  private path = new Utf8Column();
  private meta = new Utf8Column();
  private error = new Utf8Column();
  private strings: Utf8Column[] = [];
  private ints: IntColumn<Int32Array>[] = [];
  private memberSize = new IntColumn(int64s(FIRST_ROWS), int64s);
  private hash = new Utf8Column();
  private pixelHash = new Utf8Column();

  constructor(schema: Schema, hashes: boolean) {
    this.schema = schema;
    this.hashes = hashes;
    this.reset();
  }

  get length(): number {
    return this.rows;
  }

  /** Approximate bytes of text appended so far (meta dominates), for batch size limits. */
  get bytes(): number {
    return this.textBytes;
  }

  /** Row `i` of `part`. */
  append(part: RowsPart, i: number): void {
    const c = part.cols;
    const error = part.errors[i];
    this.rowid.push(part.firstRowid + i);
    this.path.text(part.paths[i]);
    this.meta.copy(c.meta, i);
    this.error.text(error);
    for (let k = 0; k < KEY_STRING_COLUMNS.length; k++) this.strings[k].copy(c.strings[k], i);
    for (let k = 0; k < KEY_INT_COLUMNS.length; k++) this.ints[k].push(c.ints[k].valid[i] ? c.ints[k].values[i] : null);
    this.memberSize.push(part.sizes[i]);
    if (this.hashes) {
      this.hash.copy(c.hash, i);
      this.pixelHash.copy(c.pixelHash, i);
    }
    this.rows++;
    this.textBytes += c.meta.offsets[i + 1] - c.meta.offsets[i] + part.paths[i].length + (error?.length ?? 0) + ROW_OVERHEAD;
  }

  /** Every row of `part` (none dropped), each column copied in one piece. */
  appendAll(part: RowsPart): void {
    const c = part.cols;
    const n = c.length;
    for (let i = 0; i < n; i++) {
      this.rowid.push(part.firstRowid + i);
      this.error.text(part.errors[i]);
      this.memberSize.push(part.sizes[i]);
    }
    this.path.textAll(part.paths);
    this.meta.copyAll(c.meta, n);
    for (let k = 0; k < KEY_STRING_COLUMNS.length; k++) this.strings[k].copyAll(c.strings[k], n);
    for (let k = 0; k < KEY_INT_COLUMNS.length; k++) this.ints[k].pushAll(c.ints[k].values, c.ints[k].valid, n);
    if (this.hashes) {
      this.hash.copyAll(c.hash, n);
      this.pixelHash.copyAll(c.pixelHash, n);
    }
    this.rows += n;
    this.textBytes += partTextBytes(part);
  }

  flush(): RecordBatch {
    const columns = [this.rowid, this.path, this.meta, this.error, ...this.strings, ...this.ints, this.memberSize];
    if (this.hashes) columns.push(this.hash, this.pixelHash);
    const children = columns.map((col, i) => col.finish(this.schema.fields[i].type));
    const data = makeData({ type: new Struct(this.schema.fields), length: this.rows, nullCount: 0, children });
    const batch = new RecordBatch(this.schema, data);
    this.reset();
    return batch;
  }

  private reset(): void {
    this.rowid = new IntColumn(int64s(FIRST_ROWS), int64s);
    this.path = new Utf8Column();
    this.meta = new Utf8Column();
    this.error = new Utf8Column();
    this.strings = KEY_STRING_COLUMNS.map(() => new Utf8Column());
    this.ints = KEY_INT_COLUMNS.map(() => new IntColumn(int32s(FIRST_ROWS), int32s));
    this.memberSize = new IntColumn(int64s(FIRST_ROWS), int64s);
    this.hash = new Utf8Column();
    this.pixelHash = new Utf8Column();
    this.rows = 0;
    this.textBytes = 0;
  }
}
