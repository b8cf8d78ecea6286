// An independent reader of our output: Debian's tshark 4.0.17 dissects the
// CAT062 (its newest: ed. 1.19; ours 1.21) and CAT065 (1.5; ours 1.6) we
// send, wrapped as UDP to port 8600 in a pcap. Every item we write has the
// same layout and UAP slot in both editions: I062/010 015 040 060 070 105
// 130 136 185 245, 380 ADR and ID, 500 APC, and I062/080 in its first four
// octets (1.21 only adds MLAT and M5I in octets 6 and 7, which we never
// send); I065/000 010 015 020 030 040. tshark's values are compared with the
// tracks (within one LSB) and with our own decoder (exactly).
// Skipped only when tshark is not installed (apt-get install -y tshark).

import { test } from 'node:test';
import { tsharkFields, tsharkMissing, type TsharkRow } from '../../test/support/tshark.ts';
import assert from 'node:assert/strict';
import { decodeBlockItems, type Items } from '../asterix/index.ts';
import type { SystemTrack } from '../core/types.ts';
import { encodeCat062Frame, encodeCat065Message, TrackNumbers, type Cat062Options } from './index.ts';
import { T0, frameOf, sampleTracks, track } from './test-frames.ts';

const skip = tsharkMissing;

const dissect = (datagrams: readonly Uint8Array[], fields: readonly string[]): TsharkRow[] => tsharkFields(datagrams, fields);

function decoded(block: Uint8Array): Items[] {
  const out: Items[] = [];
  decodeBlockItems(block, 0, (r) => out.push(r.items), (e) => assert.fail(e.toLine()));
  return out;
}

/** What we sent for one record, from the track (the expected value, and the LSB it may differ by; 0 = exact). */
type Expect = (t: SystemTrack, rec: Items) => { v: number | string; lsb: number } | undefined;

const DEG_LSB = 180 / 2 ** 25;
const sub = (key: string, name: string) => (rec: Items): unknown => (rec[key] as Record<string, unknown> | undefined)?.[name];

const CHECKS: Record<string, Expect> = {
  'asterix.062_010_SAC': () => ({ v: 25, lsb: 0 }),
  'asterix.062_010_SIC': () => ({ v: 100, lsb: 0 }),
  'asterix.062_015_VALUE': () => ({ v: 7, lsb: 0 }),
  'asterix.062_070_VALUE': (t) => ({ v: ((t.timeS % 86400) + 86400) % 86400, lsb: 1 / 128 }),
  'asterix.062_105_LAT': (t) => ({ v: t.latDeg, lsb: DEG_LSB }),
  'asterix.062_105_LON': (t) => ({ v: t.lonDeg, lsb: DEG_LSB }),
  'asterix.062_185_VX': (t) => ({ v: t.velEastMps, lsb: 0.25 }),
  'asterix.062_185_VY': (t) => ({ v: t.velNorthMps, lsb: 0.25 }),
  // tshark prints the 12 octal-digit bits as one integer.
  'asterix.062_060_MODE3A': (t) => (t.mode3a === null ? undefined : { v: parseInt(t.mode3a, 8), lsb: 0 }),
  'asterix.062_060_CH': (t, rec) => (t.mode3a === null ? undefined : { v: sub('I062/060', 'CH')(rec) as number, lsb: 0 }),
  'asterix.062_040_VALUE': (_t, rec) => ({ v: rec['I062/040'] as number, lsb: 0 }),
  'asterix.062_080_MON': (t) => ({ v: t.sensors.length === 1 ? 1 : 0, lsb: 0 }),
  'asterix.062_080_CNF': (t) => ({ v: t.status === 'tentative' ? 1 : 0, lsb: 0 }),
  'asterix.062_080_TSB': (_t, rec) => (sub('I062/080', 'TSB')(rec) === undefined ? undefined : { v: sub('I062/080', 'TSB')(rec) as number, lsb: 0 }),
  'asterix.062_080_TSE': (_t, rec) => (sub('I062/080', 'TSE')(rec) === undefined ? undefined : { v: sub('I062/080', 'TSE')(rec) as number, lsb: 0 }),
  'asterix.062_080_CST': (t) => (t.status === 'coasting' ? { v: 1, lsb: 0 } : undefined),
  'asterix.062_130_VALUE': (t) => (t.altM === null ? undefined : { v: t.altM / 0.3048, lsb: 6.25 }),
  'asterix.062_136_VALUE': (t) => (t.altM === null ? undefined : { v: t.altM / 30.48, lsb: 0.25 }),
  'asterix.062_245_STI': (t) => (t.callsign === null ? undefined : { v: 0, lsb: 0 }),
  'asterix.062_245_CHR': (t) => (t.callsign === null ? undefined : { v: t.callsign, lsb: 0 }),
  'asterix.062_380_ADR_VALUE': (t) => (t.icao24 === null ? undefined : { v: parseInt(t.icao24, 16), lsb: 0 }),
  'asterix.062_380_ID_VALUE': (t) => (t.callsign === null ? undefined : { v: t.callsign, lsb: 0 }),
  'asterix.062_500_APC_X': (t) => ({ v: t.sigmaM, lsb: 0.5 }),
  'asterix.062_500_APC_Y': (t) => ({ v: t.sigmaM, lsb: 0.5 }),
};

