// The Source.read contract (server/sources/source.ts): a batch is consumed before the next one is
// pulled, so the fake source may generate every batch into the same column memory. Checked end to
// end: a DoGet must deliver what the partition gives when each batch is deep-copied (through
// Arrow JS's own IPC writer and reader) before the next is pulled. A DoGet that pulled ahead of
// its encoding would send a later batch's values in place of an earlier one's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Table, tableFromIPC, tableToIPC, type RecordBatch, type Vector } from 'apache-arrow';
import { cmdDescriptor } from '../../client/flight-client.ts';
import { FAKE_BATCH_ROWS, fakeSource } from '../../server/sources/fake.ts';
import type { SourceContext } from '../../server/sources/source.ts';
import { startTestServer, type TestServer } from '../client/server-fixture.ts';

/** Every fixed-width kind the fake source generates into reused memory, and a string column (fresh memory). */
const SCHEMA = 'id long, a decimal(38,0), e double, f float, n int, s smallint, d date, ts timestamp, flag boolean, name string';
const BATCHES = 4;
const ROWS = (BATCHES - 1) * FAKE_BATCH_ROWS + 123;
const OPTIONS = { schema: SCHEMA, numRows: ROWS, seed: 11 };
const BIT_PACKED = new Set(['flag']);
const VARIABLE = new Set(['name']);

/** A column's values over all chunks: raw value bytes (fixed width) or the JS values (bits, strings). */
function columnKey(column: Vector, name: string): string {
  if (BIT_PACKED.has(name) || VARIABLE.has(name)) return JSON.stringify(Array.from(column));
  return Buffer.concat(column.data.map((d) => {
    assert.equal(d.offset, 0, 'IPC-decoded chunks start at their buffers');
    return Buffer.from(d.values.buffer, d.values.byteOffset, d.values.byteLength);
  })).toString('hex');
}

/** A copy of `batch` that shares no memory with it: Arrow JS writes it as IPC and reads it back. */
const deepCopy = (batch: RecordBatch): Table => tableFromIPC(tableToIPC(new Table([batch])));

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.stop());

test('a fake DoGet equals its partition read batch by batch, each copied before the next is pulled', async () => {
  const ctx = { signal: new AbortController().signal } as SourceContext;
  const copies: Table[] = [];
  for await (const batch of fakeSource.read({ path: '', options: OPTIONS }, { partition: 0 }, ctx)) copies.push(deepCopy(batch));
  assert.equal(copies.length, BATCHES);
  const expected = new Table(copies.flatMap((c) => c.batches));

  const info = await t.client.getFlightInfo(cmdDescriptor({ source: 'fake', options: OPTIONS }));
  const got = await t.client.doGet(info.endpoints[0].ticket).readAll();
  assert.equal(got.numRows, ROWS);
  for (const field of expected.schema.fields) {
    assert.equal(columnKey(got.getChild(field.name)!, field.name), columnKey(expected.getChild(field.name)!, field.name), `column ${field.name}`);
  }
  // Reused memory must not make batches alike: the first rows of each batch differ.
  const firstIds = copies.map((c) => String(c.getChild('id')!.get(0)));
  assert.equal(new Set(firstIds).size, BATCHES, `batches start alike: ${firstIds}`);
});
