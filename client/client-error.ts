// The one error type of the TypeScript Flight client: a failed call's gRPC status code (grpc/grpc
// status codes, doc/statuscodes.md), its name and the server's message, unchanged. Everything the
// client throws for a remote failure is a ClientError; local misuse (a bad URI) is too, with code
// INVALID_ARGUMENT, so callers need one `catch`.
import { status as Status, type ServiceError } from '@grpc/grpc-js';

export { Status };

/** Status code → its canonical name, e.g. 5 → 'NOT_FOUND'. */
export function statusName(code: number): string {
  return (Status as unknown as Record<number, string>)[code] ?? `CODE_${code}`;
}

export class ClientError extends Error {
  /** The gRPC status code (grpc-js `status`). */
  readonly code: number;
  /** The server's message as sent (`details`), without the code prefix. */
  readonly details: string;

  constructor(code: number, details: string, options?: { cause?: unknown }) {
    super(`${statusName(code)}: ${details}`, options);
    this.name = 'ClientError';
    this.code = code;
    this.details = details;
  }

  get codeName(): string {
    return statusName(this.code);
  }
}

const isServiceError = (err: unknown): err is ServiceError =>
  err instanceof Error && typeof (err as ServiceError).code === 'number' && typeof (err as ServiceError).details === 'string';

/** Wraps whatever a grpc-js call or the IPC reader threw; ClientErrors pass through unchanged. */
export function toClientError(err: unknown): ClientError {
  if (err instanceof ClientError) return err;
  if (isServiceError(err)) return new ClientError(err.code, err.details, { cause: err });
  if (err instanceof Error && err.name === 'AbortError') return new ClientError(Status.CANCELLED, 'cancelled by the caller', { cause: err });
  // Anything else happened here, not on the server (e.g. Arrow could not decode a message).
  const message = err instanceof Error ? err.message : String(err);
  return new ClientError(Status.INTERNAL, `client: ${message}`, { cause: err });
}
