// DoGet through a real server on port 0: errors after some batches reach the client as a status,
// internal errors never leak their text, client cancellation stops the source and the server keeps
// serving, and a batch four times gRPC's default 4 MiB limit arrives split into smaller FlightData.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ClientError, Status, cmdDescriptor } from '../../client/flight-client.ts';
import { flightServiceDefinition } from '../../server/protocol/flight-proto.ts';
import { startTestServer, type TestServer } from '../client/server-fixture.ts';
import {
  BATCHES_BEFORE_FAILURE, COUNTING_ROWS, FAILURE_MESSAGE, ROWS_PER_BATCH, SECRET_DETAIL, WIDE_CELL_CHARS, WIDE_ROWS,
  countingSource, crashingSource, endlessSource, endlessState, failingSource, gate, gatedSource, resetGate, wideSource,
} from './test-sources.ts';

/** gRPC's default receive limit, which Go, Java and Rust Flight clients keep. */
const DEFAULT_GRPC_RECEIVE_BYTES = 4 * 1024 * 1024;
const BATCHES_BEFORE_CANCEL = 3;

let t: TestServer;
before(async () => {
  t = await startTestServer([countingSource, failingSource, crashingSource, endlessSource, wideSource, gatedSource]);
});
after(() => t.stop());

const ticketOf = async (source: string, options: Record<string, unknown> = {}) => (await t.client.getFlightInfo(cmdDescriptor({ source, options }))).endpoints[0].ticket;

async function healthy(): Promise<boolean> {
  const [body] = await t.client.doAction('healthcheck');
  return JSON.parse(Buffer.from(body).toString()).status === 'ok';
}

describe('errors during a stream', () => {
  test('an error after some batches arrives as its status, after those batches', async () => {
    const rows: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const batch of t.client.doGet(await ticketOf('test-failing'))) rows.push(batch.numRows);
      })(),
      (err: ClientError) => err instanceof ClientError && err.code === Status.DATA_LOSS && err.details === FAILURE_MESSAGE,
    );
    assert.deepEqual(rows, Array(BATCHES_BEFORE_FAILURE).fill(ROWS_PER_BATCH));
    assert.ok(await healthy());
  });

  test('an internal error is INTERNAL with a generic message, never the detail', async () => {
    await assert.rejects(t.client.doGet(await ticketOf('test-crashing')).readAll(), (err: ClientError) => {
      assert.equal(err.code, Status.INTERNAL);
      assert.doesNotMatch(err.details, /secret|etc/);
      return true;
    });
    assert.ok(!SECRET_DETAIL.includes('internal server error'));
  });
});

describe('delivery', () => {
  test('a long stream arrives intact while the server recycles its FlightData buffers', async () => {
    let expected = 0;
    let frames = 0;
    for await (const batch of t.client.doGet(await ticketOf('test-counting'))) {
      const values = batch.getChild('n')!.toArray() as Int32Array;
      for (let i = 0; i < values.length; i++) if (values[i] !== expected + i) assert.fail(`row ${expected + i} holds ${values[i]}`);
      expected += values.length;
      frames++;
    }
    assert.equal(expected, COUNTING_ROWS);
    assert.ok(frames > 20, `only ${frames} batches: too few to reuse buffers`);
  });

  test('a batch reaches the caller before the source has produced the next one', async () => {
    resetGate();
    const rows: number[] = [];
    const timeout = AbortSignal.timeout(10_000);
    for await (const batch of t.client.doGet(await ticketOf('test-gated'), { signal: timeout })) {
      rows.push(batch.getChild('n')?.get(0));
      gate.open();
    }
    assert.deepEqual(rows, [0, ROWS_PER_BATCH]);
  });
});

describe('cancellation', () => {
  test('aborting mid-stream cancels the call, the source sees the abort and closes, the server keeps serving', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const batch of t.client.doGet(await ticketOf('test-endless'), { signal: controller.signal })) {
          seen.push(batch.numRows);
          if (seen.length === BATCHES_BEFORE_CANCEL) controller.abort();
        }
      })(),
      (err: ClientError) => err.code === Status.CANCELLED,
    );
    assert.equal(seen.length, BATCHES_BEFORE_CANCEL);
    await waitFor(() => endlessState.closed);
    assert.ok(endlessState.aborted, 'the source saw the abort');
    assert.ok(await healthy());
  });

  test('leaving the loop early (break) cancels too', async () => {
    endlessState.closed = false;
    for await (const _ of t.client.doGet(await ticketOf('test-endless'))) break;
    await waitFor(() => endlessState.closed);
    assert.ok(await healthy());
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FlightData size', () => {
  test('a ~16 MB batch arrives as several FlightData, each under 4 MiB', async () => {
    const ticket = await ticketOf('test-wide');
    // A raw grpc-js client with protobufjs's decoder (via proto-loader), not our client's code path.
    const Raw = grpc.makeGenericClientConstructor(flightServiceDefinition(), 'FlightService');
    const raw = new Raw(t.server.url.replace('grpc://', ''), grpc.credentials.createInsecure()) as unknown as grpc.Client & { DoGet(req: unknown): grpc.ClientReadableStream<{ data_header: Buffer; data_body: Buffer }> };
    const sizes: number[] = [];
    try {
      for await (const fd of raw.DoGet({ ticket })) sizes.push(fd.data_header.byteLength + fd.data_body.byteLength);
    } finally {
      raw.close();
    }
    assert.ok(sizes.length > 4, `split into ${sizes.length} messages`);
    assert.ok(Math.max(...sizes) < DEFAULT_GRPC_RECEIVE_BYTES, `largest FlightData ${Math.max(...sizes)} bytes`);
    assert.ok(sizes.reduce((a, b) => a + b) > WIDE_ROWS * WIDE_CELL_CHARS);
  });

  test('our client with the default 4 MiB receive limit reads every row back', async () => {
    const limited = t.connect({ maxReceiveMessageBytes: DEFAULT_GRPC_RECEIVE_BYTES });
    const table = await limited.doGet(await ticketOf('test-wide')).readAll();
    assert.equal(table.numRows, WIDE_ROWS);
    assert.equal(table.get(WIDE_ROWS - 1)?.s, String(WIDE_ROWS - 1).padStart(WIDE_CELL_CHARS, 'x'));
  });
});
