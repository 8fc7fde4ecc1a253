// Raw DEFLATE (RFC 1951, ZIP method 8 per APPNOTE 4.4.5) inflation of a member's leading bytes:
// decode only as much compressed input as the header needs, so pixel data is (almost) never
// inflated. A prefix is decoded with Z_SYNC_FLUSH (what is decodable so far); a whole member with
// Z_FINISH so a cut or corrupt stream is an error, not silently short output.
import { constants, inflateRawSync } from 'node:zlib';

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

/** APPNOTE 4.4.5 names, for error rows about methods we do not decode. */
const METHOD_NAMES: Record<number, string> = {
  1: 'Shrunk', 6: 'Imploded', 9: 'Deflate64', 12: 'BZIP2', 14: 'LZMA', 93: 'Zstandard', 95: 'XZ', 98: 'PPMd', 99: 'AES-encrypted',
};

export class InflateError extends Error {
  readonly code: 'UNSUPPORTED_METHOD' | 'CORRUPT_DEFLATE';
  constructor(code: InflateError['code'], message: string) {
    super(message);
    this.name = 'InflateError';
    this.code = code;
  }
}

export function methodName(method: number): string {
  return METHOD_NAMES[method] ?? `method ${method}`;
}

/**
 * Decode the first `inputBytes` of `compressed`. With `whole`, the input must be the complete
 * stream and must end with the final block; otherwise a truncated tail is fine.
 */
export function inflatePrefix(method: number, compressed: Uint8Array, inputBytes: number, whole: boolean): Uint8Array {
  if (method === METHOD_STORED) return compressed.subarray(0, inputBytes);
  if (method !== METHOD_DEFLATED) {
    throw new InflateError('UNSUPPORTED_METHOD', `unsupported compression ${methodName(method)} (only stored and deflated are read)`);
  }
  const input = compressed.subarray(0, inputBytes);
  try {
    const out = whole ? inflateRawSync(input) : inflateRawSync(input, { finishFlush: constants.Z_SYNC_FLUSH });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InflateError('CORRUPT_DEFLATE', `corrupt deflate data: ${e.message}`);
  }
}
