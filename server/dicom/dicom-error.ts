// The DICOM layer's one error type (DICOM PS3.10 §7 file format, PS3.5 §7 data elements), with
// stable codes; sources wrap it into ServerError. `offset` is the byte offset in the parsed
// bytes (the inflated dataset for the deflated transfer syntax), `tag` the element being read.

export type DicomErrorCode =
  /** The bytes end inside an element (a header, a value or an undefined-length value). */
  | 'TRUNCATED'
  /** The deflated dataset (PS3.5 §A.5) does not inflate. */
  | 'INFLATE'
  /** An explicit VR pydicom does not know (it raises NotImplementedError). */
  | 'UNKNOWN_VR'
  /** A binary number value whose byte count is not a multiple of its size (pydicom's
   *  BytesLengthException, raised as soon as the element is read, not only by to_json_dict). */
  | 'BAD_LENGTH'
  /** A value pydicom reads but cannot put into the JSON model (non-numeric IS/DS, PN, AT, ...). */
  | 'BAD_VALUE'
  /** A header element's value is longer than the limit (limits.maxDicomElementBytes); the
   *  parse result's `error` carries it with the JSON of what came before. */
  | 'LIMIT_EXCEEDED'
  /** Not DICOM at all: nothing could be read. */
  | 'NOT_DICOM';

export class DicomError extends Error {
  readonly code: DicomErrorCode;
  readonly offset: number | null;
  readonly tag: number | null;

  constructor(code: DicomErrorCode, message: string, offset: number | null = null, tag: number | null = null) {
    super(message);
    this.name = 'DicomError';
    this.code = code;
    this.offset = offset;
    this.tag = tag;
  }
}

/** (gggg,eeee) as DICOM writes it, for messages. */
export function formatTag(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}
