// A small Arrow Flight client (Flight.proto `service FlightService`) over grpc-js: the RPCs a
// zipflight user needs, results as Arrow JS values, failures as one ClientError carrying the gRPC
// status and the server's message, cancellation through an AbortSignal.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import { ClientError, Status, toClientError } from './client-error.ts';
import { cmdDescriptor, type FlightDescriptor, type ReadRequest } from './descriptors.ts';
import { decodeEncapsulatedSchema, type FlightDataFrame } from './flight-data-decoder.ts';
import { FlightRecordBatchStream } from './flight-stream.ts';
import { parseFlightUri } from './flight-uri.ts';

export { ClientError, Status } from './client-error.ts';
export { cmdDescriptor, pathDescriptor, type FlightDescriptor, type ReadRequest } from './descriptors.ts';
export { FlightRecordBatchStream } from './flight-stream.ts';

const PROTO_PATH = join(dirname(fileURLToPath(import.meta.url)), '../proto/flight.proto');
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, arrays: true, oneofs: true };
/** Endpoints read at once by readAll: enough to keep a server's cores busy, not a thread each. */
export const DEFAULT_READ_CONCURRENCY = 8;
/** Flight's "read this endpoint over the connection you already have" location. */
const REUSE_CONNECTION = 'arrow-flight-reuse-connection://?';

export interface ConnectOptions {
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** PEM CA certificates for grpc+tls:// (else the system's roots). */
  tlsRootCerts?: Buffer;
  /** Largest FlightData accepted; gRPC's default is 4 MiB, as Go/Java/Rust clients use. */
  maxReceiveMessageBytes?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface FlightEndpoint {
  ticket: Uint8Array;
  /** Where to read the ticket; empty = this server. */
  locations: string[];
}

export interface FlightInfo {
  descriptor: FlightDescriptor;
  schema: Schema;
  endpoints: FlightEndpoint[];
  /** -1 when the server does not know. */
  totalRecords: number;
  totalBytes: number;
  ordered: boolean;
  appMetadata: Uint8Array;
}

export interface ActionType {
  type: string;
  description: string;
}

type Stub = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
type StubConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => Stub;

let stubConstructor: StubConstructor | undefined;
function flightServiceStub(): StubConstructor {
  if (stubConstructor) return stubConstructor;
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS)) as unknown as {
    arrow: { flight: { protocol: { FlightService: StubConstructor } } };
  };
  return (stubConstructor = pkg.arrow.flight.protocol.FlightService);
}

interface RawFlightInfo {
  schema: Uint8Array;
  flight_descriptor: { type: string; cmd: Uint8Array; path: string[] } | null;
  endpoint: { ticket: { ticket: Uint8Array } | null; location: { uri: string }[] }[];
  total_records: string;
  total_bytes: string;
  ordered: boolean;
  app_metadata: Uint8Array;
}

function toFlightInfo(raw: RawFlightInfo): FlightInfo {
  const d = raw.flight_descriptor;
  return {
    descriptor: d?.type === 'CMD' ? { type: 'CMD', cmd: d.cmd } : { type: 'PATH', path: d?.path ?? [] },
    schema: decodeEncapsulatedSchema(raw.schema),
    endpoints: raw.endpoint.map((e) => ({ ticket: e.ticket?.ticket ?? new Uint8Array(), locations: e.location.map((l) => l.uri) })),
    totalRecords: Number(raw.total_records),
    totalBytes: Number(raw.total_bytes),
    ordered: raw.ordered,
    appMetadata: raw.app_metadata,
  };
}

/** Runs `fn` when `signal` aborts; returns the un-subscribe. A signal already aborted runs it now. */
function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    fn();
    return () => undefined;
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

export class FlightClient {
  /** grpc://HOST:PORT this client talks to. */
  readonly uri: string;
  private readonly stub: Stub;
  private readonly options: ConnectOptions;
  private authorization: string | undefined;

  private constructor(uri: string, options: ConnectOptions) {
    const { target, tls } = parseFlightUri(uri);
    const credentials = tls ? grpc.credentials.createSsl(options.tlsRootCerts) : grpc.credentials.createInsecure();
    const channel: grpc.ChannelOptions = {};
    if (options.maxReceiveMessageBytes !== undefined) channel['grpc.max_receive_message_length'] = options.maxReceiveMessageBytes;
    this.uri = uri;
    this.options = options;
    this.stub = new (flightServiceStub())(target, credentials, channel);
    if (options.token) this.authorization = `Bearer ${options.token}`;
  }

  /** A client for `grpc://host:port` (or grpc+tcp://, grpc+tls://). Connects lazily, on the first call. */
  static connect(uri: string, options: ConnectOptions = {}): FlightClient {
    return new FlightClient(uri, options);
  }

