// The column builders' common part (Arrow columnar format: a validity bitmap per column, one bit
// per row; null slots still take their place in the value buffers). Each builder fills one Arrow
// column of the batch being built, row by row or, from a FieldBlock, column at a time.
import { Data, DataType, makeData } from 'apache-arrow';
import type { FieldBlock } from './zipcsv-block.ts';

export const BITS_PER_BYTE = 8;
/** Finished columns remembered for recycling: a chunk cuts a few batches at most before they are sent. */
const MAX_IN_FLIGHT = 8;

/** One column of the batch being built. `capacity` rows at most between two `finish()` calls. */
export interface ColumnBuilder {
  readonly length: number;
  /** Body bytes held so far (for the batch byte budget). */
  readonly byteLength: number;
  /** Append a value from field bytes; false (and a null appended) when it does not parse. */
  append(bytes: Uint8Array): boolean;
  /** append(buf.subarray(s, e)) without making the view (the hot path: one call per field). */
  appendRange(buf: Uint8Array, s: number, e: number): boolean;
  appendNull(): void;
  appendNulls(n: number): void;
  /**
   * Field k of block rows [r0, r1) (the column-at-a-time path): nulls per nullValue, values
   * that do not parse become null and are marked in `block.bad`; false when any did not parse.
   */
  appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean;
  /** The values buf[starts[j], ends[j]) for j in [from, to), none null (asLines' line column). */
  appendRanges(buf: Uint8Array, starts: Int32Array, ends: Int32Array, from: number, to: number): void;
  /** The same value `n` times (asLines' and includeSource's archive and member columns). */
  appendRepeated(value: Uint8Array, n: number): void;
  /** Drop rows after `length` (a row DROPMALFORMED removes after its fields were appended). */
  truncate(length: number): void;
  /** The column's Data; the builder starts afresh (on recycled buffers when there are some). */
  finish(): Data;
  /** `data` (which finish() gave) is no longer read by anyone: its buffers may be refilled. */
  recycle(data: Data): void;
}



export abstract class Base implements ColumnBuilder {
  length = 0;
  protected nulls = 0;
  protected validity: Uint8Array;
  /** Finished Data not yet recycled, with their buffers, oldest first (at most MAX_IN_FLIGHT:
   *  a consumer that never recycles just gets new buffers); and buffers free to refill. */
  private readonly inFlight: Array<{ data: Data; buffers: ArrayBufferView[] }> = [];
  private readonly spare: ArrayBufferView[][] = [];
  constructor(readonly type: DataType, protected readonly capacity: number) {
    this.validity = new Uint8Array(Math.ceil(capacity / BITS_PER_BYTE));
  }
  abstract appendRange(buf: Uint8Array, s: number, e: number): boolean;
  abstract appendFields(block: FieldBlock, k: number, r0: number, r1: number): boolean;
  abstract get byteLength(): number;

  append(bytes: Uint8Array): boolean {
    return this.appendRange(bytes, 0, bytes.length);
  }
  protected abstract take(): Record<string, unknown>;
  /** The builder's own buffers (not the validity bitmap), handed over with the finished Data. */
  protected abstract owned(): ArrayBufferView[];
  /** Start afresh on `reuse` (what owned() gave for an earlier, recycled Data), or on new buffers. */
  protected abstract reset(reuse: ArrayBufferView[] | null): void;

  protected valid(): number {
    const i = this.length++;
    this.validity[i >> 3] |= 1 << (i & 7);
    return i;
  }

  appendNull(): void {
    this.nulls++;
    this.length++;
  }

  appendNulls(n: number): void {
    this.nulls += n;
    this.length += n;
  }

  appendRanges(buf: Uint8Array, starts: Int32Array, ends: Int32Array, from: number, to: number): void {
    for (let j = from; j < to; j++) this.appendRange(buf, starts[j], ends[j]);
  }

  appendRepeated(value: Uint8Array, n: number): void {
    for (let j = 0; j < n; j++) this.append(value);
  }

  truncate(length: number): void {
    for (let i = length; i < this.length; i++) {
      const bit = 1 << (i & 7);
      if (this.validity[i >> 3] & bit) this.validity[i >> 3] &= ~bit;
      else this.nulls--;
    }
    this.length = length;
  }

  finish(): Data {
    const props = { type: this.type, length: this.length, nullCount: this.nulls, nullBitmap: this.validity.subarray(0, Math.ceil(this.length / BITS_PER_BYTE)), ...this.take() };
    const data = makeData(props as Parameters<typeof makeData>[0]) as Data;
    this.inFlight.push({ data, buffers: [this.validity, ...this.owned()] });
    if (this.inFlight.length > MAX_IN_FLIGHT) this.inFlight.shift();
    const reuse = this.spare.pop();
    if (reuse) {
      this.validity = reuse[0] as Uint8Array;
      this.validity.fill(0);
    } else this.validity = new Uint8Array(Math.ceil(this.capacity / BITS_PER_BYTE));
    this.length = 0;
    this.nulls = 0;
    this.reset(reuse ? reuse.slice(1) : null);
    return data;
  }

  recycle(data: Data): void {
    const at = this.inFlight.findIndex((f) => f.data === data);
    if (at >= 0) this.spare.push(this.inFlight.splice(at, 1)[0].buffers);
  }
}
