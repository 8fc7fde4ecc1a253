// Bearer tokens that Handshake hands out (issue 6 "Auth"; Flight's basic → bearer exchange as
// pyarrow's authenticate_basic_token speaks it). A token is `zf1.base64url(JSON {sub, exp}).
// base64url(HMAC-SHA256)`: signed with a key derived from the ticket key, checked on every call.
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'zf1';
const MAC_ALGORITHM = 'sha256';
const MAC_BYTES = 32;
/** Domain separation: a ticket's MAC can never pass as a token's, though one secret feeds both. */
const TOKEN_KEY_LABEL = 'zipflight bearer token v1';
/** Far longer than any token we issue: refuses absurd headers before any work. */
const MAX_TOKEN_CHARS = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MS_PER_S = 1000;

export interface TokenClaims {
  /** The user the token was issued to. */
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

/** The token signing key: derived from the ticket key, so ZIPFLIGHT_TICKET_KEY shares both. */
export const tokenKeyFrom = (ticketKey: Uint8Array): Buffer => createHmac(MAC_ALGORITHM, ticketKey).update(TOKEN_KEY_LABEL).digest();

const mac = (key: Uint8Array, payload: string) => createHmac(MAC_ALGORITHM, key).update(`${PREFIX}.${payload}`).digest();

export function issueToken(user: string, ttlSeconds: number, key: Uint8Array, nowMs = Date.now()): string {
  const claims: TokenClaims = { sub: user, exp: Math.floor(nowMs / MS_PER_S) + ttlSeconds };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${PREFIX}.${payload}.${mac(key, payload).toString('base64url')}`;
}

export function verifyToken(token: string, key: Uint8Array, nowMs = Date.now()): TokenCheck {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'token too long' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !BASE64URL.test(parts[1]) || !BASE64URL.test(parts[2])) return { ok: false, reason: 'not a zipflight token' };
  const given = Buffer.from(parts[2], 'base64url');
  if (given.byteLength !== MAC_BYTES || !timingSafeEqual(given, mac(key, parts[1]))) return { ok: false, reason: 'bad token signature' };
  let claims: Partial<TokenClaims>;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad token payload' };
  }
  if (typeof claims?.sub !== 'string' || typeof claims.exp !== 'number') return { ok: false, reason: 'bad token payload' };
  if (claims.exp * MS_PER_S <= nowMs) return { ok: false, reason: 'token expired' };
  return { ok: true, claims: { sub: claims.sub, exp: claims.exp } };
}
