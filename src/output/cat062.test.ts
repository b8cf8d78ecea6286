// Our CAT062/CAT065 output decoded back by the codec's spec-named decoder:
// every value within one LSB of the track, identities and statuses exact,
// track numbers stable and reused only after their delay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBlockItems, type Items } from '../asterix/index.ts';
import type { SkyError } from '../core/errors.ts';
import { encodeCat062Frame, encodeCat065Message, TrackNumbers, type Cat062Options } from './index.ts';
import { T0, frameOf, sampleTracks, track } from './test-frames.ts';

const OPTS: Cat062Options = { sac: 25, sic: 100, serviceId: 3 };

function decode(blocks: readonly Uint8Array[]): { cat: number; items: Items }[] {
  const out: { cat: number; items: Items }[] = [];
  for (const b of blocks) {
    assert.equal((b[1]! << 8) | b[2]!, b.length, 'LEN is the block length');
    decodeBlockItems(b, 0, (r) => out.push({ cat: r.cat, items: r.items }), (e: SkyError) => assert.fail(e.toLine()));
  }
  return out;
}

const near = (got: unknown, want: number, lsb: number, what: string): void => {
  assert.equal(typeof got, 'number', `${what} present`);
  assert.ok(Math.abs((got as number) - want) <= lsb / 2 + 1e-9, `${what}: ${String(got)} vs ${want} (LSB ${lsb})`);
};
const obj = (x: unknown): Record<string, unknown> => x as Record<string, unknown>;

test('a frame of four tracks decodes back to the tracks within one LSB (I062/010 015 070 105 185 040 080 060 380 130 136 500)', () => {
  const numbers = new TrackNumbers();
  const blocks = encodeCat062Frame(frameOf(sampleTracks), OPTS, numbers);
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]![0], 62);
  const recs = decode(blocks);
  assert.equal(recs.length, 4);
  recs.forEach(({ items: it }, i) => {
    const t = sampleTracks[i]!;
    assert.deepEqual(it['I062/010'], { SAC: 25, SIC: 100 });
    assert.equal(it['I062/015'], 3);
    // 14:32:10.25 UTC, exact in 1/128 s.
    assert.equal(it['I062/070'], 52330.25);
    near(obj(it['I062/105'])['LAT'], t.latDeg, 180 / 2 ** 25, `${t.id} LAT`);
    near(obj(it['I062/105'])['LON'], t.lonDeg, 180 / 2 ** 25, `${t.id} LON`);
    near(obj(it['I062/185'])['VX'], t.velEastMps, 0.25, `${t.id} VX`);
    near(obj(it['I062/185'])['VY'], t.velNorthMps, 0.25, `${t.id} VY`);
    assert.equal(it['I062/040'], i + 1, 'numbers handed out from 1 in frame order');
    near(obj(obj(it['I062/500'])['APC'])['X'], t.sigmaM, 0.5, `${t.id} APC X`);
    near(obj(obj(it['I062/500'])['APC'])['Y'], t.sigmaM, 0.5, `${t.id} APC Y`);
    if (t.altM === null) {
      assert.equal(it['I062/130'], undefined);
      assert.equal(it['I062/136'], undefined);
    } else {
      near(it['I062/130'], t.altM / 0.3048, 6.25, `${t.id} geometric altitude ft`);
      near(it['I062/136'], t.altM / 30.48, 0.25, `${t.id} FL`);
    }
    assert.equal(it['I062/245'], undefined, 'I062/245 off by default (ed. 1.21: SHALL not be used)');
  });
  const [r1, r2, r3, r4] = recs.map((r) => r.items);
  // T1: 10668 m = 35000 ft = FL350 exactly.
  assert.equal(r1!['I062/130'], 35000);
  assert.equal(r1!['I062/136'], 350);
  assert.deepEqual(r1!['I062/060'], { V: 0, G: 0, CH: 0, MODE3A: '7000' });
  assert.deepEqual(r1!['I062/380'], { ADR: 0x4840d6, ID: 'KLM1023 ' });
  // First message of every track: TSB set, so the second octet is present.
  assert.deepEqual(r1!['I062/080'], { MON: 0, SPI: 0, MRH: 0, SRC: 0, CNF: 0, SIM: 0, TSE: 0, TSB: 1, FPC: 0, AFF: 0, STP: 0, KOS: 0 });
  assert.equal(obj(r2!['I062/080'])['CNF'], 1, 'tentative');
  assert.equal(obj(r2!['I062/080'])['MON'], 1, 'one sensor');
  assert.equal(r2!['I062/380'], undefined, 'no Mode S address, no callsign');
  assert.equal(obj(r3!['I062/080'])['CST'], 1, 'coasting');
  assert.equal(obj(r3!['I062/080'])['CNF'], 0);
  assert.equal(r3!['I062/060'], undefined);
  assert.deepEqual(r3!['I062/380'], { ADR: 0xa1b2c3, ID: 'MSR777  ' });
  assert.equal(obj(r4!['I062/080'])['CST'], undefined, 'no fourth octet when not coasting');
  assert.ok((obj(r4!['I062/105'])['LON'] as number) < -77);
});

