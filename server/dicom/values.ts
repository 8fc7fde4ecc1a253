// Value decoding per VR into the DICOM JSON model (DICOM PS3.5 §6.2 VR table, PS3.18 §F.2.3-F.2.7)
// with pydicom 3.0.1's rules: which VRs split on '\' and what is stripped, PN groups, AT as hex,
// IS/DS parsed as Python's int()/float() do, FL widened to double, binary VRs base64 unswapped,
// SV/UV past 2^53 as BigInt. Values pydicom cannot turn into JSON throw DicomError('BAD_VALUE').
import { convertEncodings, decodeText, decodeTextRange, latin1, latin1Range, TEXT_DELIMITERS } from './charset.ts';
import { DicomError } from './dicom-error.ts';

export interface JsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
}

/** Binary VRs: InlineBinary (pydicom BYTES_VR plus the ambiguous VRs left unresolved but US/SS). */
export const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN', 'OB or OW', 'US or OW', 'US or SS or OW']);
/** [bytes per value, DataView getter] of the binary number VRs (PS3.5 Table 6.2-1). */
const NUMBERS: Record<string, [number, (dv: DataView, at: number, little: boolean) => number | bigint]> = {
  US: [2, (dv, at, le) => dv.getUint16(at, le)],
  SS: [2, (dv, at, le) => dv.getInt16(at, le)],
  UL: [4, (dv, at, le) => dv.getUint32(at, le)],
  SL: [4, (dv, at, le) => dv.getInt32(at, le)],
  FL: [4, (dv, at, le) => dv.getFloat32(at, le)],
  FD: [8, (dv, at, le) => dv.getFloat64(at, le)],
  SV: [8, (dv, at, le) => safeInt(dv.getBigInt64(at, le))],
  UV: [8, (dv, at, le) => safeInt(dv.getBigUint64(at, le))],
};
/** Python's str.strip() whitespace within U+0000-U+00FF (latin-1 decoded text). */
const PY_SPACE = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0]';
const PY_RSTRIP = new RegExp(`${PY_SPACE}+$`);
const NUL = 0;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
const PLUS = 0x2b;
const MINUS = 0x2d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const SPACE = 0x20;

/** Python str.rstrip("\0 "), without a regex (the hot path of every string value). */
function rstripNulSpace(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== SPACE && c !== NUL) break;
    end--;
  }
  return end === s.length ? s : s.slice(0, end);
}

/** Python's str.strip() whitespace among Latin-1 code points. */
export function isPySpace(c: number): boolean {
  return c === SPACE || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c === 0x85 || c === 0xa0;
}

/** Python str.strip() for latin-1 text. */
function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPySpace(s.charCodeAt(start))) start++;
  while (end > start && isPySpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Python's float()/int() literals: digit groups may be joined by single underscores. */
const DIGITS = String.raw`\d+(?:_\d+)*`;
const DECIMAL = new RegExp(String.raw`^[+-]?(${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:e[+-]?${DIGITS})?$`, 'i');
const INTEGER = new RegExp(String.raw`^[+-]?${DIGITS}$`);
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

function safeInt(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}


/** pydicom multi_string: strip trailing spaces/NULs from the whole value, then split on '\'. */
function multiString(s: string): string[] {
  const stripped = rstripNulSpace(s);
  // Most values hold one string: no split (its array and substring machinery) needed.
  return stripped.indexOf('\\') < 0 ? [stripped] : stripped.split('\\');
}

/** Codecs named by a raw Specific Character Set value (the reader's convert_string path). */
function encodingsFromValue(bytes: Uint8Array): string[] {
  const parts = multiString(latin1(bytes));
  return convertEncodings(parts.length === 1 ? parts[0] : parts);
}

/** The last Specific Character Set value seen and its codecs: files of one archive (and the walk
 *  and the writer of one file) name the same set, so it is converted once, not per dataset. */
let lastCharsetValue: Uint8Array = new Uint8Array(0);
let lastCharsetCodecs: readonly string[] | null = null;

/** encodingsFromValue(buf[start, end)), shared and read-only (no strings made when it repeats). */
export function encodingsAt(buf: Uint8Array, start: number, end: number): readonly string[] {
  const known = lastCharsetValue;
  if (lastCharsetCodecs !== null && known.length === end - start) {
    let i = 0;
    while (i < known.length && known[i] === buf[start + i]) i++;
    if (i === known.length) return lastCharsetCodecs;
  }
  const codecs = Object.freeze(encodingsFromValue(buf.subarray(start, end)));
  lastCharsetValue = buf.slice(start, end);
  lastCharsetCodecs = codecs;
  return codecs;
}

/** A JSON element from strings: one empty string is an empty element (pydicom VM 0). */
function strings(vr: string, values: string[]): JsonElement {
  return values.length === 1 && values[0] === '' ? { vr } : { vr, Value: values };
}

function badValue(message: string): never {
  throw new DicomError('BAD_VALUE', message);
}

/** Digits, '.', 'e', signs only, and a number to JS: then JS's StrDecimalLiteral and Python's
 *  float() grammar accept the same strings (no Infinity, hex, '_' or blank in this alphabet), and
 *  both round correctly. The common DS value takes this path without the regex. */
function isPlainDecimal(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= DIGIT_0 && c <= DIGIT_9) || c === DOT || c === PLUS || c === MINUS || c === LOWER_E || c === UPPER_E)) return false;
  }
  return !Number.isNaN(Number(s));
}

