// Central directory headers (APPNOTE 4.3.12) with ZIP64 extra fields (4.5.3), located by the end
// record (end-record.ts) and walked by the directory's byte size as Python's zipfile does
// (_RealGetContents): entry counts are hints, a last header cut by the directory's end keeps what
// lies inside it. A directory that cannot be walked is salvaged: the entries before the damage,
// or the entries rebuilt from local headers (local-scan.ts), whichever lists more.
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { decodeCp437 } from './cp437.ts';
import { readEndRecords, u64, view, type EndRecord } from './end-record.ts';
import { decodeEntryName, forEachExtra, isEncrypted, LOCAL_HEADER_SIGNATURE, METHOD_STORED, type ZipEntry } from './entry.ts';
import { scanLocalHeaders } from './local-scan.ts';
import { ZipError, zipError } from './zip-error.ts';

export type { ZipEntry } from './entry.ts';

const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_HEADER_SIZE = 46;
const U32_MAX = 0xffffffff;
const EXTRA_ZIP64 = 0x0001;
/** Directory bytes fetched per read; big directories are parsed window by window. */
const CD_READ_CHUNK = 4 << 20;

export interface CentralDirectory {
  entries: ZipEntry[];
  /** Archive comment, decoded as CP437 (APPNOTE has no flag for it). */
  comment: string;
  /** Absolute offset of the first central header; member data must end before it. */
  start: number;
  zip64: boolean;
  /** Null when the central directory was read whole; else what was wrong with it and how the
   *  entries were salvaged (each member is still size- and CRC-checked when read). */
  recovered: string | null;
}

export interface DirectoryLimits {
  maxEntries: number;
  /** Bytes searched for one member's data descriptor when rebuilding from local headers. */
  maxDescriptorSearch?: number;
}

/** Entries up to where a walk of the directory stopped, and why it stopped early (null: at its end). */
interface Walk {
  entries: ZipEntry[];
  error: ZipError | null;
  start: number;
  /** How a damaged end record was worked around, when it was. */
  note?: string;
}

/** Read and parse every central header; salvage what can be salvaged when that fails. */
export async function readCentralDirectory(file: RandomAccessFile, limits: DirectoryLimits): Promise<CentralDirectory> {
  let records: (EndRecord | ZipError)[];
  try {
    records = await readEndRecords(file);
  } catch (err) {
    if (!(err instanceof ZipError)) throw err;
    return salvage(file, limits, null, err);
  }
  let first: { walk: Walk; end: EndRecord } | null = null;
  let error: ZipError | null = null;
  for (const end of records) {
    const walk = end instanceof ZipError ? null : await walkDirectory(file, end, limits);
    if (walk !== null && walk.error === null) return directory(walk, end as EndRecord, walk.note ?? null);
    error ??= walk === null ? (end as ZipError) : walk.error;
    if (first === null && walk !== null) first = { walk, end: end as EndRecord };
  }
  return salvage(file, limits, first, error!);
}

function directory(walk: Walk, end: EndRecord, recovered: string | null): CentralDirectory {
  assignDataLimits(walk.entries, walk.start);
  return { entries: walk.entries, comment: decodeCp437(end.comment), start: walk.start, zip64: end.zip64, recovered };
}

/** The longer of the directory's entries before the damage and a local-header scan; the error
 *  when both are empty. */
async function salvage(file: RandomAccessFile, limits: DirectoryLimits, cd: { walk: Walk; end: EndRecord } | null, error: ZipError): Promise<CentralDirectory> {
  const scan = await scanLocalHeaders(file, limits);
  const partial = cd?.walk.entries.length ?? 0;
  if (scan.entries.length === 0 && partial === 0) throw error;
  const why = `${error.code}: ${error.message}`;
  if (cd !== null && partial >= scan.entries.length) {
    return directory(cd.walk, cd.end, `${why}; the ${partial} entries before the damage are listed`);
  }
  const note = `${why}; ${scan.entries.length} entries rebuilt from local headers${scan.stop === null ? '' : ` (scan stopped: ${scan.stop})`}`;
  return { entries: scan.entries, comment: '', start: scan.end, zip64: false, recovered: note };
}

