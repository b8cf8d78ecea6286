import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { DEFAULT_SCRYPT, SessionStore, UserDirectory, randomPassword } from './users.ts';

/** The directory's stored records, read for the checks a person would make by hand. */
const stored = (d: UserDirectory) =>
  (d as unknown as { users: Map<string, { salt: Buffer; hash: Buffer; params: { N: number; r: number; p: number } }> }).users;

describe('users: accounts and passwords', () => {
  test('a password is stored as scrypt(password, 16-byte per-user salt), N=2^15 r=8 p=1, never as text', async () => {
    const d = new UserDirectory();
    await d.add({ username: 'anna', partnerId: 'EGY', role: 'operator' }, 'same password for both');
    await d.add({ username: 'omar', partnerId: 'JOR', role: 'partner-admin' }, 'same password for both');
    const a = stored(d).get('anna')!;
    const o = stored(d).get('omar')!;
    assert.deepEqual(a.params, { N: 32768, r: 8, p: 1 });
    assert.equal(a.salt.length, 16);
    assert.notDeepEqual(a.salt, o.salt);
    assert.notDeepEqual(a.hash, o.hash, 'equal passwords give different hashes');
    // An independent computation with node's synchronous scrypt gives the stored hash.
    assert.deepEqual(a.hash, scryptSync('same password for both', a.salt, 32, { ...DEFAULT_SCRYPT, maxmem: 64 * 1024 * 1024 }));
    assert.ok(!JSON.stringify([...stored(d).values()]).includes('same password'));
  });

  test('verify: the right password gives the user; a wrong one or an unknown user gives null', async () => {
    const d = new UserDirectory();
    await d.add({ username: 'anna', partnerId: 'EGY', role: 'coalition-admin' }, 'Ärger im Büro 2025');
    assert.deepEqual(await d.verify('anna', 'Ärger im Büro 2025'), { username: 'anna', partnerId: 'EGY', role: 'coalition-admin' });
    // NFC and NFD spellings of the same text are the same password.
    assert.ok(await d.verify('anna', 'Ärger im Büro 2025'.normalize('NFD')));
    assert.equal(await d.verify('anna', 'ärger im büro 2025'), null);
    assert.equal(await d.verify('anna', ''), null);
    assert.equal(await d.verify('nobody', 'Ärger im Büro 2025'), null);
  });

  test('refused: a short password, a bad username, an unknown role, a duplicate', async () => {
    const d = new UserDirectory();
    await assert.rejects(d.add({ username: 'anna', partnerId: 'EGY', role: 'operator' }, 'short'), { code: 'SKY_USER_INVALID' });
    await assert.rejects(d.add({ username: 'Anna Smith', partnerId: 'EGY', role: 'operator' }, 'long enough password'), { code: 'SKY_USER_INVALID' });
    await assert.rejects(d.add({ username: 'anna', partnerId: 'EGY', role: 'root' as 'operator' }, 'long enough password'), { code: 'SKY_USER_INVALID' });
    await d.add({ username: 'anna', partnerId: 'EGY', role: 'operator' }, 'long enough password');
    await assert.rejects(d.add({ username: 'anna', partnerId: 'JOR', role: 'operator' }, 'long enough password'), { code: 'SKY_USER_INVALID' });
    assert.deepEqual(d.list(), [{ username: 'anna', partnerId: 'EGY', role: 'operator' }]);
  });

  test('demo passwords: 16 characters, 96 random bits', () => {
    const p = randomPassword();
    assert.match(p, /^[A-Za-z0-9_-]{16}$/);
    assert.notEqual(p, randomPassword());
  });
});

describe('users: sessions', () => {
  const session = { kind: 'login' as const, subject: 'anna', partnerId: 'EGY', role: 'operator' as const };

  test('a session token is 256 random bits, kept only as a digest, and expires on the injected clock', () => {
    let now = 1000;
    const s = new SessionStore(() => now);
    const { token, session: made } = s.issue({ ...session, ttlS: 60 });
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(made.expiresS, 1060);
    const keys = [...(s as unknown as { live: Map<string, unknown> }).live.keys()];
    assert.ok(!keys.includes(token), 'the token itself is not stored');
    assert.equal(s.lookup(token).ok, true);
    assert.equal(s.isLive(made), true);
    now = 1059.9;
    assert.equal(s.lookup(token).ok, true);
    now = 1060;
    assert.deepEqual(s.lookup(token), { ok: false, reason: 'expired' });
    assert.equal(s.isLive(made), false);
    assert.deepEqual(s.lookup('x'.repeat(43)), { ok: false, reason: 'unknown' });
    assert.deepEqual(s.lookup(null), { ok: false, reason: 'unknown' });
  });

  test('logout and withdrawal revoke; the holder is told why; other partners keep theirs', () => {
    const s = new SessionStore(() => 0);
    const a = s.issue({ ...session, ttlS: 60 });
    const b = s.issue({ ...session, subject: 'anna2', ttlS: 60 });
    const j = s.issue({ ...session, partnerId: 'JOR', ttlS: 60 });
    assert.equal(s.revokeToken(a.token, 'SKY_LOGGED_OUT')?.id, a.session.id);
    assert.deepEqual(s.lookup(a.token), { ok: false, reason: 'revoked', code: 'SKY_LOGGED_OUT' });
    assert.equal(s.revokePartner('EGY', 'SKY_PARTNER_WITHDRAWN'), 1);
    assert.deepEqual(s.lookup(b.token), { ok: false, reason: 'revoked', code: 'SKY_PARTNER_WITHDRAWN' });
    assert.equal(s.lookup(j.token).ok, true);
    assert.deepEqual(s.list().map((x) => x.partnerId), ['JOR']);
    assert.equal(s.revokeId(j.session.id, 'SKY_TOKEN_REVOKED')?.id, j.session.id);
    assert.equal(s.list().length, 0);
  });

  test('a chosen token (the printed demo session) cannot be issued twice', () => {
    const s = new SessionStore(() => 0);
    s.issue({ ...session, kind: 'demo', ttlS: Infinity }, 'demo-token-0123456789');
    assert.throws(() => s.issue({ ...session, ttlS: 1 }, 'demo-token-0123456789'), { code: 'SKY_SESSION_DUPLICATE' });
    assert.equal(s.lookup('demo-token-0123456789').ok, true);
  });
});
