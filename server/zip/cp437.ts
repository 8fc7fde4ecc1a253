// IBM code page 437, the default encoding of ZIP names without the UTF-8 flag (APPNOTE
// Appendix D.1); decoded the way Python's zipfile does (`bytes.decode('cp437')`), so names match.

// Code points for bytes 0x80–0xFF; bytes below 0x80 are ASCII.
const HIGH_HALF =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export function decodeCp437(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : HIGH_HALF[b - 0x80];
  return out;
}

const utf8 = new TextDecoder('utf-8');

/** UTF-8 with U+FFFD for invalid sequences (Python raises there; we keep the member readable). */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Names up to this length go through String.fromCharCode in one call (argument count limits). */
const ASCII_APPLY_MAX = 4096;

/** ASCII bytes (checked by the caller) to a string; faster than TextDecoder for short names. */
export function decodeAscii(bytes: Uint8Array): string {
  return bytes.length <= ASCII_APPLY_MAX ? String.fromCharCode.apply(null, bytes as unknown as number[]) : utf8.decode(bytes);
}

/** Pure ASCII names decode the same either way; a fast path for the common case. */
export function isAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b >= 0x80) return false;
  return true;
}
