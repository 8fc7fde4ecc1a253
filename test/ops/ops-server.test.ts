// Operations through a real server on port 0 and generic gRPC clients: health (grpc.health.v1)
// and reflection as grpcurl/Kubernetes use them, one JSON log line and exact metrics per call,
// cancellation and deadlines stopping the source quickly, the DoGet concurrency limit, graceful
// shutdown, and no server path in error details.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ServerError } from '../../server/errors.ts';
import { setLimits } from '../../server/limits.ts';
import { serveMetrics } from '../../server/ops/metrics.ts';
import { FLIGHT_SERVICE_NAME } from '../../server/protocol/flight-server.ts';
import {
  ROWS_PER_BATCH, cmd, healthClient, intBatch, readStream, reflectionClient, sleep, startOpsServer, testSource, unaryCall,
  type OpsServer, type RawClient,
} from './ops-fixture.ts';

/** The bound on how long a cancelled stream may keep working. */
const CANCEL_BOUND_MS = 100;
const FAKE_ROWS = 5000;

interface EndlessState {
  /** When the server saw the cancel (the source's signal fired) and when the source closed. */
  abortedAt?: number;
  closedAt?: number;
  aborted?: boolean;
}

/** Batches until aborted; remembers when its signal fired and when its generator closed. */
function endless(state: EndlessState) {
  return testSource('ops-endless', async function* (_req, _spec, ctx) {
    ctx.signal.addEventListener('abort', () => (state.abortedAt = performance.now()), { once: true });
    try {
      for (let b = 0; !ctx.signal.aborted; b++) {
        yield intBatch(b * ROWS_PER_BATCH);
        await sleep(5);
      }
    } finally {
      state.aborted = ctx.signal.aborted;
      state.closedAt = performance.now();
    }
  });
}

const slowFinite = testSource('ops-slow', async function* () {
  for (let b = 0; b < 5; b++) {
    await sleep(60);
    yield intBatch(b * ROWS_PER_BATCH);
  }
});

let leakDir = '';
const leaky = testSource('ops-leaky', async function* () {
  throw new ServerError('not-found', `no such archive: ${leakDir}/private/a.zip`);
});

async function ticketOf(client: RawClient, source: string, options: Record<string, unknown> = {}): Promise<Buffer> {
  const info = await unaryCall<{ endpoint: { ticket: { ticket: Buffer } }[] }>(client, 'GetFlightInfo', cmd({ source, options }));
  return info.endpoint[0].ticket.ticket;
}

const doGet = (client: RawClient, ticket: Buffer, options: grpc.CallOptions = {}) => client.DoGet({ ticket }, new grpc.Metadata(), options) as grpc.ClientReadableStream<Buffer>;