test('track numbers: stable per id, TSB only first, TSE end records, CH on a Mode 3/A change, reuse only after the delay', () => {
  const numbers = new TrackNumbers({ reuseDelayS: 60 });
  const opts: Cat062Options = { ...OPTS, endRecords: true };
  const a = track({ id: 'A', mode3a: '1000' });
  const b = track({ id: 'B' });
  const at = (tracks: typeof sampleTracks, dt: number) => decode(encodeCat062Frame(frameOf(tracks, T0 + dt), opts, numbers)).map((r) => r.items);

  let recs = at([a, b], 0);
  assert.deepEqual(recs.map((r) => r['I062/040']), [1, 2]);
  recs = at([b, { ...a, mode3a: '1001' }], 1);
  assert.deepEqual(recs.map((r) => r['I062/040']), [2, 1], 'same number whatever the order');
  assert.deepEqual(recs.map((r) => obj(r['I062/080'])['TSB']), [undefined, undefined], 'no second octet after the first message');
  assert.equal(obj(recs[1]!['I062/060'])['CH'], 1);

  // B ends: one last record with its last state (time 1 s), TSE set; its number 2 cools.
  recs = at([{ ...a, mode3a: '1001' }, track({ id: 'C' })], 2);
  assert.equal(recs.length, 3);
  assert.equal(recs[0]!['I062/040'], 2);
  assert.equal(obj(recs[0]!['I062/080'])['TSE'], 1);
  assert.equal(recs[0]!['I062/070'], 52331.25);
  assert.equal(obj(recs[1]!['I062/060'])['CH'], 0);
  assert.equal(recs[2]!['I062/040'], 3);
  assert.equal(numbers.numberOf('B'), undefined);

  // Fill every fresh number (1..65535, then 0), freeing them in bulk; freed ones come back only 60 s later.
  const many = Array.from({ length: 65533 }, (_, i) => track({ id: `M${i}` }));
  const f1 = encodeCat062Frame(frameOf([a, ...many], T0 + 3), { ...OPTS, endRecords: true }, numbers);
  assert.ok(f1.length >= 1);
  assert.equal(numbers.size, 65534);
  assert.equal(numbers.numberOf('M65532'), 0, 'number 0 is handed out last');
  const errors: SkyError[] = [];
  // C ended at +3 and freed 3; at +10 the freed 2 (since +2) and 3 still cool: D gets none.
  let r = decode(encodeCat062Frame(frameOf([a, ...many, track({ id: 'D' })], T0 + 10), { ...OPTS, onError: (e) => errors.push(e) }, numbers));
  assert.equal(numbers.numberOf('D'), undefined);
  assert.deepEqual(errors.map((e) => e.code), ['SKY_OUTPUT_TRACK_NUMBERS']);
  assert.equal(r.length, 65534);
  // At +62 number 2 (freed at +2) is free again: D gets it; 3 (freed at +3) still cools.
  r = decode(encodeCat062Frame(frameOf([a, ...many, track({ id: 'D' }), track({ id: 'E' })], T0 + 62), OPTS, numbers));
  assert.equal(numbers.numberOf('D'), 2);
  assert.equal(numbers.numberOf('E'), undefined);
  const nums = r.map((x) => x.items['I062/040'] as number);
  assert.equal(new Set(nums).size, nums.length, 'numbers unique within a frame');
});

