// The Pixel Data value exactly as pydicom 3.0 returns `ds.PixelData`, for pixel_hash. Defined
// length: the value. Undefined length (encapsulated, PS3.5 §A.4): walk the items (FFFE,E000) by
// their lengths up to the Sequence Delimitation Item (FFFE,E0DD), which is not part of the value,
// so a delimiter pattern inside a fragment does not end it; when the items do not parse, scan for
// the first delimiter pattern as pydicom's fallback does (pydicom.fileutil, read_undefined_length_value).

const ITEM = 0xfffee000;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const ITEM_HEADER = 8;
const TAG_BYTES = 4;
/** (7FE0,0010) written big-endian begins with 0x7F; little-endian with 0xE0. */
const PIXEL_TAG_FIRST_BYTE_BE = 0x7f;

export interface PixelDataInfo {
  elementOffset: number;
  valueOffset: number;
  length: number | null;
}

/** Is the data set little-endian? Read off the Pixel Data element's own tag bytes. */
export function littleEndianAt(data: Uint8Array, elementOffset: number): boolean {
  return data[elementOffset] !== PIXEL_TAG_FIRST_BYTE_BE;
}

function readTag(data: Uint8Array, at: number, little: boolean): number {
  const v = new DataView(data.buffer, data.byteOffset + at, TAG_BYTES);
  return ((v.getUint16(0, little) << 16) | v.getUint16(2, little)) >>> 0;
}

function delimiterBytes(little: boolean): Uint8Array {
  return little ? Uint8Array.of(0xfe, 0xff, 0xdd, 0xe0) : Uint8Array.of(0xff, 0xfe, 0xe0, 0xdd);
}

/** Offset of the Sequence Delimitation Item found by walking items, or null if they do not parse. */
function walkItems(data: Uint8Array, start: number, little: boolean): number | null {
  let pos = start;
  while (pos + TAG_BYTES <= data.length) {
    const tag = readTag(data, pos, little);
    if (tag === SEQUENCE_DELIMITER) return pos;
    if (tag !== ITEM || pos + ITEM_HEADER > data.length) return null;
    const length = new DataView(data.buffer, data.byteOffset + pos + TAG_BYTES, 4).getUint32(0, little);
    pos += ITEM_HEADER + length;
  }
  return null;
}

/** [start, end) of the Pixel Data value as pydicom's ds.PixelData holds it. */
export function pixelDataRange(data: Uint8Array, pixel: PixelDataInfo | null | undefined): [number, number] | null {
  if (!pixel) return null;
  const start = Math.min(pixel.valueOffset, data.length);
  if (pixel.length !== null) return [start, Math.min(data.length, start + pixel.length)];
  const little = littleEndianAt(data, pixel.elementOffset);
  const end = walkItems(data, start, little);
  if (end !== null) return [start, end];
  const at = Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf(delimiterBytes(little), start);
  return [start, at < 0 ? data.length : at];
}

/**
 * The same value for a member that streams by in chunks (hashes mode, huge members): `feed`
 * hands each byte of the value to `take` and returns how many bytes of the chunk belong to the
 * value or its delimiter item; `done` is set once the delimiter item has fully passed.
 * When the items stop parsing it scans on for the delimiter pattern from there (pydicom rescans
 * from the start: the two differ only for malformed items that also hide a delimiter pattern).
 */
export class EncapsulatedValue {
  done = false;
  private readonly little: boolean;
  private readonly take: (bytes: Uint8Array) => void;
  /** Bytes of the item/delimiter header read so far, not yet handed to `take`. */
  private header: Uint8Array = new Uint8Array(0);
  private itemLeft = 0;
  private scanning = false;
  /** Delimiter item bytes (its 4-byte length) still to skip once found. */
  private skip = 0;

  constructor(little: boolean, take: (bytes: Uint8Array) => void) {
    this.little = little;
    this.take = take;
  }

  /** Consume the value's bytes from `chunk`; returns the count consumed (the rest follows the value). */
  feed(chunk: Uint8Array): number {
    let at = 0;
    while (at < chunk.length && !this.done) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        this.done = this.skip === 0;
      } else if (this.itemLeft > 0) {
        const n = Math.min(this.itemLeft, chunk.length - at);
        this.take(chunk.subarray(at, at + n));
        this.itemLeft -= n;
        at += n;
      } else if (this.scanning) {
        at = this.scan(chunk, at);
      } else {
        at = this.readHeader(chunk, at);
      }
    }
    return at;
  }

  private readHeader(chunk: Uint8Array, at: number): number {
    const need = this.header.length < TAG_BYTES ? TAG_BYTES : ITEM_HEADER;
    const n = Math.min(need - this.header.length, chunk.length - at);
    this.header = concat(this.header, chunk.subarray(at, at + n));
    at += n;
    if (this.header.length < need) return at;
    const tag = readTag(this.header, 0, this.little);
    if (tag === SEQUENCE_DELIMITER) {
      this.skip = ITEM_HEADER - TAG_BYTES;
      this.header = new Uint8Array(0);
    } else if (tag !== ITEM) {
      this.scanning = true; // the header bytes are value bytes; scan them with what follows
    } else if (this.header.length === ITEM_HEADER) {
      this.itemLeft = new DataView(this.header.buffer, this.header.byteOffset + TAG_BYTES, 4).getUint32(0, this.little);
      this.take(this.header);
      this.header = new Uint8Array(0);
    }
    return at;
  }

  /** Fallback: everything up to the first delimiter pattern is value; keep 3 bytes back for a split pattern. */
  private scan(chunk: Uint8Array, at: number): number {
    const buf = Buffer.from(concat(this.header, chunk.subarray(at)));
    const found = buf.indexOf(delimiterBytes(this.little));
    if (found >= 0) {
      this.take(buf.subarray(0, found));
      const used = found + TAG_BYTES - this.header.length;
      this.header = new Uint8Array(0);
      this.scanning = false;
      this.skip = ITEM_HEADER - TAG_BYTES;
      return at + used;
    }
    const held = Math.min(buf.length, TAG_BYTES - 1);
    this.take(buf.subarray(0, buf.length - held));
    this.header = Uint8Array.from(buf.subarray(buf.length - held));
    return chunk.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
