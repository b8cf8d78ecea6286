import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TrackFrame } from '../core/types.ts';
import { Replayer, RecordingReader } from './replay.ts';
import { runLive, sharedLiveRun } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-replay-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// One live run shared by the tests: 150 s of the small scenario with JOR
// suspended from +40 s to +80 s (so audiences split and re-form), registration on.
const file = join(dir, 'live.db');
const live = sharedLiveRun({
  durationS: 150, file, register: true,
  statusChanges: [{ atS: 40, partnerId: 'JOR', status: 'suspended' }, { atS: 80, partnerId: 'JOR', status: 'member' }],
});

test('replaying a recording gives exactly the frames the live run produced (all audiences, every field)', () => {
  const run = live();
  assert.ok(run.frames.length > 150 && run.frames.some((f) => f.tracks.length > 30), 'the live run produced a picture');
  assert.equal(new Set(run.frames.map((f) => f.audience)).size, 3, 'the membership changes split and re-formed the audiences');
  const frames: TrackFrame[] = [];
  new Replayer(file, { speed: 'max', onFrame: (f) => frames.push(f) }).runToEnd();
  assert.deepStrictEqual(frames, run.frames);
});

test('the recorded frames are the live frames as contract lines', () => {
  const run = live();
  const r = new RecordingReader(file);
  const rec = r.frames();
  r.close();
  assert.equal(rec.length, run.frames.length);
  rec.forEach((f, i) => {
    const w = run.frames[i]!;
    assert.equal(f.timeS, w.timeS);
    assert.equal(f.audience, w.audience);
    assert.deepEqual(f.tracks.map((t) => t.id), w.tracks.map((t) => t.id));
  });
});

test('a partner-restricted replay: frames of one audience are exactly that audience\'s live frames', () => {
  const run = live();
  const key = run.frames.find((f) => f.audience?.startsWith('JOR'))!.audience!;
  const frames: TrackFrame[] = [];
  new Replayer(file, { speed: 'max', onFrame: (f) => { if (f.audience === key) frames.push(f); } }).runToEnd();
  assert.deepStrictEqual(frames, run.frames.filter((f) => f.audience === key));
});

test('seek: the picture emitted at the seek time equals the live frame of that time; replay then continues exactly as live', () => {
  const run = live();
  for (const atS of [30, 100, 60]) {
    const seekS = run.startS + atS + 0.5;
    const frames: TrackFrame[] = [];
    const rp = new Replayer(file, { speed: 'max', onFrame: (f) => frames.push(f) });
    rp.seek(seekS);
    // One frame per audience is emitted at once: the latest before the seek point.
    const first = frames.splice(0);
    assert.ok(first.length >= 1);
    for (const f of first) {
      const liveF = run.frames.filter((x) => x.audience === f.audience && x.timeS === f.timeS);
      assert.equal(liveF.length, 1);
      assert.deepStrictEqual(f, liveF[0]);
      assert.ok(f.timeS <= seekS && f.timeS > seekS - 3, `frame at ${f.timeS - run.startS}`);
    }
    rp.runToEnd();
    // The replay is deterministic, so what follows the seek is exactly the tail of the live run.
    assert.ok(frames.length > 0);
    assert.deepStrictEqual(frames, run.frames.slice(run.frames.length - frames.length));
    assert.ok(frames[0]!.timeS > seekS - 1 - 1e-9);
    assert.deepStrictEqual(frames.at(-1), run.frames.at(-1));
  }
});

test('a seek forward then backward gives the same pictures as seeks from scratch', () => {
  const run = live();
  const picture = (seq: number[]) => {
    const frames: TrackFrame[] = [];
    const rp = new Replayer(file, { speed: 'max', onFrame: (f) => frames.push(f) });
    let last: TrackFrame[] = [];
    for (const s of seq) {
      frames.length = 0;
      rp.seek(run.startS + s);
      last = frames.slice();
    }
    return last;
  };
  assert.deepStrictEqual(picture([20, 120, 70]), picture([70]));
  assert.deepStrictEqual(picture([20, 120]), picture([120]));
});

test('paced replay: 10x speed follows the recorded arrival times; pause stops, resume goes on', async () => {
  const run = live();
  let wallS = 0;
  const frames: TrackFrame[] = [];
  const rp = new Replayer(file, { speed: 10, clock: () => wallS, fromS: run.startS + 20, onFrame: (f) => frames.push(f) });
  rp.start();
  frames.length = 0; // the picture at the start
  // 1 s of wall time at 10x: 10 s of recording, i.e. about 10 frames per audience.
  for (let k = 0; k < 10; k++) {
    wallS += 0.1;
    await new Promise((r) => setTimeout(r, 2));
    // Wake the replayer now rather than after its own timer.
    rp.setSpeed(10);
  }
  assert.ok(Math.abs(rp.positionS - (run.startS + 30)) < 1e-6);
  const audiences = new Set(frames.map((f) => f.audience)).size;
  assert.ok(frames.length >= 9 * audiences && frames.length <= 11 * audiences, `${frames.length} frames`);
  assert.ok(frames.every((f) => f.timeS <= run.startS + 30));
  rp.pause();
  const n = frames.length;
  wallS += 5;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(frames.length, n);
  assert.ok(Math.abs(rp.positionS - (run.startS + 30)) < 1e-6);
  rp.resume();
  wallS += 0.5;
  rp.setSpeed(10);
  assert.ok(frames.length > n);
  rp.stop();
  assert.throws(() => rp.setSpeed(61), /SKY|speed/);
});

test('a recording with two sessions replays each from a fresh chain, as the restarted live run did', () => {
  const f2 = join(dir, 'two.db');
  const a = runLive({ durationS: 40, file: f2 });
  a.recorder!.close();
  const b = runLive({ durationS: 40, file: f2 });
  b.recorder!.close();
  const frames: TrackFrame[] = [];
  new Replayer(f2, { speed: 'max', onFrame: (f) => frames.push(f) }).runToEnd();
  assert.deepStrictEqual(frames, [...a.frames, ...b.frames]);
});
