// One member as an archive describes it, and the fields central (APPNOTE 4.3.12) and local
// (4.3.7) headers share: the name with its encodings (flag bit 11, Appendix D; Info-ZIP Unicode
// Path 4.6.9), extra-field records (4.5.1) and the encryption flags (4.4.4).
import { crc32 } from 'node:zlib';
import { decodeAscii, decodeCp437, decodeUtf8, isAscii } from './cp437.ts';

/** Local file header signature (4.3.7): where every member's record starts. */
export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
/** Compression methods read here (4.4.5); others are refused with their name. */
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

const EXTRA_UNICODE_PATH = 0x7075;
const UNICODE_PATH_VERSION = 1;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;

/** One member as the central directory (or, when salvaged, its local header) describes it. */
export interface ZipEntry {
  /** Position in the central directory (or in file order when salvaged), 0-based. */
  index: number;
  /** Decoded name: UTF-8 when flag bit 11 is set, else CP437; cut at a NUL like Python's zipfile. */
  name: string;
  /** Compression method (4.4.5): 0 stored, 8 deflated; others are refused when read. */
  method: number;
  /** General purpose bit flags (4.4.4). */
  flags: number;
  /** Bytes of member data in the archive (ZIP64 extra applied). For a stored member whose two
   *  sizes disagree, the smaller one, as Python's zipfile reads it; the CRC-32 then decides. */
  compressedSize: number;
  /** Bytes after inflation, as declared (ZIP64 extra applied); an upper bound on the output. */
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

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Walk extra-field records; a record running past the end stops the walk (padding writers). */
export function forEachExtra(extra: Uint8Array, fn: (id: number, data: Uint8Array) => void): void {
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

/** The member's name from its header bytes, flags and extra field; cut at a NUL as zipfile does. */
export function decodeEntryName(rawName: Uint8Array, flags: number, extra: Uint8Array): string {
  let name: string | undefined;
  if ((flags & FLAG_UTF8) === 0) {
    forEachExtra(extra, (id, data) => {
      if (id === EXTRA_UNICODE_PATH && name === undefined) name = unicodePath(data, rawName);
    });
  }
  if (name === undefined) name = isAscii(rawName) ? decodeAscii(rawName) : flags & FLAG_UTF8 ? decodeUtf8(rawName) : decodeCp437(rawName);
  const nul = name.indexOf('\0');
  return nul >= 0 ? name.slice(0, nul) : name;
}

/** Info-ZIP Unicode Path (4.6.9): version 1, CRC-32 of the header name, then the UTF-8 name. */
function unicodePath(data: Uint8Array, rawName: Uint8Array): string | undefined {
  if (data.length < 5 || data[0] !== UNICODE_PATH_VERSION) return undefined;
  // A stale extra (name changed by a tool unaware of it) no longer matches the header name's CRC.
  if (view(data).getUint32(1, true) !== crc32(rawName) >>> 0) return undefined;
  return decodeUtf8(data.subarray(5));
}

export function isEncrypted(flags: number): boolean {
  return (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0;
}
