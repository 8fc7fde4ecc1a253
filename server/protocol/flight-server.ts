// Starts a grpc-js server offering Flight's FlightService (proto/flight.proto), gRPC health
// checking (grpc.health.v1) and server reflection, over plain TCP, TLS or mTLS, and stops it
// gracefully: health goes NOT_SERVING, no new calls, running streams may finish for a grace
// period, then they are cancelled (their sources see the abort) and the transport is closed.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ServerError } from '../errors.ts';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as HEALTH_PROTO_PATH } from 'grpc-health-check';
import { flightServiceDefinition, packageDefinition as flightPackage } from './flight-proto.ts';
import { createFlightHandlers, type FlightServiceOptions } from './flight-service.ts';

export const DEFAULT_GRACE_MS = 10_000;
/** The service name health checks ask about; '' is the whole server (gRPC health protocol). */
export const FLIGHT_SERVICE_NAME = 'arrow.flight.protocol.FlightService';

export interface TlsFiles {
  /** PEM certificate chain and private key the server presents. */
  cert: Buffer;
  key: Buffer;
  /** PEM CA bundle: when set, clients must present a certificate it signed (mTLS). */
  clientCa?: Buffer;
}

export interface FlightServerOptions extends Omit<FlightServiceOptions, 'shutdown'> {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls?: TlsFiles;
  /** Extra absolute paths never to reveal in error details (the root is always hidden). */
  hiddenPaths?: string[];
}

export interface RunningFlightServer {
  host: string;
  port: number;
  /** grpc://HOST:PORT or grpc+tls://HOST:PORT, what Flight clients connect to. */
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

function credentials(tls?: TlsFiles): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const requireClientCert = tls.clientCa !== undefined;
  return grpc.ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], requireClientCert);
}

/**
 * Health checking whose Watch streams end at shutdown (after reporting NOT_SERVING), so a probe
 * holding one open never keeps the server from stopping.
 */
function addHealth(server: grpc.Server): { health: HealthImplementation; endWatches(): void } {
  const health = new HealthImplementation({ '': 'SERVING', [FLIGHT_SERVICE_NAME]: 'SERVING' });
  const watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  health.addToServer({
    addService(service: grpc.ServiceDefinition, impl: grpc.UntypedServiceImplementation) {
      const watch = impl.watch as grpc.handleServerStreamingCall<unknown, unknown>;
      const tracked = (call: grpc.ServerWritableStream<unknown, unknown>) => {
        watches.add(call);
        call.on('cancelled', () => watches.delete(call));
        watch(call);
      };
      server.addService(service, { ...impl, watch: tracked });
    },
  } as unknown as grpc.Server);
  return { health, endWatches: () => watches.forEach((call) => call.end()) };
}

function addReflection(server: grpc.Server): void {
  const healthPackage = protoLoader.loadSync(HEALTH_PROTO_PATH, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  new ReflectionService({ ...flightPackage, ...healthPackage }).addToServer(server);
}

export async function startFlightServer(options: FlightServerOptions): Promise<RunningFlightServer> {
  const forced = new AbortController();
  const server = new grpc.Server();
  server.addService(serviceDefinition(), createFlightHandlers({ ...options, shutdown: forced.signal }, options.hiddenPaths));
  const { health, endWatches } = addHealth(server);
  addReflection(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${urlHost(options.host)}:${options.port}`, credentials(options.tls), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs = DEFAULT_GRACE_MS) =>
    (stopping ??= new Promise<void>((resolve) => {
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(FLIGHT_SERVICE_NAME, 'NOT_SERVING');
      endWatches();
      const timer = setTimeout(() => {
        forced.abort(new ServerError('unavailable', 'the server is shutting down; retry the ticket (or another replica)'));
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    }));
  const scheme = options.tls ? 'grpc+tls' : 'grpc';
  return { host: options.host, port, url: `${scheme}://${urlHost(options.host)}:${port}`, shutdown };
}
