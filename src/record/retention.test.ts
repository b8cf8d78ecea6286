// Retention on real SQLite recordings: it keeps what history needs to prove
// who saw what (session rows, membership and policy inputs) as long as
// anything of their session is left, drops them with their session, and
// history still withholds what it truly cannot know (an input lost to a
// dropped batch or to an older skyfuse's retention). And maxBytes bounds
// the file itself, not only its data pages.

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { SkyError } from '../core/errors.ts';
import { loadScenario } from '../sim/index.ts';
import type { ChainConfig } from './chain.ts';
import { RecordingHistory } from './history.ts';
import { Recorder } from './recorder.ts';
import { openRecording } from './schema.ts';
import { runLive, type LiveRun } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-retention-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const session: ChainConfig = { coalition: loadScenario('small').coalition, startOfDayS: 0, periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' };

const own = (run: LiveRun, fromS: number) =>
  run.frames.filter((f) => f.timeS >= fromS && f.audience !== undefined && f.audience.includes('JOR-AMM-1') && !f.audience.includes('EGY-'));

const file = join(dir, 'pruned.db');
let prunedRun: LiveRun | null = null;
/** 100 s of the small scenario kept 30 s: JOR suspended at +40 s, CYP withdrawn at +50 s, both older than anything kept. */
function pruned(): LiveRun {
  if (!prunedRun) {
    prunedRun = runLive({
      durationS: 100, file, recorder: { maxAgeS: 30, pruneRows: 100000 },
      statusChanges: [{ atS: 40, partnerId: 'JOR', status: 'suspended' }, { atS: 50, partnerId: 'CYP', status: 'withdrawn' }],
    });
    prunedRun.recorder!.close();
  }
  return prunedRun;
}

test('pruning keeps the session row and its input events while frames of the session remain; history gives those frames', () => {
  const run = pruned();
  const db = new Database(file, { readonly: true });
  const oldestBlock = (db.prepare('SELECT min(arrival_s) AS t FROM blocks').get() as { t: number }).t;
  const oldestFrame = (db.prepare('SELECT min(time_s) AS t FROM frames').get() as { t: number }).t;
  const inputs = db.prepare("SELECT kind, json FROM events WHERE kind IN ('partner-status', 'policy-change') ORDER BY seq").all() as { kind: string; json: string }[];
  const sessions = (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
  const oldEvents = (db.prepare("SELECT count(*) AS n FROM events WHERE time_s < ? AND kind NOT IN ('partner-status', 'policy-change')").get(oldestFrame - 1) as { n: number }).n;
  db.close();
  assert.ok(oldestBlock > run.startS + 65 && oldestFrame > run.startS + 65, `retention ran: oldest block +${oldestBlock - run.startS} s, frame +${oldestFrame - run.startS} s`);
  assert.equal(oldEvents, 0, 'other (output) events are pruned as before');
  assert.equal(sessions, 1);
  assert.deepEqual(inputs.map((i) => [i.kind, (JSON.parse(i.json) as { partnerId: string }).partnerId]), [['partner-status', 'JOR'], ['partner-status', 'CYP']]);

  const h = new RecordingHistory(file);
  const jor = h.query({ partnerId: 'JOR', fromS: run.startS, toS: run.startS + 200 });
  const cyp = h.query({ partnerId: 'CYP', fromS: run.startS, toS: run.startS + 200 });
  const egy = h.query({ partnerId: 'EGY', fromS: run.startS, toS: run.startS + 200 });
  h.close();
  const want = own(run, oldestFrame);
  assert.ok(want.length >= 25, `${want.length} frames of JOR's own audience`);
  assert.deepEqual(jor.withheld, []);
  assert.deepEqual(jor.frames.map((f) => f.t), want.map((f) => f.timeS));
  for (const f of jor.frames) for (const k of f.tracks) for (const s of k.sensors) assert.ok(s.startsWith('JOR-'), `${k.id} names ${s}`);
  // CYP withdrew before anything kept: it gets nothing, and that is known, not withheld.
  assert.deepEqual([cyp.frames.length, cyp.withheld], [0, []]);
  // EGY's audience after the changes: EGY's radars and no JOR or CYP one.
  assert.ok(egy.frames.length >= 25 && egy.frames.some((f) => f.tracks.length > 0));
  for (const f of egy.frames) for (const k of f.tracks) for (const s of k.sensors) assert.ok(!s.startsWith('JOR-') && !s.startsWith('CYP-'), `${k.id} names ${s}`);
});

test('a missing input event (an older skyfuse\'s retention, a hand edit) makes the session\'s frames withheld, not guessed', () => {
  const run = pruned();
  const f2 = join(dir, 'lost-input.db');
  copyFileSync(file, f2);
  const db = new Database(f2);
  assert.equal(db.prepare("DELETE FROM events WHERE kind = 'partner-status' AND json LIKE '%\"JOR\"%'").run().changes, 1);
  db.close();
  const h = new RecordingHistory(f2);
  const r = h.query({ partnerId: 'JOR', fromS: run.startS, toS: run.startS + 200 });
  h.close();
  // Without its suspension JOR would read as a member and get the coalition picture: nothing is given.
  assert.equal(r.frames.length, 0);
  assert.equal(r.withheld.length, 1);
  assert.equal(r.withheld[0]!.code, 'SKY_HISTORY_MEMBERSHIP_UNKNOWN');
  assert.ok(r.withheld[0]!.toS - r.withheld[0]!.fromS > 25);

  // A file of an older skyfuse (no input count) falls back to the sequence proof, which retention broke: withheld too.
  const f3 = join(dir, 'legacy.db');
  copyFileSync(file, f3);
  const db3 = new Database(f3);
  db3.prepare("DELETE FROM meta WHERE key LIKE 'inputs:%'").run();
  db3.close();
  const h3 = new RecordingHistory(f3);
  const r3 = h3.query({ partnerId: 'JOR', fromS: run.startS, toS: run.startS + 200 });
  h3.close();
  assert.equal(r3.frames.length, 0);
  assert.equal(r3.withheld[0]?.code, 'SKY_HISTORY_MEMBERSHIP_UNKNOWN');
});

test('a batch dropped with a membership input in it (a failed commit): the session\'s frames are withheld', () => {
  const f4 = join(dir, 'dropped.db');
  // The failure: a trigger refusing CYP's withdrawal makes that one commit fail, as a full disk would.
  const db = openRecording(f4);
  db.exec(`CREATE TRIGGER fail BEFORE INSERT ON events WHEN NEW.kind = 'partner-status' AND NEW.json LIKE '%"CYP"%'
    BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END`);
  db.close();
  const errors: SkyError[] = [];
  const run = runLive({
    durationS: 60, file: f4, recorder: { onError: (e) => errors.push(e) },
    statusChanges: [{ atS: 30, partnerId: 'CYP', status: 'withdrawn' }],
  });
  const dropped = run.recorder!.stats.dropped;
  run.recorder!.close();
  assert.deepEqual(errors.map((e) => e.code), ['SKY_RECORD_WRITE']);
  assert.ok(dropped > 0, `${dropped} rows dropped`);
  const h = new RecordingHistory(f4);
  const r = h.query({ partnerId: 'CYP', fromS: run.startS, toS: run.startS + 100 });
  const e = h.query({ partnerId: 'EGY', fromS: run.startS, toS: run.startS + 100 });
  h.close();
  // CYP would otherwise get the coalition picture after its withdrawal.
  assert.equal(r.frames.length, 0);
  assert.equal(r.withheld[0]?.code, 'SKY_HISTORY_MEMBERSHIP_UNKNOWN');
  assert.equal(e.frames.length, 0);
});

test('a session with nothing left is dropped with its input events and input count (what is kept stays bounded)', () => {
  const f5 = join(dir, 'sessions.db');
  let now = 1000;
  const put = (rec: Recorder, t: number) => {
    rec.recordBlock({ bytes: new Uint8Array([t & 255]), offset: -1, source: 's', receivedS: t }, 'S1');
    rec.recordTick(t);
    rec.recordFrame({ kind: 'frame', timeS: t, audience: 'a', tracks: [] });
  };
  // Three sessions of 100 s, each with two membership inputs, one policy input and an output event.
  for (let k = 0; k < 3; k++) {
    const rec = new Recorder({ file: f5, session, clock: () => now, maxAgeS: 150 });
    for (let i = 0; i < 100; i++, now++) {
      put(rec, now);
      if (i === 10) rec.recordPartnerStatus('JOR', 'suspended', now);
      if (i === 20) rec.recordPartnerStatus('JOR', 'member', now);
      if (i === 30) rec.recordEvent({ kind: 'policy-change', timeS: now, partnerId: 'JOR', releases: null } as never);
      if (i === 40) rec.recordEvent({ kind: 'alert', timeS: now });
    }
    rec.commit();
    for (let j = 0; j < 5; j++) rec.prune();
    rec.close();
  }
  // Now 1300; kept from 1150: session 1 (1000..1099) has nothing left, session 2 (1100..1199) has 1150.., session 3 all.
  const db = new Database(f5, { readonly: true });
  const sessions = (db.prepare('SELECT id FROM sessions ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  const inputs = db.prepare("SELECT session, count(*) AS n FROM events WHERE kind IN ('partner-status', 'policy-change') GROUP BY session ORDER BY session").all();
  const counts = db.prepare("SELECT key, value FROM meta WHERE key LIKE 'inputs:%' ORDER BY key").all();
  const alerts = (db.prepare("SELECT session FROM events WHERE kind = 'alert' ORDER BY seq").all() as { session: number }[]).map((r) => r.session);
  db.close();
  assert.deepEqual(sessions, [2, 3]);
  assert.deepEqual(inputs, [{ session: 2, n: 3 }, { session: 3, n: 3 }]);
  assert.deepEqual(counts, [{ key: 'inputs:2', value: '3' }, { key: 'inputs:3', value: '3' }]);
  assert.deepEqual(alerts, [3], "session 2's alert at 1140 is older than 1150: pruned");
});

test('maxBytes bounds the file itself: pruning gives the freed pages back (incremental vacuum)', () => {
  const f6 = join(dir, 'bytes.db');
  let now = 0;
  const bytes = new Uint8Array(300);
  const record = (rec: Recorder, from: number, to: number, each: (t: number) => void = () => {}) => {
    for (let t = from; t < to; t++) {
      now = t;
      bytes[0] = t & 255;
      rec.recordBlock({ bytes, offset: -1, source: 's', receivedS: t }, 'S1');
      if (t % 50 === 49) {
        rec.recordFrame({ kind: 'frame', timeS: t, tracks: [] });
        rec.commit();
        each(t);
      }
    }
  };
  // First without a limit: ~4 MB. Then reopened with a 1 MB limit: the file must come down to it, not stay at its high-water mark.
  const big = new Recorder({ file: f6, session, clock: () => now });
  record(big, 0, 12000);
  big.close();
  const before = statSync(f6).size;
  assert.ok(before > 3_500_000, `unlimited: ${before} bytes`);
  const maxBytes = 1_000_000;
  const rec = new Recorder({ file: f6, session, clock: () => now, maxBytes, pruneRows: 500 });
  let peak = 0;
  record(rec, 12000, 42000, (t) => {
    if (t > 17000) peak = Math.max(peak, rec.fileBytes());
  });
  rec.close();
  const size = statSync(f6).size;
  assert.ok(peak <= maxBytes * 1.15, `largest database while recording, after the first 5,000 s: ${peak} bytes`);
  assert.ok(size <= maxBytes * 1.15, `file ${size} bytes`);
  const db = new Database(f6, { readonly: true });
  const kept = (db.prepare('SELECT count(*) AS n, min(arrival_s) AS a, max(arrival_s) AS b FROM blocks').get() as { n: number; a: number; b: number });
  db.close();
  assert.equal(kept.b, 41999);
  assert.equal(kept.n, kept.b - kept.a + 1, 'contiguous: only the oldest were dropped');
  assert.ok(kept.n > 1500 && kept.n < 3500, `${kept.n} blocks kept`);
});
