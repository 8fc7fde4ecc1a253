// Raw datasets → DICOM JSON model (PS3.18 §F.2) as pydicom 3.0.1's Dataset.to_json_dict() builds
// it: keys "GGGGEEEE" in file order; the VR of implicit and UN elements from the data dictionary
// (PS3.6 §6, private creators PS3.5 §7.8.1); ambiguous VRs resolved as its filewriter does
// (US/SS by the nearest Pixel Representation, OB/OW by encoding and Bits Allocated, LUT Data
// by LUT Descriptor); each dataset decoded with its own or its parent's Specific Character Set.
import { publicVr, privateVr } from './dictionary.ts';
import { keepFileOrder } from './serialise.ts';
import { DEFAULT_ENCODINGS } from './charset.ts';
import { DicomError } from './dicom-error.ts';
import { BINARY_VRS, encodingsAt, type JsonElement, valueJson } from './values.ts';
import { type RawDataset, type RawElement, readSequence, SPECIFIC_CHARACTER_SET, type WalkContext } from './walker.ts';

const PIXEL_REPRESENTATION = 0x00280103;
const BITS_ALLOCATED = 0x00280100;
const PIXEL_DATA = 0x7fe00010;
const LUT_DESCRIPTOR = 0x00283002;
const LUT_DATA = 0x00283006;
const WAVEFORM_BITS_ALLOCATED = 0x54001004;
/** pydicom tag._LUT_DESCRIPTOR_TAGS: a negative first value read as SS gets 65536 added. */
export const LUT_DESCRIPTOR_TAGS = new Set([0x00281101, 0x00281102, 0x00281103, 0x00283002]);
/** pydicom filewriter._AMBIGUOUS_US_SS_TAGS: the only 'US or SS' tags it resolves. */
const US_SS_TAGS = new Set([0x00189810, 0x00221452, 0x00280104, 0x00280105, 0x00280106, 0x00280107, 0x00280108,
  0x00280109, 0x00280110, 0x00280111, 0x00280120, 0x00280121, 0x00281101, 0x00281102, 0x00281103, 0x00283002,
  0x00409211, 0x00409216, 0x00603004, 0x00603006]);
/** Waveform Channel Minimum/Maximum Value, Waveform Padding Value, Waveform Data ('OB or OW'). */
const WAVEFORM_OB_OW_TAGS = new Set([0x54000110, 0x54000112, 0x5400100a, 0x54001010]);
const MAX_UN_REPARSE = 0xffff;
const BYTE_BITS = 8;

/** One dataset being converted, with what its elements' VR resolution looks up. */
export interface Scope {
  ds: RawDataset;
  encodings: readonly string[];
  /** pydicom's _pixel_rep inherited through sequences, or undefined. */
  inheritedPixelRep: number | undefined;
  /** Elements converted ahead of their turn (created on first use: most datasets have none). */
  done: Map<number, JsonElement> | null;
}

/** A dataset's scope, its character sets read from its own Specific Character Set if any. */
export function openScope(ctx: WalkContext, ds: RawDataset, inheritedPixelRep: number | undefined): Scope {
  const scope: Scope = { ds, encodings: ds.parentEncodings, inheritedPixelRep, done: null };
  const charset = ds.elements.get(SPECIFIC_CHARACTER_SET);
  if (charset) scope.encodings = datasetEncodings(ctx, scope, charset);
  return scope;
}

export function datasetJson(ctx: WalkContext, ds: RawDataset, inheritedPixelRep: number | undefined, skip?: Set<number>): Record<string, JsonElement> {
  const scope = openScope(ctx, ds, inheritedPixelRep);
  const out: Record<string, JsonElement> = {};
  const keys: string[] = [];
  const elements = ds.elements;
  for (let i = 0; i < elements.size; i++) {
    const el = elements.at(i);
    const tag = el.tag;
    if (skip !== undefined && skip.has(tag)) {
      skippedElement(ctx, scope, el);
      continue;
    }
    const key = tagKey(tag);
    keys.push(key);
    out[key] = scope.done?.get(tag) ?? convertElement(ctx, scope, el);
  }
  keepFileOrder(out, keys);
  return out;
}

/** VRs whose pydicom value is a str (or list of str): what convert_encodings accepts. */
const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DT', 'LO', 'LT', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

/** read_dataset's convert_encodings(Specific Character Set value): a value of another type
 *  (a number, bytes, a sequence) is the default when empty or 0, and raises otherwise. */
function datasetEncodings(ctx: WalkContext, scope: Scope, el: RawElement): readonly string[] {
  const vr = finalVr(ctx, scope, el, readElementVr(ctx, scope, el));
  if (TEXT_VRS.has(vr) || el.end === el.start) return encodingsAt(ctx.buf, el.start, el.end);
  const value = vr === 'SQ' ? null : elementJson(ctx, scope, el).Value;
  if (value && value.length === 1 && value[0] === 0) return DEFAULT_ENCODINGS;
  throw new DicomError('BAD_VALUE', `Specific Character Set with VR ${vr} is not text`, el.headerOffset, el.tag);
}

