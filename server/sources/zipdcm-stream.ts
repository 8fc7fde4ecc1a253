// hashes=true for members too large to hold: stream the member once through SHA-1, hash the
// Pixel Data value (PS3.5 §A.4: encapsulated items up to the Sequence Delimitation Item, as
// pydicom's ds.PixelData) on the fly, and keep only the header and the bytes after Pixel Data.
// The meta of such a member is parsed with the Pixel Data element cut out: it never has 7FE00010.
import { createHash, type Hash } from 'node:crypto';
import { parseDicom } from '../workers/dicom-api.ts';
import type { MemberResult } from '../workers/member-task.ts';
import { finishResult, pixelValueHash } from '../workers/member-task.ts';
import { EncapsulatedValue, littleEndianAt } from '../workers/pixel-value.ts';
import { HEAD_LIMIT } from '../workers/member-batch.ts';

/** Header bytes tried first, then ×4 until the header parses up to Pixel Data. */
const FIRST_HEAD_PARSE = 64 * 1024;
const HEAD_GROWTH = 4;

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  return Buffer.concat(chunks, total);
}

/** What finishResult gets for a member whose header is too long to hold. */
const HEADER_TOO_LONG = { status: 'error', json: null, fileMeta: null, transferSyntaxUid: null, pixelData: null, error: null } as const;

/** The Pixel Data value passing by: a defined length counts down; an encapsulated one walks items. */
interface PixelState {
  elementOffset: number;
  valueOffset: number;
  hash: Hash;
  /** Value bytes still to come (defined length); null when encapsulated. */
  left: number | null;
  items: EncapsulatedValue | null;
}

/** Stream one member; `chunks` yields its uncompressed bytes in order. `firstParse` (tests)
 *  sets how many header bytes are tried first. */
export async function streamMemberHashes(chunks: AsyncIterable<Uint8Array>, keysFilter: string[], firstParse = FIRST_HEAD_PARSE): Promise<MemberResult> {
  const whole = createHash('sha1');
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let nextParse = firstParse;
  let pixel: PixelState | null = null;
  let overLimit = false;
  const tail: Uint8Array[] = [];
  let tailBytes = 0;
  const keep = (t: Uint8Array) => {
    if (t.length) {
      tail.push(t);
      tailBytes += t.length;
    }
  };
  for await (const chunk of chunks) {
    whole.update(chunk);
    if (pixel !== null) {
      keep(feedPixels(pixel, chunk));
      continue;
    }
    if (overLimit) continue;
    head.push(chunk);
    headBytes += chunk.length;
    if (headBytes > HEAD_LIMIT) {
      // No Pixel Data within the limit: keep hashing, but hold nothing more.
      overLimit = true;
      head.length = 0;
      continue;
    }
    if (headBytes < nextParse) continue;
    nextParse *= HEAD_GROWTH;
    const joined = concat(head, headBytes);
    pixel = findPixelData(joined);
    if (pixel === null) continue;
    // Keep the header before the element; the rest is pixel value, then tail.
    head.length = 0;
    head.push(joined.subarray(0, pixel.elementOffset));
    headBytes = pixel.elementOffset;
    keep(feedPixels(pixel, joined.subarray(pixel.valueOffset)));
  }
  const hash = whole.digest('hex');
  if (overLimit) {
    return { ...finishResult(HEADER_TOO_LONG, keysFilter, hash, null), error: `no Pixel Data within the first ${HEAD_LIMIT} bytes: header not parsed (member hashed)` };
  }
  const bytes = concat([...head, ...tail], headBytes + tailBytes);
  const result = parseDicom(bytes, { stopBeforePixels: false, complete: true, keysFilter: [] });
  // Pixel Data not met while streaming (the member ended first): it is in `bytes`, whole.
  const pixelHash = pixel ? pixel.hash.digest('hex') : pixelValueHash(bytes, result.pixelData);
  return finishResult(result, keysFilter, hash, pixelHash);
}

/** Where Pixel Data starts, once the head reaches it; null while the header is still longer. */
function findPixelData(head: Uint8Array): PixelState | null {
  const r = parseDicom(head, { stopBeforePixels: true, complete: false, keysFilter: [] });
  if (r.status !== 'ok' || !r.pixelData) return null;
  const p = r.pixelData;
  // Offsets into a deflated dataset (PS3.5 §A.5) are not member offsets: hold the member instead.
  if (p.inflated) return null;
  const hash = createHash('sha1');
  const items = p.length === null ? new EncapsulatedValue(littleEndianAt(head, p.elementOffset), (b) => hash.update(b)) : null;
  return { elementOffset: p.elementOffset, valueOffset: p.valueOffset, hash, left: p.length, items };
}

/** Hash the part of `chunk` inside the Pixel Data value; return the part after it (behind the
 *  delimiter item for encapsulated data), empty while the value goes on. */
function feedPixels(px: PixelState, chunk: Uint8Array): Uint8Array {
  if (px.items !== null) {
    if (px.items.done) return chunk;
    return chunk.subarray(px.items.feed(chunk));
  }
  const inside = Math.min(chunk.length, px.left ?? 0);
  px.hash.update(chunk.subarray(0, inside));
  px.left = (px.left ?? 0) - inside;
  return chunk.subarray(inside);
}
