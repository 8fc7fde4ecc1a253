// Error statuses a client sees from a real server (Flight over gRPC status codes): bad and forged
// tickets, unknown sources, bad options and descriptors, RPCs we do not serve. Each names the thing
// that was wrong, and the server keeps serving afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { ClientError, Status, cmdDescriptor, pathDescriptor, type FlightDescriptor } from '../../client/flight-client.ts';
import { flightServiceDefinition } from '../../server/protocol/flight-proto.ts';
import { encodeTicket, randomTicketKey } from '../../server/protocol/ticket.ts';
import { startTestServer, type TestServer } from '../client/server-fixture.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.stop());

const status = (code: number, pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof ClientError, `a ClientError, got ${String(err)}`);
  assert.equal(err.codeName, Status[code]);
  assert.match(err.details, pattern);
  return true;
};

describe('tickets on DoGet', () => {
  test('malformed bytes are INVALID_ARGUMENT', async () => {
    for (const bytes of ['', 'garbage', 'a.b', '\u0000\u00ff']) {
      await assert.rejects(t.client.doGet(Buffer.from(bytes, 'latin1')).readAll(), status(Status.INVALID_ARGUMENT, /malformed ticket/));
    }
  });

  test('a ticket signed by another key is PERMISSION_DENIED', async () => {
    const forged = encodeTicket({ source: 'fake', path: '', options: {}, spec: { partition: 0 } }, randomTicketKey());
    await assert.rejects(t.client.doGet(forged).readAll(), status(Status.PERMISSION_DENIED, /signature/));
  });

  test('a validly signed ticket is still re-validated: a partition out of range is INVALID_ARGUMENT', async () => {
    const ticket = encodeTicket({ source: 'fake', path: '', options: { numPartitions: 2 }, spec: { partition: 7 } }, t.ticketKey);
    await assert.rejects(t.client.doGet(ticket).readAll(), status(Status.INVALID_ARGUMENT, /partition/));
  });

  test('a ticket for a source that does not exist is NOT_FOUND', async () => {
    const ticket = encodeTicket({ source: 'gone', path: '', options: {}, spec: {} }, t.ticketKey);
    await assert.rejects(t.client.doGet(ticket).readAll(), status(Status.NOT_FOUND, /'gone'/));
  });
});

describe('descriptors and options', () => {
  const both = async (descriptor: FlightDescriptor, check: (err: unknown) => boolean) => {
    await assert.rejects(t.client.getFlightInfo(descriptor), check);
    await assert.rejects(t.client.getSchema(descriptor), check);
  };

  test('an unknown source is NOT_FOUND naming it (CMD and PATH)', async () => {
    await both(cmdDescriptor({ source: 'zipdicom' }), status(Status.NOT_FOUND, /'zipdicom'/));
    await both(pathDescriptor('nosuch', 'x'), status(Status.NOT_FOUND, /'nosuch'/));
  });

  test('an unknown option is INVALID_ARGUMENT naming it', async () => {
    await both(cmdDescriptor({ source: 'fake', options: { numRowz: 3 } }), status(Status.INVALID_ARGUMENT, /'numRowz'/));
  });

  test('an ill-typed option is INVALID_ARGUMENT naming it', async () => {
    await both(cmdDescriptor({ source: 'fake', options: { numRows: 'many' } }), status(Status.INVALID_ARGUMENT, /'numRows'/));
    await both(cmdDescriptor({ source: 'fake', options: { numPartitions: 0 } }), status(Status.INVALID_ARGUMENT, /'numPartitions'/));
  });

  test('a CMD that is not JSON is INVALID_ARGUMENT', async () => {
    await both({ type: 'CMD', cmd: Buffer.from('source=fake') }, status(Status.INVALID_ARGUMENT, /JSON/));
  });
});

describe('RPCs not served', () => {
  test('DoPut and DoExchange are UNIMPLEMENTED with a clear message; the server keeps serving', async () => {
    const Raw = grpc.makeGenericClientConstructor(flightServiceDefinition(), 'FlightService');
    const raw = new Raw(t.server.url.replace('grpc://', ''), grpc.credentials.createInsecure()) as unknown as Record<string, () => grpc.ClientDuplexStream<unknown, unknown>> & grpc.Client;
    try {
      for (const rpc of ['DoPut', 'DoExchange']) {
        const call = raw[rpc]();
        call.end();
        const err = await new Promise<grpc.ServiceError>((resolve) => {
          call.on('error', resolve);
          call.on('data', () => undefined);
        });
        assert.equal(err.code, grpc.status.UNIMPLEMENTED, rpc);
        assert.match(err.details, new RegExp(`${rpc} is not served`));
      }
    } finally {
      raw.close();
    }
    const [body] = await t.client.doAction('healthcheck');
    assert.equal(JSON.parse(Buffer.from(body).toString()).status, 'ok');
  });
});
