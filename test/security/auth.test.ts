// Authentication: bearer tokens (signed, expiring, tamper-evident), the credential store (plain
// and bcrypt users, static tokens, file format), and the Handshake → bearer exchange through a
// real server with a raw gRPC client: every call but Handshake needs a valid bearer, checked on
// every call; health probes need none. pyarrow's side is in test/python/security.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import bcrypt from 'bcryptjs';
import { Authenticator } from '../../server/protocol/auth.ts';
import { issueToken, tokenKeyFrom, verifyToken } from '../../server/protocol/auth-token.ts';
import { Credentials, UserParseError } from '../../server/protocol/auth-users.ts';
import { encodeTicket, randomTicketKey } from '../../server/protocol/ticket.ts';
import { cmd, healthClient, readStream, startOpsServer, unaryCall, type OpsServer } from '../ops/ops-fixture.ts';

const TTL_S = 60;
/** bcrypt's minimum cost: a real hash, cheap to check in tests. */
const BCRYPT_TEST_COST = 4;

describe('bearer tokens', () => {
  const key = tokenKeyFrom(randomTicketKey());
  const now = Date.parse('2026-01-01T00:00:00Z');

  test('a token verifies until it expires, then not', () => {
    const token = issueToken('alice', TTL_S, key, now);
    assert.deepEqual(verifyToken(token, key, now + 1000), { ok: true, claims: { sub: 'alice', exp: now / 1000 + TTL_S } });
    assert.deepEqual(verifyToken(token, key, now + TTL_S * 1000), { ok: false, reason: 'token expired' });
  });

  test('altered claims, another key, or a ticket passed off as a token are refused', () => {
    const token = issueToken('alice', TTL_S, key, now);
    const [prefix, , mac] = token.split('.');
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ sub: 'root', exp: now / 1000 + TTL_S })).toString('base64url')}.${mac}`;
    assert.equal(verifyToken(forged, key, now).ok, false);
    assert.equal(verifyToken(token, tokenKeyFrom(randomTicketKey()), now).ok, false);
    const ticketKey = randomTicketKey();
    const ticket = encodeTicket({ source: 'fake', path: '', options: {}, spec: {} }, ticketKey).toString();
    assert.equal(verifyToken(`zf1.${ticket}`, tokenKeyFrom(ticketKey), now).ok, false);
    assert.equal(verifyToken('x'.repeat(5000), key, now).ok, false);
  });
});

describe('credentials', () => {
  test('plain and bcrypt users; unknown users and wrong passwords fail alike', async () => {
    const hash = bcrypt.hashSync('hunter2', BCRYPT_TEST_COST);
    const c = new Credentials().addUserList('alice:secret, carol:a:b:c').addUsersFile(`# comment\n\nbob:${hash}\n`, 'users.txt');
    assert.equal(await c.verifyPassword('alice', 'secret'), true);
    assert.equal(await c.verifyPassword('alice', 'secreT'), false);
    assert.equal(await c.verifyPassword('carol', 'a:b:c'), true, 'passwords may contain colons');
    assert.equal(await c.verifyPassword('bob', 'hunter2'), true);
    assert.equal(await c.verifyPassword('bob', hash), false, 'the hash itself is no password');
    assert.equal(await c.verifyPassword('mallory', 'secret'), false);
    assert.equal(c.userCount, 3);
  });

  test('static tokens match exactly; no users and no tokens means auth off', () => {
    const c = new Credentials().addStaticTokens('tok-one,tok-two');
    assert.equal(c.staticTokenIndex('tok-two'), 1);
    assert.equal(c.staticTokenIndex('tok-tw'), -1);
    assert.equal(c.enabled, true);
    assert.equal(new Credentials().addUserList('').addStaticTokens(' , ').enabled, false);
  });

  test('malformed entries and duplicate users are refused with their line', () => {
    assert.throws(() => new Credentials().addUsersFile('alice:x\nnocolon\n', 'u.txt'), (e: Error) => e instanceof UserParseError && /u\.txt line 2/.test(e.message));
    assert.throws(() => new Credentials().addUserList('alice:x,alice:y'), /twice/);
    assert.throws(() => new Credentials().addUserList(':x'), UserParseError);
  });
});

