// ISO 2022 code extensions inside one fragment, as Python's iso2022_jp and iso2022_jp_2 codecs
// decode them (pydicom 3.0.1 hands them whole fragments for ISO 2022 IR 87 / 159, and the whole
// value when such a term comes first; PS3.5 §6.1.2.5, Annex H): the loop of CPython's
// _codecs_iso2022.c. Designations these codecs do not hold are errors; an escape sequence that is
// no designation at all passes through as text up to its final byte; SS2 (ESC N) takes one
// character from G2 (iso2022_jp_2); an error becomes one U+FFFD for its bytes, an incomplete
// sequence at the end one U+FFFD.
import { gb2312Pair } from './charset-gb.ts';
import { ksx1001Pair } from './charset-kr.ts';
import { JIS_X_0208, JIS_X_0212, UPPER_HALVES } from './charset-tables.ts';

const REPLACEMENT = '\ufffd';
const ESC = 0x1b;
const LF = 0x0a;
const SPACE = 0x20;
const HIGH = 0x80;
const GL_FIRST = 0x21;
const GL_LAST = 0x7e;
const CELLS = 94;
/** CPython's MAX_ESCSEQLEN: an escape sequence ends (A-Z or @) within 16 bytes. */
const MAX_ESCAPE_LENGTH = 16;
const DOLLAR = 0x24;
const OPEN_G0 = 0x28;
const OPEN_G1 = 0x29;
const DOT_G2 = 0x2e;
const AMPERSAND = 0x26;
const AT = 0x40;
const FINAL_B = 0x42;
const SS2 = 0x4e;
/** JIS X 0201 Roman differs from ASCII in two places (ESC ( J). */
const YEN = 0x5c;
const OVERLINE = 0x7e;
/** ISO 8859-7 bytes CPython's own Greek table lacks (its table predates 2003). */
const GREEK_MISSING = new Set([0x24, 0x25, 0x2a]);
/** A double-byte set's final byte, marked as CPython does (CHARSET_DBCS). */
const DBCS = 0x80;

type Charset = 'ascii' | 'roman' | 'jis0208' | 'jis0212' | 'ksx1001' | 'gb2312' | 'latin1' | 'greek';
/** Final bytes (| DBCS for double-byte sets) → the set, per codec (CPython's designation lists). */
const JP: Record<number, Charset> = { [FINAL_B]: 'ascii', [0x4a]: 'roman', [FINAL_B | DBCS]: 'jis0208', [AT | DBCS]: 'jis0208' };
const JP2: Record<number, Charset> = { ...JP, [0x44 | DBCS]: 'jis0212', [0x43 | DBCS]: 'ksx1001', [0x41 | DBCS]: 'gb2312', [0x41]: 'latin1', [0x46]: 'greek' };

interface State { g0: Charset; g2: Charset; escapeThrough: boolean }

const isFinal = (c: number) => (c >= 0x41 && c <= 0x5a) || c === AT;
const isIso2022Escape = (c: number) => c === OPEN_G0 || c === OPEN_G1 || c === DOLLAR || c === DOT_G2 || c === AMPERSAND;

/** iso2022processesc: bytes consumed (> 0), an error of that many bytes (< 0), or 0 (input ends). */
function designate(bytes: Uint8Array, i: number, jp2: boolean, st: State): number {
  const left = bytes.length - i;
  let length = 0;
  for (let k = 1; k < MAX_ESCAPE_LENGTH; k++) {
    if (k >= left) return 0;
    if (isFinal(bytes[i + k])) {
      length = k + 1;
      break;
    }
    if (k + 1 < left && bytes[i + k] === AMPERSAND && bytes[i + k + 1] === AT) k += 2;
  }
  const [b1, b2, b3] = [bytes[i + 1], bytes[i + 2], bytes[i + 3]];
  let mark: number;
  let g: number;
  if (length === 3 && b1 === DOLLAR) [mark, g] = [b2 | DBCS, 0];
  else if (length === 3) {
    mark = b2;
    g = b1 === OPEN_G0 ? 0 : b1 === OPEN_G1 ? 1 : jp2 && b1 === DOT_G2 ? 2 : -1;
  } else if (length === 4 && b1 === DOLLAR) [mark, g] = [b3 | DBCS, b2 === OPEN_G0 ? 0 : b2 === OPEN_G1 ? 1 : -1];
  else if (length === 6 && b3 === ESC && bytes[i + 4] === DOLLAR && bytes[i + 5] === FINAL_B) [mark, g] = [FINAL_B | DBCS, 0];
  else return length === 0 ? -1 : -length;
  const set = mark === FINAL_B ? 'ascii' : (jp2 ? JP2 : JP)[mark];
  if (g < 0 || set === undefined) return -length;
  if (g === 0) st.g0 = set;
  else if (g === 2) st.g2 = set;
  return length;
}

