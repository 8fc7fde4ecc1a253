// Local file headers (APPNOTE 4.3.7) and the checks made before a member's bytes are touched:
// encryption (4.4.4), compression method (4.4.5), declared sizes against the limits, and the
// member's data range inside the archive. Sizes and CRC always come from the central directory,
// which is also right for members written with data descriptors (4.3.9, flag bit 3).
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { LOCAL_HEADER_SIGNATURE, METHOD_DEFLATED, METHOD_STORED, type ZipEntry } from './entry.ts';
import { methodName, zipError } from './zip-error.ts';

const LOCAL_HEADER_SIZE = 30;
const LOCAL_NAME_LENGTH_AT = 26;
const LOCAL_EXTRA_LENGTH_AT = 28;
export { METHOD_DEFLATED, METHOD_STORED };
/** Members inflating to at most this many bytes are not held to the compression-ratio limit:
 *  deflate's best ratio (~1032:1) is reached by blank images, and small outputs harm no one. */
export const RATIO_CHECK_FLOOR = 16 * 1024 * 1024;

export interface MemberLimits {
  /** Bytes one member may inflate to. */
  maxInflatedBytes: number;
  /** Inflated ÷ compressed bytes above which a member (over RATIO_CHECK_FLOOR) is refused. */
  maxCompressionRatio: number;
}

/**
 * Decide before decompressing: refuse encrypted members, methods other than stored and deflated,
 * stored members whose two sizes differ, and declared sizes over the limits. Output beyond the
 * declared size is refused while inflating, so these checks bound every member's output.
 */
export function checkMember(entry: ZipEntry, limits: MemberLimits): void {
  const where = { member: entry.name };
  if (entry.encrypted) throw zipError('ENCRYPTED', `encrypted member (${methodName(entry.method)}): not read`, where);
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED) {
    throw zipError('UNSUPPORTED_METHOD', `compression ${methodName(entry.method)} is not supported (only stored and Deflate)`, where);
  }
  if (entry.method === METHOD_STORED && entry.compressedSize !== entry.uncompressedSize) {
    throw zipError('SIZE_MISMATCH', `stored member declares ${entry.compressedSize} bytes stored but ${entry.uncompressedSize} uncompressed`, where);
  }
  if (entry.uncompressedSize > limits.maxInflatedBytes) {
    throw zipError('LIMIT_EXCEEDED', `member inflates to ${entry.uncompressedSize} bytes, over the limit of ${limits.maxInflatedBytes}`, where);
  }
  const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
  if (entry.uncompressedSize > RATIO_CHECK_FLOOR && ratio > limits.maxCompressionRatio) {
    throw zipError('LIMIT_EXCEEDED', `compression ratio ${Math.round(ratio)}:1 is over the limit of ${limits.maxCompressionRatio}:1`, where);
  }
}

/**
 * Absolute offset of a member's first data byte. Checks the local header's signature and that its
 * name is the central directory's, then that the data lies before the next member's local header
 * (or the central directory) and inside the file; a deflated member's compressed size that does
 * not is cut to fit (`entry.compressedSize` changes).
 */
export async function memberDataOffset(file: RandomAccessFile, entry: ZipEntry): Promise<number> {
  const where = { member: entry.name, offset: entry.localHeaderOffset };
  if (entry.localHeaderOffset < 0 || entry.localHeaderOffset + LOCAL_HEADER_SIZE > entry.dataLimit) {
    throw zipError('BAD_LOCAL_HEADER', 'local header offset points outside the member area', where);
  }
  const head = await file.read(entry.localHeaderOffset, LOCAL_HEADER_SIZE + entry.rawName.length);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < LOCAL_HEADER_SIZE || view.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) {
    throw zipError('BAD_LOCAL_HEADER', 'no local file header signature', where);
  }
  const nameLength = view.getUint16(LOCAL_NAME_LENGTH_AT, true);
  if (nameLength !== entry.rawName.length || !sameBytes(head.subarray(LOCAL_HEADER_SIZE), entry.rawName)) {
    throw zipError('BAD_LOCAL_HEADER', 'local header names another file than the central directory', where);
  }
  const dataOffset = entry.localHeaderOffset + LOCAL_HEADER_SIZE + nameLength + view.getUint16(LOCAL_EXTRA_LENGTH_AT, true);
  const dataEnd = dataOffset + entry.compressedSize;
  const room = Math.min(entry.dataLimit, file.size) - dataOffset;
  if (dataEnd > dataOffset + room && entry.method === METHOD_DEFLATED && room > 0) {
    // A deflate stream ends by itself (RFC 1951 BFINAL): a compressed size that runs past the
    // next member, the directory or the end of the file is cut to the room there is, and the
    // stream must end inside it (else TRUNCATED; size and CRC are checked as ever), as zipfile
    // reads such members. The entry is changed so that every reader uses the same range.
    entry.compressedSize = room;
    return dataOffset;
  }
  if (dataEnd > file.size) throw zipError('TRUNCATED', `member data ends at ${dataEnd}, past the end of the file`, where);
  if (dataEnd > entry.dataLimit) {
    throw zipError('MEMBER_OVERLAP', `member data runs to ${dataEnd}, into the next member or the central directory at ${entry.dataLimit}`, where);
  }
  return dataOffset;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
