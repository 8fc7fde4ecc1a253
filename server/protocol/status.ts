// The one place where errors become gRPC status codes (grpc/grpc-js status codes, Flight's
// error mapping in CONTEXT.md): ServerError kinds map by the table below; anything else is an
// INTERNAL with a generic message, its details logged (stderr, or the server's JSON log once
// main.ts sets a sink) and never sent to the client.
import { status as Status } from '@grpc/grpc-js';
import { ServerError, isAbort, type ErrorKind } from '../errors.ts';

const CODE_BY_KIND: Record<ErrorKind, Status> = {
  'not-found': Status.NOT_FOUND,
  'invalid-argument': Status.INVALID_ARGUMENT,
  unimplemented: Status.UNIMPLEMENTED,
  'data-loss': Status.DATA_LOSS,
  'resource-exhausted': Status.RESOURCE_EXHAUSTED,
  cancelled: Status.CANCELLED,
  unauthenticated: Status.UNAUTHENTICATED,
  'permission-denied': Status.PERMISSION_DENIED,
  unavailable: Status.UNAVAILABLE,
  internal: Status.INTERNAL,
};

const GENERIC_INTERNAL = 'internal server error (details are in the server log)';

export interface GrpcStatus {
  code: Status;
  details: string;
}

/** Maps any thrown value to the status the client sees; `rpc` names the call in the log. */
export function toGrpcStatus(err: unknown, rpc: string): GrpcStatus {
  if (err instanceof ServerError && err.kind !== 'internal') {
    return { code: CODE_BY_KIND[err.kind], details: err.message };
  }
  if (isAbort(err)) return { code: Status.CANCELLED, details: 'the request was cancelled' };
  logInternal(rpc, err);
  return { code: Status.INTERNAL, details: GENERIC_INTERNAL };
}

/** Where INTERNAL errors' details go: stderr until the server installs its logger. */
export type InternalErrorSink = (rpc: string, err: unknown) => void;

let sink: InternalErrorSink = logToStderr;

/** Route INTERNAL errors' details (stacks, causes) to `next`; returns the previous sink. */
export function setInternalErrorSink(next: InternalErrorSink): InternalErrorSink {
  const previous = sink;
  sink = next;
  return previous;
}

function logInternal(rpc: string, err: unknown): void {
  sink(rpc, err);
}

function logToStderr(rpc: string, err: unknown): void {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const cause = err instanceof Error && err.cause !== undefined ? `\n  caused by: ${err.cause instanceof Error ? err.cause.stack : String(err.cause)}` : '';
  process.stderr.write(`zipflight: internal error in ${rpc}: ${detail}${cause}\n`);
}

export const unimplemented = (what: string) => new ServerError('unimplemented', what);