/** Python float(str) for DS: decimal, inf/infinity/nan, surrounding whitespace. */
function pyFloat(text: string): number {
  const s = pyStrip(text);
  if (isPlainDecimal(s)) return Number(s);
  if (DECIMAL.test(s)) return Number(s.replace(/_/g, ''));
  const special = SPECIAL_FLOAT.exec(s);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  return badValue(`could not convert string to float: '${text}'`);
}

/** An integer literal's value, exact past 2^53 as Python's int(str) is (BigInt there). */
function exactInt(literal: string): number | bigint {
  const digits = literal.replace(/_/g, '');
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : BigInt(digits);
}

/** pydicom IS(): int(str) when float(str) equals it, else int(float(str)) (its ISfloat path):
 *  either way the integer value of the double, exact (BigInt) past 2^53. */
function pyIntString(text: string): number | bigint {
  const s = pyStrip(text);
  if (INTEGER.test(s)) {
    const v = Number(s.replace(/_/g, ''));
    return Number.isSafeInteger(v) ? v : BigInt(v);
  }
  const f = DECIMAL.test(s) ? Number(s.replace(/_/g, '')) : NaN;
  if (!Number.isFinite(f)) badValue(`invalid literal for int() with base 10: '${text}'`);
  return Math.trunc(f) + 0;
}

/** IS/DS as pydicom reads them: each value parsed (a blank one kept as '' and refused by
 *  to_json_dict inside a list); if a value does not parse, pydicom's convert_value retries the
 *  bytes as SH (split, trailing NUL/space stripped per value) and to_json_dict then applies
 *  int()/float() to those strings, which succeeds e.g. for "0.\0\0" but not for "1.5" as IS. */
type Parse = (s: string) => number | bigint;

function numericStrings(vr: string, parts: string[], parse: Parse, strict: Parse, asSh: () => string[]): JsonElement {
  let values: (number | bigint)[];
  try {
    values = parts.map((p) => (pyStrip(p) === '' ? NaN : parse(p)));
  } catch (err) {
    if (!(err instanceof DicomError)) throw err;
    const sh = asSh();
    if (sh.length === 1 && sh[0] === '') return { vr };
    return { vr, Value: sh.map(strict) };
  }
  if (parts.length === 1 && parts[0] === '') return { vr };
  parts.forEach((p) => pyStrip(p) === '' && badValue(`empty ${vr} value in a list`));
  return { vr, Value: values };
}

/** Python int(str): optional sign and surrounding whitespace, digits only. */
function pyIntStrict(text: string): number | bigint {
  const s = pyStrip(text);
  return INTEGER.test(s) ? exactInt(s) : badValue(`invalid literal for int() with base 10: '${text}'`);
}

function personNames(bytes: Uint8Array, encodings: readonly string[]): JsonElement {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0x20)) end--;
  const values = decodeText(bytes.subarray(0, end), encodings, TEXT_DELIMITERS).split('\\');
  const names = values.map((v) => {
    const groups = v.split('=');
    while (groups.length && !groups[groups.length - 1]) groups.pop();
    return groups;
  });
  if (names.length === 1 && names[0].length === 0) return { vr: 'PN' };
  return {
    vr: 'PN',
    Value: names.map((g) => {
      if (g.length === 0) badValue('empty person name in a list');
      const name: Record<string, string> = { Alphabetic: g[0] };
      if (g.length > 1) name.Ideographic = g[1];
      if (g.length > 2) name.Phonetic = g[2];
      return name;
    }),
  };
}

