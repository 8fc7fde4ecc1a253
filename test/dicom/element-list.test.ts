// ElementList (server/dicom/element-list.ts) against JS's own Map, the semantics it replaces:
// insertion order kept, a repeated key replaced in place; tags ascending, shuffled, repeated,
// above 2^30 (non-Smi), in lists small (scanned) and large (binary search, then an index).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ElementList } from '../../server/dicom/element-list.ts';
import type { RawElement } from '../../server/dicom/walker.ts';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function element(tag: number, n: number): RawElement {
  return { tag, vr: null, length: n, headerOffset: n, start: n, end: n, implicit: false, little: true, items: null };
}

test('ElementList keeps a Map\'s order and values for every insertion pattern', () => {
  let checked = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const next = random(seed);
    const size = Math.floor(next() * 120);
    const list = new ElementList();
    const map = new Map<number, RawElement>();
    let tag = Math.floor(next() * 0x100);
    for (let n = 0; n < size; n++) {
      const pattern = next();
      // Mostly ascending (as files are), sometimes a repeat, a step back, or a high group.
      if (pattern < 0.7) tag += 1 + Math.floor(next() * 0x20);
      else if (pattern < 0.8) tag = [...map.keys()][Math.floor(next() * map.size)] ?? tag;
      else if (pattern < 0.9) tag = Math.floor(next() * tag);
      else tag = 0x40000000 + Math.floor(next() * 0xbfffffff);
      const el = element(tag, n);
      list.set(tag, el);
      map.set(tag, el);
      if (next() < 0.3) {
        const probe = next() < 0.5 ? tag : Math.floor(next() * 0xffffffff);
        assert.equal(list.get(probe), map.get(probe));
        assert.equal(list.has(probe), map.has(probe));
        checked++;
      }
    }
    assert.equal(list.size, map.size);
    assert.deepEqual(list.values(), [...map.values()]);
    assert.equal(list.first(), map.values().next().value);
    for (const key of map.keys()) assert.equal(list.get(key), map.get(key));
    list.clear();
    assert.equal(list.size, 0);
    assert.equal(list.get(tag), undefined);
  }
  assert.ok(checked > 1000, `only ${checked} interleaved lookups`);
});
