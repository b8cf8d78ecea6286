import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCat021Block, encodeCat034Block, encodeCat048Block } from '../asterix/index.ts';
import { parseCoalition, SensorDirectory } from '../coalition/coalition.ts';
import { dayStartS } from '../core/time.ts';
import { PlotDecoder } from './plots.ts';

const coalition = parseCoalition({
  partners: [{ id: 'EGY', name: 'Egypt', status: 'member' }, { id: 'JOR', name: 'Jordan', status: 'member' }],
  sensors: [
    { id: 'EGY-1', partner: 'EGY', kind: 'mode-s', sac: 10, sic: 1, lat: 30, lon: 31, altM: 50, rotationS: 4, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
    { id: 'JOR-ADSB', partner: 'JOR', kind: 'adsb', sac: 20, sic: 9, lat: 31.9, lon: 35.9, altM: 900, rotationS: null, maxRangeM: 400000, sigmaRangeM: 30 },
  ],
});
const day = dayStartS('2025-06-01');
const block = (bytes: Uint8Array, offset = 0) => ({ bytes, offset, source: 'test.ast', receivedS: null });

test('CAT048 reports become radar plots stamped with sensor, partner and epoch time', () => {
  const dec = new PlotDecoder(new SensorDirectory(coalition), day);
  const { plots, events } = dec.decode(block(encodeCat048Block([
    { sac: 10, sic: 1, timeOfDayS: 36000.5, rangeM: 100000, azimuthRad: 1, detection: 'mode-s', mode3a: '1234', flightLevel: 350, icao24: 'abc123', callsign: 'MSR123', trackNumber: null },
  ])));
  assert.equal(events.length, 0);
  assert.equal(plots.length, 1);
  const p = plots[0]!;
  assert.equal(p.kind, 'radar');
  assert.equal(p.sensorId, 'EGY-1');
  assert.equal(p.partnerId, 'EGY');
  assert.equal(p.timeS, day + 36000.5);
  assert.equal(p.icao24, 'abc123');
  if (p.kind === 'radar') {
    // I048/040 RHO has a 1/256 NM LSB (7.23 m), THETA 360/2^16 degrees.
    assert.ok(Math.abs(p.rangeM - 100000) <= 1852 / 256 / 2 + 1e-9);
    assert.ok(Math.abs(p.azimuthRad - 1) <= Math.PI / 65536 + 1e-12);
    assert.equal(p.flightLevel, 350);
  }
});

test('CAT021 reports become ADS-B plots; CAT034 becomes sensor events', () => {
  const dec = new PlotDecoder(new SensorDirectory(coalition), day);
  const { plots } = dec.decode(block(encodeCat021Block([
    { sac: 20, sic: 9, timeOfDayS: 100, latRad: 0.55, lonRad: 0.6, flightLevel: 300, geometricHeightM: null, icao24: '4840d6', callsign: 'KLM1023', mode3a: '7000' },
  ])));
  assert.equal(plots.length, 1);
  const a = plots[0]!;
  assert.equal(a.kind, 'adsb');
  assert.equal(a.sensorId, 'JOR-ADSB');
  assert.equal(a.partnerId, 'JOR');
  assert.equal(a.callsign, 'KLM1023');
  if (a.kind === 'adsb') assert.ok(Math.abs(a.latRad - 0.55) < 1e-6);
  const ev = dec.decode(block(encodeCat034Block([
    { sac: 10, sic: 1, timeOfDayS: 200, type: 'north-marker', sectorAzimuthRad: 0, antennaRotationS: 4 },
    { sac: 10, sic: 1, timeOfDayS: 201, type: 'sector-crossing', sectorAzimuthRad: Math.PI / 2, antennaRotationS: 4 },
  ]))).events;
  assert.deepEqual(ev.map((e) => e.kind), ['north-marker', 'sector']);
  assert.equal(ev[0]!.timeS, day + 200);
});

test('reports from an undeclared SAC/SIC are counted, reported once, never turned into plots', () => {
  const dec = new PlotDecoder(new SensorDirectory(coalition), day);
  const rep = { sac: 99, sic: 3, timeOfDayS: 10, rangeM: 5e4, azimuthRad: 0.5, detection: 'ssr' as const, mode3a: '1000', flightLevel: 100, icao24: null, callsign: null, trackNumber: null };
  const a = dec.decode(block(encodeCat048Block([rep, rep])));
  const b = dec.decode(block(encodeCat048Block([rep]), 100));
  assert.equal(a.plots.length + b.plots.length, 0);
  assert.deepEqual(a.events.map((e) => e.kind), ['unknown-sensor']);
  assert.equal(b.events.length, 0);
  assert.equal(dec.errors.count('SKY_PLOT_UNKNOWN_SENSOR'), 3);
  assert.equal(dec.unknownSources.get('99/3'), 3);
});

test('time of day unwraps across midnight per sensor', () => {
  const dec = new PlotDecoder(new SensorDirectory(coalition), day);
  const mk = (tod: number) => encodeCat048Block([{ sac: 10, sic: 1, timeOfDayS: tod, rangeM: 5e4, azimuthRad: 0.5, detection: 'ssr', mode3a: '1000', flightLevel: 100, icao24: null, callsign: null, trackNumber: null }]);
  assert.equal(dec.decode(block(mk(86399))).plots[0]!.timeS, day + 86399);
  assert.equal(dec.decode(block(mk(1))).plots[0]!.timeS, day + 86400 + 1);
});

test('per-sensor and per-input counters for the sensor panel', () => {
  const dec = new PlotDecoder(new SensorDirectory(coalition), day);
  const rep = { sac: 10, sic: 1, timeOfDayS: 100, rangeM: 5e4, azimuthRad: 0.5, detection: 'ssr' as const, mode3a: '1000', flightLevel: 100, icao24: null, callsign: null, trackNumber: null };
  dec.decode({ bytes: encodeCat048Block([rep, { ...rep, timeOfDayS: 101 }]), offset: -1, source: 'udp:127.0.0.1:9000', receivedS: day + 102 });
  dec.decode({ bytes: encodeCat034Block([{ sac: 10, sic: 1, timeOfDayS: 103, type: 'north-marker', sectorAzimuthRad: 0, antennaRotationS: 4 }]), offset: -1, source: 'udp:127.0.0.1:9000', receivedS: day + 103.5 });
  const bad = encodeCat048Block([rep]).slice(0, 6);
  bad[2] = 6; // a block cut inside its record
  dec.decode({ bytes: bad, offset: -1, source: 'udp:127.0.0.1:9000', receivedS: day + 104 });
  const st = dec.feedStats();
  assert.deepEqual(st.sensors['EGY-1'], { records: 3, plots: 2, lastDataS: day + 103, lastArrivalS: day + 103.5 });
  assert.equal(st.sources['udp:127.0.0.1:9000']!.blocks, 3);
  assert.ok(st.sources['udp:127.0.0.1:9000']!.errors >= 1);
  assert.equal(st.sources['udp:127.0.0.1:9000']!.lastArrivalS, day + 104);
});
