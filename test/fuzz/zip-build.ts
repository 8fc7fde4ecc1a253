// A minimal ZIP writer (APPNOTE 4.3.7 local headers, 4.3.12 central headers, 4.3.16 end record,
// 4.5.3 ZIP64 extra, 4.3.14/4.3.15 ZIP64 record and locator) for inputs Python's zipfile will not
// write: ZIP64 extra fields that lie, nested archives, and deflate bombs of a chosen size.
import { crc32, deflateRawSync, constants } from 'node:zlib';
import { concatBytes } from './mutate.ts';

const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EXTRA_ID = 0x0001;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
const VERSION_ZIP64 = 45;
const VERSION_DEFLATE = 20;
const FLAG_UTF8 = 0x0800;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

export interface BuildMember {
  name: string;
  /** Bytes as stored in the archive (already deflated when method is 8). */
  stored: Uint8Array;
  method: number;
  crc: number;
  uncompressedSize: number;
  /** Write sizes and offset as 0xFFFFFFFF with the real values in a ZIP64 extra field. */
  zip64?: boolean;
  /** Replace the ZIP64 extra's values (sizes, offset) with these lies, in APPNOTE order. */
  zip64Values?: bigint[];
}

/** A member from its plain bytes; deflated unless `method` says stored. */
export function member(name: string, data: Uint8Array, method = METHOD_DEFLATED, zip64 = false): BuildMember {
  const stored = method === METHOD_DEFLATED ? deflateRawSync(data) : data;
  return { name, stored, method, crc: crc32(data) >>> 0, uncompressedSize: data.length, zip64 };
}

class Writer {
  parts: Uint8Array[] = [];
  size = 0;
  put(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }
  fields(spec: [number, number | bigint][]): void {
    const len = spec.reduce((n, [w]) => n + w, 0);
    const dv = new DataView(new ArrayBuffer(len));
    let at = 0;
    for (const [w, v] of spec) {
      if (w === 2) dv.setUint16(at, Number(v), true);
      else if (w === 4) dv.setUint32(at, Number(v) >>> 0, true);
      else dv.setBigUint64(at, BigInt(v), true);
      at += w;
    }
    this.put(new Uint8Array(dv.buffer));
  }
}

function zip64Extra(values: bigint[]): Uint8Array {
  const dv = new DataView(new ArrayBuffer(4 + 8 * values.length));
  dv.setUint16(0, ZIP64_EXTRA_ID, true);
  dv.setUint16(2, 8 * values.length, true);
  values.forEach((v, i) => dv.setBigUint64(4 + 8 * i, BigInt.asUintN(64, v), true));
  return new Uint8Array(dv.buffer);
}

