// The zipcsv output schema. Columns come from the user's DDL `schema`, else from the members'
// header records (header=true; the union by name, case-insensitively, in first-seen order: a
// member without a column gives nulls there), else `_c0`, `_c1`, … as wide as the widest first
// record. inferSchema types them from a bounded sample (Spark's CSVInferSchema order, see
// server/csv/infer.ts). Then the corrupt-record column (PERMISSIVE) and `_zip`/`_member`.
import { Bool, DateDay, Field, Float64, Int32, Int64, Schema, TimestampMicrosecond, Type, Utf8, type DataType } from 'apache-arrow';
import { invalidArgument, ServerError } from '../errors.ts';
import { inferInto, mergeKinds, positionalName, safeHeader, type CsvKind } from '../csv/infer.ts';
import { FIELD_SLOW, type CsvRecord } from '../csv/record.ts';
import type { ZipEntry } from '../zip/archive.ts';
import { readLeadingRecords, type OpenArchive } from './zipcsv-inputs.ts';
import type { ZipcsvSettings } from './zipcsv-options.ts';

export const ZIP_COLUMN = '_zip';
export const MEMBER_COLUMN = '_member';
/** Data rows inferSchema reads over all members together; each member gets an equal share. */
export const INFER_SAMPLE_ROWS = 100_000;
/** Spark writes timestamps to Arrow as UTC instants (ArrowUtils); a text without offset is read as UTC. */
const TIME_ZONE = 'UTC';

/** What describe() learnt from the start of one member. */
export interface MemberSample {
  where: string;
  /** Header names (made safe as Spark does), or null without header / for an empty member. */
  names: string[] | null;
  /** Fields of the first data record (header=false), 0 when there is none. */
  width: number;
  /** Inferred kind per field position of this member. */
  kinds: CsvKind[];
}

/** Which schema column plays which part; data columns are filled from fields in order. */
export interface Layout {
  schema: Schema;
  data: number[];
  corrupt: number;
  zip: number;
  member: number;
}

function texts(rec: CsvRecord): string[] {
  return Array.from({ length: rec.count }, (_, k) => rec.text(k));
}

/**
 * Read the header and up to `rows` data records of one member (every `1/samplingRatio`-th of
 * them counts for inference). Stops inflating as soon as it has what it needs.
 */
export async function sampleMember(input: OpenArchive, entry: ZipEntry, settings: ZipcsvSettings, rows: number, signal: AbortSignal): Promise<MemberSample> {
  const sample: MemberSample = { where: `${input.path}::${entry.name}`, names: null, width: 0, kinds: [] };
  const { header, samplingRatio: ratio, nullBytes } = settings;
  let seen = 0;
  let done = false;
  let first = true;
  const onRecord = (rec: CsvRecord) => {
    if (done) return;
    if (first) {
      first = false;
      if (header) {
        sample.names = safeHeader(texts(rec));
        done = rows === 0;
        return;
      }
      sample.width = rec.count;
    }
    const i = seen++;
    done = seen >= rows;
    if (i >= rows || rec.unclosed || Math.floor((i + 1) * ratio) === Math.floor(i * ratio)) return;
    for (let k = 0; k < rec.count; k++) {
      const kind = sample.kinds[k] ?? 'null';
      // A string column stays one: no unescaping or null check for it.
      if (kind === 'string' || rec.equals(k, nullBytes)) continue;
      // Plain fields are read where they lie: a view per sampled value would cost an allocation.
      sample.kinds[k] = rec.flags[k] === FIELD_SLOW ? inferInto(kind, rec.bytes(k)) : inferInto(kind, rec.buf, rec.starts[k], rec.ends[k]);
    }
  };
  await readLeadingRecords(input, entry, settings, signal, onRecord, () => done, header ? rows + 1 : rows);
  return sample;
}

function kindType(kind: CsvKind): DataType {
  switch (kind) {
    case 'int32': return new Int32();
    case 'int64': return new Int64();
    case 'double': return new Float64();
    case 'boolean': return new Bool();
    case 'date': return new DateDay();
    case 'timestamp': return new TimestampMicrosecond(TIME_ZONE);
    default: return new Utf8(); // 'null' (nothing seen) and 'string', as Spark's NullType → StringType
  }
}

/** Header union by name; FAILFAST refuses members whose headers differ. */
function headerColumns(samples: MemberSample[], settings: ZipcsvSettings): Array<[string, CsvKind]> {
  const byName = new Map<string, [string, CsvKind]>();
  let firstSeen: MemberSample | undefined;
  for (const s of samples) {
    if (s.names === null) continue;
    firstSeen ??= s;
    if (settings.mode === 'FAILFAST' && s.names.join('\0').toLowerCase() !== firstSeen.names!.join('\0').toLowerCase()) {
      throw new ServerError('data-loss', `zipcsv: headers disagree (mode FAILFAST): ${firstSeen.where} has ${JSON.stringify(firstSeen.names)}, ${s.where} has ${JSON.stringify(s.names)}`);
    }
    s.names.forEach((name, k) => {
      const key = name.toLowerCase();
      const col = byName.get(key) ?? [name, 'null'];
      col[1] = mergeKinds(col[1], s.kinds[k] ?? 'null');
      byName.set(key, col);
    });
  }
  return [...byName.values()];
}

function positionalColumns(samples: MemberSample[]): Array<[string, CsvKind]> {
  const width = Math.max(0, ...samples.map((s) => s.width));
  return Array.from({ length: width }, (_, k) => [positionalName(k), samples.reduce<CsvKind>((kind, s) => mergeKinds(kind, s.kinds[k] ?? 'null'), 'null')]);
}

/** The full output schema from what the samples found (or the user's DDL). */
export function buildSchema(samples: MemberSample[], settings: ZipcsvSettings): Schema {
  let fields: Field[];
  if (settings.userSchema) {
    fields = [...settings.userSchema.fields];
    const corrupt = fields.find((f) => f.name === settings.columnNameOfCorruptRecord);
    if (corrupt && corrupt.type.typeId !== Type.Utf8) throw invalidArgument(`zipcsv: the corrupt-record column '${corrupt.name}' must be a string`);
  } else {
    const columns = settings.header ? headerColumns(samples, settings) : positionalColumns(samples);
    fields = columns.map(([name, kind]) => new Field(name, settings.inferSchema ? kindType(kind) : new Utf8(), true));
    if (settings.mode === 'PERMISSIVE') fields.push(new Field(settings.columnNameOfCorruptRecord, new Utf8(), true));
  }
  if (settings.includeSource) fields.push(new Field(ZIP_COLUMN, new Utf8(), false), new Field(MEMBER_COLUMN, new Utf8(), false));
  const seen = new Set<string>();
  for (const f of fields) {
    const key = f.name.toLowerCase();
    if (seen.has(key)) throw invalidArgument(`zipcsv: two columns are called '${f.name}' (rename with the schema or columnNameOfCorruptRecord option)`);
    seen.add(key);
  }
  return new Schema(fields);
}

/** Roles of the schema's columns, as buildSchema placed them. */
export function layoutOf(schema: Schema, settings: ZipcsvSettings): Layout {
  const n = schema.fields.length;
  const zip = settings.includeSource ? n - 2 : -1;
  const member = settings.includeSource ? n - 1 : -1;
  const corrupt = schema.fields.findIndex((f, i) => i !== zip && i !== member && f.name === settings.columnNameOfCorruptRecord);
  const data = schema.fields.map((_, i) => i).filter((i) => i !== zip && i !== member && i !== corrupt);
  return { schema, data, corrupt, zip, member };
}
