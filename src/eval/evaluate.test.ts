import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SystemTrack, TrackStatus, TruthPoint } from '../core/types.ts';
import { isSkyError } from '../core/errors.ts';
import { evaluate, formatReport, horizontalDistanceM, offsetLatLonDeg } from './index.ts';

// Every case is built in metres east/north of a small origin near 30°N.
const ORIGIN = { latDeg: 30.0, lonDeg: 31.0 };
const T0 = 1763900000;
const C = 2000;

function truthAt(tS: number, id: string, eastM: number, northM: number, extra: Partial<TruthPoint> = {}): TruthPoint {
  const p = offsetLatLonDeg(ORIGIN.latDeg, ORIGIN.lonDeg, eastM, northM);
  return { timeS: T0 + tS, id, latDeg: p.latDeg, lonDeg: p.lonDeg, altM: null, icao24: null, mode3a: null, callsign: null, ...extra };
}

function trackAt(
  tS: number,
  id: string,
  eastM: number,
  northM: number,
  extra: Partial<Omit<SystemTrack, 'status'>> & { status?: TrackStatus } = {},
): SystemTrack {
  const p = offsetLatLonDeg(ORIGIN.latDeg, ORIGIN.lonDeg, eastM, northM);
  return {
    kind: 'track',
    id,
    timeS: T0 + tS,
    status: 'confirmed',
    latDeg: p.latDeg,
    lonDeg: p.lonDeg,
    altM: null,
    velEastMps: 0,
    velNorthMps: 0,
    sigmaM: 50,
    icao24: null,
    mode3a: null,
    callsign: null,
    sensors: [],
    partners: [],
    ...extra,
  };
}

const close = (actual: number | null, expected: number, tol = 1e-6): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);
};

test('metre helper: offsets come back as the distances written', () => {
  const a = offsetLatLonDeg(30, 31, 300, 0);
  close(horizontalDistanceM(30, 31, a.latDeg, a.lonDeg), 300, 1e-9);
  const b = offsetLatLonDeg(30, 31, 1200, -1600);
  close(horizontalDistanceM(30, 31, b.latDeg, b.lonDeg), 2000, 1e-9);
  // One degree of latitude at 30°N is 110 852 m (WGS-84 meridian arc tables).
  close(horizontalDistanceM(29.5, 31, 30.5, 31), 110852, 1);
});

test('one truth, one track 300 m east: GOSPA 300, all localisation', () => {
  const r = evaluate([truthAt(0, 'A', 0, 0)], [trackAt(0, 'T1', 300, 0)]);
  close(r.gospa.meanM, 300);
  close(r.gospa.localisationM, 300);
  close(r.gospa.missedM, 0);
  close(r.gospa.falseM, 0);
  close(r.rmsHorizontalM, 300);
  assert.equal(r.rmsVerticalM, null);
  assert.equal(r.coverage, 1);
  assert.equal(r.falseTrackRate, 0);
  assert.equal(r.instants, 1);
});

test('one missed target: GOSPA sqrt(c²/2) = 1414.21 m', () => {
  // A tentative track (not scored) marks the snapshot time so the instant is scored.
  const r = evaluate([truthAt(0, 'A', 0, 0)], [trackAt(0, 'T9', 50, 0, { status: 'tentative' })]);
  close(r.gospa.meanM, Math.sqrt((C * C) / 2));
  close(r.gospa.meanM, 1414.2136, 1e-4);
  close(r.gospa.missedM, 1414.2136, 1e-4);
  close(r.gospa.falseM, 0);
  assert.equal(r.coverage, 0);
  assert.equal(r.trackIds, 0);
  assert.ok(Number.isNaN(r.rmsHorizontalM));
});

test('a track 3000 m away (beyond c): one missed + one false = 2000 m', () => {
  const r = evaluate([truthAt(0, 'A', 0, 0)], [trackAt(0, 'T1', 0, 3000)]);
  close(r.gospa.meanM, 2000);
  close(r.gospa.localisationM, 0);
  close(r.gospa.missedM, 1414.2136, 1e-4);
  close(r.gospa.falseM, 1414.2136, 1e-4);
  assert.equal(r.coverage, 0);
  assert.equal(r.falseTrackRate, 1);
});

