// Entries rebuilt from local file headers (APPNOTE 4.3.7) when the end record or the central
// directory is missing or damaged, as Info-ZIP's `zip -FF` does: the common case is an archive
// cut short by an interrupted copy, whose members before the cut are intact. Headers are walked
// from byte 0 in file order, each member's data skipped by its local sizes (ZIP64 extra, 4.5.3),
// or, when the sizes follow the data (flag bit 3), up to its signed data descriptor (4.3.9).
// The walk stops at the first record that is not a local header (the central directory of an
// archive cut inside it) and never resynchronises on a signature found inside data, which would
// list the members of a stored nested archive as this one's. Cost: a header read per member,
// plus a search through the data of members written with descriptors (bounded), through one
// read-ahead block.
import { Buffer } from 'node:buffer';
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { u64, view } from './end-record.ts';
import { decodeEntryName, forEachExtra, isEncrypted, LOCAL_HEADER_SIGNATURE, METHOD_STORED, type ZipEntry } from './entry.ts';
import { zipError } from './zip-error.ts';

const LOCAL_HEADER_SIZE = 30;
/** Bytes read with each local header, so the name and extra usually come in the same read. */
const HEADER_PEEK = 512;
const DESCRIPTOR_SIGNATURE = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
const FLAG_DATA_DESCRIPTOR = 0x0008;
const EXTRA_ZIP64 = 0x0001;
const U32_MAX = 0xffffffff;
/** Records that end the member area: central header, ZIP64 end record, end record (4.3.12–16). */
const DIRECTORY_SIGNATURES = new Set([0x02014b50, 0x06064b50, 0x06054b50]);
/** Default bound on the bytes searched for one member's data descriptor. */
const DEFAULT_DESCRIPTOR_SEARCH = 64 << 20;
/** Bytes read ahead at once: small members' headers and descriptors come out of one read. */
const BLOCK = 256 * 1024;
/** Descriptor search windows start small (most members are small) and grow to this. */
const FIRST_SEARCH = 16 * 1024;
const MAX_SEARCH_CHUNK = 4 << 20;
const SEARCH_GROWTH = 4;

/** Reads through one read-ahead block: a walk over many small members costs few reads. */
class BlockReader {
  private block: Uint8Array = new Uint8Array(0);
  private blockStart = 0;
  constructor(private readonly file: RandomAccessFile) {}
  get size(): number {
    return this.file.size;
  }
  async read(pos: number, len: number): Promise<Uint8Array> {
    const end = Math.min(pos + len, this.file.size);
    if (pos < this.blockStart || end > this.blockStart + this.block.length) {
      this.block = await this.file.read(pos, Math.max(len, BLOCK));
      this.blockStart = pos;
    }
    return this.block.subarray(pos - this.blockStart, Math.max(pos, end) - this.blockStart);
  }
}

export interface LocalScan {
  entries: ZipEntry[];
  /** Offset of each entry's first data byte. */
  dataStarts: number[];
  /** Where the walk ended: the central directory, the end of the file or the damage. */
  end: number;
  /** Why the walk stopped before the directory or the end of the file; null when it did not. */
  stop: string | null;
}

interface Found {
  entry: ZipEntry;
  dataStart: number;
  next: number;
}

export async function scanLocalHeaders(source: RandomAccessFile, limits: { maxEntries: number; maxDescriptorSearch?: number }): Promise<LocalScan> {
  const file = new BlockReader(source);
  const entries: ZipEntry[] = [];
  const dataStarts: number[] = [];
  let pos = 0;
  while (pos < file.size) {
    if (entries.length >= limits.maxEntries) throw zipError('LIMIT_EXCEEDED', `archive has more than ${limits.maxEntries} entries`);
    const head = await file.read(pos, LOCAL_HEADER_SIZE + HEADER_PEEK);
    const signature = head.length >= 4 ? view(head).getUint32(0, true) : 0;
    if (signature !== LOCAL_HEADER_SIGNATURE) {
      return { entries, dataStarts, end: pos, stop: DIRECTORY_SIGNATURES.has(signature) ? null : `no local header at offset ${pos}` };
    }
    const found = await localEntry(file, pos, head, entries.length, limits.maxDescriptorSearch ?? DEFAULT_DESCRIPTOR_SEARCH);
    if (typeof found === 'string') return { entries, dataStarts, end: pos, stop: found };
    entries.push(found.entry);
    dataStarts.push(found.dataStart);
    // A member cut by the end of the file is listed: reading it gives its TRUNCATED error.
    if (found.next > file.size) return { entries, dataStarts, end: file.size, stop: `file ends inside the data of ${JSON.stringify(found.entry.name)}` };
    pos = found.next;
  }
  return { entries, dataStarts, end: pos, stop: null };
}

