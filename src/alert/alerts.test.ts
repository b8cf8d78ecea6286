import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Sensor, SystemTrack, TrackFrame } from '../core/types.ts';
import { AlertCenter, AudienceAlerts, LOST_COVERAGE_FRACTION } from './alerts.ts';

const DEG = Math.PI / 180;
const T0 = 1_763_900_000;

/** A Mode S radar at 31N 33E, 4 s rotation, 250 km; and a primary radar at 31N 35E, 5 s, 200 km (primary 100 km). */
const RADAR: Sensor = {
  id: 'AAA-R1', partnerId: 'AAA', kind: 'mode-s', sac: 1, sic: 1, latRad: 31 * DEG, lonRad: 33 * DEG, altM: 50,
  rotationS: 4, maxRangeM: 250_000, psrMaxRangeM: null, sigmaRangeM: 40, sigmaAzimuthRad: 0.05 * DEG,
};
const PSR: Sensor = {
  ...RADAR, id: 'BBB-P1', partnerId: 'BBB', kind: 'psr+ssr', latRad: 31 * DEG, lonRad: 35 * DEG, rotationS: 5, maxRangeM: 200_000, psrMaxRangeM: 100_000,
};
const ADSB: Sensor = { ...RADAR, id: 'AAA-ADSB', kind: 'adsb', rotationS: null, maxRangeM: 400_000, sigmaAzimuthRad: null };

/** Metres north of 31N as degrees of latitude (mean sphere). */
const north = (m: number) => 31 + m / (6371008.8 * DEG);

function trk(id: string, over: Partial<SystemTrack> = {}): SystemTrack {
  return {
    kind: 'track', id, timeS: T0, status: 'confirmed', latDeg: 31.2, lonDeg: 33.1, altM: 10_000, velEastMps: 200, velNorthMps: 0,
    sigmaM: 80, icao24: 'abc123', mode3a: '2301', callsign: 'TST1', sensors: ['AAA-R1'], partners: ['AAA'], ...over,
  };
}
const frame = (dt: number, tracks: SystemTrack[], audience = 'K1'): TrackFrame => ({ kind: 'frame', timeS: T0 + dt, tracks, audience });

/** Alerts with both radars heard every second, so no outage interferes. */
function heard(a: AudienceAlerts, dt: number): void {
  a.onNorthMarker('AAA-R1', T0 + dt);
  a.onNorthMarker('BBB-P1', T0 + dt);
}

