// Japanese character sets as Python's codecs decode them (pydicom 3.0.1 names 'shift_jis' for
// ISO_IR 13 / ISO 2022 IR 13, 'iso2022_jp' for ISO 2022 IR 87, 'iso2022_jp_2' for ISO 2022 IR
// 159; DICOM PS3.5 Annex H). Node's ICU decoders differ on real characters (MINUS SIGN, WAVE
// DASH, DOUBLE VERTICAL LINE, ¢ £ ¬ map to fullwidth forms) and on controls (0x1C/0x7F/0x1A), so
// JIS X 0208/0212 come from tables generated from Python (scripts/gen-dicom-charsets.py).
import { JIS_X_0208, JIS_X_0212 } from './charset-tables.ts';

const REPLACEMENT = '\ufffd';
const ESC = 0x1b;
/** ISO 2022 94-character sets use bytes 0x21-0x7E (PS3.5 §6.1.2.5.1). */
const GL_FIRST = 0x21;
const GL_LAST = 0x7e;
const CELLS = 94;
const SPACE = 0x20;
/** JIS X 0201 katakana in Shift_JIS single bytes 0xA1-0xDF → U+FF61-U+FF9F. */
const KANA_FIRST = 0xa1;
const KANA_LAST = 0xdf;
const HALFWIDTH_KANA = 0xff61;
/** JIS X 0201 Roman differs from ASCII in two places (ESC ( J). */
const YEN = 0x5c;
const OVERLINE = 0x7e;

type Mode = 'ascii' | 'roman' | 'jis0208' | 'jis0212';

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

/** The designation an escape sequence at `i` makes, and its length; null if not one we know. */
function designation(bytes: Uint8Array, i: number, jp2: boolean): [Mode, number] | null {
  const a = bytes[i + 1];
  const b = bytes[i + 2];
  if (a === 0x28 && b === 0x42) return ['ascii', 3]; // ESC ( B
  if (a === 0x28 && b === 0x4a) return ['roman', 3]; // ESC ( J
  if (a === 0x24 && (b === 0x40 || b === 0x42)) return ['jis0208', 3]; // ESC $ @, ESC $ B
  if (jp2 && a === 0x24 && b === 0x28 && bytes[i + 3] === 0x44) return ['jis0212', 4]; // ESC $ ( D
  return null;
}

/** Python's iso2022_jp (and, with `jp2`, the JIS X 0212 part of iso2022_jp_2): controls pass
 *  through in any mode; a bad byte or pair becomes U+FFFD. */
export function decodeIso2022Jp(bytes: Uint8Array, fatal: boolean, jp2: boolean): string | null {
  let mode: Mode = 'ascii';
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let ch: string;
    let used = 1;
    if (b === ESC) {
      const d = designation(bytes, i, jp2);
      if (d) {
        mode = d[0];
        i += d[1];
        continue;
      }
      ch = REPLACEMENT;
      used = Math.min(3, bytes.length - i);
    } else if (b < SPACE) ch = String.fromCharCode(b);
    else if (b >= 0x80) ch = REPLACEMENT;
    else if (mode === 'ascii') ch = String.fromCharCode(b);
    else if (mode === 'roman') ch = b === YEN ? '\u00a5' : b === OVERLINE ? '\u203e' : String.fromCharCode(b);
    else if (i + 1 >= bytes.length) ch = REPLACEMENT;
    else {
      const c = bytes[i + 1];
      used = 2;
      ch = b >= GL_FIRST && c >= GL_FIRST && c <= GL_LAST ? cell(mode === 'jis0208' ? JIS_X_0208 : JIS_X_0212, b, c) : REPLACEMENT;
    }
    if (ch === REPLACEMENT && fatal) return null;
    out += ch;
    i += used;
  }
  return out;
}
