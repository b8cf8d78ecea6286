// The engine on each item shape, with values a person can check against the
// spec by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cat021, cat034, cat048, cat062, cat065 } from './categories.ts';
import { ByteWriter, type Cursor, type Items, decodeRecord, encodeRecord, readBits, writeBits } from './engine.ts';
import type { CategoryDef } from './spec.ts';

function enc(def: CategoryDef, items: Items): string {
  const w = new ByteWriter(4);
  encodeRecord(def, items, w);
  return Buffer.from(w.result()).toString('hex').toUpperCase();
}

function dec(def: CategoryDef, hex: string): Items {
  const buf = new Uint8Array(Buffer.from(hex, 'hex'));
  const cur: Cursor = { buf, pos: 0, end: buf.length, base: 0 };
  const items = decodeRecord(def, cur);
  assert.equal(cur.pos, buf.length, 'record consumed exactly');
  return items;
}

function roundTrip(def: CategoryDef, hex: string, items: Items): void {
  assert.deepEqual(dec(def, hex), items);
  assert.equal(enc(def, items), hex);
}

test('bits: writeBits then readBits gives the value back at any offset and width up to 53', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 53 }), fc.integer({ min: 0, max: 15 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, at, f) => {
      const v = Math.floor(f * 2 ** n);
      const buf = new Uint8Array(10);
      writeBits(buf, at, v, n);
      assert.equal(readBits(buf, at, n), v);
      // Nothing outside the field was touched.
      writeBits(buf, at, 0, 0);
      let ones = 0;
      for (let i = 0; i < 80; i++) if ((buf[i >>> 3]! >>> (7 - (i & 7))) & 1 && (i < at || i >= at + n)) ones++;
      assert.equal(ones, 0);
    }),
  );
});

test('group + ICAO string + octal: the cat048.raw Mode 3/A, callsign and FSPEC', () => {
  // FSPEC 88 = FRN 1 (010) and FRN 5 (070); 070 = 0200: V G L spare, then octal 1000 (= 0x200).
  roundTrip(cat048, '88' + '19C9' + '0200', { 'I048/010': { SAC: 25, SIC: 201 }, 'I048/070': { V: 0, G: 0, L: 0, MODE3A: '1000' } });
  // FRN 9 (240): FSPEC 01 40; DLH65A in ICAO 6-bit chars from the vector.
  roundTrip(cat048, '0140' + '10C236D41820', { 'I048/240': 'DLH65A  ' });
  // Shorter identifications are space-padded.
  assert.equal(enc(cat048, { 'I048/240': 'DLH65A' }), '014010C236D41820');
});

test('signed quantities: I062/220 rate of climb -443.75 ft/min is raw 0xFFB9 (LSB 6.25 ft/min)', () => {
  const items = dec(cat062, enc(cat062, { 'I062/220': -443.75 }));
  assert.equal(items['I062/220'], -443.75);
  assert.ok(enc(cat062, { 'I062/220': -443.75 }).endsWith('FFB9'));
});

test('spare bits that are not 0 are kept under "(spare)" and written back', () => {
  // I048/161: spare 4 + TRN 12; FRN 11 -> FSPEC 01 10.
  roundTrip(cat048, '0110' + 'F001', { 'I048/161': { TRN: 1, '(spare)': 15 } });
  roundTrip(cat048, '0110' + '0DEB', { 'I048/161': { TRN: 3563 } });
});

test('extended items keep exactly the octets present', () => {
  // I048/020 TYP 5 (roll-call) in one octet, then with the second octet (TST 1).
  roundTrip(cat048, '20' + 'A0', { 'I048/020': { TYP: 5, SIM: 0, RDP: 0, SPI: 0, RAB: 0 } });
  roundTrip(cat048, '20' + 'A180', {
    'I048/020': { TYP: 5, SIM: 0, RDP: 0, SPI: 0, RAB: 0, TST: 1, ERR: 0, XPP: 0, ME: 0, MI: 0, FOEFRI: 0 },
  });
  // A sub-field of a later octet brings the octets before it (ME is bit 5 of the second octet).
  assert.equal(enc(cat048, { 'I048/020': { TYP: 2, ME: 1 } }), '20' + '41' + '10');
});

