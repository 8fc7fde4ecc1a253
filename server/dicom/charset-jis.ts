// Shift_JIS as Python's codec decodes it (pydicom 3.0.1 names 'shift_jis' for ISO_IR 13 / ISO 2022
// IR 13; DICOM PS3.5 Annex H; ISO 2022 IR 87/159: charset-iso2022.ts). Node's ICU decoders differ
// on real characters (MINUS SIGN, WAVE DASH, DOUBLE VERTICAL LINE, ¢ £ ¬ map to fullwidth forms)
// and on controls (0x1C/0x7F/0x1A), so JIS X 0208 comes from a table generated from Python
// (scripts/gen-dicom-charsets.py).
import { JIS_X_0208 } from './charset-tables.ts';

const REPLACEMENT = '\ufffd';
/** ISO 2022 94-character sets use bytes 0x21-0x7E (PS3.5 §6.1.2.5.1). */
const GL_FIRST = 0x21;
const GL_LAST = 0x7e;
const CELLS = 94;
/** JIS X 0201 katakana in Shift_JIS single bytes 0xA1-0xDF → U+FF61-U+FF9F. */
const KANA_FIRST = 0xa1;
const KANA_LAST = 0xdf;
const HALFWIDTH_KANA = 0xff61;

function cell(table: string, row: number, col: number): string {
  return table[(row - GL_FIRST) * CELLS + (col - GL_FIRST)];
}

function isLead(b: number): boolean {
  return (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xef);
}

function isTrail(b: number): boolean {
  return (b >= 0x40 && b <= 0x7e) || (b >= 0x80 && b <= 0xfc);
}

/** A Shift_JIS double byte → JIS X 0208 character (the standard row/cell transform), or U+FFFD. */
function sjisPair(lead: number, trail: number): string {
  let row = (lead - (lead <= 0x9f ? 0x70 : 0xb0)) * 2;
  let col: number;
  if (trail < 0x9f) {
    row -= 1;
    col = trail - (trail >= 0x80 ? 0x20 : 0x1f);
  } else {
    col = trail - 0x7e;
  }
  return row >= GL_FIRST && row <= GL_LAST ? cell(JIS_X_0208, row, col) : REPLACEMENT;
}

/** Python's shift_jis: on an error one byte becomes U+FFFD and decoding resumes at the next. */
export function decodeShiftJis(bytes: Uint8Array, fatal: boolean): string | null {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let ch = REPLACEMENT;
    let used = 1;
    if (b < 0x80) ch = String.fromCharCode(b);
    else if (b >= KANA_FIRST && b <= KANA_LAST) ch = String.fromCharCode(HALFWIDTH_KANA + b - KANA_FIRST);
    else if (isLead(b) && i + 1 < bytes.length && isTrail(bytes[i + 1])) {
      ch = sjisPair(b, bytes[i + 1]);
      if (ch !== REPLACEMENT) used = 2;
    }
    if (ch === REPLACEMENT && fatal) return null;
    out += ch;
    i += used;
  }
  return out;
}
