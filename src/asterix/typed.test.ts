// decode(encode(r)) = r for the typed reports, within one LSB where the spec
// quantises; encoding is idempotent; the hand-written typed readers agree with
// the generic, table-driven decode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Detection } from '../core/types.ts';
import type { SkyError } from '../core/errors.ts';
import { encodeCat048Block, encodeCat048Blocks, type Cat048Report } from './cat048.ts';
import { encodeCat034Block, type Cat034Message } from './cat034.ts';
import { encodeCat021Block, encodeCat021Blocks, type Cat021Report } from './cat021.ts';
import { decodeBlock, decodeBlockItems, type DecodedReport } from './decode.ts';

const NM = 1852;
const FT = 0.3048;
const DEG = Math.PI / 180;

function decodeAll(block: Uint8Array): DecodedReport[] {
  const out: DecodedReport[] = [];
  const errors: SkyError[] = [];
  decodeBlock(block, 0, (r) => out.push(r), (e) => errors.push(e));
  assert.deepEqual(errors, []);
  return out;
}

function itemsOf(block: Uint8Array): Record<string, any>[] {
  const out: Record<string, unknown>[] = [];
  decodeBlockItems(block, 0, (r) => out.push(r.items), (e) => assert.fail(e.message));
  return out;
}

function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
}

/** Angle difference on the circle. */
function angleDiff(a: number, b: number): number {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
}

const hex6 = fc.integer({ min: 0, max: 0xffffff }).map((v) => v.toString(16).padStart(6, '0'));
const mode3a = fc.integer({ min: 0, max: 0o7777 }).map((v) => v.toString(8).padStart(4, '0'));
const callsignChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const callsign = fc
  .tuple(fc.array(callsignChar, { minLength: 1, maxLength: 7 }), fc.boolean(), callsignChar)
  .map(([cs, space, last]) => (cs.join('') + (space ? ' ' : '')).slice(0, 7) + last);

const cat048Report: fc.Arbitrary<Cat048Report> = fc.record({
  sac: fc.integer({ min: 0, max: 255 }),
  sic: fc.integer({ min: 0, max: 255 }),
  timeOfDayS: fc.double({ min: 0, max: 86399.99, noNaN: true }),
  rangeM: fc.double({ min: 0, max: 255.99 * NM, noNaN: true }),
  azimuthRad: fc.double({ min: 0, max: 2 * Math.PI, maxExcluded: true, noNaN: true }),
  detection: fc.constantFrom<Detection>('psr', 'ssr', 'psr+ssr', 'mode-s', 'psr+mode-s'),
  mode3a: fc.option(mode3a),
  flightLevel: fc.option(fc.double({ min: -2048, max: 2047.75, noNaN: true })),
  icao24: fc.option(hex6),
  callsign: fc.option(callsign),
  trackNumber: fc.option(fc.integer({ min: 0, max: 4095 })),
});

test('CAT048: decode(encode(r)) = r within one LSB, for batches of reports', () => {
  fc.assert(
    fc.property(fc.array(cat048Report, { minLength: 1, maxLength: 20 }), (reports) => {
      const block = encodeCat048Block(reports);
      const back = decodeAll(block);
      assert.equal(back.length, reports.length);
      back.forEach((d, i) => {
        const r = reports[i]!;
        assert.equal(d.cat, 48);
        if (d.cat !== 48) return;
        const g = d.report;
        near(g.timeOfDayS, r.timeOfDayS, 1 / 128, 'time of day');
        near(g.rangeM, r.rangeM, NM / 256, 'range');
        assert.ok(angleDiff(g.azimuthRad, r.azimuthRad) <= (2 * Math.PI) / 65536, 'azimuth');
        assert.ok(g.azimuthRad >= 0 && g.azimuthRad < 2 * Math.PI, 'azimuth in [0, 2π)');
        if (r.flightLevel === null) assert.equal(g.flightLevel, null);
        else near(g.flightLevel!, r.flightLevel, 1 / 4, 'flight level');
        assert.deepEqual(
          { ...g, timeOfDayS: 0, rangeM: 0, azimuthRad: 0, flightLevel: 0 },
          { ...r, timeOfDayS: 0, rangeM: 0, azimuthRad: 0, flightLevel: 0 },
        );
      });
      // Quantised values are fixed points: encoding what was decoded gives the same bytes.
      assert.deepEqual(encodeCat048Block(back.map((d) => d.report as Cat048Report)), block);
    }),
    { numRuns: 300 },
  );
});