  close(): void {
    this.stub.close();
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.authorization) md.set('authorization', this.authorization);
    return md;
  }

  private callOptions(opts: CallOptions): grpc.CallOptions {
    return opts.timeoutMs !== undefined ? { deadline: Date.now() + opts.timeoutMs } : {};
  }

  private unary<Res>(method: string, request: unknown, opts: CallOptions): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      let off = () => undefined as void;
      const call = this.stub[method](request, this.metadata(), this.callOptions(opts), (err: unknown, res: Res) => {
        off();
        if (err) reject(toClientError(err));
        else resolve(res);
      }) as grpc.ClientUnaryCall;
      off = onAbort(opts.signal, () => call.cancel());
    });
  }

  private serverStream<Res>(method: string, request: unknown, opts: CallOptions): grpc.ClientReadableStream<Res> {
    const call = this.stub[method](request, this.metadata(), this.callOptions(opts)) as grpc.ClientReadableStream<Res>;
    const off = onAbort(opts.signal, () => call.cancel());
    call.on('close', off);
    return call;
  }

  private async collect<Res>(method: string, request: unknown, opts: CallOptions): Promise<Res[]> {
    const out: Res[] = [];
    try {
      for await (const item of this.serverStream<Res>(method, request, opts)) out.push(item);
    } catch (err) {
      throw toClientError(err);
    }
    return out;
  }

  /** ListFlights: for zipflight, one FlightInfo per source (PATH descriptor [name], default schema). */
  async listFlights(opts: CallOptions = {}): Promise<FlightInfo[]> {
    return (await this.collect<RawFlightInfo>('ListFlights', { expression: Buffer.alloc(0) }, opts)).map(toFlightInfo);
  }

  async getFlightInfo(descriptor: FlightDescriptor, opts: CallOptions = {}): Promise<FlightInfo> {
    return toFlightInfo(await this.unary<RawFlightInfo>('GetFlightInfo', descriptor, opts));
  }

  async getSchema(descriptor: FlightDescriptor, opts: CallOptions = {}): Promise<Schema> {
    const result = await this.unary<{ schema: Uint8Array }>('GetSchema', descriptor, opts);
    return decodeEncapsulatedSchema(result.schema);
  }

  /** DoGet: the ticket's record batches as they arrive (see FlightRecordBatchStream). */
  doGet(ticket: Uint8Array, opts: CallOptions = {}): FlightRecordBatchStream {
    return new FlightRecordBatchStream(this.serverStream<FlightDataFrame>('DoGet', { ticket }, opts), opts.signal);
  }

  /**
   * GetFlightInfo, then every endpoint's DoGet (up to `concurrency` at once), as one Table whose
   * batches keep endpoint order. Endpoints with a location are read from that server.
   */
  async readAll(what: FlightDescriptor | ReadRequest, opts: CallOptions & { concurrency?: number } = {}): Promise<Table> {
    const descriptor = 'type' in what ? what : cmdDescriptor(what);
    const info = await this.getFlightInfo(descriptor, opts);
    const others = new Map<string, FlightClient>();
    const clientFor = (e: FlightEndpoint) => {
      const uri = e.locations.find((l) => l !== REUSE_CONNECTION);
      if (!uri || uri === this.uri) return this;
      if (!others.has(uri)) others.set(uri, FlightClient.connect(uri, { ...this.options, token: this.authorization?.replace(/^Bearer /, '') }));
      return others.get(uri)!;
    };
    try {
      const parts = await mapLimited(info.endpoints, opts.concurrency ?? DEFAULT_READ_CONCURRENCY, (e) => clientFor(e).doGet(e.ticket, opts).readAll());
      const batches: RecordBatch[] = parts.flatMap((t) => t.batches);
      return batches.length ? new Table(batches) : new Table(parts[0]?.schema ?? info.schema);
    } finally {
      for (const c of others.values()) c.close();
    }
  }

  async listActions(opts: CallOptions = {}): Promise<ActionType[]> {
    return (await this.collect<ActionType>('ListActions', {}, opts)).map(({ type, description }) => ({ type, description }));
  }

  /** DoAction: the bodies of the action's results, in order. */
  async doAction(type: string, body: Uint8Array = new Uint8Array(), opts: CallOptions = {}): Promise<Uint8Array[]> {
    return (await this.collect<{ body: Uint8Array }>('DoAction', { type, body }, opts)).map((r) => r.body);
  }

  /**
   * Handshake the way pyarrow's authenticate_basic_token does: `authorization: Basic ...` (when
   * credentials are given), no messages, OK expected. A bearer token the server returns in
   * headers or trailers is kept for every later call and returned.
   */
  async handshake(credentials?: { username: string; password: string }, opts: CallOptions = {}): Promise<string | undefined> {
    const md = this.metadata();
    if (credentials) md.set('authorization', `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`);
    const call = this.stub.Handshake(md, this.callOptions(opts)) as grpc.ClientDuplexStream<unknown, unknown>;
    const off = onAbort(opts.signal, () => call.cancel());
    let bearer: string | undefined;
    const pick = (m: grpc.Metadata) => {
      const value = m.get('authorization').find((v) => typeof v === 'string' && /^Bearer /i.test(v));
      bearer ??= value as string | undefined;
    };
    call.on('metadata', pick);
    call.on('data', () => undefined);
    const status = new Promise<grpc.StatusObject>((resolve, reject) => {
      call.on('status', resolve);
      call.on('error', (err) => reject(toClientError(err)));
    });
    call.end();
    try {
      const s = await status;
      pick(s.metadata);
    } finally {
      off();
    }
    if (bearer) this.authorization = bearer;
    return bearer?.replace(/^Bearer /i, '');
  }
}

/** `fn` over `items` with at most `limit` running at once; results in input order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
