// Hardening: a million mutated real blocks (the golden vectors and encoder
// output of random reports) through both decoders. Bit flips, byte changes,
// truncation, LEN changes, inserted and deleted bytes, FSPEC extension,
// category swaps and splices. Seeded, so a failure replays: the message
// names the iteration and the block in hex. ASTERIX_FUZZ_N sets the count
// (default 1,000,000: 20-25 s on this 2-core machine, the other core busy).

import { test } from 'node:test';
import { uniformSource } from '../core/random.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Detection } from '../core/types.ts';
import { SkyError } from '../core/errors.ts';
import { encodeCat048Block, type Cat048Report } from './cat048.ts';
import { encodeCat034Block } from './cat034.ts';
import { encodeCat021Block } from './cat021.ts';
import { decodeBlock, decodeBlockItems } from './decode.ts';
import { encodeItemsBlock } from './framing.ts';
import { bytesToHex, scanRecord } from './engine.ts';
import { categoryDef } from './categories.ts';
import { type RecordPlan, compilePlan, walkRecord } from './plan.ts';
import type { CategoryDef } from './spec.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'vectors', 'asterix');
const N = Number(process.env.ASTERIX_FUZZ_N ?? 1_000_000);
const SEED = Number(process.env.ASTERIX_FUZZ_SEED ?? 0x5eed);
/** Errors point into the input: [BASE, BASE + length]. A non-zero base checks offsets are file offsets, not block offsets. */
const BASE = 100_000;


function blocksOf(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off + 3 <= buf.length; ) {
    const len = (buf[off + 1]! << 8) | buf[off + 2]!;
    out.push(buf.slice(off, off + len));
    off += len;
  }
  return out;
}

function corpus(rnd: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of ['cat048.raw', 'cat034.raw', 'cat21_re.ast', 'cat062cat065.raw']) out.push(...blocksOf(new Uint8Array(readFileSync(join(DIR, f)))));
  const int = (n: number): number => Math.floor(rnd() * n);
  const dets: Detection[] = ['psr', 'ssr', 'psr+ssr', 'mode-s', 'psr+mode-s'];
  const plot = (): Cat048Report => {
    const detection = dets[int(5)]!;
    const ms = detection.includes('mode-s');
    return {
      sac: int(256),
      sic: int(256),
      timeOfDayS: rnd() * 86399,
      rangeM: rnd() * 400_000,
      azimuthRad: rnd() * 2 * Math.PI,
      detection,
      mode3a: detection === 'psr' ? null : int(0o10000).toString(8).padStart(4, '0'),
      flightLevel: detection === 'psr' ? null : int(2000 * 4) / 4 - 100,
      icao24: ms ? int(0x1000000).toString(16).padStart(6, '0') : null,
      callsign: ms ? 'AB' + String(int(100000)) : null,
      trackNumber: rnd() < 0.5 ? int(4096) : null,
    };
  };
  for (let i = 0; i < 40; i++) out.push(encodeCat048Block(Array.from({ length: 1 + int(6) }, plot)));
  for (let i = 0; i < 10; i++) {
    out.push(
      encodeCat034Block([
        { sac: int(256), sic: int(256), timeOfDayS: rnd() * 86399, type: 'north-marker', sectorAzimuthRad: null, antennaRotationS: 4 + rnd() * 8 },
        { sac: int(256), sic: int(256), timeOfDayS: rnd() * 86399, type: 'sector-crossing', sectorAzimuthRad: rnd() * 6.28, antennaRotationS: null },
      ]),
    );
    out.push(
      encodeCat021Block(
        Array.from({ length: 1 + int(3) }, () => ({
          sac: int(256),
          sic: int(256),
          timeOfDayS: rnd() * 86399,
          latRad: (rnd() - 0.5) * Math.PI,
          lonRad: (rnd() - 0.5) * 2 * Math.PI,
          flightLevel: rnd() < 0.8 ? int(1600) / 4 : null,
          geometricHeightM: rnd() < 0.5 ? rnd() * 12000 : null,
          icao24: int(0x1000000).toString(16).padStart(6, '0'),
          callsign: rnd() < 0.7 ? 'CS' + String(int(1e5)) : null,
          mode3a: rnd() < 0.5 ? '7000' : null,
        })),
      ),
    );
    out.push(
      encodeItemsBlock(62, [
        {
          'I062/010': { SAC: int(256), SIC: int(256) },
          'I062/070': int(86399 * 128) / 128,
          'I062/105': { LAT: rnd() * 180 - 90, LON: rnd() * 360 - 180 },
          'I062/060': { MODE3A: '1234' },
          'I062/380': { ADR: int(0x1000000), ID: 'X' + String(int(1e5)) },
          'I062/040': int(65536),
          'I062/136': int(2000) / 4,
        },
      ]),
    );
  }
  return out;
}

