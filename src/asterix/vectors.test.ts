// The golden vectors (test/vectors/asterix, see PROVENANCE.md) decode to every
// value their expected.json lists, and encode back to the same bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SkyError } from '../core/errors.ts';
import { categoryDef } from './categories.ts';
import { ByteWriter, bytesToHex, encodeRecord } from './engine.ts';
import { decodeBlock, decodeBlockItems, type DecodedReport } from './decode.ts';
import { encodeItemsBlock } from './framing.ts';
import { type CategoryDef, type Part, type Variation, partsBits } from './spec.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'vectors', 'asterix');

type Json = any;

interface Rec {
  cat: number;
  offset: number;
  items: Record<string, unknown>;
}

function blocksOf(buf: Uint8Array): { offset: number; block: Uint8Array }[] {
  const out = [];
  for (let off = 0; off < buf.length; ) {
    const len = (buf[off + 1]! << 8) | buf[off + 2]!;
    out.push({ offset: off, block: buf.subarray(off, off + len) });
    off += len;
  }
  return out;
}

function decodeFile(name: string): { buf: Uint8Array; blocks: { offset: number; block: Uint8Array; records: Rec[] }[]; errors: SkyError[] } {
  const buf = new Uint8Array(readFileSync(join(DIR, name)));
  const errors: SkyError[] = [];
  const blocks = blocksOf(buf).map(({ offset, block }) => {
    const records: Rec[] = [];
    decodeBlockItems(block, offset, (r) => records.push(r), (e) => errors.push(e));
    return { offset, block, records };
  });
  return { buf, blocks, errors };
}

// --- walking an expected.json item next to our decode

/** The sub-variation named `key` inside v (group part, extended part, compound or REF sub-item). */
function subVar(v: Variation | undefined, key: string): Variation | undefined {
  if (v === undefined) return undefined;
  const named = (parts: readonly Part[]): Variation | undefined => {
    for (const p of parts) if (typeof p !== 'number' && p[0] === key) return p[1];
    return undefined;
  };
  if (v.t === 'cmp') {
    for (const s of v.subs) if (s !== null && s[0] === key) return s[1];
    return undefined;
  }
  if (v.t === 'grp') return named(v.parts);
  if (v.t === 'ext') {
    for (const seg of v.segs) {
      const f = named(seg);
      if (f !== undefined) return f;
    }
  }
  return undefined;
}

const META = new Set(['title', 'meaning', 'derived', 'upstream', 'note', 'unit', 'raw']);

let leaves = 0;

function leafEqual(expected: unknown, actual: unknown, where: string): void {
  leaves++;
  // Addresses are raw 24-bit elements in the spec (numbers here); the kit writes them as hex.
  if (typeof expected === 'string' && typeof actual === 'number' && /^[0-9A-F]{6}$/i.test(expected)) {
    assert.equal(actual, parseInt(expected, 16), where);
    return;
  }
  assert.deepEqual(actual, expected, where);
}

