// How `zipflight get` and friends print Arrow data for a person or a pipe: an aligned text table,
// CSV (RFC 4180 quoting), JSON Lines, or the Arrow IPC stream format itself (Arrow columnar
// format, "IPC Streaming Format"). Values are rendered by Arrow type, not by JS runtime type.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataType, RecordBatchStreamWriter, type Field, type RecordBatch, type Schema } from 'apache-arrow';

export const FORMATS = ['table', 'csv', 'json', 'arrow'] as const;
export type Format = (typeof FORMATS)[number];

/** Widest cell the table format prints; longer values (a DICOM header's JSON) are cut with '…'. */
export const MAX_CELL_CHARS = 48;
const COLUMN_GAP = '  ';

/** A sink for batches in one format; `end` flushes and reports when everything is written. */
export interface BatchSink {
  start(schema: Schema): void;
  write(batch: RecordBatch): void;
  end(): Promise<void>;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One value as JSON: int64 as a number when exact (else a string), dates/timestamps as ISO text. */
export function jsonValue(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (DataType.isDate(type) && typeof value === 'number') return isoDay(value);
  if (DataType.isTimestamp(type) && typeof value === 'number') return new Date(value).toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function') {
    return JSON.parse(JSON.stringify(value.toJSON(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** One value as text for CSV and the table: JSON for nested values, '' for null. */
export function textValue(value: unknown, type: DataType): string {
  const v = jsonValue(value, type);
  if (v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function* rows(batch: RecordBatch): Generator<unknown[]> {
  const columns = batch.schema.fields.map((_, i) => batch.getChildAt(i));
  for (let r = 0; r < batch.numRows; r++) yield columns.map((c) => c?.get(r));
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

function csvSink(out: Writable): BatchSink {
  let fields: Field[] = [];
  return {
    start(schema) {
      fields = schema.fields;
      out.write(`${fields.map((f) => csvCell(f.name)).join(',')}\r\n`);
    },
    write(batch) {
      let text = '';
      for (const row of rows(batch)) text += `${row.map((v, i) => csvCell(textValue(v, fields[i].type))).join(',')}\r\n`;
      out.write(text);
    },
    end: async () => undefined,
  };
}

function jsonLinesSink(out: Writable): BatchSink {
  let fields: Field[] = [];
  return {
    start(schema) {
      fields = schema.fields;
    },
    write(batch) {
      let text = '';
      for (const row of rows(batch)) text += `${JSON.stringify(Object.fromEntries(row.map((v, i) => [fields[i].name, jsonValue(v, fields[i].type)])))}\n`;
      out.write(text);
    },
    end: async () => undefined,
  };
}

const cut = (s: string) => (s.length > MAX_CELL_CHARS ? `${s.slice(0, MAX_CELL_CHARS - 1)}…` : s.replace(/[\r\n\t]/g, ' '));

/** Rows as an aligned text table: numbers right-aligned, null shown as 'null'. */
export function formatTable(header: string[], body: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(COLUMN_GAP).trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

function tableSink(out: Writable): BatchSink {
  let fields: Field[] = [];
  const body: string[][] = [];
  return {
    start(schema) {
      fields = schema.fields;
    },
    write(batch) {
      for (const row of rows(batch)) body.push(row.map((v, i) => (v === null || v === undefined ? 'null' : cut(textValue(v, fields[i].type)))));
    },
    async end() {
      const numeric = fields.map((f) => DataType.isInt(f.type) || DataType.isFloat(f.type) || DataType.isDecimal(f.type));
      out.write(formatTable(fields.map((f) => f.name), body, numeric));
      out.write(`(${body.length} row${body.length === 1 ? '' : 's'})\n`);
    },
  };
}

/** The Arrow IPC stream format: the schema message, then each batch; ends with the EOS marker. */
function arrowSink(out: Writable): BatchSink {
  const writer = new RecordBatchStreamWriter();
  const piped = pipeline(writer.toNodeStream({ objectMode: false }), out, { end: false });
  return {
    start(schema) {
      writer.reset(undefined, schema);
    },
    write(batch) {
      writer.write(batch);
    },
    async end() {
      writer.close();
      await piped;
    },
  };
}

export function batchSink(format: Format, out: Writable): BatchSink {
  switch (format) {
    case 'csv':
      return csvSink(out);
    case 'json':
      return jsonLinesSink(out);
    case 'arrow':
      return arrowSink(out);
    default:
      return tableSink(out);
  }
}

/** A schema as the rows of `formatTable`: column, Arrow type, nullable. */
export function schemaTable(schema: Schema): string {
  return formatTable(['column', 'type', 'nullable'], schema.fields.map((f) => [f.name, String(f.type), f.nullable ? 'yes' : 'no']));
}
