// The archive API the sources use (APPNOTE 4.3): open a ZIP over a RandomAccessFile, list its entries,
// read a member's compressed bytes or stream it inflated. INTERIM BODY: being replaced by the real
// reader built on central-directory.ts; the exported names and shapes stay.
import { inflateRawSync, createInflateRaw } from 'node:zlib';
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { ZipError } from './zip-error.ts';
export { ZipError };
export interface ZipEntry { index: number; name: string; method: number; compressedSize: number; uncompressedSize: number; crc32: number; localHeaderOffset: number; isDirectory: boolean; encrypted: boolean }
export interface ZipArchive { entries: ZipEntry[]; readPrefix(e: ZipEntry, n: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; complete: boolean }>; openStream(e: ZipEntry, signal?: AbortSignal): AsyncIterable<Uint8Array> }
export async function openZip(file: RandomAccessFile): Promise<ZipArchive> {
  const tailLen = Math.min(file.size, 65557);
  const tail = Buffer.from(await file.read(file.size - tailLen, tailLen));
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) { at = i; break; }
  if (at < 0) throw new ZipError('EOCD_NOT_FOUND', 'no end of central directory');
  const count = tail.readUInt16LE(at + 10), size = tail.readUInt32LE(at + 12), off = tail.readUInt32LE(at + 16);
  const cd = Buffer.from(await file.read(off, size));
  if (cd.length < size) throw new ZipError('CD_TRUNCATED', 'cd truncated');
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new ZipError('BAD_CENTRAL_HEADER', 'bad cd');
    const flags = cd.readUInt16LE(p + 8), method = cd.readUInt16LE(p + 10), crc = cd.readUInt32LE(p + 16);
    const cs = cd.readUInt32LE(p + 20), us = cd.readUInt32LE(p + 24), n = cd.readUInt16LE(p + 28), m = cd.readUInt16LE(p + 30), k = cd.readUInt16LE(p + 32);
    const lho = cd.readUInt32LE(p + 42);
    const name = cd.subarray(p + 46, p + 46 + n).toString('utf8');
    entries.push({ index: i, name, method, compressedSize: cs, uncompressedSize: us, crc32: crc, localHeaderOffset: lho, isDirectory: name.endsWith('/'), encrypted: (flags & 1) === 1 });
    p += 46 + n + m + k;
  }
  const dataAt = async (e: ZipEntry) => { const h = Buffer.from(await file.read(e.localHeaderOffset, 30)); return e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28); };
  return {
    entries,
    async readPrefix(e, n) {
      const raw = await file.read(await dataAt(e), e.compressedSize);
      const all = e.method === 0 ? raw : inflateRawSync(raw);
      return { bytes: all.subarray(0, n), complete: n >= all.length };
    },
    async *openStream(e) {
      const start = await dataAt(e);
      const inf = e.method === 0 ? null : createInflateRaw();
      const CH = 1 << 20;
      if (!inf) { for (let q = 0; q < e.compressedSize; q += CH) yield await file.read(start + q, Math.min(CH, e.compressedSize - q)); return; }
      const feed = (async () => { for (let q = 0; q < e.compressedSize; q += CH) { const b = await file.read(start + q, Math.min(CH, e.compressedSize - q)); if (!inf.write(b)) await new Promise((r) => inf.once('drain', r)); } inf.end(); })();
      for await (const c of inf) yield c as Uint8Array;
      await feed;
    },
  };
}
