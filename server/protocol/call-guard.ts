// The one wrapper every FlightService handler runs inside (issue 6): it opens the call's record
// (request id, log line, metrics), checks the bearer token before the handler sees the request
// (Handshake: trades basic credentials for a token), counts the bytes written, captures the final
// status (OK, error, CANCELLED, DEADLINE_EXCEEDED) and scrubs server paths from error details.
import * as grpc from '@grpc/grpc-js';
import type { CallObserver, CallRecord } from '../ops/call-log.ts';
import { AUTHORIZATION_HEADER, type Authenticator } from './auth.ts';
import { toGrpcStatus, type GrpcStatus } from './status.ts';

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>;
type StreamCall = grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>;
type Callback = grpc.sendUnaryData<unknown>;

/** A handler that also gets the call's record, to name its source and count its rows. */
export type GuardedHandler = (call: AnyCall, callback: Callback | undefined, record: CallRecord) => void;

export interface GuardOptions {
  observer: CallObserver;
  /** Absent when no users or tokens are configured: auth is off. */
  auth?: Authenticator;
  /** Absolute paths never to show a client (the data root, the server's code). */
  hiddenPaths: string[];
}

const HANDSHAKE = 'Handshake';
/** A stack frame line, in case one ever reaches a message. */
const STACK_FRAME = /\n\s+at .*/g;

const statusName = (code: number) => grpc.status[code] ?? String(code);

/**
 * The server's deadline is its receipt time plus the client's grpc-timeout, so it lies a little
 * after the client's own: when the client gives up at its deadline, the cancellation reaches us
 * just before ours (more so on a busy machine). Cancels within this slack count as deadlines.
 */
const DEADLINE_SLACK_MS = 500;

function deadlinePassed(call: AnyCall): boolean {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && ms <= Date.now() + DEADLINE_SLACK_MS;
}

export function scrubDetails(details: string, hiddenPaths: string[]): string {
  let out = details.replace(STACK_FRAME, '');
  for (const path of hiddenPaths) if (path) out = out.split(path).join('<server>');
  return out;
}

export function guardCall(method: string, handler: GuardedHandler, options: GuardOptions): grpc.UntypedHandleCall {
  return ((call: AnyCall, callback?: Callback) => {
    const record = options.observer.start(method, call.getPeer(), method === 'DoGet');
    const finish = (code: number, details?: string) => record.finish(statusName(code), details);
    const safe = (status: GrpcStatus) => ({ ...status, details: scrubDetails(status.details ?? '', options.hiddenPaths) });
    const reply = callback && recordedReply(callback, finish, safe);
    if (!reply) instrumentStream(call as StreamCall, record, finish, safe);
    (call as grpc.ServerUnaryCall<unknown, unknown>).on('cancelled', () => finish(deadlinePassed(call) ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED));
    const fail = (err: unknown) => {
      const status = toGrpcStatus(err, method);
      if (reply) reply(status, null);
      else (call as StreamCall).emit('error', status);
    };
    record.principal = clientCertificateName(call);
    const run = () => {
      try {
        handler(call, reply, record);
      } catch (err) {
        fail(err);
      }
    };
    if (!options.auth) return run();
    if (method === HANDSHAKE) return void handshake(call as grpc.ServerDuplexStream<unknown, unknown>, options.auth, record).then(run, fail);
    try {
      record.principal = options.auth.authorize(call.metadata);
    } catch (err) {
      return fail(err);
    }
    run();
  }) as grpc.UntypedHandleCall;
}

type Finish = (code: number, details?: string) => void;

/** A unary callback that records the final status and scrubs error details first. */
function recordedReply(callback: Callback, finish: Finish, safe: (s: GrpcStatus) => GrpcStatus): Callback {
  return (err, value) => {
    if (err) {
      const status = safe(err as GrpcStatus);
      finish(status.code, status.details);
      callback(status);
    } else {
      finish(grpc.status.OK);
      callback(null, value);
    }
  };
}

/** The verified client certificate's subject CN under mTLS, as `cert:CN`; a bearer overrides it. */
function clientCertificateName(call: AnyCall): string | undefined {
  const cn = call.getAuthContext?.()?.sslPeerCertificate?.subject?.CN;
  return cn ? `cert:${Array.isArray(cn) ? cn.join(',') : cn}` : undefined;
}

/** Basic → bearer: the token goes back in the response headers, before any message. */
async function handshake(call: grpc.ServerDuplexStream<unknown, unknown>, auth: Authenticator, record: CallRecord): Promise<void> {
  const outcome = await auth.handshake(call.metadata);
  record.principal = outcome.principal;
  if (outcome.bearer) {
    const headers = new grpc.Metadata();
    headers.set(AUTHORIZATION_HEADER, outcome.bearer);
    call.sendMetadata(headers);
  }
}

/** Counts written bytes and sees the stream's end: OK on end(), the status on emit('error'). */
function instrumentStream(call: StreamCall, record: CallRecord, finish: Finish, safe: (s: GrpcStatus) => GrpcStatus): void {
  const write = call.write.bind(call) as (chunk: unknown, ...rest: unknown[]) => boolean;
  call.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (Buffer.isBuffer(chunk)) record.bytes += chunk.byteLength;
    return write(chunk, ...rest);
  }) as typeof call.write;
  const emit = call.emit.bind(call) as (event: string | symbol, ...args: unknown[]) => boolean;
  call.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'error') return emit(event, ...args);
    const status = safe(args[0] as GrpcStatus);
    finish(status.code, status.details);
    return emit('error', status);
  }) as typeof call.emit;
  const end = call.end.bind(call) as (...args: unknown[]) => unknown;
  call.end = ((...args: unknown[]) => {
    finish(grpc.status.OK);
    return end(...args);
  }) as typeof call.end;
}
