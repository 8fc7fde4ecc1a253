// The Flight RPC handlers (Flight.proto `service FlightService`) over grpc-js. grpc-js does not
// catch rejected async handlers, so every handler routes its own errors through toGrpcStatus;
// streams honour backpressure ('drain') and abort the source when the client cancels. Every
// handler runs inside call-guard.ts (auth, log line, metrics); DoGet streams are capped by limits.
import { once } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { ServerError } from '../errors.ts';
import { limits } from '../limits.ts';
import type { CallObserver, CallRecord } from '../ops/call-log.ts';
import type { DataRoot } from '../storage/data-root.ts';
import { SourceRegistry } from '../sources/registry.ts';
import type { Source } from '../sources/source.ts';
import { runAction, ACTION_TYPES } from './actions.ts';
import type { Authenticator } from './auth.ts';
import { guardCall, type GuardedHandler } from './call-guard.ts';
import { parseDescriptor, pathDescriptor } from './descriptor.ts';
import { flightDataForTicket } from './do-get.ts';
import { FrameBuffers } from './flight-data-encoder.ts';
import type { Action, FlightDescriptor, FlightInfo, HandshakeMessage, Ticket } from './flight-proto.ts';
import { encapsulatedSchema } from './ipc-messages.ts';
import { toGrpcStatus, unimplemented } from './status.ts';
import { encodeTicket } from './ticket.ts';

export interface FlightServiceOptions {
  sources: SourceRegistry;
  root: DataRoot;
  /** HMAC key that signs and verifies tickets. */
  ticketKey: Uint8Array;
  /** Aborted when the server is forced to stop: every running source read stops too. */
  shutdown?: AbortSignal;
  /** Checks bearer tokens on every call; absent = auth off. */
  auth?: Authenticator;
  /** Gets one record per call (log line, metrics); absent = nothing recorded. */
  observer?: CallObserver;
}

const UNKNOWN = -1;
const EMPTY = new Uint8Array();

type AnyCall = { on(event: 'cancelled', fn: () => void): unknown; cancelled: boolean };

/** An AbortSignal that fires when the client cancels `call` or the server shuts down. */
function callSignal(call: AnyCall, shutdown?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort(new ServerError('cancelled', 'the client cancelled the call')));
  return shutdown ? AbortSignal.any([controller.signal, shutdown]) : controller.signal;
}

type Work<Req, Res> = (req: Req, signal: AbortSignal, record: CallRecord) => Res;

function unary<Req, Res>(rpc: string, options: FlightServiceOptions, fn: Work<Req, Promise<Res>>): GuardedHandler {
  return (call, callback, record) => {
    const signal = callSignal(call, options.shutdown);
    fn((call as grpc.ServerUnaryCall<Req, Res>).request, signal, record).then(
      (res) => callback!(null, res),
      (err) => callback!(toGrpcStatus(err, rpc), null),
    );
  };
}

/** A stream whose items want to know when grpc-js has taken them (serialized and sent). */
type Written<Res> = AsyncIterable<Res> & { written?: (item: Res) => void };

/**
 * Writes `items` to a server stream, waiting for 'drain' only when grpc-js's write queue is full
 * (so several messages are queued per wait); tells the stream each item's write callback.
 */
function serverStream<Req, Res>(rpc: string, options: FlightServiceOptions, items: Work<Req, Written<Res>>): GuardedHandler {
  return (anyCall, _callback, record) => {
    const call = anyCall as grpc.ServerWritableStream<Req, Res>;
    const signal = callSignal(call, options.shutdown);
    const pump = async () => {
      const stream = items(call.request, signal, record);
      const written = stream.written;
      for await (const item of stream) {
        if (signal.aborted) break;
        const more = written ? call.write(item, () => written(item)) : call.write(item);
        if (!more) await once(call, 'drain', { signal });
      }
    };
    pump().then(
      () => {
        if (!call.cancelled) call.end();
      },
      (err) => {
        // A cancelled call has no one left to tell; grpc-js already reported CANCELLED.
        if (!call.cancelled) call.emit('error', toGrpcStatus(signal.aborted ? signal.reason : err, rpc));
      },
    );
  };
}

/**
 * The registry DoGet reads through: the same sources, but each batch's rows are added to the
 * call's record (so the log line and metrics say how many rows the stream carried).
 */
class CountingSources extends SourceRegistry {
  constructor(
    private readonly inner: SourceRegistry,
    private readonly record: CallRecord,
  ) {
    super([]);
  }

  override get(name: string): Source {
    const source = this.inner.get(name);
    const record = this.record;
    record.source = source.name;
    return {
      name: source.name,
      description: source.description,
      defaultSchema: () => source.defaultSchema(),
      describe: (request, ctx) => source.describe(request, ctx),
      read: async function* (request, spec, ctx) {
        for await (const batch of source.read(request, spec, ctx)) {
          record.rows += batch.numRows;
          yield batch;
        }
      },
    };
  }

  override list(): Source[] {
    return this.inner.list();
  }
}

/** Names the call's source in its record, once the name is known to be a registered one. */
function nameSource(sources: SourceRegistry, record: CallRecord, name: string): void {
  if (sources.list().some((s) => s.name === name)) record.source = name;
}

