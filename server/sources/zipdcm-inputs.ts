// zipdcm's access to its inputs through the storage and zip layers: open an archive, read byte
// ranges, and turn the layers' narrow errors into readable error-row text or a ServerError.
import { ServerError } from '../errors.ts';
import type { DataRoot } from '../storage/data-root.ts';
import type { RandomAccessFile } from '../storage/random-access-file.ts';
import { StorageError } from '../storage/storage-error.ts';
import { openZip, ZipError, type ZipArchive, type ZipErrorCode } from '../zip/archive.ts';
import { ReadAheadFile } from './zipdcm-readahead.ts';

export interface OpenInput {
  file: RandomAccessFile;
  archive: ZipArchive;
  close(): Promise<void>;
}

export function isBareDicomName(rel: string): boolean {
  return rel.toLowerCase().endsWith('.dcm');
}

/** Codes a salvage note may start with (zip/central-directory.ts writes `CODE: message; ...`). */
const DIRECTORY_CODES: ReadonlySet<string> = new Set(['EOCD_NOT_FOUND', 'CD_TRUNCATED', 'BAD_CENTRAL_HEADER', 'LIMIT_EXCEEDED']);

/** Issue 3: "a truncated archive (no central directory) → one error row for the archive" (as
 *  Python's zipfile refuses it). The zip layer salvages what it can and says so in `recovered`;
 *  zipdcm reads no member of such an archive. */
function refuseDamaged(note: string): ZipError {
  const code = /^([A-Z_0-9]+):/.exec(note)?.[1];
  return new ZipError(code !== undefined && DIRECTORY_CODES.has(code) ? (code as ZipErrorCode) : 'BAD_CENTRAL_HEADER', `damaged archive, no member read (${note})`);
}

export async function openInput(root: DataRoot, rel: string): Promise<OpenInput> {
  const file = new ReadAheadFile(await root.openFile(rel));
  try {
    const archive = await openZip(file);
    if (archive.recovered !== null) throw refuseDamaged(archive.recovered);
    return { file, archive, close: async () => { await file.close(); } };
  } catch (err) {
    await file.close();
    throw err;
  }
}

/** Readable text for an error that a bad input caused (a row's `error`), or null when the error
 *  is ours (a bug, a cancellation) and must not be turned into a row. */
export function describeError(err: unknown): string | null {
  if (err instanceof ZipError) return `${err.code}: ${err.message}`;
  if (err instanceof StorageError) return `${err.code}: ${err.message}`;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // Raw fs errors name absolute paths: give the code only.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `I/O error ${code}`;
  return null;
}

/** Storage failures while planning: a missing path is NOT_FOUND, an escape PERMISSION_DENIED. */
export function storageError(err: unknown, path: string): unknown {
  if (err instanceof ServerError || !(err instanceof StorageError)) return err;
  switch (err.code) {
    case 'NOT_FOUND':
      return new ServerError('not-found', `zipdcm: no such path ${JSON.stringify(path)}`, { cause: err });
    case 'OUTSIDE_ROOT':
      return new ServerError('permission-denied', `zipdcm: path ${JSON.stringify(path)} is outside the data root`, { cause: err });
    case 'IO_ERROR':
      return new ServerError('internal', `zipdcm: cannot read ${JSON.stringify(path)}`, { cause: err });
    default:
      return new ServerError('invalid-argument', `zipdcm: ${err.message}`, { cause: err });
  }
}

/** Read exactly `length` bytes at `position` (fewer only at end of file), into a fresh buffer
 *  that can be transferred to a worker. */
export async function readRange(file: RandomAccessFile, position: number, length: number): Promise<Uint8Array> {
  const got = await file.read(position, length);
  if (got.byteOffset === 0 && got.byteLength === got.buffer.byteLength && !(got.buffer instanceof SharedArrayBuffer)) return got;
  return new Uint8Array(got);
}
