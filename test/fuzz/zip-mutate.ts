// Structure-aware ZIP mutators: find the records by signature (APPNOTE 4.3.7 local header, 4.3.12
// central header, 4.3.14–4.3.16 ZIP64 record, locator and end record) and make one field lie —
// sizes, offsets, counts, name/extra lengths, methods, flags — with boundary values; plus
// generated archives: ZIP64 extras that lie, nested archives and deflate bombs.
import { buildZip, deflateBomb, member, METHOD_DEFLATED, METHOD_STORED, type BuildMember } from './zip-build.ts';
import { BYTE_MUTATORS, concatBytes, mutateStack, type Mutator } from './mutate.ts';
import type { Rng } from './rng.ts';

/** Field offsets and widths inside each record, from APPNOTE's layout tables. */
const RECORDS: { sig: number; fields: [number, number][] }[] = [
  // local header: flags, method, crc, csize, usize, name length, extra length
  { sig: 0x04034b50, fields: [[6, 2], [8, 2], [14, 4], [18, 4], [22, 4], [26, 2], [28, 2]] },
  // central header: flags, method, crc, csize, usize, name/extra/comment lengths, disk, offset
  { sig: 0x02014b50, fields: [[8, 2], [10, 2], [16, 4], [20, 4], [24, 4], [28, 2], [30, 2], [32, 2], [34, 2], [42, 4]] },
  // end record: disk numbers, entry counts, directory size and offset, comment length
  { sig: 0x06054b50, fields: [[4, 2], [6, 2], [8, 2], [10, 2], [12, 4], [16, 4], [20, 2]] },
  // ZIP64 end record: record size, disk, entry counts, directory size and offset
  { sig: 0x06064b50, fields: [[4, 8], [16, 4], [24, 8], [32, 8], [40, 8], [48, 8]] },
  // ZIP64 locator: disk, record offset, total disks
  { sig: 0x07064b50, fields: [[4, 4], [8, 8], [16, 4]] },
];
const LIES = [0n, 1n, 0x7fn, 0xffffn, 0xfffffffen, 0xffffffffn, 0x1_0000_0000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];
const ZIP64_EXTRA_ID = 0x0001;

function findSignatures(b: Uint8Array): { at: number; rec: (typeof RECORDS)[number] }[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const found = [];
  for (let i = 0; i + 4 <= b.length; i++) {
    if (b[i] !== 0x50 || b[i + 1] !== 0x4b) continue;
    const sig = dv.getUint32(i, true);
    const rec = RECORDS.find((r) => r.sig === sig);
    if (rec) found.push({ at: i, rec });
  }
  return found;
}

function writeLE(out: Uint8Array, at: number, width: number, value: bigint): void {
  for (let i = 0; i < width && at + i < out.length; i++) out[at + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

function readLE(b: Uint8Array, at: number, width: number): bigint {
  let v = 0n;
  for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i] ?? 0);
  return v;
}

/** Make one header field lie: a boundary value, or the true value nudged by a little. */
export function lieInHeader(b: Uint8Array, rng: Rng): Uint8Array {
  const sigs = findSignatures(b);
  if (!sigs.length) return b;
  const { at, rec } = rng.pick(sigs);
  const [off, width] = rng.pick(rec.fields);
  const out = b.slice();
  const now = readLE(b, at + off, width);
  const value = rng.chance(0.5) ? rng.pick(LIES) : now + BigInt(rng.range(-64, 64));
  writeLE(out, at + off, width, BigInt.asUintN(8 * width, value));
  return out;
}

/** Make a ZIP64 extra field (id 0x0001) lie: its values, or its length. */
export function lieInZip64Extra(b: Uint8Array, rng: Rng): Uint8Array {
  const hits: number[] = [];
  for (let i = 0; i + 4 <= b.length; i++) if (b[i] === 0x01 && b[i + 1] === 0x00 && (b[i + 2] === 8 || b[i + 2] === 16 || b[i + 2] === 24 || b[i + 2] === 28) && b[i + 3] === 0) hits.push(i);
  if (!hits.length) return lieInHeader(b, rng);
  const at = rng.pick(hits);
  const out = b.slice();
  if (rng.chance(0.3)) writeLE(out, at + 2, 2, BigInt(rng.pick([0, 4, 7, 9, 0xffff])));
  else writeLE(out, at + 4 + 8 * rng.int(Math.max(1, out[at + 2] >> 3)), 8, rng.pick(LIES));
  return out;
}

