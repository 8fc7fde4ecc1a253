// Raw DEFLATE (RFC 1951; ZIP method 8, APPNOTE 4.4.5) for the whole project: one function for
// in-memory buffers, one async transform for streams. node:zlib is the hot path (measured 3× faster
// than fflate whole and 5× on header prefixes, CONTEXT.md); fflate stays for the benchmark row.
// Module state: one reusable inflater per thread for bounded prefixes; safe in worker threads.
import { kMaxLength } from 'node:buffer';
import { Readable } from 'node:stream';
import { constants, createInflateRaw, inflateRawSync } from 'node:zlib';
import { Inflate, inflateSync } from 'fflate';
import { zipError, ZipError } from './zip-error.ts';

export type InflateBackend = 'zlib' | 'fflate';

export interface InflateOptions {
  /** Decode what the bytes given allow (Z_SYNC_FLUSH) instead of requiring the final block. */
  prefix?: boolean;
  /** Declared inflated size: more output is SIZE_MISMATCH; a whole stream must match it exactly. */
  expectedSize?: number;
  /** Output cap (a limit, not a declaration): more output is LIMIT_EXCEEDED. */
  maxOutput?: number;
  /** Prefix mode: stop once this many bytes are out, leaving the rest of the input undecoded (not
   *  an error). A DICOM header needs the first KiB of output, not the ~100:1 pixels behind it. */
  stopAfter?: number;
  backend?: InflateBackend;
}

/** fflate's error codes 0..3 ('unexpected EOF', invalid block type/literal/distance). */
const FFLATE_UNEXPECTED_EOF = 0;
/** node:zlib refuses a maxOutputLength below 1. */
const MIN_ZLIB_OUTPUT_CAP = 1;
/** Bytes of inflated output per chunk a stream yields: zlib's default 16 KiB (and 64 KiB) cost a
 *  thread-pool round trip per chunk, 4× slower on a 256 MiB member than 256 KiB (measured). */
export const STREAM_OUTPUT_CHUNK = 256 * 1024;

interface Cap {
  bytes: number;
  /** True when the cap is the declared size (a lie), false when it is a limit. */
  declared: boolean;
}

function outputCap(opts: InflateOptions): Cap {
  const declared = opts.expectedSize ?? Infinity;
  const limit = opts.maxOutput ?? Infinity;
  return declared <= limit ? { bytes: declared, declared: true } : { bytes: limit, declared: false };
}

function overCap(cap: Cap, got: string): ZipError {
  return cap.declared
    ? zipError('SIZE_MISMATCH', `deflate stream inflates to ${got} the declared ${cap.bytes} bytes`)
    : zipError('LIMIT_EXCEEDED', `deflate stream inflates to ${got} the limit of ${cap.bytes} bytes`);
}

/** One error type out of either backend: a cut stream is TRUNCATED, a corrupt one INFLATE_FAILED. */
export function inflateFailure(err: unknown): ZipError {
  if (err instanceof ZipError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'Z_BUF_ERROR' || code === FFLATE_UNEXPECTED_EOF) {
    return zipError('TRUNCATED', `deflate stream ends before its final block (${message})`, { cause: err });
  }
  return zipError('INFLATE_FAILED', `corrupt deflate data: ${message}`, { cause: err });
}

/**
 * Inflate `compressed`. Whole mode (default) requires the final block and, with `expectedSize`,
 * exactly that many bytes; prefix mode returns whatever the given bytes decode to. Output beyond
 * the cap stops zlib early (memory stays bounded); fflate decodes on but keeps no more than the cap.
 */
