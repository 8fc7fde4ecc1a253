// Seeded randomness for the `fake` source: a seed per (seed, partition, column) and a small fast
// PRNG. Every value the source makes derives from these, so the same options give the same rows
// whichever partition is read first (each endpoint is independently seeded).

const UINT32_RANGE = 2 ** 32;
const FLOAT_HIGH_BITS = 2 ** 26;
const FLOAT_RANGE = 2 ** 53;

/** murmur3's 32-bit finaliser folded over the parts: a well-mixed seed per (seed, partition, column). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Split so seeds above 2^32 still change the result.
    for (const word of [part >>> 0, Math.floor(part / UINT32_RANGE) >>> 0]) {
      h = Math.imul(h ^ word, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for plausible test data (not for cryptography). */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1) with 53 bits. */
  float(): number {
    return ((this.uint32() >>> 5) * FLOAT_HIGH_BITS + (this.uint32() >>> 6)) / FLOAT_RANGE;
  }
  /** Uniform integer in [from, to). */
  int(from: number, to: number): number {
    return from + Math.floor(this.float() * (to - from));
  }
  /**
   * Writes `count` draws into `out[start]`, `out[start + stride]`, ...: the same stream as that
   * many uint32() calls, each scaled into [0, n) like below(n) when n < 2^32. One tight loop on a
   * local state, about 3× faster than a call per value; the fake source fills whole columns so.
   */
  fill(out: Uint32Array, start: number, stride: number, count: number, n: number = UINT32_RANGE): void {
    const scale = n / UINT32_RANGE;
    let state = this.state | 0;
    const end = start + count * stride;
    for (let at = start; at < end; at += stride) {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const draw = (t ^ (t >>> 14)) >>> 0;
      out[at] = n === UINT32_RANGE ? draw : Math.floor(draw * scale);
    }
    this.state = state >>> 0;
  }
  /** Writes `count` values `uint32() * step` into `out` (a float column: one draw per value, one pass). */
  fillScaled(out: Float64Array | Float32Array, count: number, step: number): void {
    let state = this.state | 0;
    for (let i = 0; i < count; i++) {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) * step;
    }
    this.state = state >>> 0;
  }
  /**
   * Integers `from + floor(uint32() * span / 2^32)` (from + span <= 2^53), one draw each, written
   * as little-endian 32-bit word pairs at `out[stride * i]` (low) and `out[stride * i + 1]` (high):
   * int64 and decimal128 columns from half the draws two words would take. A span above 2^32
   * leaves gaps between values; 2^32 distinct values are plenty for fake data.
   */
  fillWide(out: Uint32Array, stride: number, count: number, from: number, span: number): void {
    const scale = span / UINT32_RANGE;
    let state = this.state | 0;
    const end = count * stride;
    for (let at = 0; at < end; at += stride) {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const value = from + Math.floor(((t ^ (t >>> 14)) >>> 0) * scale);
      const high = Math.floor(value / UINT32_RANGE);
      out[at] = value - high * UINT32_RANGE;
      out[at + 1] = high;
    }
    this.state = state >>> 0;
  }
  /** Uniform integer in [0, n) for n <= 2^32, from one draw (bias below n / 2^32: noise for fake data). */
  below(n: number): number {
    return Math.floor((this.uint32() / UINT32_RANGE) * n);
  }
}

/** One Prng as a [0, 1) stream of 32-bit draws, for code shaped around Math.random (the sample
 *  data root, the ZIP fuzz test): same seed, same stream on every machine. */
export function randomStream(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.uint32() / UINT32_RANGE;
}