test('CAT048: the typed fast path reads what the generic table-driven decode reads', () => {
  fc.assert(
    fc.property(cat048Report, (r) => {
      const block = encodeCat048Block([r]);
      const [d] = decodeAll(block);
      const [items] = itemsOf(block);
      const g = d!.report as Cat048Report;
      assert.equal(g.sac, items!['I048/010'].SAC);
      assert.equal(g.timeOfDayS, items!['I048/140']);
      assert.equal(g.rangeM, items!['I048/040'].RHO * NM);
      near(g.azimuthRad, items!['I048/040'].THETA * DEG, 1e-12, 'azimuth');
      assert.equal(g.flightLevel, items!['I048/090']?.FL ?? null);
      assert.equal(g.mode3a, items!['I048/070']?.MODE3A ?? null);
      assert.equal(g.icao24, items!['I048/220'] === undefined ? null : items!['I048/220'].toString(16).padStart(6, '0'));
      assert.equal(g.callsign, items!['I048/240'] === undefined ? null : items!['I048/240'].trim());
      assert.equal(g.trackNumber, items!['I048/161']?.TRN ?? null);
    }),
    { numRuns: 300 },
  );
});

test('CAT048: an ssr plot is I048/010 140 020 040 070 090 (+161); a mode-s plot adds 220 and 240', () => {
  const ssr: Cat048Report = {
    sac: 25,
    sic: 201,
    timeOfDayS: 27354.6015625,
    rangeM: 197.68359375 * NM,
    azimuthRad: 340.13671875 * DEG,
    detection: 'ssr',
    mode3a: '7700',
    flightLevel: 330,
    icao24: null,
    callsign: null,
    trackNumber: null,
  };
  const [a] = itemsOf(encodeCat048Block([ssr]));
  assert.deepEqual(Object.keys(a!), ['I048/010', 'I048/140', 'I048/020', 'I048/040', 'I048/070', 'I048/090']);
  assert.deepEqual(a!['I048/020'], { TYP: 2, SIM: 0, RDP: 0, SPI: 0, RAB: 0 });
  assert.equal(a!['I048/070'].MODE3A, '7700');
  const [b] = itemsOf(encodeCat048Block([{ ...ssr, detection: 'mode-s', icao24: '3C660C', callsign: 'DLH65A', trackNumber: 3563 }]));
  assert.deepEqual(Object.keys(b!), ['I048/010', 'I048/140', 'I048/020', 'I048/040', 'I048/070', 'I048/090', 'I048/220', 'I048/240', 'I048/161']);
  assert.equal(b!['I048/020'].TYP, 5, 'Mode S is written as roll-call');
  assert.equal(b!['I048/220'], 0x3c660c);
  assert.equal(b!['I048/240'], 'DLH65A  ');
});

test('CAT048: azimuth just below 2π wraps to north instead of overflowing THETA', () => {
  const r: Cat048Report = {
    sac: 1, sic: 1, timeOfDayS: 0, rangeM: 1000, azimuthRad: 2 * Math.PI - 1e-9, detection: 'psr',
    mode3a: null, flightLevel: null, icao24: null, callsign: null, trackNumber: null,
  };
  const [d] = decodeAll(encodeCat048Block([r]));
  assert.equal((d!.report as Cat048Report).azimuthRad, 0);
});

test('CAT048: values the spec cannot carry throw SKY_ASTERIX_BAD_VALUE', () => {
  const r: Cat048Report = {
    sac: 1, sic: 1, timeOfDayS: 0, rangeM: 1000, azimuthRad: 0, detection: 'psr',
    mode3a: null, flightLevel: null, icao24: null, callsign: null, trackNumber: null,
  };
  for (const badOne of [
    { rangeM: 256 * NM },
    { mode3a: '7800' },
    { icao24: 'xyz123' },
    { callsign: 'klm1023' },
    { callsign: 'TOOLONG12' },
    { sac: 256 },
    { timeOfDayS: -1 },
    { trackNumber: 4096 },
  ]) {
    assert.throws(() => encodeCat048Block([{ ...r, ...badOne }]), { code: 'SKY_ASTERIX_BAD_VALUE' }, JSON.stringify(badOne));
  }
});

