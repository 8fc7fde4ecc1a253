// The archive API the sources use (APPNOTE 4.3): open a ZIP over a RandomAccessFile, list its
// entries from the central directory (ZIP64 included), read a member's leading bytes or stream it
// inflated with its CRC-32 and size verified. Random access only: the archive is never read
// whole, a member only when the caller asks for all of it.
import { crc32 } from 'node:zlib';
import { limits as serverLimits } from '../limits.ts';
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { readCentralDirectory, type ZipEntry } from './central-directory.ts';
import { concat, inflateRaw, inflateRawStream, type InflateBackend } from './inflate.ts';
import { checkMember, memberDataOffset, METHOD_STORED, type MemberLimits } from './local-header.ts';
import { ZipError, zipError } from './zip-error.ts';

export { ZipError, type ZipEntry, memberDataOffset, checkMember, METHOD_STORED };
export { METHOD_DEFLATED, type MemberLimits } from './local-header.ts';
export type { ZipErrorCode } from './zip-error.ts';

/** Compressed bytes read per step when streaming a member. */
const STREAM_READ_CHUNK = 256 * 1024;
/** A prefix is first tried from this many compressed bytes per wanted byte, plus the slack below:
 *  a literal costs at most 15 bits, and a dynamic block's code tables up to a few hundred bytes. */
const PREFIX_INPUT_PER_BYTE = 2;
const PREFIX_INPUT_SLACK = 1024;
const PREFIX_INPUT_GROWTH = 4;
/** In-memory (synchronous) inflation is used up to these sizes; past them the member is streamed
 *  and only what was asked for is kept. */
const SYNC_INPUT_MAX = 1024 * 1024;
const SYNC_OUTPUT_MAX = 64 * 1024 * 1024;

export interface ZipLimits extends MemberLimits {
  /** Central directory entries one archive may have. */
  maxEntries: number;
}

export interface OpenZipOptions {
  /** Defaults come from server/limits.ts at open time. */
  limits?: Partial<ZipLimits>;
  /** node:zlib unless a benchmark asks for fflate. */
  backend?: InflateBackend;
}

export interface ZipArchive {
  entries: ZipEntry[];
  /** Archive comment (CP437). */
  comment: string;
  /** A ZIP64 end of central directory record was used. */
  zip64: boolean;
  /** Absolute offset of the central directory (where a salvage scan ended, when recovered). */
  centralDirectoryOffset: number;
  /** Null for a sound archive; else what was damaged and how the entries were salvaged (a
   *  partial central directory, or local headers): each member is still checked when read. */
  recovered: string | null;
  /** Absolute offset of a member's data after its local header (checked, see local-header.ts). */
  memberDataOffset(entry: ZipEntry): Promise<number>;
  /** The first `n` inflated bytes (fewer when the member is shorter); `complete` when they are the
   *  whole member, then verified against size and CRC-32. */
  readPrefix(entry: ZipEntry, n: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; complete: boolean }>;
  /** The member's bytes in bounded chunks; size and CRC-32 are checked at the end (the error
   *  comes after the last chunk). Aborting the signal stops reading and inflating. */
  openStream(entry: ZipEntry, signal?: AbortSignal): AsyncGenerator<Uint8Array>;
}

export function zipLimits(changes: Partial<ZipLimits> = {}): ZipLimits {
  const l = serverLimits();
  return {
    maxEntries: l.maxMembersPerRequest,
    maxInflatedBytes: l.maxInflatedBytesPerMember,
    maxCompressionRatio: l.maxCompressionRatio,
    ...changes,
  };
}

export async function openZip(file: RandomAccessFile, options: OpenZipOptions = {}): Promise<ZipArchive> {
  const limits = zipLimits(options.limits);
  // Descriptors of members larger than a member may inflate to need not be found.
  const directory = await readCentralDirectory(file, { ...limits, maxDescriptorSearch: limits.maxInflatedBytes });
  return new Archive(file, directory.entries, limits, options.backend ?? 'zlib', directory);
}

/** Exactly `length` bytes at `position`, or TRUNCATED. */
async function readExactly(file: RandomAccessFile, position: number, length: number, member: string): Promise<Uint8Array> {
  const bytes = await file.read(position, length);
  if (bytes.length < length) throw zipError('TRUNCATED', `member data is cut short by the end of the file`, { member, offset: position });
  return bytes;
}

class Archive implements ZipArchive {
  readonly comment: string;
  readonly zip64: boolean;
  readonly centralDirectoryOffset: number;
  readonly recovered: string | null;
  private readonly dataOffsets = new Map<number, number>();

  constructor(
    private readonly file: RandomAccessFile,
    readonly entries: ZipEntry[],
    private readonly limits: ZipLimits,
    private readonly backend: InflateBackend,
    directory: { comment: string; zip64: boolean; start: number; recovered: string | null },
  ) {
    this.comment = directory.comment;
    this.zip64 = directory.zip64;
    this.centralDirectoryOffset = directory.start;
    this.recovered = directory.recovered;
  }

  async memberDataOffset(entry: ZipEntry): Promise<number> {
    let offset = this.dataOffsets.get(entry.index);
    if (offset === undefined) {
      offset = await memberDataOffset(this.file, entry);
      this.dataOffsets.set(entry.index, offset);
    }
    return offset;
  }

