// Bad input gives the documented code at the byte where the problem is, the
// other records of the block still decode, and nothing throws.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { SkyError } from '../core/errors.ts';
import { cat021, cat034, cat048 } from './categories.ts';
import { decodeBlock, decodeBlockItems, type DecodedReport } from './decode.ts';
import { encodeBlock } from './framing.ts';
import { decodeCat048Block, encodeCat048Block, type Cat048Report } from './cat048.ts';
import { encodeCat034Block } from './cat034.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'vectors', 'asterix');
const CAT048_RAW = new Uint8Array(readFileSync(join(DIR, 'cat048.raw')));

function run(block: Uint8Array, offset = 0): { reports: DecodedReport[]; items: number; errors: [string, number | undefined][] } {
  const reports: DecodedReport[] = [];
  const errors: [string, number | undefined][] = [];
  decodeBlock(block, offset, (r) => reports.push(r), (e) => errors.push([e.code, e.offset]));
  let items = 0;
  const itemErrors: [string, number | undefined][] = [];
  decodeBlockItems(block, offset, () => items++, (e) => itemErrors.push([e.code, e.offset]));
  // The structural errors are the same for both forms; the typed form adds its own (missing items, TYP 0).
  for (const e of itemErrors) assert.ok(errors.some((x) => x[0] === e[0] && x[1] === e[1]), `items-form error ${e} also in typed form`);
  return { reports, items, errors };
}

const PLOT: Cat048Report = {
  sac: 10,
  sic: 1,
  timeOfDayS: 43200.5,
  rangeM: 100_000,
  azimuthRad: 1,
  detection: 'ssr',
  mode3a: '7000',
  flightLevel: 350,
  icao24: null,
  callsign: null,
  trackNumber: 12,
};

test('a block shorter than its header: SKY_ASTERIX_TRUNCATED at the block', () => {
  assert.deepEqual(run(new Uint8Array([48, 0]), 500).errors, [['SKY_ASTERIX_TRUNCATED', 500]]);
});

test('LEN below 3: SKY_ASTERIX_BAD_LENGTH at the block', () => {
  const b = CAT048_RAW.slice();
  b[1] = 0;
  b[2] = 2;
  assert.deepEqual(run(b, 7).errors, [['SKY_ASTERIX_BAD_LENGTH', 7]]);
});

test('a block cut short: one SKY_ASTERIX_TRUNCATED at the block, the complete records still decode', () => {
  const block = encodeCat048Block([PLOT, { ...PLOT, trackNumber: 13 }, { ...PLOT, trackNumber: 14 }]);
  const recordBytes = (block.length - 3) / 3;
  const cut = block.subarray(0, 3 + 2 * recordBytes + 5);
  const r = run(cut, 1832);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_TRUNCATED', 1832]]);
  assert.deepEqual(
    r.reports.map((x) => (x.cat === 48 ? x.report.trackNumber : null)),
    [12, 13],
  );
  assert.equal(r.items, 2);
});

test('cat048.raw cut to 40 of its 48 bytes: truncated block, no record, no throw', () => {
  const r = run(CAT048_RAW.subarray(0, 40), 100);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_TRUNCATED', 100]]);
  assert.deepEqual(r.reports, []);
});

test('LEN smaller than the records: SKY_ASTERIX_TRUNCATED at the item that crosses LEN', () => {
  // cat048.raw items: FSPEC 3-5, 010 6, 140 8, 020 11, 040 12, 070 16, 090 18, 220 20, 240 23, 250 29, 161 38, 200 40 ...
  const b = CAT048_RAW.slice();
  b[2] = 40;
  const r = run(b, 1000);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_TRUNCATED', 1040]]);
  assert.deepEqual(r.reports, []);
});

test('an FSPEC that runs past the end of the block: SKY_ASTERIX_FSPEC at the FSPEC', () => {
  const good = encodeCat048Block([PLOT]);
  const block = new Uint8Array([...good, 0xff, 0xff]);
  block[2] = block.length;
  const r = run(block, 10);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_FSPEC', 10 + good.length]]);
  assert.equal(r.reports.length, 1, 'the record before it is kept');
});

