// The page's DOM-free logic (geometry, units, the picture and label text),
// tested in Node. It lives here rather than under web/ because `npm test`
// collects src/**/*.test.ts and test/**/*.test.ts only.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { altBand, courseDeg, deadReckon, destination, flText, geodesicCircle, knots } from '../../web/src/geo.ts';
import { labelLines } from '../../web/src/labels.ts';
import { affiliationOf, friendlyBlocks } from '../../web/src/affiliation.ts';
import { sortAlerts } from '../../web/src/alerts.ts';
import { Picture } from '../../web/src/picture.ts';
import { orderTracks } from '../../web/src/table.ts';
import type { WireAlert, WireTrack } from './wire.ts';

const R = 6371008.8;
const RAD = Math.PI / 180;

/** Haversine distance, an independent check of the destination formula. */
function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const a = Math.sin(((lat2 - lat1) * RAD) / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(((lon2 - lon1) * RAD) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(a));
}

const wt = (over: Partial<WireTrack> = {}): WireTrack => ({
  id: 'T1', st: 'C', lat: 31.5, lon: 32.25, alt: 10668, vE: 231, vN: -12.5,
  cs: 'KLM1023', m3a: '7000', icao: '4840d6', sen: ['EGY-CAI-1'], par: ['EGY'], ...over,
});

describe('page geometry and units', () => {
  test('one degree of longitude at the equator is 111 195 m on the mean sphere', () => {
    const [lon, lat] = destination(0, 0, Math.PI / 2, (2 * Math.PI * R) / 360);
    assert.ok(Math.abs(lon - 1) < 1e-9 && Math.abs(lat) < 1e-9, `${lon} ${lat}`);
  });

  test('a 250 km coverage ring is closed and every vertex is 250 km from the radar', () => {
    const ring = geodesicCircle(30.12, 31.41, 250_000);
    assert.equal(ring.length, 129);
    assert.deepEqual(ring[0], ring[128]);
    for (const [lon, lat] of ring) assert.ok(Math.abs(haversineM(30.12, 31.41, lat, lon) - 250_000) < 0.5);
    // North vertex first: 250 km north is 2.2483 deg of latitude.
    assert.ok(Math.abs(ring[0]![1] - 30.12 - 250_000 / (R * RAD)) < 1e-9);
  });

  test('the velocity vector ends where the track will be in 60 s', () => {
    const [lon, lat] = deadReckon(31.5, 32.25, 231, -12.5, 60);
    assert.ok(Math.abs(haversineM(31.5, 32.25, lat, lon) - Math.hypot(231, -12.5) * 60) < 0.01);
    assert.ok(lon > 32.25 && lat < 31.5);
    assert.deepEqual(deadReckon(31.5, 32.25, 0, 0, 60), [32.25, 31.5]);
  });

  test('knots, course and flight levels', () => {
    assert.ok(Math.abs(knots(231, -12.5) - 449.685) < 0.001); // 231.338 m/s x 3600/1852
    assert.equal(Math.round(courseDeg(0, 100)), 0);
    assert.equal(Math.round(courseDeg(100, 0)), 90);
    assert.equal(Math.round(courseDeg(-100, 0)), 270);
    assert.equal(flText(10668), 'FL350'); // 35 000 ft
    assert.equal(flText(1520), 'FL050');
    assert.equal(flText(null), '');
    assert.equal(flText(-152.4), 'FL-05');
  });

  test('altitude bands break at FL100, FL245 and FL350', () => {
    const m = (fl: number) => fl * 30.48;
    assert.equal(altBand(m(99)), 'low');
    assert.equal(altBand(m(100)), 'mid');
    assert.equal(altBand(m(244)), 'mid');
    assert.equal(altBand(m(245)), 'high');
    assert.equal(altBand(m(349)), 'high');
    assert.equal(altBand(m(350)), 'upper');
    assert.equal(altBand(null), 'unknown');
  });
});

