// The fake source's bulk generation (server/sources/fake-random.ts Prng.fill, fake-columns.ts),
// made fast for issue 7's DoGet figure: fill must give the very stream of uint32()/below() calls,
// and typed columns must stay inside their documented ranges, checked through Arrow JS's values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal, Field, Float32, Float64, Int32, Int64, Int8, TimestampMicrosecond, type Data } from 'apache-arrow';
import { columnGenerator } from '../../server/sources/fake-columns.ts';
import { Prng } from '../../server/sources/fake-random.ts';

const DRAWS = 1000;
const UINT32_RANGE = 2 ** 32;

test('Prng.fill writes the same draws as uint32(), strided, and leaves the stream where they would', () => {
  const [one, bulk] = [new Prng(12345), new Prng(12345)];
  const out = new Uint32Array(DRAWS * 3);
  bulk.fill(out, 1, 3, DRAWS);
  for (let i = 0; i < DRAWS; i++) assert.equal(out[1 + 3 * i], one.uint32(), `draw ${i}`);
  assert.equal(out[0], 0, 'slots between strides untouched');
  assert.equal(bulk.uint32(), one.uint32());
});

test('Prng.fill with a bound gives below(n) for each draw', () => {
  for (const n of [1, 7, 1000, 232_830, 2 ** 31 + 5]) {
    const [one, bulk] = [new Prng(n), new Prng(n)];
    const out = new Uint32Array(DRAWS);
    bulk.fill(out, 0, 1, DRAWS, n);
    for (let i = 0; i < DRAWS; i++) assert.equal(out[i], one.below(n), `n=${n} draw ${i}`);
  }
});

test('Prng.fillWide writes from + floor(uint32() * span / 2^32) as low/high word pairs', () => {
  for (const [from, span] of [[0, 1e15], [Date.UTC(2000, 0, 1) * 1000, 7.9e14], [5, 1000]]) {
    const [one, bulk] = [new Prng(span), new Prng(span)];
    const out = new Uint32Array(DRAWS * 4);
    bulk.fillWide(out, 4, DRAWS, from, span);
    for (let i = 0; i < DRAWS; i++) {
      const want = from + Math.floor((one.uint32() * span) / UINT32_RANGE);
      assert.equal(out[4 * i + 1] * UINT32_RANGE + out[4 * i], want, `span ${span} draw ${i}`);
      assert.equal(out[4 * i + 2], 0, 'words past the pair untouched');
    }
    assert.equal(bulk.uint32(), one.uint32());
  }
});

test('Prng.fillScaled writes uint32() * step, rounded to the array type', () => {
  const step = 1000 / UINT32_RANGE;
  for (const Arr of [Float64Array, Float32Array]) {
    const [one, bulk] = [new Prng(3), new Prng(3)];
    const out = new Arr(DRAWS);
    bulk.fillScaled(out, DRAWS, step);
    const want = new Arr(DRAWS);
    for (let i = 0; i < DRAWS; i++) want[i] = one.uint32() * step;
    assert.deepEqual(out, want);
  }
});

/** Column values as JS numbers (int64 and decimal128 via their 32-bit words; all below 2^53). */
function numbers(data: Data, words: number): number[] {
  const raw = data.values as ArrayLike<number> & { buffer: ArrayBuffer; byteOffset: number };
  if (words === 1) return Array.from(raw);
  const u32 = new Uint32Array(raw.buffer, raw.byteOffset, data.length * words);
  return Array.from({ length: data.length }, (_, i) => u32[words * i + 1] * UINT32_RANGE + u32[words * i]);
}

const CASES: [string, Field, number, number, number][] = [
  ['int8', new Field('v', new Int8()), 1, 0, 100],
  ['int32', new Field('v', new Int32()), 1, 0, 1_000_000],
  ['int64', new Field('v', new Int64()), 2, 0, 1e12],
  ['decimal(38,0)', new Field('v', new Decimal(0, 38, 128)), 4, 0, 1e15],
  ['decimal(5,2)', new Field('v', new Decimal(2, 5, 128)), 4, 0, 1e5],
  ['timestamp', new Field('v', new TimestampMicrosecond()), 2, Date.UTC(2000, 0, 1) * 1000, Date.UTC(2025, 0, 1) * 1000],
  ['float64', new Field('v', new Float64()), 1, 0, 1000],
  ['float32', new Field('v', new Float32()), 1, 0, 1000],
];

for (const [name, field, words, from, to] of CASES) {
  test(`fake ${name} column: values in [${from}, ${to}), varied, reproducible`, () => {
    const values = numbers(columnGenerator(field, 7)(DRAWS), words);
    assert.deepEqual(numbers(columnGenerator(field, 7)(DRAWS), words), values);
    for (const v of values) assert.ok(v >= from && v < to, `${v} outside [${from}, ${to})`);
    assert.ok(new Set(values).size > Math.min(DRAWS, to - from) / 2, 'values vary');
    if (words > 1 && to - from > UINT32_RANGE) assert.ok(values.some((v) => v - from >= UINT32_RANGE), 'high words are used');
  });
}
