// Number values of the DICOM JSON model (PS3.18 §F.2.3) written as JSON text: IS/DS decimal
// strings as pydicom 3.0.1's int()/float() read them (PS3.5 §6.2), binary numbers from the
// DataView (PS3.5 Table 6.2-1), floats laid out as Python's repr (py-float.ts), AT as hex tags.
import type { JsonSink } from './json-sink.ts';
import { rstripNulSpace, VALUE_TAIL, writeEmpty, writeHead } from './json-text-values.ts';
import { isPySpace } from './values.ts';
import { pyFloatRepr } from './py-float.ts';

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
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

/** IS values that are plain integers (sign, up to MAX_IS_DIGITS digits, Python whitespace around). */
export function writeIntegerStrings(sink: JsonSink, buf: Uint8Array, s: number, e: number): boolean {
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
export function writeDecimalStrings(sink: JsonSink, buf: Uint8Array, s: number, e: number): boolean {
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
export function writeNumbers(sink: JsonSink, vr: string, dv: DataView, s: number, e: number, little: boolean): boolean {
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
export function writeTags(sink: JsonSink, dv: DataView, s: number, e: number, little: boolean): boolean {
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
