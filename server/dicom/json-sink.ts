// A growable UTF-8 byte buffer that JSON text (RFC 8259 §7 strings) is written into directly, as
// JSON.stringify would lay it out: '"', '\\' and controls escaped (\b \t \n \f \r, else \u00xx in
// lower-case hex), everything else as its UTF-8 bytes (RFC 3629). Latin-1 bytes (ISO 8859-1, the
// DICOM default repertoire, PS3.5 §6.1.2.2) go straight from the input to UTF-8 with no string.

/** Bytes a sink starts with when none is given; it doubles as needed. */
const FIRST_CAPACITY = 64 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const FIRST_PRINTABLE = 0x20;
const FIRST_NON_ASCII = 0x80;
/** UTF-8 of U+0080-U+07FF: 110xxxxx 10xxxxxx (RFC 3629 §3). */
const UTF8_LEAD_2 = 0xc0;
const UTF8_CONTINUATION = 0x80;
const LOW_SIX_BITS = 0x3f;
/** Worst case bytes per UTF-16 code unit in UTF-8 (a BMP character above U+07FF). */
const UTF8_PER_UNIT = 3;
/** Worst case bytes per Latin-1 byte in escaped JSON text: \u00xx. */
const ESCAPED_PER_BYTE = 6;
/** Short escapes JSON.stringify uses for these controls; the others are \u00xx. */
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72 };
const HEX_LOWER = '0123456789abcdef';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64 = Uint8Array.from(BASE64_ALPHABET, (c) => c.charCodeAt(0));
const BASE64_PAD = 0x3d;
/** Above this many input bytes Buffer's native base64 (one string, then copied) beats the loop. */
const NATIVE_BASE64_FROM = 4096;
/** Longer ASCII text is copied by Buffer's native latin1 write, shorter by a loop. */
const NATIVE_ASCII_FROM = 64;
const DIGIT_0 = 0x30;
const MINUS = 0x2d;
/** Largest int32: integers up to it are written with int32 arithmetic. */
const MAX_INT32 = 0x7fffffff;
/** Digits of the largest safe integer, plus a sign. */
const MAX_INT_CHARS = 17;

/** Per Latin-1 byte, its escaped JSON form when it needs one (controls, '"', '\\'), else null. */
const LATIN1_ESCAPES: (Uint8Array | null)[] = Array.from({ length: 256 }, (_v, b) => {
  if (b === QUOTE || b === BACKSLASH) return Uint8Array.of(BACKSLASH, b);
  if (b >= FIRST_PRINTABLE) return null;
  const short = SHORT_ESCAPES[b];
  if (short !== undefined) return Uint8Array.of(BACKSLASH, short);
  return Uint8Array.from(`\\u00${HEX_LOWER[b >> 4]}${HEX_LOWER[b & 0xf]}`, (c) => c.charCodeAt(0));
});

export class JsonSink {
  /** The text so far is bytes[0, length); `bytes` is replaced (not resized) when it grows. */
  bytes: Buffer;
  length = 0;

