// Record batches for zipcsv, filled column by column (Arrow columnar format) and cut when they
// reach a row count or a byte budget, so a stream's memory stays bounded whatever a member holds.
// Column buffers of consumed batches are refilled (release()) rather than allocated per batch:
// allocating and collecting them was a fifth of a read's CPU (GC).
import { makeData, RecordBatch, Schema, Struct, type Data } from 'apache-arrow';
import { columnBuilder, type ColumnBuilder } from './zipcsv-columns.ts';

/** Rows per batch: large enough to amortise per-batch work, small enough to stream early. */
export const BATCH_ROWS = 16_384;
/** Body bytes per batch; the FlightData encoder splits further for gRPC's message limit. */
export const BATCH_BYTES = 8 * 1024 * 1024;
/** How often (in rows) the byte budget is checked; summing builders per row would cost more. */
const BYTES_CHECK_EVERY = 256;
/** Cells (rows × columns) a batch's builders are sized for up front: a member 20,000 fields wide
 *  (Spark's maxColumns) gets batches of ~50 rows, not 16,384-row buffers per column (GiBs). */
export const BATCH_CELLS = 1 << 20;

/** Rows per batch for `columns` columns. */
export function batchRows(columns: number): number {
  return Math.max(1, Math.min(BATCH_ROWS, Math.floor(BATCH_CELLS / Math.max(1, columns))));
}

export class BatchSink {
  readonly builders: ColumnBuilder[];
  rows = 0;
  /** Batches cut while a chunk was being tokenized, waiting to be yielded. */
  readonly ready: RecordBatch[] = [];
  private sent = 0;

  /** Rows per batch (batchRows of the schema's width). */
  readonly capacity: number;

  constructor(readonly schema: Schema) {
    this.capacity = batchRows(schema.fields.length);
    this.builders = schema.fields.map((f) => columnBuilder(f, this.capacity));
  }

  /** Count one completed row; cut a batch when it is full. */
  endRow(): void {
    const n = ++this.rows;
    if (n >= this.capacity || (n % BYTES_CHECK_EVERY === 0 && this.byteLength() >= BATCH_BYTES)) this.ready.push(this.cut());
  }

  /** Count `n` rows appended column by column; the caller never goes past `capacity`. */
  addRows(n: number): void {
    this.rows += n;
    if (this.rows >= this.capacity || this.byteLength() >= BATCH_BYTES) this.ready.push(this.cut());
  }

  /** Rows the batch being built can still take. */
  get room(): number {
    return this.capacity - this.rows;
  }

  /** Undo the row being appended (DROPMALFORMED): every builder back to `rows`. */
  dropRow(): void {
    for (const b of this.builders) b.truncate(this.rows);
  }

  /** Batches to send now; at the end (`final`) also the partial one, or a zero-row batch when
   *  nothing at all was sent, so the client learns the schema (Flight needs a Schema message). */
  take(final: boolean): RecordBatch[] {
    if (final && (this.rows > 0 || this.sent + this.ready.length === 0)) this.ready.push(this.cut());
    const out = this.ready.splice(0);
    this.sent += out.length;
    return out;
  }

  /**
   * `batch` (taken from this sink) was consumed, never to be read again: its buffers may hold
   * the rows of a later batch. Only for consumers that are done with a batch before they pull
   * the next one, as DoGet is (the FlightData encoder copies each body; see zipcsv-read.ts).
   */
  release(batch: RecordBatch): void {
    const columns = batch.data.children;
    this.builders.forEach((b, i) => b.recycle(columns[i]));
  }

  private byteLength(): number {
    let n = 0;
    for (const b of this.builders) n += b.byteLength;
    return n;
  }

  private cut(): RecordBatch {
    const children = this.builders.map((b) => b.finish());
    const data = makeData({ type: new Struct(this.schema.fields), length: this.rows, nullCount: 0, children });
    this.rows = 0;
    return batchOf(this.schema, data);
  }
}

const NO_COLUMNS = new Schema([]);

/**
 * new RecordBatch(schema, data) re-derives its schema through Schema.assign, which is quadratic in
 * the column count: seconds of main-thread CPU per batch for a member 18,000 fields wide (found by
 * the fuzzer). Every child here already has the batch's length, which is all that derivation is
 * for, so the batch is built on no columns and then given its own schema and data.
 */
function batchOf(schema: Schema, data: Data<Struct>): RecordBatch {
  const batch = new RecordBatch(NO_COLUMNS, makeData({ type: new Struct([]), length: data.length, nullCount: 0, children: [] }));
  return Object.assign(batch, { schema, data });
}
