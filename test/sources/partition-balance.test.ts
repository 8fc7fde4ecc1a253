// balancePartitions (server/sources/partition-balance.ts): the properties GetFlightInfo relies on
// over random weights: every member in exactly one partition, file order kept, at most N
// partitions, none empty, and each within one member's weight of an equal share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { balancePartitions } from '../../server/sources/partition-balance.ts';
import { Prng } from '../../server/sources/fake-random.ts';

const CASES = 500;
const MAX_ITEMS = 60;
const MAX_PARTITIONS = 12;

interface Item {
  id: number;
  weight: number;
}

function randomItems(r: Prng): Item[] {
  const n = r.below(MAX_ITEMS + 1);
  // Mostly small members with the odd huge one, as in real archives.
  return Array.from({ length: n }, (_, id) => ({ id, weight: r.below(10) === 0 ? 1 + r.below(1 << 24) : 1 + r.below(4096) }));
}

test('every item once, in order, in at most n non-empty partitions near an equal share', () => {
  const r = new Prng(20261125);
  for (let c = 0; c < CASES; c++) {
    const items = randomItems(r);
    const n = 1 + r.below(MAX_PARTITIONS);
    const groups = balancePartitions(items, n, (i) => i.weight);
    assert.deepEqual(groups.flat().map((i) => i.id), items.map((i) => i.id));
    assert.ok(groups.length <= n, `${groups.length} partitions for n=${n}`);
    assert.ok(groups.every((g) => g.length > 0));
    if (items.length >= n && items.every((i) => i.weight === items[0].weight)) assert.equal(groups.length, n);
    const total = items.reduce((s, i) => s + i.weight, 0);
    const heaviest = Math.max(0, ...items.map((i) => i.weight));
    for (const g of groups) {
      const w = g.reduce((s, i) => s + i.weight, 0);
      assert.ok(w <= total / n + heaviest, `partition of ${w} > share ${total / n} + ${heaviest}`);
    }
  }
});

test('equal weights: partition sizes differ by at most one', () => {
  for (let m = 1; m <= 40; m++) {
    for (let n = 1; n <= 10; n++) {
      const sizes = balancePartitions(Array.from({ length: m }, (_, i) => i), n, () => 1024).map((g) => g.length);
      assert.equal(sizes.length, Math.min(m, n));
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `m=${m} n=${n}: ${sizes}`);
    }
  }
});

test('one member much heavier than the rest takes a partition of its own', () => {
  const items = [1, 1, 1, 1000, 1, 1, 1];
  const groups = balancePartitions(items, 3, (w) => w);
  assert.ok(groups.some((g) => g.length === 1 && g[0] === 1000), JSON.stringify(groups));
});

test('no items, no partitions; all-zero weights still spread', () => {
  assert.deepEqual(balancePartitions([], 4, () => 1), []);
  assert.equal(balancePartitions([1, 2, 3, 4], 2, () => 0).length, 2);
});
