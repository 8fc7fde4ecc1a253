// End of central directory (APPNOTE 4.3.16), ZIP64 locator and record (4.3.14–4.3.15), central
// directory headers (4.3.12) with ZIP64 (4.5.3) and Info-ZIP Unicode Path (4.6.9) extra fields.
// Reads only the archive's tail and then the directory in a few large reads.
import { crc32 } from 'node:zlib';
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { decodeAscii, decodeCp437, decodeUtf8, isAscii } from './cp437.ts';
import { zipError } from './zip-error.ts';

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIGNATURE = 0x02014b50;
const CENTRAL_HEADER_SIZE = 46;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const TWO_32 = 0x1_0000_0000;
const EXTRA_ZIP64 = 0x0001;
const EXTRA_UNICODE_PATH = 0x7075;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
/** Directory bytes fetched per read; big directories are parsed window by window. */
const CD_READ_CHUNK = 4 << 20;

/** One member as the central directory describes it (APPNOTE 4.3.12). */
export interface ZipEntry {
  /** Position in the central directory, 0-based. */
  index: number;
  /** Decoded name: UTF-8 when flag bit 11 is set, else CP437; cut at a NUL like Python's zipfile. */
  name: string;
  /** Compression method (4.4.5): 0 stored, 8 deflated; others are refused when read. */
  method: number;
  /** General purpose bit flags (4.4.4). */
  flags: number;
  /** Bytes of member data in the archive (ZIP64 extra applied). */
  compressedSize: number;
  /** Bytes after inflation, as declared (ZIP64 extra applied). */
  uncompressedSize: number;
  /** CRC-32 of the uncompressed bytes, unsigned. */
  crc32: number;
  /** Absolute offset of the local header in the file (corrected for prepended data). */
  localHeaderOffset: number;
  /** Name ends with '/'. */
  isDirectory: boolean;
  /** Flag bit 0 (or strong encryption bit 6) set. */
  encrypted: boolean;
  /** The name's bytes as stored, to check the local header against (APPNOTE 4.3.7). */
  rawName: Uint8Array;
  /** Member data must end by this offset: the next local header in file order, or the central
   *  directory (overlapping members are how some zip bombs multiply their output). */
  dataLimit: number;
}

export interface CentralDirectory {
  entries: ZipEntry[];
  /** Archive comment, decoded as CP437 (APPNOTE has no flag for it). */
  comment: string;
  /** Absolute offset of the first central header; member data must end before it. */
  start: number;
  zip64: boolean;
}

interface EndRecord {
  entries: number;
  cdSize: number;
  cdOffset: number;
  /** Where the (ZIP64) end record starts: the directory ends right before it. */
  recordPos: number;
  comment: Uint8Array;
  zip64: boolean;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Little-endian u64 as a number; over 2^53 cannot be addressed exactly → ZIP64_INVALID. */
function u64(dv: DataView, at: number, what: string): number {
  const hi = dv.getUint32(at + 4, true);
  if (hi >= 1 << 21) throw zipError('ZIP64_INVALID', `${what} does not fit in 2^53`);
  return hi * TWO_32 + dv.getUint32(at, true);
}

/** Find the EOCD in the last 64 KiB + 22 bytes, then apply a ZIP64 record if one is located. */
export async function readEndRecord(file: RandomAccessFile): Promise<EndRecord> {
  if (file.size < EOCD_SIZE) throw zipError('EOCD_NOT_FOUND', `file of ${file.size} bytes is too short for a ZIP`);
  const tailStart = Math.max(0, file.size - EOCD_SIZE - MAX_COMMENT);
  const tail = await file.read(tailStart, file.size - tailStart);
  const dv = view(tail);
  // Last signature whose record and comment fit in the file, as Python's rfind; comments may hold
  // bytes that look like a signature, so earlier candidates are tried when a later one does not fit.
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (dv.getUint32(i, true) !== EOCD_SIGNATURE) continue;
    const commentLen = dv.getUint16(i + 20, true);
    if (i + EOCD_SIZE + commentLen > tail.length) continue;
    const end: EndRecord = {
      entries: dv.getUint16(i + 10, true),
      cdSize: dv.getUint32(i + 12, true),
      cdOffset: dv.getUint32(i + 16, true),
      recordPos: tailStart + i,
      comment: tail.slice(i + EOCD_SIZE, i + EOCD_SIZE + commentLen),
      zip64: false,
    };
    return applyZip64(file, end);
  }
  throw zipError('EOCD_NOT_FOUND', 'no end of central directory record (truncated or not a ZIP)');
}

