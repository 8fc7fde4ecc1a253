// The zipdcm output schema and the batch builder that turns worker results into Arrow columns
// (Arrow columnar format: utf8, int32, int64; no dictionaries). Column values come straight from
// each MemberResult's strings/numbers; no per-row objects are kept beyond it.
import { Field, Int32, Int64, makeBuilder, makeData, RecordBatch, Schema, Struct, Utf8, type Builder, type DataType } from 'apache-arrow';
import type { MemberResult } from '../workers/member-task.ts';

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

function builder(type: DataType): Builder {
  return makeBuilder({ type, nullValues: [null, undefined] });
}

/** Accumulates rows column by column; `flush()` hands back a RecordBatch and starts afresh. */
export class BatchBuilder {
  private readonly schema: Schema;
  private readonly hashes: boolean;
  private builders: Builder[] = [];
  private rows = 0;
  private textBytes = 0;

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

  append(row: RowInput): void {
    const b = this.builders;
    const r = row.result;
    const error = row.error !== undefined ? row.error : r.error;
    let i = 0;
    b[i++].append(BigInt(row.rowid));
    b[i++].append(row.path);
    b[i++].append(r.meta);
    b[i++].append(error);
    for (let k = 0; k < KEY_STRING_COLUMNS.length; k++) b[i++].append(r.strings[k] ?? null);
    for (let k = 0; k < KEY_INT_COLUMNS.length; k++) b[i++].append(r.ints[k] ?? null);
    b[i++].append(row.memberSize === null ? null : BigInt(row.memberSize));
    if (this.hashes) {
      b[i++].append(r.hash);
      b[i++].append(r.pixelHash);
    }
    this.rows++;
    this.textBytes += (r.meta?.length ?? 0) + row.path.length + (error?.length ?? 0) + 200;
  }

  flush(): RecordBatch {
    const children = this.builders.map((b) => b.finish().flush());
    const data = makeData({ type: new Struct(this.schema.fields), length: this.rows, nullCount: 0, children });
    const batch = new RecordBatch(this.schema, data);
    this.reset();
    return batch;
  }

  private reset(): void {
    this.builders = this.schema.fields.map((f) => builder(f.type));
    this.rows = 0;
    this.textBytes = 0;
  }
}
