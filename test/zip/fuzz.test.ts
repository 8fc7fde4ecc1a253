// Seeded mutation fuzz of the ZIP reader (issue 6): small archives written by Python's zipfile,
// mutated by bit flips, interesting length/offset values, truncations, insertions and splices,
// then opened and every member read as a prefix and as a stream. Every case must end in success
// or a ZipError, each within a time limit: no other exception, no hang, no unbounded output.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomStream } from '../../server/sources/fake-random.ts';
import type { ZipArchive } from '../../server/zip/archive.ts';
import type { InflateBackend } from '../../server/zip/inflate.ts';
import { ZipError } from '../../server/zip/zip-error.ts';
import { makeFixtures, openBytes, type Fixtures } from './fixtures.ts';

const SEED = Number(process.env.ZIP_FUZZ_SEED ?? 0x5eed_2026);
/** More for a longer run: ZIP_FUZZ_CASES=30000 ZIP_FUZZ_SEED=7 node --import tsx --test test/zip/fuzz.test.ts */
const CASES = Number(process.env.ZIP_FUZZ_CASES ?? 3000);
const CASE_TIMEOUT_MS = 2000;
const MAX_ENTRIES_READ = 12;
const PREFIX_BYTES = 64;
/** Limits for fuzzing: mutated sizes may declare anything; these bound what may come out. */
const LIMITS = { maxInflatedBytes: 8 << 20, maxCompressionRatio: 1000, maxEntries: 10_000 };
/** Every n-th case inflates with fflate (the benchmark backend) instead of node:zlib. */
const FFLATE_EVERY = 4;
const INTERESTING = [0, 1, 0x7f, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Mutation = (b: Uint8Array, r: () => number) => Uint8Array;
const pick = (r: () => number, n: number) => Math.floor(r() * n);
/** Headers and the directory are near the start of members and at the tail: aim there half the time. */
const position = (b: Uint8Array, r: () => number) => (r() < 0.5 ? Math.max(0, b.length - 1 - pick(r, 200)) : pick(r, b.length));

const MUTATIONS: Record<string, Mutation> = {
  bitflip(b, r) {
    const out = b.slice();
    const at = position(out, r);
    out[at]! ^= 1 << pick(r, 8);
    return out;
  },
  field(b, r) {
    const out = b.slice();
    const dv = new DataView(out.buffer);
    const width = r() < 0.5 ? 2 : 4;
    const at = Math.min(position(out, r), out.length - width);
    if (at < 0) return out;
    const old = width === 2 ? dv.getUint16(at, true) : dv.getUint32(at, true);
    const choices = [...INTERESTING, old + 1, old - 1, old * 2, pick(r, 0x1_0000_0000)];
    const value = choices[pick(r, choices.length)]! >>> 0;
    if (width === 2) dv.setUint16(at, value & 0xffff, true);
    else dv.setUint32(at, value, true);
    return out;
  },
  truncate: (b, r) => b.slice(0, pick(r, b.length)),
  insert(b, r) {
    const at = position(b, r);
    const extra = Uint8Array.from({ length: 1 + pick(r, 16) }, () => pick(r, 256));
    return Uint8Array.from([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
  },
  splice(b, r) {
    const out = b.slice();
    const to = position(out, r);
    const piece = b.subarray(pick(r, b.length)).subarray(0, Math.min(1 + pick(r, 64), out.length - to));
    out.set(piece, to);
    return out;
  },
};

/** Member-level outcomes (codes of ZipErrors raised while reading), for the diagnostic line. */
const memberOutcomes = new Map<string, number>();
const count = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

async function readAll(archive: ZipArchive): Promise<void> {
  for (const entry of archive.entries.slice(0, MAX_ENTRIES_READ)) {
    for (const step of [
      () => archive.readPrefix(entry, PREFIX_BYTES),
      async () => { let n = 0; for await (const c of archive.openStream(entry)) n += c.length; return n; },
    ]) {
      try {
        await step();
        count(memberOutcomes, 'read');
      } catch (err) {
        if (!(err instanceof ZipError)) throw err;
        count(memberOutcomes, err.code);
      }
    }
  }
}

async function runCase(bytes: Uint8Array, backend: InflateBackend): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => { timer = setTimeout(() => resolve('TIMEOUT'), CASE_TIMEOUT_MS); });
  const work = (async () => {
    try {
      await readAll(await openBytes(bytes, { limits: LIMITS, backend }));
      return 'opened';
    } catch (err) {
      if (err instanceof ZipError) return err.code;
      return `CRASH ${(err as Error).name}: ${(err as Error).message}`;
    }
  })();
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

let fx: Fixtures;
before(() => { fx = makeFixtures(); });
after(() => fx?.cleanup());

describe('ZIP reader mutation fuzz', () => {
  it(`${CASES} mutated archives: only ZipErrors, no hang`, async (t) => {
    const seeds = Object.keys(fx.oracle).filter((n) => n.startsWith('fuzz-')).map((n) => fx.bytes(n));
    assert.ok(seeds.length >= 5);
    const r = randomStream(SEED); // mulberry32: every run tries the same cases
    const names = Object.keys(MUTATIONS);
    const outcomes = new Map<string, number>();
    const failures: string[] = [];
    const started = performance.now();
    for (let i = 0; i < CASES; i++) {
      let bytes = seeds[i % seeds.length]!;
      const applied: string[] = [];
      for (let k = 1 + pick(r, 3); k > 0; k--) {
        const name = names[pick(r, names.length)]!;
        bytes = MUTATIONS[name]!(bytes, r);
        applied.push(name);
      }
      const result = await runCase(bytes, i % FFLATE_EVERY === 0 ? 'fflate' : 'zlib');
      count(outcomes, result.split(' ')[0]!);
      if (result.startsWith('CRASH') || result === 'TIMEOUT') failures.push(`case ${i} (${applied.join('+')}): ${result}`);
    }
    t.diagnostic(`${CASES} cases in ${Math.round(performance.now() - started)} ms: archives ${JSON.stringify(Object.fromEntries(outcomes))}`);
    t.diagnostic(`member reads: ${JSON.stringify(Object.fromEntries(memberOutcomes))}`);
    assert.deepEqual(failures.slice(0, 10), []);
  });
});