/** The entry whose local header is at `pos`, and where the next record starts; or why not. */
async function localEntry(file: BlockReader, pos: number, head: Uint8Array, index: number, maxSearch: number): Promise<Found | string> {
  if (head.length < LOCAL_HEADER_SIZE) return `file ends inside the local header at offset ${pos}`;
  const dv = view(head);
  const flags = dv.getUint16(6, true);
  const method = dv.getUint16(8, true);
  const varLen = dv.getUint16(26, true) + dv.getUint16(28, true);
  const variable = varLen <= head.length - LOCAL_HEADER_SIZE ? head.subarray(LOCAL_HEADER_SIZE, LOCAL_HEADER_SIZE + varLen) : await file.read(pos + LOCAL_HEADER_SIZE, varLen);
  if (variable.length < varLen) return `file ends inside the local header at offset ${pos}`;
  const rawName = variable.slice(0, dv.getUint16(26, true));
  const extra = variable.subarray(rawName.length);
  const dataStart = pos + LOCAL_HEADER_SIZE + varLen;
  let sizes = localSizes(dv, extra);
  if (sizes === null) return `local header at offset ${pos} has a ZIP64 extra field without both sizes`;
  let dataEnd = dataStart + sizes.compressedSize;
  let next = dataEnd;
  if (flags & FLAG_DATA_DESCRIPTOR) {
    const d = await findDescriptor(file, dataStart, sizes.zip64, maxSearch);
    if (d === null) return `no data descriptor within ${maxSearch} bytes after the local header at offset ${pos}`;
    sizes = { ...d, zip64: sizes.zip64 };
    dataEnd = d.at;
    next = d.next;
  }
  let { compressedSize, uncompressedSize } = sizes;
  if (method === METHOD_STORED && compressedSize !== uncompressedSize && !isEncrypted(flags)) {
    compressedSize = uncompressedSize = Math.min(compressedSize, uncompressedSize);
  }
  const name = decodeEntryName(rawName, flags, extra);
  const entry: ZipEntry = {
    index, name, method, flags, compressedSize, uncompressedSize, crc32: sizes.crc32, localHeaderOffset: pos,
    isDirectory: name.endsWith('/'), encrypted: isEncrypted(flags), rawName, dataLimit: dataEnd,
  };
  return { entry, dataStart, next };
}

interface Sizes {
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  zip64: boolean;
}

/** Sizes and CRC from the local header; a local ZIP64 extra holds both sizes (4.5.3). */
function localSizes(dv: DataView, extra: Uint8Array): Sizes | null {
  const sizes: Sizes = { crc32: dv.getUint32(14, true), compressedSize: dv.getUint32(18, true), uncompressedSize: dv.getUint32(22, true), zip64: false };
  const saturated = sizes.compressedSize === U32_MAX || sizes.uncompressedSize === U32_MAX;
  let ok = !saturated;
  forEachExtra(extra, (id, data) => {
    if (id !== EXTRA_ZIP64 || sizes.zip64) return;
    sizes.zip64 = true;
    if (!saturated || data.length < 16) return;
    sizes.uncompressedSize = u64(view(data), 0);
    sizes.compressedSize = u64(view(data), 8);
    ok = true;
  });
  return ok ? sizes : null;
}

/**
 * The signed data descriptor (4.3.9) ending this member's data: signature, CRC-32, then both
 * sizes (8 bytes each for ZIP64). A candidate counts only when its compressed size is its
 * distance from the data's start. Unsigned descriptors are not searched for (no anchor).
 */
async function findDescriptor(file: BlockReader, dataStart: number, zip64: boolean, maxSearch: number) {
  const sizeLen = zip64 ? 8 : 4;
  const recordLen = 8 + 2 * sizeLen;
  const searchEnd = Math.min(file.size, dataStart + maxSearch + recordLen);
  let chunk = FIRST_SEARCH;
  for (let at = dataStart; at < searchEnd; at += chunk - recordLen, chunk = Math.min(chunk * SEARCH_GROWTH, MAX_SEARCH_CHUNK)) {
    const bytes = await file.read(at, Math.min(chunk, searchEnd - at));
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = buf.indexOf(DESCRIPTOR_SIGNATURE); i >= 0 && i + recordLen <= buf.length; i = buf.indexOf(DESCRIPTOR_SIGNATURE, i + 1)) {
      const dv = view(buf);
      const compressedSize = zip64 ? u64(dv, i + 8) : dv.getUint32(i + 8, true);
      if (compressedSize !== at + i - dataStart) continue;
      const uncompressedSize = zip64 ? u64(dv, i + 16) : dv.getUint32(i + 12, true);
      return { crc32: dv.getUint32(i + 4, true), compressedSize, uncompressedSize, at: at + i, next: at + i + recordLen };
    }
    if (at + buf.length >= searchEnd) break;
  }
  return null;
}