test('cross-over: optimal assignment beats nearest-neighbour greedy', () => {
  // Truths A at 0 m and B at 1000 m east; tracks T1 at 400 m, T2 at -500 m.
  // Greedy takes the closest pair A–T1 (400) and leaves B–T2 (1500):
  // sqrt(400² + 1500²) = 1552.4. The optimum is A–T2 (500) + B–T1 (600):
  // sqrt(500² + 600²) = sqrt(610000) = 781.02 m.
  const truth = [truthAt(0, 'A', 0, 0), truthAt(0, 'B', 1000, 0)];
  const tracks = [trackAt(0, 'T1', 400, 0), trackAt(0, 'T2', -500, 0)];
  const r = evaluate(truth, tracks);
  close(r.gospa.meanM, Math.sqrt(610000));
  close(r.gospa.localisationM, 781.0250, 1e-4);
  // RMS over the two pairs: sqrt((500² + 600²) / 2) = 552.27 m.
  close(r.rmsHorizontalM, Math.sqrt(610000 / 2));
  assert.equal(r.coverage, 1);
});

test('time average over instants and the missed/false parts', () => {
  // t=0: perfect (0). t=1: one extra false track at 5 km: c²/2 -> 1414.21.
  // t=2: truth 300 m from its track and a second truth missed:
  //      sqrt(300² + c²/2) = sqrt(2 090 000) = 1445.68.
  const truth = [truthAt(0, 'A', 0, 0), truthAt(1, 'A', 0, 0), truthAt(2, 'A', 0, 0), truthAt(2, 'B', 9000, 0)];
  const tracks = [trackAt(0, 'T1', 0, 0), trackAt(1, 'T1', 0, 0), trackAt(1, 'T2', 5000, 0), trackAt(2, 'T1', 0, 300)];
  const r = evaluate(truth, tracks);
  const half = Math.sqrt((C * C) / 2);
  close(r.gospa.meanM, (0 + half + Math.sqrt(300 * 300 + (C * C) / 2)) / 3);
  close(r.gospa.localisationM, (0 + 0 + 300) / 3);
  close(r.gospa.missedM, half / 3);
  close(r.gospa.falseM, half / 3);
  assert.equal(r.coverage, 3 / 4);
  assert.equal(r.falseTrackRate, 1 / 4);
  assert.equal(r.truthAircraft, 2);
  assert.equal(r.trackIds, 2);
  close(r.aircraftHours, 4 / 3600, 1e-12);
});

test('CLEAR MOT continuity: a close pass is no swap, an exchange of tracks is', () => {
  // A and B fly 300 m apart; each track follows its own aircraft, but at t=1
  // both are 200 m off towards the other: T1 (on A) at 200, T2 (on B) at 100.
  // The per-instant optimum then pairs A–T2 and B–T1 (100² + 100² < 200² + 200²),
  // and back at t=2: 4 reassignments. CLEAR MOT keeps A–T1 and B–T2 (both
  // still within the gate): no swap.
  const truth: TruthPoint[] = [];
  for (let t = 0; t < 3; t++) truth.push(truthAt(t, 'A', 0, 0), truthAt(t, 'B', 300, 0));
  const pass = [
    trackAt(0, 'T1', 0, 0), trackAt(0, 'T2', 300, 0),
    trackAt(1, 'T1', 200, 0), trackAt(1, 'T2', 100, 0),
    trackAt(2, 'T1', 0, 0), trackAt(2, 'T2', 300, 0),
  ];
  const r = evaluate(truth, pass);
  assert.equal(r.idReassignments, 4);
  assert.equal(r.idSwaps, 0);
  assert.equal(r.trackBreaks, 0);
  // RMS still uses the per-instant optimum: t=1 pairs at 100 m.
  close(r.rmsHorizontalM, Math.sqrt((2 * 100 * 100) / 6));

  // At t=2 the tracks have exchanged aircraft and B is 5 km away: T1 is now
  // beyond the gate of A, so both correspondences change: 2 swaps.
  const truth2: TruthPoint[] = [];
  for (let t = 0; t < 2; t++) truth2.push(truthAt(t, 'A', 0, 0), truthAt(t, 'B', 300, 0));
  truth2.push(truthAt(2, 'A', 0, 0), truthAt(2, 'B', 5000, 0));
  const exchange = [
    trackAt(0, 'T1', 0, 0), trackAt(0, 'T2', 300, 0),
    trackAt(1, 'T1', 150, 0), trackAt(1, 'T2', 160, 0),
    trackAt(2, 'T1', 5000, 0), trackAt(2, 'T2', 0, 0),
  ];
  const r2 = evaluate(truth2, exchange);
  assert.equal(r2.idSwaps, 2);
  assert.equal(r2.idReassignments, 2);
});