describe('Handshake and bearer through a server', () => {
  let s: OpsServer;
  let clock = Date.now();
  before(async () => {
    const ticketKey = randomTicketKey();
    const credentials = new Credentials().addUserList('alice:secret').addStaticTokens('service-token');
    const auth = new Authenticator({ credentials, tokenKey: tokenKeyFrom(ticketKey), tokenTtlSeconds: TTL_S, now: () => clock });
    s = await startOpsServer({ auth, ticketKey });
  });
  after(() => s.stop());

  const withAuth = (value: string) => {
    const md = new grpc.Metadata();
    md.set('authorization', value);
    return md;
  };

  /** Handshake as pyarrow does it: the header, no messages; resolves the response headers. */
  function handshake(value: string): Promise<grpc.Metadata> {
    const call = (s.client.Handshake as (md: grpc.Metadata) => grpc.ClientDuplexStream<unknown, unknown>)(withAuth(value));
    return new Promise((resolve, reject) => {
      let headers = new grpc.Metadata();
      call.on('metadata', (md: grpc.Metadata) => (headers = md));
      call.on('data', () => undefined);
      call.on('error', reject);
      call.on('status', (st: grpc.StatusObject) => (st.code === grpc.status.OK ? resolve(headers) : reject(Object.assign(new Error(st.details), st))));
      call.end();
    });
  }

  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const listFlights = (md: grpc.Metadata) => readStream((s.client.ListFlights as (req: unknown, md: grpc.Metadata) => grpc.ClientReadableStream<unknown>)({ expression: Buffer.alloc(0) }, md));
  const unauthenticated = (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED;

  test('basic credentials earn a bearer token in the response headers; calls with it succeed', async () => {
    const headers = await handshake(basic('alice', 'secret'));
    const bearer = String(headers.get('authorization')[0]);
    assert.match(bearer, /^Bearer \S+$/);
    assert.ok((await listFlights(withAuth(bearer))).length > 0);
    const info = await unaryCall<{ endpoint: unknown[] }>(s.client, 'GetFlightInfo', cmd({ source: 'fake' }), withAuth(bearer));
    assert.equal(info.endpoint.length, 1);
    assert.equal(s.logs.at(-1)?.user, 'alice');
  });

  test('wrong password, unknown user, no header, basic outside Handshake, garbage bearer: UNAUTHENTICATED', async () => {
    await assert.rejects(handshake(basic('alice', 'wrong')), unauthenticated);
    await assert.rejects(handshake(basic('mallory', 'secret')), unauthenticated);
    await assert.rejects(listFlights(new grpc.Metadata()), unauthenticated);
    await assert.rejects(listFlights(withAuth(basic('alice', 'secret'))), unauthenticated);
    await assert.rejects(listFlights(withAuth('Bearer zf1.abc.def')), unauthenticated);
    await assert.rejects(unaryCall(s.client, 'GetFlightInfo', cmd({ source: 'fake' })), unauthenticated);
  });

  test('the token is checked on every call: once expired, the next call is refused', async () => {
    const bearer = String((await handshake(basic('alice', 'secret'))).get('authorization')[0]);
    await listFlights(withAuth(bearer));
    clock += (TTL_S + 1) * 1000;
    await assert.rejects(listFlights(withAuth(bearer)), (err: grpc.ServiceError) => unauthenticated(err) && /expired/.test(err.details));
  });

  test('a static service token works without Handshake', async () => {
    assert.ok((await listFlights(withAuth('Bearer service-token'))).length > 0);
    assert.equal(s.logs.at(-1)?.user, 'token#1');
  });

  test('health probes need no credentials', async () => {
    const health = healthClient(`127.0.0.1:${s.server.port}`);
    try {
      assert.deepEqual(await unaryCall(health, 'Check', { service: '' }), { status: 'SERVING' });
    } finally {
      health.close();
    }
  });
});