/** The value of one sample line of the Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('calls: logs and metrics', () => {
  let s: OpsServer;
  const state: EndlessState = {};
  before(async () => {
    s = await startOpsServer({ extra: [endless(state), slowFinite, leaky] });
    leakDir = s.root.dir;
  });
  after(() => s.stop());

  test('a DoGet is one JSON log line and exact rows/bytes metrics, also when scraped over HTTP', async () => {
    const frames = await readStream(doGet(s.client, await ticketOf(s.client, 'fake', { numRows: FAKE_ROWS })));
    const sentBytes = frames.reduce((n, f) => n + f.byteLength, 0);
    const line = s.logs.find((l) => l.method === 'DoGet' && l.source === 'fake');
    assert.ok(line, 'a DoGet log line');
    for (const field of ['reqId', 'method', 'source', 'rows', 'bytes', 'durationMs', 'status', 'time', 'level']) assert.ok(field in line, `field ${field}`);
    assert.equal(line.rows, FAKE_ROWS);
    assert.equal(line.bytes, sentBytes);
    assert.equal(line.status, 'OK');
    const endpoint = await serveMetrics(s.metrics, '127.0.0.1', 0);
    try {
      const res = await fetch(endpoint.url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      const text = await res.text();
      assert.equal(sample(text, 'zipflight_rows_total', 'source="fake"'), FAKE_ROWS);
      assert.equal(sample(text, 'zipflight_bytes_total', 'method="DoGet",source="fake"'), sentBytes);
      assert.equal(sample(text, 'zipflight_calls_total', 'method="DoGet",status="OK"'), 1);
      assert.equal(sample(text, 'zipflight_active_streams', ''), 0);
      assert.ok((sample(text, 'zipflight_call_duration_seconds_count', 'method="DoGet"') ?? 0) >= 1);
    } finally {
      await endpoint.close();
    }
  });

  test('request ids are unique per call', () => {
    const ids = s.logs.filter((l) => 'reqId' in l).map((l) => l.reqId);
    assert.ok(ids.length >= 2);
    assert.equal(new Set(ids).size, ids.length);
  });

  test(`a cancelled DoGet stops its source within ${CANCEL_BOUND_MS} ms, logged CANCELLED`, async () => {
    const call = doGet(s.client, await ticketOf(s.client, 'ops-endless'));
    let frames = 0;
    const cancelledAt = await new Promise<number>((resolve) => {
      call.on('data', () => {
        if (++frames === 3) {
          call.cancel();
          resolve(performance.now());
        }
      });
      call.on('error', () => undefined);
    });
    for (let waited = 0; state.closedAt === undefined && waited < 2000; waited += 5) await sleep(5);
    assert.ok(state.closedAt !== undefined && state.abortedAt !== undefined, 'the source saw the abort and closed');
    // The bound is on the server's work after it learns of the cancel; the client's RST_STREAM
    // crossing a loaded machine is only checked loosely.
    assert.ok(state.closedAt - state.abortedAt < CANCEL_BOUND_MS, `closed ${Math.round(state.closedAt - state.abortedAt)} ms after the abort`);
    assert.ok(state.closedAt - cancelledAt < 10 * CANCEL_BOUND_MS, `closed ${Math.round(state.closedAt - cancelledAt)} ms after the client cancelled`);
    assert.equal(state.aborted, true);
    await sleep(20);
    assert.equal(s.logs.at(-1)?.status, 'CANCELLED');
    assert.match(await s.metrics.registry.metrics(), /zipflight_active_streams 0/);
  });

  test('a DoGet deadline ends the stream DEADLINE_EXCEEDED and stops the source', async () => {
    state.closedAt = undefined;
    state.abortedAt = undefined;
    const ticket = await ticketOf(s.client, 'ops-endless');
    await assert.rejects(readStream(doGet(s.client, ticket, { deadline: Date.now() + 300 })), (err: grpc.ServiceError) => err.code === grpc.status.DEADLINE_EXCEEDED);
    for (let waited = 0; state.closedAt === undefined && waited < 2000; waited += 5) await sleep(5);
    assert.ok(state.closedAt !== undefined, 'the source closed');
    await sleep(20);
    assert.equal(s.logs.filter((l) => l.method === 'DoGet').at(-1)?.status, 'DEADLINE_EXCEEDED');
  });

  test('max concurrent streams: one more DoGet is RESOURCE_EXHAUSTED, the slot frees when a stream ends', async () => {
    const previous = setLimits({ maxConcurrentStreams: 1 });
    try {
      const first = doGet(s.client, await ticketOf(s.client, 'ops-endless'));
      first.on('error', () => undefined);
      await new Promise((resolve) => first.once('data', resolve));
      const second = readStream(doGet(s.client, await ticketOf(s.client, 'fake')));
      await assert.rejects(second, (err: grpc.ServiceError) => err.code === grpc.status.RESOURCE_EXHAUSTED && /concurrent/.test(err.details));
      first.cancel();
      await sleep(50);
      assert.ok((await readStream(doGet(s.client, await ticketOf(s.client, 'fake')))).length > 0);
    } finally {
      setLimits(previous);
    }
  });

  test('error details never show the data root', async () => {
    await assert.rejects(unaryCall(s.client, 'GetFlightInfo', cmd({ source: 'ops-leaky' })).then(async () => readStream(doGet(s.client, await ticketOf(s.client, 'ops-leaky')))), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.NOT_FOUND);
      assert.ok(!err.details.includes(s.root.dir), err.details);
      assert.match(err.details, /private\/a\.zip/);
      return true;
    });
  });
});

describe('health and reflection', () => {
  let s: OpsServer;
  before(async () => {
    s = await startOpsServer({ extra: [slowFinite] });
  });
  after(() => s.stop());

  test('Check says SERVING for the server and for FlightService, NOT_FOUND for others', async () => {
    const health = healthClient(`127.0.0.1:${s.server.port}`);
    try {
      assert.deepEqual(await unaryCall(health, 'Check', { service: '' }), { status: 'SERVING' });
      assert.deepEqual(await unaryCall(health, 'Check', { service: FLIGHT_SERVICE_NAME }), { status: 'SERVING' });
      await assert.rejects(unaryCall(health, 'Check', { service: 'no.such.Service' }), (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND);
    } finally {
      health.close();
    }
  });

  test('reflection lists FlightService and Health, as grpcurl asks', async () => {
    const reflection = reflectionClient(`127.0.0.1:${s.server.port}`);
    try {
      const call = reflection.ServerReflectionInfo() as grpc.ClientDuplexStream<unknown, { list_services_response?: { service: { name: string }[] } }>;
      const reply = new Promise<{ list_services_response?: { service: { name: string }[] } }>((resolve, reject) => {
        call.once('data', resolve);
        call.once('error', reject);
      });
      call.write({ list_services: '' });
      const names = (await reply).list_services_response?.service.map((x) => x.name) ?? [];
      assert.ok(names.includes(FLIGHT_SERVICE_NAME), names.join());
      assert.ok(names.includes('grpc.health.v1.Health'), names.join());
      // What grpcurl asks next: the file defining the service, as serialized FileDescriptorProtos.
      const files = new Promise<{ file_descriptor_response?: { file_descriptor_proto: Buffer[] } }>((resolve) => call.once('data', resolve));
      call.write({ file_containing_symbol: FLIGHT_SERVICE_NAME });
      const protos = (await files).file_descriptor_response?.file_descriptor_proto ?? [];
      call.end();
      assert.ok(protos.some((p) => p.includes('arrow.flight.protocol') && p.includes('DoGet')), 'Flight.proto is described');
    } finally {
      reflection.close();
    }
  });

  test('shutdown: a Watch sees NOT_SERVING and ends; a running stream finishes within the grace period', async () => {
    const health = healthClient(`127.0.0.1:${s.server.port}`);
    const statuses: string[] = [];
    const watch = health.Watch({ service: '' }) as grpc.ClientReadableStream<{ status: string }>;
    const watchEnded = new Promise<void>((resolve) => {
      watch.on('data', (m: { status: string }) => statuses.push(m.status));
      watch.on('end', resolve);
      watch.on('error', () => resolve());
    });
    await new Promise((resolve) => watch.once('data', resolve));
    const call = doGet(s.client, await ticketOf(s.client, 'ops-slow'));
    const frames = readStream(call);
    await new Promise((resolve) => call.once('data', resolve));
    const stopped = s.server.shutdown(5000);
    await watchEnded;
    assert.deepEqual(statuses, ['SERVING', 'NOT_SERVING']);
    await assert.rejects(unaryCall(s.client, 'GetFlightInfo', cmd({ source: 'fake' })), 'no new calls once stopping');
    // Schema + 5 batches: the stream was allowed to finish.
    assert.equal((await frames).length, 1 + 5);
    await stopped;
    health.close();
  });
});

describe('forced shutdown', () => {
  test('streams still running after the grace period are cancelled and their sources stop', async () => {
    const state: EndlessState = {};
    const s = await startOpsServer({ extra: [endless(state)] });
    const call = doGet(s.client, await ticketOf(s.client, 'ops-endless'));
    const ended = readStream(call).then(
      () => 'ended OK',
      (err: grpc.ServiceError) => err.code,
    );
    await new Promise((resolve) => call.once('data', resolve));
    const t0 = performance.now();
    await s.stop(200);
    assert.notEqual(await ended, 'ended OK');
    for (let waited = 0; state.closedAt === undefined && waited < 2000; waited += 5) await sleep(5);
    assert.equal(state.aborted, true);
    assert.ok(state.closedAt! - t0 < 200 + 500, 'the source stopped soon after the grace period');
  });
});