/** Build an archive; `forceZip64End` writes the ZIP64 record and locator even when not needed. */
export function buildZip(members: BuildMember[], forceZip64End = false, comment: Uint8Array = new Uint8Array(0)): Uint8Array {
  const w = new Writer();
  const enc = new TextEncoder();
  const offsets: number[] = [];
  for (const m of members) {
    offsets.push(w.size);
    const name = enc.encode(m.name);
    const extra = m.zip64 ? zip64Extra([BigInt(m.uncompressedSize), BigInt(m.stored.length)]) : new Uint8Array(0);
    const big = m.zip64 ? U32_MAX : undefined;
    w.fields([[4, LOCAL_SIG], [2, m.zip64 ? VERSION_ZIP64 : VERSION_DEFLATE], [2, FLAG_UTF8], [2, m.method], [4, 0], [4, m.crc],
      [4, big ?? m.stored.length], [4, big ?? m.uncompressedSize], [2, name.length], [2, extra.length]]);
    w.put(name);
    w.put(extra);
    w.put(m.stored);
  }
  const cdStart = w.size;
  members.forEach((m, i) => {
    const name = enc.encode(m.name);
    const values = m.zip64Values ?? [BigInt(m.uncompressedSize), BigInt(m.stored.length), BigInt(offsets[i])];
    const extra = m.zip64 ? zip64Extra(values) : new Uint8Array(0);
    const big = m.zip64 ? U32_MAX : undefined;
    w.fields([[4, CENTRAL_SIG], [2, VERSION_ZIP64], [2, m.zip64 ? VERSION_ZIP64 : VERSION_DEFLATE], [2, FLAG_UTF8], [2, m.method], [4, 0],
      [4, m.crc], [4, big ?? m.stored.length], [4, big ?? m.uncompressedSize], [2, name.length], [2, extra.length], [2, 0], [2, 0], [2, 0],
      [4, 0], [4, big ?? offsets[i]]]);
    w.put(name);
    w.put(extra);
  });
  const cdSize = w.size - cdStart;
  const zip64End = forceZip64End || members.some((m) => m.zip64);
  if (zip64End) {
    const recordAt = w.size;
    w.fields([[4, ZIP64_EOCD_SIG], [8, 44n], [2, VERSION_ZIP64], [2, VERSION_ZIP64], [4, 0], [4, 0], [8, BigInt(members.length)],
      [8, BigInt(members.length)], [8, BigInt(cdSize)], [8, BigInt(cdStart)]]);
    w.fields([[4, ZIP64_LOCATOR_SIG], [4, 0], [8, BigInt(recordAt)], [4, 1]]);
  }
  const count = zip64End ? U16_MAX : members.length;
  w.fields([[4, EOCD_SIG], [2, 0], [2, 0], [2, count], [2, count], [4, zip64End ? U32_MAX : cdSize], [4, zip64End ? U32_MAX : cdStart], [2, comment.length]]);
  w.put(comment);
  return concatBytes(w.parts);
}

const MiB = 1 << 20;
/** Stored-block header (APPNOTE 4.4.5 → RFC 1951 §3.2.4): BFINAL=0, BTYPE=00, then LEN and NLEN. */
const STORED_BLOCK_HEADER = 5;

/**
 * A raw deflate stream that inflates to `mib` MiB of zeros in ~1 KiB per MiB (ratio ~1000:1):
 * one full-flushed block of zeros repeated (a full flush resets the window and ends byte-aligned,
 * so copies concatenate), then a final empty block. Built without inflating anything.
 * `dilute` > 0 adds a stored block of that many fixed pseudo-random bytes after each MiB, which
 * lowers the ratio (1024 → ~500:1) so a reader must stop on output size, not ratio alone.
 */
export function deflateBomb(mib: number, dilute = 0): { stored: Uint8Array; crc: number; size: number } {
  const block = deflateRawSync(new Uint8Array(MiB), { finishFlush: constants.Z_FULL_FLUSH });
  const last = deflateRawSync(new Uint8Array(0));
  const noise = dilutionBytes(dilute);
  const storedNoise = dilute ? concatBytes([storedHeader(dilute), noise]) : new Uint8Array(0);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < mib; i++) parts.push(block, storedNoise);
  parts.push(last);
  return { stored: concatBytes(parts), crc: bombCrc(mib, noise), size: mib * (MiB + dilute) };
}

function storedHeader(len: number): Uint8Array {
  return new Uint8Array([0x00, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff]).subarray(0, STORED_BLOCK_HEADER);
}

/** Fixed bytes (xorshift from a constant), so a diluted bomb's CRC can be cached. */
function dilutionBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const crcCache = new Map<string, number>();
function bombCrc(mib: number, noise: Uint8Array): number {
  const key = `${mib}:${noise.length}`;
  const hit = crcCache.get(key);
  if (hit !== undefined) return hit;
  const zeros = new Uint8Array(MiB);
  let c = 0;
  for (let i = 0; i < mib; i++) c = crc32(noise, crc32(zeros, c));
  crcCache.set(key, c >>> 0);
  return c >>> 0;
}
