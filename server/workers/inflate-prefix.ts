// A member's bytes as the worker needs them (APPNOTE 4.4.5: 0 stored, 8 deflated), through the
// project's one inflate (server/zip/inflate.ts). A prefix decodes only the compressed bytes given
// (Z_SYNC_FLUSH: what is decodable so far), so pixel data is (almost) never inflated; a whole
// member must end with the final block and inflate to its declared size, else a ZipError.
import { inflateRaw } from '../zip/inflate.ts';
import { METHOD_DEFLATED, METHOD_STORED } from '../zip/entry.ts';
import { methodName, ZipError, zipError } from '../zip/zip-error.ts';

export { METHOD_DEFLATED, METHOD_STORED, ZipError };

/**
 * Decode the first `inputBytes` of `compressed`, never more than `declaredSize` bytes out. With
 * `whole`, the input is the complete stream: it must end with the final block and give exactly
 * `declaredSize` bytes.
 */
export function inflatePrefix(method: number, compressed: Uint8Array, inputBytes: number, whole: boolean, declaredSize: number): Uint8Array {
  if (method === METHOD_STORED) return compressed.subarray(0, inputBytes);
  if (method !== METHOD_DEFLATED) throw zipError('UNSUPPORTED_METHOD', `compression ${methodName(method)} is not supported`);
  return inflateRaw(compressed.subarray(0, inputBytes), { prefix: !whole, expectedSize: declaredSize });
}

/** Decode a deflated member's bytes until `window` bytes are out or the bytes end (header reads:
 *  the output, not the input, bounds the work). More than `declaredSize` is SIZE_MISMATCH. */
export function inflateWindow(compressed: Uint8Array, window: number, declaredSize: number): Uint8Array {
  return inflateRaw(compressed, { prefix: true, stopAfter: window, expectedSize: declaredSize });
}
