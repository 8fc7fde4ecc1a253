// zipcsv's access to its inputs: open archives under the data root (APPNOTE 4.3.16 central
// directory via server/zip), select CSV members by name, and stream one member's inflated bytes
// through the encoding normaliser into the CSV tokenizer, one chunk at a time. Damaged input
// becomes a ServerError('data-loss') naming archive and member; storage errors keep their kind.
import { ServerError } from '../errors.ts';
import { limits } from '../limits.ts';
import { CsvError } from '../csv/csv-error.ts';
import { makeNormalizer } from '../csv/decode.ts';
import type { CsvRecord } from '../csv/record.ts';
import { CsvTokenizer, type RecordHandler, type RecordSink } from '../csv/tokenizer.ts';
import type { DataRoot } from '../storage/data-root.ts';
import { matchGlob } from '../storage/glob.ts';
import { StorageError } from '../storage/storage-error.ts';
import { METHOD_DEFLATED, METHOD_STORED, openZip, ZipError, type ZipArchive, type ZipEntry } from '../zip/archive.ts';
import type { ZipcsvSettings } from './zipcsv-options.ts';

/** Planning reads a member's start through growing inflated prefixes, then streams past the last. */
const FIRST_PREFIX_BYTES = 16 * 1024;
const PREFIX_GROWTH = 4;
const PREFIX_MAX_BYTES = 4 * 1024 * 1024;
/** Head-room over the estimated bytes of the records still wanted (record lengths vary). */
const PREFIX_MARGIN = 1.2;

export interface OpenArchive {
  path: string;
  archive: ZipArchive;
  close(): Promise<void>;
}

/** Is this entry a member the options select? By name only, before anything is inflated. */
export function memberSelected(entry: ZipEntry, memberFilter: string): boolean {
  if (entry.isDirectory) return false;
  const glob = memberFilter.trim();
  const name = glob.includes('/') ? entry.name : entry.name.slice(entry.name.lastIndexOf('/') + 1);
  return matchGlob(name, glob, { caseInsensitive: true });
}

/** True for errors that damaged or unreadable input caused (not our bugs, not cancellation). */
export function isInputDamage(err: unknown): boolean {
  if (err instanceof ZipError) return true;
  if (err instanceof StorageError) return err.code === 'IO_ERROR';
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // node:zlib reports a corrupt deflate stream as Z_DATA_ERROR, Z_BUF_ERROR, ...
  return typeof code === 'string' && (code.startsWith('Z_') || /^E[A-Z]+$/.test(code));
}

function damageText(err: unknown): string {
  if (err instanceof ZipError || err instanceof StorageError) return `${err.code}: ${err.message}`;
  const code = (err as NodeJS.ErrnoException).code;
  // Raw fs errors name absolute server paths: give the code only.
  return code?.startsWith('Z_') ? `corrupt deflate data (${code})` : `I/O error ${code}`;
}

/** Damage ignoreCorruptFiles skips: a wrapped ZIP / inflate / I/O error. FAILFAST rows and
 *  "changed since planning" carry no cause and always fail. */
export function isSkippableDamage(err: unknown): boolean {
  return err instanceof ServerError && err.kind === 'data-loss' && err.cause !== undefined;
}

/** The ServerError for `err` while reading `where` (an archive, or `archive::member`). */
export function inputError(err: unknown, where: string): unknown {
  if (err instanceof ServerError) return err;
  if (err instanceof StorageError) {
    if (err.code === 'NOT_FOUND') return new ServerError('not-found', `zipcsv: no such path ${JSON.stringify(where)}`, { cause: err });
    if (err.code === 'OUTSIDE_ROOT') return new ServerError('permission-denied', `zipcsv: path ${JSON.stringify(where)} is outside the data root`, { cause: err });
    if (err.code !== 'IO_ERROR') return new ServerError('invalid-argument', `zipcsv: ${err.message}`, { cause: err });
  }
  if (err instanceof CsvError) {
    const kind = err.code === 'RECORD_TOO_LARGE' || err.code === 'TOO_MANY_FIELDS' ? 'resource-exhausted' : 'invalid-argument';
    return new ServerError(kind, `zipcsv: ${where}: ${err.message}`, { cause: err });
  }
  if (isInputDamage(err)) return new ServerError('data-loss', `zipcsv: ${where}: ${damageText(err)}`, { cause: err });
  return err;
}