const HEX_BYTES = Array.from({ length: 256 }, (_v, b) => b.toString(16).toUpperCase().padStart(2, '0'));

/** Keys already built: the same few hundred tags recur in every file, and a cached key is a flat,
 *  hashed string (a fresh concatenation is hashed again at each property store). Bounded against
 *  files of random tags. */
const KEY_CACHE = new Map<number, string>();
const KEY_CACHE_LIMIT = 1 << 16;

/** "GGGGEEEE", upper-case hex (PS3.18 §F.2.1.1 attribute key). */
export function tagKey(tag: number): string {
  let key = KEY_CACHE.get(tag);
  if (key !== undefined) return key;
  key = HEX_BYTES[tag >>> 24] + HEX_BYTES[(tag >>> 16) & 0xff] + HEX_BYTES[(tag >>> 8) & 0xff] + HEX_BYTES[tag & 0xff];
  if (KEY_CACHE.size < KEY_CACHE_LIMIT) KEY_CACHE.set(tag, key);
  return key;
}

/** An element another element's VR depends on (private creator, Pixel Representation, ...): converted once. */
export function elementJson(ctx: WalkContext, scope: Scope, el: RawElement): JsonElement {
  let json = scope.done?.get(el.tag);
  if (json === undefined) (scope.done ??= new Map()).set(el.tag, (json = convertElement(ctx, scope, el)));
  return json;
}

export function finalVr(ctx: WalkContext, scope: Scope, el: RawElement, readVr: string): string {
  return readVr.length > 2 ? resolveAmbiguous(ctx, scope, el, readVr) : readVr;
}

function convertElement(ctx: WalkContext, scope: Scope, el: RawElement): JsonElement {
  const readVr = readElementVr(ctx, scope, el);
  const vr = finalVr(ctx, scope, el, readVr);
  return vr === 'SQ' ? sequenceJson(ctx, scope, el) : convert(ctx, scope, el, vr, readVr === vr);
}

/** A filtered-out element: its VR is still resolved and a small value still converted (pydicom
 *  would fail on them before the filter applies); only a binary value's base64 is not built. */
export function skippedElement(ctx: WalkContext, scope: Scope, el: RawElement): void {
  const vr = finalVr(ctx, scope, el, readElementVr(ctx, scope, el));
  if (!BINARY_VRS.has(vr)) elementJson(ctx, scope, el);
}

/** pydicom hooks.raw_element_vr (ambiguous VRs are resolved after, by resolveAmbiguous). */
export function readElementVr(ctx: WalkContext, scope: Scope, el: RawElement): string {
  let vr = el.vr;
  const isPrivate = (el.tag >>> 16) % 2 === 1;
  if (vr === null) {
    vr = publicVr(el.tag) ?? (isPrivate ? privateElementVr(ctx, scope, el.tag) : (el.tag & 0xffff) === 0 ? 'UL' : 'UN');
  } else if (vr === 'UN') {
    if (isPrivate) vr = privateElementVr(ctx, scope, el.tag);
    else if (el.end - el.start < MAX_UN_REPARSE) vr = publicVr(el.tag) ?? 'UN';
  }
  return vr;
}

function privateElementVr(ctx: WalkContext, scope: Scope, tag: number): string {
  const elem = tag & 0xffff;
  if (elem >= 0x10 && elem <= 0xff) return 'LO';
  if ((elem & 0xff00) === 0) return 'UN';
  const creatorTag = ((tag & 0xffff0000) | (elem >>> 8)) >>> 0;
  const creatorEl = scope.ds.elements.get(creatorTag);
  if (!creatorEl) return 'UN';
  const creator = elementJson(ctx, scope, creatorEl).Value;
  if (!creator || creator.length !== 1 || typeof creator[0] !== 'string' || !creator[0]) return 'UN';
  return privateVr(tag, creator[0]) ?? 'UN';
}

/** A sibling's value as pydicom's VR decisions see it: undefined when absent, null when empty
 *  (None), the number for one number, NaN for anything else:
 *  a Sequence or a list is "not None" and equal to no number. An SQ is never converted here,
 *  so a Pixel Representation encoded as SQ cannot recurse into itself through its items. */
function siblingValue(ctx: WalkContext, scope: Scope, tag: number): number | null | undefined {
  const el = scope.ds.elements.get(tag);
  if (!el) return undefined;
  if (!scope.done?.has(tag) && finalVr(ctx, scope, el, readElementVr(ctx, scope, el)) === 'SQ') return NaN;
  const value = elementJson(ctx, scope, el).Value;
  if (value === undefined) return null;
  const v = value.length === 1 ? value[0] : undefined;
  return typeof v === 'number' ? v : NaN;
}

