// Raw datasets → the DICOM JSON model's text (PS3.18 §F.2) written straight into a UTF-8 sink,
// byte for byte what serialiseModel(datasetJson(...)) gives (pydicom 3.0.1's to_json_dict() +
// json.dumps), with no per-element objects for the common values: strings (PS3.5 §6.2) go from
// the input bytes to UTF-8, numbers from the DataView to digits, binary values to base64. VR
// resolution is json-model.ts's own; any value off the common path (another character set, an
// IS/DS that is not a plain number, a value pydicom refuses) is converted and serialised as before.
// The value writers: json-text-values.ts (strings, PN), json-number-values.ts (IS/DS, binary, AT).
import type { JsonSink } from './json-sink.ts';
import { writeDecimalStrings, writeIntegerStrings, writeNumbers, writeTags } from './json-number-values.ts';
import { BINARY_TAIL, plainText, rstripNulSpace, Trim, writeEmpty, writeHead, writePersonNames, writeStrings } from './json-text-values.ts';
import { childPixelRep, convert, finalVr, LUT_DESCRIPTOR_TAGS, openScope, readElementVr, type Scope, skippedElement } from './json-model.ts';
import { writeElement } from './serialise.ts';
import { type RawDataset, type RawElement, readSequence, type WalkContext } from './walker.ts';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const HEX_UPPER = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const TAG_HEX_DIGITS = 8;
const NIBBLE_BITS = 4;
/** The group of every LUT Descriptor tag (json-model's LUT_DESCRIPTOR_TAGS): a cheap test first. */
const LUT_GROUP = 0x0028;

/** The fast path's writer for each VR (PS3.5 Table 6.2-1), by one Map lookup. */
const enum Kind { Code = 1, Uid, Title, Uri, Text, LongText, Name, IntegerString, DecimalString, Number, Tag, Binary }
const VR_KINDS = new Map<string, Kind>([
  ['AS', Kind.Code], ['CS', Kind.Code], ['DA', Kind.Code], ['DT', Kind.Code], ['TM', Kind.Code], ['UI', Kind.Uid],
  ['AE', Kind.Title], ['UR', Kind.Uri], ['LO', Kind.Text], ['SH', Kind.Text], ['UC', Kind.Text], ['ST', Kind.LongText],
  ['LT', Kind.LongText], ['UT', Kind.LongText], ['PN', Kind.Name], ['IS', Kind.IntegerString], ['DS', Kind.DecimalString],
  ['US', Kind.Number], ['SS', Kind.Number], ['UL', Kind.Number], ['SL', Kind.Number], ['FL', Kind.Number], ['FD', Kind.Number],
  ['AT', Kind.Tag], ['OB', Kind.Binary], ['OD', Kind.Binary], ['OF', Kind.Binary], ['OL', Kind.Binary], ['OV', Kind.Binary],
  ['OW', Kind.Binary], ['UN', Kind.Binary],
]);

/** Writes `{"key":` ... for one dataset: the key is 8 upper-case hex digits (PS3.18 §F.2.1.1). */
function writeKey(sink: JsonSink, tag: number): void {
  sink.reserve(TAG_HEX_DIGITS + 3);
  const out = sink.bytes;
  let at = sink.length;
  out[at++] = QUOTE;
  for (let shift = 28; shift >= 0; shift -= NIBBLE_BITS) out[at++] = HEX_UPPER[(tag >>> shift) & 0xf];
  out[at++] = QUOTE;
  out[at++] = COLON;
  sink.length = at;
}

/** One dataset's JSON object; `skip`: top-level tags left out (still checked as pydicom would). */
export function writeDatasetJson(ctx: WalkContext, ds: RawDataset, inheritedPixelRep: number | undefined, skip: Set<number> | undefined, sink: JsonSink): Scope {
  const scope = openScope(ctx, ds, inheritedPixelRep);
  sink.byte(OPEN_BRACE);
  let first = true;
  const elements = ds.elements;
  for (let i = 0; i < elements.size; i++) {
    const el = elements.at(i);
    if (skip !== undefined && skip.has(el.tag)) {
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
  switch (VR_KINDS.get(vr)) {
    case Kind.Code:
      return writeStrings(sink, vr, buf, s, rstripNulSpace(buf, s, e), true, Trim.None);
    case Kind.Uid:
      return writeStrings(sink, vr, buf, s, rstripNulSpace(buf, s, e), true, Trim.PyBoth);
    case Kind.Title:
      return writeStrings(sink, vr, buf, s, e, true, Trim.PyBoth);
    case Kind.Uri:
      return writeStrings(sink, vr, buf, s, e, false, Trim.PyRight);
    case Kind.Text:
      return plainText(buf, s, e, scope.encodings) && writeStrings(sink, vr, buf, s, e, true, Trim.NulSpace);
    case Kind.LongText:
      return plainText(buf, s, e, scope.encodings) && writeStrings(sink, vr, buf, s, e, false, Trim.NulSpace);
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