test('ID swaps and track breaks on a hand-made 5-instant sequence', () => {
  // Aircraft A is associated with T1, T1, -, T1, T2: one break, one swap.
  // At t=2 the tracker wrote no line at all: the instant lies on its 1 s
  // snapshot grid, so it is scored against an empty picture.
  // Aircraft B (30 km away) goes T3, T3, -, T4, T3: one break, two swaps
  // (T3 -> T4 and T4 -> T3), and at t=2 its track T3 is 2500 m off (beyond the gate).
  const truth: TruthPoint[] = [];
  for (let t = 0; t < 5; t++) truth.push(truthAt(t, 'A', 0, 0), truthAt(t, 'B', 30000, 0));
  const tracks = [
    trackAt(0, 'T1', 10, 0),
    trackAt(0, 'T3', 30000, 10),
    trackAt(1, 'T1', 10, 0),
    trackAt(1, 'T3', 30000, 10),
    trackAt(2, 'T3', 30000, 2500),
    trackAt(3, 'T1', 10, 0),
    trackAt(3, 'T4', 30000, 10),
    trackAt(4, 'T2', 10, 0),
    trackAt(4, 'T3', 30000, 10),
  ];
  // With the t=2 line for T3 present there is a snapshot at every second.
  const r = evaluate(truth, tracks);
  assert.equal(r.instants, 5);
  assert.equal(r.idSwaps, 1 + 2);
  assert.equal(r.trackBreaks, 1 + 1);
  assert.equal(r.coverage, 8 / 10);
  assert.equal(r.trackIds, 4);

  // Without T3's t=2 line the tracker wrote nothing at t=2: still scored.
  const r2 = evaluate(truth, tracks.filter((tr) => tr.timeS !== T0 + 2));
  assert.equal(r2.instants, 5);
  assert.equal(r2.trackBreaks, 2);
  // t=0,1,3,4: both 10 m off -> sqrt(10² + 10²); t=2: two missed -> sqrt(2 · c²/2) = c.
  // (B sits 30 km from the origin, where metre offsets compose only to ~1e-5 m.)
  close(r2.gospa.meanM, (4 * Math.sqrt(200) + C) / 5, 1e-4);
});

test('instants with no snapshot in tolerance are skipped; ±0.5 s half-open pairing', () => {
  // Truth every second 0..5; snapshots at 1.3 and 2.3 only (0.3 s late).
  const truth: TruthPoint[] = [];
  for (let t = 0; t < 6; t++) truth.push(truthAt(t, 'A', 0, 0));
  const tracks = [trackAt(1.3, 'T1', 0, 100), trackAt(2.3, 'T1', 0, 100)];
  const r = evaluate(truth, tracks);
  assert.equal(r.instants, 2);
  assert.equal(r.truthInstants, 6);
  close(r.gospa.meanM, 100);
  // A snapshot at 3.5 serves truth 3 only: t - s = -0.5 is in [-0.5, 0.5), +0.5 (truth 4) is not.
  const r2 = evaluate(truth, [trackAt(3.5, 'T1', 0, 100)]);
  assert.equal(r2.instants, 1);
  assert.match(formatReport(r).replace(/\s+/g, ' '), /instants scored 2 of 6/);
});

test('identityCorrect uses icao24, else mode3a, among tracks that state one', () => {
  const id = { icao24: '4840d6', mode3a: '7000' };
  const truth = [
    truthAt(0, 'A', 0, 0, id),
    truthAt(0, 'B', 10000, 0, id),
    truthAt(0, 'C', 20000, 0, id),
    truthAt(0, 'D', 30000, 0, id),
  ];
  const tracks = [
    trackAt(0, 'T1', 0, 0, { icao24: '4840D6', mode3a: '1234' }), // right (icao24 decides, case-insensitive)
    trackAt(0, 'T2', 10000, 0, { icao24: 'abcdef', mode3a: '7000' }), // wrong
    trackAt(0, 'T3', 20000, 0, { mode3a: '7000' }), // right by mode3a
    trackAt(0, 'T4', 30000, 0), // states nothing: not counted
  ];
  const r = evaluate(truth, tracks);
  close(r.identityCorrect, 2 / 3);
  const none = evaluate([truthAt(0, 'A', 0, 0)], [trackAt(0, 'T1', 0, 0)]);
  assert.equal(none.identityCorrect, null);
});

