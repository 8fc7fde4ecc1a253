// The decoding loop that CPython's CJK multibyte codecs (Modules/cjkcodecs) share, with
// errors="replace" as pydicom's decode_bytes falls back to (PS3.5 §6.1.2.5, Annexes I-K): bytes
// below 0x80 are ASCII; a byte from 0x80 starts a sequence of the codec's width; an invalid
// sequence becomes one U+FFFD and decoding resumes at its next byte; an incomplete sequence at
// the end becomes one U+FFFD. With `fatal` any error makes the result null instead.

const REPLACEMENT = '\ufffd';
const ASCII_END = 0x80;

export interface MultibyteCodec {
  /** Bytes the sequence starting at bytes[i] (a byte >= 0x80) needs. */
  width(bytes: Uint8Array, i: number): number;
  /** The text of the complete sequence at bytes[i], or null when it is not valid. */
  decode(bytes: Uint8Array, i: number): string | null;
}

export function decodeMultibyte(bytes: Uint8Array, codec: MultibyteCodec, fatal: boolean): string | null {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b < ASCII_END) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const need = codec.width(bytes, i);
    if (i + need > bytes.length) return fatal ? null : out + REPLACEMENT;
    const ch = codec.decode(bytes, i);
    if (ch === null) {
      if (fatal) return null;
      out += REPLACEMENT;
      i++;
      continue;
    }
    out += ch;
    i += need;
  }
  return out;
}
