// Format-blind mutators (the AFL/libFuzzer staples): bit flips, interesting byte and word values,
// truncation, insertion, deletion, duplication of a block and splicing two inputs. Structure-aware
// mutators for ZIP, DICOM and CSV build on these in their own files.
import type { Rng } from './rng.ts';

/** Values that sit on boundaries readers get wrong: 0, 1, sign bits, all-ones. */
const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0xff];
const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
/** Mutations stacked on one input, at most. */
const MAX_STACK = 6;

export type Mutator = (input: Uint8Array, rng: Rng) => Uint8Array;

export function flipBits(b: Uint8Array, rng: Rng): Uint8Array {
  if (!b.length) return b;
  const out = b.slice();
  const flips = rng.range(1, 8);
  for (let i = 0; i < flips; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
  return out;
}

export function setByte(b: Uint8Array, rng: Rng): Uint8Array {
  if (!b.length) return b;
  const out = b.slice();
  out[rng.int(out.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_8) : rng.int(256);
  return out;
}

/** Overwrite an aligned-or-not 16/32-bit little-endian word with a boundary value. */
export function setWord(b: Uint8Array, rng: Rng): Uint8Array {
  const width = rng.chance(0.5) ? 2 : 4;
  if (b.length < width) return b;
  const out = b.slice();
  const at = rng.int(out.length - width + 1);
  const v = rng.chance(0.8) ? rng.pick(INTERESTING_32) : rng.u32();
  for (let i = 0; i < width; i++) out[at + i] = (v >>> (8 * i)) & 0xff;
  return out;
}

export function truncate(b: Uint8Array, rng: Rng): Uint8Array {
  return b.subarray(0, rng.int(b.length + 1));
}

/** Cut bytes from the front (a reader that trusts offsets from the end must cope). */
export function dropHead(b: Uint8Array, rng: Rng): Uint8Array {
  return b.subarray(rng.int(Math.min(b.length, 256) + 1));
}

export function insertBytes(b: Uint8Array, rng: Rng): Uint8Array {
  const at = rng.int(b.length + 1);
  const add = rng.chance(0.5) ? rng.bytes(rng.range(1, 64)) : new Uint8Array(rng.range(1, 512)).fill(rng.pick(INTERESTING_8));
  return concatBytes([b.subarray(0, at), add, b.subarray(at)]);
}

export function deleteBlock(b: Uint8Array, rng: Rng): Uint8Array {
  if (!b.length) return b;
  const at = rng.int(b.length);
  const len = rng.range(1, Math.min(256, b.length - at));
  return concatBytes([b.subarray(0, at), b.subarray(at + len)]);
}

export function duplicateBlock(b: Uint8Array, rng: Rng): Uint8Array {
  if (!b.length) return b;
  const at = rng.int(b.length);
  const len = rng.range(1, Math.min(1024, b.length - at));
  const to = rng.int(b.length + 1);
  return concatBytes([b.subarray(0, to), b.subarray(at, at + len), b.subarray(to)]);
}

export const BYTE_MUTATORS: readonly Mutator[] = [flipBits, setByte, setWord, setWord, truncate, dropHead, insertBytes, deleteBlock, duplicateBlock];

/** Apply 1..MAX_STACK mutators drawn from `pool`. */
export function mutateStack(b: Uint8Array, rng: Rng, pool: readonly Mutator[] = BYTE_MUTATORS): Uint8Array {
  let out = b;
  const n = rng.range(1, MAX_STACK);
  for (let i = 0; i < n; i++) out = rng.pick(pool)(out, rng);
  return out;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
