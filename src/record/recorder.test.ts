import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SkyError } from '../core/errors.ts';
import { loadScenario } from '../sim/index.ts';
import type { ChainConfig } from './chain.ts';
import { Recorder } from './recorder.ts';
import { RecordingReader } from './replay.ts';
import { openRecording, SCHEMA_VERSION } from './schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-record-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newFile = () => join(dir, `r${n++}.db`);
const session: ChainConfig = {
  coalition: loadScenario('small').coalition, startOfDayS: 0, periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience',
};

test('blocks read back byte-identical, in recorded order, with source, sensor and arrival time (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({
        bytes: fc.uint8Array({ minLength: 0, maxLength: 300 }),
        sensor: fc.option(fc.constantFrom('S1', 'S2', 'S3'), { nil: null }),
        source: fc.constantFrom('udp:127.0.0.1:8600', 'file.ast', 'udp:239.1.1.1:8601'),
        dt: fc.double({ min: 0, max: 2, noNaN: true }),
      }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 25 }),
      (blocks, commitRows) => {
        const file = newFile();
        let t = 1.7e9;
        const rec = new Recorder({ file, session, commitRows, clock: () => t });
        const want = blocks.map((b) => ({ ...b, arrivalS: (t += b.dt) }));
        for (const b of want) rec.recordBlock({ bytes: b.bytes, offset: -1, source: b.source, receivedS: b.arrivalS }, b.sensor);
        rec.close();
        const r = new RecordingReader(file);
        const got = [...r.blocks()];
        r.close();
        assert.equal(got.length, want.length);
        got.forEach((g, i) => {
          const w = want[i]!;
          assert.deepEqual(new Uint8Array(g.bytes), w.bytes);
          assert.equal(g.source, w.source);
          assert.equal(g.sensorId, w.sensor);
          assert.equal(g.arrivalS, w.arrivalS);
        });
      },
    ),
    { numRuns: 60 },
  );
});

test('a block buffer the caller reuses after recordBlock does not change what was recorded', () => {
  const file = newFile();
  const rec = new Recorder({ file, session, clock: () => 100 });
  const buf = new Uint8Array([48, 0, 4, 1]);
  rec.recordBlock({ bytes: buf, offset: -1, source: 'x', receivedS: 100 });
  buf.fill(0);
  rec.close();
  const r = new RecordingReader(file);
  assert.deepEqual([...[...r.blocks()][0]!.bytes], [48, 0, 4, 1]);
  r.close();
});

test('reading by time window: fromS <= arrival < toS', () => {
  const file = newFile();
  const rec = new Recorder({ file, session });
  for (let i = 0; i < 100; i++) rec.recordBlock({ bytes: new Uint8Array([i]), offset: -1, source: 's', receivedS: 1000 + i });
  rec.close();
  const r = new RecordingReader(file);
  assert.deepEqual([...r.blocks(1010, 1020)].map((b) => b.bytes[0]), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  assert.deepEqual(r.span(), { fromS: 1000, toS: 1099 });
  r.close();
});

test('a reopened recording appends a new session and continues the sequence', () => {
  const file = newFile();
  const a = new Recorder({ file, session });
  a.recordBlock({ bytes: new Uint8Array([1]), offset: -1, source: 's', receivedS: 1 });
  a.recordTick(1.5);
  a.close();
  const b = new Recorder({ file, session });
  b.recordBlock({ bytes: new Uint8Array([2]), offset: -1, source: 's', receivedS: 2 });
  b.close();
  const r = new RecordingReader(file);
  const inputs = [...r.inputs()];
  assert.deepEqual(inputs.map((i) => [i.kind, i.seq, i.session]), [['block', 1, 1], ['tick', 2, 1], ['block', 3, 2]]);
  assert.deepEqual(r.sessions().map((s) => [s.id, s.firstSeq]), [[1, 1], [2, 3]]);
  r.close();
});

test('events and frames are recorded: kind, time, JSON; frames as contract track lines with their audience', () => {
  const file = newFile();
  const rec = new Recorder({ file, session });
  rec.recordEvents([{ kind: 'north-marker', timeS: 5, sensorId: 'S1' } as { kind: string; timeS: number }]);
  rec.recordPartnerStatus('JOR', 'suspended', 6);
  rec.recordFrame({
    kind: 'frame', timeS: 7, audience: 'A',
    tracks: [{ kind: 'track', id: 'T1', timeS: 7, status: 'confirmed', latDeg: 30.123456789, lonDeg: 33.5, altM: 10000.123, velEastMps: 200, velNorthMps: -3.456, sigmaM: 55.555, icao24: 'abc123', mode3a: '1234', callsign: 'ABC1', sensors: ['S1'], partners: ['EGY'] }],
  });
  rec.close();
  const r = new RecordingReader(file);
  assert.deepEqual(r.events().map((e) => [e.kind, e.timeS]), [['north-marker', 5], ['partner-status', 6]]);
  assert.deepEqual([...r.inputs()].map((i) => i.kind), ['partner-status']);
  const [f] = r.frames();
  assert.equal(f!.audience, 'A');
  // trackToJson rounds to 1e-7 degree and 1 cm.
  assert.deepEqual(f!.tracks[0], { t: 7, id: 'T1', status: 'confirmed', lat: 30.1234568, lon: 33.5, altM: 10000.12, vE: 200, vN: -3.46, sigmaM: 55.56, icao24: 'abc123', mode3a: '1234', callsign: 'ABC1', sensors: ['S1'], partners: ['EGY'] });
  r.close();
});

test('the file is WAL with synchronous=NORMAL and the schema version; a newer file is refused with SKY_RECORD_SCHEMA', () => {
  const file = newFile();
  new Recorder({ file, session }).close();
  const db = openRecording(file);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 1); // NORMAL
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => new Recorder({ file, session }), (e: unknown) => e instanceof SkyError && e.code === 'SKY_RECORD_SCHEMA');
});

