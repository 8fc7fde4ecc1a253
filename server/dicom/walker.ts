// Data element walker (DICOM PS3.5 §7.1 explicit/implicit VR elements, §7.5 sequences, items and
// delimiters, §A.4 encapsulated Pixel Data) that follows pydicom 3.0.1's filereader step for step,
// because parity means reproducing its recoveries too: an invalid explicit VR read as implicit,
// the implicit/explicit guess per dataset, UN of undefined length read as SQ, an unknown
// undefined-length element read as SQ when an Item follows, values cut short kept short.
// Values are not decoded here: elements keep byte ranges into the input (zero copies).
import { publicVr } from './dictionary.ts';
import { DicomError, formatTag } from './dicom-error.ts';
import { encodingsAt } from './values.ts';
import { type ElementArena, ElementList } from './element-list.ts';

export const UNDEFINED_LENGTH = 0xffffffff;
export const ITEM_TAG = 0xfffee000;
const ITEM_DELIMITATION_TAG = 0xfffee00d;
const SEQUENCE_DELIMITATION_TAG = 0xfffee0dd;
export const SPECIFIC_CHARACTER_SET = 0x00080005;
/** Tag + VR + 2-byte length, or tag + 4-byte length (PS3.5 §7.1.2, §7.1.3). */
const SHORT_HEADER = 8;
/** Explicit VRs with 2 reserved bytes and a 4-byte length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const VRS = new Set([...LONG_VRS, 'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'PN',
  'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);
const A = 0x41;
const Z = 0x5a;
const LETTERS = 26;
/** The explicit VRs pydicom knows by their two letters ((c0 - 'A') * 26 + c1 - 'A'), and which
 *  of them have a 4-byte length: two array reads per element instead of a Map and a Set lookup. */
const VR_BY_LETTERS: (string | undefined)[] = new Array(LETTERS * LETTERS).fill(undefined);
const LONG_BY_LETTERS = new Uint8Array(LETTERS * LETTERS);
for (const vr of VRS) {
  const at = (vr.charCodeAt(0) - A) * LETTERS + vr.charCodeAt(1) - A;
  VR_BY_LETTERS[at] = vr;
  LONG_BY_LETTERS[at] = LONG_VRS.has(vr) ? 1 : 0;
}

/** The known VR written as bytes c0 c1, as its index in VR_BY_LETTERS, or -1. */
function vrIndex(c0: number, c1: number): number {
  if (c0 < A || c0 > Z || c1 < A || c1 > Z) return -1;
  const at = (c0 - A) * LETTERS + c1 - A;
  return VR_BY_LETTERS[at] === undefined ? -1 : at;
}
/** Pixel Data, Float and Double Float Pixel Data: bulk values, exempt from the element size limit;
 *  also the tags pydicom's stop_before_pixels stops at (filereader._at_pixel_data). */
export const PIXEL_TAGS = new Set([0x7fe00010, 0x7fe00009, 0x7fe00008]);

export interface RawElement {
  tag: number;
  /** The VR as read (explicit), resolved at read time (undefined length), or null (implicit). */
  vr: string | null;
  /** Declared value length (UNDEFINED_LENGTH for undefined). */
  length: number;
  headerOffset: number;
  /** Value bytes [start, end); `end` is clipped where the input ends. */
  start: number;
  end: number;
  /** The dataset's encoding (pydicom's RawDataElement.is_implicit_VR / is_little_endian). */
  implicit: boolean;
  little: boolean;
  /** Items of a sequence read while walking (undefined length); null otherwise. */
  items: RawDataset[] | null;
}

export interface RawDataset {
  /** Elements by tag in file order; a repeated tag replaces the value, keeps its place. */
  elements: ElementList;
  /** Character set codecs inherited from the enclosing dataset (pydicom's parent_encoding). */
  parentEncodings: readonly string[];
  /** The VR encoding the dataset was read with (pydicom's original_encoding[0]). */
  implicit: boolean;
}

/** Where the walk stopped before an element (stop_when, e.g. before Pixel Data). */
export interface StopPoint {
  tag: number;
  vr: string | null;
  length: number;
  headerOffset: number;
  valueOffset: number;
}

