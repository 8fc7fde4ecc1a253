// Errors of the ZIP reader (APPNOTE.TXT 6.3.10): one class, stable string codes, raised through
// one helper so callers (sources) can map each code to an error row or a Flight status.

export type ZipErrorCode =
  | 'EOCD_NOT_FOUND' // no end of central directory record: truncated, empty or not a ZIP
  | 'CD_TRUNCATED' // the central directory lies (partly) outside the file
  | 'BAD_CENTRAL_HEADER' // a central directory header has a wrong signature or lengths
  | 'BAD_LOCAL_HEADER' // a local header is missing or disagrees with the central directory
  | 'MEMBER_OVERLAP' // member data runs into the next member or the central directory
  | 'ZIP64_INVALID' // ZIP64 locator, record or extra field missing or inconsistent
  | 'TRUNCATED' // member data runs past the end of the file or the deflate stream is cut
  | 'CRC_MISMATCH' // inflated bytes do not match the CRC-32 in the directory
  | 'SIZE_MISMATCH' // inflated length differs from the size in the directory
  | 'INFLATE_FAILED' // the deflate stream is corrupt
  | 'UNSUPPORTED_METHOD' // a compression method other than stored (0) or deflated (8)
  | 'ENCRYPTED' // traditional PKWARE or strong encryption
  | 'LIMIT_EXCEEDED'; // over a configured limit (entries, member size, compression ratio)

export class ZipError extends Error {
  readonly code: ZipErrorCode;
  /** Member name the error is about, when it is about one member. */
  readonly member: string | undefined;
  /** Byte offset in the archive where the problem was found, when known. */
  readonly offset: number | undefined;
  constructor(code: ZipErrorCode, message: string, where: { member?: string; offset?: number; cause?: unknown } = {}) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'ZipError';
    this.code = code;
    this.member = where.member;
    this.offset = where.offset;
  }
}

export function zipError(code: ZipErrorCode, message: string, where: { member?: string; offset?: number; cause?: unknown } = {}): ZipError {
  const at = where.offset === undefined ? '' : ` at offset ${where.offset}`;
  const about = where.member === undefined ? '' : `${JSON.stringify(where.member)}: `;
  return new ZipError(code, `${about}${message}${at}`, where);
}

/** APPNOTE 4.4.5 compression method names, for errors about methods we do not decode. */
const METHOD_NAMES: Record<number, string> = {
  0: 'stored', 1: 'Shrunk', 2: 'Reduced-1', 3: 'Reduced-2', 4: 'Reduced-3', 5: 'Reduced-4', 6: 'Imploded',
  8: 'Deflate', 9: 'Deflate64', 10: 'PKWARE DCL Implode', 12: 'BZIP2', 14: 'LZMA', 16: 'IBM z/OS CMPSC',
  18: 'IBM TERSE', 19: 'IBM LZ77', 20: 'Zstandard (deprecated id)', 93: 'Zstandard', 94: 'MP3', 95: 'XZ',
  96: 'JPEG', 97: 'WavPack', 98: 'PPMd', 99: 'AES-encrypted',
};

export function methodName(method: number): string {
  const name = METHOD_NAMES[method];
  return name === undefined ? `method ${method}` : `${name} (method ${method})`;
}