export async function openArchive(root: DataRoot, rel: string): Promise<OpenArchive> {
  const file = await root.openFile(rel);
  try {
    return { path: rel, archive: await openZip(file), close: () => file.close() };
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** Inflated bytes of a member; refuses (as damage) what the ZIP layer cannot read. */
export function memberBytes(input: OpenArchive, entry: ZipEntry, signal: AbortSignal): AsyncIterable<Uint8Array> {
  if (entry.encrypted) throw new ZipError('ENCRYPTED', 'encrypted member (APPNOTE 4.4.4 bit 0)', { member: entry.name });
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED) {
    throw new ZipError('UNSUPPORTED_METHOD', `compression method ${entry.method}`, { member: entry.name });
  }
  return input.archive.openStream(entry, signal);
}

/**
 * Feed one member through decoding and tokenizing; `onRecord` sees every record (reused object).
 * Yields after each chunk so the caller can flush batches, stop early (return()) or check the
 * signal. Errors come out as ServerErrors naming `archive::member`.
 */
export async function* tokenizeMember(input: OpenArchive, entry: ZipEntry, settings: ZipcsvSettings, signal: AbortSignal, onRecord: RecordHandler | RecordSink): AsyncGenerator<void> {
  const where = `${input.path}::${entry.name}`;
  const normalizer = makeNormalizer(settings.encoding);
  const tokenizer = new CsvTokenizer(settings.dialect, onRecord, limits().maxCsvRecordBytes);
  try {
    for await (const chunk of memberBytes(input, entry, signal)) {
      tokenizer.push(normalizer.push(chunk));
      yield;
      signal.throwIfAborted();
    }
    tokenizer.push(normalizer.end());
    tokenizer.end();
  } catch (err) {
    throw inputError(err, where);
  }
  yield;
}

/** Tokenize `bytes` (a prefix of the member, or all of it when `complete`) into `onRecord`, up to
 *  the record after which `enough()` holds (the rest of the prefix is not tokenized). */
function tokenizePrefix(bytes: Uint8Array, complete: boolean, settings: ZipcsvSettings, onRecord: (rec: CsvRecord) => void, enough: () => boolean): void {
  const normalizer = makeNormalizer(settings.encoding);
  const tokenizer: CsvTokenizer = new CsvTokenizer(settings.dialect, (rec) => {
    onRecord(rec);
    if (enough()) tokenizer.stop();
  }, limits().maxCsvRecordBytes);
  tokenizer.push(normalizer.push(bytes));
  if (complete) {
    tokenizer.push(normalizer.end());
    tokenizer.end();
  }
}

/**
 * The next prefix to inflate after `n` bytes gave `delivered` records: sized from the bytes per
 * record seen so far when the caller said how many it wants (each prefix is inflated and
 * tokenized again from the start, so overshooting 4× costs more than one more round), else 4×.
 */
function nextPrefix(n: number, delivered: number, wanted: number): number {
  const estimate = wanted > 0 && delivered > 0 ? Math.ceil((n * wanted * PREFIX_MARGIN) / delivered) : n * PREFIX_GROWTH;
  return Math.min(PREFIX_MAX_BYTES, Math.max(estimate, n + FIRST_PREFIX_BYTES));
}

/**
 * The member's records from its start until `enough()` says stop (planning's header and sample).
 * Small growing prefixes are inflated (readPrefix decodes no more than asked); past
 * PREFIX_MAX_BYTES the member is streamed instead, so memory stays bounded either way. Each
 * record reaches `onRecord` once, even when a longer prefix is tokenized again from the start.
 */
export async function readLeadingRecords(input: OpenArchive, entry: ZipEntry, settings: ZipcsvSettings, signal: AbortSignal, onRecord: (rec: CsvRecord) => void, enough: () => boolean, wanted = 0): Promise<void> {
  let delivered = 0;
  let skip = 0;
  const once = (rec: CsvRecord) => {
    if (skip > 0) skip--;
    else if (!enough()) {
      delivered++;
      onRecord(rec);
    }
  };
  try {
    for (let n = FIRST_PREFIX_BYTES; ; n = nextPrefix(n, delivered, wanted)) {
      const { bytes, complete } = await input.archive.readPrefix(entry, n, signal);
      skip = delivered;
      tokenizePrefix(bytes, complete, settings, once, enough);
      if (enough() || complete) return;
      if (n >= PREFIX_MAX_BYTES) break;
    }
  } catch (err) {
    throw inputError(err, `${input.path}::${entry.name}`);
  }
  skip = delivered;
  for await (const _ of tokenizeMember(input, entry, settings, signal, once)) if (enough()) break;
}