export class NeedMore extends Error {}

export class WalkContext {
  readonly dv: DataView;
  /** First place a value or header was cut short (pydicom reads on silently). */
  cut: { offset: number; tag: number | null; message: string } | null = null;
  stop: StopPoint | null = null;
  /** The element whose value passed `maxValueBytes`: the walk ended before it. */
  halt: { offset: number; tag: number; message: string } | null = null;
  /** Where the last readDataset stopped (its caller reads it next: no result object per dataset). */
  datasetEnd = 0;

  constructor(
    readonly buf: Uint8Array,
    /** False when `buf` is only a prefix: reaching its end means "need more bytes". */
    readonly complete: boolean,
    /** Bytes one header element's value may have (limits.maxDicomElementBytes); Pixel Data exempt. */
    readonly maxValueBytes = Infinity,
    /** Where elements come from when the caller recycles them (parseDicomText), else null. */
    readonly arena: ElementArena | null = null,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** True when [pos, pos+n) passes `limit`; a prefix that ends there needs more bytes. */
  short(pos: number, n: number, limit: number): boolean {
    if (pos + n <= limit) return false;
    if (!this.complete && limit >= this.buf.length) throw new NeedMore();
    return true;
  }

  tagAt(pos: number, little: boolean): number {
    return ((this.dv.getUint16(pos, little) << 16) | this.dv.getUint16(pos + 2, little)) >>> 0;
  }

  noteCut(offset: number, tag: number | null, message: string): void {
    if (!this.cut) this.cut = { offset, tag, message };
  }

  /** The walk halted at `el` itself (not inside its items). */
  haltedAt(el: RawElement): boolean {
    return this.halt !== null && this.halt.tag === el.tag && this.halt.offset === el.headerOffset;
  }

  /** Whether `el`'s value passes the limit; if so the walk halts before it. `bytes`: the value's
   *  bytes in the input (its declared length when a prefix ends first: the rest is coming). */
  overLimit(el: RawElement, bytes: number): boolean {
    if (bytes <= this.maxValueBytes || PIXEL_TAGS.has(el.tag)) return false;
    this.halt = { offset: el.headerOffset, tag: el.tag, message: `${formatTag(el.tag)}: value of ${bytes} bytes at byte ${el.start} is over the limit of ${this.maxValueBytes} bytes per element` };
    return true;
  }
}

export interface DatasetSpec {
  pos: number;
  /** End of the readable bytes (the input, or a defined-length sequence value). */
  limit: number;
  /** Item length, or null: read until an Item Delimitation Item or the end. */
  byteLength: number | null;
  implicit: boolean;
  little: boolean;
  parentEncodings: readonly string[];
  atTop: boolean;
  stopWhen: ((tag: number) => boolean) | null;
  /** Tags in [goOnFrom, goOnTo] never stop the walk: stopWhen is not asked (a call per element
   *  through a closure cost ~2% of a header's parse). Empty (0, -1) when nothing is known. */
  goOnFrom: number;
  goOnTo: number;
}

/** pydicom's _is_implicit_vr: the first element's VR bytes decide, except inside implicit sequences. */
function detectImplicit(ctx: WalkContext, s: DatasetSpec): boolean {
  if (!s.atTop && s.implicit) return true;
  if (ctx.short(s.pos, 6, s.limit)) return s.implicit;
  const c0 = ctx.buf[s.pos + 4];
  const c1 = ctx.buf[s.pos + 5];
  return !(c0 > 0x40 && c0 < 0x5b && c1 > 0x40 && c1 < 0x5b);
}

/** b"AA" <= vr <= b"ZZ" as Python compares bytes. */
function inVrRange(c0: number, c1: number): boolean {
  return (c0 > A || (c0 === A && c1 >= A)) && (c0 < Z || (c0 === Z && c1 <= Z));
}

/** One element header at `pos` (data_element_generator's unpacking, PS3.5 §7.1.1-7.1.3): the
 *  element with its value starting right after the header; an invalid explicit VR (not AA-ZZ)
 *  is read as an implicit header, an unknown AA-ZZ one with a 2-byte length, as pydicom does. */
function readElementHeader(ctx: WalkContext, pos: number, implicit: boolean, little: boolean, limit: number): RawElement {
  const tag = ctx.tagAt(pos, little);
  const el: RawElement = ctx.arena !== null
    ? ctx.arena.take(tag, pos, pos + SHORT_HEADER, implicit, little)
    : { tag, vr: null, length: 0, headerOffset: pos, start: pos + SHORT_HEADER, end: 0, implicit, little, items: null };
  const c0 = ctx.buf[pos + 4];
  const c1 = ctx.buf[pos + 5];
  const at = implicit ? -1 : vrIndex(c0, c1);
  const known = at < 0 ? undefined : VR_BY_LETTERS[at];
  if (at >= 0 && LONG_BY_LETTERS[at] === 1) {
    if (ctx.short(pos + SHORT_HEADER, 4, limit)) throw new DicomError('TRUNCATED', 'input ends inside an element header', pos, tag);
    el.vr = known as string;
    el.length = ctx.dv.getUint32(pos + SHORT_HEADER, little);
    el.start += 4;
  } else if (known !== undefined || (!implicit && inVrRange(c0, c1))) {
    el.vr = known ?? String.fromCharCode(c0, c1);
    el.length = ctx.dv.getUint16(pos + 6, little);
  } else {
    el.length = ctx.dv.getUint32(pos + 4, little);
  }
  el.end = el.start;
  return el;
}

/** The dataset read, with where it stopped in ctx.datasetEnd. */
function ended(ctx: WalkContext, ds: RawDataset, pos: number): RawDataset {
  ctx.datasetEnd = pos;
  return ds;
}

/** read_dataset + data_element_generator: one dataset; returns it, the position after it in
 *  ctx.datasetEnd. */
export function readDataset(ctx: WalkContext, s: DatasetSpec): RawDataset {
  const implicit = detectImplicit(ctx, s);
  const { limit, little } = s;
  const ds: RawDataset = ctx.arena !== null ? ctx.arena.dataset(s.parentEncodings, implicit) : { elements: new ElementList(), parentEncodings: s.parentEncodings, implicit };
  const elements = ds.elements;
  let encodings = s.parentEncodings;
  let pos = s.pos;
  while (ctx.halt === null && (s.byteLength === null || pos - s.pos < s.byteLength)) {
    if (ctx.short(pos, SHORT_HEADER, limit)) return ended(ctx, ds, Math.max(pos, limit));
    const el = readElementHeader(ctx, pos, implicit, little, limit);
    if (el.tag === ITEM_DELIMITATION_TAG) return ended(ctx, ds, el.start);
    if (s.stopWhen !== null && (el.tag < s.goOnFrom || el.tag > s.goOnTo) && s.stopWhen(el.tag)) {
      ctx.stop = { tag: el.tag, vr: el.vr, length: el.length, headerOffset: pos, valueOffset: el.start };
      return ended(ctx, ds, pos);
    }
    if (el.length !== UNDEFINED_LENGTH) {
      if (ctx.overLimit(el, valueBytes(el, limit))) return ended(ctx, ds, pos);
      // A value overrunning its sequence's value is read short silently (pydicom's BytesIO); only
      // the end of the input itself is a cut.
      if (ctx.short(el.start, el.length, limit) && limit >= ctx.buf.length) ctx.noteCut(el.start, el.tag, `value of ${el.length} bytes cut short at byte ${limit}`);
      el.end = Math.min(el.start + el.length, limit);
      if (el.tag === SPECIFIC_CHARACTER_SET) encodings = encodingsAt(ctx.buf, el.start, el.end);
      pos = el.end;
    } else {
      const next = readUndefinedLength(ctx, el, limit, encodings);
      if (next === null) {
        // pydicom: EOFError ends the generator; a dict comprehension (no item length) keeps nothing.
        ctx.noteCut(el.start, el.tag, 'no delimiter before the end of the input');
        if (s.byteLength === null) elements.clear();
        return ended(ctx, ds, el.start);
      }
      pos = next;
      // Over the limit inside a sequence: keep the items read so far; a plain value: leave it out.
      if (ctx.haltedAt(el)) return ended(ctx, ds, el.headerOffset);
    }
    elements.set(el.tag, el);
  }
  return ended(ctx, ds, pos);
}

/** A defined-length value's bytes for the limit: those present, clipped where its sequence or the
 *  input ends (pydicom reads it short). Not the declared length: garbage lengths in files pydicom
 *  reads (no_meta.dcm) would fail them. A prefix thus reads on up to the limit, never past it. */
function valueBytes(el: RawElement, limit: number): number {
  return Math.min(el.length, Math.max(0, limit - el.start));
}

/** Undefined-length value: a sequence (SQ, UN, or unknown followed by an Item) or bytes up to
 *  the Sequence Delimitation Item. Returns the position after it, or null at end of input. */
function readUndefinedLength(ctx: WalkContext, el: RawElement, limit: number, encodings: readonly string[]): number | null {
  if (el.vr === 'UN') el.vr = 'SQ';
  if (el.vr === null) {
    el.vr = publicVr(el.tag);
    if (el.vr === null) {
      if (ctx.short(el.start, 4, limit)) throw new DicomError('TRUNCATED', 'input ends inside an undefined-length element', el.start, el.tag);
      if (ctx.tagAt(el.start, el.little) === ITEM_TAG) el.vr = 'SQ';
    }
  }
  if (el.vr === 'SQ') {
    const seq = readSequence(ctx, el.start, limit, UNDEFINED_LENGTH, el.implicit, el.little, encodings);
    el.items = seq.items;
    el.end = seq.pos;
    return seq.pos;
  }
  return readDelimitedValue(ctx, el, limit);
}

/** pydicom's read_undefined_length_value: walk the items as encapsulated data, else scan bytes.
 *  A value past the limit halts the walk (ctx.halt) once its end, or the input's, is known. */
function readDelimitedValue(ctx: WalkContext, el: RawElement, limit: number): number | null {
  let p = el.start;
  for (;;) {
    if (ctx.short(p, 4, limit)) break;
    const tag = ctx.tagAt(p, el.little);
    p += 4;
    if (tag === SEQUENCE_DELIMITATION_TAG) {
      el.end = p - 4;
      ctx.overLimit(el, el.end - el.start);
      return Math.min(p + 4, limit);
    }
    if (tag !== ITEM_TAG || ctx.short(p, 4, limit)) break;
    p += 4 + ctx.dv.getUint32(p, el.little);
  }
  const delimiter = el.little ? [0xfe, 0xff, 0xdd, 0xe0] : [0xff, 0xfe, 0xe0, 0xdd];
  const at = Buffer.from(ctx.buf.buffer, ctx.buf.byteOffset, limit).indexOf(Buffer.from(delimiter), el.start);
  if (ctx.overLimit(el, (at < 0 ? limit : at) - el.start)) return limit;
  if (at < 0) {
    ctx.short(limit, 1, limit);
    return null;
  }
  el.end = at;
  return Math.min(at + 8, limit);
}

/** read_sequence + read_sequence_item. `byteLength` UNDEFINED_LENGTH: until the delimiter. */
export function readSequence(
  ctx: WalkContext, pos: number, limit: number, byteLength: number, implicit: boolean, little: boolean,
  encodings: readonly string[],
): { items: RawDataset[]; pos: number } {
  const items: RawDataset[] = [];
  if (byteLength === 0) return { items, pos };
  const start = pos;
  while (byteLength === UNDEFINED_LENGTH || pos - start < byteLength) {
    if (ctx.short(pos, SHORT_HEADER, limit)) throw new DicomError('TRUNCATED', 'input ends inside a sequence', pos, null);
    const tag = ctx.tagAt(pos, little);
    const length = ctx.dv.getUint32(pos + 4, little);
    pos += SHORT_HEADER;
    if (tag === SEQUENCE_DELIMITATION_TAG) break;
    const item = readDataset(ctx, {
      pos, limit, byteLength: length === UNDEFINED_LENGTH ? null : length, implicit, little,
      parentEncodings: encodings, atTop: false, stopWhen: null, goOnFrom: 0, goOnTo: -1,
    });
    items.push(item);
    pos = ctx.datasetEnd;
    if (ctx.halt !== null) break;
  }
  return { items, pos };
}
