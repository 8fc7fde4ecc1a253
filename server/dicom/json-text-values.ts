// String values of the DICOM JSON model (PS3.18 §F.2.3; VRs of PS3.5 §6.2) written as JSON text
// straight from the input bytes, with pydicom 3.0.1's splitting and stripping rules (values.ts
// says which VR gets which), PN groups (PS3.5 §6.2.1), and the element heads every writer uses.
import { DEFAULT_ENCODING, latin1Range } from './charset.ts';
import { UPPER_HALVES } from './charset-tables.ts';
import type { JsonSink } from './json-sink.ts';
import type { Scope } from './json-model.ts';
import { isPySpace } from './values.ts';
import type { RawElement, WalkContext } from './walker.ts';

const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const COLON = 0x3a;
const LOWER_V = 0x76;
const LOWER_R = 0x72;
const UPPER_V = 0x56;
const LOWER_A = 0x61;
const LOWER_L = 0x6c;
const LOWER_U = 0x75;
const LOWER_E = 0x65;
const NUL = 0x00;
const SPACE = 0x20;
const ESC = 0x1b;
const ASCII_END = 0x80;
/** Bytes of one US and one UL value (PS3.5 Table 6.2-1). */
const US_BYTES = 2;
const UL_BYTES = 4;

/** 1 for the bytes that are their own JSON text (printable ASCII but '"' and '\\'): one table
 *  read per byte in the copy loop instead of four comparisons. */
const PLAIN_BYTES = Uint8Array.from({ length: 256 }, (_v, c) => (c >= SPACE && c < ASCII_END && c !== QUOTE && c !== BACKSLASH ? 1 : 0));

export const encode = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
export const ELEMENT_OPEN = encode('{"vr":"');
/** What follows an element's VR: nothing more, a Value array, or inline base64. */
export const EMPTY_TAIL = encode('"}');
export const VALUE_TAIL = encode('","Value":[');
export const BINARY_TAIL = encode('","InlineBinary":"');
/** Longest of ELEMENT_OPEN + a VR + a tail. */
export const HEAD_ROOM = 32;

/** How each part of a string value is trimmed (values.ts: rstrip("\0 "), str.strip(), str.rstrip()). */
export const Trim = { None: 0, NulSpace: 1, PyBoth: 2, PyRight: 3 } as const;
export type Trim = (typeof Trim)[keyof typeof Trim];

export function rstripNulSpace(buf: Uint8Array, s: number, e: number): number {
  while (e > s && (buf[e - 1] === SPACE || buf[e - 1] === NUL)) e--;
  return e;
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
    const size = vr === 'US' ? US_BYTES : UL_BYTES;
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

function holdsEsc(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] === ESC) return true;
  return false;
}

/** Whether text in these character sets is Latin-1 but for ESC (code extensions): plainText's
 *  first case, which writeStrings checks itself. */
export function latin1Set(encodings: readonly string[]): boolean {
  const first = encodings[0] ?? DEFAULT_ENCODING;
  return first === DEFAULT_ENCODING || first === 'latin_1';
}

/** Text decoded as Latin-1 under these character sets: the default or Latin-1 set without code
 *  extensions, or ASCII bytes in UTF-8 or a single-byte set (charset.ts decodes them alike). */
export function plainText(buf: Uint8Array, s: number, e: number, encodings: readonly string[]): boolean {
  const first = encodings[0] ?? DEFAULT_ENCODING;
  if (first === DEFAULT_ENCODING || first === 'latin_1') {
    for (let i = s; i < e; i++) if (buf[i] === ESC) return false;
    return true;
  }
  if (first !== 'UTF8' && UPPER_HALVES[first] === undefined) return false;
  for (let i = s; i < e; i++) if (buf[i] >= ASCII_END || buf[i] === ESC) return false;
  return true;
}

/** `{"vr":"XX` + tail, in one reservation (two letters: other VRs never reach the fast path).
 *  The constant bytes are stored one by one, unrolled: a copy loop over ELEMENT_OPEN and the
 *  tail was a sixth of the writer's time (it runs for every element). */
