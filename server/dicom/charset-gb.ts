// Chinese character sets as Python's codecs decode them (pydicom 3.0.1 names 'GB18030', 'GBK' and
// 'GB2312' for the DICOM terms GB18030, GBK / ISO 2022 GBK, ISO 2022 58; PS3.5 Annex J, K): the
// decoding loop of CPython's _codecs_cn.c over tables generated from Python
// (scripts/gen-dicom-charsets-gb.py). An invalid byte becomes one U+FFFD and decoding resumes at
// the next byte; an incomplete sequence at the end becomes one U+FFFD (errors="replace", which
// pydicom's decode_bytes falls back to).
import { decodeMultibyte, type MultibyteCodec } from './charset-multibyte.ts';
import { GB18030_FOUR_BYTE_RANGES, GB18030_PAIRS, GB2312_GAPS, GB2312_OVERRIDES, GBK_GAPS, GBK_OVERRIDES } from './charset-gb-tables.ts';

export type GbCodec = 'GB18030' | 'GBK' | 'GB2312';

const REPLACEMENT_CODE = 0xfffd;
const ASCII_END = 0x80;
const LEAD_FIRST = 0x81;
const LEAD_LAST = 0xfe;
const TRAIL_FIRST = 0x40;
const TRAIL_LAST = 0xfe;
/** Trails 0x40-0xFE but 0x7F: 190 per lead in the pair table. */
const TRAILS_PER_LEAD = 190;
const DEL = 0x7f;
const GL_FIRST = 0x21;
const GL_LAST = 0x7e;
/** GB18030 four-byte sequences: second and fourth bytes 0x30-0x39, first and third 0x81-0xFE. */
const DIGIT_FIRST = 0x30;
const DIGIT_LAST = 0x39;
const FOUR_BYTE_BMP = 39420;
/** First bytes 0x90-0xE3 encode U+10000-U+10FFFF linearly (index 15 on). */
const SUPPLEMENTARY_FIRST_INDEX = 15;
const SUPPLEMENTARY_BASE = 0x10000;
const MAX_CODE_POINT = 0x10ffff;

/** Per codec: pair index → code point (REPLACEMENT_CODE: none; no pair maps to U+FFFD), built on first use. */
const tables = new Map<GbCodec, Uint16Array>();

function pairTable(codec: GbCodec): Uint16Array {
  let table = tables.get(codec);
  if (table) return table;
  table = new Uint16Array(GB18030_PAIRS.length);
  for (let i = 0; i < table.length; i++) table[i] = GB18030_PAIRS.charCodeAt(i);
  const [gaps, overrides] = codec === 'GBK' ? [GBK_GAPS, GBK_OVERRIDES] : codec === 'GB2312' ? [GB2312_GAPS, GB2312_OVERRIDES] : [[], {}];
  for (const [first, last] of gaps) table.fill(REPLACEMENT_CODE, first, last + 1);
  for (const [index, code] of Object.entries(overrides)) table[Number(index)] = code;
  tables.set(codec, table);
  return table;
}

/** A two-byte character → code point, or -1. */
function pair(table: Uint16Array, lead: number, trail: number): number {
  if (lead < LEAD_FIRST || lead > LEAD_LAST || trail < TRAIL_FIRST || trail > TRAIL_LAST || trail === DEL) return -1;
  const code = table[(lead - LEAD_FIRST) * TRAILS_PER_LEAD + trail - TRAIL_FIRST - (trail > DEL ? 1 : 0)];
  return code === REPLACEMENT_CODE ? -1 : code;
}

/** A GB2312 character from its two GL bytes (0x21-0x7E, as ISO 2022 designates it), or -1. */
export function gb2312Pair(row: number, cell: number): number {
  if (row < GL_FIRST || row > GL_LAST || cell < GL_FIRST || cell > GL_LAST) return -1;
  return pair(pairTable('GB2312'), row | ASCII_END, cell | ASCII_END);
}

/** A GB18030 four-byte sequence → code point, or -1 (CPython's checks and ranges). */
function fourByte(b1: number, b2: number, b3: number, b4: number): number {
  if (b1 < LEAD_FIRST || b1 > LEAD_LAST || b3 < LEAD_FIRST || b3 > LEAD_LAST || b4 < DIGIT_FIRST || b4 > DIGIT_LAST) return -1;
  const index = (((b1 - LEAD_FIRST) * 10 + b2 - DIGIT_FIRST) * 126 + b3 - LEAD_FIRST) * 10 + b4 - DIGIT_FIRST;
  if (index < FOUR_BYTE_BMP) return bmpOf(index);
  if (b1 - LEAD_FIRST < SUPPLEMENTARY_FIRST_INDEX) return -1;
  const code = SUPPLEMENTARY_BASE + index - (SUPPLEMENTARY_FIRST_INDEX * 12600);
  return code <= MAX_CODE_POINT ? code : -1;
}

/** Binary search of the runs [index, first code point]. */
function bmpOf(index: number): number {
  let lo = 0;
  let hi = GB18030_FOUR_BYTE_RANGES.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (GB18030_FOUR_BYTE_RANGES[mid][0] <= index) lo = mid;
    else hi = mid - 1;
  }
  const [start, code] = GB18030_FOUR_BYTE_RANGES[lo];
  return code + index - start;
}

/** Decode as Python's codec; null when `fatal` and the bytes are not valid in it. */
export function decodeGb(bytes: Uint8Array, codec: GbCodec, fatal: boolean): string | null {
  return decodeMultibyte(bytes, codecs[codec], fatal);
}

const isFourByte = (codec: GbCodec, bytes: Uint8Array, i: number) =>
  codec === 'GB18030' && i + 1 < bytes.length && bytes[i + 1] >= DIGIT_FIRST && bytes[i + 1] <= DIGIT_LAST;

function gbCodec(codec: GbCodec): MultibyteCodec {
  return {
    width: (bytes, i) => (isFourByte(codec, bytes, i) ? 4 : 2),
    decode(bytes, i) {
      const b = bytes[i];
      const code = isFourByte(codec, bytes, i) ? fourByte(b, bytes[i + 1], bytes[i + 2], bytes[i + 3]) : pair(pairTable(codec), b, bytes[i + 1]);
      return code < 0 ? null : String.fromCodePoint(code);
    },
  };
}

const codecs: Record<GbCodec, MultibyteCodec> = { GB18030: gbCodec('GB18030'), GBK: gbCodec('GBK'), GB2312: gbCodec('GB2312') };