const KNOWN_CATS = [21, 34, 48, 62, 65];

/** One to three mutations of a copy of `src` (the mutators a real feed's damage looks like, and some it does not). */
function mutate(src: Uint8Array, other: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n);
  let b = src.slice();
  for (let k = 1 + int(3); k > 0; k--) {
    const n = b.length;
    switch (int(11)) {
      case 0: // bit flips
        for (let j = 1 + int(4); j > 0 && n > 0; j--) b[int(n)]! ^= 1 << int(8);
        break;
      case 1: // byte changes, including the extremes
        for (let j = 1 + int(3); j > 0 && n > 0; j--) b[int(n)] = [0, 0xff, 0x80, 0x01, int(256)][int(5)]!;
        break;
      case 2: // truncation
        b = b.slice(0, int(n + 1));
        break;
      case 3: {
        // LEN changes: small off-by-some or arbitrary
        if (n < 3) break;
        const len = (b[1]! << 8) | b[2]!;
        const next = rnd() < 0.6 ? len + int(9) - 4 : int(65536);
        b[1] = (next >>> 8) & 0xff;
        b[2] = next & 0xff;
        break;
      }
      case 4: {
        // inserted bytes
        const at = int(n + 1);
        const ins = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
        const c = new Uint8Array(n + ins.length);
        c.set(b.subarray(0, at));
        c.set(ins, at);
        c.set(b.subarray(at), at + ins.length);
        b = c;
        break;
      }
      case 5: {
        // deleted bytes
        const at = int(n + 1);
        const cnt = 1 + int(8);
        const c = new Uint8Array(Math.max(0, n - Math.min(cnt, n - at)));
        c.set(b.subarray(0, at));
        c.set(b.subarray(Math.min(n, at + cnt)), at);
        b = c;
        break;
      }
      case 6: // FSPEC extension: FX (and maybe every presence bit) set in the first record's FSPEC octets
        for (let p = 3; p < Math.min(n, 3 + 1 + int(6)); p++) b[p]! |= rnd() < 0.3 ? 0xff : 0x01;
        break;
      case 7: // FX set anywhere (extended, repetitive and compound items chain on)
        if (n > 0) b[int(n)]! |= 1;
        break;
      case 8: // another category's header on these records
        if (n > 0) b[0] = rnd() < 0.9 ? KNOWN_CATS[int(KNOWN_CATS.length)]! : int(256);
        break;
      case 9: {
        // splice: head of this block, tail of another
        const c = new Uint8Array(int(n + 1) + int(other.length + 1));
        const head = c.length - Math.min(c.length, other.length);
        c.set(b.subarray(0, Math.min(head, n)));
        c.set(other.subarray(other.length - (c.length - Math.min(head, n))), Math.min(head, n));
        b = c;
        break;
      }
      case 10: // a run of 0xff or 0x00 (dead link, stuck bits)
        if (n > 0) b.fill(rnd() < 0.5 ? 0xff : 0, int(n), int(n + 1) + 4);
        break;
    }
  }
  return b;
}

const plans = new Map<number, { def: CategoryDef; plan: RecordPlan; starts: Int32Array; engine: Int32Array }>();

/** The allocation-free plan walk (typed decoders) and the engine's scan agree on every record boundary and item position; null when they do. */
function planAgrees(block: Uint8Array): string | null {
  if (block.length < 3) return null;
  let p = plans.get(block[0]!);
  if (p === undefined) {
    const def = categoryDef(block[0]!);
    if (def === undefined) return null;
    p = { def, plan: compilePlan(def), starts: new Int32Array(def.uap.length), engine: new Int32Array(def.uap.length) };
    plans.set(block[0]!, p);
  }
  const end = Math.min(block.length, (block[1]! << 8) | block[2]!);
  let pos = 3;
  while (pos < end) {
    const next = walkRecord(p.plan, block, pos, end, p.starts);
    const cur = { buf: block, pos, end, base: 0 };
    let ok = true;
    try {
      scanRecord(p.def, cur, p.engine);
    } catch {
      ok = false;
    }
    if (ok !== next >= 0) return `record at ${pos}: plan ${next >= 0 ? 'reads' : 'refuses'} it, the engine ${ok ? 'reads' : 'refuses'} it`;
    if (!ok) return null;
    if (next !== cur.pos || p.starts.some((v, i) => v !== p!.engine[i])) return `record at ${pos}: plan and engine differ (${next} vs ${cur.pos})`;
    pos = next;
  }
  return null;
}