function tags(bytes: Uint8Array, dv: DataView, start: number, little: boolean): JsonElement {
  const count = Math.floor(bytes.length / 4);
  if (count === 0) return { vr: 'AT' };
  if (count === 1 && bytes.length !== 4) badValue('AT value of 5-7 bytes');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const tag = ((dv.getUint16(start + 4 * i, little) << 16) | dv.getUint16(start + 4 * i + 2, little)) >>> 0;
    out.push(tag.toString(16).toUpperCase().padStart(8, '0'));
  }
  return { vr: 'AT', Value: out };
}

function numbers(vr: string, dv: DataView, start: number, length: number, little: boolean): JsonElement {
  const [size, get] = NUMBERS[vr];
  if (length % size !== 0) throw new DicomError('BAD_LENGTH', `${length} bytes are not a whole number of ${vr} values`);
  if (length === 0) return { vr };
  const out: (number | bigint)[] = new Array(length / size);
  for (let i = 0; i < out.length; i++) out[i] = get(dv, start + i * size, little);
  return { vr, Value: out };
}

type Decoder = (vr: string, buf: Uint8Array, dv: DataView, start: number, end: number, little: boolean, encodings: readonly string[]) => JsonElement;

const binary: Decoder = (vr, buf, _dv, start, end) =>
  end === start ? { vr } : { vr, InlineBinary: Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('base64') };
const numeric: Decoder = (vr, _buf, dv, start, end, little) => numbers(vr, dv, start, end - start, little);
const splitLatin1: Decoder = (vr, buf, _dv, start, end) => strings(vr, multiString(latin1Range(buf, start, end)));
function shValues(buf: Uint8Array, start: number, end: number, enc: readonly string[]): string[] {
  const text = decodeTextRange(buf, start, end, enc, TEXT_DELIMITERS);
  return text.indexOf('\\') < 0 ? [rstripNulSpace(text)] : text.split('\\').map(rstripNulSpace);
}
const splitText: Decoder = (vr, buf, _dv, start, end, _le, enc) => strings(vr, shValues(buf, start, end, enc));
const singleText: Decoder = (vr, buf, _dv, start, end, _le, enc) =>
  strings(vr, [rstripNulSpace(decodeTextRange(buf, start, end, enc, TEXT_DELIMITERS))]);

/** One decoder per VR (PS3.5 Table 6.2-1), as pydicom.values.converters + DataElement.to_json_dict. */
const DECODERS: Record<string, Decoder> = {
  AS: splitLatin1, CS: splitLatin1, DA: splitLatin1, DT: splitLatin1, TM: splitLatin1,
  LO: splitText, SH: splitText, UC: splitText, ST: singleText, LT: singleText, UT: singleText,
  // pydicom's UID() strips each value with str.strip().
  UI: (vr, buf, _dv, s, e) => strings(vr, multiString(rstripNulSpace(latin1Range(buf, s, e))).map(pyStrip)),
  AE: (vr, buf, _dv, s, e) => strings(vr, latin1Range(buf, s, e).split('\\').map(pyStrip)),
  UR: (vr, buf, _dv, s, e) => strings(vr, [latin1Range(buf, s, e).replace(PY_RSTRIP, '')]),
  PN: (_vr, buf, _dv, s, e, _le, enc) => personNames(buf.subarray(s, e), enc),
  AT: (_vr, buf, dv, s, e, le) => tags(buf.subarray(s, e), dv, s, le),
  IS: (vr, buf, _dv, s, e, _le, enc) =>
    numericStrings(vr, multiString(latin1Range(buf, s, e)), pyIntString, pyIntStrict, () => shValues(buf, s, e, enc)),
  DS: (vr, buf, _dv, s, e, _le, enc) =>
    numericStrings(vr, multiString(pyStrip(latin1Range(buf, s, e))), pyFloat, pyFloat, () => shValues(buf, s, e, enc)),
  'US or SS': (vr, _buf, _dv, s, e) => (e === s ? { vr } : badValue('unresolved US or SS value')),
};
for (const vr of BINARY_VRS) DECODERS[vr] = binary;
for (const vr of Object.keys(NUMBERS)) DECODERS[vr] = numeric;
/** The same table as a Map: one hashed lookup per element, no prototype check. */
const DECODER_BY_VR = new Map(Object.entries(DECODERS));

/** The JSON element of a non-sequence value `buf[start, end)` whose VR is final. */
export function valueJson(
  vr: string, buf: Uint8Array, dv: DataView, start: number, end: number, little: boolean, encodings: readonly string[],
): JsonElement {
  const decode = DECODER_BY_VR.get(vr);
  if (decode === undefined) throw new DicomError('UNKNOWN_VR', `unknown VR '${vr}'`);
  return decode(vr, buf, dv, start, end, little, encodings);
}