export function inflateRaw(compressed: Uint8Array, opts: InflateOptions = {}): Uint8Array {
  const cap = outputCap(opts);
  if (opts.prefix && opts.stopAfter !== undefined && opts.backend !== 'fflate') {
    // One past the cap, so a stream over its declared size is still seen to be over.
    const out = inflatePrefixBounded(compressed, Math.min(opts.stopAfter, cap.bytes + 1));
    if (out.length > cap.bytes) throw overCap(cap, 'more than');
    return out;
  }
  const out = opts.backend === 'fflate' ? inflateFflate(compressed, opts.prefix === true, cap) : inflateZlib(compressed, opts.prefix === true, cap);
  if (out.length > cap.bytes) throw overCap(cap, 'more than');
  if (opts.prefix && opts.stopAfter !== undefined && out.length > opts.stopAfter) return out.subarray(0, opts.stopAfter);
  if (!opts.prefix && opts.expectedSize !== undefined && out.length !== opts.expectedSize) {
    throw zipError('SIZE_MISMATCH', `deflate stream inflates to ${out.length} bytes, declared ${opts.expectedSize}`);
  }
  return out;
}

function inflateZlib(compressed: Uint8Array, prefix: boolean, cap: Cap): Uint8Array {
  const options: { finishFlush?: number; maxOutputLength?: number; chunkSize?: number } = prefix ? { finishFlush: constants.Z_SYNC_FLUSH } : {};
  if (Number.isFinite(cap.bytes)) options.maxOutputLength = Math.max(MIN_ZLIB_OUTPUT_CAP, Math.min(cap.bytes, kMaxLength));
  if (!prefix && cap.declared && cap.bytes <= wholeChunkBound(compressed.length)) {
    // One output buffer for the whole member (no 16 KiB chunks joined by Buffer.concat). One byte
    // over the size, so a stream of exactly that size ends without zlib asking for a second buffer.
    options.chunkSize = Math.max(constants.Z_MIN_CHUNK, cap.bytes + 1);
  }
  try {
    const out = inflateRawSync(compressed, options);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw overCap(cap, 'more than');
    throw inflateFailure(err);
  }
}

/** node:zlib's handle, as its own synchronous path drives it (lib/zlib.js processChunkSync):
 *  writeSync decodes into at most `outLength` bytes and leaves [availOutAfter, availInAfter] in
 *  the stream's _writeState. inflateRawSync makes (and initialises) a fresh handle per call
 *  (2-19 µs measured, warm / cold) and inflates all the input given, ~100:1 for CT air; this one
 *  is made once per thread and stops at the output. */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, out: Uint8Array, outOffset: number, outLength: number): void;
  reset(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}
interface Bounded {
  stream: ReturnType<typeof createInflateRaw>;
  handle: ZlibHandle;
  state: Uint32Array;
  out: Uint8Array;
  failure: Error | null;
}
let bounded: Bounded | null | undefined;
/** The largest output window a thread keeps between calls (headers need a few KiB). */
const KEPT_WINDOW_MAX = 1024 * 1024;

function boundedInflater(): Bounded | null {
  if (bounded !== undefined) return bounded;
  const stream = createInflateRaw();
  const internals = stream as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
  const handle = internals._handle;
  // Another Node's internals: fall back to inflateRawSync for good.
  if (typeof handle?.writeSync !== 'function' || !(internals._writeState instanceof Uint32Array)) return (bounded = null);
  const b: Bounded = { stream, handle, state: internals._writeState, out: new Uint8Array(0), failure: null };
  // Recorded rather than thrown from inside the binding; the inflater is then dropped (zlib's
  // state after an error is not reusable, lib/zlib.js says so too).
  handle.onerror = (message, errno, code) => { b.failure = Object.assign(new Error(message), { errno, code }); };
  return (bounded = b);
}

