// The Flight RPC handlers (Flight.proto `service FlightService`) over grpc-js. grpc-js does not
// catch rejected async handlers, so every handler routes its own errors through toGrpcStatus;
// streams honour backpressure ('drain') and abort the source when the client cancels.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { ServerError } from '../errors.ts';
import type { DataRoot } from '../storage/data-root.ts';
import type { SourceRegistry } from '../sources/registry.ts';
import { runAction, ACTION_TYPES } from './actions.ts';
import { parseDescriptor, pathDescriptor } from './descriptor.ts';
import { flightDataForTicket } from './do-get.ts';
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

function unary<Req, Res>(rpc: string, options: FlightServiceOptions, fn: (req: Req, signal: AbortSignal) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const signal = callSignal(call, options.shutdown);
    fn(call.request, signal).then(
      (res) => callback(null, res),
      (err) => callback(toGrpcStatus(err, rpc)),
    );
  };
}

/** Writes `items` to a server stream, waiting for 'drain' when grpc-js buffers are full. */
function serverStream<Req, Res>(rpc: string, options: FlightServiceOptions, items: (req: Req, signal: AbortSignal) => AsyncIterable<Res>): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    const signal = callSignal(call, options.shutdown);
    const pump = async () => {
      for await (const item of items(call.request, signal)) {
        if (signal.aborted) break;
        if (!call.write(item)) await once(call, 'drain', { signal });
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

export function createFlightHandlers(options: FlightServiceOptions): grpc.UntypedServiceImplementation {
  const { sources, root, ticketKey } = options;

  async function flightInfo(descriptor: FlightDescriptor, signal: AbortSignal): Promise<FlightInfo> {
    const request = parseDescriptor(descriptor);
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

  async function getSchema(descriptor: FlightDescriptor, signal: AbortSignal) {
    const request = parseDescriptor(descriptor);
    const plan = await sources.get(request.source).describe(request, { root, signal });
    return { schema: encapsulatedSchema(plan.schema) };
  }

  const notServed = (rpc: string, why: string) => (call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>, callback?: grpc.sendUnaryData<unknown>) => {
    const status = toGrpcStatus(unimplemented(`${rpc} is not served by zipflight: ${why}`), rpc);
    if (callback) callback(status);
    else (call as grpc.ServerDuplexStream<unknown, unknown>).emit('error', status);
  };

  return {
    Handshake: handshake,
    ListFlights: serverStream('ListFlights', options, listFlights),
    GetFlightInfo: unary('GetFlightInfo', options, flightInfo),
    PollFlightInfo: notServed('PollFlightInfo', 'plans are quick; use GetFlightInfo'),
    GetSchema: unary('GetSchema', options, getSchema),
    DoGet: serverStream('DoGet', options, (t: Ticket, signal) => flightDataForTicket(t.ticket, { sources, root, ticketKey, signal })),
    DoPut: notServed('DoPut', 'the server is read-only'),
    DoExchange: notServed('DoExchange', 'the server is read-only'),
    DoAction: serverStream('DoAction', options, (a: Action) => runAction(a, sources)),
    ListActions: serverStream('ListActions', options, async function* () {
      yield* ACTION_TYPES;
    }),
  };
}

/**
 * No authentication is configured, so the handshake always succeeds: each request is answered
 * with an empty response of the same protocol version, and the call ends OK when the client
 * half-closes (pyarrow's authenticate_basic_token sends no message at all).
 */
function handshake(call: grpc.ServerDuplexStream<HandshakeMessage, HandshakeMessage>): void {
  call.on('data', (req: HandshakeMessage) => call.write({ protocol_version: req.protocol_version, payload: EMPTY }));
  call.on('end', () => call.end());
  call.on('error', () => undefined);
}
