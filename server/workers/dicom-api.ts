// The DICOM layer's entry points as zipdcm uses them (server/dicom/): one place to adapt when
// its API moves. parseDicom: Part 10 bytes → pydicom-compatible JSON model + Pixel Data position.
export { parseDicom } from '../dicom/parse.ts';
/** JSON text of `ParseResult.json` with attributes in file order (JSON.stringify puts keys such as
 *  "30040002" first); NaN → null, BigInt → exact digits. Use it instead of JSON.stringify. */
export { serialiseModel } from '../dicom/serialise.ts';
export type { ParseError, ParseOptions, ParseResult, PixelDataInfo } from '../dicom/parse.ts';
