// The column builders' common part (Arrow columnar format: a validity bitmap per column, one bit
// per row; null slots still take their place in the value buffers). Each builder fills one Arrow
// column of the batch being built, row by row or, from a FieldBlock, column at a time.
import { Data, DataType, makeData } from 'apache-arrow';
import type { FieldBlock } from './zipcsv-block.ts';

export const BITS_PER_BYTE = 8;

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
  /** The column's Data; the builder starts afresh. */
  finish(): Data;
}

export abstract class Base implements ColumnBuilder {
  length = 0;
  protected nulls = 0;
  protected validity: Uint8Array;
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
  protected abstract reset(): void;

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
    this.validity = new Uint8Array(Math.ceil(this.capacity / BITS_PER_BYTE));
    this.length = 0;
    this.nulls = 0;
    this.reset();
    return data;
  }
}