  /** Checks first, then the data offset: nothing of a refused member is read. */
  private async prepare(entry: ZipEntry): Promise<number> {
    checkMember(entry, this.limits);
    return this.memberDataOffset(entry);
  }

  async readPrefix(entry: ZipEntry, n: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; complete: boolean }> {
    signal?.throwIfAborted();
    const start = await this.prepare(entry);
    const size = entry.uncompressedSize;
    if (n >= size && entry.compressedSize <= SYNC_INPUT_MAX && size <= SYNC_OUTPUT_MAX) {
      return { bytes: await this.readWhole(entry, start), complete: true };
    }
    if (entry.method === METHOD_STORED && n < size) {
      return { bytes: await readExactly(this.file, start, n, entry.name), complete: false };
    }
    if (entry.method !== METHOD_STORED && n < size) {
      const bytes = await this.inflatePrefix(entry, start, n, signal);
      if (bytes !== null) return { bytes, complete: false };
    }
    return this.collectPrefix(entry, n, signal);
  }

  /** A small member whole, in memory, verified. */
  private async readWhole(entry: ZipEntry, start: number): Promise<Uint8Array> {
    const raw = await readExactly(this.file, start, entry.compressedSize, entry.name);
    const bytes = entry.method === METHOD_STORED ? raw : this.inflate(entry, raw, false);
    verify(entry, bytes.length, crc32(bytes));
    return bytes;
  }

  /** Decode growing compressed prefixes in memory until `n` bytes come out; null when that would
   *  need more than the synchronous bounds (the caller streams instead). */
  private async inflatePrefix(entry: ZipEntry, start: number, n: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    let input = Math.min(entry.compressedSize, n * PREFIX_INPUT_PER_BYTE + PREFIX_INPUT_SLACK);
    while (input <= SYNC_INPUT_MAX) {
      const raw = await readExactly(this.file, start, input, entry.name);
      signal?.throwIfAborted();
      let out: Uint8Array;
      try {
        out = this.inflate(entry, raw, true, Math.max(n, SYNC_OUTPUT_MAX));
      } catch (err) {
        if (err instanceof ZipError && err.code === 'LIMIT_EXCEEDED') return null;
        throw err;
      }
      if (out.length >= n) return out.subarray(0, n);
      if (input >= entry.compressedSize) return null;
      input = Math.min(entry.compressedSize, input * PREFIX_INPUT_GROWTH);
    }
    return null;
  }

  private inflate(entry: ZipEntry, raw: Uint8Array, prefix: boolean, maxOutput?: number): Uint8Array {
    try {
      return inflateRaw(raw, { prefix, expectedSize: entry.uncompressedSize, maxOutput, backend: this.backend });
    } catch (err) {
      throw withMember(err, entry);
    }
  }

  /** Take `n` bytes off the member's stream and stop it there. */
  private async collectPrefix(entry: ZipEntry, n: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; complete: boolean }> {
    const chunks: Uint8Array[] = [];
    let got = 0;
    for await (const chunk of this.openStream(entry, signal)) {
      chunks.push(chunk.subarray(0, n - got));
      got += Math.min(chunk.length, n - got);
      if (got >= n && n < entry.uncompressedSize) return { bytes: concat(chunks), complete: false };
    }
    return { bytes: concat(chunks), complete: true };
  }

  async *openStream(entry: ZipEntry, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    signal?.throwIfAborted();
    const start = await this.prepare(entry);
    const raw = readChunks(this.file, start, entry, signal);
    const chunks = entry.method === METHOD_STORED ? raw : inflateRawStream(raw, { backend: this.backend, signal });
    let size = 0;
    let crc = 0;
    try {
      for await (const chunk of chunks) {
        signal?.throwIfAborted();
        size += chunk.length;
        if (size > entry.uncompressedSize) {
          throw zipError('SIZE_MISMATCH', `member inflates past its declared ${entry.uncompressedSize} bytes`, { member: entry.name });
        }
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (err) {
      throw withMember(err, entry);
    }
    verify(entry, size, crc);
  }
}

/** Compressed bytes of a member in bounded reads. */
async function* readChunks(file: RandomAccessFile, start: number, entry: ZipEntry, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  for (let done = 0; done < entry.compressedSize;) {
    signal?.throwIfAborted();
    const length = Math.min(STREAM_READ_CHUNK, entry.compressedSize - done);
    yield await readExactly(file, start + done, length, entry.name);
    done += length;
  }
}

function verify(entry: ZipEntry, size: number, crc: number): void {
  if (size !== entry.uncompressedSize) {
    throw zipError('SIZE_MISMATCH', `member has ${size} bytes, the central directory says ${entry.uncompressedSize}`, { member: entry.name });
  }
  if (crc >>> 0 !== entry.crc32) {
    throw zipError('CRC_MISMATCH', `CRC-32 ${hex(crc)} differs from the central directory's ${hex(entry.crc32)}`, { member: entry.name });
  }
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** Errors from the inflater know no member: name it (codes stay). */
function withMember(err: unknown, entry: ZipEntry): unknown {
  if (!(err instanceof ZipError) || err.member !== undefined) return err;
  return zipError(err.code, err.message, { member: entry.name, cause: err.cause });
}
