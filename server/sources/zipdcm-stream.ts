// hashes=true for members too large to hold: stream the member once through SHA-1, hash the
// Pixel Data value (PS3.5 §A.4: encapsulated data up to the Sequence Delimitation Item, as
// pydicom's ds.PixelData) on the fly, and keep only the header and the bytes after Pixel Data.
// The meta of such a member is parsed with the Pixel Data element cut out: it never has 7FE00010.
import { createHash, type Hash } from 'node:crypto';
import { parseDicom } from '../workers/dicom-api.ts';
import type { MemberResult } from '../workers/member-task.ts';
import { finishResult } from '../workers/member-task.ts';

/** Header bytes tried first, then ×4 until the header parses up to Pixel Data. */
const FIRST_HEAD_PARSE = 64 * 1024;
const HEAD_GROWTH = 4;
/** A "header" longer than this is not a header: give up rather than hold the member. */
const HEAD_LIMIT = 64 * 1024 * 1024;
/** A Sequence Delimitation Item after the Pixel Data value: tag (FFFE,E0DD) + 4-byte length. */
const DELIMITER = Buffer.from([0xfe, 0xff, 0xdd, 0xe0]);
const DELIMITER_ITEM_LENGTH = 8;

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  return Buffer.concat(chunks, total);
}

interface PixelState {
  /** Absolute offsets of the Pixel Data element and its value; `end` known for defined length. */
  elementOffset: number;
  valueOffset: number;
  end: number | null;
  hash: Hash;
  /** Unhashed last bytes of an encapsulated value, to find a delimiter split across chunks. */
  carry: Buffer;
  /** The value has ended; `skip` bytes of the delimiter item are still to come. */
  done: boolean;
  skip: number;
}

/** Stream one member; `chunks` yields its uncompressed bytes in order. */
export async function streamMemberHashes(chunks: AsyncIterable<Uint8Array>, keysFilter: string[]): Promise<MemberResult> {
  const whole = createHash('sha1');
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let nextParse = FIRST_HEAD_PARSE;
  let pixel: PixelState | null = null;
  const tail: Uint8Array[] = [];
  let tailBytes = 0;
  let pos = 0;
  const keep = (t: Uint8Array | null) => {
    if (t && t.length) {
      tail.push(t);
      tailBytes += t.length;
    }
  };
  for await (const chunk of chunks) {
    whole.update(chunk);
    if (pixel !== null) {
      keep(feedPixels(pixel, chunk, pos));
      pos += chunk.length;
      continue;
    }
    head.push(chunk);
    headBytes += chunk.length;
    if (headBytes < nextParse || headBytes > HEAD_LIMIT) continue;
    nextParse *= HEAD_GROWTH;
    const joined = concat(head, headBytes);
    const found = findPixelData(joined);
    if (found === null) continue;
    pixel = { ...found, hash: createHash('sha1'), carry: Buffer.alloc(0), done: false, skip: 0 };
    // Keep the header before the element; replay the rest as pixel/tail bytes.
    head.length = 0;
    head.push(joined.subarray(0, pixel.elementOffset));
    headBytes = pixel.elementOffset;
    keep(feedPixels(pixel, joined.subarray(pixel.valueOffset), pixel.valueOffset));
    pos = joined.length;
  }
  const hash = whole.digest('hex');
  const bytes = concat([...head, ...tail], headBytes + tailBytes);
  const result = parseDicom(bytes, { stopBeforePixels: false, complete: true, keysFilter: [] });
  return finishResult(result, keysFilter, hash, pixel ? pixel.hash.digest('hex') : null);
}

/** Where Pixel Data starts, once the head reaches it; null while the header is still longer. */
function findPixelData(head: Uint8Array): Pick<PixelState, 'elementOffset' | 'valueOffset' | 'end'> | null {
  const r = parseDicom(head, { stopBeforePixels: true, complete: false, keysFilter: [] });
  if (r.status !== 'ok' || !r.pixelData) return null;
  const p = r.pixelData;
  return { elementOffset: p.elementOffset, valueOffset: p.valueOffset, end: p.length === null ? null : p.valueOffset + p.length };
}

/** Hash the part of `chunk` (starting at absolute `pos`) inside the Pixel Data value; return the
 *  part after it (behind the delimiter item for encapsulated data), if any. */
function feedPixels(px: PixelState, chunk: Uint8Array, pos: number): Uint8Array | null {
  if (px.done) {
    const skipped = Math.min(px.skip, chunk.length);
    px.skip -= skipped;
    return chunk.subarray(skipped);
  }
  if (px.end !== null) {
    const inside = Math.max(0, Math.min(chunk.length, px.end - pos));
    px.hash.update(chunk.subarray(0, inside));
    px.done = inside < chunk.length;
    return chunk.subarray(inside);
  }
  const buf = px.carry.length ? Buffer.concat([px.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const at = buf.indexOf(DELIMITER);
  if (at < 0) {
    const held = Math.min(buf.length, DELIMITER.length - 1);
    px.hash.update(buf.subarray(0, buf.length - held));
    px.carry = Buffer.from(buf.subarray(buf.length - held));
    return null;
  }
  px.hash.update(buf.subarray(0, at));
  px.done = true;
  px.carry = Buffer.alloc(0);
  const after = at + DELIMITER_ITEM_LENGTH;
  px.skip = Math.max(0, after - buf.length);
  return buf.subarray(Math.min(after, buf.length));
}