/** iso2022processg2: ESC N and one byte, from G2; null when it has no character there. */
function singleShift(b: number, g2: Charset): string | null {
  if (g2 === 'latin1') return b < HIGH ? String.fromCharCode(b + HIGH) : null;
  if (g2 === 'greek') {
    // ISO8859_7_DECODE(b ^ 0x80): below 0xA0 the byte itself, above it the Greek table.
    if (b >= HIGH) return String.fromCharCode(b ^ HIGH);
    const ch = UPPER_HALVES.iso_ir_126[b];
    return GREEK_MISSING.has(b) || ch === REPLACEMENT ? null : ch;
  }
  return b < HIGH ? String.fromCharCode(b) : null;
}

/** One character of G0 at `i` with its width, or null (unmappable: an error of that width). */
function graphic(bytes: Uint8Array, i: number, set: Charset): [string | null, number] {
  const b = bytes[i];
  if (set === 'roman') return [b === YEN ? '\u00a5' : b === OVERLINE ? '\u203e' : String.fromCharCode(b), 1];
  if (set === 'latin1' || set === 'greek') return [null, 1];
  const c = bytes[i + 1];
  if (b < GL_FIRST || b > GL_LAST || c < GL_FIRST || c > GL_LAST) return [null, 2];
  if (set === 'ksx1001') return [ksx1001Pair(b, c), 2];
  if (set === 'gb2312') {
    const code = gb2312Pair(b, c);
    return [code < 0 ? null : String.fromCharCode(code), 2];
  }
  const ch = (set === 'jis0208' ? JIS_X_0208 : JIS_X_0212)[(b - GL_FIRST) * CELLS + c - GL_FIRST];
  return [ch === REPLACEMENT ? null : ch, 2];
}

/** Python's iso2022_jp / iso2022_jp_2; null when `fatal` and the bytes are not valid in it. */
export function decodeIso2022Jp(bytes: Uint8Array, fatal: boolean, jp2: boolean): string | null {
  const st: State = { g0: 'ascii', g2: 'ascii', escapeThrough: false };
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let step: number;
    if (st.escapeThrough) {
      out += String.fromCharCode(b);
      st.escapeThrough = !isFinal(b);
      i++;
      continue;
    }
    if (b === ESC) {
      const next = bytes[i + 1];
      if (i + 1 >= bytes.length) step = 0;
      else if (isIso2022Escape(next)) step = designate(bytes, i, jp2, st);
      else if (jp2 && next === SS2) {
        const ch = i + 2 < bytes.length ? singleShift(bytes[i + 2], st.g2) : null;
        step = i + 2 >= bytes.length ? 0 : ch === null ? -3 : 3;
        if (ch !== null) out += ch;
      } else {
        out += '\u001b';
        st.escapeThrough = true;
        step = 1;
      }
    } else if (b < SPACE || b === LF || st.g0 === 'ascii') {
      if (b >= HIGH) step = -1;
      else {
        out += String.fromCharCode(b);
        step = 1;
      }
    } else if (b >= HIGH) step = -1;
    else {
      const [ch, width] = graphic(bytes, i, st.g0);
      step = i + width > bytes.length ? 0 : ch === null ? -width : width;
      if (ch !== null && step > 0) out += ch;
    }
    if (step > 0) {
      i += step;
      continue;
    }
    if (fatal) return null;
    out += REPLACEMENT;
    if (step === 0) break;
    i -= step;
  }
  return out;
}
