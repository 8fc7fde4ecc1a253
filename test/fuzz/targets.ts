// The fuzz targets: one per layer, each a pure input generator (seeded) and an exercise of the
// layer's public API that returns an outcome label or throws. A thrown FuzzFinding is a broken
// invariant; any other throw the layer's own error type does not explain is a crash.
import { crc32, deflateRawSync } from 'node:zlib';
import { openZip, ZipError, type ZipEntry } from '../../server/zip/archive.ts';
import { readCentralDirectory } from '../../server/zip/central-directory.ts';
import { BytesReader } from '../../server/storage/random-access-file.ts';
import { parseDicom } from '../../server/workers/dicom-api.ts';
import { handleMemberTask } from '../../server/workers/member-task.ts';
import { CsvTokenizer } from '../../server/csv/tokenizer.ts';
import { CsvError } from '../../server/csv/csv-error.ts';
import { makeDialect, unescapeField, FIELD_SLOW, type CsvRecord } from '../../server/csv/record.ts';
import { makeNormalizer } from '../../server/csv/decode.ts';
import { inferValue } from '../../server/csv/infer.ts';
import { parseBool, parseDate, parseDouble, parseInt64, parseTimestamp } from '../../server/csv/values.ts';
import { decodeTicket, encodeTicket } from '../../server/protocol/ticket.ts';
import { parseCommand } from '../../server/protocol/descriptor.ts';
import { ServerError } from '../../server/errors.ts';
import { fakeSource } from '../../server/sources/fake.ts';
import { limits } from '../../server/limits.ts';
import { generateZip, mutateZip } from './zip-mutate.ts';
import { generateDicom, mutateDicom } from './dicom-mutate.ts';
import { csvInput, dialectOptions } from './csv-mutate.ts';
import { BYTE_MUTATORS, mutateStack } from './mutate.ts';
import type { Rng } from './rng.ts';
import { expected, FuzzFinding, type Target } from './target.ts';
import { zipcsvSourceTarget, zipdcmSourceTarget } from './source-targets.ts';
import { pathTarget } from './path-target.ts';
export { FuzzFinding, type Target };

const zipLabel = (e: unknown) => (e instanceof ZipError && typeof e.code === 'string' && (e.code as string) !== '' ? `ZipError:${e.code}` : undefined);
const csvLabel = (e: unknown) => (e instanceof CsvError && typeof e.code === 'string' ? `CsvError:${e.code}` : undefined);
const serverLabel = (e: unknown) => (e instanceof ServerError && typeof e.kind === 'string' ? `ServerError:${e.kind}` : undefined);
/** DICOM errors: the dicom layer's class is named DicomError and carries a code. */
const dicomLabel = (e: unknown) =>
  e instanceof Error && e.name === 'DicomError' && typeof (e as { code?: unknown }).code === 'string' ? `DicomError:${(e as unknown as { code: string }).code}` : undefined;

// ---------------------------------------------------------------- zip
/** Entries opened per archive and nesting depth followed; bounded so a case stays in milliseconds. */
const MAX_ENTRIES_READ = 12;
const MAX_NESTING = 3;
const PREFIX_BYTES = 4096;
const NESTED_MAX_BYTES = 1 << 20;

async function exerciseZip(input: Uint8Array, depth: number): Promise<string> {
  const file = new BytesReader(input);
  try {
    await readCentralDirectory(file, { maxEntries: 10_000 });
  } catch (err) {
    expected(err, zipLabel);
  }
  let zip;
  try {
    zip = await openZip(file);
  } catch (err) {
    return expected(err, zipLabel);
  }
  const labels = new Set<string>();
  for (const entry of zip.entries.slice(0, MAX_ENTRIES_READ)) {
    try {
      const prefix = await zip.readPrefix(entry, PREFIX_BYTES);
      if (prefix.bytes.length > PREFIX_BYTES) throw new FuzzFinding(`readPrefix(${PREFIX_BYTES}) returned ${prefix.bytes.length} bytes`);
      const whole = await readMember(zip, entry);
      labels.add('ok');
      if (whole && depth < MAX_NESTING && /\.zip$/i.test(entry.name)) labels.add(`nested:${await exerciseZip(whole, depth + 1)}`);
    } catch (err) {
      labels.add(expected(err, zipLabel));
    }
  }
  return [...labels].sort().join(',') || 'empty';
}

