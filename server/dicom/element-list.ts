// A dataset's data elements by tag, in file order (PS3.5 §7.1: elements ascend by tag, so file
// order is almost always tag order). It keeps a Map's semantics for what the walker needs — a
// repeated tag replaces the value and keeps its place — on one array: a Map per dataset cost
// a third of the walk's garbage (its table regrown ~6 times for a CT header's ~70 elements).
import type { RawDataset, RawElement } from './walker.ts';

/** Elements an arena keeps between parses; a larger file's extra elements are left to the GC. */
const ARENA_KEEPS = 4096;
/** Datasets (the top level, the meta group, each sequence item) it keeps, and the capacity a kept
 *  dataset's element list may keep: bounds what stale slots can hold on to after a huge file. */
const ARENA_KEEPS_DATASETS = 256;
const ARENA_KEEPS_SLOTS = 512;

/** Element objects reused from one parse to the next, for a parse whose result holds none of them
 *  (parseDicomText: text out, raw datasets dead on return). An element is ~110 bytes (96 + the
 *  boxed length) and a CT header has ~75: the larger part of the walk's garbage. */
export class ElementArena {
  private readonly items: RawElement[] = [];
  private used = 0;
  private readonly datasets: RawDataset[] = [];
  private datasetsUsed = 0;

  /** An empty dataset whose element list keeps the capacity an earlier parse grew it to (a CT
   *  header's top level regrew its array ~6 times per parse: a third of parseDicomText's garbage). */
  dataset(parentEncodings: readonly string[], implicit: boolean): RawDataset {
    if (this.datasetsUsed === this.datasets.length) {
      const ds: RawDataset = { elements: new ElementList(), parentEncodings, implicit };
      this.datasets.push(ds);
      this.datasetsUsed++;
      return ds;
    }
    const ds = this.datasets[this.datasetsUsed++];
    ds.elements.clear();
    ds.parentEncodings = parentEncodings;
    ds.implicit = implicit;
    return ds;
  }

  /** A fresh-valued element (readElementHeader's initial state). */
  take(tag: number, headerOffset: number, start: number, implicit: boolean, little: boolean): RawElement {
    if (this.used === this.items.length) {
      const el: RawElement = { tag, vr: null, length: 0, headerOffset, start, end: 0, implicit, little, items: null };
      this.items.push(el);
      this.used++;
      return el;
    }
    const el = this.items[this.used++];
    el.tag = tag;
    el.vr = null;
    el.length = 0;
    el.headerOffset = headerOffset;
    el.start = start;
    el.end = 0;
    el.implicit = implicit;
    el.little = little;
    el.items = null;
    return el;
  }

  /** Every element taken is free again: call only when nothing refers to them any more. */
  reset(): void {
    this.used = 0;
    if (this.items.length > ARENA_KEEPS) this.items.length = ARENA_KEEPS;
    if (this.datasets.length > ARENA_KEEPS_DATASETS) this.datasets.length = ARENA_KEEPS_DATASETS;
    for (let i = 0; i < Math.min(this.datasetsUsed, this.datasets.length); i++) this.datasets[i].elements.release(ARENA_KEEPS_SLOTS);
    this.datasetsUsed = 0;
  }
}

/** Up to this many elements a lookup scans; past it, a binary search (ascending tags) or an index. */
const SCAN_LIMIT = 16;

export class ElementList {
  /** The elements in file order (their tags are the keys) are list[0, count): past `count`, the
   *  slots a cleared list keeps for reuse (clear() keeps the array's capacity). */
  private readonly list: RawElement[] = [];
  private count = 0;
  /** Tag → position, built on the first lookup in a large list whose tags do not ascend. */
  private index: Map<number, number> | null = null;
  private ascending = true;
  /** The greatest tag so far: a greater one cannot be present (not the last one once unsorted). */
  private max = -1;

  static of(el: RawElement): ElementList {
    const one = new ElementList();
    one.set(el.tag, el);
    return one;
  }

  get size(): number {
    return this.count;
  }

  /** The element at position `i` in file order, 0 <= i < size (loops use this: no copy). */
  at(i: number): RawElement {
    return this.list[i];
  }

  /** The elements in file order (a copy). */
  values(): RawElement[] {
    return this.list.slice(0, this.count);
  }

  first(): RawElement | undefined {
    return this.count === 0 ? undefined : this.list[0];
  }

  get(tag: number): RawElement | undefined {
    const at = this.indexOf(tag);
    return at < 0 ? undefined : this.list[at];
  }

  has(tag: number): boolean {
    return this.indexOf(tag) >= 0;
  }

  /** Add `el` at the end, or in the place of an element with the same tag. */
  set(tag: number, el: RawElement): void {
    if (tag > this.max) {
      this.max = tag;
      return this.push(tag, el);
    }
    const at = this.indexOf(tag);
    if (at >= 0) {
      this.list[at] = el;
      return;
    }
    this.ascending = false;
    this.push(tag, el);
  }

  /** Empty, and its array too when it has more than `slots` slots (no capacity kept). */
  release(slots: number): void {
    if (this.list.length > slots) this.list.length = 0;
    this.clear();
  }

  clear(): void {
    this.count = 0;
    this.index = null;
    this.ascending = true;
    this.max = -1;
  }

  private push(tag: number, el: RawElement): void {
    this.index?.set(tag, this.count);
    if (this.count < this.list.length) this.list[this.count] = el;
    else this.list.push(el);
    this.count++;
  }

  private indexOf(tag: number): number {
    const list = this.list;
    const count = this.count;
    if (count <= SCAN_LIMIT) {
      for (let i = 0; i < count; i++) if (list[i].tag === tag) return i;
      return -1;
    }
    if (this.ascending) return binarySearch(list, count, tag);
    if (this.index === null) this.index = indexOf(list, count);
    return this.index.get(tag) ?? -1;
  }
}

function indexOf(list: RawElement[], count: number): Map<number, number> {
  const index = new Map<number, number>();
  for (let i = 0; i < count; i++) index.set(list[i].tag, i);
  return index;
}

function binarySearch(list: RawElement[], count: number, tag: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = list[mid].tag;
    if (t === tag) return mid;
    if (t < tag) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