test('retention by age deletes what is older than maxAgeS, in rounds of pruneRows', () => {
  const file = newFile();
  let now = 0;
  const rec = new Recorder({ file, session, clock: () => now, maxAgeS: 100, pruneRows: 50 });
  for (let t = 0; t < 300; t++) {
    rec.recordBlock({ bytes: new Uint8Array([t & 255]), offset: -1, source: 's', receivedS: t });
    rec.recordTick(t);
    rec.recordEvent({ kind: 'x', timeS: t });
    rec.recordFrame({ kind: 'frame', timeS: t, tracks: [] });
  }
  now = 299;
  rec.commit();
  // Times 0..198 are more than 100 s old: 199 rows of each table; one round deletes at most 50 of each.
  assert.equal(rec.stats.pruned, 4 * 50);
  for (let k = 0; k < 4; k++) rec.prune();
  assert.equal(rec.stats.pruned, 4 * 199);
  rec.close();
  const r = new RecordingReader(file);
  assert.deepEqual(r.span(), { fromS: 199, toS: 299 });
  assert.equal(r.frames().length, 101);
  assert.equal(r.events().length, 101);
  assert.equal([...r.inputs()].filter((i) => i.kind === 'tick').length, 101);
  r.close();
});

test('retention by size keeps the data pages under maxBytes, dropping the oldest first', () => {
  const file = newFile();
  let now = 0;
  const maxBytes = 2_000_000;
  const rec = new Recorder({ file, session, clock: () => now, maxBytes, pruneRows: 500 });
  const bytes = new Uint8Array(400);
  for (let t = 0; t < 20000; t++) {
    now = t;
    bytes[0] = t & 255;
    rec.recordBlock({ bytes, offset: -1, source: 's', receivedS: t });
    if (t % 100 === 99) rec.commit(); // one pruning round a (simulated) second at most
  }
  rec.commit();
  for (let k = 0; k < 20 && rec.usedBytes() > maxBytes; k++) rec.prune();
  assert.ok(rec.usedBytes() <= maxBytes, `used ${rec.usedBytes()}`);
  assert.ok(rec.fileBytes() <= maxBytes * 1.25, `file ${rec.fileBytes()}`);
  rec.close();
  const r = new RecordingReader(file);
  const span = r.span()!;
  assert.equal(span.toS, 19999); // the newest data is kept
  assert.ok(span.fromS > 10000, `oldest kept ${span.fromS}`);
  // What is left is contiguous: nothing in the middle was dropped.
  assert.equal([...r.blocks()].length, 19999 - span.fromS + 1);
  r.close();
});

test('crash recovery: a recorder killed with SIGKILL mid-write leaves a sound file holding everything up to its last commit; recording resumes', async () => {
  const file = newFile();
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), file], { stdio: ['ignore', 'pipe', 'inherit'], cwd: join(import.meta.dirname, '..', '..') });
  let lastCommitted = 0;
  let lastCommitS = 0;
  let out = '';
  let readyS = Infinity;
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        if (l === 'ready') readyS = Date.now() / 1000;
        const m = /^committed (\d+) ([\d.]+)$/.exec(l);
        if (m) {
          lastCommitted = Number(m[1]);
          lastCommitS = Number(m[2]);
        }
      }
      // Let it run ~1.5 s past its first commits, then kill it in the middle of its work.
      if (lastCommitted > 0 && lastCommitS > 0 && !child.killed && Date.now() / 1000 - readyS > 1.5) {
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
        child.on('exit', () => resolve());
      }
    });
  });
  const killedS = Date.now() / 1000;
  assert.ok(lastCommitted > 10000, `the child committed only ${lastCommitted} blocks`);

  // Reopen: sound, and holds at least everything the child saw committed.
  const db = new Database(file);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const { n, maxT } = db.prepare('SELECT count(*) AS n, max(arrival_s) AS maxT FROM blocks').get() as { n: number; maxT: number };
  db.close();
  assert.ok(n >= lastCommitted, `${n} rows, child reported ${lastCommitted} committed`);
  // The last second before the kill is there (commits every 50 ms).
  assert.ok(killedS - maxT < 1, `newest block ${(killedS - maxT).toFixed(3)} s before the kill`);
  const r = new RecordingReader(file);
  const blocks = [...r.blocks()];
  r.close();
  assert.equal(blocks.length, n);
  // Every row is intact, in order, with no gap: block i holds i.
  blocks.forEach((b, i) => assert.equal(new DataView(b.bytes.buffer, b.bytes.byteOffset).getUint32(0), i));

  // Resume: a new recorder appends after the last committed row.
  const rec = new Recorder({ file, session });
  rec.recordBlock({ bytes: new Uint8Array([9, 9]), offset: -1, source: 'after', receivedS: killedS + 1 });
  rec.close();
  const r2 = new RecordingReader(file);
  const all = [...r2.blocks()];
  assert.equal(all.length, n + 1);
  assert.deepEqual([...all[n]!.bytes], [9, 9]);
  assert.equal(all[n]!.seq, all[n - 1]!.seq + 1);
  assert.equal(r2.sessions().length, 2);
  r2.close();
});