test('an FSPEC bit for an item the UAP does not define: SKY_ASTERIX_FSPEC, block stops', () => {
  // CAT034 has 12 UAP slots (2 FSPEC octets); FX in the second octet has nowhere to go.
  assert.equal(cat034.uap.length <= 14, true);
  const block = new Uint8Array([34, 0, 6, 0x01, 0x01, 0x00]);
  assert.deepEqual(run(block, 0).errors, [['SKY_ASTERIX_FSPEC', 3]]);
});

test('an empty FSPEC (zero padding): SKY_ASTERIX_FSPEC', () => {
  const good = encodeCat048Block([PLOT]);
  const block = new Uint8Array([...good, 0, 0, 0]);
  block[2] = block.length;
  const r = run(block, 0);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_FSPEC', good.length]]);
  assert.equal(r.reports.length, 1);
});

test('an explicit item with LEN 0: SKY_ASTERIX_BAD_LENGTH at the item', () => {
  // I048/SP is FRN 27: fourth FSPEC octet, sixth bit (0x04); its length octet is at byte 7.
  const r = run(new Uint8Array([48, 0, 8, 0x01, 0x01, 0x01, 0x04, 0x00]), 0);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_BAD_LENGTH', 7]]);
});

test('an unknown category: one SKY_ASTERIX_UNKNOWN_CATEGORY, block skipped', () => {
  assert.deepEqual(run(new Uint8Array([99, 0, 6, 0x80, 1, 2]), 64).errors, [['SKY_ASTERIX_UNKNOWN_CATEGORY', 64]]);
});

test('a record missing a mandatory item: SKY_ASTERIX_MISSING_ITEM at the record, the next record decodes', () => {
  const block = encodeBlock(cat048, [
    { 'I048/010': { SAC: 1, SIC: 2 }, 'I048/140': 100, 'I048/020': { TYP: 2 } },
    { 'I048/010': { SAC: 1, SIC: 2 }, 'I048/140': 100, 'I048/020': { TYP: 2 }, 'I048/040': { RHO: 10, THETA: 90 } },
  ]);
  const r = run(block, 2000);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_MISSING_ITEM', 2003]]);
  assert.equal(r.reports.length, 1);
  assert.equal(r.reports[0]!.offset, 2003 + 1 + 2 + 3 + 1);
  assert.equal(r.items, 2, 'the items form has both records');
});

test('I048/020 TYP 0 (no detection): SKY_ASTERIX_BAD_VALUE, the next record decodes', () => {
  const rec = { 'I048/010': { SAC: 1, SIC: 2 }, 'I048/140': 100, 'I048/020': { TYP: 0 }, 'I048/040': { RHO: 10, THETA: 90 } };
  const block = encodeBlock(cat048, [rec, { ...rec, 'I048/020': { TYP: 1 } }]);
  const r = run(block, 0);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_BAD_VALUE', 3 + 1 + 5]]);
  assert.equal(r.reports.length, 1);
});

test('CAT034 message types other than 1 and 2: SKY_ASTERIX_UNSUPPORTED, the next record decodes', () => {
  const rec = { 'I034/010': { SAC: 1, SIC: 2 }, 'I034/000': 4, 'I034/030': 100 };
  const r = run(encodeBlock(cat034, [rec, { ...rec, 'I034/000': 1 }]), 0);
  assert.deepEqual(r.errors, [['SKY_ASTERIX_UNSUPPORTED', 6]]);
  assert.equal(r.reports.length, 1);
});