/** Decode `compressed` (Z_SYNC_FLUSH) until `limit` bytes are out or the input ends; a fresh copy. */
function inflatePrefixBounded(compressed: Uint8Array, limit: number): Uint8Array {
  const b = Number.isFinite(limit) ? boundedInflater() : null;
  if (b === null) {
    const out = inflateZlib(compressed, true, { bytes: Infinity, declared: false });
    return out.length > limit ? out.subarray(0, limit) : out;
  }
  // The output window is kept for the next call unless it is unusually large.
  const out = b.out.length >= limit ? b.out : new Uint8Array(limit);
  if (limit <= KEPT_WINDOW_MAX) b.out = out;
  b.handle.reset();
  b.handle.writeSync(constants.Z_SYNC_FLUSH, compressed, 0, compressed.length, out, 0, limit);
  if (b.failure !== null) {
    const failure = b.failure;
    bounded = undefined;
    b.stream.destroy();
    throw inflateFailure(failure);
  }
  return out.slice(0, limit - b.state[0]!);
}

/** The largest declared size allocated up front: DEFLATE expands at most MAX_DEFLATE_RATIO to 1
 *  (RFC 1951 length 258 per ~2-bit code), so a bigger declaration is a lie that fails anyway and
 *  must not cost its allocation; and never more than WHOLE_CHUNK_MAX in one buffer. */
const MAX_DEFLATE_RATIO = 1032;
const WHOLE_CHUNK_MAX = 256 * 1024 * 1024;
function wholeChunkBound(compressedLength: number): number {
  return Math.min(WHOLE_CHUNK_MAX, kMaxLength - 1, compressedLength * MAX_DEFLATE_RATIO);
}

function inflateFflate(compressed: Uint8Array, prefix: boolean, cap: Cap): Uint8Array {
  try {
    if (!prefix) {
      // A preallocated buffer one byte over the cap: fflate drops writes past its end, so a
      // full buffer means the stream went over.
      return Number.isFinite(cap.bytes) ? inflateSync(compressed, { out: new Uint8Array(cap.bytes + 1) }) : inflateSync(compressed);
    }
    const chunks: Uint8Array[] = [];
    const inflater = new Inflate((chunk) => { chunks.push(chunk); });
    inflater.push(compressed, false);
    return concat(chunks);
  } catch (err) {
    throw inflateFailure(err);
  }
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

export interface InflateStreamOptions {
  backend?: InflateBackend;
  /** Aborting stops inflation and makes the iteration throw the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Inflate a stream of compressed chunks into bounded chunks of output, incrementally (the whole
 * member is never in memory). The source must end where the deflate data ends; a stream without
 * its final block throws TRUNCATED. Stopping the iteration early releases the inflater.
 */
export function inflateRawStream(source: AsyncIterable<Uint8Array>, opts: InflateStreamOptions = {}): AsyncGenerator<Uint8Array> {
  return opts.backend === 'fflate' ? fflateStream(source, opts.signal) : zlibStream(source, opts.signal);
}

async function* zlibStream(source: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  signal?.throwIfAborted();
  const input = Readable.from(source, { objectMode: false });
  const inflater = createInflateRaw({ chunkSize: STREAM_OUTPUT_CHUNK });
  const onAbort = () => inflater.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  // Errors of the source (a failed read) end the inflater with that error; pipe() alone would not.
  input.once('error', (err) => inflater.destroy(err));
  input.pipe(inflater);
  try {
    for await (const chunk of inflater) yield chunk as Uint8Array;
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err instanceof ZipError || isZlibError(err) ? inflateFailure(err) : err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    input.destroy();
    inflater.destroy();
  }
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** fflate has no output-size control per push: one compressed chunk comes out whole (up to ~1032×
 *  its size) before the caller can check limits. Fine for the benchmark row, not the hot path. */
async function* fflateStream(source: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  const inflater = new Inflate((chunk) => { if (chunk.length) pending.push(chunk); });
  const drain = () => { const out = pending; pending = []; return out; };
  try {
    for await (const chunk of source) {
      signal?.throwIfAborted();
      inflater.push(chunk, false);
      yield* drain();
    }
    signal?.throwIfAborted();
    inflater.push(new Uint8Array(0), true);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw typeof (err as { code?: unknown }).code === 'number' ? inflateFailure(err) : err;
  }
  yield* drain();
}
