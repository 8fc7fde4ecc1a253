// Ticket and FlightDescriptor parsing (server/protocol/ticket.ts, descriptor.ts): strict, versioned,
// signed; every malformed input is an INVALID_ARGUMENT ServerError and a forged one PERMISSION_DENIED.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { ServerError, type ErrorKind } from '../../server/errors.ts';
import { parseCommand, parseDescriptor, parsePath } from '../../server/protocol/descriptor.ts';
import { TICKET_VERSION, decodeTicket, encodeTicket, randomTicketKey } from '../../server/protocol/ticket.ts';

const key = randomTicketKey();
const contents = { source: 'zipdcm', path: 'studies/2024', options: { numPartitions: '4' }, spec: { archive: 'a.zip', members: [0, 10] } };

const kind = (expected: ErrorKind, pattern?: RegExp) => (err: unknown) =>
  err instanceof ServerError && err.kind === expected && (!pattern || pattern.test(err.message));

/** A ticket signed with `key` around any JSON payload, built here without encodeTicket. */
function signed(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return Buffer.from(`${body}.${createHmac('sha256', key).update(body).digest('base64url')}`);
}

describe('tickets', () => {
  test('round trip keeps source, path, options and spec', () => {
    assert.deepEqual(decodeTicket(encodeTicket(contents, key), key), contents);
  });

  test('a ticket from another key is PERMISSION_DENIED', () => {
    assert.throws(() => decodeTicket(encodeTicket(contents, randomTicketKey()), key), kind('permission-denied'));
  });

  test('a tampered payload is PERMISSION_DENIED', () => {
    const ticket = encodeTicket(contents, key).toString();
    const [payload, mac] = ticket.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), path: '../../etc' })).toString('base64url');
    assert.throws(() => decodeTicket(Buffer.from(`${forged}.${mac}`), key), kind('permission-denied'));
  });

  const malformed: [string, Uint8Array][] = [
    ['empty', new Uint8Array()],
    ['not a ticket', Buffer.from('hello')],
    ['three parts', Buffer.from('a.b.c')],
    ['binary junk', Uint8Array.from([0xff, 0x00, 0x2e, 0x80])],
    ['short signature', Buffer.from('eyJ2IjoxfQ.AAAA')],
    ['huge', Buffer.alloc(1 << 20, 0x61)],
    ['signed non-JSON', Buffer.from(`${Buffer.from('{').toString('base64url')}.${createHmac('sha256', key).update(Buffer.from('{').toString('base64url')).digest('base64url')}`)],
    ['signed array', signed([1, 2])],
    ['future version', signed({ ...contents, v: TICKET_VERSION + 1 })],
    ['unknown field', signed({ v: TICKET_VERSION, ...contents, admin: true })],
    ['no spec', signed({ v: TICKET_VERSION, source: 'fake', path: '', options: {} })],
    ['no source', signed({ v: TICKET_VERSION, path: '', options: {}, spec: null })],
    ['options not an object', signed({ v: TICKET_VERSION, source: 'fake', path: '', options: [], spec: null })],
  ];
  for (const [name, ticket] of malformed) {
    test(`malformed (${name}) is INVALID_ARGUMENT`, () => {
      assert.throws(() => decodeTicket(ticket, key), kind('invalid-argument', /malformed ticket/));
    });
  }

  test('a hand-signed valid payload decodes (the format is what the comment says)', () => {
    assert.deepEqual(decodeTicket(signed({ v: TICKET_VERSION, ...contents }), key), contents);
  });
});

describe('descriptors', () => {
  const cmd = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

  test('CMD: source, path and options; "", "." and absent path = the root', () => {
    assert.deepEqual(parseCommand(cmd({ source: 'zipcsv', path: 'labs', options: { header: 'true' } })), { source: 'zipcsv', path: 'labs', options: { header: 'true' } });
    for (const path of ['', '.', undefined, null]) assert.equal(parseCommand(cmd({ source: 'zipdcm', path })).path, '');
    assert.deepEqual(parseCommand(cmd({ source: 'fake' })).options, {});
  });

  test('PATH: [source, ...segments] with default options', () => {
    assert.deepEqual(parsePath(['zipdcm', 'studies', '2024']), { source: 'zipdcm', path: 'studies/2024', options: {} });
    assert.deepEqual(parsePath(['fake']), { source: 'fake', path: '', options: {} });
    assert.throws(() => parsePath([]), kind('invalid-argument'));
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['not JSON', cmd('{source: fake}'), /JSON/],
    ['not UTF-8', Uint8Array.from([0x7b, 0xff, 0x7d]), /UTF-8/],
    ['an array', cmd([1]), /object/],
    ['no source', cmd({ path: 'x' }), /source/],
    ['unknown key', cmd({ source: 'fake', numRows: 3 }), /numRows/],
    ['path not a string', cmd({ source: 'zipdcm', path: 3 }), /path/],
    ['options not an object', cmd({ source: 'fake', options: 'numRows=3' }), /options/],
  ];
  for (const [name, bytes, pattern] of bad) {
    test(`CMD ${name} is INVALID_ARGUMENT saying what is wrong`, () => {
      assert.throws(() => parseCommand(bytes), kind('invalid-argument', pattern));
    });
  }

  test('descriptor types: PATH and CMD by name or number; anything else is INVALID_ARGUMENT', () => {
    assert.equal(parseDescriptor({ type: 2, cmd: cmd({ source: 'fake' }), path: [] }).source, 'fake');
    assert.equal(parseDescriptor({ type: 'PATH', cmd: new Uint8Array(), path: ['fake'] }).source, 'fake');
    assert.throws(() => parseDescriptor({ type: 'UNKNOWN', cmd: new Uint8Array(), path: [] }), kind('invalid-argument'));
    assert.throws(() => parseDescriptor(null), kind('invalid-argument'));
  });
});
