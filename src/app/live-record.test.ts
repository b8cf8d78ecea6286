// serve's scratch recording: with retention, sessions rotate, so the time
// bar keeps a provable history. A real live run (UDP on loopback) with 5 s of
// retention and a new session every 2 s: after 11 s the first sessions' starts
// are pruned, yet the last seconds of every partner's picture are there,
// not withheld. Then the scratch file is deleted on close.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RecordingHistory } from '../record/history.ts';
import { RecordingReader } from '../record/index.ts';
import { loadScenario } from '../sim/index.ts';
import { startLive } from './live.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-live-record-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('a rotating scratch recording keeps the recent picture provable under retention, and is deleted on close', async () => {
  const file = join(dir, 'scratch.sqlite');
  const lines: string[] = [];
  const sys = await startLive({
    scenario: loadScenario('small'), host: '127.0.0.1', port: 0, log: (l) => lines.push(l),
    record: { file, maxAgeS: 5, rotateS: 2, temporary: true },
  });
  try {
    await new Promise((r) => setTimeout(r, 11_000));
    assert.ok(lines.some((l) => l.startsWith(`live: recording to ${file}`)), lines.join('\n'));
    const reader = new RecordingReader(file);
    const sessions = reader.sessions();
    reader.close();
    assert.ok(sessions.length >= 2, `${sessions.length} sessions kept`);
    assert.ok(sessions[0]!.startedS > Date.now() / 1000 - 9, 'the oldest sessions were pruned whole');
    const h = new RecordingHistory(file);
    const span = h.span()!;
    const r = h.query({ partnerId: 'EGY', fromS: span.toS - 3, toS: span.toS + 1 });
    assert.ok(r.frames.length >= 2, `${r.frames.length} frames in the last 3 s`);
    assert.deepEqual(r.withheld, []);
    h.close();
  } finally {
    await sys.close();
  }
  for (const x of ['', '-wal', '-shm']) assert.equal(existsSync(file + x), false, `${file}${x} left behind`);
});
