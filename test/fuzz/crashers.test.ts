// Regression: every input in test/fuzz/crashers/ (named <target>-s<seed>-c<case>.bin by
// `npm run fuzz -- --save`) runs through its target again, with the same option draws as the
// fuzz case that found it, and must now end cleanly or in the layer's own error.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setLimits } from '../../server/limits.ts';
import { FUZZ_LIMITS } from './protocol.ts';
import { caseSeed, Rng } from './rng.ts';
import { loadSeeds } from './seeds.ts';
import { TARGETS } from './targets.ts';

const DIR = new URL('./crashers/', import.meta.url);
const NAME = /^([a-z]+)-s(\d+)-c(\d+)\.bin$/;

const files = readdirSync(DIR).filter((n) => NAME.test(n)).sort();

test('crasher inputs are all named <target>-s<seed>-c<case>.bin', () => {
  const stray = readdirSync(DIR).filter((n) => !NAME.test(n) && n !== '.gitkeep');
  assert.deepEqual(stray, []);
});

for (const file of files) {
  test(`crasher ${file} no longer crashes`, async (t) => {
    const [, target, seed, index] = NAME.exec(file)!;
    assert.ok(TARGETS[target], `unknown target ${target}`);
    const previous = setLimits(FUZZ_LIMITS);
    try {
      const rng = new Rng(caseSeed(Number(seed), target, Number(index)));
      TARGETS[target].input(rng, loadSeeds()); // same draws as the original case before exercise()
      const label = await TARGETS[target].exercise(new Uint8Array(readFileSync(new URL(file, DIR))), rng);
      t.diagnostic(`${file}: ${label}`);
    } finally {
      setLimits(previous);
    }
  });
}