function resolveAmbiguous(ctx: WalkContext, scope: Scope, el: RawElement, vr: string): string {
  const { tag } = el;
  if (tag === PIXEL_DATA) {
    if (el.length === 0xffffffff) return 'OB';
    if (scope.ds.implicit) return 'OW';
    return bitsOver8(ctx, scope, BITS_ALLOCATED, 'BitsAllocated');
  }
  if (US_SS_TAGS.has(tag)) return pixelRep(ctx, scope) === 0 ? 'US' : 'SS';
  if (WAVEFORM_OB_OW_TAGS.has(tag)) return scope.ds.implicit ? 'OW' : bitsOver8(ctx, scope, WAVEFORM_BITS_ALLOCATED, 'WaveformBitsAllocated');
  if (tag === LUT_DATA) return lutDescriptorCountIsOne(ctx, scope) ? 'US' : 'OW';
  if ((tag & 0xffe1ffff) >>> 0 === 0x60003000 && tag >>> 16 < 0x601f) return 'OW';
  return vr;
}

/** pydicom's `ds.LUTDescriptor[0] == 1`, including what it raises on (absent, empty, one int). */
function lutDescriptorCountIsOne(ctx: WalkContext, scope: Scope): boolean {
  const el = scope.ds.elements.get(LUT_DESCRIPTOR);
  const fail = (why: string): never => {
    throw new DicomError('BAD_VALUE', `cannot resolve LUT Data's VR: LUT Descriptor ${why}`, null, LUT_DATA);
  };
  if (!el) return fail('absent');
  if (!scope.done?.has(LUT_DESCRIPTOR) && finalVr(ctx, scope, el, readElementVr(ctx, scope, el)) === 'SQ') {
    return el.end > el.start || el.items?.length ? false : fail('an empty sequence');
  }
  const json = elementJson(ctx, scope, el);
  if (json.InlineBinary !== undefined) return ctx.buf[el.start] === 1;
  const value = json.Value;
  if (!value || value.length === 0) return fail('empty');
  if (value.length === 1) return typeof value[0] === 'number' ? fail('a single number') : false;
  return value[0] === 1;
}

function bitsOver8(ctx: WalkContext, scope: Scope, tag: number, name: string): string {
  const bits = siblingValue(ctx, scope, tag);
  if (bits === undefined || bits === null || Number.isNaN(bits)) throw new DicomError('BAD_VALUE', `cannot resolve OB or OW without a numeric ${name}`, null, tag);
  return bits > BYTE_BITS ? 'OW' : 'OB';
}

/** Pixel Representation for US/SS: this dataset's, else inherited, else pydicom's fallback. */
function pixelRep(ctx: WalkContext, scope: Scope): number {
  const own = siblingValue(ctx, scope, PIXEL_REPRESENTATION);
  if (own !== undefined && own !== null) return own;
  if (scope.inheritedPixelRep !== undefined) return scope.inheritedPixelRep;
  if (own === undefined && !scope.ds.elements.has(PIXEL_DATA)) return 0;
  if (own === undefined) throw new DicomError('BAD_VALUE', 'US or SS with Pixel Data but no Pixel Representation');
  return 1;
}

/** The _pixel_rep an item inherits (pydicom Dataset._set_pixel_representation). */
export function childPixelRep(ctx: WalkContext, scope: Scope, item: RawDataset): number | undefined {
  const raw = item.elements.get(PIXEL_REPRESENTATION);
  // Not yet converted: pydicom tests its raw bytes for a 0x01 (a sequence already read is NaN).
  if (raw) return raw.items !== null ? NaN : ctx.buf.subarray(raw.start, raw.end).includes(1) ? 1 : 0;
  const own = siblingValue(ctx, scope, PIXEL_REPRESENTATION);
  return own !== undefined && own !== null ? own : scope.inheritedPixelRep;
}

function sequenceJson(ctx: WalkContext, scope: Scope, el: RawElement): JsonElement {
  let items = el.items;
  if (items === null) {
    const limit = el.end;
    items = readSequence(ctx, el.start, limit, limit - el.start, el.implicit, el.little, scope.encodings).items;
  }
  return { vr: 'SQ', Value: items.map((item) => datasetJson(ctx, item, childPixelRep(ctx, scope, item))) };
}

export function convert(ctx: WalkContext, scope: Scope, el: RawElement, vr: string, readAsIs: boolean): JsonElement {
  try {
    const json = valueJson(vr, ctx.buf, ctx.dv, el.start, el.end, el.little, scope.encodings);
    if (readAsIs && LUT_DESCRIPTOR_TAGS.has(el.tag)) fixLutDescriptor(json);
    return json;
  } catch (err) {
    if (err instanceof DicomError && err.tag === null) throw new DicomError(err.code, err.message, el.headerOffset, el.tag);
    throw err;
  }
}

/** pydicom raw_element_value: a LUT Descriptor list read as SS gets 65536 added to a negative first value. */
function fixLutDescriptor(json: JsonElement): void {
  const v = json.Value;
  if (v && v.length > 1 && typeof v[0] === 'number' && v[0] < 0) v[0] += 65536;
}