/** Append or prepend junk, or put a fake end-record signature in the trailing comment area. */
export function junkAround(b: Uint8Array, rng: Rng): Uint8Array {
  const junk = rng.chance(0.5) ? rng.bytes(rng.range(1, 300)) : new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...rng.bytes(rng.range(0, 40))]);
  return rng.chance(0.5) ? concatBytes([junk, b]) : concatBytes([b, junk]);
}

export const ZIP_MUTATORS: readonly Mutator[] = [...BYTE_MUTATORS, lieInHeader, lieInHeader, lieInHeader, lieInZip64Extra, junkAround];

/** A seed archive mutated: structure-aware lies stacked with byte-level damage. */
export function mutateZip(seed: Uint8Array, rng: Rng): Uint8Array {
  return mutateStack(seed, rng, ZIP_MUTATORS);
}

/** Generated archives: ZIP64 extras that lie, nested zips, bombs; often mutated once more. */
export function generateZip(seeds: Uint8Array[], rng: Rng): Uint8Array {
  const kind = rng.int(4);
  let zip: Uint8Array;
  if (kind === 0) zip = lyingZip64(rng);
  else if (kind === 1) zip = nested(seeds, rng, rng.range(1, 4));
  else if (kind === 2) zip = bomb(rng);
  else zip = buildZip([member('a.dcm', rng.bytes(rng.range(0, 3000)), rng.pick([METHOD_STORED, METHOD_DEFLATED]), rng.chance(0.5))], rng.chance(0.5));
  return rng.chance(0.4) ? mutateStack(zip, rng, ZIP_MUTATORS) : zip;
}

function lyingZip64(rng: Rng): Uint8Array {
  const m: BuildMember = { ...member('big.dcm', rng.bytes(rng.range(10, 2000)), rng.pick([METHOD_STORED, METHOD_DEFLATED])), zip64: true };
  const honest = [BigInt(m.uncompressedSize), BigInt(m.stored.length), 0n];
  const n = rng.range(0, 4); // 0..2 values (missing fields), 3 exact, 4 one extra
  const values = Array.from({ length: n }, (_, i) => (rng.chance(0.6) ? rng.pick(LIES) : honest[i] ?? 0n));
  return buildZip([{ ...m, zip64Values: values }], rng.chance(0.7));
}

function nested(seeds: Uint8Array[], rng: Rng, depth: number): Uint8Array {
  let inner = rng.pick(seeds);
  for (let d = 0; d < depth; d++) {
    const members = [member(`level${d}.zip`, inner, rng.pick([METHOD_STORED, METHOD_DEFLATED]))];
    // A member that is the archive's own prefix: recursion by self-reference.
    if (rng.chance(0.3)) members.push(member(`self${d}.zip`, inner.subarray(0, rng.int(inner.length)), METHOD_STORED));
    inner = buildZip(members);
  }
  return inner;
}

/** High-ratio deflate members; declared sizes honest or lying small. */
function bomb(rng: Rng): Uint8Array {
  const diluted = rng.chance(0.3);
  const b = deflateBomb(diluted ? BOMB_MIB[0] : rng.pick(BOMB_MIB), diluted ? BOMB_DILUTION : 0);
  const lie = rng.chance(0.5);
  const m: BuildMember = { name: rng.pick(['bomb.dcm', 'bomb.csv', 'bomb.zip']), stored: b.stored, method: METHOD_DEFLATED, crc: lie ? 0 : b.crc, uncompressedSize: lie ? rng.range(0, 4096) : b.size, zip64: rng.chance(0.3) };
  return buildZip(rng.chance(0.3) ? [m, { ...m, name: `2-${m.name}` }] : [m]);
}

/** Bomb sizes in MiB: over the fuzz limit of inflated bytes per member, up to 1 GiB. */
export const BOMB_MIB = [80, 256, 1024];
/** Bytes of incompressible data per MiB in a diluted bomb (ratio ~500:1, under the ratio limit). */
const BOMB_DILUTION = 1024;