test('CAT048: encodeCat048Blocks splits a batch into blocks of at most maxBytes that decode to the same reports', () => {
  const reports: Cat048Report[] = Array.from({ length: 300 }, (_, i) => ({
    sac: 1, sic: 2, timeOfDayS: i, rangeM: 1000 + i, azimuthRad: 0.01 * i, detection: 'mode-s',
    mode3a: '1234', flightLevel: 300, icao24: 'abcdef', callsign: 'SKY' + i, trackNumber: i,
  }));
  const blocks = encodeCat048Blocks(reports, 1472);
  assert.ok(blocks.length > 1);
  for (const b of blocks) assert.ok(b.length <= 1472 && (b[1]! << 8) + b[2]! === b.length);
  const back = blocks.flatMap(decodeAll).map((d) => (d.report as Cat048Report).trackNumber);
  assert.deepEqual(back, reports.map((r) => r.trackNumber));
  assert.deepEqual(encodeCat048Blocks(reports), [encodeCat048Block(reports)]);
});

const cat034Message: fc.Arbitrary<Cat034Message> = fc.record({
  sac: fc.integer({ min: 0, max: 255 }),
  sic: fc.integer({ min: 0, max: 255 }),
  timeOfDayS: fc.double({ min: 0, max: 86399.99, noNaN: true }),
  type: fc.constantFrom<Cat034Message['type']>('north-marker', 'sector-crossing'),
  sectorAzimuthRad: fc.option(fc.double({ min: 0, max: 2 * Math.PI, maxExcluded: true, noNaN: true })),
  antennaRotationS: fc.option(fc.double({ min: 0, max: 511.99, noNaN: true })),
});

test('CAT034: decode(encode(m)) = m within one LSB', () => {
  fc.assert(
    fc.property(fc.array(cat034Message, { minLength: 1, maxLength: 10 }), (msgs) => {
      const block = encodeCat034Block(msgs);
      const back = decodeAll(block);
      assert.equal(back.length, msgs.length);
      back.forEach((d, i) => {
        const m = msgs[i]!;
        assert.equal(d.cat, 34);
        const g = d.report as Cat034Message;
        assert.deepEqual([g.sac, g.sic, g.type], [m.sac, m.sic, m.type]);
        near(g.timeOfDayS, m.timeOfDayS, 1 / 256, 'time of day');
        if (m.sectorAzimuthRad === null) assert.equal(g.sectorAzimuthRad, null);
        else assert.ok(angleDiff(g.sectorAzimuthRad!, m.sectorAzimuthRad) <= (2 * Math.PI) / 256, 'sector');
        if (m.antennaRotationS === null) assert.equal(g.antennaRotationS, null);
        else near(g.antennaRotationS!, m.antennaRotationS, 1 / 128, 'rotation');
      });
      assert.deepEqual(encodeCat034Block(back.map((d) => d.report as Cat034Message)), block);
    }),
    { numRuns: 200 },
  );
});

test('CAT034: a north marker is I034/010 000 030 (+041), a sector crossing adds 020', () => {
  const [a, b] = itemsOf(
    encodeCat034Block([
      { sac: 25, sic: 14, timeOfDayS: 100, type: 'north-marker', sectorAzimuthRad: null, antennaRotationS: 4.8 },
      { sac: 25, sic: 14, timeOfDayS: 101, type: 'sector-crossing', sectorAzimuthRad: Math.PI / 2, antennaRotationS: null },
    ]),
  );
  assert.deepEqual(a, { 'I034/010': { SAC: 25, SIC: 14 }, 'I034/000': 1, 'I034/030': 100, 'I034/041': 4.796875 });
  assert.deepEqual(b, { 'I034/010': { SAC: 25, SIC: 14 }, 'I034/000': 2, 'I034/030': 101, 'I034/020': 90 });
});

