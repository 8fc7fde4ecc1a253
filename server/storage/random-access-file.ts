// Positional reads over one open file (POSIX pread through fs.promises.FileHandle): what the ZIP
// reader needs to fetch the tail, the central directory and member ranges without loading the
// whole archive.
import { open, type FileHandle } from 'node:fs/promises';
import { StorageError } from './storage-error.ts';

export interface RandomAccessFile {
  /** File size in bytes when opened. */
  readonly size: number;
  /** Read `length` bytes at `position`; fewer only when the end of file comes first. */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A RandomAccessFile over a file handle; created by DataRoot.openFile (or directly in tests). */
export class FileHandleReader implements RandomAccessFile {
  readonly size: number;
  private readonly handle: FileHandle;
  private closed = false;

  private constructor(handle: FileHandle, size: number) {
    this.handle = handle;
    this.size = size;
  }

  /** Open an absolute path for reading. Callers outside storage/ should go through DataRoot. */
  static async open(abs: string): Promise<FileHandleReader> {
    const handle = await open(abs, 'r');
    try {
      const st = await handle.stat();
      return new FileHandleReader(handle, st.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** The open descriptor, for worker threads that pread the file themselves (zipdcm's pool);
   *  valid until close(). */
  get fd(): number {
    return this.handle.fd;
  }

  /** Wrap a handle the caller already opened and checked; takes ownership of it. */
  static fromHandle(handle: FileHandle, size: number): FileHandleReader {
    return new FileHandleReader(handle, size);
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    if (this.closed) throw new StorageError('IO_ERROR', '', 'read after close');
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0) {
      throw new RangeError(`bad read range ${position}+${length}`);
    }
    const want = Math.max(0, Math.min(length, this.size - position));
    const out = new Uint8Array(want);
    let got = 0;
    // pread may return short counts before EOF (signals, pipes); loop until filled or EOF.
    while (got < want) {
      const { bytesRead } = await this.handle.read(out, got, want - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === want ? out : out.subarray(0, got);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** A RandomAccessFile over bytes already in memory (tests, fuzzing, nested archives). */
export class BytesReader implements RandomAccessFile {
  readonly size: number;
  private readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.size = bytes.length;
  }
  async read(position: number, length: number): Promise<Uint8Array> {
    if (position < 0 || length < 0) throw new RangeError(`bad read range ${position}+${length}`);
    return this.bytes.slice(position, Math.min(this.size, position + length));
  }
  async close(): Promise<void> {}
}
