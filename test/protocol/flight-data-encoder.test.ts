// The hand-written FlightData encoder and the IPC message splitter (server/protocol/
// flight-data-encoder.ts, ipc-messages.ts), checked by decoding our bytes with protobufjs (via
// proto-loader's FlightData deserializer) and reading the messages back with Arrow JS's reader.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Dictionary, Field, Int32, Message, RecordBatch, RecordBatchReader, Schema, Struct, Utf8, makeData, tableToIPC, Table, vectorFromArray, type Data,
} from 'apache-arrow';
import { decodeEncapsulatedSchema, ipcStreamChunks } from '../../client/flight-data-decoder.ts';
import { encodeFlightData } from '../../server/protocol/flight-data-encoder.ts';
import { flightServiceDefinition } from '../../server/protocol/flight-proto.ts';
import { DictionaryTracker, TARGET_BODY_BYTES, encapsulatedSchema, paddedLength, recordBatchMessages, schemaMessage, type IpcMessage } from '../../server/protocol/ipc-messages.ts';

interface DecodedFlightData {
  flight_descriptor: unknown;
  data_header: Buffer;
  app_metadata: Buffer;
  data_body: Buffer;
}
const deserialize = flightServiceDefinition().DoGet.responseDeserialize as (bytes: Buffer) => DecodedFlightData;

function batchOf(columns: Record<string, Data>): RecordBatch {
  const fields = Object.entries(columns).map(([name, data]) => new Field(name, data.type, true));
  const schema = new Schema(fields);
  const length = Object.values(columns)[0].length;
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length, children: Object.values(columns) }));
}

function sampleBatch(rows: number): RecordBatch {
  const ints = vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : i * 3)), new Int32()).data[0];
  const text = vectorFromArray(Array.from({ length: rows }, (_, i) => `row ${i} ${'é'.repeat(i % 5)}`), new Utf8()).data[0];
  const dict = vectorFromArray(Array.from({ length: rows }, (_, i) => ['CT', 'MR', 'SR'][i % 3]), new Dictionary(new Utf8(), new Int32())).data[0];
  return batchOf({ n: ints, s: text, modality: dict });
}

/** Checks one encoded message field by field against what protobufjs reads out of it. */
function assertRoundTrip(message: IpcMessage): DecodedFlightData {
  const decoded = deserialize(encodeFlightData(message));
  assert.deepEqual(new Uint8Array(decoded.data_header), message.header);
  assert.equal(decoded.data_body.byteLength, message.bodyLength);
  assert.equal(decoded.app_metadata.byteLength, 0);
  let offset = 0;
  for (const buf of message.buffers) {
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    assert.deepEqual(new Uint8Array(decoded.data_body.subarray(offset, offset + bytes.byteLength)), bytes);
    assert.ok(decoded.data_body.subarray(offset + bytes.byteLength, offset + paddedLength(bytes.byteLength)).every((b) => b === 0), 'zero padding');
    offset += paddedLength(bytes.byteLength);
  }
  return decoded;
}

async function readBack(frames: DecodedFlightData[]): Promise<Table> {
  async function* source() {
    yield* frames;
  }
  const reader = await RecordBatchReader.from(ipcStreamChunks(source()));
  const batches: RecordBatch[] = [];
  for await (const b of reader) batches.push(b);
  return new Table(batches);
}

describe('FlightData encoding', () => {
  test('a Schema message has a header and no body', () => {
    const schema = sampleBatch(1).schema;
    const decoded = assertRoundTrip(schemaMessage(schema));
    assert.equal(decoded.data_body.byteLength, 0);
    assert.ok(Message.decode(decoded.data_header).isSchema());
  });

  test('schema, dictionary and record batch messages decode with protobufjs and read back to the same rows', async () => {
    const batch = sampleBatch(1_000);
    const messages = [schemaMessage(batch.schema), ...new DictionaryTracker().messagesFor(batch), ...recordBatchMessages(batch)];
    assert.equal(messages.length, 3, 'schema + one dictionary + one batch');
    const table = await readBack(messages.map(assertRoundTrip));
    assert.deepEqual(Buffer.from(tableToIPC(table)), Buffer.from(tableToIPC(new Table([batch]))));
  });

  test('bodies past 2^21 bytes (3- and 4-byte varint lengths) encode correctly', () => {
    const big = batchOf({ s: vectorFromArray(Array.from({ length: 3_000 }, (_, i) => String(i).padStart(1_000, '.')), new Utf8()).data[0] });
    const [message] = recordBatchMessages(big, Number.MAX_SAFE_INTEGER);
    assert.ok(message.bodyLength > 2 ** 21);
    assertRoundTrip(message);
  });
});

describe('IPC message splitting', () => {
  test('a batch over the target is split by rows; every body fits and no row is lost', async () => {
    const cellBytes = 2_000;
    const total = Math.ceil((3.5 * TARGET_BODY_BYTES) / cellBytes); // 3.5 targets of cells: at least 4 messages
    const wide = batchOf({ s: vectorFromArray(Array.from({ length: total }, (_, i) => String(i).padStart(cellBytes, '-')), new Utf8()).data[0] });
    const messages = [...recordBatchMessages(wide)];
    assert.ok(messages.length >= 4, `${messages.length} messages`);
    for (const m of messages) assert.ok(m.bodyLength <= TARGET_BODY_BYTES, `body ${m.bodyLength}`);
    const rows = messages.map((m) => (Message.decode(m.header).header() as { length: number }).length);
    assert.equal(rows.reduce((a, b) => a + b), total);
    const table = await readBack([schemaMessage(wide.schema), ...messages].map((m) => deserialize(encodeFlightData(m))));
    assert.equal(table.get(total - 1)?.s, String(total - 1).padStart(cellBytes, '-'));
  });

  test('encapsulated schema: continuation marker, 8-aligned length, decodes to the same schema', () => {
    const schema = sampleBatch(1).schema;
    const bytes = encapsulatedSchema(schema);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    assert.equal(view.getUint32(0, true), 0xffffffff);
    assert.equal(bytes.byteLength % 8, 0);
    assert.equal(view.getInt32(4, true), bytes.byteLength - 8);
    assert.equal(String(decodeEncapsulatedSchema(bytes)), String(schema));
  });
});
