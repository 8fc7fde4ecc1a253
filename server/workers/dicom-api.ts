// The DICOM layer's entry points as zipdcm uses them (server/dicom/): one place to adapt when
// its API moves. parseDicom: Part 10 bytes → pydicom-compatible JSON model + Pixel Data position.
export { parseDicom } from '../dicom/parse.ts';
export type { ParseError, ParseOptions, ParseResult, PixelDataInfo } from '../dicom/parse.ts';