async function applyZip64(file: RandomAccessFile, end: EndRecord): Promise<EndRecord> {
  const locatorPos = end.recordPos - ZIP64_LOCATOR_SIZE;
  const needsZip64 = end.cdSize === U32_MAX || end.cdOffset === U32_MAX;
  const locator = locatorPos >= 0 ? await file.read(locatorPos, ZIP64_LOCATOR_SIZE) : new Uint8Array(0);
  if (locator.length < ZIP64_LOCATOR_SIZE || view(locator).getUint32(0, true) !== ZIP64_LOCATOR_SIGNATURE) {
    if (needsZip64) throw zipError('ZIP64_INVALID', 'directory fields say ZIP64 but there is no ZIP64 locator', { offset: end.recordPos });
    return end;
  }
  const lv = view(locator);
  const totalDisks = lv.getUint32(16, true);
  if (lv.getUint32(4, true) !== 0 || totalDisks > 1) throw zipError('ZIP64_INVALID', 'archives spanning several disks are not supported');
  // The record normally sits right before the locator (Python assumes so); else trust the locator.
  const candidates = [locatorPos - ZIP64_EOCD_SIZE, u64(lv, 8, 'ZIP64 record offset')];
  for (const pos of candidates) {
    if (pos < 0 || pos + ZIP64_EOCD_SIZE > locatorPos) continue;
    const rec = await file.read(pos, ZIP64_EOCD_SIZE);
    const rv = view(rec);
    if (rec.length < ZIP64_EOCD_SIZE || rv.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) continue;
    return {
      entries: u64(rv, 32, 'ZIP64 entry count'),
      cdSize: u64(rv, 40, 'ZIP64 directory size'),
      cdOffset: u64(rv, 48, 'ZIP64 directory offset'),
      recordPos: pos,
      comment: end.comment,
      zip64: true,
    };
  }
  throw zipError('ZIP64_INVALID', 'ZIP64 locator points at no ZIP64 end of central directory record', { offset: locatorPos });
}

export interface DirectoryLimits {
  maxEntries: number;
}

/** Read and parse every central header. Offsets are shifted by any data prepended to the ZIP. */
export async function readCentralDirectory(file: RandomAccessFile, limits: DirectoryLimits): Promise<CentralDirectory> {
  const end = await readEndRecord(file);
  if (end.entries > limits.maxEntries) {
    throw zipError('LIMIT_EXCEEDED', `archive declares ${end.entries} entries, over the limit of ${limits.maxEntries}`);
  }
  // As Python's zipfile: the directory ends where the end record starts; a mismatch with the
  // declared offset is data prepended to the archive (self-extractors), shifting every offset.
  const start = end.recordPos - end.cdSize;
  if (start < 0) throw zipError('CD_TRUNCATED', `central directory of ${end.cdSize} bytes does not fit before its end record`);
  const shift = start - end.cdOffset;
  if (end.entries * CENTRAL_HEADER_SIZE > end.cdSize && end.entries <= U16_MAX) {
    // Counts are not trusted for parsing (Python ignores them), only sanity-checked here.
    throw zipError('CD_TRUNCATED', `${end.entries} entries cannot fit in a ${end.cdSize}-byte central directory`);
  }
  const entries = await parseHeaders(file, start, end.cdSize, shift, limits);
  assignDataLimits(entries, start);
  return { entries, comment: decodeCp437(end.comment), start, zip64: end.zip64 };
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
  constructor(private readonly file: RandomAccessFile, private readonly start: number, private readonly end: number) {
    this.bufPos = start;
  }
  /** Bytes [pos, pos+len) of the directory; CD_TRUNCATED if they pass its end. Synchronous while
   *  the window holds them (a 100,000-entry directory costs a handful of reads, not 200,000 awaits). */
  get(pos: number, len: number): Uint8Array | Promise<Uint8Array> {
    if (pos >= this.bufPos && pos + len <= this.bufPos + this.buf.length) return this.buf.subarray(pos - this.bufPos, pos - this.bufPos + len);
    return this.refill(pos, len);
  }
  private async refill(pos: number, len: number): Promise<Uint8Array> {
    if (pos + len > this.end) throw zipError('CD_TRUNCATED', 'central directory ends inside a header', { offset: pos });
    const want = Math.min(this.end - pos, Math.max(len, CD_READ_CHUNK));
    this.buf = await this.file.read(pos, want);
    this.bufPos = pos;
    if (this.buf.length < len) throw zipError('CD_TRUNCATED', 'file ends inside the central directory', { offset: pos });
    return this.buf.subarray(0, len);
  }
}

