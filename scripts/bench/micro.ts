// Micro rows of issue 7, measured in this process with process.cpuUsage(): raw DEFLATE (RFC 1951)
// inflate through server/zip/inflate.ts, node:zlib vs fflate backend, whole member and header
// prefix; DICOM header → JSON text per file (parseDicomText, the worker's path); CSV records per CPU-second (server/csv).
import { makeDialect, type CsvDialect } from '../../server/csv/record.ts';
import { CsvTokenizer } from '../../server/csv/tokenizer.ts';
import { JsonSink, parseDicom, parseDicomText } from '../../server/workers/dicom-api.ts';
import { inflateRaw } from '../../server/zip/inflate.ts';
import { figure, repeat, side, type Figure, type Side } from './figures.ts';
import { zipMembers, type RawMember } from './zip-members.ts';

/** Compressed bytes a header-only read inflates first (CONTEXT.md's 2 KB header prefix). */
const HEADER_PREFIX_BYTES = 2048;
/** Compressed input tried for a full DICOM header; grown until the parser stops asking. */
const HEADER_INPUT_START = 16 * 1024;
const HEADER_INPUT_GROWTH = 4;
const CSV_CHUNK_BYTES = 64 * 1024;
const MICRO_DICOM_MEMBERS = 400;
const MB = 1e6;
const METHOD_DEFLATED = 8;

/** CPU seconds (user + system) `work` takes in this process. */
function cpuOf(work: () => void): number {
  const t0 = process.cpuUsage();
  work();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6;
}

const zlibWhole = (m: RawMember) => inflateRaw(m.data, { expectedSize: m.size, backend: 'zlib' });
const fflateWhole = (m: RawMember) => inflateRaw(m.data, { expectedSize: m.size, backend: 'fflate' });
const zlibPrefix = (m: RawMember) => inflateRaw(m.data.subarray(0, HEADER_PREFIX_BYTES), { prefix: true, backend: 'zlib' });
const fflatePrefix = (m: RawMember) => inflateRaw(m.data.subarray(0, HEADER_PREFIX_BYTES), { prefix: true, backend: 'fflate' });

function rateSide(label: string, unit: string, runs: number, members: RawMember[], amount: (m: RawMember) => number, work: (m: RawMember) => unknown): Promise<Side> {
  const total = members.reduce((n, m) => n + amount(m), 0);
  return repeat(runs, async () => total / cpuOf(() => { for (const m of members) work(m); }))
    .then((rates) => side(label, unit, rates, [{ members: members.length, amount: total }]));
}

/** The bytes a header-only parse needs: a growing inflated prefix until the parser has the header. */
function headerBytes(m: RawMember): { bytes: Uint8Array; complete: boolean } {
  for (let input = HEADER_INPUT_START; ; input *= HEADER_INPUT_GROWTH) {
    const complete = input >= m.data.length;
    const bytes = complete ? inflateRaw(m.data) : inflateRaw(m.data.subarray(0, input), { prefix: true });
    if (complete || parseDicom(bytes, { stopBeforePixels: true, complete: false }).status !== 'need-more') return { bytes, complete };
  }
}

/** One sink for every header, as each worker thread keeps one. */
const sink = new JsonSink();

/** The worker's own path: bytes straight to the meta column's JSON text (file order). */
function dicomJson(h: { bytes: Uint8Array; complete: boolean }): number {
  sink.length = 0;
  const r = parseDicomText(h.bytes, { stopBeforePixels: true, complete: h.complete }, sink);
  return r.textEnd - r.textStart;
}

function countRecords(dialect: CsvDialect, text: Uint8Array): number {
  let records = 0;
  const t = new CsvTokenizer(dialect, () => { records++; });
  for (let at = 0; at < text.length; at += CSV_CHUNK_BYTES) t.push(text.subarray(at, at + CSV_CHUNK_BYTES));
  t.end();
  return records;
}

export interface MicroInputs {
  dicomArchives: string[];
  csvArchives: string[];
  runs: number;
  /** pydicom's whole per-file work, header-only (from the zipdcm figure), to set the JSON row against. */
  pydicomHeader: Side | null;
  /** pyarrow.csv's parse rate (from the zipcsv figure). */
  pyarrowCsv: Side | null;
}

export async function microFigures(i: MicroInputs): Promise<Figure[]> {
  const dicom = (await zipMembers(i.dicomArchives, (name) => name.endsWith('.dcm')))
    .filter((m) => m.method === METHOD_DEFLATED).slice(0, MICRO_DICOM_MEMBERS);
  const unzippedMB = (m: RawMember) => m.size / MB;
  const one = () => 1;
  const figures: Figure[] = [];
  const wholeZlib = await rateSide('inflateRaw, zlib backend', 'MB/CPU-s', i.runs, dicom, unzippedMB, zlibWhole);
  const wholeFflate = await rateSide('inflateRaw, fflate backend', 'MB/CPU-s', i.runs, dicom, unzippedMB, fflateWhole);
  figures.push(figure('micro-inflate-whole', 'micro: inflate whole DICOM member, node:zlib vs fflate', wholeZlib, wholeFflate, null, `${dicom.length} deflated members`));
  const prefixZlib = await rateSide('inflateRaw prefix, zlib backend', 'files/CPU-s', i.runs, dicom, one, zlibPrefix);
  const prefixFflate = await rateSide('inflateRaw prefix, fflate backend', 'files/CPU-s', i.runs, dicom, one, fflatePrefix);
  figures.push(figure('micro-inflate-prefix', 'micro: inflate header prefix, node:zlib vs fflate', prefixZlib, prefixFflate, null, `first ${HEADER_PREFIX_BYTES} compressed bytes`));
  const headers = dicom.map(headerBytes);
  const json = await repeat(i.runs, async () => headers.length / cpuOf(() => { for (const h of headers) dicomJson(h); }));
  const jsonSide = side('parseDicomText (JSON text in file order)', 'files/CPU-s', json, [{ members: headers.length }]);
  figures.push(figure('micro-dicom-json', 'micro: DICOM header → JSON per file (vs the reference\'s whole header-only work)', jsonSide, i.pydicomHeader, null,
    'parse of already-inflated headers only; the reference column is pydicom\'s whole per-file work'));
  figures.push(await csvMicro(i));
  return figures;
}

async function csvMicro(i: MicroInputs): Promise<Figure> {
  const members = await zipMembers(i.csvArchives, (name) => name.endsWith('.csv'));
  const texts = members.map((m) => (m.method === METHOD_DEFLATED ? inflateRaw(m.data) : m.data));
  const dialect = makeDialect({ sep: ',', quote: '"', escape: '\\', comment: '' });
  if (typeof dialect === 'string') throw new Error(`CSV dialect: ${dialect}`);
  let records = 0;
  const rates = await repeat(i.runs, async () => {
    let n = 0;
    const cpu = cpuOf(() => { for (const t of texts) n += countRecords(dialect, t); });
    records = n;
    return n / cpu;
  });
  const s = side('CsvTokenizer records', 'rows/CPU-s', rates, [{ members: texts.length, records }]);
  return figure('micro-csv-parse', 'micro: CSV tokenize, records/CPU-s (vs pyarrow.csv parse)', s, i.pyarrowCsv, null,
    `${records} records incl. header lines, tokenizing only (no typed columns)`);
}