test('vertical RMS over pairs where both state altM', () => {
  const truth = [truthAt(0, 'A', 0, 0, { altM: 10000 }), truthAt(0, 'B', 10000, 0, { altM: 9000 }), truthAt(0, 'C', 20000, 0, { altM: 8000 })];
  const tracks = [trackAt(0, 'T1', 0, 0, { altM: 10030 }), trackAt(0, 'T2', 10000, 0, { altM: 8960 }), trackAt(0, 'T3', 20000, 0)];
  const r = evaluate(truth, tracks);
  close(r.rmsVerticalM, Math.sqrt((30 * 30 + 40 * 40) / 2));
});

test('a smaller association gate leaves GOSPA alone and drops far pairs', () => {
  const r = evaluate([truthAt(0, 'A', 0, 0)], [trackAt(0, 'T1', 800, 0)], { gateM: 500 });
  close(r.gospa.meanM, 800);
  assert.equal(r.coverage, 0);
  assert.ok(Number.isNaN(r.rmsHorizontalM));
});

test('options are checked with SKY_USAGE', () => {
  assert.throws(() => evaluate([], [], { alpha: 1 }), (e) => isSkyError(e) && e.code === 'SKY_USAGE');
  assert.throws(() => evaluate([], [], { cM: 0 }), (e) => isSkyError(e) && e.code === 'SKY_USAGE');
});

test('formatReport: aligned table with the figures', () => {
  const r = evaluate([truthAt(0, 'A', 0, 0)], [trackAt(0, 'T1', 300, 0)]);
  const text = formatReport(r);
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0]!, /^GOSPA \(p=2, c=2000 m, α=2\) +mean 300\.0 m +\(localisation 300\.0, missed 0\.0, false 0\.0\)$/);
  assert.match(text, /^horizontal RMS +300\.0 m$/m);
  assert.match(text, /^vertical RMS +n\/a$/m);
  assert.match(text, /^coverage +100\.0 %$/m);
  // Every value starts in the same column, after at least two spaces.
  const col = lines[0]!.indexOf('mean');
  for (const line of lines) {
    assert.equal(line.slice(col - 2, col), '  ', line);
    assert.notEqual(line[col], ' ', line);
  }
});

test('an aircraft no sensor can see is neither missed nor in coverage; a track on it is not false', async () => {
  const { evaluate } = await import('./evaluate.ts');
  const base = { icao24: null, mode3a: null, callsign: null, altM: 10000 } as const;
  const truth = [
    { ...base, timeS: 100, id: 'A', latDeg: 30, lonDeg: 33 },
    { ...base, timeS: 100, id: 'B', latDeg: 31, lonDeg: 34, observable: false },
    { ...base, timeS: 101, id: 'A', latDeg: 30, lonDeg: 33 },
    { ...base, timeS: 101, id: 'B', latDeg: 31, lonDeg: 34, observable: false },
  ];
  const trk = (t: number, id: string, lat: number, lon: number) => ({
    kind: 'track' as const, id, timeS: t, status: 'confirmed' as const, latDeg: lat, lonDeg: lon, altM: 10000,
    velEastMps: 0, velNorthMps: 0, sigmaM: 50, icao24: null, mode3a: null, callsign: null, sensors: [], partners: [],
  });
  // At 100 only A is tracked (exactly); at 101 both are (B exactly too).
  const r = evaluate(truth, [trk(100, 'T1', 30, 33), trk(101, 'T1', 30, 33), trk(101, 'T2', 31, 34)]);
  assert.equal(r.coverage, 1, 'A covered both seconds; B is not in coverage');
  assert.equal(r.falseTrackRate, 0, 'T2 sits on B: not false');
  assert.equal(r.gospa.missedM, 0, 'B unseen at 100 is not missed');
  assert.equal(r.unobservablePoints, 2);
  assert.equal(r.aircraftHours, 2 / 3600);
});