export function writeHead(sink: JsonSink, vr: string, tail: Uint8Array): void {
  sink.reserve(HEAD_ROOM);
  const out = sink.bytes;
  const at = sink.length;
  out[at] = OPEN_BRACE;
  out[at + 1] = QUOTE;
  out[at + 2] = LOWER_V;
  out[at + 3] = LOWER_R;
  out[at + 4] = QUOTE;
  out[at + 5] = COLON;
  out[at + 6] = QUOTE;
  out[at + 7] = vr.charCodeAt(0);
  out[at + 8] = vr.charCodeAt(1);
  out[at + 9] = QUOTE;
  if (tail === VALUE_TAIL) sink.length = writeValueTail(out, at + 10);
  else if (tail === EMPTY_TAIL) {
    out[at + 10] = CLOSE_BRACE;
    sink.length = at + 11;
  } else {
    let end = at + 9;
    for (let i = 0; i < tail.length; i++) out[end++] = tail[i];
    sink.length = end;
  }
}

/** `,"Value":[` (VALUE_TAIL after its quote) at `at`; returns the position after it. */
function writeValueTail(out: Uint8Array, at: number): number {
  out[at] = COMMA;
  out[at + 1] = QUOTE;
  out[at + 2] = UPPER_V;
  out[at + 3] = LOWER_A;
  out[at + 4] = LOWER_L;
  out[at + 5] = LOWER_U;
  out[at + 6] = LOWER_E;
  out[at + 7] = QUOTE;
  out[at + 8] = COLON;
  out[at + 9] = OPEN_BRACKET;
  return at + 10;
}

export function writeEmpty(sink: JsonSink, vr: string): true {
  writeHead(sink, vr, EMPTY_TAIL);
  return true;
}

/** `[s, e)` split on '\' (if `split`), each part trimmed: one empty part is an empty element.
 *  Each part is copied while it is scanned (printable ASCII, the common case, is its own JSON
 *  text); a part with a byte to escape or above ASCII is written again by sink.latin1.
 *  Text VRs (Trim.NulSpace) in a Latin-1 set come without a plainText scan first: false (with
 *  a partial write) when a part holds an ESC (a code extension: charset.ts decodes it). */
export function writeStrings(sink: JsonSink, vr: string, buf: Uint8Array, s: number, e: number, split: boolean, trim: Trim): boolean {
  const mark = sink.length;
  writeHead(sink, vr, VALUE_TAIL);
  let p = s;
  for (let count = 0; ; count++) {
    // Room for the rest of the input as plain text, a comma and two quotes.
    sink.reserve(e - p + 3);
    const out = sink.bytes;
    let at = sink.length;
    if (count > 0) out[at++] = COMMA;
    const open = at;
    out[at++] = QUOTE;
    let a = p;
    if (trim === Trim.PyBoth) while (a < e && isPySpace(buf[a])) a++;
    let i = a;
    for (; i < e; i++) {
      const c = buf[i];
      if (PLAIN_BYTES[c] === 0) break;
      out[at++] = c;
    }
    if (i < e && !(split && buf[i] === BACKSLASH)) {
      let b = i;
      while (b < e && !(split && buf[b] === BACKSLASH)) b++;
      if (trim === Trim.NulSpace && holdsEsc(buf, i, b)) return false;
      i = b;
      if (trim === Trim.NulSpace) b = rstripNulSpace(buf, a, b);
      else if (trim !== Trim.None) while (b > a && isPySpace(buf[b - 1])) b--;
      sink.length = open + 1;
      sink.latin1(buf, a, b);
      sink.byte(QUOTE);
    } else {
      // Printable ASCII only: of the trimmed bytes, only the space can be at its end.
      if (trim !== Trim.None) while (at > open + 1 && out[at - 1] === SPACE) at--;
      out[at++] = QUOTE;
      sink.length = at;
    }
    if (count === 0 && i === e && sink.length - open === 2) {
      sink.length = mark;
      return writeEmpty(sink, vr);
    }
    if (i === e) break;
    p = i + 1;
  }
  sink.pair(CLOSE_BRACKET, CLOSE_BRACE);
  return true;
}

/** PN (PS3.5 §6.2.1): values split on '\', groups on '=', trailing empty groups dropped;
 *  false for an empty name in a list (pydicom raises) or anything else unusual. */
export function writePersonNames(sink: JsonSink, buf: Uint8Array, s: number, e: number): boolean {
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