async function walkDirectory(file: RandomAccessFile, end: EndRecord, limits: DirectoryLimits): Promise<Walk> {
  // Counts are hints (zipfile ignores them): only as many as the directory's size can hold count.
  const plausible = Math.min(end.entries, Math.floor(end.cdSize / CENTRAL_HEADER_SIZE));
  if (plausible > limits.maxEntries) {
    throw zipError('LIMIT_EXCEEDED', `archive declares ${plausible} entries, over the limit of ${limits.maxEntries}`);
  }
  // As Python's zipfile: the directory ends where the end record starts; a mismatch with the
  // declared offset is data prepended to the archive (self-extractors), shifting every offset
  // (negative when bytes were lost before the directory: the members after the loss still read).
  const start = end.recordPos - end.cdSize;
  const shift = start - end.cdOffset;
  const walk = start >= 0
    ? await parseHeaders(file, start, end.recordPos, shift, limits)
    : { entries: [], error: zipError('CD_TRUNCATED', `central directory of ${end.cdSize} bytes does not fit before its end record`), start: 0 };
  // A lying directory size puts the start off the first header; the declared offset (no
  // prepended data then) is the other reading. zipfile fails here, so no parity is at stake.
  if (walk.entries.length === 0 && walk.error !== null && end.cdOffset !== start && end.cdOffset < end.recordPos) {
    const other = await parseHeaders(file, end.cdOffset, end.recordPos, 0, limits);
    const note = `the end record's directory size ${end.cdSize} is wrong; the directory was walked from its declared offset ${end.cdOffset}`;
    if (other.entries.length > 0) return { ...other, note };
  }
  if (walk.error === null && shift > 0 && (await insideAMember(file, shift, end.recordPos, limits))) {
    // The end record is that of an archive stored as the last member of a cut copy: zipfile
    // lists that inner archive's members as this one's; we rebuild this one's entries instead.
    const message = `the last end record (at ${end.recordPos}) belongs to an archive stored inside a member of this one`;
    return { entries: [], error: zipError('EOCD_NOT_FOUND', message), start };
  }
  return walk;
}

/** Is the archive this end record describes one stored as a member of this one: its data starts
 *  where the shifted directory says the inner archive starts, and runs past its end record?
 *  Asked only when data comes before the directory; walks the local headers from byte 0. */
async function insideAMember(file: RandomAccessFile, shift: number, recordPos: number, limits: DirectoryLimits): Promise<boolean> {
  if (!(await startsWithLocalHeader(file))) return false;
  const scan = await scanLocalHeaders(file, limits);
  return scan.entries.some((e, i) => e.method === METHOD_STORED && scan.dataStarts[i] === shift && recordPos < e.dataLimit);
}

async function startsWithLocalHeader(file: RandomAccessFile): Promise<boolean> {
  const head = await file.read(0, 4);
  return head.length === 4 && view(head).getUint32(0, true) === LOCAL_HEADER_SIGNATURE;
}

/** Each member's data ends before the next local header in file order, the last one before the
 *  directory; entries sharing one local header overlap (Python's zipfile does the same). */
function assignDataLimits(entries: ZipEntry[], directoryStart: number): void {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset || a.index - b.index);
  let limit = directoryStart;
  for (let i = byOffset.length - 1; i >= 0; i--) {
    const entry = byOffset[i]!;
    entry.dataLimit = limit;
    limit = Math.min(limit, entry.localHeaderOffset);
  }
}

/** A sliding window over the directory bytes so huge directories need not sit in one buffer. */
class DirectoryWindow {
  private buf: Uint8Array = new Uint8Array(0);
  private bufPos: number;
  constructor(private readonly file: RandomAccessFile, start: number, private readonly end: number) {
    this.bufPos = start;
  }
  /** Bytes [pos, pos+len) of the directory (the caller keeps them before its end). Synchronous
   *  while the window holds them (a 100,000-entry directory costs a handful of reads, not 200,000 awaits). */
  get(pos: number, len: number): Uint8Array | Promise<Uint8Array> {
    if (pos >= this.bufPos && pos + len <= this.bufPos + this.buf.length) return this.buf.subarray(pos - this.bufPos, pos - this.bufPos + len);
    return this.refill(pos, len);
  }
  private async refill(pos: number, len: number): Promise<Uint8Array> {
    const want = Math.min(this.end - pos, Math.max(len, CD_READ_CHUNK));
    this.buf = await this.file.read(pos, want);
    this.bufPos = pos;
    if (this.buf.length < len) throw zipError('CD_TRUNCATED', 'file ends inside the central directory', { offset: pos });
    return this.buf.subarray(0, len);
  }
}

