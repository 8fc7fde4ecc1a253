// Flight authentication as pyarrow's client speaks it (issue 6 "Auth"; CONTEXT.md "Arrow Flight
// facts"): Handshake carries `authorization: Basic base64(user:password)` and answers with
// `authorization: Bearer <token>` in the response headers; every other call carries that bearer
// (or a static service token). The checks live here; call-guard.ts applies them to every handler.
import type { Metadata } from '@grpc/grpc-js';
import { ServerError } from '../errors.ts';
import { issueToken, verifyToken } from './auth-token.ts';
import type { Credentials } from './auth-users.ts';

export const AUTHORIZATION_HEADER = 'authorization';
const BASIC = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i;
const BEARER = /^bearer\s+(\S+)\s*$/i;

export interface AuthOptions {
  credentials: Credentials;
  /** Signs and verifies bearer tokens (auth-token.ts tokenKeyFrom). */
  tokenKey: Uint8Array;
  tokenTtlSeconds: number;
  /** Clock for tests; ms since the epoch. */
  now?: () => number;
}

export interface HandshakeOutcome {
  principal: string;
  /** The `Bearer …` header value to send back, when a new token was issued. */
  bearer?: string;
}

const unauthenticated = (why: string) => new ServerError('unauthenticated', why);

function header(metadata: Metadata): string | undefined {
  const values = metadata.get(AUTHORIZATION_HEADER);
  if (values.length > 1) throw unauthenticated('more than one authorization header');
  const value = values[0];
  return typeof value === 'string' ? value : value?.toString('utf8');
}

export class Authenticator {
  private readonly options: AuthOptions;

  constructor(options: AuthOptions) {
    this.options = options;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Every call but Handshake: the principal behind a valid bearer token, else UNAUTHENTICATED. */
  authorize(metadata: Metadata): string {
    const value = header(metadata);
    if (value === undefined) throw unauthenticated('authentication required: call Handshake with basic credentials, then send "authorization: Bearer <token>"');
    const bearer = BEARER.exec(value);
    if (!bearer) throw unauthenticated('authorization header must be "Bearer <token>" (basic credentials go to Handshake)');
    return this.principalOf(bearer[1]);
  }

  private principalOf(token: string): string {
    const staticIndex = this.options.credentials.staticTokenIndex(token);
    if (staticIndex >= 0) return `token#${staticIndex + 1}`;
    const check = verifyToken(token, this.options.tokenKey, this.now());
    if (!check.ok) throw unauthenticated(`invalid bearer token: ${check.reason}`);
    return check.claims.sub;
  }

  /** Handshake: basic credentials earn a fresh token; a valid bearer is accepted as it is. */
  async handshake(metadata: Metadata): Promise<HandshakeOutcome> {
    const value = header(metadata);
    if (value === undefined) throw unauthenticated('Handshake needs "authorization: Basic base64(user:password)"');
    if (BEARER.test(value)) return { principal: this.authorize(metadata) };
    const basic = BASIC.exec(value);
    if (!basic) throw unauthenticated('authorization header must be "Basic base64(user:password)" or "Bearer <token>"');
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const [user, password] = colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (!(await this.options.credentials.verifyPassword(user, password))) throw unauthenticated('wrong user name or password');
    const token = issueToken(user, this.options.tokenTtlSeconds, this.options.tokenKey, this.now());
    return { principal: user, bearer: `Bearer ${token}` };
  }
}