test('random bytes and damaged blocks never throw, and every error is a located SKY_ASTERIX_* error', () => {
  const valid = encodeCat048Block([PLOT, { ...PLOT, detection: 'mode-s', icao24: 'abc123', callsign: 'KLM1023' }]);
  const arbBlock = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 80 }).map((b) => {
      if (b.length >= 3) {
        b[0] = [48, 34, 21, 62, 65][b[0]! % 5]!;
        if (b[1]! % 2 === 0) {
          b[1] = b.length >> 8;
          b[2] = b.length & 0xff;
        }
      }
      return b;
    }),
    fc.tuple(fc.nat(valid.length * 8 - 1), fc.nat(valid.length * 8 - 1), fc.nat(valid.length)).map(([bit1, bit2, cut]) => {
      const b = valid.slice(0, Math.max(cut, 1));
      for (const bit of [bit1, bit2]) if (bit >>> 3 < b.length) b[bit >>> 3]! ^= 0x80 >>> (bit & 7);
      return b;
    }),
  );
  fc.assert(
    fc.property(arbBlock, fc.nat(1_000_000), (block, offset) => {
      const check = (e: SkyError): void => {
        assert.ok(e instanceof SkyError);
        assert.match(e.code, /^SKY_ASTERIX_/);
        assert.notEqual(e.code, 'SKY_ASTERIX_INTERNAL');
        assert.ok(e.offset !== undefined && e.offset >= offset && e.offset <= offset + block.length, `${e.code} offset ${e.offset}`);
      };
      decodeBlock(block, offset, () => {}, check);
      decodeBlockItems(block, offset, () => {}, check);
    }),
    { numRuns: 3000 },
  );
});

test('a time of day at or past 86400 s (24 bits reach 131072 s): SKY_ASTERIX_BAD_VALUE at the time item, the next record decodes', () => {
  const rec = { 'I048/010': { SAC: 1, SIC: 2 }, 'I048/140': 90000, 'I048/020': { TYP: 2 }, 'I048/040': { RHO: 10, THETA: 90 } };
  const r = run(encodeBlock(cat048, [rec, { ...rec, 'I048/140': 86399.9921875 }]), 1000);
  // FSPEC (1 octet), I048/010 (2): I048/140 at byte 3 + 1 + 2.
  assert.deepEqual(r.errors, [['SKY_ASTERIX_BAD_VALUE', 1006]]);
  assert.equal(r.reports.length, 1);
  const nm = { 'I034/010': { SAC: 1, SIC: 2 }, 'I034/000': 1, 'I034/030': 86400 };
  assert.deepEqual(run(encodeBlock(cat034, [nm]), 0).errors, [['SKY_ASTERIX_BAD_VALUE', 3 + 1 + 2 + 1]]);
});

test('a CAT021 position off the globe (I021/131 carries up to ±360°): SKY_ASTERIX_BAD_VALUE at the item, the next record decodes', () => {
  const rec = { 'I021/010': { SAC: 1, SIC: 2 }, 'I021/040': { ATP: 0, ARC: 0, RC: 0, RAB: 0 }, 'I021/071': 100, 'I021/131': { LAT: 100, LON: 10 }, 'I021/080': 0xabc123 };
  const block = encodeBlock(cat021, [rec, { ...rec, 'I021/131': { LAT: 50, LON: 190 } }, { ...rec, 'I021/131': { LAT: -90, LON: -180 } }]);
  const r = run(block, 0);
  // FSPEC (2 octets), 010 (2), 040 (1), 071 (3): I021/131 at 3 + 8 = 11; records are 19 bytes (+ 131 (8), 080 (3)).
  assert.deepEqual(r.errors, [
    ['SKY_ASTERIX_BAD_VALUE', 11],
    ['SKY_ASTERIX_BAD_VALUE', 11 + 19],
  ]);
  assert.equal(r.reports.length, 1);
});

test('decodeCat048Block gives the same plots and errors as decodeBlock, without the wrapper', () => {
  const block = encodeCat048Block([PLOT, { ...PLOT, detection: 'mode-s', icao24: 'abc123', callsign: 'KLM1023' }]);
  const viaBlock: DecodedReport[] = [];
  decodeBlock(block, 40, (r) => viaBlock.push(r), (e) => assert.fail(e.message));
  const plots: [Cat048Report, number][] = [];
  decodeCat048Block(block, 40, (r, off) => plots.push([r, off]), (e) => assert.fail(e.message));
  assert.deepEqual(
    plots,
    viaBlock.map((d) => [d.report, d.offset]),
  );
  assert.equal(plots[1]![0].callsign, 'KLM1023');
  const errors: string[] = [];
  decodeCat048Block(encodeCat034Block([{ sac: 1, sic: 2, timeOfDayS: 1, type: 'north-marker', sectorAzimuthRad: null, antennaRotationS: null }]), 0, () => assert.fail('no plot'), (e) =>
    errors.push(e.code),
  );
  assert.deepEqual(errors, ['SKY_ASTERIX_UNKNOWN_CATEGORY']);
});
