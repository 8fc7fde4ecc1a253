// Byte-scanning constants shared by the CSV tokenizer and the fused zipcsv path (RFC 4180 §2
// record ends): CR and LF, and the word-at-a-time test for "does this 4-byte word hold byte x".
// A word w holds x exactly when v = w ^ x·0x01010101 has a zero byte, and then
// (v - 0x01010101) & ~v & 0x80808080 is non-zero (the classic has-zero-byte test).

export const LF = 0x0a;
export const CR = 0x0d;
/** Bytes per scanned word (an Int32 read through a DataView: unaligned-safe). */
export const SCAN_WORD = 4;
export const ONES = 0x01010101;
export const HIGHS = 0x80808080 | 0;
export const LF_WORD = LF * ONES;
export const CR_WORD = CR * ONES;

/**
 * Index of the first separator, CR or LF in buf[i, n), or n when there is none. Four bytes at a
 * time while no byte of the word is one of them (`sepWord` = sep · ONES), then byte by byte.
 */
export function scanUnquoted(buf: Uint8Array, view: DataView, i: number, n: number, sep: number, sepWord: number): number {
  for (; i + SCAN_WORD <= n; i += SCAN_WORD) {
    const w = view.getInt32(i, true);
    const a = w ^ sepWord;
    const b = w ^ LF_WORD;
    const d = w ^ CR_WORD;
    if ((((a - ONES) & ~a) | ((b - ONES) & ~b) | ((d - ONES) & ~d)) & HIGHS) break;
  }
  while (i < n) {
    const c = buf[i];
    if (c === sep || c === LF || c === CR) break;
    i++;
  }
  return i;
}