  constructor(capacity = FIRST_CAPACITY) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + n));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  byte(b: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = b;
  }

  /** Two bytes (the closing "]}", '"}' and ".0" of most elements and values). */
  pair(a: number, b: number): void {
    if (this.length + 2 > this.bytes.length) this.reserve(2);
    this.bytes[this.length++] = a;
    this.bytes[this.length++] = b;
  }

  /** Bytes of a constant (pre-encoded JSON punctuation and names). */
  constant(text: Uint8Array): void {
    this.reserve(text.length);
    const out = this.bytes;
    let at = this.length;
    for (let i = 0; i < text.length; i++) out[at++] = text[i];
    this.length = at;
  }

  /** Text known to be ASCII with nothing to escape (keys, VRs, numbers, punctuation, base64). */
  ascii(s: string): void {
    if (s.length > NATIVE_ASCII_FROM) {
      this.reserve(s.length);
      this.length += this.bytes.write(s, this.length, 'latin1');
      return;
    }
    this.reserve(s.length);
    const out = this.bytes;
    let at = this.length;
    for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i);
    this.length = at;
  }

  /** Already-valid JSON text of any characters (a fallback's serialised element). */
  raw(s: string): void {
    this.reserve(s.length * UTF8_PER_UNIT);
    this.length += this.bytes.write(s, this.length, 'utf8');
  }

  /** `src[start, end)` read as Latin-1 code points, JSON-escaped, without the quotes. */
  latin1(src: Uint8Array, start: number, end: number): void {
    this.reserve((end - start) * 2);
    let out = this.bytes;
    let at = this.length;
    for (let i = start; i < end; i++) {
      const b = src[i];
      if (b >= FIRST_NON_ASCII) {
        out[at++] = UTF8_LEAD_2 | (b >> 6);
        out[at++] = UTF8_CONTINUATION | (b & LOW_SIX_BITS);
      } else if (b >= FIRST_PRINTABLE && b !== QUOTE && b !== BACKSLASH) {
        out[at++] = b;
      } else {
        // Rare: make room for the longest escape of every byte left, then write this one.
        this.length = at;
        this.reserve((end - i) * ESCAPED_PER_BYTE);
        out = this.bytes;
        const escaped = LATIN1_ESCAPES[b] as Uint8Array;
        out.set(escaped, at);
        at += escaped.length;
      }
    }
    this.length = at;
  }

  /** A safe integer in decimal (JSON.stringify's and Python's int layout agree). */
  int(n: number): void {
    this.reserve(MAX_INT_CHARS);
    const out = this.bytes;
    if (n < 0) {
      out[this.length++] = MINUS;
      n = -n;
    }
    if (n < 10) {
      out[this.length++] = DIGIT_0 + n;
      return;
    }
    if (n <= MAX_INT32) return this.smallInt(n);
    let digits = 0;
    for (let m = n; m >= 1; m = Math.floor(m / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    while (n >= 1) {
      const q = Math.floor(n / 10);
      out[--at] = DIGIT_0 + (n - q * 10);
      n = q;
    }
  }

  /** 10 <= n <= 2^31 - 1 (most DICOM numbers) in int32 arithmetic (room reserved by int()). */
  private smallInt(n: number): void {
    let v = n | 0;
    const digits = v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    const out = this.bytes;
    let at = this.length + digits;
    this.length = at;
    do {
      const q = (v / 10) | 0;
      out[--at] = DIGIT_0 + v - q * 10;
      v = q;
    } while (v !== 0);
  }

  /** RFC 4648 §4 base64 of `src[start, end)`, padded. */
  base64(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n > NATIVE_BASE64_FROM) {
      this.ascii(Buffer.from(src.buffer, src.byteOffset + start, n).toString('base64'));
      return;
    }
    this.reserve(Math.ceil(n / 3) * 4);
    const out = this.bytes;
    let at = this.length;
    let i = start;
    for (; i + 3 <= end; i += 3) {
      const v = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
      out[at++] = BASE64[v >> 18];
      out[at++] = BASE64[(v >> 12) & LOW_SIX_BITS];
      out[at++] = BASE64[(v >> 6) & LOW_SIX_BITS];
      out[at++] = BASE64[v & LOW_SIX_BITS];
    }
    if (i < end) {
      const two = i + 1 < end;
      const v = (src[i] << 16) | (two ? src[i + 1] << 8 : 0);
      out[at++] = BASE64[v >> 18];
      out[at++] = BASE64[(v >> 12) & LOW_SIX_BITS];
      out[at++] = two ? BASE64[(v >> 6) & LOW_SIX_BITS] : BASE64_PAD;
      out[at++] = BASE64_PAD;
    }
    this.length = at;
  }

  /** The text written since `start` as a string (tests, and callers that want a string). */
  toString(start = 0): string {
    return this.bytes.toString('utf8', start, this.length);
  }
}
