// Errors of the CSV layer (server/csv): bytes in, values out, no Arrow. One class with stable
// string codes; the zipcsv source wraps them (as `cause`) into a ServerError with a kind.

export type CsvErrorCode =
  | 'RECORD_TOO_LARGE' // one record longer than the configured byte limit
  | 'TOO_MANY_FIELDS' // more fields than Spark's maxColumns default
  | 'UNSUPPORTED_ENCODING' // an `encoding` this build cannot decode
  | 'BAD_DIALECT'; // separator/quote/escape that are not single characters, or clash

export class CsvError extends Error {
  readonly code: CsvErrorCode;
  /** 1-based physical line where the problem starts, when known. */
  readonly line?: number;
  constructor(code: CsvErrorCode, message: string, line?: number) {
    super(message);
    this.name = 'CsvError';
    this.code = code;
    this.line = line;
  }
}
