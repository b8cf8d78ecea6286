// The history query against a real recording of the small scenario with
// membership changes: JOR suspended at +40 s (it then sees only its own
// radars), CYP withdrawn at +70 s (it then sees nothing). Expected answers
// come from the live run's own frames, computed independently of the
// recording (the audience of a partner at a time is read off the frames the
// live chain produced, by the sensors they name).

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSkyError } from '../core/errors.ts';
import { CSV_HEADER, PathCollector, RecordingHistory, checkFormat, csvLine, parseTime, toGeoJson, toKml } from './history.ts';
import { runLive, sharedLiveRun } from './testing.ts';
import { assertWellFormedXml } from '../../test/support/xml.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-history-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'live.db');
const live = sharedLiveRun({
  durationS: 100, file,
  statusChanges: [{ atS: 40, partnerId: 'JOR', status: 'suspended' }, { atS: 70, partnerId: 'CYP', status: 'withdrawn' }],
});

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (isSkyError(e)) return e.code;
    throw e;
  }
  return 'no error';
};

test('history of a partner: exactly the live frames of the audience it saw at each time, across a membership change', () => {
  const run = live();
  const h = new RecordingHistory(file);
  const t0 = run.startS;
  const r = h.query({ partnerId: 'JOR', fromS: t0, toS: t0 + 100 });
  // Before +40 s JOR shares the coalition-wide audience (all five radars); after, its own (two radars).
  const all = run.frames.filter((f) => f.audience?.includes('EGY-CAI-1') && f.audience.includes('JOR-AMM-1'));
  const own = run.frames.filter((f) => f.audience !== undefined && f.audience.includes('JOR-AMM-1') && !f.audience.includes('EGY-'));
  assert.ok(own.length > 30, `JOR's own audience ran (${own.length} frames)`);
  const changeS = t0 + 40;
  const want = [...all.filter((f) => f.timeS < changeS), ...own.filter((f) => f.timeS >= changeS)].sort((a, b) => a.timeS - b.timeS);
  assert.deepEqual(r.frames.map((f) => f.t), want.map((f) => f.timeS));
  assert.deepEqual(r.frames.map((f) => f.tracks.map((t) => t.id)), want.map((f) => f.tracks.map((t) => t.id)));
  // The sovereignty check itself: after the suspension no track JOR gets names a sensor of another partner.
  const after = r.frames.filter((f) => f.t >= changeS + 1);
  assert.ok(after.length > 30 && after.some((f) => f.tracks.length > 0));
  for (const f of after) for (const k of f.tracks) for (const s of k.sensors) assert.ok(s.startsWith('JOR-'), `frame ${f.t}: track ${k.id} names ${s}`);
  assert.ok(r.frames.filter((f) => f.t < changeS).some((f) => f.tracks.some((k) => k.sensors.some((s) => s.startsWith('EGY-')))), 'before, it saw EGY radars');
  assert.equal(r.truncated, false);
  assert.deepEqual(r.withheld, []);
  h.close();
});

test('a withdrawn partner gets nothing recorded after its withdrawal, even of an audience that goes on', () => {
  const run = live();
  const h = new RecordingHistory(file);
  const r = h.query({ partnerId: 'CYP', fromS: run.startS, toS: run.startS + 100 });
  const last = r.frames[r.frames.length - 1]!;
  assert.ok(last.t < run.startS + 70, `last frame at +${last.t - run.startS} s`);
  assert.ok(r.frames.length > 50);
  // EGY's audience is the one CYP shared until then, and it went on recording.
  const e = h.query({ partnerId: 'EGY', fromS: run.startS + 70, toS: run.startS + 100 });
  assert.ok(e.frames.length >= 25, `EGY has ${e.frames.length} frames after +70 s`);
  h.close();
});

