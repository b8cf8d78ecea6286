// serve --replay started far into a recording (--replay-from), and seeks:
// the re-run up to the start point goes in slices, so the server answers
// while it lasts; a seek back starts from a checkpoint, and Membership
// follows the membership of that point of the recording; the outputs start
// afresh after a seek back.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeBlockItems } from '../asterix/index.ts';
import { UdpReceiver, type DataBlock } from '../ingest/index.ts';
import { runLive } from '../record/testing.ts';
import { startReplay } from './replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-app-replay-seek-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('a replay started at +250 s answers HTTP during its warm-up; a seek back restores a checkpoint and the membership of then', { timeout: 120_000 }, async () => {
  const file = join(dir, 'rec.db');
  const run = runLive({ durationS: 260, file, statusChanges: [{ atS: 90, partnerId: 'CYP', status: 'suspended' }] });
  run.recorder!.close();
  const sys = await startReplay({ file, speed: 1, fromS: run.startS + 250, host: '127.0.0.1', port: 0, demoAccounts: true, log: () => {} });
  try {
    assert.ok(sys.replayer.isWarming, 'the warm-up runs after startReplay returned');
    const page = await fetch(sys.url);
    assert.equal(page.status, 200);
    await page.text();
    assert.ok(sys.replayer.isWarming, 'the page was served during the warm-up');
    const fed = sys.replayer.fed;
    await new Promise<void>((res) => {
      const wait = () => (sys.replayer.isWarming ? setTimeout(wait, 10) : res());
      wait();
    });
    assert.ok(sys.replayer.fed > fed);
    assert.ok(!sys.replayer.isPaused, 'it plays once warm');
    assert.ok(Math.abs(sys.replayer.positionS - (run.startS + 250)) < 5);
    assert.equal(sys.membership.partner('CYP')!.status, 'suspended', 'as recorded at +90 s');
    assert.ok(sys.replayer.checkpointTimes.length >= 3, `${sys.replayer.checkpointTimes.length} checkpoints taken during the warm-up`);
    // Back to +70 s: from the checkpoint at +60 s, where Cyprus was still a member.
    assert.equal(await sys.replayer.seekAsync(run.startS + 70), true);
    assert.equal(sys.replayer.checkpointStats.restored, 1);
    assert.equal(sys.membership.partner('CYP')!.status, 'member');
  } finally {
    await sys.close();
  }
});

test('a seek back in a replay starts the outputs afresh: CAT062 goes on from the earlier time at once', { timeout: 120_000 }, async () => {
  const file = join(dir, 'rec2.db');
  const run = runLive({ durationS: 60, file });
  run.recorder!.close();
  const blocks: DataBlock[] = [];
  const rx = new UdpReceiver({ port: 0, host: '127.0.0.1' }, (b) => blocks.push(b), (e) => assert.fail(e.toLine()));
  const { port } = await rx.start();
  const sys = await startReplay({
    file, speed: 30, host: '127.0.0.1', port: 0, demoAccounts: true, log: () => {},
    outputs: { cat062: [{ partner: 'EGY', host: '127.0.0.1', port }], cat062PeriodS: 2 },
  });
  const ended = () => new Promise<void>((res) => {
    const wait = () => (sys.replayer.isEnded ? res() : setTimeout(wait, 20));
    wait();
  });
  const endOfBatch = () => {
    const out: number[] = [];
    for (const b of blocks) decodeBlockItems(b.bytes, 0, (r) => { if (r.cat === 65 && r.items['I065/000'] === 2) out.push(Number(r.items['I065/030'])); }, (e) => assert.fail(e.toLine()));
    return out;
  };
  const tod = (s: number) => s % 86400;
  try {
    await ended();
    await new Promise((r) => setTimeout(r, 200));
    const before = endOfBatch().length;
    assert.ok(before >= 20, `${before} updates in the first pass`);
    assert.equal(await sys.replayer.seekAsync(run.startS + 20), true);
    sys.replayer.resume();
    await ended();
    await new Promise((r) => setTimeout(r, 200));
    const again = endOfBatch().slice(before);
    // From +20 s to the end again, every 2 s: the feed did not wait for data time to pass +60 s.
    assert.ok(again.length >= 15, `${again.length} updates after the seek back`);
    assert.ok(again[0]! < tod(run.startS + 24) && again[0]! >= tod(run.startS + 18), `first update after the seek at ${again[0]! - tod(run.startS)} s`);
    assert.equal(sys.outputs!.stats()[0]!.dropped, 0);
  } finally {
    await sys.close();
    await rx.close();
  }
});