async function parseHeaders(file: RandomAccessFile, start: number, size: number, shift: number, limits: DirectoryLimits) {
  const window = new DirectoryWindow(file, start, start + size);
  const entries: ZipEntry[] = [];
  let pos = start;
  while (pos < start + size) {
    if (entries.length >= limits.maxEntries) {
      throw zipError('LIMIT_EXCEEDED', `archive has more than ${limits.maxEntries} entries`);
    }
    const got = window.get(pos, CENTRAL_HEADER_SIZE);
    const fixed = got instanceof Uint8Array ? got : await got;
    const dv = view(fixed);
    if (dv.getUint32(0, true) !== CENTRAL_SIGNATURE) throw zipError('BAD_CENTRAL_HEADER', 'bad central header signature', { offset: pos });
    const nameLen = dv.getUint16(28, true);
    const extraLen = dv.getUint16(30, true);
    const commentLen = dv.getUint16(32, true);
    const more = window.get(pos + CENTRAL_HEADER_SIZE, nameLen + extraLen + commentLen);
    const variable = more instanceof Uint8Array ? more : await more;
    // Copy the name so the window's buffer can be released after parsing.
    const rawName = variable.slice(0, nameLen);
    entries.push(decodeHeader(dv, rawName, variable.subarray(nameLen, nameLen + extraLen), entries.length, shift, pos));
    pos += CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
  }
  return entries;
}

function decodeHeader(dv: DataView, rawName: Uint8Array, extra: Uint8Array, index: number, shift: number, pos: number): ZipEntry {
  const flags = dv.getUint16(8, true);
  let compressedSize = dv.getUint32(20, true);
  let uncompressedSize = dv.getUint32(24, true);
  let localHeaderOffset = dv.getUint32(42, true);
  let name: string | undefined;
  forEachExtra(extra, (id, data) => {
    if (id === EXTRA_ZIP64) {
      const ev = view(data);
      let at = 0;
      const next = (what: string) => {
        if (at + 8 > data.length) throw zipError('ZIP64_INVALID', `ZIP64 extra field lacks the ${what}`, { offset: pos });
        const v = u64(ev, at, what);
        at += 8;
        return v;
      };
      // Only the fields saturated in the fixed header are present, in this order (4.5.3).
      if (uncompressedSize === U32_MAX) uncompressedSize = next('uncompressed size');
      if (compressedSize === U32_MAX) compressedSize = next('compressed size');
      if (localHeaderOffset === U32_MAX) localHeaderOffset = next('local header offset');
    } else if (id === EXTRA_UNICODE_PATH && name === undefined && (flags & FLAG_UTF8) === 0) {
      name = unicodePath(data, rawName);
    }
  });
  if (name === undefined) name = isAscii(rawName) ? decodeAscii(rawName) : flags & FLAG_UTF8 ? decodeUtf8(rawName) : decodeCp437(rawName);
  const nul = name.indexOf('\0');
  if (nul >= 0) name = name.slice(0, nul);
  return {
    index,
    name,
    method: dv.getUint16(10, true),
    flags,
    compressedSize,
    uncompressedSize,
    crc32: dv.getUint32(16, true),
    localHeaderOffset: localHeaderOffset + shift,
    isDirectory: name.endsWith('/'),
    encrypted: (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0,
    rawName,
    dataLimit: Infinity, // set by assignDataLimits once every offset is known
  };
}

/** Walk extra-field records; a record running past the end stops the walk (padding writers). */
function forEachExtra(extra: Uint8Array, fn: (id: number, data: Uint8Array) => void): void {
  const dv = view(extra);
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = dv.getUint16(at, true);
    const len = dv.getUint16(at + 2, true);
    if (at + 4 + len > extra.length) return;
    fn(id, extra.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
}

/** Info-ZIP Unicode Path (4.6.9): version 1, CRC-32 of the header name, then the UTF-8 name. */
function unicodePath(data: Uint8Array, rawName: Uint8Array): string | undefined {
  const UNICODE_PATH_VERSION = 1;
  if (data.length < 5 || data[0] !== UNICODE_PATH_VERSION) return undefined;
  // A stale extra (name changed by a tool unaware of it) no longer matches the header name's CRC.
  if (view(data).getUint32(1, true) !== crc32(rawName) >>> 0) return undefined;
  return decodeUtf8(data.subarray(5));
}
