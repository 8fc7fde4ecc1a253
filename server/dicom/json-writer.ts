// Raw datasets → the DICOM JSON model's text (PS3.18 §F.2) written straight into a UTF-8 sink,
// byte for byte what serialiseModel(datasetJson(...)) gives (pydicom 3.0.1's to_json_dict() +
// json.dumps), with no per-element objects for the common values: strings (PS3.5 §6.2) go from
// the input bytes to UTF-8, numbers from the DataView to digits, binary values to base64. VR
// resolution is json-model.ts's own; any value off the common path (another character set, an
// IS/DS that is not a plain number, a value pydicom refuses) is converted and serialised as before.
// The value writers: json-text-values.ts (strings, PN), json-number-values.ts (IS/DS, binary, AT).
import type { JsonSink } from './json-sink.ts';
import { writeDecimalStrings, writeIntegerStrings, writeNumbers, writeTags } from './json-number-values.ts';
import { BINARY_TAIL, latin1Set, plainText, rstripNulSpace, Trim, writeEmpty, writeHead, writePersonNames, writeStrings } from './json-text-values.ts';
import { childPixelRep, convert, finalVr, LUT_DESCRIPTOR_TAGS, openScope, readElementVr, type Scope, skippedElement } from './json-model.ts';
import { writeElement } from './serialise.ts';
import { type RawDataset, type RawElement, readSequence, type WalkContext } from './walker.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const HEX_UPPER = '0123456789ABCDEF';
/** Per byte value, its two upper-case hex digits as (first << 8) | second. */
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_v, b) => (HEX_UPPER.charCodeAt(b >> 4) << 8) | HEX_UPPER.charCodeAt(b & 0xf));
const TAG_HEX_DIGITS = 8;
const BYTE_MASK = 0xff;
/** The group of every LUT Descriptor tag (json-model's LUT_DESCRIPTOR_TAGS): a cheap test first. */
const LUT_GROUP = 0x0028;

/** The fast path's writer for each VR (PS3.5 Table 6.2-1). */
const enum Kind { Code = 1, Uid, Title, Uri, Text, LongText, Name, IntegerString, DecimalString, Number, Tag, Binary }
const VR_KIND_LIST = new Map<string, Kind>([
  ['AS', Kind.Code], ['CS', Kind.Code], ['DA', Kind.Code], ['DT', Kind.Code], ['TM', Kind.Code], ['UI', Kind.Uid],
  ['AE', Kind.Title], ['UR', Kind.Uri], ['LO', Kind.Text], ['SH', Kind.Text], ['UC', Kind.Text], ['ST', Kind.LongText],
  ['LT', Kind.LongText], ['UT', Kind.LongText], ['PN', Kind.Name], ['IS', Kind.IntegerString], ['DS', Kind.DecimalString],
  ['US', Kind.Number], ['SS', Kind.Number], ['UL', Kind.Number], ['SL', Kind.Number], ['FL', Kind.Number], ['FD', Kind.Number],
  ['AT', Kind.Tag], ['OB', Kind.Binary], ['OD', Kind.Binary], ['OF', Kind.Binary], ['OL', Kind.Binary], ['OV', Kind.Binary],
  ['OW', Kind.Binary], ['UN', Kind.Binary],
]);
const A = 0x41;
const LETTERS = 26;
/** VR_KIND_LIST by the VR's two letters ((c0 - 'A') * 26 + c1 - 'A'), 0 for none: two char
 *  codes and an array read per element instead of a string-keyed Map lookup. */
const VR_KINDS = new Uint8Array(LETTERS * LETTERS);
for (const [vr, kind] of VR_KIND_LIST) VR_KINDS[(vr.charCodeAt(0) - A) * LETTERS + vr.charCodeAt(1) - A] = kind;

/** The VR's Kind, or 0 (not two capital letters, e.g. an unresolved 'US or SS', or unknown). */
function kindOf(vr: string): number {
  if (vr.length !== 2) return 0;
  const c0 = vr.charCodeAt(0) - A;
  const c1 = vr.charCodeAt(1) - A;
  return c0 >= 0 && c0 < LETTERS && c1 >= 0 && c1 < LETTERS ? VR_KINDS[c0 * LETTERS + c1] : 0;
}

/** Writes `{"key":` ... for one dataset: the key is 8 upper-case hex digits (PS3.18 §F.2.1.1). */
function writeKey(sink: JsonSink, tag: number): void {
  sink.reserve(TAG_HEX_DIGITS + 3);
  const out = sink.bytes;
  const at = sink.length;
  const p0 = HEX_PAIRS[tag >>> 24];
  const p1 = HEX_PAIRS[(tag >>> 16) & BYTE_MASK];
  const p2 = HEX_PAIRS[(tag >>> 8) & BYTE_MASK];
  const p3 = HEX_PAIRS[tag & BYTE_MASK];
  out[at] = QUOTE;
  out[at + 1] = p0 >> 8;
  out[at + 2] = p0 & BYTE_MASK;
  out[at + 3] = p1 >> 8;
  out[at + 4] = p1 & BYTE_MASK;
  out[at + 5] = p2 >> 8;
  out[at + 6] = p2 & BYTE_MASK;
  out[at + 7] = p3 >> 8;
  out[at + 8] = p3 & BYTE_MASK;
  out[at + 9] = QUOTE;
  out[at + 10] = COLON;
  sink.length = at + TAG_HEX_DIGITS + 3;
}

