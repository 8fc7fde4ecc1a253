// A small seeded PRNG (SplitMix32-style mixing over a 32-bit state, as in mulberry32) so every
// fuzz case is a pure function of (seed, target, case index): a failure is replayed from its
// numbers alone (`npm run fuzz -- --target T --seed S --case I`). The generator is the server's
// mulberry32 (server/sources/fake-random.ts).
import { Prng } from '../../server/sources/fake-random.ts';

export class Rng {
  private readonly prng: Prng;
  constructor(seed: number) {
    this.prng = new Prng(seed);
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    return this.prng.uint32();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/** The seed of one case: mixes the run seed, the target's name and the case index. */
export function caseSeed(runSeed: number, target: string, index: number): number {
  let h = (runSeed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < target.length; i++) h = Math.imul(h ^ target.charCodeAt(i), 0x01000193) >>> 0;
  return (Math.imul(h ^ index, 0x9e3779b1) ^ (index >>> 16)) >>> 0;
}
