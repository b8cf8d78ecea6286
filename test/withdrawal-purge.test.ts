// Coalition policy "withdrawal": "purge", through the live pipeline with a
// real SQLite recording: Jordan withdraws mid-run; from that moment none of
// its sensors' raw blocks are in the recording (neither those recorded
// before nor any after), the other partners' blocks are all still there, and
// the purge is in the audit log, which still verifies. With the default
// ("keep"), a withdrawal deletes nothing.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyAuditLog } from '../src/coalition/audit.ts';
import { coalitionToJson, parseCoalition, withdrawalPolicy } from '../src/coalition/coalition.ts';
import { startLive } from '../src/app/live.ts';
import { RecordingReader } from '../src/record/replay.ts';
import { loadScenario } from '../src/sim/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-withdraw-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

async function run(withdrawal: 'keep' | 'purge' | undefined, name: string) {
  const scenario = loadScenario('small');
  const json = { ...(coalitionToJson(scenario.coalition) as object), ...(withdrawal ? { withdrawal } : {}) };
  const coalition = parseCoalition(json);
  assert.equal(withdrawalPolicy(coalition), withdrawal ?? 'keep');
  const file = join(dir, `${name}.db`);
  const auditFile = join(dir, `${name}.audit`);
  const logs: string[] = [];
  const live = await startLive({ scenario, coalition, host: '127.0.0.1', port: 0, log: (l) => logs.push(l), record: { file }, auditFile });
  const jordan = new Set(coalition.sensors.filter((s) => s.partnerId === 'JOR').map((s) => s.id));
  const count = () => {
    const r = new RecordingReader(file);
    const n = { jor: 0, other: 0 };
    for (const b of r.blocks()) if (b.sensorId !== null && jordan.has(b.sensorId)) n.jor++; else n.other++;
    r.close();
    return n;
  };
  try {
    // Wait until Jordan's radars have been heard and recorded.
    const end = Date.now() + 30_000;
    while (count().jor < 3) {
      assert.ok(Date.now() < end, 'Jordan\'s blocks are recorded');
      await new Promise((r) => setTimeout(r, 250));
    }
    const before = count();
    live.membership.setPartnerStatus('JOR', 'withdrawn');
    await new Promise((r) => setTimeout(r, 5000)); // every radar turns at least once more
    const afterW = count();
    return { before, afterW, logs, auditFile };
  } finally {
    await live.close();
  }
}

test('withdrawal with "purge": the partner\'s recorded blocks are deleted and no more are recorded; audited', { timeout: 90_000 }, async () => {
  const { before, afterW, logs, auditFile } = await run('purge', 'purge');
  assert.ok(before.jor >= 3 && before.other > 0);
  assert.equal(afterW.jor, 0, 'no block of Jordan\'s sensors is left in the recording');
  assert.ok(afterW.other > before.other, 'the others are still recorded (and none was deleted)');
  assert.ok(logs.some((l) => /partner JOR withdrew: purged \d+ recorded block\(s\) of JOR-AMM-1, JOR-AQJ-1/.test(l)), logs.join('\n'));
  const entries = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; details: Record<string, unknown> });
  const purge = entries.filter((e) => e.kind === 'data-purge');
  assert.equal(purge.length, 1);
  assert.deepEqual(purge[0]!.details.sensors, ['JOR-AMM-1', 'JOR-AQJ-1']);
  assert.ok((purge[0]!.details.blocks as number) >= before.jor);
  assert.equal(verifyAuditLog(auditFile).ok, true);
});

test('withdrawal with the default ("keep"): nothing is deleted', { timeout: 90_000 }, async () => {
  const { before, afterW, logs } = await run(undefined, 'keep');
  assert.ok(afterW.jor >= before.jor, 'Jordan\'s recorded blocks are kept');
  assert.ok(!logs.some((l) => l.includes('purged')));
});
