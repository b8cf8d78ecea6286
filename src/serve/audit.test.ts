// The server writes the audit log: logins and failures, logouts, API tokens
// and membership changes, each entry durable before the answer; the log
// then verifies with the same check as `skyfuse audit --verify`.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AuditLog, verifyAuditLog, type AuditSink } from '../coalition/audit.ts';
import { parseCoalition } from '../coalition/coalition.ts';
import { AudienceFusion } from '../coalition/fusion.ts';
import { InProcessBus } from '../core/bus.ts';
import { Membership } from './membership.ts';
import { startServer } from './server.ts';
import { UserDirectory } from './users.ts';

const PASSWORD = 'correct horse battery staple';
const coalition = parseCoalition({
  partners: [{ id: 'AAA', name: 'Alpha', status: 'member' }, { id: 'BBB', name: 'Bravo', status: 'member' }],
  sensors: [],
});

async function setup(audit: AuditSink) {
  const bus = new InProcessBus();
  const fusion = new AudienceFusion(coalition, { periodS: 1, reorderWindowS: 1 }, () => {});
  const membership = new Membership(coalition, fusion);
  const users = new UserDirectory();
  await users.add({ username: 'alice', partnerId: 'AAA', role: 'partner-admin' }, PASSWORD);
  await users.add({ username: 'chief', partnerId: 'BBB', role: 'coalition-admin' }, PASSWORD);
  const server = await startServer({ host: '127.0.0.1', port: 0, bus, membership, users, audit });
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const r = await fetch(server.url + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: r.status === 204 ? null : ((await r.json()) as Record<string, unknown>) };
  };
  return { server, call };
}

test('logins, failures, tokens, membership changes and logouts are audited, and the log verifies', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'skyfuse-audit-')), 'audit.log');
  const audit = await AuditLog.open(file);
  const { server, call } = await setup(audit);
  try {
    assert.equal((await call('POST', 'api/login', undefined, { username: 'alice', password: 'wrong' })).status, 401);
    const alice = (await call('POST', 'api/login', undefined, { username: 'alice', password: PASSWORD })).body!.token as string;
    const chief = (await call('POST', 'api/login', undefined, { username: 'chief', password: PASSWORD })).body!.token as string;
    const tok = await call('POST', 'api/tokens', alice, { label: 'feed-1' });
    assert.equal(tok.status, 201);
    assert.equal((await call('DELETE', `api/tokens/${tok.body!.id as string}`, alice)).status, 204);
    assert.equal((await call('PUT', 'api/partners/AAA/status', chief, { status: 'suspended' })).status, 200);
    assert.equal((await call('POST', 'api/logout', chief)).status, 204);
  } finally {
    await server.close();
    await audit.close();
  }
  const r = verifyAuditLog(file);
  assert.equal(r.ok, true, r.reason ?? '');
  const { readFileSync } = await import('node:fs');
  const entries = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; actor: { user: string } | null; details: Record<string, unknown> });
  assert.deepEqual(entries.map((e) => e.kind), ['login-failed', 'login', 'login', 'token-issued', 'token-revoked', 'membership-change', 'logout']);
  assert.equal(entries[0]!.actor, null);
  assert.equal(entries[0]!.details.username, 'alice');
  assert.deepEqual(entries[5]!.details, { partner: 'AAA', from: 'member', to: 'suspended' });
  assert.equal(entries[5]!.actor!.user, 'chief');
  // No secret ever reaches the log.
  assert.doesNotMatch(readFileSync(file, 'utf8'), new RegExp(PASSWORD));
});

test('when the audit log cannot be written, a login is refused (503) and no session is left behind', async () => {
  const failing: AuditSink = { append: async () => { throw new Error('disk full'); } };
  const { server, call } = await setup(failing);
  try {
    const r = await call('POST', 'api/login', undefined, { username: 'alice', password: PASSWORD });
    assert.equal(r.status, 503);
    assert.equal(r.body!.error, 'SKY_AUDIT_WRITE');
    assert.equal(r.body!.token, undefined);
  } finally {
    await server.close();
  }
});
