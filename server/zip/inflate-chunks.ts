// Raw DEFLATE (RFC 1951; ZIP method 8, APPNOTE 4.4.5) streamed into one reused output window, for
// callers that are done with a chunk before they pull the next. node:zlib's handle is driven
// synchronously, as lib/zlib.js processChunkSync does: no thread-pool hop per chunk, no Transform
// stream, no fresh output buffer per 256 KiB. Errors and their codes are those of inflate.ts's
// stream (inflateFailure): a cut stream is TRUNCATED, corrupt data INFLATE_FAILED.
// Measured on the 1M-row bench CSV (issue 7): in-process the ZIP stream costs 125 instead of 265 ms
// CPU and a typed zipcsv read 10-20% less; but through the server (4 DoGets at once) CPU per read
// is the same (0.64 vs 0.63 s, 16 interleaved reads): the inflate moves from the thread pool onto
// the event loop. zipcsv does not opt in for that reason; the default stream is unchanged.
import { constants, createInflateRaw } from 'node:zlib';
import { inflateFailure, inflateRawStream } from './inflate.ts';

/** Output window per stream. Measured on the 1M-row bench CSV (interleaved, loaded machine):
 *  256 KiB ~5-10% less CPU per typed read than 64 KiB (fewer pushes and carried tails), 16 KiB
 *  worse again; the ZIP stream alone 105 vs 120 vs 150 ms. */
export const REUSED_OUTPUT_CHUNK = 256 * 1024;
/** Idle inflaters a thread keeps (each holds zlib's ~40 KiB state and 32 KiB window). */
const POOLED_INFLATERS_MAX = 4;
const NO_INPUT = new Uint8Array(0);

export interface ReusedChunkOptions {
  signal?: AbortSignal;
  /** Asked before the window a chunk was yielded in is written again: true when the caller still
   *  holds that chunk, so the stream moves to a fresh window and leaves the old one to it. */
  retained?: () => boolean;
}

/** node:zlib's native handle (lib/zlib.js): writeSync decodes into at most `outLength` bytes and
 *  leaves [availOutAfter, availInAfter] in the stream's _writeState; errors go to onerror. */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, out: Uint8Array, outOffset: number, outLength: number): void;
  reset(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

class SyncInflater {
  failure: Error | null = null;
  private constructor(private readonly stream: ReturnType<typeof createInflateRaw>, private readonly handle: ZlibHandle, private readonly state: Uint32Array) {
    // Recorded rather than thrown inside the binding; a failed inflater is discarded (zlib's state
    // after an error is not reusable).
    handle.onerror = (message, errno, code) => { this.failure = Object.assign(new Error(message), { errno, code }); };
  }

  /** Null when this Node's zlib internals differ from the ones read here. */
  static create(): SyncInflater | null {
    const stream = createInflateRaw();
    const internals = stream as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
    const handle = internals._handle;
    if (typeof handle?.writeSync !== 'function' || typeof handle.reset !== 'function' || !(internals._writeState instanceof Uint32Array)) {
      stream.destroy();
      return null;
    }
    return new SyncInflater(stream, handle, internals._writeState);
  }

  /** Decode from input[at..] into out[0..]; [bytes written, input bytes consumed]. Throws the
   *  ZipError of a zlib failure. */
  write(flush: number, input: Uint8Array, at: number, out: Uint8Array): [number, number] {
    const inLength = input.length - at;
    this.handle.writeSync(flush, input, at, inLength, out, 0, out.length);
    if (this.failure !== null) throw inflateFailure(this.failure);
    return [out.length - this.state[0]!, inLength - this.state[1]!];
  }

  reset(): void {
    this.failure = null;
    this.handle.reset();
  }

  destroy(): void {
    this.stream.destroy();
  }
}

const idle: SyncInflater[] = [];
/** undefined until first asked; false when the internals are missing (then never asked again). */
let supported: boolean | undefined;

function takeInflater(): SyncInflater | null {
  const pooled = idle.pop();
  if (pooled !== undefined) return pooled;
  if (supported === false) return null;
  const made = SyncInflater.create();
  supported = made !== null;
  return made;
}

function giveBack(z: SyncInflater): void {
  if (z.failure !== null || idle.length >= POOLED_INFLATERS_MAX) return z.destroy();
  z.reset();
  idle.push(z);
}

/**
 * Inflate a stream of compressed chunks into chunks that are valid only until the next is pulled
 * (one window, rewritten). The source must end where the deflate data ends, and each of its
 * chunks is consumed before the next is pulled (so it may reuse its own buffer too). Deflate data
 * that ends before the source does stops the stream there, as node:zlib's stream does (the
 * caller's size and CRC-32 checks judge the member). Without zlib's internals, falls back to
 * inflate.ts's stream (fresh chunks, same errors).
 */
export async function* inflateRawReused(source: AsyncIterable<Uint8Array>, opts: ReusedChunkOptions = {}): AsyncGenerator<Uint8Array> {
  const { signal, retained } = opts;
  signal?.throwIfAborted();
  const z = takeInflater();
  if (z === null) return yield* inflateRawStream(source, { signal });
  let out = new Uint8Array(REUSED_OUTPUT_CHUNK);
  try {
    let more = true;
    for await (const input of source) {
      for (let at = 0; more && at < input.length;) {
        signal?.throwIfAborted();
        const [written, consumed] = z.write(constants.Z_NO_FLUSH, input, at, out);
        at += consumed;
        // Room left in the window yet input left over: zlib wants no more, the deflate data ended.
        more = written === out.length || at === input.length;
        if (written > 0) {
          yield out.subarray(0, written);
          if (retained?.() === true) out = new Uint8Array(REUSED_OUTPUT_CHUNK);
        }
      }
      if (!more) return;
    }
    // The final block must have come: Z_FINISH on a stream without it fails "unexpected end of
    // file" (Z_BUF_ERROR, TRUNCATED).
    for (let written = out.length; written === out.length;) {
      signal?.throwIfAborted();
      [written] = z.write(constants.Z_FINISH, NO_INPUT, 0, out);
      if (written > 0) {
        yield out.subarray(0, written);
        if (retained?.() === true) out = new Uint8Array(REUSED_OUTPUT_CHUNK);
      }
    }
  } finally {
    giveBack(z);
  }
}