const cat021Report: fc.Arbitrary<Cat021Report> = fc.record({
  sac: fc.integer({ min: 0, max: 255 }),
  sic: fc.integer({ min: 0, max: 255 }),
  timeOfDayS: fc.double({ min: 0, max: 86399.99, noNaN: true }),
  latRad: fc.double({ min: -Math.PI / 2, max: Math.PI / 2, noNaN: true }),
  lonRad: fc.double({ min: -Math.PI, max: Math.PI, maxExcluded: true, noNaN: true }),
  flightLevel: fc.option(fc.double({ min: -15, max: 1499, noNaN: true })),
  geometricHeightM: fc.option(fc.double({ min: -1500 * FT, max: 149999 * FT, noNaN: true })),
  icao24: hex6,
  callsign: fc.option(callsign),
  mode3a: fc.option(mode3a),
});

test('CAT021: decode(encode(r)) = r within one LSB', () => {
  const lsbRad = (180 / 2 ** 30) * DEG;
  fc.assert(
    fc.property(fc.array(cat021Report, { minLength: 1, maxLength: 10 }), (reports) => {
      const block = encodeCat021Block(reports);
      const back = decodeAll(block);
      assert.equal(back.length, reports.length);
      back.forEach((d, i) => {
        const r = reports[i]!;
        assert.equal(d.cat, 21);
        const g = d.report as Cat021Report;
        near(g.timeOfDayS, r.timeOfDayS, 1 / 128, 'time of day');
        near(g.latRad, r.latRad, lsbRad, 'latitude');
        assert.ok(angleDiff(g.lonRad, r.lonRad) <= lsbRad, 'longitude');
        if (r.flightLevel === null) assert.equal(g.flightLevel, null);
        else near(g.flightLevel!, r.flightLevel, 1 / 4, 'flight level');
        if (r.geometricHeightM === null) assert.equal(g.geometricHeightM, null);
        else near(g.geometricHeightM!, r.geometricHeightM, 6.25 * FT, 'geometric height');
        assert.deepEqual([g.sac, g.sic, g.icao24, g.callsign, g.mode3a], [r.sac, r.sic, r.icao24, r.callsign, r.mode3a]);
      });
      assert.deepEqual(encodeCat021Block(back.map((d) => d.report as Cat021Report)), block);
    }),
    { numRuns: 300 },
  );
});

test('CAT021: the typed fast path reads what the generic decode reads (high-resolution position I021/131)', () => {
  fc.assert(
    fc.property(cat021Report, (r) => {
      const block = encodeCat021Block([r]);
      const g = decodeAll(block)[0]!.report as Cat021Report;
      const [items] = itemsOf(block);
      assert.equal(g.timeOfDayS, items!['I021/071']);
      near(g.latRad, items!['I021/131'].LAT * DEG, 1e-15, 'latitude');
      near(g.lonRad, items!['I021/131'].LON * DEG, 1e-15, 'longitude');
      assert.equal(g.flightLevel, items!['I021/145'] ?? null);
      assert.equal(g.geometricHeightM, items!['I021/140'] === undefined ? null : items!['I021/140'] * FT);
      assert.equal(g.icao24, items!['I021/080'].toString(16).padStart(6, '0'));
      assert.deepEqual(items!['I021/040'], { ATP: 0, ARC: 0, RC: 0, RAB: 0 });
    }),
    { numRuns: 200 },
  );
});

test('CAT021: encodeCat021Blocks keeps blocks under maxBytes', () => {
  const r: Cat021Report = {
    sac: 1, sic: 1, timeOfDayS: 5, latRad: 0.5, lonRad: 0.5, flightLevel: 350, geometricHeightM: 10000,
    icao24: '4840d6', callsign: 'KLM1023', mode3a: '7000',
  };
  const blocks = encodeCat021Blocks(Array.from({ length: 100 }, () => r), 500);
  assert.ok(blocks.length > 1 && blocks.every((b) => b.length <= 500));
  assert.equal(blocks.flatMap(decodeAll).length, 100);
});
