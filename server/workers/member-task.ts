// One DICOM member's CPU-bound work, run on a pool worker: inflate (APPNOTE 4.4.5), parse the
// DICOM Part 10 header (PS3.10 §7) into the JSON model (PS3.18 Annex F.2), serialise it, pull the
// typed key columns and, in hashes mode, SHA-1 the member and its Pixel Data value.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { inflatePrefix, inflateWindow, METHOD_STORED, ZipError } from './inflate-prefix.ts';
import { describeParseError, KEY_INT_TAGS, KEY_STRING_TAGS, KEY_TAGS, keysOf, takeKeys } from './member-meta.ts';
import { pixelDataRange } from './pixel-value.ts';
import { parseDicom, parseDicomText, serialiseModel, type JsonSink, type TextParseResult } from './dicom-api.ts';

export interface MemberTask {
  /** 'header': stop before Pixel Data; 'whole': the whole member is here, hash it and parse it all. */
  mode: 'header' | 'whole';
  /** ZIP compression method (0 stored, 8 deflated); 0 for a bare .dcm file. */
  method: number;
  /** The member's (compressed) bytes from its first byte on; transferred to the worker. */
  bytes: Uint8Array;
  /** `bytes` hold the entire compressed member. */
  whole: boolean;
  uncompressedSize: number;
  /** CRC-32 from the central directory, checked when the whole member is inflated; null for bare files. */
  crc32: number | null;
  /** Top-level tags (8 upper-case hex digits) left out of `meta`. */
  keysFilter: string[];
  /** Compressed bytes an earlier attempt already found too short (0 on the first try): they
   *  inflated to about as much at least, so a retry starts with an output window that large. */
  firstInput: number;
  /** Inflated bytes to decode first (header mode): the window the previous member of the same
   *  archive needed, since a series' headers are alike; FIRST_HEADER_WINDOW when absent. */
  inflateHint?: number;
}

export interface MemberResult {
  status: 'ok' | 'need-more' | 'error';
  /** JSON text of the DICOM JSON model (null when nothing was parsed, or when it is in a sink). */
  meta: string | null;
  /** With a sink (handleMemberTask's second argument): the JSON text is sink.bytes[metaStart, metaEnd). */
  metaStart?: number;
  metaEnd?: number;
  /** What went wrong and where (byte offset, tag); the caller prefixes archive and member. */
  error: string | null;
  /** Values for KEY_STRING_TAGS in order, then transfer syntax UID. */
  strings: (string | null)[];
  /** Values for KEY_INT_TAGS in order (rows, columns, number of frames). */
  ints: (number | null)[];
  hash: string | null;
  pixelHash: string | null;
  /** Header mode: the output window the next member of the archive should decode first (its
   *  inflateHint): this header's end and a margin, within the window this one needed. */
  inflateOutput?: number;
  /** Header mode: where Pixel Data's element starts in the decoded bytes (the header's end). */
  headerEnd?: number;
}

/** Inflated bytes decoded first, then ×WINDOW_GROWTH, whatever the compressed bytes at hand: the
 *  header is all a header read needs, and CT air behind it inflates ~100:1. Measured on the bench
 *  corpus (1,000 CT/MR/real members): 1 KiB of compressed input inflated to 12.9 KB on average,
 *  13-29 µs a member (warm / first runs); a 4 KiB window on a reused handle 8-11 µs, and it holds
 *  the whole header of 993 of the 1,000 members (16 KiB: 4 more, 64 KiB: the last 3). */
const FIRST_HEADER_WINDOW = 4 * 1024;
const WINDOW_GROWTH = 4;
/** The next member's window: this header's end plus a margin for the values that differ between
 *  slices of a series (UIDs, positions), in whole blocks. Measured over the 1,000 bench members
 *  (headers end at 1,530-1,640 bytes for 90%): inflating 2 KiB costs 8.6-9.4 µs, 4 KiB 9.8-10.1. */
const HEADER_MARGIN = 256;
const WINDOW_BLOCK = 256;

/**
 * Parse one member. With a `sink`, the meta JSON text is written into it as UTF-8 (metaStart and
 * metaEnd say where) instead of returned as a string: a chunk's texts end to end, no string.
 */
export function handleMemberTask(task: MemberTask, sink?: JsonSink): MemberResult {
  try {
    return task.mode === 'whole' ? parseWhole(task, sink) : parseHeader(task, sink);
  } catch (err) {
    // Corrupt, cut or lying deflate data: this member's error row, with the ZIP layer's code.
    if (err instanceof ZipError) return errorResult(`${err.code}: ${err.message}`);
    // A parser failure on one member's bytes costs that member, not the stream (issue 3): its
    // row says so, and the stack goes to the server log for us.
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`zipflight: zipdcm worker: member parse failed: ${e.stack ?? e.message}\n`);
    return errorResult(`PARSER_FAILURE: the DICOM parser failed on this member (${e.message})`);
  }
}

function parseHeader(task: MemberTask, sink: JsonSink | undefined): MemberResult {
  if (task.method === METHOD_STORED) return parseHeaderData(task, task.bytes, task.whole, sink);
  let window = Math.max(task.inflateHint ?? FIRST_HEADER_WINDOW, task.firstInput);
  for (;;) {
    const data = inflateWindow(task.bytes, window, task.uncompressedSize);
    const filled = data.length === window;
    // The whole member decoded within the window: inflate it as a whole after all (final block,
    // declared size, CRC-32), as pydicom reads a member zipfile has checked.
    if (!filled && task.whole) return withHint(parseHeaderData(task, inflatePrefix(task.method, task.bytes, task.bytes.length, true, task.uncompressedSize), true, sink), window);
    const result = parseHeaderData(task, data, false, sink);
    if (result.status !== 'need-more') return withHint(result, window);
    // The compressed bytes ran out before the header did: the caller reads more.
    if (!filled) return needMore();
    window *= WINDOW_GROWTH;
  }
}