/** One dataset's JSON object; `skip`: top-level tags left out (still checked as pydicom would). */
export function writeDatasetJson(ctx: WalkContext, ds: RawDataset, inheritedPixelRep: number | undefined, skip: Set<number> | undefined, sink: JsonSink): Scope {
  const scope = openScope(ctx, ds, inheritedPixelRep);
  sink.byte(OPEN_BRACE);
  let first = true;
  const elements = ds.elements;
  // Tags below the least filtered one (most of a header: the filter is 0028,xxxx and up) skip
  // the Set lookup.
  const skipFrom = skip === undefined ? Infinity : leastTag(skip);
  for (let i = 0; i < elements.size; i++) {
    const el = elements.at(i);
    if (el.tag >= skipFrom && (skip as Set<number>).has(el.tag)) {
      skippedElement(ctx, scope, el);
      continue;
    }
    if (!first) sink.byte(COMMA);
    first = false;
    writeKey(sink, el.tag);
    const done = scope.done?.get(el.tag);
    if (done !== undefined) sink.raw(writeElement(done));
    else writeElementJson(ctx, scope, el, sink);
  }
  sink.byte(CLOSE_BRACE);
  return scope;
}

/** The least tag of a filter, per Set (callers pass the same Set across files). */
const LEAST_TAGS = new WeakMap<Set<number>, number>();

function leastTag(skip: Set<number>): number {
  let least = LEAST_TAGS.get(skip);
  if (least === undefined) LEAST_TAGS.set(skip, (least = Math.min(...skip)));
  return least;
}

function writeElementJson(ctx: WalkContext, scope: Scope, el: RawElement, sink: JsonSink): void {
  const readVr = readElementVr(ctx, scope, el);
  const vr = finalVr(ctx, scope, el, readVr);
  if (vr === 'SQ') return writeSequence(ctx, scope, el, sink);
  const mark = sink.length;
  if (!(el.tag >>> 16 === LUT_GROUP && LUT_DESCRIPTOR_TAGS.has(el.tag)) && writeValue(ctx, scope, el, vr, sink)) return;
  sink.length = mark;
  sink.raw(writeElement(convert(ctx, scope, el, vr, readVr === vr)));
}

function writeSequence(ctx: WalkContext, scope: Scope, el: RawElement, sink: JsonSink): void {
  const items = el.items ?? readSequence(ctx, el.start, el.end, el.end - el.start, el.implicit, el.little, scope.encodings).items;
  sink.ascii('{"vr":"SQ","Value":[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) sink.byte(COMMA);
    writeDatasetJson(ctx, items[i], childPixelRep(ctx, scope, items[i]), undefined, sink);
  }
  sink.pair(CLOSE_BRACKET, CLOSE_BRACE);
}

/** The common values, written; false (with a partial write the caller drops) for the rest. */
function writeValue(ctx: WalkContext, scope: Scope, el: RawElement, vr: string, sink: JsonSink): boolean {
  const buf = ctx.buf;
  const s = el.start;
  const e = el.end;
  switch (kindOf(vr)) {
    case Kind.Code:
      return writeStrings(sink, vr, buf, s, rstripNulSpace(buf, s, e), true, Trim.None);
    case Kind.Uid:
      return writeStrings(sink, vr, buf, s, rstripNulSpace(buf, s, e), true, Trim.PyBoth);
    case Kind.Title:
      return writeStrings(sink, vr, buf, s, e, true, Trim.PyBoth);
    case Kind.Uri:
      return writeStrings(sink, vr, buf, s, e, false, Trim.PyRight);
    case Kind.Text:
      return (latin1Set(scope.encodings) || plainText(buf, s, e, scope.encodings)) && writeStrings(sink, vr, buf, s, e, true, Trim.NulSpace);
    case Kind.LongText:
      return (latin1Set(scope.encodings) || plainText(buf, s, e, scope.encodings)) && writeStrings(sink, vr, buf, s, e, false, Trim.NulSpace);
    case Kind.Name:
      return plainText(buf, s, e, scope.encodings) && writePersonNames(sink, buf, s, rstripNulSpace(buf, s, e));
    case Kind.IntegerString:
      return writeIntegerStrings(sink, buf, s, rstripNulSpace(buf, s, e));
    case Kind.DecimalString:
      return writeDecimalStrings(sink, buf, s, e);
    case Kind.Number:
      return writeNumbers(sink, vr, ctx.dv, s, e, el.little);
    case Kind.Tag:
      return writeTags(sink, ctx.dv, s, e, el.little);
    case Kind.Binary:
      if (e === s) return writeEmpty(sink, vr);
      writeHead(sink, vr, BINARY_TAIL);
      sink.base64(buf, s, e);
      sink.pair(QUOTE, CLOSE_BRACE);
      return true;
    default:
      return false;
  }
}
