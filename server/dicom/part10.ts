// DICOM Part 10 file framing (PS3.10 §7.1 preamble and 'DICM' prefix, §7.1 File Meta Information
// group 0002 in explicit VR little endian) and the transfer syntax that decides how the dataset
// is encoded (PS3.5 §10, Annex A; deflated: §A.5, raw deflate after the meta group), following
// pydicom 3.0.1's read_partial with force=True: no 'DICM' means the dataset starts at byte 0 and
// the encoding is guessed from the first element.
import { constants, inflateRawSync } from 'node:zlib';
import { DEFAULT_ENCODINGS, latin1, latin1Range } from './charset.ts';
import { DicomError } from './dicom-error.ts';
import { ElementList } from './element-list.ts';
import { datasetJson, tagKey } from './json-model.ts';
import { rstripNulSpace } from './json-text-values.ts';
import { isPySpace } from './values.ts';
import { type RawDataset, readDataset, WalkContext } from './walker.ts';

const PREAMBLE_LENGTH = 128;
const MAGIC = [0x44, 0x49, 0x43, 0x4d]; // 'DICM'
const FILE_META_GROUP = 0x0002;
const COMMAND_GROUP = 0x0000;
const TRANSFER_SYNTAX_UID = 0x00020010;
const UL_BYTES = 4;
const BACKSLASH = 0x5c;
/** Big-endian group 0x0008 read little endian is 0x0800: groups this high mean big endian. */
const BIG_ENDIAN_GROUP_GUESS = 1024;
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';
/** pydicom.values.converters keys of two letters: what the guess accepts as an explicit VR. */
const KNOWN_VRS = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF',
  'OL', 'OW', 'OV', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV']);

export interface Part10Header {
  /** False when there was no 'DICM' (read as pydicom's force=True does). */
  hasPreamble: boolean;
  meta: RawDataset;
  command: RawDataset | null;
  transferSyntaxUid: string | null;
  /** Where the dataset starts in `dataset.buf`. */
  datasetStart: number;
  implicit: boolean;
  little: boolean;
  /** The walk context of the dataset: the input, or the inflated stream for deflated TS. */
  dataset: WalkContext;
  inflated: boolean;
  /** Deflated TS read incrementally: `dataset` inflates only the first `used` bytes of `data`. */
  partial: { data: Uint8Array; offset: number; used: number } | null;
}

/** Compressed bytes inflated first when the walk stops at Pixel Data; each retry takes ×GROWTH. */
const FIRST_DEFLATED_INPUT = 4096;
const DEFLATED_INPUT_GROWTH = 4;