/** The same fields from our own decoder, which tshark must match exactly (no LSB of slack). */
const OURS: Record<string, (rec: Items) => unknown> = {
  'asterix.062_070_VALUE': (r) => r['I062/070'],
  'asterix.062_105_LAT': sub('I062/105', 'LAT'),
  'asterix.062_105_LON': sub('I062/105', 'LON'),
  'asterix.062_185_VX': sub('I062/185', 'VX'),
  'asterix.062_185_VY': sub('I062/185', 'VY'),
  'asterix.062_130_VALUE': (r) => r['I062/130'],
  'asterix.062_136_VALUE': (r) => r['I062/136'],
  'asterix.062_500_APC_X': (r) => (r['I062/500'] as { APC: { X: number } }).APC.X,
  'asterix.062_500_APC_Y': (r) => (r['I062/500'] as { APC: { Y: number } }).APC.Y,
};

function agree(tshark: string, want: { v: number | string; lsb: number }, what: string): void {
  if (typeof want.v === 'string') {
    assert.equal(tshark.trim(), want.v, what);
    return;
  }
  const t = Number(tshark); // decimal, or 0x-hex for raw integers such as ADR
  assert.ok(Number.isFinite(t), `${what}: tshark gave ${JSON.stringify(tshark)}`);
  assert.ok(Math.abs(t - want.v) <= want.lsb / 2 + 1e-9 * Math.max(1, Math.abs(want.v)), `${what}: tshark ${tshark}, track ${want.v} (LSB ${want.lsb})`);
}