/**
 * Stream a member, consuming at most the per-member limit plus a margin. A stream that ends
 * cleanly must have yielded exactly the declared size with the declared CRC-32 (APPNOTE 4.4.7–4.4.9):
 * anything else is silent corruption. Returns the bytes when small enough to open as a nested zip.
 */
async function readMember(zip: Awaited<ReturnType<typeof openZip>>, entry: ZipEntry): Promise<Uint8Array | undefined> {
  const cap = limits().maxInflatedBytesPerMember;
  const keep: Uint8Array[] = [];
  let total = 0;
  let crc = 0;
  for await (const chunk of zip.openStream(entry)) {
    total += chunk.length;
    crc = crc32(chunk, crc);
    if (total > cap) throw new FuzzFinding(`${entry.name}: yielded ${total} bytes, past maxInflatedBytesPerMember ${cap}, without LIMIT_EXCEEDED`);
    if (total > entry.uncompressedSize) throw new FuzzFinding(`${entry.name}: yielded ${total} bytes, more than the declared ${entry.uncompressedSize}`);
    if (total <= NESTED_MAX_BYTES) keep.push(chunk);
  }
  if (total !== entry.uncompressedSize) throw new FuzzFinding(`${entry.name}: stream ended cleanly after ${total} of ${entry.uncompressedSize} declared bytes`);
  if (crc >>> 0 !== entry.crc32 >>> 0) throw new FuzzFinding(`${entry.name}: stream ended cleanly with CRC ${(crc >>> 0).toString(16)} ≠ declared ${entry.crc32.toString(16)}`);
  return total <= NESTED_MAX_BYTES ? Buffer.concat(keep) : undefined;
}

export const zipTarget: Target = {
  name: 'zip',
  input: (rng, seeds) => (rng.chance(0.7) ? mutateZip(rng.pick(seeds.zips), rng) : generateZip(seeds.zips, rng)),
  exercise: (input) => exerciseZip(input, 0),
};

// ---------------------------------------------------------------- dicom
const PARSE_STATUSES = new Set(['ok', 'need-more', 'error']);

