// Korean (ISO 2022 IR 149, KS X 1001 in EUC code set 1; PS3.5 Annex I) as Python's euc_kr codec
// decodes it, which pydicom 3.0.1 uses: the loop of CPython's _codecs_kr.c over tables generated
// from Python (scripts/gen-dicom-charsets-kr.py), make-up sequences (KS X 1001:1998 Annex 3)
// included. An invalid byte becomes one U+FFFD, decoding resumes at the next byte; an incomplete
// sequence at the end becomes one U+FFFD (errors="replace", pydicom's fallback).
import { decodeMultibyte, type MultibyteCodec } from './charset-multibyte.ts';
import { KSX1001_PAIRS, MAKE_UP_CHOSEONG, MAKE_UP_JONGSEONG, MAKE_UP_JUNGSEONG } from './charset-kr-tables.ts';

const REPLACEMENT = '\ufffd';
const ASCII_END = 0x80;
const GR_FIRST = 0xa1;
const GR_LAST = 0xfe;
const CELLS = 94;
const GL_FIRST_ROW = 0x21;
const GL_LAST_ROW = 0x7e;
/** A make-up sequence: A4 D4, then A4 + initial, A4 + medial, A4 + final (D4: none). */
const JAMO_LEAD = 0xa4;
const JAMO_FILLER = 0xd4;
const MAKE_UP_LENGTH = 8;
const HANGUL_SYLLABLES = 0xac00;
const MEDIALS = 21;
const FINALS = 28;

function inGr(b: number): boolean {
  return b >= GR_FIRST && b <= GR_LAST;
}

/** The syllable a complete make-up sequence at `i` stands for, or null (CPython's checks). */
function makeUp(bytes: Uint8Array, i: number): string | null {
  if (bytes[i + 2] !== JAMO_LEAD || bytes[i + 4] !== JAMO_LEAD || bytes[i + 6] !== JAMO_LEAD) return null;
  const [cho, jung, jong] = [MAKE_UP_CHOSEONG, MAKE_UP_JUNGSEONG, MAKE_UP_JONGSEONG].map((table, k) => {
    const b = bytes[i + 3 + 2 * k];
    return inGr(b) ? table[b - GR_FIRST] : -1;
  });
  if (cho < 0 || jung < 0 || jong < 0) return null;
  return String.fromCharCode(HANGUL_SYLLABLES + (cho * MEDIALS + jung) * FINALS + jong);
}

function pair(lead: number, trail: number): string | null {
  if (!inGr(lead) || !inGr(trail)) return null;
  const ch = KSX1001_PAIRS[(lead - GR_FIRST) * CELLS + trail - GR_FIRST];
  return ch === REPLACEMENT ? null : ch;
}

/** A KS X 1001 character from its two GL bytes (0x21-0x7E, as ISO 2022 designates it), or null. */
export function ksx1001Pair(row: number, cell: number): string | null {
  if (row < GL_FIRST_ROW || row > GL_LAST_ROW || cell < GL_FIRST_ROW || cell > GL_LAST_ROW) return null;
  return pair(row | ASCII_END, cell | ASCII_END);
}

const EUC_KR: MultibyteCodec = {
  width: (bytes, i) => (bytes[i] === JAMO_LEAD && bytes[i + 1] === JAMO_FILLER ? MAKE_UP_LENGTH : 2),
  decode: (bytes, i) => (bytes[i] === JAMO_LEAD && bytes[i + 1] === JAMO_FILLER ? makeUp(bytes, i) : pair(bytes[i], bytes[i + 1])),
};

/** Decode as Python's euc_kr; null when `fatal` and the bytes are not valid in it. */
export function decodeEucKr(bytes: Uint8Array, fatal: boolean): string | null {
  return decodeMultibyte(bytes, EUC_KR, fatal);
}