test('tshark reads our CAT062 frames (statuses, with/without identities, a track end) as the tracks, within one LSB', { skip }, () => {
  const opts: Cat062Options = { sac: 25, sic: 100, serviceId: 7, withI062_245: true, endRecords: true };
  const numbers = new TrackNumbers();
  const more = [
    track({ id: 'T5', latDeg: 89.9, lonDeg: 179.99, altM: 45000, callsign: 'Z9', icao24: 'ffffff', mode3a: '0000', sensors: ['S1'] }),
    track({ id: 'T6', status: 'tentative', latDeg: -89.9, lonDeg: -180, velEastMps: 8000, velNorthMps: -8000, sigmaM: 0.2 }),
  ];
  const frame1 = frameOf([...sampleTracks, ...more]);
  // One second later T3 has ended (an end record with TSE and its last state) and T1 changed its Mode 3/A.
  const t1b = { ...sampleTracks[0]!, mode3a: '7700', latDeg: 30.11 };
  const frame2 = frameOf([t1b, sampleTracks[1]!, sampleTracks[3]!, ...more], T0 + 1);
  const b1 = encodeCat062Frame(frame1, opts, numbers);
  const b2 = encodeCat062Frame(frame2, opts, numbers);
  assert.equal(b1.length, 1);
  assert.equal(b2.length, 1);
  // The tracks each record stands for, in record order.
  const expected: SystemTrack[][] = [frame1.tracks.slice(), [frame1.tracks[2]!, ...frame2.tracks]];
  const blocks = [b1[0]!, b2[0]!];
  const fields = Object.keys(CHECKS);
  const rows = dissect(blocks, fields);
  let compared = 0;
  rows.forEach((row, b) => {
    const recs = decoded(blocks[b]!);
    assert.equal(recs.length, expected[b]!.length);
    for (const f of fields) {
      const want = expected[b]!.map((t, i) => CHECKS[f]!(t, recs[i]!)).filter((x) => x !== undefined);
      assert.equal(row[f]!.length, want.length, `block ${b} ${f}: tshark ${row[f]!.join('|')}, expected ${want.length} values`);
      row[f]!.forEach((v, i) => agree(v, want[i]!, `block ${b} value ${i} ${f}`));
      compared += want.length;
      const ours = OURS[f];
      if (ours === undefined) continue;
      const exact = recs.map(ours).filter((x) => x !== undefined) as number[];
      assert.equal(row[f]!.length, exact.length, `block ${b} ${f}: count against our decoder`);
      row[f]!.forEach((v, i) => agree(v, { v: exact[i]!, lsb: 0 }, `block ${b} value ${i} ${f} (our decoder)`));
    }
  });
  assert.ok(compared > 150, `${compared} values compared`);
  // Spot values a person can check against the -V output.
  // Raw items (SAC, SIC, track number, ADR) print as 0x-hex: compare as numbers.
  const nums = (r: TsharkRow, f: string): number[] => r[f]!.map(Number);
  assert.deepEqual(nums(rows[0]!, 'asterix.062_040_VALUE'), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(rows[0]!['asterix.062_136_VALUE']!.slice(0, 2), ['350', '100']);
  assert.deepEqual(rows[1]!['asterix.062_080_TSE'], ['1'], 'only the end record of T3 has a second octet');
  assert.deepEqual(nums(rows[1]!, 'asterix.062_040_VALUE'), [3, 1, 2, 4, 5, 6]);
  assert.deepEqual(rows[1]!['asterix.062_060_CH'], ['1', '0', '0'], 'T1 changed 7000 -> 7700');
});

test('tshark reads our CAT065 SDPS status and end of batch as we wrote them', { skip }, () => {
  const opts = { sac: 25, sic: 100, serviceId: 7 };
  const blocks = [
    encodeCat065Message({ kind: 'sdps-status', timeS: T0, nogo: 'degraded', overload: true, renumberingToggle: 1 }, opts),
    encodeCat065Message({ kind: 'end-of-batch', timeS: T0 + 0.5 }, opts),
  ];
  const fields = ['asterix.065_010_SAC', 'asterix.065_010_SIC', 'asterix.065_000_VALUE', 'asterix.065_015_VALUE', 'asterix.065_030_VALUE', 'asterix.065_020_VALUE', 'asterix.065_040_NOGO', 'asterix.065_040_OVL', 'asterix.065_040_STTN'];
  const rows = dissect(blocks, fields);
  // Raw items print as 0x-hex: compare as numbers (null when absent).
  const line = (r: TsharkRow) => fields.map((f) => (r[f]!.length === 0 ? null : Number(r[f]!.join('|'))));
  assert.deepEqual(line(rows[0]!), [25, 100, 1, 7, 52330.25, null, 1, 1, 1]);
  assert.deepEqual(line(rows[1]!), [25, 100, 2, 7, 52330.75, 0, null, null, null]);
  // Our decoder agrees.
  assert.deepEqual(decoded(blocks[1]!)[0], { 'I065/010': { SAC: 25, SIC: 100 }, 'I065/000': 2, 'I065/015': 7, 'I065/030': 52330.75, 'I065/020': 0 });
});