function checkNode(exp: Json, act: unknown, v: Variation | undefined, where: string, def: CategoryDef): void {
  if (exp !== null && typeof exp === 'object' && 'value' in exp) {
    leafEqual(exp.value, act, where);
    if (typeof exp.unit === 'string' && v?.t === 'el' && v.c.k === 'q') {
      // Units must match the spec's (the kit writes "deg" for the spec's "°").
      assert.equal(v.c.unit, exp.unit === 'deg' ? '°' : exp.unit, `${where} unit`);
    }
    return;
  }
  if ('repetitions' in exp) {
    assert.ok(Array.isArray(act), `${where} is a list`);
    leafEqual(exp.repetitions, act.length, `${where} repetitions`);
    exp.list.forEach((e: Json, i: number) => checkNode(e, act[i], v?.t === 'rep' ? v.v : undefined, `${where}[${i}]`, def));
    return;
  }
  if ('explicit_length_octets' in exp) {
    // Our decode keeps the RE through its REF; its octets are checked by encoding it back.
    const w = new ByteWriter();
    encodeRecord(def, { [where]: act }, w);
    const bytes = w.result();
    leafEqual(exp.explicit_length_octets, bytes[bytes.length - (exp.explicit_length_octets as number)], `${where} length octet`);
    leafEqual(exp.hex, bytesToHex(bytes, bytes.length - exp.explicit_length_octets + 1, bytes.length), `${where} hex`);
    checkNode(exp.expansion, act, def.ref === null ? undefined : { t: 'cmp', subs: def.ref.subs }, where, def);
    return;
  }
  assert.ok(act !== null && typeof act === 'object', `${where} is an object`);
  const obj = act as Record<string, unknown>;
  for (const [k, e] of Object.entries(exp as Record<string, Json>)) {
    if (META.has(k)) continue;
    if (k === '(spare)') {
      // We keep spare bits only when they are not all 0.
      const zero = Array.isArray(e.value) ? e.value.map(() => 0) : 0;
      leafEqual(e.value, obj[k] ?? zero, `${where} ${k}`);
    } else if (k === '(octets)') {
      assert.equal(v?.t, 'ext', `${where} is extended`);
      if (v?.t !== 'ext') continue;
      let octets = 0;
      for (const seg of v.segs) if (seg.some((p) => typeof p !== 'number' && obj[p[0]] !== undefined)) octets += (partsBits(seg) + 1) / 8;
      leafEqual(e.value, octets, `${where} (octets)`);
    } else if (k === 'bds40_decoded') {
      checkBds40(e, obj['MBDATA'] as string, where);
    } else {
      const sub = subVar(v, k);
      checkNode(e, obj[k], sub, `${where}/${k}`, def);
    }
  }
}

/**
 * BDS 4,0 (selected vertical intention) is not an ASTERIX item: the MB field
 * is kept as hex. Its fields are decoded here, with the ICAO Doc 9871
 * Table A-2-64 layout, to check the octets against the upstream assertions.
 */
function checkBds40(exp: Json, mbHex: string, where: string): void {
  const mb = BigInt('0x' + mbHex);
  const bits = (from: number, to: number): number => Number((mb >> BigInt(56 - to)) & ((1n << BigInt(to - from + 1)) - 1n));
  const got: Record<string, number> = {
    MCP_ALT_STATUS: bits(1, 1),
    MCP_ALT: bits(2, 13) * 16,
    FMS_ALT_STATUS: bits(14, 14),
    FMS_ALT: bits(15, 26) * 16,
    BP_STATUS: bits(27, 27),
    BP: bits(28, 39) / 10,
    res1: bits(40, 47),
    MODE_STATUS: bits(48, 48),
    VNAV: bits(49, 49),
    ALT_HOLD: bits(50, 50),
    APP: bits(51, 51),
    res2: bits(52, 53),
    TARGET_ALT_STATUS: bits(54, 54),
    TARGET_ALT_SOURCE: bits(55, 56),
    baro_setting: 800 + bits(28, 39) / 10,
  };
  for (const [k, e] of Object.entries(exp as Record<string, Json>)) leafEqual(e.value, got[k], `${where} BDS 4,0 ${k}`);
}

function checkVector(name: string): void {
  const expected = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8'));
  const { buf, blocks, errors } = decodeFile(name);
  assert.deepEqual(errors, []);
  const records = blocks.flatMap((b) => b.records);
  assert.equal(records.length, expected.records.length);
  assert.deepEqual(
    blocks.map((b) => ({ offset: b.offset, category: b.block[0], block_length: b.block.length })),
    expected.data_blocks.map((b: Json) => ({ offset: b.offset, category: b.category, block_length: b.block_length })),
  );
  expected.records.forEach((er: Json, i: number) => {
    const r = records[i]!;
    const def = categoryDef(r.cat)!;
    assert.equal(r.cat, er.category);
    assert.equal(bytesToHex(buf, r.offset, r.offset + er.length), er.record_hex, `record ${i} octets`);
    assert.deepEqual(Object.keys(r.items), er.items_present, `record ${i} items in FSPEC order`);
    for (const [key, e] of Object.entries(er.items as Record<string, Json>)) {
      const v = def.items[key.slice(5)];
      checkNode(e, r.items[key], v, key, def);
    }
  });
}

