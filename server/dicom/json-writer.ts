// Raw datasets → the DICOM JSON model's text (PS3.18 §F.2) written straight into a UTF-8 sink,
// byte for byte what serialiseModel(datasetJson(...)) gives (pydicom 3.0.1's to_json_dict() +
// json.dumps), with no per-element objects for the common values: strings (PS3.5 §6.2) go from
// the input bytes to UTF-8, numbers from the DataView to digits, binary values to base64. VR
// resolution is json-model.ts's own; any value off the common path (another character set, an
// IS/DS that is not a plain number, a value pydicom refuses) is converted and serialised as before.
import { DEFAULT_ENCODING, latin1Range } from './charset.ts';
import { UPPER_HALVES } from './charset-tables.ts';
import type { JsonSink } from './json-sink.ts';
import { childPixelRep, convert, finalVr, LUT_DESCRIPTOR_TAGS, openScope, readElementVr, type Scope, skippedElement } from './json-model.ts';
import { pyFloatRepr } from './py-float.ts';
import { writeElement } from './serialise.ts';
import { type RawDataset, type RawElement, readSequence, type WalkContext } from './walker.ts';

const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const NUL = 0x00;
const SPACE = 0x20;
const ESC = 0x1b;
const ASCII_END = 0x80;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** Digits an IS value may have to be summed exactly here (below 2^53); longer ones fall back. */
const MAX_IS_DIGITS = 15;
/** Significant digits every double tells apart (C's DBL_DIG). */
const MAX_EXACT_DIGITS = 15;
/** Zeros after the point below which |x| < 1e-4 and repr switches to exponent notation. */
const FIXED_MIN_ZEROS = 4;
/** Python's repr(float) writes integral values in [1e-4, 1e16) as digits + '.0' (py-float.ts). */
const FIXED_MIN = 1e-4;
const HEX_UPPER = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const TAG_HEX_DIGITS = 8;
const NIBBLE_BITS = 4;
/** The group of every LUT Descriptor tag (json-model's LUT_DESCRIPTOR_TAGS): a cheap test first. */
const LUT_GROUP = 0x0028;

const encode = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const ELEMENT_OPEN = encode('{"vr":"');
/** What follows an element's VR: nothing more, a Value array, or inline base64. */
const EMPTY_TAIL = encode('"}');
const VALUE_TAIL = encode('","Value":[');
const BINARY_TAIL = encode('","InlineBinary":"');
/** Longest of ELEMENT_OPEN + a VR + a tail. */
const HEAD_ROOM = 32;

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

/** How each part of a string value is trimmed (values.ts: rstrip("\0 "), str.strip(), str.rstrip()). */
const enum Trim { None, NulSpace, PyBoth, PyRight }

/** Python's str.strip() whitespace among Latin-1 code points. */
function isPySpace(c: number): boolean {
  return c === SPACE || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c === 0x85 || c === 0xa0;
}

