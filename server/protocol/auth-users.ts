// Who may connect (issue 6 "Auth"): users with a password or a bcrypt hash (from ZIPFLIGHT_USERS
// and --users-file) and static service tokens (ZIPFLIGHT_TOKENS). Every secret comparison is
// constant-time over SHA-256 digests, and an unknown user costs the same as a wrong password.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** bcrypt's modular-crypt prefixes ($2a$, $2b$, $2y$) followed by the cost. */
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** Offset of the two-digit cost in a modular-crypt bcrypt hash: `$2b$` then `NN`. */
const BCRYPT_COST_AT = 4;
const DECOY_BYTES = 32;

type Secret = { kind: 'password'; digest: Buffer } | { kind: 'bcrypt'; hash: string };

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
const sameDigest = (a: Buffer, b: Buffer) => timingSafeEqual(a, b);

export class UserParseError extends Error {}

/** A `user:secret` entry; the secret is everything after the first colon (it may hold colons). */
function parseEntry(entry: string, where: string): [string, Secret] {
  const colon = entry.indexOf(':');
  if (colon <= 0 || colon === entry.length - 1) throw new UserParseError(`${where}: expected user:password or user:bcrypt-hash`);
  const user = entry.slice(0, colon);
  const secret = entry.slice(colon + 1);
  return [user, BCRYPT_HASH.test(secret) ? { kind: 'bcrypt', hash: secret } : { kind: 'password', digest: digest(secret) }];
}

export class Credentials {
  private readonly users = new Map<string, Secret>();
  private readonly tokens: Buffer[] = [];
  /** Compared against when the user is unknown, so the answer takes as long as a wrong password. */
  private readonly decoy = digest(randomBytes(DECOY_BYTES).toString('hex'));
  /** With bcrypt users, unknown users cost a bcrypt compare too (made on first need). */
  private decoyHash?: string;

  /** `alice:secret,bob:pw` (ZIPFLIGHT_USERS). */
  addUserList(list: string, where = 'ZIPFLIGHT_USERS'): this {
    list.split(',').map((s) => s.trim()).filter(Boolean).forEach((entry, i) => this.addUser(parseEntry(entry, `${where} entry ${i + 1}`)));
    return this;
  }

  /** A users file: one `user:password` or `user:bcrypt-hash` a line; blank lines and `#` comments skipped. */
  addUsersFile(text: string, where: string): this {
    text.split(/\r?\n/).forEach((line, i) => {
      const entry = line.trim();
      if (entry !== '' && !entry.startsWith('#')) this.addUser(parseEntry(entry, `${where} line ${i + 1}`));
    });
    return this;
  }

  /** `tok1,tok2` (ZIPFLIGHT_TOKENS): bearer tokens that never expire, for services. */
  addStaticTokens(list: string): this {
    for (const token of list.split(',').map((s) => s.trim()).filter(Boolean)) this.tokens.push(digest(token));
    return this;
  }

  private addUser([user, secret]: [string, Secret]): void {
    if (this.users.has(user)) throw new UserParseError(`user '${user}' is defined twice`);
    this.users.set(user, secret);
  }

  /** Auth is on as soon as any user or static token is configured. */
  get enabled(): boolean {
    return this.users.size > 0 || this.tokens.length > 0;
  }

  get userCount(): number {
    return this.users.size;
  }

  async verifyPassword(user: string, password: string): Promise<boolean> {
    const secret = this.users.get(user);
    if (secret?.kind === 'bcrypt') return bcrypt.compare(password, secret.hash);
    if (secret === undefined && this.bcryptCost() !== undefined) {
      this.decoyHash ??= bcrypt.hashSync(randomBytes(DECOY_BYTES).toString('hex'), this.bcryptCost());
      await bcrypt.compare(password, this.decoyHash);
      return false;
    }
    const ok = sameDigest(digest(password), secret?.digest ?? this.decoy);
    return ok && secret !== undefined;
  }

  /** The cost of the first bcrypt user's hash ($2b$NN$...), if there is one. */
  private bcryptCost(): number | undefined {
    for (const s of this.users.values()) if (s.kind === 'bcrypt') return Number(s.hash.slice(BCRYPT_COST_AT, BCRYPT_COST_AT + 2));
    return undefined;
  }

  /** Index of the matching static token, or -1. Every token is compared, matched or not. */
  staticTokenIndex(token: string): number {
    const given = digest(token);
    let found = -1;
    this.tokens.forEach((t, i) => {
      if (sameDigest(given, t) && found < 0) found = i;
    });
    return found;
  }
}