/** Walk the headers in [start, end). Stops at the first header that cannot be parsed, keeping
 *  the entries before it; only going over the entry limit throws. */
async function parseHeaders(file: RandomAccessFile, start: number, end: number, shift: number, limits: DirectoryLimits): Promise<Walk> {
  const window = new DirectoryWindow(file, start, end);
  const entries: ZipEntry[] = [];
  let pos = start;
  try {
    while (pos < end) {
      if (entries.length >= limits.maxEntries) throw zipError('LIMIT_EXCEEDED', `archive has more than ${limits.maxEntries} entries`);
      if (pos + CENTRAL_HEADER_SIZE > end) throw zipError('CD_TRUNCATED', 'central directory ends inside a header', { offset: pos });
      const got = window.get(pos, CENTRAL_HEADER_SIZE);
      const dv = view(got instanceof Uint8Array ? got : await got);
      if (dv.getUint32(0, true) !== CENTRAL_SIGNATURE) throw zipError('BAD_CENTRAL_HEADER', 'bad central header signature', { offset: pos });
      const nameLen = dv.getUint16(28, true);
      const extraLen = dv.getUint16(30, true);
      const variableLen = nameLen + extraLen + dv.getUint16(32, true);
      // As zipfile: a name, extra or comment running past the directory's end keeps what is
      // inside it (a cut name then fails against its local header, a cut comment costs nothing).
      const inside = Math.min(variableLen, end - pos - CENTRAL_HEADER_SIZE);
      const more = window.get(pos + CENTRAL_HEADER_SIZE, inside);
      const variable = more instanceof Uint8Array ? more : await more;
      // Copy the name so the window's buffer can be released after parsing.
      const rawName = variable.slice(0, nameLen);
      entries.push(decodeHeader(dv, rawName, variable.subarray(Math.min(nameLen, inside), Math.min(nameLen + extraLen, inside)), entries.length, shift, pos));
      pos += CENTRAL_HEADER_SIZE + variableLen;
    }
  } catch (err) {
    if (!(err instanceof ZipError) || err.code === 'LIMIT_EXCEEDED') throw err;
    return { entries, error: err, start };
  }
  return { entries, error: null, start };
}

function decodeHeader(dv: DataView, rawName: Uint8Array, extra: Uint8Array, index: number, shift: number, pos: number): ZipEntry {
  const flags = dv.getUint16(8, true);
  const method = dv.getUint16(10, true);
  let compressedSize = dv.getUint32(20, true);
  let uncompressedSize = dv.getUint32(24, true);
  let localHeaderOffset = dv.getUint32(42, true);
  forEachExtra(extra, (id, data) => {
    if (id !== EXTRA_ZIP64) return;
    const ev = view(data);
    let at = 0;
    const next = (what: string) => {
      if (at + 8 > data.length) throw zipError('ZIP64_INVALID', `ZIP64 extra field lacks the ${what}`, { offset: pos });
      at += 8;
      return u64(ev, at - 8);
    };
    // Only the fields saturated in the fixed header are present, in this order (4.5.3).
    if (uncompressedSize === U32_MAX) uncompressedSize = next('uncompressed size');
    if (compressedSize === U32_MAX) compressedSize = next('compressed size');
    if (localHeaderOffset === U32_MAX) localHeaderOffset = next('local header offset');
  });
  if (method === METHOD_STORED && compressedSize !== uncompressedSize && !isEncrypted(flags)) {
    // zipfile reads min(sizes) bytes of a stored member and checks the CRC-32 over them.
    compressedSize = uncompressedSize = Math.min(compressedSize, uncompressedSize);
  }
  const name = decodeEntryName(rawName, flags, extra);
  return {
    index,
    name,
    method,
    flags,
    compressedSize,
    uncompressedSize,
    crc32: dv.getUint32(16, true),
    localHeaderOffset: localHeaderOffset + shift,
    isDirectory: name.endsWith('/'),
    encrypted: isEncrypted(flags),
    rawName,
    dataLimit: Infinity, // set by assignDataLimits once every offset is known
  };
}