test('blocks split at maxBlockBytes (1472 for UDP), every record kept in frame order', () => {
  const tracks = Array.from({ length: 300 }, (_, i) =>
    track({ id: `T${i}`, latDeg: 20 + i / 100, icao24: (0x100000 + i).toString(16), callsign: `ABC${i}`, mode3a: (i % 4096).toString(8).padStart(4, '0') }),
  );
  const blocks = encodeCat062Frame(frameOf(tracks), { ...OPTS, maxBlockBytes: 1472 }, new TrackNumbers());
  assert.ok(blocks.length > 1);
  for (const b of blocks) assert.ok(b.length <= 1472, `block of ${b.length} bytes`);
  const recs = decode(blocks);
  assert.deepEqual(recs.map((r) => r.items['I062/040']), tracks.map((_, i) => i + 1));
  recs.forEach((r, i) => near(obj(r.items['I062/105'])['LAT'], tracks[i]!.latDeg, 180 / 2 ** 25, `LAT ${i}`));
  const one = encodeCat062Frame(frameOf(tracks), OPTS, new TrackNumbers());
  assert.equal(one.length, 1, 'one block up to 65535 bytes by default');
});

test('values the items cannot carry: clamped where the spec allows, else left out; bad identities left out', () => {
  const t = track({
    id: 'X', sigmaM: 1e6, altM: 60000, velEastMps: 9000, velNorthMps: -9000, lonDeg: 190,
    callsign: 'klm-1', mode3a: '8000', icao24: 'xyz',
  });
  const [r] = decode(encodeCat062Frame(frameOf([t]), { ...OPTS, withI062_245: true }, new TrackNumbers()));
  const it = r!.items;
  assert.deepEqual(obj(it['I062/500'])['APC'], { X: 32767.5, Y: 32767.5 }, 'APC maximum means "or above"');
  assert.equal(it['I062/130'], undefined, '60 km is above the 150000 ft of I062/130');
  assert.equal(it['I062/136'], undefined, 'FL1968 is above FL1500');
  assert.deepEqual(it['I062/185'], { VX: 8191.75, VY: -8192 });
  near(obj(it['I062/105'])['LON'], -170, 180 / 2 ** 25, 'longitude wrapped');
  assert.equal(it['I062/060'], undefined);
  assert.equal(it['I062/380'], undefined);
  assert.equal(it['I062/245'], undefined);
});

test('I062/245 on request carries the callsign with STI 0 (downlinked)', () => {
  const [r] = decode(encodeCat062Frame(frameOf([sampleTracks[0]!]), { ...OPTS, withI062_245: true }, new TrackNumbers()));
  assert.deepEqual(r!.items['I062/245'], { STI: 0, CHR: 'KLM1023 ' });
});

test('an empty frame gives no block; time of day wraps at midnight', () => {
  assert.deepEqual(encodeCat062Frame(frameOf([]), OPTS, new TrackNumbers()), []);
  const midnight = Date.UTC(2025, 10, 24) / 1000;
  const [r] = decode(encodeCat062Frame(frameOf([track({ id: 'N' })], midnight - 0.001), OPTS, new TrackNumbers()));
  assert.equal(r!.items['I062/070'], 0);
});

test('CAT065 end of batch and SDPS status decode to the spec values', () => {
  const eob = decode([encodeCat065Message({ kind: 'end-of-batch', timeS: T0 }, OPTS)]);
  assert.deepEqual(eob, [{ cat: 65, items: { 'I065/010': { SAC: 25, SIC: 100 }, 'I065/000': 2, 'I065/015': 3, 'I065/030': 52330.25, 'I065/020': 0 } }]);
  const st = decode([encodeCat065Message({ kind: 'sdps-status', timeS: T0, nogo: 'degraded', overload: true, renumberingToggle: 1 }, OPTS)]);
  assert.deepEqual(st[0]!.items['I065/000'], 1);
  assert.deepEqual(st[0]!.items['I065/040'], { NOGO: 1, OVL: 1, TSV: 0, PSS: 0, STTN: 1 });
  assert.equal(st[0]!.items['I065/020'], undefined);
});
