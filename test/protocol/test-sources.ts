// Sources that exist only in tests, to drive the protocol layer through what real sources do
// rarely: fail after some batches, crash, run until cancelled, or produce one very wide batch.
import { Int32, RecordBatch, Schema, Field, Utf8, makeData, Struct, vectorFromArray, type Data } from 'apache-arrow';
import { ServerError } from '../../server/errors.ts';
import type { Plan, Source } from '../../server/sources/source.ts';

export const ROWS_PER_BATCH = 10;
export const BATCHES_BEFORE_FAILURE = 3;
export const FAILURE_MESSAGE = 'archive a.zip, member b.dcm: truncated data element';
export const SECRET_DETAIL = 'secret internal detail /etc/zipflight';

const intSchema = new Schema([new Field('n', new Int32(), false)]);

function intBatch(start: number): RecordBatch {
  const values = Int32Array.from({ length: ROWS_PER_BATCH }, (_, i) => start + i);
  const child = makeData({ type: new Int32(), length: values.length, data: values });
  return new RecordBatch(intSchema, makeData({ type: new Struct(intSchema.fields), length: values.length, nullCount: 0, children: [child] }));
}

const onePartition = (schema: Schema): Plan => ({ schema, partitions: [{ spec: {} }] });

function source(name: string, schema: Schema, read: Source['read']): Source {
  return { name, description: `test source ${name}`, defaultSchema: () => schema, describe: async () => onePartition(schema), read };
}

/** Three batches, then a DATA_LOSS error with a message naming the archive and member. */
export const failingSource = source('test-failing', intSchema, async function* () {
  for (let b = 0; b < BATCHES_BEFORE_FAILURE; b++) yield intBatch(b * ROWS_PER_BATCH);
  throw new ServerError('data-loss', FAILURE_MESSAGE);
});

/** One batch, then a plain Error whose text must never reach the client. */
export const crashingSource = source('test-crashing', intSchema, async function* () {
  yield intBatch(0);
  throw new Error(SECRET_DETAIL);
});

/** What the endless source saw: did the abort reach it, did its generator close. */
export const endlessState = { batches: 0, aborted: false, closed: false };

/** Batches until the signal aborts; records what it saw in endlessState. */
export const endlessSource = source('test-endless', intSchema, async function* (_req, _spec, ctx) {
  try {
    for (let b = 0; ; b++) {
      if (ctx.signal.aborted) {
        endlessState.aborted = true;
        return;
      }
      endlessState.batches++;
      yield intBatch(b * ROWS_PER_BATCH);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    endlessState.aborted ||= ctx.signal.aborted;
    endlessState.closed = true;
  }
});

export const WIDE_ROWS = 2_000;
export const WIDE_CELL_CHARS = 8_192;
const wideSchema = new Schema([new Field('s', new Utf8(), false)]);

/** One ~16 MB batch of long strings: four times gRPC's default 4 MiB receive limit. */
export const wideSource = source('test-wide', wideSchema, async function* () {
  const cells = Array.from({ length: WIDE_ROWS }, (_, i) => String(i).padStart(WIDE_CELL_CHARS, 'x'));
  const column: Data = vectorFromArray(cells, new Utf8()).data[0];
  yield new RecordBatch(wideSchema, makeData({ type: new Struct(wideSchema.fields), length: WIDE_ROWS, nullCount: 0, children: [column] }));
});

/** Opened by the test once it holds the first batch; the gated source waits for it. */
export const gate = { open: () => undefined as void, opened: Promise.resolve() };
export function resetGate(): void {
  gate.opened = new Promise<void>((resolve) => {
    gate.open = resolve;
  });
}

/** One batch, then nothing more until the test opens the gate: proves batches are not held back. */
export const gatedSource = source('test-gated', intSchema, async function* () {
  yield intBatch(0);
  await gate.opened;
  yield intBatch(ROWS_PER_BATCH);
});

/** Rows of the counting source: enough 2 MiB FlightData (about 24) that the server's frame buffers are reused. */
export const COUNTING_ROWS = 12 * 1024 * 1024;
const COUNTING_BATCH_ROWS = 1024 * 1024;

/** The int32 sequence 0, 1, 2, ... in 4 MiB batches: any reused buffer sent too early shows as a wrong value. */
export const countingSource = source('test-counting', intSchema, async function* () {
  for (let start = 0; start < COUNTING_ROWS; start += COUNTING_BATCH_ROWS) {
    const values = new Int32Array(COUNTING_BATCH_ROWS);
    for (let i = 0; i < values.length; i++) values[i] = start + i;
    const child = makeData({ type: new Int32(), length: values.length, data: values });
    yield new RecordBatch(intSchema, makeData({ type: new Struct(intSchema.fields), length: values.length, nullCount: 0, children: [child] }));
  }
});