describe('alerts of one audience', () => {
  test('7700 raises an emergency alert at the track position; changing the code clears it; 7600 raises a new one', () => {
    const a = new AudienceAlerts([RADAR]);
    heard(a, 0);
    assert.equal(a.onFrame(frame(0, [trk('T1')])), false);
    assert.equal(a.onFrame(frame(1, [trk('T1', { mode3a: '7700' })])), true);
    let l = a.list('AAA');
    assert.equal(l.length, 1);
    assert.deepEqual(
      { kind: l[0]!.kind, severity: l[0]!.severity, state: l[0]!.state, trackId: l[0]!.trackId, code: l[0]!.code, timeS: l[0]!.timeS, lat: l[0]!.latDeg },
      { kind: 'emergency', severity: 'emergency', state: 'active', trackId: 'T1', code: '7700', timeS: T0 + 1, lat: 31.2 },
    );
    assert.match(l[0]!.text, /TST1 squawks 7700 \(emergency\)/);
    // Still 7700: nothing new.
    assert.equal(a.onFrame(frame(2, [trk('T1', { mode3a: '7700' })])), false);
    a.onFrame(frame(3, [trk('T1', { mode3a: '7600' })]));
    l = a.list('AAA');
    assert.deepEqual(l.map((x) => [x.code, x.state]), [['7600', 'active'], ['7700', 'cleared']]);
    assert.equal(l[1]!.clearedWhy, 'squawk changed to 7600');
    a.onFrame(frame(4, [trk('T1', { mode3a: '2301' })]));
    assert.deepEqual(a.list('AAA').map((x) => x.state), ['cleared', 'cleared']);
    // 7500 too; 7000 (VFR conspicuity) is not an emergency.
    a.onFrame(frame(5, [trk('T1', { mode3a: '7000' }), trk('T2', { mode3a: '7500' })]));
    assert.match(a.list('AAA')[0]!.text, /7500 \(unlawful interference\)/);
    assert.equal(a.list('AAA').length, 3);
  });

  test('acknowledgement is per partner: one partner acknowledging does not acknowledge for another', () => {
    const a = new AudienceAlerts([RADAR]);
    heard(a, 0);
    a.onFrame(frame(0, [trk('T1', { mode3a: '7700' })]));
    const id = a.list('AAA')[0]!.id;
    const v = a.ack(id, 'AAA', 'aaa-op', T0 + 5)!;
    assert.deepEqual([v.state, v.ackBy, v.ackS], ['acknowledged', 'aaa-op', T0 + 5]);
    assert.equal(a.list('CCC')[0]!.state, 'active');
    assert.equal(a.list('CCC')[0]!.ackBy, null);
    // A second ack keeps the first; an unknown id is undefined.
    assert.equal(a.ack(id, 'AAA', 'someone-else', T0 + 9)!.ackBy, 'aaa-op');
    assert.equal(a.ack('A999', 'AAA', 'x', T0), undefined);
    // Cleared beats acknowledged.
    a.onFrame(frame(1, [trk('T1', { mode3a: '1234' })]));
    assert.equal(a.list('AAA')[0]!.state, 'cleared');
  });

  test('a new confirmed track with neither Mode 3/A nor Mode S raises unknown-aircraft once; tentative does not', () => {
    const a = new AudienceAlerts([RADAR]);
    heard(a, 0);
    a.onFrame(frame(0, [trk('T9', { status: 'tentative', mode3a: null, icao24: null, callsign: null })]));
    assert.equal(a.list('AAA').length, 0);
    a.onFrame(frame(1, [trk('T9', { mode3a: null, icao24: null, callsign: null })]));
    a.onFrame(frame(2, [trk('T9', { status: 'coasting', mode3a: null, icao24: null, callsign: null })]));
    a.onFrame(frame(3, [trk('T9', { mode3a: null, icao24: null, callsign: null })]));
    const l = a.list('AAA');
    assert.deepEqual(l.map((x) => [x.kind, x.trackId, x.state, x.timeS]), [['unknown-aircraft', 'T9', 'active', T0 + 1]]);
    // A Mode 3/A only track is not unknown.
    a.onFrame(frame(4, [trk('T9', { mode3a: null, icao24: null, callsign: null }), trk('T10', { icao24: null, mode3a: '4001' })]));
    assert.equal(a.list('AAA').length, 1);
    // Gaining an identity clears it.
    a.onFrame(frame(5, [trk('T9', { mode3a: '0421', icao24: null, callsign: null }), trk('T10', { icao24: null, mode3a: '4001' })]));
    assert.deepEqual(a.list('AAA').map((x) => [x.kind, x.clearedWhy]), [['unknown-aircraft', 'identity received']]);
  });

  test('track lost: only a confirmed track ending well inside a live radar coverage, above 1200 m', () => {
    const a = new AudienceAlerts([RADAR, PSR]);
    const inside = north(0.5 * 250_000);
    const edge = north((LOST_COVERAGE_FRACTION + 0.1) * 250_000);
    for (let dt = 0; dt < 3; dt++) {
      heard(a, dt);
      a.onFrame(frame(dt, [
        trk('IN', { latDeg: inside }),
        trk('EDGE', { latDeg: edge, icao24: 'edge01', mode3a: '3001' }),
        trk('LOW', { latDeg: inside, altM: 600, icao24: 'low001', mode3a: '3002' }),
        trk('NOALT', { latDeg: inside, altM: null, icao24: 'noalt1', mode3a: '3003' }),
        trk('TENT', { latDeg: inside, status: 'tentative', icao24: 'tent01', mode3a: '3004' }),
      ]));
    }
    heard(a, 3);
    assert.equal(a.onFrame(frame(3, [])), true);
    const l = a.list('AAA');
    assert.deepEqual(l.map((x) => [x.kind, x.trackId, x.code]), [['track-lost', 'IN', '2301']]);
    assert.match(l[0]!.text, /track IN \(TST1\) lost inside coverage/);
    // The same aircraft (Mode S address) re-acquired as another track clears it.
    heard(a, 4);
    a.onFrame(frame(4, [trk('IN2', { latDeg: inside })]));
    assert.equal(a.list('AAA')[0]!.state, 'cleared');
    assert.equal(a.list('AAA')[0]!.clearedWhy, 're-acquired as IN2');
  });

  test('track lost: a primary-only track counts only primary coverage; an emergency track lost is an emergency', () => {
    const a = new AudienceAlerts([RADAR, PSR]);
    // 150 km east of the primary radar at 35E: inside its 200 km secondary, outside 0.8 x its 100 km primary;
    // 2 deg of longitude (about 190 km) from the Mode S radar, which sees no primary-only target.
    const lonFar = 35 - 150_000 / (6371008.8 * DEG * Math.cos(31 * DEG));
    const lonNear = 35 - 50_000 / (6371008.8 * DEG * Math.cos(31 * DEG));
    heard(a, 0);
    a.onFrame(frame(0, [
      trk('P-FAR', { latDeg: 31, lonDeg: lonFar, mode3a: null, icao24: null, callsign: null }),
      trk('P-NEAR', { latDeg: 31, lonDeg: lonNear, mode3a: null, icao24: null, callsign: null }),
      trk('SOS', { mode3a: '7700', icao24: 'a0a0a0' }),
    ]));
    heard(a, 1);
    a.onFrame(frame(1, []));
    const lost = a.list('AAA').filter((x) => x.kind === 'track-lost');
    assert.deepEqual(lost.map((x) => [x.trackId, x.severity]).sort(), [['P-NEAR', 'warning'], ['SOS', 'emergency']]);
    assert.match(lost.find((x) => x.trackId === 'SOS')!.text, /while squawking 7700/);
  });

  test('sensor outage after 2.5 rotations without a north marker; the next marker clears it; lost tracks then ignore the silent radar', () => {
    const a = new AudienceAlerts([RADAR, ADSB]);
    a.onNorthMarker('AAA-R1', T0);
    a.onFrame(frame(0, [trk('T1')]));
    a.onFrame(frame(10, [trk('T1')])); // 10 s = 2.5 x 4 s: not yet
    assert.equal(a.list('AAA').length, 0);
    assert.equal(a.onFrame(frame(10.5, [trk('T1')])), true);
    let l = a.list('AAA');
    assert.deepEqual(l.map((x) => [x.kind, x.sensorId, x.severity, x.state, x.timeS]), [['sensor-outage', 'AAA-R1', 'warning', 'active', T0 + 10.5]]);
    assert.equal(l[0]!.latDeg, 31);
    assert.deepEqual(a.sensorHealth().map((h) => [h.sensorId, h.status, h.lastSeenS]), [['AAA-R1', 'outage', T0 + 10.5], ['AAA-ADSB', 'unknown', null]]);
    // While the radar is silent, T1 ending is not "lost": nothing that could see it is up.
    a.onFrame(frame(11, []));
    assert.equal(a.list('AAA').length, 1);
    assert.equal(a.onNorthMarker('AAA-R1', T0 + 12), true);
    l = a.list('AAA');
    assert.equal(l[0]!.state, 'cleared');
    assert.equal(l[0]!.clearedWhy, 'north marker received again');
    assert.equal(a.sensorHealth()[0]!.status, 'ok');
    // A radar never heard goes into outage 2.5 rotations after the audience's first data.
    const b = new AudienceAlerts([PSR]);
    b.onFrame(frame(0, []));
    b.onFrame(frame(12.6, []));
    assert.match(b.list('X')[0]!.text, /never heard/);
  });
});