function hasMagic(buf: Uint8Array): boolean {
  if (buf.length < PREAMBLE_LENGTH + MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (buf[PREAMBLE_LENGTH + i] !== MAGIC[i]) return false;
  return true;
}

/** The walk's stop tests for the two groups read before the dataset: made once, not per file
 *  (a closure per call also costs tsx's name-keeping wrapper, ~2% of a header's parse). */
const GROUP_SHIFT = 16;
const ELEMENT_MASK = 0xffff;
const OUTSIDE_GROUP: Record<number, (tag: number) => boolean> = {
  [FILE_META_GROUP]: (tag) => tag >>> 16 !== FILE_META_GROUP,
  [COMMAND_GROUP]: (tag) => tag >>> 16 !== COMMAND_GROUP,
};

function readGroup(ctx: WalkContext, pos: number, group: typeof FILE_META_GROUP | typeof COMMAND_GROUP, implicit: boolean): { ds: RawDataset; pos: number } {
  const ds = readDataset(ctx, {
    pos, limit: ctx.buf.length, byteLength: null, implicit, little: true, parentEncodings: DEFAULT_ENCODINGS,
    atTop: true, stopWhen: OUTSIDE_GROUP[group], goOnFrom: group << GROUP_SHIFT, goOnTo: ((group << GROUP_SHIFT) | ELEMENT_MASK) >>> 0,
  });
  ctx.stop = null;
  return { ds, pos: ctx.datasetEnd };
}

/** _read_file_meta_info: explicit VR LE, re-read as implicit if the first element's VR is unknown. */
function readFileMeta(ctx: WalkContext, pos: number): { ds: RawDataset; pos: number } {
  const meta = readGroup(ctx, pos, FILE_META_GROUP, false);
  const first = meta.ds.elements.first();
  if (first === undefined) return meta;
  // The usual first element, File Meta Information Group Length as UL of 4 bytes, converts.
  if (first.vr === 'UL' && first.end - first.start === UL_BYTES) return meta;
  try {
    datasetJson(ctx, { ...meta.ds, elements: ElementList.of(first) }, undefined);
  } catch (err) {
    if (err instanceof DicomError && err.code === 'UNKNOWN_VR') return readGroup(ctx, pos, FILE_META_GROUP, true);
    // pydicom converts the element with its retrying converters: only a wrong byte count raises here.
    if (!(err instanceof DicomError) || err.code === 'BAD_LENGTH' || err.code === 'TRUNCATED') throw err;
  }
  return meta;
}

/** file_meta.get("TransferSyntaxUID"): the converted value, where a value its VR cannot parse is
 *  pydicom's SH retry (a UID stored as IS still compares equal to the UID). */
function transferSyntaxOf(ctx: WalkContext, meta: RawDataset): string | null {
  const el = meta.elements.get(TRANSFER_SYNTAX_UID);
  if (!el) return null;
  if (el.vr === 'UI') {
    const one = singleUid(ctx.buf, el.start, el.end);
    if (one !== null) return one;
  }
  let v: unknown[] | undefined;
  try {
    v = datasetJson(ctx, { ...meta, elements: ElementList.of(el) }, undefined)[tagKey(TRANSFER_SYNTAX_UID)]?.Value;
  } catch (err) {
    if (!(err instanceof DicomError) || err.code !== 'BAD_VALUE') throw err;
    v = latin1(ctx.buf.subarray(el.start, el.end)).split('\\').map((s) => s.replace(/[\0 ]+$/, ''));
  }
  if (!v) return '';
  return v.length === 1 ? String(v[0]) : v.join('\\');
}

/** A UI value of one UID as pydicom reads it (trailing NUL/space off, then str.strip()), '' when
 *  empty; null when it holds a '\\' (several values: the model decides). */
function singleUid(buf: Uint8Array, s: number, e: number): string | null {
  e = rstripNulSpace(buf, s, e);
  for (let i = s; i < e; i++) if (buf[i] === BACKSLASH) return null;
  while (s < e && isPySpace(buf[s])) s++;
  while (e > s && isPySpace(buf[e - 1])) e--;
  return latin1Range(buf, s, e);
}

/** Preamble, file meta, command group and transfer syntax; inflates a deflated dataset, only its
 *  start when `incremental` (the walk stops at Pixel Data: see inflateMore). */
export function readPart10Header(input: WalkContext, incremental = false): Part10Header {
  const buf = input.buf;
  if (!input.complete && buf.length < PREAMBLE_LENGTH + MAGIC.length) input.short(buf.length, 1, buf.length);
  const hasPreamble = hasMagic(buf);
  const meta = readFileMeta(input, hasPreamble ? PREAMBLE_LENGTH + MAGIC.length : 0);
  const command = readGroup(input, meta.pos, COMMAND_GROUP, true);
  let pos = command.pos;
  const transferSyntaxUid = transferSyntaxOf(input, meta.ds);
  let implicit = true;
  let little = true;
  let dataset = input;
  let inflated = false;
  let partial: Part10Header['partial'] = null;
  if (input.halt !== null) {
    // An element of the meta or command group passed the size limit: the walk ends there.
  } else if (pos >= buf.length) {
    input.short(pos, 1, buf.length);
  } else if (transferSyntaxUid === null) {
    if (input.short(pos, 6, buf.length)) throw new DicomError('TRUNCATED', 'input ends inside the first element', pos, null);
    const vr = String.fromCharCode(buf[pos + 4], buf[pos + 5]);
    if (KNOWN_VRS.has(vr)) {
      implicit = false;
      little = (buf[pos] | (buf[pos + 1] << 8)) < BIG_ENDIAN_GROUP_GUESS;
    }
  } else if (transferSyntaxUid === IMPLICIT_LE) {
    implicit = true;
  } else if (transferSyntaxUid === EXPLICIT_BE) {
    implicit = false;
    little = false;
  } else if (transferSyntaxUid === DEFLATED_LE) {
    implicit = false;
    const data = buf.subarray(pos);
    // Incremental: the placeholder `dataset` is replaced by inflateMore below.
    partial = incremental && data.length > FIRST_DEFLATED_INPUT ? { data, offset: pos, used: 0 } : null;
    dataset = partial ? input : new WalkContext(inflate(data, input.complete, pos), input.complete, input.maxValueBytes, input.arena);
    inflated = true;
    pos = 0;
  } else {
    implicit = false;
  }
  const header = { hasPreamble, meta: meta.ds, command: command.ds.elements.size ? command.ds : null, transferSyntaxUid, datasetStart: pos, implicit, little, dataset, inflated, partial };
  if (partial) inflateMore(header, input);
  return header;
}

/** Inflate ×GROWTH more of a deflated dataset read incrementally (Z_SYNC_FLUSH: all the output a
 *  prefix of the stream gives). Once the whole stream is taken, or a prefix does not inflate, it
 *  is inflated as before, all at once: zlib's errors then fail the file as pydicom's do. */
export function inflateMore(header: Part10Header, input: WalkContext): void {
  const p = header.partial as NonNullable<Part10Header['partial']>;
  p.used = p.used === 0 ? FIRST_DEFLATED_INPUT : p.used * DEFLATED_INPUT_GROWTH;
  if (p.used < p.data.length) {
    try {
      const prefix = inflateRawSync(p.data.subarray(0, p.used), { finishFlush: constants.Z_SYNC_FLUSH });
      header.dataset = new WalkContext(prefix, false, input.maxValueBytes, input.arena);
      return;
    } catch {
      // Corrupt within the prefix: the whole-stream inflate below reports it.
    }
  }
  header.partial = null;
  header.dataset = new WalkContext(inflate(p.data, input.complete, p.offset), input.complete, input.maxValueBytes, input.arena);
}

function inflate(deflated: Uint8Array, complete: boolean, offset: number): Uint8Array {
  try {
    return complete ? inflateRawSync(deflated) : inflateRawSync(deflated, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (err) {
    throw new DicomError('INFLATE', `deflated dataset does not inflate: ${(err as Error).message}`, offset, null);
  }
}
