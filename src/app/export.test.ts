// `skyfuse export` run as a user runs it (the real CLI in a child process)
// on a real recording of the small scenario with JOR suspended at +40 s.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { CSV_HEADER, RecordingHistory } from '../record/history.ts';
import { runLive, type LiveRun } from '../record/testing.ts';
import { assertWellFormedXml } from '../../test/support/xml.ts';

const root = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'skyfuse-export-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const rec = join(dir, 'rec.db');
let run: LiveRun;

before(() => {
  run = runLive({ durationS: 70, file: rec, statusChanges: [{ atS: 40, partnerId: 'JOR', status: 'suspended' }] });
  run.recorder!.close();
});

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'skyfuse'), 'export', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
};

test('CSV: one line per track per frame of the partner\'s own picture, header first', () => {
  const out = join(dir, 'jor.csv');
  const from = new Date(run.startS * 1000).toISOString();
  const r = cli('--recording', rec, '--partner', 'JOR', '--from', from, '--to', String(run.startS + 70), '--format', 'csv', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], CSV_HEADER);
  const h = new RecordingHistory(rec);
  const want = h.query({ partnerId: 'JOR', fromS: run.startS, toS: run.startS + 70 });
  h.close();
  const n = want.frames.reduce((a, f) => a + f.tracks.length, 0);
  assert.ok(n > 500, `${n} track lines`);
  assert.equal(lines.length - 1, n);
  assert.match(r.stderr, new RegExp(`exported ${want.frames.length} frames, ${n} track lines`));
  // After the suspension JOR's lines name only JOR radars.
  const col = CSV_HEADER.split(',');
  for (const l of lines.slice(1)) {
    const f = l.split(',');
    if (Number(f[col.indexOf('t')]) >= run.startS + 41) for (const s of f[col.indexOf('sensors')]!.split(';').filter(Boolean)) assert.match(s, /^JOR-/);
  }
});

test('GeoJSON: a FeatureCollection, one LineString per track; KML: well-formed, one Placemark per track', () => {
  const g = join(dir, 'egy.geojson');
  assert.equal(cli('--recording', rec, '--partner', 'EGY', '--from', String(run.startS), '--to', String(run.startS + 70), '--format', 'geojson', '--step', '2', '--out', g).status, 0);
  const fc = JSON.parse(readFileSync(g, 'utf8')) as { type: string; features: { geometry: { type: string; coordinates: number[][] }; properties: { id: string; times: number[] } }[] };
  assert.equal(fc.type, 'FeatureCollection');
  const lines = fc.features.filter((f) => f.geometry.type === 'LineString');
  assert.ok(lines.length > 20, `${lines.length} LineStrings`);
  for (const f of lines) {
    assert.equal(f.geometry.coordinates.length, f.properties.times.length);
    for (const c of f.geometry.coordinates) assert.ok(c[0]! > 25 && c[0]! < 45 && c[1]! > 22 && c[1]! < 40, `lon/lat order: ${c}`);
    for (let i = 1; i < f.properties.times.length; i++) assert.ok(f.properties.times[i]! - f.properties.times[i - 1]! >= 2 - 1e-9);
  }
  const k = join(dir, 'egy.kml');
  assert.equal(cli('--recording', rec, '--partner', 'EGY', '--from', String(run.startS), '--to', String(run.startS + 70), '--format', 'kml', '--step', '2', '--out', k).status, 0);
  const kml = readFileSync(k, 'utf8');
  assertWellFormedXml(kml);
  assert.equal((kml.match(/<Placemark>/g) ?? []).length, fc.features.length);
});

test('bad arguments: exit 2, one line with a stable code, no file left behind', () => {
  const out = join(dir, 'bad.csv');
  const cases: [string[], string][] = [
    [['--format', 'xlsx'], 'SKY_EXPORT_FORMAT'],
    [['--from', 'yesterday'], 'SKY_HISTORY_RANGE'],
    [['--from', '2025-06-01T10:00:00'], 'SKY_HISTORY_RANGE'],
    [['--to', String(run.startS - 10)], 'SKY_HISTORY_RANGE'],
    [['--partner', 'XXX'], 'SKY_HISTORY_PARTNER'],
    [['--step', '0'], 'SKY_HISTORY_STEP'],
    [['--track', 'a b'], 'SKY_HISTORY_TRACK'],
    [['--recording', join(dir, 'none.db')], 'SKY_RECORD_OPEN'],
  ];
  for (const [over, code] of cases) {
    const args: Record<string, string> = { '--recording': rec, '--partner': 'EGY', '--from': String(run.startS), '--to': String(run.startS + 10), '--format': 'csv', '--out': out };
    for (let i = 0; i < over.length; i += 2) args[over[i]!] = over[i + 1]!;
    const r = cli(...Object.entries(args).flat());
    assert.equal(r.status, 2, `${over.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^skyfuse: ${code}: `), over.join(' '));
    assert.equal(existsSync(out) || existsSync(out + '.part'), false, `${over.join(' ')} left a file`);
  }
});