describe('alert center: one audience never sees another audience\'s inputs', () => {
  test('north markers reach only audiences granted the radar; frames only their own audience', () => {
    const grants: Record<string, Sensor[]> = { K1: [RADAR], K2: [RADAR, PSR] };
    const c = new AlertCenter((k) => grants[k]);
    c.onFrame(frame(0, [trk('T1')], 'K1'));
    c.onFrame(frame(0, [trk('T1')], 'K2'));
    assert.equal(c.of('K3'), undefined);
    // PSR silent for K2 only (K1 is not granted it and never hears of it).
    c.onEvents([{ kind: 'north-marker', sensorId: 'AAA-R1', timeS: T0 + 10 }, { kind: 'north-marker', sensorId: 'BBB-P1', timeS: T0 + 1 }]);
    c.onFrame(frame(14, [trk('T1', { mode3a: '7700' })], 'K2'));
    c.onFrame(frame(14, [trk('T1')], 'K1'));
    assert.deepEqual(c.of('K2')!.list('AAA').map((x) => x.kind).sort(), ['emergency', 'sensor-outage']);
    assert.deepEqual(c.of('K1')!.list('AAA'), []);
    assert.deepEqual(c.of('K1')!.sensorHealth().map((h) => h.sensorId), ['AAA-R1']);
    assert.deepEqual([...c.onEvents([{ kind: 'north-marker', sensorId: 'BBB-P1', timeS: T0 + 15 }])], ['K2']);
    c.retain(new Set(['K1']));
    assert.equal(c.of('K2')!.list('AAA').length, 0, 'a forgotten audience starts afresh');
  });
});