/** Leaf values per file, from the kit's README; we compare a few more (RE length and octets, list sizes). */
const KIT_LEAVES: Readonly<Record<string, number>> = { 'cat048.raw': 63, 'cat034.raw': 21, 'cat21_re.ast': 79, 'cat062cat065.raw': 185 };

for (const name of Object.keys(KIT_LEAVES)) {
  test(`${name} decodes to every value in its expected.json`, () => {
    const before = leaves;
    checkVector(name);
    assert.ok(leaves - before >= KIT_LEAVES[name]!, `compared ${leaves - before} values`);
  });

  test(`${name}: encode(decode(bytes)) gives the same bytes`, () => {
    const { blocks } = decodeFile(name);
    for (const b of blocks) assert.deepEqual(encodeItemsBlock(b.block[0]!, b.records.map((r) => r.items)), b.block);
  });
}

function typed(name: string): { reports: DecodedReport[]; errors: SkyError[] } {
  const buf = new Uint8Array(readFileSync(join(DIR, name)));
  const reports: DecodedReport[] = [];
  const errors: SkyError[] = [];
  for (const { offset, block } of blocksOf(buf)) decodeBlock(block, offset, (r) => reports.push(r), (e) => errors.push(e));
  return { reports, errors };
}

const DEG = Math.PI / 180;

test('cat048.raw: the typed plot (values from upstream test_ParseCAT048)', () => {
  const { reports, errors } = typed('cat048.raw');
  assert.deepEqual(errors, []);
  assert.deepEqual(reports, [
    {
      cat: 48,
      offset: 3,
      report: {
        sac: 25,
        sic: 201,
        timeOfDayS: 27354.6015625,
        rangeM: 197.68359375 * 1852,
        azimuthRad: 340.13671875 * DEG,
        detection: 'mode-s',
        mode3a: '1000',
        flightLevel: 330,
        icao24: '3c660c',
        callsign: 'DLH65A',
        trackNumber: 3563,
      },
    },
  ]);
});

test('cat034.raw: the typed sector crossing message', () => {
  const { reports, errors } = typed('cat034.raw');
  assert.deepEqual(errors, []);
  assert.deepEqual(reports, [
    {
      cat: 34,
      offset: 3,
      report: { sac: 25, sic: 14, timeOfDayS: 29906.3359375, type: 'sector-crossing', sectorAzimuthRad: Math.PI / 2, antennaRotationS: null },
    },
  ]);
});

test('cat21_re.ast: typed ADS-B reports (no I021/071 in this file: time of reception I021/073 is used)', () => {
  const { reports, errors } = typed('cat21_re.ast');
  assert.deepEqual(errors, []);
  assert.equal(reports.length, 2);
  const [a, b] = reports;
  assert.deepEqual(a, {
    cat: 21,
    offset: 3,
    report: {
      sac: 0,
      sic: 1,
      timeOfDayS: 28802.921875,
      latRad: ((2864958 * 180) / 2 ** 23) * DEG,
      lonRad: (((16410042 - 2 ** 24) * 180) / 2 ** 23) * DEG,
      flightLevel: null,
      geometricHeightM: null,
      icao24: '000001',
      callsign: null,
      mode3a: null,
    },
  });
  assert.equal(b?.offset, 47);
  assert.equal(b?.cat === 21 ? b.report.icao24 : null, '000002');
  assert.ok(Math.abs((b?.cat === 21 ? b.report.latRad : 0) / DEG - 61.47524356842041) < 1e-12);
});

test('cat062cat065.raw: no typed plots, one UNKNOWN_CATEGORY per block', () => {
  const { reports, errors } = typed('cat062cat065.raw');
  assert.deepEqual(reports, []);
  assert.deepEqual(
    errors.map((e) => [e.code, e.offset]),
    [
      ['SKY_ASTERIX_UNKNOWN_CATEGORY', 0],
      ['SKY_ASTERIX_UNKNOWN_CATEGORY', 183],
    ],
  );
});
