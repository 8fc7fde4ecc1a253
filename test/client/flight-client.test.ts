// The TypeScript client against a real zipflight server on port 0: every RPC we serve, the `fake`
// source end to end, determinism by seed, and the client's own checks (URIs, cancellation).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tableToIPC, type Table } from 'apache-arrow';
import { ClientError, FlightClient, Status, cmdDescriptor, pathDescriptor } from '../../client/flight-client.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';

const DEFAULT_COLUMNS = ['name', 'date', 'zipcode', 'state'];
const TYPED_SCHEMA = 'id int, total bigint, price double, active boolean, born date, seen timestamp, email string';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.stop());

const fake = (options: Record<string, unknown>) => cmdDescriptor({ source: 'fake', options });
const ipcBytes = (table: Table) => Buffer.from(tableToIPC(table, 'stream'));

describe('metadata RPCs', () => {
  test('ListFlights shows fake with its description and default schema', async () => {
    const flights = await t.client.listFlights();
    const entry = flights.find((f) => f.descriptor.type === 'PATH' && f.descriptor.path[0] === 'fake');
    assert.ok(entry, 'fake is listed');
    assert.deepEqual(entry.schema.fields.map((f) => f.name), DEFAULT_COLUMNS);
    assert.match(JSON.parse(Buffer.from(entry.appMetadata).toString()).description, /Synthetic/);
  });

  test('GetFlightInfo plans one endpoint per partition, total_records known', async () => {
    const info = await t.client.getFlightInfo(fake({ numRows: 100_000, numPartitions: 4 }));
    assert.equal(info.endpoints.length, 4);
    assert.equal(info.totalRecords, 100_000);
    assert.equal(info.totalBytes, -1);
    for (const e of info.endpoints) assert.deepEqual(e.locations, []);
    assert.equal(new Set(info.endpoints.map((e) => Buffer.from(e.ticket).toString())).size, 4, 'tickets differ');
  });

  test('GetSchema equals the FlightInfo schema, also for a PATH descriptor', async () => {
    const descriptor = fake({ schema: TYPED_SCHEMA });
    const [info, schema] = await Promise.all([t.client.getFlightInfo(descriptor), t.client.getSchema(descriptor)]);
    assert.equal(String(schema), String(info.schema));
    assert.deepEqual(schema.fields.map((f) => f.name), ['id', 'total', 'price', 'active', 'born', 'seen', 'email']);
    const viaPath = await t.client.getSchema(pathDescriptor('fake'));
    assert.deepEqual(viaPath.fields.map((f) => f.name), DEFAULT_COLUMNS);
  });

  test('ListActions and DoAction(healthcheck, list-sources)', async () => {
    const actions = await t.client.listActions();
    assert.ok(actions.some((a) => a.type === 'healthcheck' && a.description.length > 0));
    const [health] = await t.client.doAction('healthcheck');
    assert.deepEqual(JSON.parse(Buffer.from(health).toString()), { status: 'ok' });
    const [sources] = await t.client.doAction('list-sources');
    assert.ok(JSON.parse(Buffer.from(sources).toString()).some((s: { name: string }) => s.name === 'fake'));
  });

  test('an unknown action is INVALID_ARGUMENT naming it', async () => {
    await assert.rejects(t.client.doAction('frobnicate'), (err: ClientError) => err.code === Status.INVALID_ARGUMENT && /frobnicate/.test(err.details));
  });

  test('Handshake succeeds with no auth configured and returns no token', async () => {
    assert.equal(await t.client.handshake(), undefined);
    assert.equal(await t.client.handshake({ username: 'someone', password: 'pw' }), undefined);
  });
});

describe('DoGet of fake', () => {
  test('4 endpoints read in parallel give exactly 100000 rows of the requested schema', async () => {
    const table = await t.client.readAll(fake({ numRows: 100_000, numPartitions: 4, schema: TYPED_SCHEMA }));
    assert.equal(table.numRows, 100_000);
    assert.deepEqual(table.schema.fields.map((f) => `${f.name}:${f.type}`), ['id:Int32', 'total:Int64', 'price:Float64', 'active:Bool', 'born:Date32<DAY>', 'seen:Timestamp<MICROSECOND, UTC>', 'email:Utf8']);
    assert.match(String(table.get(99_999)?.email), /@/);
  });

  test('each endpoint holds its share, in any order', async () => {
    const info = await t.client.getFlightInfo(fake({ numRows: 10, numPartitions: 3, seed: 5 }));
    const reversed = await Promise.all([...info.endpoints].reverse().map((e) => t.client.doGet(e.ticket).readAll()));
    assert.deepEqual(reversed.map((p) => p.numRows), [3, 3, 4]);
    const whole = await t.client.readAll(fake({ numRows: 10, numPartitions: 3, seed: 5 }));
    assert.deepEqual(ipcBytes(whole.slice(7, 10)), ipcBytes(reversed[0]), 'last endpoint read first = last rows of the whole read');
  });

  test('same seed reads identical twice; another seed differs', async () => {
    const options = { numRows: 5_000, numPartitions: 2, seed: 42, schema: TYPED_SCHEMA };
    const [a, b, c] = await Promise.all([t.client.readAll(fake(options)), t.client.readAll(fake(options)), t.client.readAll(fake({ ...options, seed: 43 }))]);
    assert.deepEqual(ipcBytes(a), ipcBytes(b));
    assert.notDeepEqual(ipcBytes(a), ipcBytes(c));
  });

  test('option values given as strings work like numbers (as Spark sends them)', async () => {
    const table = await t.client.readAll({ source: 'fake', options: { numRows: '7', numPartitions: '2' } });
    assert.equal(table.numRows, 7);
  });

  test('zero rows: the schema still arrives', async () => {
    const info = await t.client.getFlightInfo(fake({ numRows: 0, schema: 'a int, city string' }));
    const stream = t.client.doGet(info.endpoints[0].ticket);
    assert.deepEqual((await stream.schema()).fields.map((f) => f.name), ['a', 'city']);
    const table = await stream.readAll();
    assert.equal(table.numRows, 0);
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['a', 'city']);
  });
});

describe('client-side behaviour', () => {
  test('URIs: grpc+tcp works, other schemes and missing ports are INVALID_ARGUMENT', async () => {
    const tcp = FlightClient.connect(t.server.url.replace('grpc://', 'grpc+tcp://'));
    try {
      assert.ok((await tcp.listActions()).length > 0);
    } finally {
      tcp.close();
    }
    for (const bad of ['http://127.0.0.1:1', 'grpc://127.0.0.1', 'not a uri']) {
      assert.throws(() => FlightClient.connect(bad), (err: ClientError) => err.code === Status.INVALID_ARGUMENT);
    }
  });

  test('no server listening: UNAVAILABLE', async () => {
    const nobody = FlightClient.connect('grpc://127.0.0.1:1');
    try {
      await assert.rejects(nobody.listFlights(), (err: ClientError) => err instanceof ClientError && err.code === Status.UNAVAILABLE);
    } finally {
      nobody.close();
    }
  });

  test('an AbortSignal already aborted cancels before anything is read', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(t.client.getFlightInfo(fake({}), { signal: controller.signal }), (err: ClientError) => err.code === Status.CANCELLED);
  });
});
