// serve --replay: membership follows the recording. A partner that withdrew
// in the recording loses its sessions and its WebSocket at that point of the
// replay, as it did live (before, only the replayed fusion dropped it: its
// socket stayed open and its sessions alive).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { runLive } from '../record/testing.ts';
import { startReplay } from './replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-app-replay-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('a partner that withdrew in the recording is cut off in the replay when the replay reaches that moment', async () => {
  const file = join(dir, 'rec.db');
  runLive({ durationS: 45, file, statusChanges: [{ atS: 30, partnerId: 'CYP', status: 'withdrawn' }] }).recorder!.close();
  const sys = await startReplay({ file, speed: 15, host: '127.0.0.1', port: 0, demoAccounts: true, log: () => {} });
  try {
    const acc = sys.demoAccounts.find((a) => a.partnerId === 'CYP')!;
    const login = await fetch(new URL('/api/login', sys.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: acc.username, password: acc.password }) });
    assert.equal(login.status, 200);
    const { token } = (await login.json()) as { token: string };
    const startedMs = Date.now();
    const ws = new WebSocket(sys.url.replace('http', 'ws') + 'api/ws', ['skyfuse.v1', `token.${token}`]);
    const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    assert.equal(sys.membership.partner('CYP')!.status, 'member');
    // +30 s of recording at 15x: ~2 s. The socket must be closed by the server (4403), not left open.
    const code = await Promise.race([closed, new Promise<number>((res) => setTimeout(() => res(-1), 8000))]);
    assert.equal(code, 4403, 'the withdrawn partner\'s socket is closed with 4403');
    const afterS = (Date.now() - startedMs) / 1000;
    assert.ok(afterS > 1 && afterS < 4, `cut ${afterS.toFixed(1)} s into the replay (30 s of recording at 15x = 2 s)`);
    assert.equal(sys.membership.partner('CYP')!.status, 'withdrawn');
    const me = await fetch(new URL('/api/me', sys.url), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 403);
    assert.equal(((await me.json()) as { error: string }).error, 'SKY_PARTNER_WITHDRAWN');
    // The others go on; and nobody can change membership through the API during a replay.
    assert.equal(sys.membership.partner('EGY')!.status, 'member');
    assert.throws(() => sys.membership.setPartnerStatus('EGY', 'suspended'), /SKY_REPLAY_READONLY|membership follows the recording/);
  } finally {
    await sys.close();
  }
});
