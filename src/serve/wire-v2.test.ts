// skyfuse.v2 frame codec: whatever sequence of frames the encoder is given,
// a page that applies its deltas (or a keyframe at any point) holds exactly
// the v1 WireTracks of the last frame; bad or out-of-order input is refused
// with a SKY_WIRE_* code.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSkyError } from '../core/errors.ts';
import type { WireTrack } from './wire.ts';
import { FrameDecoder, FrameEncoder, emptyKeyframe } from './wire-v2.ts';

const r5 = (v: number) => Math.round(v * 1e5) / 1e5;
const r1 = (v: number) => Math.round(v * 10) / 10;

const str = fc.option(fc.string({ minLength: 0, maxLength: 8, unit: 'binary' }), { nil: null });
const names = fc.array(fc.constantFrom('EGY-CAI-1', 'CYP-LCA-1', 'JOR-AMM-1', 'ISR-ADSB', 'Ω-ünï'), { maxLength: 3 });
const track = (id: string) =>
  fc.record({
    id: fc.constant(id),
    st: fc.constantFrom('T' as const, 'C' as const, 'K' as const),
    lat: fc.double({ min: -90, max: 90, noNaN: true }).map(r5),
    lon: fc.double({ min: -180, max: 180, noNaN: true }).map(r5),
    alt: fc.option(fc.integer({ min: -500, max: 30000 }), { nil: null }),
    vE: fc.double({ min: -1500, max: 1500, noNaN: true }).map(r1),
    vN: fc.double({ min: -1500, max: 1500, noNaN: true }).map(r1),
    cs: str,
    m3a: str,
    icao: str,
    sen: names,
    par: names,
  });
/** A frame: a subset of a small id pool, so tracks persist, change, vanish and come back. */
const frame = fc
  .subarray(['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8'])
  .chain((ids) => fc.tuple(...ids.map(track)))
  .map((ts) => ts as WireTrack[]);

/** As a v1 client would see them (JSON: -0 is 0), in id order. */
const byId = (ts: readonly WireTrack[]) => (JSON.parse(JSON.stringify(ts)) as WireTrack[]).sort((a, b) => a.id.localeCompare(b.id));

test('decode(encode(frames)) = frames: deltas applied in order, and a keyframe at every step, give the last frame exactly', () => {
  fc.assert(
    fc.property(fc.array(frame, { minLength: 1, maxLength: 12 }), (frames) => {
      const enc = new FrameEncoder();
      const viaDeltas = new FrameDecoder();
      frames.forEach((f, i) => {
        const delta = enc.next(i, 1000 + i, f);
        const got = i === 0 || delta === null ? viaDeltas.apply(enc.keyframe()) : viaDeltas.apply(delta);
        assert.equal(i === 0 ? delta : 'delta', i === 0 ? null : 'delta', 'the first frame has no delta');
        assert.deepEqual(byId(got.tracks), byId(f));
        assert.equal(got.t, 1000 + i);
        assert.equal(got.seq, i);
        const fresh = new FrameDecoder().apply(enc.keyframe());
        assert.equal(fresh.kind, 'key');
        assert.deepEqual(byId(fresh.tracks), byId(f));
      });
    }),
    { numRuns: 300 },
  );
});

test('a delta carries only what changed: one track moved 1 km of 1,000 is a few bytes, the keyframe tens of kB', () => {
  const mk = (i: number, dLat: number): WireTrack => ({
    id: `T${i}`, st: 'C', lat: r5(30 + i * 1e-3 + dLat), lon: r5(33 + i * 1e-3), alt: 10000, vE: 200, vN: 0,
    cs: `SKY${i}`, m3a: '1234', icao: 'abcdef', sen: ['EGY-CAI-1'], par: ['EGY'],
  });
  const f0 = Array.from({ length: 1000 }, (_, i) => mk(i, 0));
  const f1 = f0.map((t, i) => (i === 7 ? mk(7, 0.009) : t));
  const enc = new FrameEncoder();
  assert.equal(enc.next(0, 0, f0), null);
  const key = enc.keyframe();
  const delta = enc.next(1, 1, f1)!;
  // 17 header + 3 empty counts... + slot 7 (1) + mask (1) + dlat 900 = 1800 zigzag (2) + dlon 0 (1).
  assert.equal(delta.length, 17 + 1 + 1 + 1 + 1 + 1 + 2 + 1);
  assert.ok(key.length > 20_000 && key.length < 60_000, `keyframe ${key.length} bytes`);
  const d = new FrameDecoder();
  d.apply(key);
  const out = d.apply(delta);
  assert.equal(out.changed, 1);
  assert.equal(out.tracks.find((t) => t.id === 'T7')!.lat, r5(30 + 7e-3 + 0.009));
});

test('a delta on the wrong base is refused (SKY_WIRE_BASE) until a keyframe comes; truncation and garbage are SKY_WIRE_* errors', () => {
  const t = (id: string, lat: number): WireTrack => ({ id, st: 'C', lat, lon: 33, alt: null, vE: 1, vN: 2, cs: null, m3a: null, icao: null, sen: [], par: [] });
  const enc = new FrameEncoder();
  enc.next(0, 0, [t('A', 30)]);
  const key0 = enc.keyframe();
  const d1 = enc.next(1, 1, [t('A', 30.1)])!;
  const d2 = enc.next(2, 2, [t('A', 30.2), t('B', 31)])!;
  const dec = new FrameDecoder();
  dec.apply(key0);
  // Skipped d1: d2 cannot apply, and nothing applies until a keyframe.
  assert.throws(() => dec.apply(d2), (e: unknown) => isSkyError(e) && e.code === 'SKY_WIRE_BASE');
  assert.throws(() => dec.apply(d2), (e: unknown) => isSkyError(e) && e.code === 'SKY_WIRE_BASE');
  const k2 = dec.apply(enc.keyframe());
  assert.deepEqual(k2.tracks.map((x) => [x.id, x.lat]).sort(), [['A', 30.2], ['B', 31]]);
  void d1;
  // An empty picture is no base for a delta.
  const e = new FrameDecoder();
  assert.equal(e.apply(emptyKeyframe(5)).tracks.length, 0);
  const d3 = enc.next(3, 3, [t('A', 30.3)])!;
  assert.throws(() => e.apply(d3), (x: unknown) => isSkyError(x) && x.code === 'SKY_WIRE_BASE');
  // Every strict prefix of a keyframe is refused with a code, never half applied.
  const key = enc.keyframe();
  for (let n = 0; n < key.length; n++) {
    const d = new FrameDecoder();
    assert.throws(() => d.apply(key.subarray(0, n)), (x: unknown) => isSkyError(x) && /^SKY_WIRE_/.test(x.code), `prefix ${n}`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
      try {
        new FrameDecoder().apply(bytes);
      } catch (x) {
        assert.ok(isSkyError(x) && /^SKY_WIRE_/.test(x.code), String(x));
      }
    }),
  );
});