test('one track, decimated to a step, capped with a page marker', () => {
  const run = live();
  const h = new RecordingHistory(file);
  const t0 = run.startS;
  const full = h.query({ partnerId: 'EGY', fromS: t0, toS: t0 + 100 });
  const id = full.frames[full.frames.length - 1]!.tracks[0]!.id;
  const one = h.query({ partnerId: 'EGY', fromS: t0, toS: t0 + 100, trackId: id });
  assert.ok(one.frames.length > 10);
  assert.ok(one.frames.every((f) => f.tracks.length === 1 && f.tracks[0]!.id === id));
  assert.deepEqual(one.frames.map((f) => f.t), full.frames.filter((f) => f.tracks.some((k) => k.id === id)).map((f) => f.t));

  const stepped = h.query({ partnerId: 'EGY', fromS: t0, toS: t0 + 100, stepS: 10 });
  assert.ok(stepped.frames.length >= 9 && stepped.frames.length <= 10, `${stepped.frames.length} frames at 10 s`);
  for (let i = 1; i < stepped.frames.length; i++) {
    assert.ok(Math.floor((stepped.frames[i]!.t - t0) / 10) > Math.floor((stepped.frames[i - 1]!.t - t0) / 10));
  }
  // Each stepped frame is the first frame of its step.
  for (const f of stepped.frames) {
    const b = Math.floor((f.t - t0) / 10);
    assert.equal(f.t, full.frames.find((x) => Math.floor((x.t - t0) / 10) === b)!.t);
  }

  const capped = h.query({ partnerId: 'EGY', fromS: t0, toS: t0 + 100, maxFrames: 20 });
  assert.equal(capped.frames.length, 20);
  assert.equal(capped.truncated, true);
  assert.equal(capped.nextFromS, full.frames[20]!.t);
  const paged = [...h.all({ partnerId: 'EGY', fromS: t0, toS: t0 + 100 })];
  assert.deepEqual(paged.map((f) => f.t), full.frames.map((f) => f.t));
  h.close();
});

test('bad queries have stable codes', () => {
  live();
  const h = new RecordingHistory(file);
  assert.equal(code(() => h.query({ partnerId: 'EGY', fromS: 10, toS: 5 })), 'SKY_HISTORY_RANGE');
  assert.equal(code(() => h.query({ partnerId: 'EGY', fromS: NaN, toS: 5 })), 'SKY_HISTORY_RANGE');
  assert.equal(code(() => h.query({ partnerId: 'EGY', fromS: 0, toS: 200000 })), 'SKY_HISTORY_RANGE');
  assert.equal(code(() => h.query({ partnerId: 'EGY', fromS: 0, toS: 5, stepS: 0 })), 'SKY_HISTORY_STEP');
  assert.equal(code(() => h.query({ partnerId: 'EGY', fromS: 0, toS: 5, trackId: '"; DROP' })), 'SKY_HISTORY_TRACK');
  assert.equal(code(() => h.query({ partnerId: 'XXX', fromS: 0, toS: 5 })), 'SKY_HISTORY_PARTNER');
  assert.equal(code(() => parseTime('2025-06-01T10:00:00', 'from')), 'SKY_HISTORY_RANGE'); // no zone: refused
  assert.equal(code(() => parseTime('yesterday', 'from')), 'SKY_HISTORY_RANGE');
  assert.equal(parseTime('2025-06-01T10:00:00Z', 'from'), 1748772000);
  assert.equal(parseTime('1748772000.5', 'from'), 1748772000.5);
  assert.equal(code(() => checkFormat('xlsx')), 'SKY_EXPORT_FORMAT');
  assert.equal(code(() => new RecordingHistory(join(dir, 'missing.db'))), 'SKY_RECORD_OPEN');
  h.close();
});