export function createFlightHandlers(options: FlightServiceOptions, hiddenPaths: string[] = []): grpc.UntypedServiceImplementation {
  const { sources, root, ticketKey } = options;
  let activeStreams = 0;

  async function flightInfo(descriptor: FlightDescriptor, signal: AbortSignal, record: CallRecord): Promise<FlightInfo> {
    const request = parseDescriptor(descriptor);
    nameSource(sources, record, request.source);
    const plan = await sources.get(request.source).describe(request, { root, signal });
    const known = (values: (number | undefined)[]) => (values.every((v) => v !== undefined) ? values.reduce((a: number, b) => a + (b ?? 0), 0) : UNKNOWN);
    return {
      schema: encapsulatedSchema(plan.schema),
      flight_descriptor: descriptor,
      endpoint: plan.partitions.map((p) => ({ ticket: { ticket: encodeTicket({ ...request, spec: p.spec }, ticketKey) }, location: [] })),
      total_records: known(plan.partitions.map((p) => p.records)),
      total_bytes: known(plan.partitions.map((p) => p.bytes)),
      ordered: false,
      app_metadata: EMPTY,
    };
  }

  async function* listFlights(): AsyncGenerator<FlightInfo> {
    for (const source of sources.list()) {
      yield {
        schema: encapsulatedSchema(source.defaultSchema()),
        flight_descriptor: pathDescriptor(source.name),
        endpoint: [],
        total_records: UNKNOWN,
        total_bytes: UNKNOWN,
        ordered: false,
        app_metadata: Buffer.from(JSON.stringify({ description: source.description })),
      };
    }
  }

  async function getSchema(descriptor: FlightDescriptor, signal: AbortSignal, record: CallRecord) {
    const request = parseDescriptor(descriptor);
    nameSource(sources, record, request.source);
    const plan = await sources.get(request.source).describe(request, { root, signal });
    return { schema: encapsulatedSchema(plan.schema) };
  }

  /** One DoGet stream, refused up front when `maxConcurrentStreams` are already running. */
  async function* doGetFrames(t: Ticket, signal: AbortSignal, record: CallRecord, frames: FrameBuffers): AsyncGenerator<Buffer> {
    const max = limits().maxConcurrentStreams;
    if (activeStreams >= max) throw new ServerError('resource-exhausted', `too many concurrent DoGet streams (limit ${max}); retry later`);
    activeStreams++;
    try {
      yield* flightDataForTicket(t.ticket, { sources: new CountingSources(sources, record), root, ticketKey, signal, frames });
    } finally {
      activeStreams--;
    }
  }

  /** DoGet's FlightData buffers go back to the stream's pool once grpc-js has copied them. */
  function doGet(t: Ticket, signal: AbortSignal, record: CallRecord): Written<Buffer> {
    const frames = new FrameBuffers();
    return Object.assign(doGetFrames(t, signal, record, frames), { written: (frame: Buffer) => frames.release(frame) });
  }

  const notServed =
    (rpc: string, why: string): GuardedHandler =>
    (call, callback) => {
      const status = toGrpcStatus(unimplemented(`${rpc} is not served by zipflight: ${why}`), rpc);
      if (callback) callback(status);
      else (call as grpc.ServerDuplexStream<unknown, unknown>).emit('error', status);
    };

  const handlers: Record<string, GuardedHandler> = {
    Handshake: handshake,
    ListFlights: serverStream('ListFlights', options, listFlights),
    GetFlightInfo: unary('GetFlightInfo', options, flightInfo),
    PollFlightInfo: notServed('PollFlightInfo', 'plans are quick; use GetFlightInfo'),
    GetSchema: unary('GetSchema', options, getSchema),
    DoGet: serverStream('DoGet', options, doGet),
    DoPut: notServed('DoPut', 'the server is read-only'),
    DoExchange: notServed('DoExchange', 'the server is read-only'),
    DoAction: serverStream('DoAction', options, (a: Action) => runAction(a, sources)),
    ListActions: serverStream('ListActions', options, async function* () {
      yield* ACTION_TYPES;
    }),
  };
  const guard = { observer: options.observer ?? NO_RECORDS, auth: options.auth, hiddenPaths: [root.dir, ...hiddenPaths] };
  return Object.fromEntries(Object.entries(handlers).map(([rpc, handler]) => [rpc, guardCall(rpc, handler, guard)]));
}

/** Used when the server was started without an observer: records that go nowhere. */
const NO_RECORDS: CallObserver = {
  start: (): CallRecord => {
    const record = { requestId: '', rows: 0, bytes: 0, finished: false, finish: () => void (record.finished = true) };
    return record;
  },
};

/**
 * Auth (if any) already happened in call-guard.ts, so the handshake itself always succeeds: each
 * request is answered with an empty response of the same protocol version, and the call ends OK
 * when the client half-closes (pyarrow's authenticate_basic_token sends no message at all).
 */
const handshake: GuardedHandler = (anyCall) => {
  const call = anyCall as grpc.ServerDuplexStream<HandshakeMessage, HandshakeMessage>;
  call.on('data', (req: HandshakeMessage) => call.write({ protocol_version: req.protocol_version, payload: EMPTY }));
  call.on('end', () => call.end());
  call.on('error', () => undefined);
};
