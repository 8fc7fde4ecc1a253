// The client's Handshake against a server with auth on (Flight's basic → bearer exchange, as
// pyarrow's authenticate_basic_token does it): refused without a token, refused with a wrong
// password, then every RPC (DoGet included) works with the bearer token the server issued.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClientError, FlightClient, Status } from '../../client/flight-client.ts';
import { Authenticator } from '../../server/protocol/auth.ts';
import { tokenKeyFrom } from '../../server/protocol/auth-token.ts';
import { Credentials } from '../../server/protocol/auth-users.ts';
import { randomTicketKey } from '../../server/protocol/ticket.ts';
import { startTestServer, type TestServer } from './server-fixture.ts';

const TOKEN_TTL_SECONDS = 60;
let t: TestServer;

before(async () => {
  const ticketKey = randomTicketKey();
  const auth = new Authenticator({ credentials: new Credentials().addUserList('alice:secret'), tokenKey: tokenKeyFrom(ticketKey), tokenTtlSeconds: TOKEN_TTL_SECONDS });
  t = await startTestServer([], { ticketKey, auth });
});
after(() => t.stop());

const unauthenticated = (err: unknown) => err instanceof ClientError && err.code === Status.UNAUTHENTICATED;

test('without a token every call is UNAUTHENTICATED', async () => {
  await assert.rejects(t.connect().listFlights(), unauthenticated);
});

test('a wrong password fails the handshake', async () => {
  await assert.rejects(t.connect().handshake({ username: 'alice', password: 'wrong' }), unauthenticated);
});

test('handshake returns a bearer token the client then sends on every call, DoGet included', async () => {
  const client = t.connect();
  const token = await client.handshake({ username: 'alice', password: 'secret' });
  assert.ok(token && token.length > 0);
  assert.ok((await client.listFlights()).some((f) => f.descriptor.type === 'PATH' && f.descriptor.path[0] === 'fake'));
  const table = await client.readAll({ source: 'fake', options: { numRows: 20, numPartitions: 2 } });
  assert.equal(table.numRows, 20);
  const withToken: FlightClient = t.connect({ token });
  assert.equal((await withToken.getSchema({ type: 'PATH', path: ['fake'] })).fields.length, 4);
});