test('repetitive with FX: I048/030 warning/error conditions 3 (split plot) and 4 (second time around)', () => {
  // FRN 16 -> FSPEC 01 01 40; each condition is 7 bits + FX.
  roundTrip(cat048, '010140' + '07' + '08', { 'I048/030': [3, 4] });
});

test('repetitive with a REP count: I048/250 one Comm-B register', () => {
  // FRN 10 -> FSPEC 01 20.
  roundTrip(cat048, '0120' + '01' + 'C0780031BC0000' + '40', { 'I048/250': [{ MBDATA: 'C0780031BC0000', BDS1: 4, BDS2: 0 }] });
});

test('dependent content: I021/150 air speed is NM/s when IM = 0 and Mach when IM = 1', () => {
  // FRN 9 -> FSPEC 01 40.
  roundTrip(cat021, '0140' + '8320', { 'I021/150': { IM: 1, AS: 0.8 } }); // 800 * 0.001 Mach
  roundTrip(cat021, '0140' + '0400', { 'I021/150': { IM: 0, AS: 1024 / 2 ** 14 } });
});

test('compound items: I062/340 measured information from the cat062cat065.raw first track', () => {
  // FRN 28 -> FSPEC 01 01 01 02; then the compound's own FSPEC DC (SID POS MDC MDA TYP).
  const items = dec(cat062, '01010102' + 'DC' + '190D' + 'BAB0B880' + '0274' + '08BE' + '40');
  assert.deepEqual(items['I062/340'], {
    SID: { SAC: 25, SIC: 13 },
    POS: { RHO: 186.6875, THETA: 259.453125 },
    MDC: { V: 0, G: 0, LMC: 157 },
    MDA: { V: 0, G: 0, L: 0, MODE3A: '4276' },
    TYP: { TYP: 2, SIM: 0, RAB: 0, TST: 0 },
  });
});

test('an RE field the REF cannot account for stays hex and re-encodes to the same octets', () => {
  // I048/RE is FRN 28: FSPEC 01 01 01 02. REF FSPEC 0x80 announces MD5, a compound, but nothing follows.
  roundTrip(cat048, '01010102' + '02' + '80', { 'I048/RE': '80' });
  // When it does fit, the REF's names are used.
  roundTrip(cat048, '01010102' + '03' + '0100', { 'I048/RE': { GEN48: {} } });
  roundTrip(cat048, '01010102' + '01', { 'I048/RE': '' });
});

test('generic encoding refuses what the spec cannot carry', () => {
  assert.throws(() => enc(cat048, { 'I048/999': 1 }), { code: 'SKY_ASTERIX_BAD_VALUE' });
  assert.throws(() => enc(cat048, { 'I048/140': 131072 }), { code: 'SKY_ASTERIX_BAD_VALUE' });
  assert.throws(() => enc(cat048, { 'I048/070': { MODE3A: '12345' } }), { code: 'SKY_ASTERIX_BAD_VALUE' });
  assert.throws(() => enc(cat048, { 'I048/250': [{ MBDATA: 'C078' }] }), { code: 'SKY_ASTERIX_BAD_VALUE' });
  assert.throws(() => enc(cat048, {}), { code: 'SKY_ASTERIX_BAD_VALUE' });
});

test('any record that decodes re-encodes to the same octets (random records of every category)', () => {
  const defs = [cat021, cat034, cat048, cat062, cat065];
  let decoded = 0;
  fc.assert(
    fc.property(fc.constantFrom(...defs), fc.uint8Array({ minLength: 1, maxLength: 300 }), (def, bytes) => {
      // Keep the FSPEC short (3 octets) so most random records stay within the bytes given.
      const fx = bytes.findIndex((b, i) => i >= 2 || (b & 1) === 0);
      if (fx >= 0) bytes[fx]! &= 0xfe;
      const cur: Cursor = { buf: bytes, pos: 0, end: bytes.length, base: 0 };
      let items: Items;
      try {
        items = decodeRecord(def, cur);
      } catch {
        return; // structural errors are errors.test.ts's business
      }
      decoded++;
      const w = new ByteWriter(1); // start tiny so every path grows the buffer
      encodeRecord(def, items, w);
      assert.deepEqual(w.result(), bytes.subarray(0, cur.pos));
    }),
    { numRuns: 4000 },
  );
  assert.ok(decoded > 200, `${decoded} random records decoded`);
});
