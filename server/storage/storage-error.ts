// Errors of the data-root sandbox (issue 6 "Security"): one class, stable string codes. Sources
// wrap these into ServerError; messages name paths relative to the root only, never server paths.

export type StorageErrorCode =
  | 'OUTSIDE_ROOT' // absolute path, `..` escape or symlink whose real path leaves the root
  | 'INVALID_PATH' // NUL byte or otherwise unusable path text
  | 'NOT_FOUND' // nothing at that path
  | 'NOT_A_FILE' // a directory (or device) where a regular file is needed
  | 'NOT_A_DIRECTORY' // a file where a directory is needed
  | 'IO_ERROR'; // the operating system refused a read (EACCES, EIO, …)

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  /** The client-supplied path (relative to the root) the error is about. */
  readonly path: string;
  constructor(code: StorageErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
    this.path = path;
  }
}

/** Map an fs error for `rel` onto a StorageError without leaking the absolute path. */
export function fromFsError(err: unknown, rel: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new StorageError('NOT_FOUND', rel, `not found: ${JSON.stringify(rel)}`, { cause: err });
  if (code === 'ENOTDIR') return new StorageError('NOT_FOUND', rel, `not found: ${JSON.stringify(rel)}`, { cause: err });
  if (code === 'EISDIR') return new StorageError('NOT_A_FILE', rel, `not a file: ${JSON.stringify(rel)}`, { cause: err });
  return new StorageError('IO_ERROR', rel, `cannot read ${JSON.stringify(rel)} (${code ?? 'unknown error'})`, { cause: err });
}
