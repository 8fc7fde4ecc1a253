// Structure-aware DICOM mutators (PS3.5 §7.1 data elements, PS3.10 §7.1 file meta): walk the
// little-endian element headers (explicit or implicit VR) after the preamble and `DICM`, then make
// one lie — a length (undefined, huge, odd, off by a little), a VR swapped for another, a tag
// turned into Pixel Data or an item/sequence delimiter, a transfer syntax swapped — or build a
// header of random elements from scratch.
import { BYTE_MUTATORS, concatBytes, mutateStack, type Mutator } from './mutate.ts';
import type { Rng } from './rng.ts';

const PREAMBLE = 128;
const MAGIC = [0x44, 0x49, 0x43, 0x4d]; // "DICM"
/** VRs with a 2-byte reserved field and a 4-byte length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const VRS = ['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV', 'XX', '\0\0'];
const UNDEFINED_LENGTH = 0xffffffff;
const KNOWN_VRS = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV']);
const LENGTH_LIES = [0, 1, 2, 3, 7, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0xfffffffe, UNDEFINED_LENGTH];
/** Tags readers treat specially: Pixel Data, item, item and sequence delimiters, group lengths, charset, TS. */
const SPECIAL_TAGS: [number, number][] = [[0x7fe0, 0x0010], [0xfffe, 0xe000], [0xfffe, 0xe00d], [0xfffe, 0xe0dd], [0x0008, 0x0000], [0x0008, 0x0005], [0x0002, 0x0010], [0x0028, 0x0103], [0x0028, 0x3006], [0x0009, 0x0010]];
const TRANSFER_SYNTAXES = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.5', '9.9.9', ''];

interface ElementHeader {
  at: number;
  vr: string;
  /** Offset of the length field and its width. */
  lengthAt: number;
  lengthWidth: 2 | 4;
}

const hasMagic = (b: Uint8Array) => b.length >= PREAMBLE + 4 && MAGIC.every((c, i) => b[PREAMBLE + i] === c);
const ascii = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1]);

/**
 * Little-endian element headers from the meta on (descending into undefined-length sequences
 * and items): explicit VR where the two bytes after the tag are a known VR, else implicit VR
 * (PS3.5 §7.1.3: tag + 4-byte length). Stops at the first element that runs off the end.
 */
function walkElements(b: Uint8Array, limit = 400): ElementHeader[] {
  const out: ElementHeader[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = hasMagic(b) ? PREAMBLE + 4 : 0;
  while (at + 8 <= b.length && out.length < limit) {
    const vr = ascii(b, at + 4);
    const explicit = KNOWN_VRS.has(vr);
    const long = explicit && LONG_VRS.has(vr);
    if (long && at + 12 > b.length) break;
    const h: ElementHeader = explicit
      ? { at, vr, lengthAt: long ? at + 8 : at + 6, lengthWidth: long ? 4 : 2 }
      : { at, vr: '', lengthAt: at + 4, lengthWidth: 4 };
    out.push(h);
    const len = h.lengthWidth === 4 ? dv.getUint32(h.lengthAt, true) : dv.getUint16(h.lengthAt, true);
    const headerLen = h.lengthAt + h.lengthWidth - at;
    // Undefined length (sequences, items) or an item header: the next element starts inside.
    const item = dv.getUint16(at, true) === 0xfffe;
    at += len === UNDEFINED_LENGTH || item ? headerLen : headerLen + len;
  }
  return out;
}

function setLength(out: Uint8Array, h: ElementHeader, v: number): void {
  for (let i = 0; i < h.lengthWidth; i++) out[h.lengthAt + i] = (v >>> (8 * i)) & 0xff;
}

export function lieInLength(b: Uint8Array, rng: Rng): Uint8Array {
  const els = walkElements(b);
  if (!els.length) return b;
  const h = rng.pick(els);
  const out = b.slice();
  setLength(out, h, rng.chance(0.7) ? rng.pick(LENGTH_LIES) : rng.u32());
  return out;
}

export function swapVr(b: Uint8Array, rng: Rng): Uint8Array {
  const els = walkElements(b);
  if (!els.length) return b;
  const h = rng.pick(els);
  const vr = rng.pick(VRS);
  const out = b.slice();
  out[h.at + 4] = vr.charCodeAt(0);
  out[h.at + 5] = vr.charCodeAt(1);
  return out;
}

export function swapTag(b: Uint8Array, rng: Rng): Uint8Array {
  const els = walkElements(b);
  if (!els.length) return b;
  const h = rng.pick(els);
  const [g, e] = rng.chance(0.7) ? rng.pick(SPECIAL_TAGS) : [rng.int(0x10000), rng.int(0x10000)];
  const out = b.slice();
  out.set([g & 0xff, g >> 8, e & 0xff, e >> 8], h.at);
  return out;
}

/** Replace the transfer syntax UID's value (keeping its length field honest or not). */
export function swapTransferSyntax(b: Uint8Array, rng: Rng): Uint8Array {
  const h = walkElements(b, 20).find((x) => b[x.at] === 0x02 && b[x.at + 1] === 0 && b[x.at + 2] === 0x10 && b[x.at + 3] === 0);
  if (!h) return b;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const oldLen = dv.getUint16(h.lengthAt, true);
  let uid = rng.pick(TRANSFER_SYNTAXES);
  if (uid.length % 2) uid += '\0';
  const value = new TextEncoder().encode(uid);
  const head = b.slice(0, h.lengthAt + 2);
  setLength(head, h, value.length);
  return concatBytes([head, value, b.subarray(h.lengthAt + 2 + oldLen)]);
}

export const DICOM_MUTATORS: readonly Mutator[] = [...BYTE_MUTATORS, lieInLength, lieInLength, swapVr, swapTag, swapTag, swapTransferSyntax];

export function mutateDicom(seed: Uint8Array, rng: Rng): Uint8Array {
  return mutateStack(seed, rng, DICOM_MUTATORS);
}

/** A Part 10 file of random elements: random tags (ascending or not), VRs, lengths and values. */
export function generateDicom(rng: Rng): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array(PREAMBLE), new Uint8Array(MAGIC)];
  const ts = rng.pick(TRANSFER_SYNTAXES);
  parts.push(element(0x0002, 0x0010, 'UI', new TextEncoder().encode(ts.length % 2 ? `${ts}\0` : ts)));
  let group = 0x0008;
  const n = rng.range(0, 40);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.3)) group += rng.range(0, 0x20);
    const [g, e] = rng.chance(0.2) ? rng.pick(SPECIAL_TAGS) : [group & 0xffff, rng.int(0x10000)];
    const vr = rng.pick(VRS);
    const value = rng.chance(0.3) ? new TextEncoder().encode('1.2\\3\\ABC^DEF=GHI\\ 4e5 '.slice(0, rng.int(24))) : rng.bytes(rng.range(0, 64));
    const el = element(g, e, vr, value);
    if (rng.chance(0.15)) setLength(el, { at: 0, vr, lengthAt: LONG_VRS.has(vr) ? 8 : 6, lengthWidth: LONG_VRS.has(vr) ? 4 : 2 }, rng.pick(LENGTH_LIES));
    parts.push(el);
  }
  return concatBytes(parts);
}

function element(g: number, e: number, vr: string, value: Uint8Array): Uint8Array {
  const long = LONG_VRS.has(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, g, true);
  dv.setUint16(2, e, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) dv.setUint32(8, value.length, true);
  else dv.setUint16(6, Math.min(value.length, 0xffff), true);
  return concatBytes([head, value]);
}
