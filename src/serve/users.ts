// People and sessions. A user belongs to one partner and has one role;
// passwords are stored only as scrypt hashes with a per-user salt and
// compared in constant time. Logging in yields a random session token that
// lives server-side (this registry) and expires; machine feeds get API
// tokens through the same mechanism. Tokens are kept only as SHA-256
// digests, so a dump of the registry cannot be replayed.
//
// Nothing here is a module global: the server owns one UserDirectory and one
// SessionStore, and the clock and random source are injected.

import { createHash, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { SkyError } from '../core/errors.ts';

export type Role = 'operator' | 'partner-admin' | 'coalition-admin';
export const ROLES: readonly Role[] = ['operator', 'partner-admin', 'coalition-admin'];

/** scrypt cost. N = 2^15, r = 8 needs 32 MiB and about 0.1 s here: slow for guessing, fine for a login. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}
export const DEFAULT_SCRYPT: ScryptParams = { N: 1 << 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Shorter passwords are refused when an account is created. */
export const MIN_PASSWORD_CHARS = 12;
const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export interface User {
  readonly username: string;
  readonly partnerId: string;
  readonly role: Role;
}

interface StoredUser extends User {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly params: ScryptParams;
}

function scryptAsync(password: BinaryLike, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const opts: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export class UserDirectory {
  private readonly users = new Map<string, StoredUser>();
  /** Hashed on a miss, so an unknown username costs as long as a wrong password. */
  private readonly dummy: Promise<StoredUser>;

  constructor(
    private readonly params: ScryptParams = DEFAULT_SCRYPT,
    private readonly random: (n: number) => Buffer = randomBytes,
  ) {
    const salt = this.random(SALT_BYTES);
    this.dummy = scryptAsync(this.random(24), salt, params).then((hash) => ({ username: '', partnerId: '', role: 'operator', salt, hash, params }));
    this.dummy.catch(() => {});
  }

  /** Adds an account; throws SKY_USER_INVALID for a bad name, role or a short password. */
  async add(u: User, password: string): Promise<User> {
    if (!USERNAME_RE.test(u.username)) throw new SkyError('SKY_USER_INVALID', `username "${u.username}" must be 2..64 characters of a-z 0-9 . _ - starting with a letter or digit`);
    if (!ROLES.includes(u.role)) throw new SkyError('SKY_USER_INVALID', `role "${u.role}" must be one of ${ROLES.join(', ')}`);
    if (password.length < MIN_PASSWORD_CHARS) throw new SkyError('SKY_USER_INVALID', `the password of ${u.username} must be at least ${MIN_PASSWORD_CHARS} characters`);
    if (this.users.has(u.username)) throw new SkyError('SKY_USER_INVALID', `user ${u.username} already exists`);
    const salt = this.random(SALT_BYTES);
    const hash = await scryptAsync(password.normalize('NFC'), salt, this.params);
    const stored: StoredUser = { username: u.username, partnerId: u.partnerId, role: u.role, salt, hash, params: this.params };
    this.users.set(u.username, stored);
    return { username: u.username, partnerId: u.partnerId, role: u.role };
  }

  /** The user when the password is right, else null; takes the same time for an unknown user. */
  async verify(username: string, password: string): Promise<User | null> {
    const known = this.users.get(username);
    const u = known ?? (await this.dummy);
    const got = await scryptAsync(password.normalize('NFC'), u.salt, u.params);
    const ok = timingSafeEqual(got, u.hash);
    return ok && known ? { username: known.username, partnerId: known.partnerId, role: known.role } : null;
  }

  /** Removes an account; false when there was none. */
  remove(username: string): boolean {
    return this.users.delete(username);
  }

  /** Replaces an account's password (new salt); throws SKY_USER_INVALID for an unknown user or a short password. */
  async setPassword(username: string, password: string): Promise<void> {
    const u = this.users.get(username);
    if (!u) throw new SkyError('SKY_USER_INVALID', `no user ${username}`);
    if (password.length < MIN_PASSWORD_CHARS) throw new SkyError('SKY_USER_INVALID', `the password of ${username} must be at least ${MIN_PASSWORD_CHARS} characters`);
    const salt = this.random(SALT_BYTES);
    const hash = await scryptAsync(password.normalize('NFC'), salt, this.params);
    this.users.set(username, { ...u, salt, hash, params: this.params });
  }

  /** Every account as stored: scrypt parameters, salt and hash, never a password (for an accounts file). */
  records(): StoredAccount[] {
    return [...this.users.values()].map((u) => ({
      username: u.username, partner: u.partnerId, role: u.role,
      scrypt: { N: u.params.N, r: u.params.r, p: u.params.p }, salt: u.salt.toString('base64'), hash: u.hash.toString('base64'),
    }));
  }

  /** Adds an account from its stored form (an accounts file); throws SKY_USER_INVALID when it is malformed. */
  addStored(a: StoredAccount): void {
    if (!USERNAME_RE.test(a.username)) throw new SkyError('SKY_USER_INVALID', `username "${a.username}" must be 2..64 characters of a-z 0-9 . _ - starting with a letter or digit`);
    if (!ROLES.includes(a.role)) throw new SkyError('SKY_USER_INVALID', `role "${a.role}" of ${a.username} must be one of ${ROLES.join(', ')}`);
    if (this.users.has(a.username)) throw new SkyError('SKY_USER_INVALID', `user ${a.username} appears twice`);
    const { N, r, p } = a.scrypt;
    // Bounds keep a tampered file from asking for gigabytes of scrypt memory.
    if (!Number.isInteger(N) || N < 1024 || N > 1 << 20 || (N & (N - 1)) !== 0 || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) {
      throw new SkyError('SKY_USER_INVALID', `scrypt parameters of ${a.username} are out of range (N a power of two 2^10..2^20, r 1..32, p 1..16)`);
    }
    const salt = Buffer.from(a.salt, 'base64');
    const hash = Buffer.from(a.hash, 'base64');
    if (salt.length < 16 || hash.length !== KEY_BYTES) throw new SkyError('SKY_USER_INVALID', `salt or hash of ${a.username} is malformed (base64, salt >= 16 bytes, hash ${KEY_BYTES} bytes)`);
    this.users.set(a.username, { username: a.username, partnerId: a.partner, role: a.role, salt, hash, params: { N, r, p } });
  }

  get(username: string): User | undefined {
    const u = this.users.get(username);
    return u ? { username: u.username, partnerId: u.partnerId, role: u.role } : undefined;
  }

  list(): User[] {
    return [...this.users.values()].map((u) => ({ username: u.username, partnerId: u.partnerId, role: u.role }));
  }
}

/** An account as an accounts file holds it: the scrypt hash and its salt (base64), never the password. */
export interface StoredAccount {
  readonly username: string;
  readonly partner: string;
  readonly role: Role;
  readonly scrypt: ScryptParams;
  readonly salt: string;
  readonly hash: string;
}

/** A random password for a demo account: 96 bits, base64url (16 characters). */
export function randomPassword(random: (n: number) => Buffer = randomBytes): string {
  return random(12).toString('base64url');
}

export type SessionKind = 'login' | 'api' | 'demo';

export interface Session {
  /** Public handle (never the token): names the session in lists and logs. */
  readonly id: string;
  readonly kind: SessionKind;
  /** The user, the API token's label, or the demo session's name. */
  readonly subject: string;
  readonly partnerId: string;
  readonly role: Role;
  readonly createdS: number;
  /** Infinity for the demo session, which lives as long as the process. */
  readonly expiresS: number;
}

export type Lookup =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' | 'revoked'; readonly code?: string };

/** Login sessions last a working shift; API tokens until their holder replaces them. */
export const LOGIN_TTL_S = 12 * 3600;
export const API_TOKEN_TTL_S = 90 * 86400;
/** How long a revoked session is remembered, so its holder is told why. */
const TOMBSTONE_S = 24 * 3600;

const digest = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

export class SessionStore {
  private readonly live = new Map<string, Session>();
  private readonly liveSet = new Set<Session>();
  private readonly revoked = new Map<string, { code: string; untilS: number }>();

  constructor(
    private readonly now: () => number = () => Date.now() / 1000,
    private readonly random: (n: number) => Buffer = randomBytes,
  ) {}

  /** A new session and its token (256 random bits, base64url). The token is returned once and never stored. */
  issue(s: Omit<Session, 'id' | 'createdS' | 'expiresS'> & { ttlS: number }, token?: string): { token: string; session: Session } {
    const t = token ?? this.random(32).toString('base64url');
    const nowS = this.now();
    const session: Session = {
      id: this.random(9).toString('base64url'),
      kind: s.kind, subject: s.subject, partnerId: s.partnerId, role: s.role,
      createdS: nowS, expiresS: nowS + s.ttlS,
    };
    const key = digest(t);
    if (this.live.has(key)) throw new SkyError('SKY_SESSION_DUPLICATE', 'this token is already in use; choose another');
    this.revoked.delete(key);
    this.live.set(key, session);
    this.liveSet.add(session);
    return { token: t, session };
  }

  lookup(token: string | null): Lookup {
    if (token === null) return { ok: false, reason: 'unknown' };
    const key = digest(token);
    const s = this.live.get(key);
    const nowS = this.now();
    if (s) {
      if (nowS < s.expiresS) return { ok: true, session: s };
      this.live.delete(key);
      this.liveSet.delete(s);
      return { ok: false, reason: 'expired' };
    }
    const r = this.revoked.get(key);
    if (r && nowS < r.untilS) return { ok: false, reason: 'revoked', code: r.code };
    if (r) this.revoked.delete(key);
    return { ok: false, reason: 'unknown' };
  }

  /** Is this session still live (not revoked, not expired)? */
  isLive(s: Session): boolean {
    return this.liveSet.has(s) && this.now() < s.expiresS;
  }

  /** Ends the session of this token (logout). */
  revokeToken(token: string, code: string): Session | null {
    const key = digest(token);
    const s = this.live.get(key) ?? null;
    if (s) this.tombstone(key, code);
    return s;
  }

  /** Ends the session with this public id (an API token being replaced). */
  revokeId(id: string, code: string): Session | null {
    for (const [k, s] of this.live) {
      if (s.id === id) {
        this.tombstone(k, code);
        return s;
      }
    }
    return null;
  }

  /** Ends every session of a partner (withdrawal); returns how many. */
  revokePartner(partnerId: string, code: string): number {
    let n = 0;
    for (const [k, s] of this.live) {
      if (s.partnerId === partnerId) {
        this.tombstone(k, code);
        n++;
      }
    }
    return n;
  }

  /** Live sessions, for administrators (no tokens). */
  list(): Session[] {
    const nowS = this.now();
    return [...this.live.values()].filter((s) => nowS < s.expiresS);
  }

  private tombstone(key: string, code: string): void {
    const s = this.live.get(key);
    if (s) this.liveSet.delete(s);
    this.live.delete(key);
    this.revoked.set(key, { code, untilS: this.now() + TOMBSTONE_S });
  }
}
