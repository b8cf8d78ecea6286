// Checkpoints of the replayed chain: a seek that starts from one gives
// exactly the frames of a re-run from the session's start (and so does
// playing on after it), and seekAsync re-runs in slices that leave the
// event loop free and can be cancelled by the next seek.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TrackFrame } from '../core/types.ts';
import { cloneGraph, Uncloneable } from './checkpoint.ts';
import { Replayer } from './replay.ts';
import { sharedLiveRun } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-checkpoint-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// 160 s of the small scenario, registration on, JOR suspended from +40 s to
// +80 s: three audiences, split and re-formed before the seek points.
const file = join(dir, 'live.db');
const live = sharedLiveRun({
  durationS: 160, file, register: true,
  statusChanges: [{ atS: 40, partnerId: 'JOR', status: 'suspended' }, { atS: 80, partnerId: 'JOR', status: 'member' }],
});

/** The picture a seek to +atS emits, then every frame to the end. */
function seekAndPlay(rp: Replayer, atS: number): { picture: TrackFrame[]; after: TrackFrame[] } {
  const frames: TrackFrame[] = [];
  sink = (f) => frames.push(f);
  rp.seek(live().startS + atS);
  const picture = frames.splice(0);
  rp.runToEnd();
  return { picture, after: frames };
}
let sink: (f: TrackFrame) => void = () => {};

test('cloneGraph keeps prototypes, shared references and buffer-sharing views; refuses what it cannot copy', () => {
  class P {
    constructor(public x: number, readonly m = new Map<string, Float64Array>()) {}
    twice(): number {
      return 2 * this.x;
    }
  }
  const buf = new Float64Array(8);
  const shared = { n: 1 };
  const p = new P(3);
  p.m.set('a', buf.subarray(2, 4));
  const g = { p, q: p, s: new Set([shared]), t: shared, whole: buf, frozen: Object.freeze({ k: [1, 2] }) };
  const c = cloneGraph(g);
  assert.deepEqual(c, g);
  assert.ok(c.p instanceof P && c.p.twice() === 6);
  assert.equal(c.p, c.q, 'an object reached twice is copied once');
  assert.equal([...c.s][0], c.t);
  assert.notEqual(c.t, shared);
  c.whole[2] = 7;
  assert.equal(c.p.m.get('a')![0], 7, 'the view and the whole array share the copied buffer');
  assert.equal(buf[2], 0, 'the original is untouched');
  assert.ok(Object.isFrozen(c.frozen));
  assert.throws(() => cloneGraph({ f: () => 1 }), Uncloneable);
  assert.throws(() => cloneGraph({ w: new WeakMap() }), Uncloneable);
  assert.deepEqual(cloneGraph({ f: () => 1, n: 2 }, () => null), { f: null, n: 2 });
});

test('a seek from a checkpoint gives exactly the frames of a re-run from the session start, and so does playing on', () => {
  const run = live();
  assert.equal(new Set(run.frames.map((f) => f.audience)).size, 3, 'the membership change split and re-formed the audiences');
  const exact = new Replayer(file, { speed: 'max', checkpointEveryS: 0, onFrame: (f) => sink(f) });
  const fast = new Replayer(file, { speed: 'max', checkpointEveryS: 20, onFrame: (f) => sink(f) });
  sink = () => {};
  fast.runToEnd(); // takes the checkpoints
  assert.ok(fast.checkpointStats.taken >= 6, `${fast.checkpointStats.taken} checkpoints (${fast.checkpointStats.failed ?? ''})`);
  assert.equal(exact.checkpointStats.taken, 0);
  // Seek points during the suspension and after JOR came back; each twice (a checkpoint restores as often as asked).
  for (const atS of [55.3, 131.7, 95, 131.7]) {
    const restored = fast.checkpointStats.restored;
    const want = seekAndPlay(exact, atS);
    const got = seekAndPlay(fast, atS);
    assert.equal(fast.checkpointStats.restored, restored + 1, `the seek to +${atS} started from a checkpoint`);
    assert.equal(exact.checkpointStats.restored, 0);
    assert.ok(want.picture.length >= 1 && want.after.length > 20, `${want.picture.length} audiences, ${want.after.length} frames after`);
    assert.deepStrictEqual(got.picture, want.picture, `picture at +${atS}`);
    assert.deepStrictEqual(got.after, want.after, `frames after +${atS}`);
  }
  // And both are the live frames (the last ones, from the frame due just after the seek point).
  const after = seekAndPlay(fast, 131.7).after;
  assert.ok(after[0]!.timeS > run.startS + 131.7 - 2);
  assert.deepStrictEqual(after, run.frames.slice(run.frames.length - after.length));
});

test('checkpoints stay within maxCheckpoints: every other one dropped, the interval doubled, still spanning the replay', () => {
  const run = live();
  sink = () => {};
  const rp = new Replayer(file, { speed: 'max', checkpointEveryS: 5, maxCheckpoints: 8, onFrame: (f) => sink(f) });
  rp.runToEnd();
  const times = rp.checkpointTimes.map((t) => t - run.startS);
  assert.ok(times.length >= 4 && times.length <= 8, `${times.length} checkpoints`);
  assert.ok(times[0]! < 30 && times.at(-1)! > 120, `checkpoints at ${times.map((t) => t.toFixed(0)).join(', ')}`);
  assert.ok(rp.checkpointStats.taken > 8);
  const want = seekAndPlay(new Replayer(file, { speed: 'max', checkpointEveryS: 0, onFrame: (f) => sink(f) }), 100);
  assert.deepStrictEqual(seekAndPlay(rp, 100), want);
});

test('seekAsync warms up in slices: an HTTP request is answered meanwhile; a second seek cancels the first; the picture is exact', async () => {
  const run = live();
  const http = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  try {
    const frames: TrackFrame[] = [];
    // No checkpoints: the re-run from the start is the long warm-up; 2 ms slices.
    const rp = new Replayer(file, { speed: 'max', checkpointEveryS: 0, sliceMs: 2, onFrame: (f) => frames.push(f) });
    const first = rp.seekAsync(run.startS + 150);
    assert.ok(rp.isWarming);
    const answered = await (await fetch(url)).text();
    assert.equal(answered, 'ok');
    assert.ok(rp.isWarming, 'the request was answered before the warm-up ended');
    const fedMid = rp.fed;
    assert.ok(fedMid > 0, 'the warm-up was under way');
    const second = rp.seekAsync(run.startS + 120.5);
    assert.equal(await first, false, 'the first seek was cancelled');
    assert.equal(await second, true);
    assert.ok(!rp.isWarming);
    const want: TrackFrame[] = [];
    const ref = new Replayer(file, { speed: 'max', checkpointEveryS: 0, onFrame: (f) => want.push(f) });
    ref.seek(run.startS + 120.5);
    assert.deepStrictEqual(frames, want, 'only the second seek\'s picture was emitted, exactly');
    // Playing on from there is the live run's tail.
    frames.length = 0;
    rp.runToEnd();
    assert.ok(frames[0]!.timeS > run.startS + 120.5 - 2);
    assert.deepStrictEqual(frames, run.frames.slice(run.frames.length - frames.length));
  } finally {
    await new Promise((r) => http.close(r));
  }
});
