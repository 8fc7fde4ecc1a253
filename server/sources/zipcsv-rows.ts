// One member's CSV records → rows of the batch being built. Fields go to columns by position (no
// header, or a user schema) or by the member's own header names (the header union); a record
// is malformed when its field count differs from the member's width, a quote never closes, or a
// value does not parse as its column's type, and then `mode` decides (Spark's ParseMode):
// PERMISSIVE keeps the row with nulls for the bad values and the raw text in the corrupt-record
// column, DROPMALFORMED drops it, FAILFAST fails the stream naming archive, member and line.
import { ServerError } from '../errors.ts';
import { safeHeader } from '../csv/infer.ts';
import { CsvRecord, FIELD_SLOW } from '../csv/record.ts';
import type { RecordSink } from '../csv/tokenizer.ts';
import type { BatchSink } from './zipcsv-batches.ts';
import { FieldBlock } from './zipcsv-block.ts';
import { fastRows, type FastRowOwner, type FastRows } from './zipcsv-fast.ts';
import type { ZipcsvSettings } from './zipcsv-options.ts';
import type { Layout } from './zipcsv-schema.ts';

const NO_COLUMN = -1;
/** Fused rows are counted into the batch at least this often, so the byte budget is checked. */
const FAST_COUNT_EVERY = 256;
const utf8 = new TextEncoder();

export class MemberRows implements RecordSink, FastRowOwner {
  /** The fused path (zipcsv-fast.ts), once the member's columns are known; null when it cannot apply. */
  fast: FastRows | null = null;
  /** Fused rows appended to the data columns but not yet to the others nor counted in the batch. */
  private pending = 0;
  private pendingLimit = 0;
  /** Schema column of each field position; NO_COLUMN drops the field. */
  private map: Int32Array;
  /** Data columns this member has no field for (header union): always null. */
  private missing: number[] = [];
  private awaitingHeader: boolean;
  private readonly zipBytes: Uint8Array;
  private readonly memberBytes: Uint8Array;
  /** Well-formed records waiting for their columns to be filled (the fast path). */
  private readonly block: FieldBlock;
  /** A block row as a record again, for the row path (mode decisions need whole rows). */
  private readonly replay: CsvRecord;

  constructor(
    private readonly layout: Layout,
    private readonly settings: ZipcsvSettings,
    private readonly sink: BatchSink,
    private readonly archive: string,
    private readonly member: string,
  ) {
    this.map = Int32Array.from(layout.data);
    this.awaitingHeader = settings.header;
    this.zipBytes = utf8.encode(archive);
    this.memberBytes = utf8.encode(member);
    this.block = new FieldBlock(settings.dialect, settings.nullBytes, this.map.length);
    this.replay = new CsvRecord(settings.dialect);
    this.startFast();
  }

  /** The tokenizer's record callback: well-formed records wait in the block, others go row by row. */
  record(rec: CsvRecord): void {
    if (this.awaitingHeader) {
      this.awaitingHeader = false;
      if (this.settings.userSchema === null) this.mapHeader(rec);
      this.block.setWidth(this.map.length);
      this.startFast();
      return;
    }
    if (this.fast !== null) {
      // Records the fused path declined, in order with its rows: one by one.
      this.countFast();
      this.appendRow(rec);
      this.countFast();
    } else if (rec.count !== this.map.length || rec.unclosed) {
      this.fillColumns();
      this.appendRow(rec);
      rec.base = 0;
    } else if (this.block.add(rec)) this.flush();
  }

  /** Fill the columns from the block (the tokenizer is about to move its buffer). */
  flush(): void {
    this.countFast();
    this.fillColumns();
    this.block.release();
  }

  get nextRow(): number {
    return this.sink.rows + this.pending;
  }

  fastRow(): void {
    if (++this.pending >= this.pendingLimit) this.countFast();
  }

  private startFast(): void {
    if (this.awaitingHeader) return;
    const { builders } = this.sink;
    this.fast = fastRows(Array.from(this.map, (col) => builders[col]), this.settings.dialect, this.settings.nullBytes, this);
    this.countFast();
  }

  /** Give the pending fused rows their other columns (nulls, source names) and count them in the batch. */
  private countFast(): void {
    const n = this.pending;
    if (n > 0) {
      this.pending = 0;
      const { builders } = this.sink;
      for (const col of this.missing) builders[col].appendNulls(n);
      const { corrupt, zip, member } = this.layout;
      if (corrupt >= 0) builders[corrupt].appendNulls(n);
      if (zip >= 0) {
        builders[zip].appendRepeated(this.zipBytes, n);
        builders[member].appendRepeated(this.memberBytes, n);
      }
      this.sink.addRows(n);
    }
    this.pendingLimit = Math.min(FAST_COUNT_EVERY, this.sink.room);
  }

  private fillColumns(): void {
    const block = this.block;
    for (let r = 0; r < block.rows; ) {
      const n = Math.min(block.rows - r, this.sink.room);
      this.appendBlockRows(r, r + n);
      r += n;
    }
    block.rows = 0;
  }