describe('stale feed', () => {
  const ADSB2: Sensor = { ...ADSB, id: 'BBB-ADSB', partnerId: 'BBB' };
  const feeds = (f: Record<string, number | null>) =>
    Object.fromEntries(Object.entries(f).map(([id, t]) => [id, { records: t === null ? 0 : 100, lastDataS: t === null ? null : T0 + t }]));

  test('an ADS-B feed that stops while another continues raises a sensor-outage (stale feed) after 10 s; its data back clears it', () => {
    const a = new AudienceAlerts([ADSB, ADSB2]);
    // Both flowing: nothing.
    for (let dt = 0; dt <= 5; dt++) assert.equal(a.onFrame(frame(dt, []), feeds({ 'AAA-ADSB': dt, 'BBB-ADSB': dt })), false);
    // AAA-ADSB stops at 5 s; BBB goes on. 10 s behind is still fine; 11 s is stale.
    assert.equal(a.onFrame(frame(15, []), feeds({ 'AAA-ADSB': 5, 'BBB-ADSB': 15 })), false);
    assert.equal(a.onFrame(frame(16, []), feeds({ 'AAA-ADSB': 5, 'BBB-ADSB': 16 })), true);
    const l = a.list('AAA');
    assert.equal(l.length, 1);
    assert.deepEqual([l[0]!.kind, l[0]!.sensorId, l[0]!.state, l[0]!.timeS], ['sensor-outage', 'AAA-ADSB', 'active', T0 + 16]);
    assert.equal(l[0]!.text, 'AAA-ADSB (adsb) stale feed: no data for 11 s while other feeds continue (> 10 s)');
    assert.deepEqual(a.sensorHealth().map((h) => [h.sensorId, h.status]), [['AAA-ADSB', 'outage'], ['BBB-ADSB', 'unknown']]);
    // Still stale: no second alert.
    assert.equal(a.onFrame(frame(30, []), feeds({ 'AAA-ADSB': 5, 'BBB-ADSB': 30 })), false);
    assert.equal(a.list('AAA').length, 1);
    // Data again: cleared.
    assert.equal(a.onFrame(frame(31, []), feeds({ 'AAA-ADSB': 31, 'BBB-ADSB': 31 })), true);
    assert.deepEqual(a.list('AAA').map((x) => [x.state, x.clearedWhy]), [['cleared', 'data flowing again']]);
  });

  test('no alert when every feed stops together, for a feed never heard, or for a sensor not granted', () => {
    const a = new AudienceAlerts([ADSB, ADSB2]);
    a.onFrame(frame(0, []), feeds({ 'AAA-ADSB': 0, 'BBB-ADSB': 0 }));
    // The whole input stopped (a replay paused, a network cut): nothing says one feed is stale.
    assert.equal(a.onFrame(frame(60, []), feeds({ 'AAA-ADSB': 0, 'BBB-ADSB': 0 })), false);
    // BBB never sent a record; a third, ungranted feed races ahead: neither counts.
    const b = new AudienceAlerts([ADSB, ADSB2]);
    assert.equal(b.onFrame(frame(60, []), feeds({ 'AAA-ADSB': 0, 'BBB-ADSB': null, 'CCC-ADSB': 60 })), false);
    assert.deepEqual(b.list('AAA'), []);
  });

  test('a radar feed is stale after max(10 s, 2.5 rotations); one already in north-marker outage gets no second alert', () => {
    const slow: Sensor = { ...PSR, id: 'BBB-P2', rotationS: 12 };
    const a = new AudienceAlerts([ADSB, slow]);
    a.onNorthMarker('BBB-P2', T0);
    a.onFrame(frame(0, []), feeds({ 'AAA-ADSB': 0, 'BBB-P2': 0 }));
    // 12 s rotation: 30 s limit, not 10.
    a.onNorthMarker('BBB-P2', T0 + 24);
    assert.equal(a.onFrame(frame(25, []), feeds({ 'AAA-ADSB': 25, 'BBB-P2': 0 })), false);
    assert.equal(a.onFrame(frame(31, []), feeds({ 'AAA-ADSB': 31, 'BBB-P2': 0 })), true);
    assert.match(a.list('AAA')[0]!.text, /^BBB-P2 \(psr\+ssr\) stale feed: no data for 31 s while other feeds continue \(> 30 s\)$/);
    // A radar whose north markers stopped too is reported once, by the north-marker rule.
    const b = new AudienceAlerts([ADSB, slow]);
    b.onNorthMarker('BBB-P2', T0);
    b.onFrame(frame(0, []), feeds({ 'AAA-ADSB': 0, 'BBB-P2': 0 }));
    b.onFrame(frame(31, []), feeds({ 'AAA-ADSB': 31, 'BBB-P2': 0 }));
    b.onFrame(frame(40, []), feeds({ 'AAA-ADSB': 40, 'BBB-P2': 0 }));
    assert.deepEqual(b.list('AAA').map((x) => x.text.includes('north marker')), [true]);
  });

  test('AlertCenter passes the counters to the frame\'s audience only', () => {
    const c = new AlertCenter((k) => (k === 'K1' ? [ADSB, ADSB2] : k === 'K2' ? [ADSB] : undefined));
    c.onFrame(frame(0, [], 'K1'), feeds({ 'AAA-ADSB': 0, 'BBB-ADSB': 0 }));
    c.onFrame(frame(0, [], 'K2'), feeds({ 'AAA-ADSB': 0, 'BBB-ADSB': 0 }));
    assert.equal(c.onFrame(frame(20, [], 'K1'), feeds({ 'AAA-ADSB': 0, 'BBB-ADSB': 20 })), true);
    // K2 is granted only AAA-ADSB: no other feed of its own to compare with.
    assert.equal(c.onFrame(frame(20, [], 'K2'), feeds({ 'AAA-ADSB': 0, 'BBB-ADSB': 20 })), false);
    assert.equal(c.of('K1')!.list('AAA').length, 1);
    assert.equal(c.of('K2')!.list('AAA').length, 0);
  });
});
