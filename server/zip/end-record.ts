// End of central directory record (APPNOTE 4.3.16), ZIP64 end of central directory locator and
// record (4.3.14–4.3.15). Found the way Python's zipfile finds them (_EndRecData): the last
// signature in the final 64 KiB + 22 bytes, with a comment that may be cut short by the end of
// the file, then the ZIP64 record right before the locator.
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { ZipError, zipError } from './zip-error.ts';

/** EOCD_SIGNATURE 0x06054b50 as it lies in the file (little-endian "PK\x05\x06"), for a native
 *  backwards search: a byte-by-byte check of the 64 KiB tail cost ~0.6 ms per archive open. */
const EOCD_SIGNATURE_BYTES = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_EOCD_SIZE = 56;
const U32_MAX = 0xffffffff;
const TWO_32 = 0x1_0000_0000;

export interface EndRecord {
  /** Declared entry count: a hint only, the directory is walked by its byte size. */
  entries: number;
  cdSize: number;
  cdOffset: number;
  /** Where the (ZIP64) end record starts: the directory ends right before it. */
  recordPos: number;
  comment: Uint8Array;
  zip64: boolean;
}

export const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Little-endian u64 as a number, saturated at 2^53 − 1: no file or limit is that large, so a
 *  size or offset past it fails the checks it meets later (as the true value would). */
export function u64(dv: DataView, at: number): number {
  const hi = dv.getUint32(at + 4, true);
  if (hi >= 1 << 21) return Number.MAX_SAFE_INTEGER;
  return hi * TWO_32 + dv.getUint32(at, true);
}

/**
 * End records to try, best first: the last signature whose 22 bytes fit in the file (zipfile's
 * choice; its comment may be cut short by the end of the file, which zipfile and Info-ZIP accept),
 * then earlier ones whose comment ends exactly at the end of the file (a comment holding bytes
 * that look like a signature). Each is a record with any ZIP64 record applied, or why not.
 * Earlier signatures whose comment stops before the end (a nested archive's) are not tried.
 */
export async function readEndRecords(file: RandomAccessFile): Promise<(EndRecord | ZipError)[]> {
  if (file.size < EOCD_SIZE) throw zipError('EOCD_NOT_FOUND', `file of ${file.size} bytes is too short for a ZIP`);
  const tailStart = Math.max(0, file.size - EOCD_SIZE - MAX_COMMENT);
  const tail = await file.read(tailStart, file.size - tailStart);
  const dv = view(tail);
  const found: (EndRecord | ZipError)[] = [];
  for (let i = lastSignature(tail, tail.length - EOCD_SIZE); i >= 0; i = lastSignature(tail, i - 1)) {
    const commentEnd = i + EOCD_SIZE + dv.getUint16(i + 20, true);
    if (found.length > 0 && commentEnd !== tail.length) continue;
    const record = endRecordAt(tail, i, tailStart, Math.min(commentEnd, tail.length) - i - EOCD_SIZE);
    found.push(await applyZip64(file, record).catch((err: unknown) => {
      if (err instanceof ZipError) return err;
      throw err;
    }));
  }
  if (found.length === 0) throw zipError('EOCD_NOT_FOUND', 'no end of central directory record (truncated or not a ZIP)');
  return found;
}

/** Start of the last end-record signature at or before `from`, or -1. */
function lastSignature(tail: Uint8Array, from: number): number {
  // Buffer.lastIndexOf reads a negative start as counting from the end: stop before that.
  if (from < 0) return -1;
  return Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).lastIndexOf(EOCD_SIGNATURE_BYTES, from);
}

function endRecordAt(tail: Uint8Array, i: number, tailStart: number, commentLen: number): EndRecord {
  const dv = view(tail);
  return {
    entries: dv.getUint16(i + 10, true),
    cdSize: dv.getUint32(i + 12, true),
    cdOffset: dv.getUint32(i + 16, true),
    recordPos: tailStart + i,
    comment: tail.slice(i + EOCD_SIZE, i + EOCD_SIZE + commentLen),
    zip64: false,
  };
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
  const candidates = [locatorPos - ZIP64_EOCD_SIZE, u64(lv, 8)];
  for (const pos of candidates) {
    if (pos < 0 || pos + ZIP64_EOCD_SIZE > locatorPos) continue;
    const rec = await file.read(pos, ZIP64_EOCD_SIZE);
    const rv = view(rec);
    if (rec.length < ZIP64_EOCD_SIZE || rv.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) continue;
    return { entries: u64(rv, 32), cdSize: u64(rv, 40), cdOffset: u64(rv, 48), recordPos: pos, comment: end.comment, zip64: true };
  }
  throw zipError('ZIP64_INVALID', 'ZIP64 locator points at no ZIP64 end of central directory record', { offset: locatorPos });
}
