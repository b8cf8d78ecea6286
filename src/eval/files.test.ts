import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSkyError } from '../core/errors.ts';
import { readTracksFile, readTruthFile } from './index.ts';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'skyfuse-eval-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function rejects(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e) => {
    assert.ok(isSkyError(e), String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
}

const TRACK =
  '{"t":1763900000.0,"id":"T42","status":"confirmed","lat":30.1,"lon":31.4,"altM":10668,"vE":231.0,"vN":-12.5,' +
  '"sigmaM":85,"icao24":"4840d6","mode3a":"7000","callsign":"KLM1023","sensors":["EGY-CAI-1"]}';
const TRUTH =
  '{"t":1763900000.0,"id":"A17","lat":30.1,"lon":31.4,"altM":10668,"icao24":"4840d6","mode3a":"7000","callsign":"KLM1023"}';

test('truth: contract 5 example maps to TruthPoint; unknown fields ignored, blank lines skipped', () => {
  const path = write('truth.jsonl', [
    TRUTH,
    '',
    '{"t":1763900001,"id":"A18","lat":-10,"lon":179.5,"altM":null,"icao24":null,"mode3a":null,"callsign":null,"observable":true,"vE":3}',
  ]);
  const pts = readTruthFile(path);
  assert.deepEqual(pts, [
    { timeS: 1763900000, id: 'A17', latDeg: 30.1, lonDeg: 31.4, altM: 10668, icao24: '4840d6', mode3a: '7000', callsign: 'KLM1023' },
    { timeS: 1763900001, id: 'A18', latDeg: -10, lonDeg: 179.5, altM: null, icao24: null, mode3a: null, callsign: null },
  ]);
});

test('tracks: contract 4 example maps to SystemTrack; sensors and partners default to []', () => {
  const path = write('tracks.jsonl', [
    TRACK,
    '{"t":1763900001,"id":"T43","status":"coasting","lat":30,"lon":31,"altM":null,"vE":0,"vN":1,"sigmaM":120,"icao24":null,"mode3a":null,"callsign":null}',
  ]);
  const tracks = readTracksFile(path);
  assert.deepEqual(tracks[0], {
    kind: 'track',
    timeS: 1763900000,
    id: 'T42',
    status: 'confirmed',
    latDeg: 30.1,
    lonDeg: 31.4,
    altM: 10668,
    velEastMps: 231,
    velNorthMps: -12.5,
    sigmaM: 85,
    icao24: '4840d6',
    mode3a: '7000',
    callsign: 'KLM1023',
    sensors: ['EGY-CAI-1'],
    partners: [],
  });
  assert.equal(tracks[1]!.status, 'coasting');
  assert.deepEqual(tracks[1]!.sensors, []);
  assert.equal(tracks[1]!.altM, null);
});

test('bad truth lines: SKY_TRUTH_INVALID with file and line', () => {
  const bad = write('bad-truth.jsonl', [TRUTH, TRUTH, '{"t":1763900002,"id":"A17","lat":"30.1","lon":31.4,"altM":0}']);
  rejects(() => readTruthFile(bad), 'SKY_TRUTH_INVALID', `${bad} line 3: lat must be a number`);
  const notJson = write('nj.jsonl', [TRUTH, '{"t": 1,']);
  rejects(() => readTruthFile(notJson), 'SKY_TRUTH_INVALID', `${notJson} line 2: not valid JSON`);
  const missing = write('missing.jsonl', ['{"id":"A1","lat":1,"lon":2}']);
  rejects(() => readTruthFile(missing), 'SKY_TRUTH_INVALID', `${missing} line 1: t is required`);
  const range = write('range.jsonl', ['{"t":1,"id":"A1","lat":91,"lon":2}']);
  rejects(() => readTruthFile(range), 'SKY_TRUTH_INVALID', `${range} line 1: lat must be -90..90, got 91`);
  const arr = write('arr.jsonl', ['[1,2]']);
  rejects(() => readTruthFile(arr), 'SKY_TRUTH_INVALID', `${arr} line 1: must be a JSON object`);
  assert.throws(
    () => readTruthFile(bad),
    (e) => isSkyError(e) && e.offset === 3 && e.file === bad && e.toLine().startsWith('SKY_TRUTH_INVALID: '),
  );
});

test('bad track lines: SKY_TRACKS_INVALID with file and line', () => {
  const status = write('status.jsonl', [TRACK, TRACK.replace('"confirmed"', '"lost"')]);
  rejects(() => readTracksFile(status), 'SKY_TRACKS_INVALID', `${status} line 2: status must be tentative, confirmed or coasting`);
  // Line numbers count blank lines too, as an editor shows them.
  const lat = write('lat.jsonl', [TRACK, '', TRACK.replace('"lat":30.1', '"lat":null')]);
  rejects(() => readTracksFile(lat), 'SKY_TRACKS_INVALID', `${lat} line 3: lat must be a number`);
  const sensors = write('sensors.jsonl', [TRACK.replace('["EGY-CAI-1"]', '"EGY-CAI-1"')]);
  rejects(() => readTracksFile(sensors), 'SKY_TRACKS_INVALID', `${sensors} line 1: sensors must be an array of strings`);
  const icao = write('icao.jsonl', [TRACK.replace('"4840d6"', '4840')]);
  rejects(() => readTracksFile(icao), 'SKY_TRACKS_INVALID', `${icao} line 1: icao24 must be a string or null`);
});

test('a missing file is SKY_FILE_NOT_FOUND naming it', () => {
  const path = join(dir, 'nope.jsonl');
  rejects(() => readTracksFile(path), 'SKY_FILE_NOT_FOUND', `${path}: no such file; check the path`);
  rejects(() => readTruthFile(path), 'SKY_FILE_NOT_FOUND', `${path}: no such file; check the path`);
});