  /**
   * Block rows [r0, r1) column by column. A value that does not parse is null with the raw text
   * in the corrupt-record column (PERMISSIVE); in the other modes the rows go again, one by one.
   */
  private appendBlockRows(r0: number, r1: number): void {
    const { builders } = this.sink;
    const { block, map } = this;
    const n = r1 - r0;
    const base = this.sink.rows;
    block.bad.fill(0, r0, r1);
    let clean = true;
    for (let k = 0; k < map.length; k++) if (!builders[map[k]].appendFields(block, k, r0, r1)) clean = false;
    for (const col of this.missing) builders[col].appendNulls(n);
    if (!clean && this.settings.mode !== 'PERMISSIVE') {
      for (const b of builders) b.truncate(base);
      for (let r = r0; r < r1; r++) this.appendRow(this.replayRow(r));
      return;
    }
    const { corrupt, zip, member } = this.layout;
    if (corrupt >= 0) {
      if (clean) builders[corrupt].appendNulls(n);
      else for (let r = r0; r < r1; r++) block.bad[r] ? builders[corrupt].append(block.raw(r)) : builders[corrupt].appendNull();
    }
    if (zip >= 0) {
      builders[zip].appendRepeated(this.zipBytes, n);
      builders[member].appendRepeated(this.memberBytes, n);
    }
    this.sink.addRows(n);
  }

  private replayRow(r: number): CsvRecord {
    const { block, replay } = this;
    replay.reset(block.buf, block.recStart[r], block.line[r]);
    for (let k = 0, at = r * block.width; k < block.width; k++, at++) replay.pushField(block.starts[at], block.ends[at], block.flags[at]);
    replay.end = block.recEnd[r];
    return replay;
  }

  /** Header union: field k goes to the column of the same (case-insensitive) name. */
  private mapHeader(rec: CsvRecord): void {
    const names = safeHeader(Array.from({ length: rec.count }, (_, k) => rec.text(k)).map(String));
    const byName = new Map(this.layout.data.map((col) => [this.layout.schema.fields[col].name.toLowerCase(), col]));
    this.map = Int32Array.from(names, (name) => {
      const col = byName.get(name.toLowerCase());
      if (col === undefined) {
        throw new ServerError('data-loss', `zipcsv: ${this.where()}: header column '${name}' is not in the planned schema (the member changed?); call GetFlightInfo again`);
      }
      return col;
    });
    const used = new Set(this.map);
    this.missing = this.layout.data.filter((col) => !used.has(col));
  }

  private appendRow(rec: CsvRecord): void {
    const { builders } = this.sink;
    const map = this.map;
    const width = map.length;
    const nullBytes = this.settings.nullBytes;
    const n = Math.min(rec.count, width);
    let badColumn = NO_COLUMN;
    const { buf, starts, ends, flags, base } = rec;
    const emptyIsNull = nullBytes.length === 0;
    for (let k = 0; k < n; k++) {
      const col = map[k];
      const b = builders[col];
      const s = starts[base + k];
      const e = ends[base + k];
      let ok: boolean;
      if (flags[base + k] !== FIELD_SLOW) {
        if (emptyIsNull ? s === e : rec.equals(k, nullBytes)) {
          b.appendNull();
          continue;
        }
        ok = b.appendRange(buf, s, e);
      } else if (rec.equals(k, nullBytes)) {
        b.appendNull();
        continue;
      } else {
        ok = b.append(rec.bytes(k));
      }
      if (!ok && badColumn === NO_COLUMN) badColumn = col;
    }
    for (let k = n; k < width; k++) builders[map[k]].appendNull();
    for (const col of this.missing) builders[col].appendNull();
    const malformed = rec.unclosed || rec.count !== width || badColumn !== NO_COLUMN;
    if (malformed && !this.malformed(rec, width, badColumn)) return;
    const { corrupt, zip, member } = this.layout;
    if (corrupt >= 0) {
      if (malformed && this.settings.mode === 'PERMISSIVE') builders[corrupt].append(rec.buf.subarray(rec.start, rec.end));
      else builders[corrupt].appendNull();
    }
    if (zip >= 0) {
      builders[zip].append(this.zipBytes);
      builders[member].append(this.memberBytes);
    }
    this.sink.endRow();
  }

  /** Apply `mode` to a malformed record: true to keep the row (PERMISSIVE). */
  private malformed(rec: CsvRecord, width: number, badColumn: number): boolean {
    if (this.settings.mode === 'PERMISSIVE') return true;
    if (this.settings.mode === 'DROPMALFORMED') {
      this.sink.dropRow();
      return false;
    }
    const why = rec.unclosed
      ? 'a quoted field is not closed before the end of the member'
      : rec.count !== width
        ? `${rec.count} fields where ${width} were expected`
        : `value ${JSON.stringify(rec.text(this.map.indexOf(badColumn)))} is not a valid ${this.layout.schema.fields[badColumn].type} for column '${this.layout.schema.fields[badColumn].name}'`;
    throw new ServerError('data-loss', `zipcsv: malformed record (mode FAILFAST) in ${this.where()} at line ${rec.line}: ${why}`);
  }

  private where(): string {
    return `archive '${this.archive}' member '${this.member}'`;
  }
}
