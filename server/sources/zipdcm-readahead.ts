// Read-ahead over one open archive for zipdcm's member reads. Each member costs a local header
// read (APPNOTE 4.3.7: 30 bytes + name + extra) and then a read of its first compressed bytes,
// which lie right behind it; small members follow each other. One positional read of a block
// from the first position serves both, and often the next members too. Measured: each pread
// costs the main thread ~0.07 ms whatever its size up to tens of KiB, as much as the parse
// bookkeeping of a small member. Reads larger than a block go straight to the file.
import { FileHandleReader, type RandomAccessFile } from '../storage/random-access-file.ts';

/** Bytes read ahead from a missed position: a local header plus the first prefix read (16 KiB,
 *  zipdcm-member.ts) behind it, so large members cost little more than they did. */
const BLOCK = 32 * 1024;
/** Blocks kept: members in flight per stream are read in order but interleaved. */
const BLOCKS = 8;

interface Block {
  start: number;
  end: number;
  bytes: Promise<Uint8Array>;
}

export class ReadAheadFile implements RandomAccessFile {
  readonly size: number;
  private readonly file: RandomAccessFile;
  /** Most recently used last. */
  private blocks: Block[] = [];

  constructor(file: RandomAccessFile) {
    this.file = file;
    this.size = file.size;
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    if (length > BLOCK / 2) return this.file.read(position, length);
    const end = Math.min(this.size, position + length);
    const hit = this.blocks.find((b) => b.start <= position && end <= b.end);
    const block = hit ?? this.fetch(position);
    if (hit) this.blocks = [...this.blocks.filter((b) => b !== hit), hit];
    const bytes = await block.bytes;
    // A fresh copy: callers may transfer the buffer to a worker.
    return new Uint8Array(bytes.subarray(position - block.start, Math.min(bytes.length, end - block.start)));
  }

  /** The wrapped file's open descriptor, for pool workers that read it themselves
   *  (member-batch.ts); null when the file is not a descriptor (bytes in memory, tests). */
  descriptor(): number | null {
    const fd = this.file instanceof FileHandleReader ? this.file.fd : -1;
    return fd >= 0 ? fd : null;
  }

  close(): Promise<void> {
    this.blocks = [];
    return this.file.close();
  }

  private fetch(position: number): Block {
    const start = Math.max(0, position);
    const block: Block = { start, end: Math.min(this.size, start + BLOCK), bytes: this.file.read(start, BLOCK) };
    // A failed read is not cached: the next reader retries (and sees the error itself).
    block.bytes.catch(() => { this.blocks = this.blocks.filter((b) => b !== block); });
    this.blocks.push(block);
    if (this.blocks.length > BLOCKS) this.blocks.shift();
    return block;
  }
}
