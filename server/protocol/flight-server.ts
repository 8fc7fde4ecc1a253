// Starts a grpc-js server offering Flight's FlightService (proto/flight.proto) and stops it
// gracefully: stop accepting calls, let running streams finish for a grace period, then cancel
// them (their sources see the abort) and force the transport closed.
import * as grpc from '@grpc/grpc-js';
import { flightServiceDefinition } from './flight-proto.ts';
import { createFlightHandlers, type FlightServiceOptions } from './flight-service.ts';

export const DEFAULT_GRACE_MS = 10_000;

export interface FlightServerOptions extends Omit<FlightServiceOptions, 'shutdown'> {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningFlightServer {
  host: string;
  port: number;
  /** grpc://HOST:PORT, what Flight clients connect to. */
  url: string;
  /** Graceful stop: resolves once every call ended or was cancelled after `graceMs`. */
  shutdown(graceMs?: number): Promise<void>;
}

/** FlightService with DoGet's responses already serialized (flight-data-encoder.ts). */
function serviceDefinition(): grpc.ServiceDefinition {
  const definition = flightServiceDefinition();
  const doGet = definition.DoGet as grpc.MethodDefinition<unknown, Buffer>;
  return { ...definition, DoGet: { ...doGet, responseSerialize: (frame: Buffer) => frame } };
}

const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

export async function startFlightServer(options: FlightServerOptions): Promise<RunningFlightServer> {
  const forced = new AbortController();
  const server = new grpc.Server();
  server.addService(serviceDefinition(), createFlightHandlers({ ...options, shutdown: forced.signal }));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${urlHost(options.host)}:${options.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs = DEFAULT_GRACE_MS) =>
    (stopping ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        forced.abort();
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }));
  return { host: options.host, port, url: `grpc://${urlHost(options.host)}:${port}`, shutdown };
}