test('retention older than a session\'s early inputs keeps them: the frames left are given, with the audience of their time', () => {
  const f2 = join(dir, 'pruned.db');
  // Keep 30 s: by the end the session's first blocks, ticks and frames are gone, but not JOR's suspension at +40 s.
  const run = runLive({
    durationS: 100, file: f2, recorder: { maxAgeS: 30, pruneRows: 100000 },
    statusChanges: [{ atS: 40, partnerId: 'JOR', status: 'suspended' }],
  });
  run.recorder!.close();
  const h = new RecordingHistory(f2);
  const span = h.span()!;
  assert.ok(span.fromS > run.startS + 60, `oldest frame kept at +${span.fromS - run.startS} s`);
  const r = h.query({ partnerId: 'JOR', fromS: run.startS, toS: run.startS + 200 });
  h.close();
  // Had the suspension been pruned, JOR's status would read "member" and it would get the coalition picture.
  const own = run.frames.filter((f) => f.timeS >= span.fromS && f.audience !== undefined && f.audience.includes('JOR-AMM-1') && !f.audience.includes('EGY-'));
  assert.ok(own.length > 20, `${own.length} frames of JOR's own audience kept`);
  assert.deepEqual(r.withheld, []);
  assert.deepEqual(r.frames.map((f) => f.t), own.map((f) => f.timeS));
  assert.deepEqual(r.frames.map((f) => f.tracks.map((t) => t.id)), own.map((f) => f.tracks.map((t) => t.id)));
});

test('a purge of a withdrawn partner\'s recorded blocks leaves gaps in the sequence, not doubt about membership', () => {
  const run = live();
  const f3 = join(dir, 'purged.db');
  copyFileSync(file, f3);
  const db = new Database(f3);
  const n = db.prepare("DELETE FROM blocks WHERE source IN (SELECT id FROM sources WHERE sensor_id LIKE 'CYP-%')").run().changes;
  db.close();
  assert.ok(n > 10, `${n} blocks purged`);
  const h = new RecordingHistory(f3);
  const r = h.query({ partnerId: 'JOR', fromS: run.startS, toS: run.startS + 100 });
  h.close();
  const h0 = new RecordingHistory(file);
  const want = h0.query({ partnerId: 'JOR', fromS: run.startS, toS: run.startS + 100 });
  h0.close();
  assert.deepEqual(r.withheld, []);
  assert.deepEqual(r.frames.map((f) => f.t), want.frames.map((f) => f.t));
});

test('exports: CSV lines, a GeoJSON FeatureCollection of LineStrings, KML Placemarks', () => {
  const run = live();
  const h = new RecordingHistory(file);
  const r = h.query({ partnerId: 'EGY', fromS: run.startS, toS: run.startS + 60, stepS: 5 });
  const lines = [CSV_HEADER, ...r.frames.flatMap((f) => f.tracks.map((k) => csvLine(f.t, k)))];
  const n = r.frames.reduce((a, f) => a + f.tracks.length, 0);
  assert.equal(lines.length, n + 1);
  const cols = CSV_HEADER.split(',');
  const first = lines[1]!.split(',');
  assert.equal(first.length, cols.length);
  const f0 = r.frames.find((f) => f.tracks.length > 0)!;
  const k0 = f0.tracks[0]!;
  assert.equal(Number(first[cols.indexOf('lat')]), k0.lat);
  assert.equal(first[cols.indexOf('id')], k0.id);
  assert.equal(first[cols.indexOf('utc')], new Date(f0.t * 1000).toISOString());
  assert.equal(csvLine(1, { ...k0, callsign: 'A,"B' }).split('"A,""B"').length, 2, 'quoted');
  assert.ok(csvLine(1, { ...k0, callsign: '=cmd' }).includes(",'=cmd,"), 'no formula');

  const c = new PathCollector();
  for (const f of r.frames) c.add(f);
  const g = JSON.parse(toGeoJson(c, { partner: 'EGY' })) as { type: string; features: { geometry: { type: string; coordinates: number[][] }; properties: { id: string; times: number[] } }[] };
  assert.equal(g.type, 'FeatureCollection');
  assert.equal(g.features.length, new Set(r.frames.flatMap((f) => f.tracks.map((k) => k.id))).size);
  const line = g.features.find((x) => x.properties.id === k0.id)!;
  assert.equal(line.geometry.type, 'LineString');
  assert.deepEqual(line.geometry.coordinates[0]!.slice(0, 2), [k0.lon, k0.lat]);
  assert.equal(line.geometry.coordinates.length, line.properties.times.length);

  const kml = toKml(c, 'EGY <test> & co');
  assert.ok(kml.includes('<name>EGY &lt;test&gt; &amp; co</name>'));
  assert.equal(kml.match(/<Placemark>/g)!.length, g.features.length);
  assertWellFormedXml(kml);
  h.close();
});

