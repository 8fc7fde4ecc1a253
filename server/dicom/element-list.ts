// A dataset's data elements by tag, in file order (PS3.5 §7.1: elements ascend by tag, so file
// order is almost always tag order). It keeps a Map's semantics for what the walker needs — a
// repeated tag replaces the value and keeps its place — on one array: a Map per dataset cost
// a third of the walk's garbage (its table regrown ~6 times for a CT header's ~70 elements).
import type { RawElement } from './walker.ts';

/** Elements an arena keeps between parses; a larger file's extra elements are left to the GC. */
const ARENA_KEEPS = 4096;

/** Element objects reused from one parse to the next, for a parse whose result holds none of them
 *  (parseDicomText: text out, raw datasets dead on return). An element is ~110 bytes (96 + the
 *  boxed length) and a CT header has ~75: the larger part of the walk's garbage. */
export class ElementArena {
  private readonly items: RawElement[] = [];
  private used = 0;

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
  }
}

/** Up to this many elements a lookup scans; past it, a binary search (ascending tags) or an index. */
const SCAN_LIMIT = 16;

export class ElementList {
  /** The elements in file order (their tags are the keys). */
  private readonly list: RawElement[] = [];
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
    return this.list.length;
  }

  /** The elements in file order (a live view: do not modify). */
  values(): readonly RawElement[] {
    return this.list;
  }

  first(): RawElement | undefined {
    return this.list[0];
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

  clear(): void {
    this.list.length = 0;
    this.index = null;
    this.ascending = true;
    this.max = -1;
  }

  private push(tag: number, el: RawElement): void {
    this.index?.set(tag, this.list.length);
    this.list.push(el);
  }

  private indexOf(tag: number): number {
    const list = this.list;
    if (list.length <= SCAN_LIMIT) {
      for (let i = 0; i < list.length; i++) if (list[i].tag === tag) return i;
      return -1;
    }
    if (this.ascending) return binarySearch(list, tag);
    if (this.index === null) this.index = new Map(list.map((el, i) => [el.tag, i]));
    return this.index.get(tag) ?? -1;
  }
}

function binarySearch(list: RawElement[], tag: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = list[mid].tag;
    if (t === tag) return mid;
    if (t < tag) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