function rstripNulSpace(buf: Uint8Array, s: number, e: number): number {
  while (e > s && (buf[e - 1] === SPACE || buf[e - 1] === NUL)) e--;
  return e;
}

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
  for (const el of ds.elements.values()) {
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

/** How a string VR's value is split and trimmed on the fast path, or undefined (not a string VR
 *  writeStrings handles): [split on '\\', trim, whole value rstripped of NUL/space first,
 *  needs plainText]. */
const STRING_RULES: Record<string, readonly [boolean, Trim, boolean, boolean]> = {
  AS: [true, Trim.None, true, false], CS: [true, Trim.None, true, false], DA: [true, Trim.None, true, false],
  DT: [true, Trim.None, true, false], TM: [true, Trim.None, true, false], UI: [true, Trim.PyBoth, true, false],
  AE: [true, Trim.PyBoth, false, false], UR: [false, Trim.PyRight, false, false],
  LO: [true, Trim.NulSpace, false, true], SH: [true, Trim.NulSpace, false, true], UC: [true, Trim.NulSpace, false, true],
  ST: [false, Trim.NulSpace, false, true], LT: [false, Trim.NulSpace, false, true], UT: [false, Trim.NulSpace, false, true],
};

/** The first item of a string or binary integer element's "Value" as the model has it (undefined
 *  when it has none), or null when this fast path does not apply (the caller converts). */
export function firstValueOf(ctx: WalkContext, scope: Scope, el: RawElement, vr: string): unknown {
  const buf = ctx.buf;
  const s = el.start;
  let e = el.end;
  if (vr === 'US' || vr === 'UL') {
    const size = NUMBER_SIZES[vr];
    if ((e - s) % size !== 0) return null;
    if (e === s) return undefined;
    return vr === 'US' ? ctx.dv.getUint16(s, el.little) : ctx.dv.getUint32(s, el.little);
  }
  const rules = Object.prototype.hasOwnProperty.call(STRING_RULES, vr) ? STRING_RULES[vr] : undefined;
  if (rules === undefined) return null;
  const [split, trim, rstripFirst, needsPlain] = rules;
  if (needsPlain && !plainText(buf, s, e, scope.encodings)) return null;
  if (rstripFirst) e = rstripNulSpace(buf, s, e);
  let b = s;
  while (b < e && !(split && buf[b] === BACKSLASH)) b++;
  const only = b === e;
  let a = s;
  if (trim === Trim.NulSpace) b = rstripNulSpace(buf, a, b);
  else if (trim !== Trim.None) {
    if (trim === Trim.PyBoth) while (a < b && isPySpace(buf[a])) a++;
    while (b > a && isPySpace(buf[b - 1])) b--;
  }
  return only && a === b ? undefined : latin1Range(buf, a, b);
}

/** Text decoded as Latin-1 under these character sets: the default or Latin-1 set without code
 *  extensions, or ASCII bytes in UTF-8 or a single-byte set (charset.ts decodes them alike). */
function plainText(buf: Uint8Array, s: number, e: number, encodings: readonly string[]): boolean {
  const first = encodings[0] ?? DEFAULT_ENCODING;
  if (first === DEFAULT_ENCODING || first === 'latin_1') {
    for (let i = s; i < e; i++) if (buf[i] === ESC) return false;
    return true;
  }
  if (first !== 'UTF8' && UPPER_HALVES[first] === undefined) return false;
  for (let i = s; i < e; i++) if (buf[i] >= ASCII_END || buf[i] === ESC) return false;
  return true;
}

/** `{"vr":"XX` + tail, in one reservation (two letters: other VRs never reach the fast path). */
function writeHead(sink: JsonSink, vr: string, tail: Uint8Array): void {
  sink.reserve(HEAD_ROOM);
  const out = sink.bytes;
  let at = sink.length;
  for (let i = 0; i < ELEMENT_OPEN.length; i++) out[at++] = ELEMENT_OPEN[i];
  out[at++] = vr.charCodeAt(0);
  out[at++] = vr.charCodeAt(1);
  for (let i = 0; i < tail.length; i++) out[at++] = tail[i];
  sink.length = at;
}

function writeEmpty(sink: JsonSink, vr: string): true {
  writeHead(sink, vr, EMPTY_TAIL);
  return true;
}

/** `[s, e)` split on '\' (if `split`), each part trimmed: one empty part is an empty element. */
function writeStrings(sink: JsonSink, vr: string, buf: Uint8Array, s: number, e: number, split: boolean, trim: Trim): true {
  let open = false;
  let p = s;
  for (let i = s; ; i++) {
    if (i < e && !(split && buf[i] === BACKSLASH)) continue;
    let a = p;
    let b = i;
    if (trim === Trim.NulSpace) b = rstripNulSpace(buf, a, b);
    else if (trim !== Trim.None) {
      if (trim === Trim.PyBoth) while (a < b && isPySpace(buf[a])) a++;
      while (b > a && isPySpace(buf[b - 1])) b--;
    }
    if (open) sink.byte(COMMA);
    else if (i === e && a === b) return writeEmpty(sink, vr);
    else {
      writeHead(sink, vr, VALUE_TAIL);
      open = true;
    }
    quoteLatin1(sink, buf, a, b);
    if (i === e) break;
    p = i + 1;
  }
  sink.pair(CLOSE_BRACKET, CLOSE_BRACE);
  return true;
}

/** `"` + buf[a, b) as JSON text + `"`: printable ASCII copied in one loop, the first other
 *  byte hands the rest to sink.latin1 (which reserves for escapes and UTF-8 itself). */
function quoteLatin1(sink: JsonSink, buf: Uint8Array, a: number, b: number): void {
  sink.reserve(b - a + 2);
  const out = sink.bytes;
  let at = sink.length;
  out[at++] = QUOTE;
  let k = a;
  for (; k < b; k++) {
    const c = buf[k];
    if (c < SPACE || c >= ASCII_END || c === QUOTE || c === BACKSLASH) break;
    out[at++] = c;
  }
  sink.length = at;
  if (k < b) sink.latin1(buf, k, b);
  sink.byte(QUOTE);
}

/** PN (PS3.5 §6.2.1): values split on '\', groups on '=', trailing empty groups dropped;
 *  false for an empty name in a list (pydicom raises) or anything else unusual. */
function writePersonNames(sink: JsonSink, buf: Uint8Array, s: number, e: number): boolean {
  let p = s;
  let open = false;
  for (let i = s; ; i++) {
    if (i < e && buf[i] !== BACKSLASH) continue;
    const groups = groupCount(buf, p, i);
    if (groups === 0) {
      if (open || i < e) return false;
      return writeEmpty(sink, 'PN');
    }
    if (open) sink.byte(COMMA);
    else writeHead(sink, 'PN', VALUE_TAIL);
    open = true;
    writeName(sink, buf, p, i, groups);
    if (i === e) break;
    p = i + 1;
  }
  sink.pair(CLOSE_BRACKET, CLOSE_BRACE);
  return true;
}

/** Groups of a name up to its last non-empty one. */
function groupCount(buf: Uint8Array, s: number, e: number): number {
  let groups = 0;
  let index = 0;
  let start = s;
  for (let i = s; i <= e; i++) {
    if (i < e && buf[i] !== EQUALS) continue;
    index++;
    if (i > start) groups = index;
    start = i + 1;
  }
  return groups;
}

const GROUP_NAMES = ['{"Alphabetic":"', '","Ideographic":"', '","Phonetic":"'].map(encode);

function writeName(sink: JsonSink, buf: Uint8Array, s: number, e: number, groups: number): void {
  const kept = Math.min(groups, GROUP_NAMES.length);
  let start = s;
  let g = 0;
  for (let i = s; g < kept; i++) {
    if (i < e && buf[i] !== EQUALS) continue;
    sink.constant(GROUP_NAMES[g++]);
    sink.latin1(buf, start, i);
    start = i + 1;
  }
  sink.pair(QUOTE, CLOSE_BRACE);
}

/** IS values that are plain integers (sign, up to MAX_IS_DIGITS digits, Python whitespace around). */
function writeIntegerStrings(sink: JsonSink, buf: Uint8Array, s: number, e: number): boolean {
  if (e === s) return writeEmpty(sink, 'IS');
  writeHead(sink, 'IS', VALUE_TAIL);
  let p = s;
  for (let i = s; ; i++) {
    if (i < e && buf[i] !== BACKSLASH) continue;
    let a = p;
    let b = i;
    while (a < b && isPySpace(buf[a])) a++;
    while (b > a && isPySpace(buf[b - 1])) b--;
    const negative = buf[a] === MINUS;
    if (a < b && (negative || buf[a] === PLUS)) a++;
    if (a === b || b - a > MAX_IS_DIGITS) return false;
    let value = 0;
    for (let k = a; k < b; k++) {
      const c = buf[k];
      if (c < DIGIT_0 || c > DIGIT_9) return false;
      value = value * 10 + (c - DIGIT_0);
    }
    if (p > s) sink.byte(COMMA);
    sink.int(negative ? -value : value);
    if (i === e) break;
    p = i + 1;
  }
  sink.pair(CLOSE_BRACKET, CLOSE_BRACE);
  return true;
}

/** DS values made only of digits, '.', signs and exponents that parse (values.ts isPlainDecimal). */
function writeDecimalStrings(sink: JsonSink, buf: Uint8Array, s: number, e: number): boolean {
  while (s < e && isPySpace(buf[s])) s++;
  while (e > s && isPySpace(buf[e - 1])) e--;
  e = rstripNulSpace(buf, s, e);
  if (e === s) return writeEmpty(sink, 'DS');
  writeHead(sink, 'DS', VALUE_TAIL);
  let p = s;
  for (let i = s; ; i++) {
    if (i < e && buf[i] !== BACKSLASH) continue;
    let a = p;
    let b = i;
    while (a < b && isPySpace(buf[a])) a++;
    while (b > a && isPySpace(buf[b - 1])) b--;
    if (a === b) return false;
    if (p > s) sink.byte(COMMA);
    if (!writeShortDecimal(sink, buf, a, b) && !writeDecimal(sink, buf, a, b)) return false;
    if (i === e) break;
    p = i + 1;
  }
  sink.pair(CLOSE_BRACKET, CLOSE_BRACE);
  return true;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/** Any plain decimal: Number() of its text, laid out as Python's repr(float). */
function writeDecimal(sink: JsonSink, buf: Uint8Array, a: number, b: number): boolean {
  let text = '';
  for (let k = a; k < b; k++) {
    const c = buf[k];
    if (!(isDigit(c) || c === DOT || c === PLUS || c === MINUS || c === LOWER_E || c === UPPER_E)) return false;
    text += String.fromCharCode(c);
  }
  const value = Number(text);
  if (Number.isNaN(value)) return false;
  writeFloat(sink, value);
  return true;
}

/** `[sign] digits [. digits]` with at most 15 significant digits, not zero, in [1e-4, 1e15):
 *  Python's repr(float(text)) is then the text's own digits, trimmed (no parse, no string).
 *  Why: any two decimals of <= 15 significant digits are different doubles (DBL_DIG = 15), so
 *  no shorter digit string round-trips, and repr writes fixed notation in that range. */
function writeShortDecimal(sink: JsonSink, buf: Uint8Array, a: number, b: number): boolean {
  let i = a;
  const negative = buf[i] === MINUS;
  if (negative || buf[i] === PLUS) i++;
  const intStart = i;
  while (i < b && isDigit(buf[i])) i++;
  const intEnd = i;
  let fracStart = i;
  if (i < b && buf[i] === DOT) {
    fracStart = ++i;
    while (i < b && isDigit(buf[i])) i++;
  }
  const fracEnd = i;
  if (i !== b) return false;
  let lead = intStart;
  while (lead < intEnd && buf[lead] === DIGIT_0) lead++;
  let last = fracEnd;
  while (last > fracStart && buf[last - 1] === DIGIT_0) last--;
  if (lead === intEnd) {
    let first = fracStart;
    while (first < last && buf[first] === DIGIT_0) first++;
    if (first === last) return writeZero(sink, negative);
    if (first - fracStart >= FIXED_MIN_ZEROS || last - first > MAX_EXACT_DIGITS) return false;
  } else if (intEnd - lead + (last - fracStart) > MAX_EXACT_DIGITS) {
    return false;
  }
  sink.reserve(b - a + 2);
  const out = sink.bytes;
  let at = sink.length;
  if (negative) out[at++] = MINUS;
  if (lead === intEnd) out[at++] = DIGIT_0;
  for (let k = lead; k < intEnd; k++) out[at++] = buf[k];
  out[at++] = DOT;
  if (last === fracStart) out[at++] = DIGIT_0;
  for (let k = fracStart; k < last; k++) out[at++] = buf[k];
  sink.length = at;
  return true;
}

/** repr(0.0) or repr(-0.0). */
function writeZero(sink: JsonSink, negative: boolean): true {
  if (negative) sink.byte(MINUS);
  sink.byte(DIGIT_0);
  sink.pair(DOT, DIGIT_0);
  return true;
}

/** A Python float as json.dumps writes it (py-float.ts); NaN and infinities as null. */
function writeFloat(sink: JsonSink, x: number): void {
  if (Number.isSafeInteger(x) && Math.abs(x) >= FIXED_MIN) {
    sink.int(x);
    sink.pair(DOT, DIGIT_0);
  } else if (x === 0) {
    writeZero(sink, Object.is(x, -0));
  } else {
    sink.ascii(Number.isFinite(x) ? pyFloatRepr(x) : 'null');
  }
}

const NUMBER_SIZES: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };

/** Binary numbers (PS3.5 Table 6.2-1); false for a length that is not a whole count (BAD_LENGTH). */
function writeNumbers(sink: JsonSink, vr: string, dv: DataView, s: number, e: number, little: boolean): boolean {
  const size = NUMBER_SIZES[vr];
  if ((e - s) % size !== 0) return false;
  if (e === s) return writeEmpty(sink, vr);
  writeHead(sink, vr, VALUE_TAIL);
  for (let at = s; at < e; at += size) {
    if (at > s) sink.byte(COMMA);
    if (vr === 'US') sink.int(dv.getUint16(at, little));
    else if (vr === 'SS') sink.int(dv.getInt16(at, little));
    else if (vr === 'UL') sink.int(dv.getUint32(at, little));
    else if (vr === 'SL') sink.int(dv.getInt32(at, little));
    else if (vr === 'FL') writeFloat(sink, dv.getFloat32(at, little));
    else writeFloat(sink, dv.getFloat64(at, little));
  }
  sink.pair(CLOSE_BRACKET, CLOSE_BRACE);
  return true;
}

/** AT: tags as 8 upper-case hex digits; false for a lone value of 5-7 bytes (pydicom raises). */
function writeTags(sink: JsonSink, dv: DataView, s: number, e: number, little: boolean): boolean {
  const count = Math.floor((e - s) / 4);
  if (count === 0) return writeEmpty(sink, 'AT');
  if (count === 1 && e - s !== 4) return false;
  writeHead(sink, 'AT', VALUE_TAIL);
  for (let i = 0; i < count; i++) {
    if (i > 0) sink.byte(COMMA);
    const at = s + 4 * i;
    const tag = ((dv.getUint16(at, little) << 16) | dv.getUint16(at + 2, little)) >>> 0;
    sink.reserve(TAG_HEX_DIGITS + 2);
    sink.bytes[sink.length++] = QUOTE;
    for (let shift = 28; shift >= 0; shift -= NIBBLE_BITS) sink.bytes[sink.length++] = HEX_UPPER[(tag >>> shift) & 0xf];
    sink.bytes[sink.length++] = QUOTE;
  }
  sink.pair(CLOSE_BRACKET, CLOSE_BRACE);
  return true;
}