test(`fuzz: ${N.toLocaleString('en')} mutated blocks through decodeBlock and decodeBlockItems: no escape, every error coded at an offset inside the input`, { timeout: 600_000 }, () => {
  const rnd = uniformSource(SEED);
  const seeds = corpus(rnd);
  let records = 0;
  let reports = 0;
  let errors = 0;
  let escapes = 0;
  let firstFailure: string | null = null;
  const codes = new Map<string, number>();
  let block: Uint8Array = new Uint8Array(0);
  let iter = 0;
  const fail = (what: string): void => {
    escapes++;
    firstFailure ??= `iteration ${iter} (seed ${SEED}): ${what}; block ${bytesToHex(block, 0, block.length)}`;
  };
  const onError = (e: SkyError): void => {
    errors++;
    codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    if (!(e instanceof SkyError) || !/^SKY_ASTERIX_[A-Z_]+$/.test(e.code) || e.code === 'SKY_ASTERIX_INTERNAL') fail(`error ${e.code}: ${e.message}`);
    else if (e.offset === undefined || !(e.offset >= BASE && e.offset <= BASE + block.length)) fail(`${e.code} offset ${e.offset} outside [${BASE}, ${BASE + block.length}]: ${e.message}`);
  };
  const t0 = performance.now();
  for (iter = 0; iter < N; iter++) {
    const src = seeds[Math.floor(rnd() * seeds.length)]!;
    const other = seeds[Math.floor(rnd() * seeds.length)]!;
    block = mutate(src, other, rnd);
    try {
      decodeBlock(
        block,
        BASE,
        (r) => {
          reports++;
          if (!(r.offset >= BASE && r.offset < BASE + block.length)) fail(`report offset ${r.offset}`);
          if (r.cat === 48) {
            const p = r.report;
            if (!(p.rangeM >= 0 && p.rangeM < 256 * 1852 && p.azimuthRad >= 0 && p.azimuthRad < 2 * Math.PI && p.timeOfDayS >= 0 && p.timeOfDayS < 86400)) {
              fail(`impossible CAT048 plot ${JSON.stringify(p)}`);
            }
          } else if (r.cat === 21) {
            const p = r.report;
            if (!(Math.abs(p.latRad) <= Math.PI / 2 && Math.abs(p.lonRad) <= Math.PI && p.timeOfDayS < 86400)) fail(`impossible CAT021 report ${JSON.stringify(p)}`);
          } else if (!(r.report.timeOfDayS < 86400)) fail(`impossible CAT034 time ${r.report.timeOfDayS}`);
        },
        onError,
      );
      const disagreement = planAgrees(block);
      if (disagreement !== null) fail(disagreement);
      decodeBlockItems(
        block,
        BASE,
        (r) => {
          records++;
          if (!(r.offset >= BASE && r.offset < BASE + block.length)) fail(`record offset ${r.offset}`);
        },
        onError,
      );
    } catch (e) {
      fail(`escaped: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  const s = (performance.now() - t0) / 1000;
  const summary = [...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(`fuzz: ${N} blocks in ${s.toFixed(1)} s (${((2 * N) / s / 1e3).toFixed(0)} k decodes/s); ${reports} plots, ${records} item records, ${errors} errors: ${summary}`);
  assert.equal(escapes, 0, firstFailure ?? '');
  // The mutations must reach both outcomes, or the test proves nothing.
  assert.ok(reports > N / 20 && records > N / 10, `${reports} plots, ${records} records decoded`);
  for (const code of ['SKY_ASTERIX_TRUNCATED', 'SKY_ASTERIX_BAD_LENGTH', 'SKY_ASTERIX_FSPEC', 'SKY_ASTERIX_UNKNOWN_CATEGORY', 'SKY_ASTERIX_MISSING_ITEM']) {
    if (N >= 10_000) assert.ok((codes.get(code) ?? 0) > 0, `no ${code} met`);
  }
});
