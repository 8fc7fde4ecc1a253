// One row's read: fetch a member's (or bare file's) bytes, growing the prefix geometrically
// while the DICOM header is longer than what was read (PS3.10 §7: the header ends at Pixel
// Data), and hand them to the worker pool. Bad input becomes an error row, never an exception.
import type { DataRoot } from '../storage/data-root.ts';
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { checkMember, METHOD_STORED, zipLimits, type ZipEntry } from '../zip/archive.ts';
import { errorResult, type MemberResult, type MemberTask } from '../workers/member-task.ts';
import { runMemberTask } from '../workers/pool.ts';
import type { ZipdcmSettings } from './zipdcm-options.ts';
import type { RowInput } from './zipdcm-schema.ts';
import { describeError, readRange, type OpenInput } from './zipdcm-inputs.ts';
import { HEAD_LIMIT, READ_GROWTH } from '../workers/member-batch.ts';
import { streamMemberHashes } from './zipdcm-stream.ts';

/** First read of a member's (compressed) bytes; most headers are a few KiB. */
const FIRST_READ = 16 * 1024;
/** hashes=true: members up to this size are inflated whole on a worker; larger ones stream. */
export const WHOLE_MEMBER_LIMIT = 32 * 1024 * 1024;
const STREAM_CHUNK = 1024 * 1024;

export interface MemberContext {
  settings: ZipdcmSettings;
  signal: AbortSignal;
}

interface Source {
  file: RandomAccessFile;
  dataOffset: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number | null;
}

/** Read bytes and run the worker until it no longer asks for more. */
async function parseFromSource(src: Source, ctx: MemberContext): Promise<MemberResult> {
  const whole = ctx.settings.hashes;
  if (src.uncompressedSize === 0) return errorResult('empty member (0 bytes): not a DICOM file');
  let want = whole ? src.compressedSize : Math.min(src.compressedSize, FIRST_READ);
  let tried = 0;
  for (;;) {
    const bytes = await readRange(src.file, src.dataOffset, want);
    if (bytes.length < want) return errorResult(`member data cut short: ${bytes.length} of ${want} bytes present (truncated archive?)`);
    const task: MemberTask = {
      mode: whole ? 'whole' : 'header',
      method: src.method,
      bytes,
      whole: want === src.compressedSize,
      uncompressedSize: src.uncompressedSize,
      crc32: src.crc32,
      keysFilter: ctx.settings.keysFilter,
      firstInput: tried,
    };
    // Checked here rather than handed to the pool: piscina ends a running task's whole thread on
    // abort, and a task is milliseconds; the window bounds what still runs after a cancel.
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const result = await runMemberTask(task);
    if (result.status !== 'need-more') return result;
    if (want >= src.compressedSize) return errorResult('DICOM header does not end within the member');
    if (want >= HEAD_LIMIT) return errorResult(`no Pixel Data within the first ${HEAD_LIMIT} compressed bytes: header not read`);
    tried = want;
    want = Math.min(src.compressedSize, want * READ_GROWTH);
  }
}

function withPath(rowid: number, path: string, memberSize: number | null, result: MemberResult): RowInput {
  return { rowid, path, memberSize, result, error: result.error === null ? null : `${path}: ${result.error}` };
}

/** Errors a bad input caused become rows; our own failures (and aborts) propagate. */
function asRow(err: unknown, rowid: number, path: string, memberSize: number | null): RowInput {
  const text = describeError(err);
  if (text === null) throw err;
  return withPath(rowid, path, memberSize, errorResult(text));
}

export async function readMember(input: OpenInput, archivePath: string, entry: ZipEntry, rowid: number, ctx: MemberContext): Promise<RowInput> {
  const path = `${archivePath}::${entry.name}`;
  const size = entry.uncompressedSize;
  try {
    // Decide before reading: encryption, method and size limits (APPNOTE 4.4.4, 4.4.5).
    checkMember(entry, zipLimits());
    const src: Source = {
      file: input.file,
      dataOffset: await input.archive.memberDataOffset(entry),
      method: entry.method,
      compressedSize: entry.compressedSize,
      uncompressedSize: size,
      crc32: entry.crc32,
    };
    if (ctx.settings.hashes && size > WHOLE_MEMBER_LIMIT) {
      return withPath(rowid, path, size, await streamMemberHashes(input.archive.openStream(entry, ctx.signal), ctx.settings.keysFilter));
    }
    return withPath(rowid, path, size, await parseFromSource(src, ctx));
  } catch (err) {
    return asRow(err, rowid, path, size);
  }
}

/** A bare file's bytes in order, one bounded chunk at a time. */
async function* fileChunks(file: RandomAccessFile): AsyncGenerator<Uint8Array> {
  for (let pos = 0; pos < file.size; pos += STREAM_CHUNK) yield await file.read(pos, Math.min(STREAM_CHUNK, file.size - pos));
}

export async function readBareFile(root: DataRoot, rel: string, rowid: number, ctx: MemberContext): Promise<RowInput> {
  let file: RandomAccessFile | undefined;
  try {
    file = await root.openFile(rel);
    const size = file.size;
    if (ctx.settings.hashes && size > WHOLE_MEMBER_LIMIT) {
      return withPath(rowid, rel, size, await streamMemberHashes(fileChunks(file), ctx.settings.keysFilter));
    }
    const src: Source = { file, dataOffset: 0, method: METHOD_STORED, compressedSize: size, uncompressedSize: size, crc32: null };
    return withPath(rowid, rel, size, await parseFromSource(src, ctx));
  } catch (err) {
    return asRow(err, rowid, rel, null);
  } finally {
    await file?.close();
  }
}