function checkParse(input: Uint8Array, rng: Rng): string {
  const stopBeforePixels = rng.chance(0.5);
  const complete = rng.chance(0.7);
  let r;
  try {
    r = parseDicom(input, { stopBeforePixels, complete, keysFilter: ['7FE00010'] });
  } catch (err) {
    return expected(err, dicomLabel);
  }
  if (!r || !PARSE_STATUSES.has(r.status)) throw new FuzzFinding(`parseDicom returned status ${JSON.stringify(r?.status)}`);
  if (r.status === 'error' && (!r.error || typeof r.error.code !== 'string')) throw new FuzzFinding('parseDicom error without a code');
  // The model must serialise (no cycles); UV/SV past 2^53 are BigInt by design (CONTEXT.md).
  if (r.status === 'ok') JSON.stringify(r.json, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return r.status === 'error' ? `error:${r.error!.code}` : r.status;
}

/** The whole member path a pool worker runs: inflate, parse, serialise; must never throw. */
function checkMemberTask(input: Uint8Array, rng: Rng): string {
  const deflated = rng.chance(0.5);
  let bytes = deflated ? deflateRawSync(input) : input;
  if (rng.chance(0.3)) bytes = mutateStack(bytes, rng, BYTE_MUTATORS);
  const whole = rng.chance(0.7);
  const r = handleMemberTask({
    mode: whole && rng.chance(0.5) ? 'whole' : 'header',
    method: deflated ? 8 : 0,
    bytes,
    whole,
    uncompressedSize: rng.chance(0.8) ? input.length : rng.u32(),
    crc32: rng.chance(0.5) ? crc32(input) >>> 0 : null,
    keysFilter: ['7FE00010', '60003000'],
    firstInput: 0,
  });
  if (!r || !PARSE_STATUSES.has(r.status)) throw new FuzzFinding(`handleMemberTask returned status ${JSON.stringify(r?.status)}`);
  if (r.meta !== null) JSON.parse(r.meta);
  return `task:${r.status}`;
}

export const dicomTarget: Target = {
  name: 'dicom',
  input: (rng, seeds) => (rng.chance(0.85) ? mutateDicom(rng.pick(seeds.dicoms), rng) : generateDicom(rng)),
  exercise: async (input, rng) => (rng.chance(0.6) ? checkParse(input, rng) : checkMemberTask(input, rng)),
};

// ---------------------------------------------------------------- csv
/** Tokenize in one push and in random chunks: the records (fields, lines) must be identical. */
function tokenize(input: Uint8Array, dialect: ReturnType<typeof makeDialect> & object, cuts: number[], maxRecord: number): string[] {
  const out: string[] = [];
  const scratch = new Uint8Array(input.length + 16);
  const onRecord = (rec: CsvRecord) => {
    const fields: string[] = [];
    for (let i = 0; i < rec.count; i++) {
      const s = rec.starts[i];
      const e = rec.ends[i];
      if (s < 0 || e < s || e > rec.buf.length) throw new FuzzFinding(`field ${i} range ${s}..${e} outside the buffer of ${rec.buf.length}`);
      const bytes = rec.flags[i] & FIELD_SLOW ? scratch.subarray(0, unescapeField(rec.buf, s, e, dialect, scratch)) : rec.buf.subarray(s, e);
      inferValue(bytes);
      parseInt64(bytes); parseDouble(bytes); parseBool(bytes); parseDate(bytes); parseTimestamp(bytes);
      fields.push(Buffer.from(bytes).toString('latin1'));
    }
    out.push(`${rec.line}:${rec.unclosed ? 'U' : ''}:${JSON.stringify(fields)}`);
  };
  const tok = new CsvTokenizer(dialect, onRecord, maxRecord);
  let at = 0;
  for (const cut of cuts) {
    tok.push(input.subarray(at, cut));
    at = cut;
  }
  tok.push(input.subarray(at));
  tok.end();
  return out;
}

function exerciseCsv(input: Uint8Array, rng: Rng): string {
  const dialect = makeDialect(dialectOptions(rng));
  if (typeof dialect === 'string') return 'bad-dialect';
  const maxRecord = rng.chance(0.2) ? rng.range(1, 256) : 1 << 20;
  let utf8 = input;
  try {
    const norm = makeNormalizer(rng.pick(['utf-8', 'utf-8', 'utf-8', 'latin1', 'utf-16le', 'windows-1252', 'shift_jis', 'utf-8', 'no-such-encoding']), rng.chance(0.2));
    utf8 = Buffer.concat([norm.push(input), norm.end()]);
  } catch (err) {
    return expected(err, csvLabel);
  }
  let whole: string[];
  try {
    whole = tokenize(utf8, dialect, [], maxRecord);
  } catch (err) {
    return expected(err, csvLabel);
  }
  const cuts = Array.from({ length: rng.range(1, 12) }, () => rng.int(utf8.length + 1)).sort((a, b) => a - b);
  let chunked: string[];
  try {
    chunked = tokenize(utf8, dialect, cuts, maxRecord);
  } catch (err) {
    // A record limit may trip at a different point when chunked; other errors must agree.
    if (err instanceof CsvError && err.code === 'RECORD_TOO_LARGE') return 'CsvError:RECORD_TOO_LARGE(chunked)';
    throw err;
  }
  if (whole.length !== chunked.length || whole.some((r, i) => r !== chunked[i])) {
    const i = whole.findIndex((r, k) => r !== chunked[k]);
    throw new FuzzFinding(`records differ when split at ${JSON.stringify(cuts)}: record ${i} ${whole[i]} vs ${chunked[i]}`);
  }
  return `records:${Math.min(whole.length, 3)}`;
}

export const csvTarget: Target = {
  name: 'csv',
  input: (rng) => csvInput(rng),
  exercise: async (input, rng) => exerciseCsv(input, rng),
};

// ---------------------------------------------------------------- ticket / descriptor
const TICKET_KEY = Buffer.alloc(32, 7);

function goodTicket(rng: Rng): Uint8Array {
  const spec = rng.pick([{ partition: 0 }, { archive: 'a.zip', members: [0, 1] }, null, 'x', [1, 2]]);
  return encodeTicket({ source: rng.pick(['fake', 'zipdcm', 'zipcsv']), path: rng.pick(['', 'dicom/a.zip', '../etc']), options: { numRows: 5 }, spec }, TICKET_KEY);
}

function goodCommand(rng: Rng): Uint8Array {
  const options = rng.pick([{}, { numRows: '7', seed: 3 }, { numRows: 1e300 }, { schema: 'a int, b string' }, { numPartitions: -1 }, { schema: 'x struct<y: array<int>>' }]);
  return Buffer.from(JSON.stringify({ source: rng.pick(['fake', 'fake', 'zipdcm']), path: rng.pick(['', 'a/b.zip']), options }));
}

async function exerciseTicket(input: Uint8Array, rng: Rng): Promise<string> {
  const isTicket = input[0] !== 0x7b; // '{' → a CMD descriptor
  if (isTicket) {
    try {
      const t = decodeTicket(input, TICKET_KEY);
      // Accepted: the payload must be byte for byte one this key signed (what encodeTicket of
      // the decoded contents gives); a signature spelled differently is base64 slack, not a forgery.
      const again = Buffer.from(encodeTicket(t, TICKET_KEY)).toString('latin1');
      const given = Buffer.from(input).toString('latin1');
      if (given.split('.')[0] !== again.split('.')[0]) throw new FuzzFinding(`forged ticket accepted: ${given.slice(0, 120)}`);
      return given === again ? 'accepted' : 'accepted-altered-signature-spelling';
    } catch (err) {
      return expected(err, serverLabel);
    }
  }
  try {
    const req = parseCommand(input);
    if (req.source !== 'fake') return 'command-ok';
    const ctx = { root: undefined as never, signal: AbortSignal.timeout(2000) };
    const plan = await fakeSource.describe(req, ctx);
    if (plan.partitions.length && rng.chance(0.3) && (plan.partitions[0].records ?? Infinity) <= 1000) {
      for await (const batch of fakeSource.read(req, plan.partitions[0].spec, ctx)) batch.numRows;
    }
    return 'described';
  } catch (err) {
    return expected(err, serverLabel);
  }
}

export const ticketTarget: Target = {
  name: 'ticket',
  input: (rng) => {
    const base = rng.chance(0.6) ? goodTicket(rng) : goodCommand(rng);
    return rng.chance(0.9) ? mutateStack(base, rng, BYTE_MUTATORS) : base;
  },
  exercise: exerciseTicket,
};

// ---------------------------------------------------------------- selftest
/** What the selftest target does with an input whose first byte is b: b % SELFTEST_KINDS. */
export const SELFTEST_ACTIONS = ['ok', 'crash', 'finding', 'hang-async', 'hang-sync', 'memory'] as const;
const SELFTEST_HOLD_MS = 400;
const SELFTEST_BLOCKS = 16;
const SELFTEST_BLOCK_BYTES = 64 * 1024 * 1024;

/** A target that misbehaves on purpose, so the runner's detectors are themselves tested. */
export const selftestTarget: Target = {
  name: 'selftest',
  input: (rng) => rng.bytes(1),
  exercise: async (input) => {
    const action = SELFTEST_ACTIONS[input[0] % SELFTEST_ACTIONS.length];
    if (action === 'crash') throw new TypeError('selftest: a TypeError escaping the layer');
    if (action === 'finding') throw new FuzzFinding('selftest: a broken invariant');
    if (action === 'hang-async') await new Promise(() => {});
    if (action === 'hang-sync') for (;;);
    if (action === 'memory') {
      // Grow by touched 64 MiB blocks to 1 GiB, yielding between them, then hold.
      const held: Buffer[] = [];
      for (let i = 0; i < SELFTEST_BLOCKS; i++) {
        held.push(Buffer.alloc(SELFTEST_BLOCK_BYTES, 1));
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, SELFTEST_HOLD_MS));
      return `held ${held.length} blocks`;
    }
    return 'ok';
  },
};

/** The layers fuzzed by `--target all` and the CI suite. */
export const LAYER_TARGETS = ['zip', 'dicom', 'csv', 'ticket', 'path', 'zipdcm', 'zipcsv'];
export const TARGETS: Record<string, Target> = {
  zip: zipTarget,
  dicom: dicomTarget,
  csv: csvTarget,
  ticket: ticketTarget,
  zipdcm: zipdcmSourceTarget,
  zipcsv: zipcsvSourceTarget,
  path: pathTarget,
  selftest: selftestTarget,
};
