// One error type for the server, with stable kinds. Low layers (zip/, dicom/, storage/) throw
// their own narrow errors with codes; sources wrap them (as `cause`) into a ServerError whose
// kind decides the gRPC status, in one table in server/protocol/status.ts.

export type ErrorKind =
  | 'not-found' // unknown source, missing path → NOT_FOUND
  | 'invalid-argument' // bad descriptor, ticket, option → INVALID_ARGUMENT
  | 'unimplemented' // RPC or feature not served → UNIMPLEMENTED
  | 'data-loss' // corrupt archive or member (FAILFAST) → DATA_LOSS
  | 'resource-exhausted' // over a configured limit → RESOURCE_EXHAUSTED
  | 'cancelled' // the client went away → CANCELLED
  | 'unauthenticated' // missing or bad credentials → UNAUTHENTICATED
  | 'permission-denied' // outside the data root, forged ticket → PERMISSION_DENIED
  | 'unavailable' // shutting down → UNAVAILABLE
  | 'internal'; // anything else → INTERNAL, generic message to the client

export class ServerError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerError';
    this.kind = kind;
  }
}

export const notFound = (msg: string, cause?: unknown) => new ServerError('not-found', msg, { cause });
export const invalidArgument = (msg: string, cause?: unknown) => new ServerError('invalid-argument', msg, { cause });

/** True when `err` is the AbortSignal's reason or a DOM-style AbortError. */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as ServerError).kind === 'cancelled');
}
