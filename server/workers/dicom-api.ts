// The DICOM layer's entry points as zipdcm uses them (server/dicom/): one place to adapt when
// its API moves. parseDicom: Part 10 bytes → pydicom-compatible JSON model + Pixel Data position.
export { parseDicom } from '../dicom/parse.ts';
/** JSON text of `ParseResult.json` with attributes in file order (JSON.stringify puts keys such as
 *  "30040002" first); NaN → null, BigInt → exact digits. Use it instead of JSON.stringify. */
export { serialiseModel } from '../dicom/serialise.ts';
export type { ParseError, ParseOptions, ParseResult, PixelDataInfo } from '../dicom/parse.ts';
/**
 * parseDicomText(bytes, opts, sink): parseDicom + serialiseModel in one pass, ~half the CPU and
 * far less garbage (no model objects for the common values). Contract:
 * - Appends the UTF-8 JSON text (byte for byte serialiseModel(parseDicom(bytes, opts).json), with
 *   opts.keysFilter's top-level tags left out) to `sink` at sink.length; the result says where:
 *   sink.bytes[textStart, textEnd). When parseDicom's json would be null (status 'error' with no
 *   model, or 'need-more') nothing is left in the sink and textStart = textEnd = -1.
 * - status, error, transferSyntaxUid, pixelData, hasPreamble: as parseDicom's (no fileMeta).
 * - opts.keyTags (8 hex digits, e.g. KEY_STRING_TAGS + KEY_INT_TAGS): result.keyValues[i] is the
 *   first item of that top-level element's "Value" in the model (string | number | bigint | PN
 *   object), or undefined; filtered-out tags are reported too (takeKeys' input, no model needed).
 * - Pass the same keysFilter/keyTags arrays across calls (parsed once per array, WeakMap).
 * - sink.bytes is a Buffer that is *replaced* when it grows: read it after the last call. One
 *   sink can take a whole chunk's meta column (texts end to end; offsets = textStart/textEnd);
 *   set sink.length = 0 to reuse it. new JsonSink(capacity?) starts at 64 KiB by default.
 * - keysFilter given here is equivalent to parsing with [] and deleting the keys afterwards
 *   (filtered values are still checked, so the same files fail).
 */
export { parseDicomText } from '../dicom/parse-text.ts';
export type { TextParseOptions, TextParseResult } from '../dicom/parse-text.ts';
export { JsonSink } from '../dicom/json-sink.ts';
