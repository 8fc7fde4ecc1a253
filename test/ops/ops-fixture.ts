// A real zipflight server on loopback port 0 with a capturing JSON logger and its own metrics,
// plus raw grpc-js clients (Flight, grpc.health.v1, server reflection v1) built from the protos,
// so ops and security tests see exactly what a generic gRPC tool would.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as HEALTH_PROTO_PATH } from 'grpc-health-check';
import { RecordBatch, Schema, Field, Int32, Struct, makeData } from 'apache-arrow';
import { CallLog } from '../../server/ops/call-log.ts';
import { createLogger } from '../../server/ops/logger.ts';
import { Metrics } from '../../server/ops/metrics.ts';
import type { Authenticator } from '../../server/protocol/auth.ts';
import { flightServiceDefinition } from '../../server/protocol/flight-proto.ts';
import { startFlightServer, type RunningFlightServer, type TlsFiles } from '../../server/protocol/flight-server.ts';
import { randomTicketKey } from '../../server/protocol/ticket.ts';
import { SourceRegistry, SOURCES } from '../../server/sources/registry.ts';
import type { Source } from '../../server/sources/source.ts';
import { DataRoot } from '../../server/storage/data-root.ts';

const LOADER = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const REFLECTION_PROTO = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '../proto/grpc/reflection/v1/reflection.proto');

export type RawClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** FlightService client whose DoGet yields each FlightData's raw bytes (as they were sent). */
export function flightClient(url: string, creds = grpc.credentials.createInsecure()): RawClient {
  const def = flightServiceDefinition();
  const doGet = def.DoGet as grpc.MethodDefinition<unknown, Buffer>;
  const Ctor = grpc.makeGenericClientConstructor({ ...def, DoGet: { ...doGet, responseDeserialize: (b: Buffer) => b } }, 'FlightService');
  return new Ctor(url, creds) as unknown as RawClient;
}

export function healthClient(url: string): RawClient {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(HEALTH_PROTO_PATH, LOADER)) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
  return new pkg.grpc.health.v1.Health(url, grpc.credentials.createInsecure()) as unknown as RawClient;
}

export function reflectionClient(url: string): RawClient {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(REFLECTION_PROTO, LOADER)) as unknown as { grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } } };
  return new pkg.grpc.reflection.v1.ServerReflection(url, grpc.credentials.createInsecure()) as unknown as RawClient;
}

export interface OpsServer {
  server: RunningFlightServer;
  root: DataRoot;
  metrics: Metrics;
  /** Every JSON log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  client: RawClient;
  stop(graceMs?: number): Promise<void>;
}

export async function startOpsServer(options: { extra?: Source[]; auth?: Authenticator; tls?: TlsFiles; ticketKey?: Uint8Array } = {}): Promise<OpsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'zipflight-ops-test-'));
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const metrics = new Metrics();
  const root = await DataRoot.open(dir);
  const server = await startFlightServer({
    host: '127.0.0.1',
    port: 0,
    sources: new SourceRegistry([...SOURCES, ...(options.extra ?? [])]),
    root,
    ticketKey: options.ticketKey ?? randomTicketKey(),
    auth: options.auth,
    tls: options.tls,
    observer: new CallLog({ logger, metrics }),
  });
  const client = flightClient(`127.0.0.1:${server.port}`);
  return {
    server,
    root,
    metrics,
    logs,
    client,
    async stop(graceMs = 200) {
      client.close();
      await server.shutdown(graceMs);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Calls a unary method with a promise. */
export function unaryCall<T>(client: RawClient, method: string, request: unknown, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, options, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res)));
  });
}

/** Reads a server stream to its end: the messages, or the error it ended with. */
export function readStream<T>(call: grpc.ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const items: T[] = [];
    call.on('data', (item: T) => items.push(item));
    call.on('error', reject);
    call.on('end', () => resolve(items));
  });
}

export const cmd = (request: unknown) => ({ type: 'CMD', cmd: Buffer.from(JSON.stringify(request)), path: [] });

const intSchema = new Schema([new Field('n', new Int32(), false)]);
export const ROWS_PER_BATCH = 100;

export function intBatch(start: number): RecordBatch {
  const values = Int32Array.from({ length: ROWS_PER_BATCH }, (_, i) => start + i);
  const child = makeData({ type: new Int32(), length: values.length, data: values });
  return new RecordBatch(intSchema, makeData({ type: new Struct(intSchema.fields), length: values.length, nullCount: 0, children: [child] }));
}

/** A test-only source over one int column; `read` decides what the stream does. */
export function testSource(name: string, read: Source['read']): Source {
  return { name, description: `ops test source ${name}`, defaultSchema: () => intSchema, describe: async () => ({ schema: intSchema, partitions: [{ spec: {} }] }), read };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
