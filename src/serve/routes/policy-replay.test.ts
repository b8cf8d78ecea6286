// Over `serve --replay` release rules follow the recording. A policy PUT is
// refused with 409 SKY_POLICY_READONLY BEFORE anything is audited, as other
// refused calls are (403, 400, 404: not audited): the replay's Membership
// says it takes no edits (releasesEditable false), instead of taking the
// audit entry and then refusing the change it records.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startReplay } from '../../app/replay.ts';
import { InProcessBus } from '../../core/bus.ts';
import { runLive } from '../../record/testing.ts';
import { startServer } from '../server.ts';
import { UserDirectory } from '../users.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-policy-replay-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = 'correct horse battery staple';

test('over a replay a policy change is refused (409 SKY_POLICY_READONLY) and not audited; the replay still follows recorded membership', async () => {
  const file = join(dir, 'rec.db');
  runLive({ durationS: 20, file, statusChanges: [{ atS: 5, partnerId: 'CYP', status: 'suspended' }] }).recorder!.close();
  const sys = await startReplay({ file, speed: 'max', host: '127.0.0.1', port: 0, log: () => {} });
  // The replay's own Membership behind a server with an audit log and a partner administrator (a replay's demo accounts have none).
  const users = new UserDirectory();
  await users.add({ username: 'egy-admin', partnerId: 'EGY', role: 'partner-admin' }, PASSWORD);
  const appended: string[] = [];
  const server = await startServer({
    host: '127.0.0.1', port: 0, bus: new InProcessBus(), membership: sys.membership, users,
    audit: { append: async (kind) => { appended.push(kind); return {} as never; } },
  });
  try {
    assert.equal(sys.membership.releasesEditable, false);
    const before = JSON.stringify(sys.membership.partner('EGY')!.releases);
    const login = await fetch(new URL('/api/login', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'egy-admin', password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const r = await fetch(new URL('/api/partners/EGY/releases', server.url), { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ releases: [] }) });
    assert.equal(r.status, 409);
    assert.equal(((await r.json()) as { error: string }).error, 'SKY_POLICY_READONLY');
    assert.deepEqual(appended, ['login'], 'the refused change is not in the audit log');
    assert.equal(JSON.stringify(sys.membership.partner('EGY')!.releases), before, 'unchanged');
    assert.throws(() => sys.membership.setReleases('EGY', []), /SKY_POLICY_READONLY|cannot change/);
    // Recorded changes still reach Membership as the replay passes them.
    for (let i = 0; i < 100 && sys.membership.partner('CYP')!.status !== 'suspended'; i++) await new Promise((res) => setTimeout(res, 100));
    assert.equal(sys.membership.partner('CYP')!.status, 'suspended');
  } finally {
    await server.close();
    await sys.close();
  }
});
