// zipflight Tickets (Flight.proto `Ticket`: opaque bytes the server hands out and gets back on
// DoGet). Ours are `base64url(JSON {v:1, source, path, options, spec}) "." base64url(HMAC-SHA256)`:
// versioned, signed with the server's key, and parsed strictly. DoGet still re-validates.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ServerError, invalidArgument } from '../errors.ts';
import type { ReadRequest } from './descriptor.ts';

export const TICKET_VERSION = 1;
const MAC_ALGORITHM = 'sha256';
const MAC_BYTES = 32;
const SEPARATOR = '.';
/** Bigger than any ticket we issue; refuses absurd input before decoding it. */
const MAX_TICKET_BYTES = 64 * 1024;
const TICKET_KEYS = ['v', 'source', 'path', 'options', 'spec'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface TicketContents extends ReadRequest {
  /** The partition's source-specific spec, as the source's describe() produced it. */
  spec: unknown;
}

/** A fresh random key: tickets then only work on the process that issued them. */
export const randomTicketKey = (): Buffer => randomBytes(MAC_BYTES);

const mac = (key: Uint8Array, payload: string) => createHmac(MAC_ALGORITHM, key).update(payload).digest();

export function encodeTicket(contents: TicketContents, key: Uint8Array): Buffer {
  const { source, path, options, spec } = contents;
  const payload = Buffer.from(JSON.stringify({ v: TICKET_VERSION, source, path, options, spec })).toString('base64url');
  return Buffer.from(`${payload}${SEPARATOR}${mac(key, payload).toString('base64url')}`, 'ascii');
}

const malformed = (why: string) => invalidArgument(`malformed ticket: ${why}`);

export function decodeTicket(ticket: Uint8Array, key: Uint8Array): TicketContents {
  if (ticket.byteLength === 0) throw malformed('empty');
  if (ticket.byteLength > MAX_TICKET_BYTES) throw malformed(`longer than ${MAX_TICKET_BYTES} bytes`);
  const text = Buffer.from(ticket.buffer, ticket.byteOffset, ticket.byteLength).toString('latin1');
  const parts = text.split(SEPARATOR);
  if (parts.length !== 2 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1])) throw malformed('not a zipflight ticket');
  const [payload, signature] = parts;
  const given = Buffer.from(signature, 'base64url');
  if (given.byteLength !== MAC_BYTES) throw malformed('bad signature length');
  if (!timingSafeEqual(given, mac(key, payload))) {
    throw new ServerError('permission-denied', 'ticket signature does not match: it was not issued by this server (or its key changed)');
  }
  return checkContents(Buffer.from(payload, 'base64url').toString('utf8'));
}

function checkContents(json: string): TicketContents {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw malformed('payload is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('payload is not an object');
  const t = value as Record<string, unknown>;
  const extra = Object.keys(t).filter((k) => !TICKET_KEYS.includes(k));
  if (extra.length) throw malformed(`unknown field(s) ${extra.join(', ')}`);
  if (t.v !== TICKET_VERSION) throw malformed(`version ${JSON.stringify(t.v)} is not supported (expected ${TICKET_VERSION})`);
  if (typeof t.source !== 'string' || t.source === '') throw malformed('source missing');
  if (typeof t.path !== 'string') throw malformed('path missing');
  if (typeof t.options !== 'object' || t.options === null || Array.isArray(t.options)) throw malformed('options missing');
  if (!('spec' in t)) throw malformed('spec missing');
  return { source: t.source, path: t.path, options: t.options as Record<string, unknown>, spec: t.spec };
}
