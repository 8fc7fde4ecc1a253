// Resource limits (issue 6 "Limits"): one object with sane defaults, set once from flags/env by
// server/main.ts before serving, read by the layers that enforce them. Going over a limit is a
// clear RESOURCE_EXHAUSTED for the request (or an error row for one member), never a crash.

export interface Limits {
  /** Members one GetFlightInfo may plan (all archives together). */
  maxMembersPerRequest: number;
  /** Bytes one member may inflate to (zip bombs). */
  maxInflatedBytesPerMember: number;
  /** Inflated ÷ compressed bytes above which a member is refused as a likely bomb. */
  maxCompressionRatio: number;
  /** Bytes of one DICOM element value (a header element, not Pixel Data). */
  maxDicomElementBytes: number;
  /** Bytes of one CSV record (a line, or several when quoted newlines join them). */
  maxCsvRecordBytes: number;
  /** DoGet streams served at once; more wait for none and fail fast. */
  maxConcurrentStreams: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMembersPerRequest: 1_000_000,
  maxInflatedBytesPerMember: 16 * GiB,
  maxCompressionRatio: 1000,
  maxDicomElementBytes: 64 * MiB,
  maxCsvRecordBytes: 64 * MiB,
  maxConcurrentStreams: 256,
});

let current: Limits = { ...DEFAULT_LIMITS };

/** The limits in force. */
export function limits(): Readonly<Limits> {
  return current;
}

/** Replace some limits (server start-up, tests). Returns the previous set so tests can restore it. */
export function setLimits(changes: Partial<Limits>): Limits {
  const previous = current;
  current = { ...current, ...changes };
  return previous;
}