describe('page picture and labels', () => {
  test('label: callsign, else Mode 3/A, else track id; then level and ground speed', () => {
    assert.deepEqual(labelLines(wt()), ['KLM1023', '350 450']);
    assert.deepEqual(labelLines(wt({ cs: null })), ['A7000', '350 450']);
    assert.deepEqual(labelLines(wt({ cs: null, m3a: null, alt: null, st: 'K' })), ['T1', '--- 450 CST']);
  });

  test('trails keep the last N positions; tracks absent from a frame are dropped', () => {
    const p = new Picture(3);
    for (let i = 0; i < 5; i++) p.update(100 + i, [wt({ lon: 32 + i * 0.1 }), wt({ id: 'T2', lon: 30, lat: 30 + i * 0.1 })]);
    // Symbols and vectors in one collection, trails in another (re-sent less often at thousands of tracks).
    const fc = p.toGeoJSON('T2');
    const trails = p.trailsGeoJSON('T2');
    const trail = trails.features.find((f) => f.properties?.kind === 'trail' && f.properties.id === 'T1');
    assert.ok(trail && trail.geometry.type === 'LineString');
    assert.deepEqual(trail.geometry.coordinates.map((c) => Math.round(c[0]! * 10) / 10), [32.2, 32.3, 32.4]);
    const kinds = fc.features.filter((f) => f.properties?.id === 'T2').map((f) => f.properties?.kind).sort();
    assert.deepEqual(kinds, ['trk', 'vec']);
    assert.deepEqual(trails.features.filter((f) => f.properties?.id === 'T2').map((f) => [f.properties?.kind, f.properties?.sel]), [['trail', 1]]);
    assert.equal(fc.features.find((f) => f.properties?.kind === 'trk' && f.properties.id === 'T2')?.properties?.sel, 1);

    p.update(105, [wt({ id: 'T2' })]);
    assert.deepEqual([...p.tracks.keys()], ['T2']);
    assert.equal(p.frameTimeS, 105);
    assert.ok(!p.toGeoJSON(null).features.some((f) => f.properties?.id === 'T1'));
    assert.ok(!p.trailsGeoJSON(null).features.some((f) => f.properties?.id === 'T1'));
  });

  test('coasting and altitude band travel as feature properties', () => {
    const p = new Picture();
    p.update(1, [wt({ st: 'K', alt: 1520 })]);
    const sym = p.toGeoJSON(null).features.find((f) => f.properties?.kind === 'trk');
    assert.deepEqual(sym?.properties, { kind: 'trk', id: 'T1', band: 'low', coasting: 1, sel: 0, aff: 'neutral', emg: 0 });
  });

  test('history keeps positions, levels and every contributing sensor and partner', () => {
    const p = new Picture(3);
    p.update(100, [wt({ sen: ['EGY-CAI-1'], par: ['EGY'] })]);
    p.update(101, [wt({ lon: 32.3, alt: 10700, sen: ['CYP-LCA-1'], par: ['CYP'] })]);
    const h = p.historyOf('T1')!;
    assert.deepEqual([h.t, h.alt, h.pos, h.firstS], [[100, 101], [10668, 10700], [32.25, 31.5, 32.3, 31.5], 100]);
    assert.deepEqual([...h.sensors], [['EGY-CAI-1', 100], ['CYP-LCA-1', 101]]);
    assert.deepEqual([...h.partners.keys()], ['EGY', 'CYP']);
  });
});

describe('page affiliation, table order and alert order', () => {
  const friendly = friendlyBlocks(['EGY', 'CYP']);
  test('friend: Mode S of a member state; neutral: other transponders; unknown: none; pending: tentative', () => {
    assert.equal(affiliationOf(wt({ icao: '010203' }), friendly), 'friend'); // Egypt 010000-017FFF
    assert.equal(affiliationOf(wt({ icao: '4c8001' }), friendly), 'friend'); // Cyprus 4C8000-4C83FF
    assert.equal(affiliationOf(wt({ icao: '4c8400' }), friendly), 'neutral'); // just past Cyprus's block
    assert.equal(affiliationOf(wt({ icao: '740701' }), friendly), 'neutral'); // Jordan: not a member here
    assert.equal(affiliationOf(wt({ icao: null, m3a: '6107' }), friendly), 'neutral');
    assert.equal(affiliationOf(wt({ icao: null, m3a: null }), friendly), 'unknown');
    assert.equal(affiliationOf(wt({ st: 'T', icao: '010203' }), friendly), 'pending');
    const p = new Picture();
    p.update(1, [wt({ m3a: '7700' })]);
    assert.equal(p.toGeoJSON(null).features.find((f) => f.properties?.kind === 'trk')?.properties?.emg, 1);
  });

  test('table: natural id order, nulls last either way, filter on callsign / code / address / id', () => {
    const ts = [wt({ id: 'T10', alt: 3000 }), wt({ id: 'T9', alt: null, cs: 'MSR1' }), wt({ id: 'T2', alt: 9000, m3a: '7700', icao: 'abc123' })];
    assert.deepEqual(orderTracks(ts, 'id', 1, '').map((t) => t.id), ['T2', 'T9', 'T10']);
    assert.deepEqual(orderTracks(ts, 'fl', 1, '').map((t) => t.id), ['T10', 'T2', 'T9']);
    assert.deepEqual(orderTracks(ts, 'fl', -1, '').map((t) => t.id), ['T2', 'T10', 'T9']);
    assert.deepEqual(orderTracks(ts, 'id', 1, ' msr').map((t) => t.id), ['T9']);
    assert.deepEqual(orderTracks(ts, 'id', 1, '7700').map((t) => t.id), ['T2']);
    assert.deepEqual(orderTracks(ts, 'id', 1, 'ABC1').map((t) => t.id), ['T2']);
    assert.deepEqual(orderTracks(ts, 'id', 1, 't1').map((t) => t.id), ['T10']);
  });

  test('alerts: active first, emergencies first among them, then acknowledged, then cleared; newest first within', () => {
    const a = (id: string, state: WireAlert['state'], severity: WireAlert['severity'], t: number): WireAlert => ({
      id, kind: 'track-lost', severity, state, t, trackId: null, sensorId: null, code: null, lat: null, lon: null, text: '', clearedS: null, clearedWhy: null, ackBy: null, ackS: null,
    });
    const order = sortAlerts([a('1', 'cleared', 'emergency', 9), a('2', 'active', 'warning', 5), a('3', 'active', 'emergency', 1), a('4', 'acknowledged', 'warning', 8), a('5', 'active', 'warning', 7)]);
    assert.deepEqual(order.map((x) => x.id), ['3', '5', '2', '4', '1']);
  });
});