function withHint(result: MemberResult, window: number): MemberResult {
  const end = result.headerEnd;
  result.inflateOutput = end === undefined ? window : Math.min(window, Math.ceil((end + HEADER_MARGIN) / WINDOW_BLOCK) * WINDOW_BLOCK);
  return result;
}

function parseHeaderData(task: MemberTask, data: Uint8Array, complete: boolean, sink: JsonSink | undefined): MemberResult {
  if (complete && task.crc32 !== null && crc32(data) >>> 0 !== task.crc32 >>> 0) return errorResult('CRC_MISMATCH: member data does not match its CRC-32');
  if (sink) {
    const text = parseDicomText(data, { stopBeforePixels: true, complete, keysFilter: task.keysFilter, keyTags: KEY_TAGS }, sink);
    if (text.status === 'need-more') return needMore();
    const result = finishText(text, null, null);
    // Offsets into a deflated dataset (PS3.5 §A.5) say nothing of the member's own stream.
    if (text.pixelData && !text.pixelData.inflated) result.headerEnd = text.pixelData.elementOffset;
    return result;
  }
  const result = parseDicom(data, { stopBeforePixels: true, complete, keysFilter: [] });
  return result.status === 'need-more' ? needMore() : finishResult(result, task.keysFilter, null, null);
}

function parseWhole(task: MemberTask, sink: JsonSink | undefined): MemberResult {
  const data = inflatePrefix(task.method, task.bytes, task.bytes.length, true, task.uncompressedSize);
  if (data.length !== task.uncompressedSize) {
    return errorResult(`SIZE_MISMATCH: member has ${data.length} bytes, the central directory says ${task.uncompressedSize}`);
  }
  if (task.crc32 !== null && crc32(data) >>> 0 !== task.crc32 >>> 0) return errorResult('CRC_MISMATCH: member data does not match its CRC-32');
  const hash = createHash('sha1').update(data).digest('hex');
  if (sink) {
    // Filtered elements (Pixel Data) are never written; the key values come whether filtered or not.
    const text = parseDicomText(data, { stopBeforePixels: false, complete: true, keysFilter: task.keysFilter, keyTags: KEY_TAGS }, sink);
    return finishText(text, hash, pixelValueHash(data, text.pixelData));
  }
  // Pixel Data's base64 would be built only to be dropped: keep it out of the parse when filtered.
  const skip = task.keysFilter.filter((k) => !KEY_STRING_TAGS.includes(k) && !KEY_INT_TAGS.includes(k));
  const result = parseDicom(data, { stopBeforePixels: false, complete: true, keysFilter: skip });
  const pixelHash = pixelValueHash(data, result.pixelData);
  return finishResult(result, task.keysFilter, hash, pixelHash);
}

type ParseResult = ReturnType<typeof parseDicom>;

function finishText(result: TextParseResult, hash: string | null, pixelHash: string | null): MemberResult {
  const { strings, ints } = keysOf(result.keyValues, result.transferSyntaxUid ?? null);
  const written = result.textStart >= 0;
  return {
    status: result.status === 'ok' ? 'ok' : 'error',
    meta: null,
    metaStart: written ? result.textStart : undefined,
    metaEnd: written ? result.textEnd : undefined,
    error: result.status === 'ok' ? null : describeParseError(result.error),
    strings,
    ints,
    hash,
    pixelHash,
  };
}

/** SHA-1 of ds.PixelData: the parser's view of the value when it has one (also the inflated
 *  dataset of a deflated transfer syntax, PS3.5 §A.5), else the range found in the member. */
export function pixelValueHash(data: Uint8Array, pixel: ParseResult['pixelData']): string | null {
  if (!pixel) return null;
  if (pixel.value) return createHash('sha1').update(pixel.value).digest('hex');
  if (pixel.inflated) return null;
  const range = pixelDataRange(data, pixel);
  return range ? createHash('sha1').update(data.subarray(range[0], range[1])).digest('hex') : null;
}

export function finishResult(result: ParseResult, keysFilter: string[], hash: string | null, pixelHash: string | null): MemberResult {
  const json = result.json as Record<string, unknown> | null;
  const { strings, ints } = takeKeys(json, result.transferSyntaxUid ?? null);
  if (json) for (const key of keysFilter) delete json[key];
  return {
    status: result.status === 'ok' ? 'ok' : 'error',
    // Attributes in file order, as pydicom writes them (JSON.stringify would move keys like 30040002).
    meta: json ? serialiseModel(json) : null,
    error: result.status === 'ok' ? null : describeParseError(result.error),
    strings,
    ints,
    hash,
    pixelHash,
  };
}

/** A member's error row: nothing parsed, `error` says why. */
export function errorResult(error: string): MemberResult {
  return { status: 'error', meta: null, error, strings: [], ints: [], hash: null, pixelHash: null };
}

function needMore(): MemberResult {
  return { status: 'need-more', meta: null, error: null, strings: [], ints: [], hash: null, pixelHash: null };
}
