// The page's skyfuse.v2 tracks (decoder-worker.ts and link.ts): patches from
// FrameDecoder.patch applied by a TrackMirror. On a random sequence of
// keyframes and deltas (tracks appearing, moving, changing level, status,
// identity and contributors, leaving; slots reused; a gap that forces a
// keyframe; a reconnect) they give exactly the values of the allocating
// decoder after every message, keep one object per track for as long as the
// track lives, and bump that object's rev only when a message changed it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireStatus, WireTrack } from '../src/serve/wire.ts';
import { FrameDecoder, FrameEncoder, type LiveTrack, PATCH_STRIDE, TrackMirror } from '../src/serve/wire-v2.ts';
import { rng } from './support/rng.ts';

type Mut = { -readonly [K in keyof WireTrack]: WireTrack[K] };

const plain = (t: WireTrack): WireTrack => ({
  id: t.id, st: t.st, lat: t.lat, lon: t.lon, alt: t.alt, vE: t.vE, vN: t.vN, cs: t.cs, m3a: t.m3a, icao: t.icao, sen: [...t.sen], par: [...t.par],
});

test('patches applied by the mirror give the allocating decoder’s values after every keyframe and delta', () => {
  const r = rng(20261124);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const SENSORS = ['EGY-CAI-1', 'EGY-ALX-2', 'CYP-LAR-1', 'JOR-AMM-3'];
  const PARTNERS = ['EGY', 'CYP', 'JOR'];
  const STATUS: WireStatus[] = ['T', 'C', 'K'];
  let nextId = 0;
  const fresh = (): Mut => ({
    id: `T${nextId++}`, st: pick(STATUS), lat: 30 + r() * 5, lon: 31 + r() * 5, alt: r() < 0.2 ? null : Math.round(r() * 12000),
    vE: (r() - 0.5) * 500, vN: (r() - 0.5) * 500, cs: r() < 0.5 ? `MSR${Math.floor(r() * 999)}` : null, m3a: r() < 0.7 ? '2000' : null,
    icao: r() < 0.6 ? Math.floor(r() * 0xffffff).toString(16) : null, sen: [pick(SENSORS)], par: [pick(PARTNERS)],
  });
  const round = (t: Mut): WireTrack => ({
    ...t, lat: Math.round(t.lat * 1e5) / 1e5, lon: Math.round(t.lon * 1e5) / 1e5, alt: t.alt === null ? null : Math.round(t.alt),
    vE: Math.round(t.vE * 10) / 10, vN: Math.round(t.vN * 10) / 10,
  });

  const enc = new FrameEncoder();
  const old = new FrameDecoder();
  const patcher = new FrameDecoder();
  const mirror = new TrackMirror();
  let mirrored: readonly LiveTrack[] = [];
  let tracks: Mut[] = Array.from({ length: 60 }, fresh);
  let seq = 0;
  let lastKey = -1;
  /** id -> the mirror's object and its rev after the previous message. */
  let held = new Map<string, { obj: WireTrack; rev: number; plain: WireTrack }>();
  let kept = 0;
  let bumped = 0;
  let deltas = 0;
  for (let k = 0; k < 300; k++) {
    // Change the picture: some tracks leave, some join, most move, a few change identity, level, status, contributors.
    tracks = tracks.filter(() => r() > 0.05);
    const joins = Math.floor(r() * 5);
    for (let j = 0; j < joins; j++) tracks.push(fresh());
    for (const t of tracks) {
      const u = r();
      if (u < 0.6) {
        t.lat += (r() - 0.5) * 0.01;
        t.lon += (r() - 0.5) * 0.01;
      }
      if (r() < 0.1) t.alt = r() < 0.3 ? null : Math.round(r() * 12000);
      if (r() < 0.1) t.vE += (r() - 0.5) * 20;
      if (r() < 0.05) t.st = pick(STATUS);
      if (r() < 0.05) t.cs = r() < 0.3 ? null : `CYP${Math.floor(r() * 999)}`;
      if (r() < 0.03) t.icao = null;
      if (r() < 0.05) t.sen = r() < 0.3 ? [] : [pick(SENSORS), pick(SENSORS)].filter((s, i, a) => a.indexOf(s) === i);
      if (r() < 0.05) t.par = [pick(PARTNERS)];
    }
    const wire = tracks.map(round);
    // Mostly contiguous; sometimes a gap (the encoder starts over: only a keyframe gets there).
    seq += r() < 0.03 ? 5 : 1;
    const delta = enc.next(seq, 1763900000 + k, wire);
    const reconnect = r() < 0.03;
    if (reconnect) {
      old.reset();
      patcher.reset();
      mirror.reset();
    }
    const bytes = delta === null || reconnect || k - lastKey > 40 ? enc.keyframe() : delta;
    if (bytes === enc.keyframe()) lastKey = k;
    const a = old.apply(bytes);
    const before = mirrored;
    const p = patcher.patch(bytes);
    mirrored = mirror.apply(p);
    const b = { t: p.t, seq: p.seq, kind: p.key ? 'key' : 'delta', changed: p.values.length / PATCH_STRIDE, removed: p.removed.length, tracks: mirrored };
    // The mirror keeps its one array until a reset (whoever holds the last one keeps the picture before it).
    assert.equal(mirrored === before, k > 0 && !reconnect, `array reuse at message ${k}`);
    assert.equal(b.t, a.t);
    assert.equal(b.seq, a.seq);
    assert.equal(b.kind, a.kind);
    assert.equal(b.changed, a.changed);
    assert.equal(b.removed, a.removed);
    assert.deepEqual(b.tracks.map(plain), a.tracks.map(plain), `message ${k} (${a.kind})`);
    assert.deepEqual(
      b.tracks.map((t) => t.id),
      wire.map((t) => t.id).filter((id) => a.tracks.some((x) => x.id === id)),
    );
    // The values the frame carried, field for field.
    assert.deepEqual([...b.tracks].map(plain).sort((x, y) => x.id.localeCompare(y.id)), wire.map(plain).sort((x, y) => x.id.localeCompare(y.id)));
    const now = new Map<string, { obj: WireTrack; rev: number; plain: WireTrack }>();
    for (const t of b.tracks) {
      const rev = (t as LiveTrack).rev;
      assert.equal(typeof rev, 'number');
      now.set(t.id, { obj: t, rev, plain: plain(t) });
      const before = held.get(t.id);
      if (!before || a.kind === 'key') continue;
      // Through a delta a track keeps its object; its rev moves exactly when its values did.
      assert.equal(t, before.obj, `track ${t.id} kept its object through delta ${k}`);
      kept++;
      const same = JSON.stringify(before.plain) === JSON.stringify(plain(t));
      assert.equal(rev, same ? before.rev : before.rev + 1, `rev of ${t.id} at message ${k}`);
      if (!same) bumped++;
    }
    if (a.kind === 'delta') deltas++;
    held = now;
  }
  // The sequence exercised what it claims to.
  assert.ok(deltas > 150, `${deltas} deltas`);
  assert.ok(kept > 5000 && bumped > 2000 && bumped < kept, `${kept} kept, ${bumped} changed`);
});

test('the mirror reuses its tracks array and objects; a reset leaves the last picture to whoever holds it', () => {
  const enc = new FrameEncoder();
  const patcher = new FrameDecoder();
  const mirror = new TrackMirror();
  const live = { apply: (bytes: Uint8Array) => ({ tracks: mirror.apply(patcher.patch(bytes)) }), reset: () => (patcher.reset(), mirror.reset()) };
  const t = (id: string, lat: number): WireTrack => ({ id, st: 'C', lat, lon: 31, alt: 3000, vE: 1, vN: 2, cs: null, m3a: null, icao: null, sen: [], par: [] });
  enc.next(0, 100, [t('A', 30), t('B', 30)]);
  const k = live.apply(enc.keyframe());
  const d1 = live.apply(enc.next(1, 101, [t('A', 30.1), t('B', 30)])!);
  assert.equal(d1.tracks, k.tracks, 'moving only: same array');
  assert.equal(d1.tracks[0]!.lat, 30.1);
  assert.equal((d1.tracks[0] as LiveTrack).rev, 1);
  assert.equal((d1.tracks[1] as LiveTrack).rev, 0);
  const d2 = live.apply(enc.next(2, 102, [t('A', 30.1), t('B', 30), t('C', 29)])!);
  assert.deepEqual(d2.tracks.map((x) => x.id), ['A', 'B', 'C']);
  const d3 = live.apply(enc.next(3, 103, [t('A', 30.1), t('C', 29)])!);
  assert.deepEqual(d3.tracks.map((x) => x.id), ['A', 'C']);
  // A reconnect leaves the last picture to whoever holds it.
  live.reset();
  assert.deepEqual(d3.tracks.map((x) => x.id), ['A', 'C']);
  const k2 = live.apply(enc.keyframe());
  assert.notEqual(k2.tracks, d3.tracks);
  assert.deepEqual(k2.tracks.map((x) => x.id), ['A', 'C']);
});

test('a malformed message gives no patch and changes nothing: the next delta still applies', () => {
  const enc = new FrameEncoder();
  const patcher = new FrameDecoder();
  const mirror = new TrackMirror();
  const t = (id: string, lat: number, cs: string | null = null): WireTrack => ({ id, st: 'C', lat, lon: 31, alt: 3000, vE: 1, vN: 2, cs, m3a: null, icao: null, sen: ['S1'], par: ['P1'] });
  enc.next(0, 100, [t('A', 30), t('B', 30)]);
  const k = mirror.apply(patcher.patch(enc.keyframe()));
  assert.deepEqual(k.map((x) => [x.id, x.lat, x.rev]), [['A', 30, 0], ['B', 30, 0]]);
  const d1 = enc.next(1, 101, [t('A', 30.5, 'MSR1'), t('B', 30)])!;
  // Cut inside the last record: the whole message is refused before anything is applied.
  assert.throws(() => patcher.patch(d1.subarray(0, d1.length - 1)), (e: unknown) => (e as { code?: string }).code === 'SKY_WIRE_TRUNCATED');
  const p1 = patcher.patch(d1);
  assert.equal(p1.names.length, 1, 'only the identity that changed carries names');
  assert.deepEqual(p1.names[0]!.ident, ['MSR1', null, null]);
  assert.equal(p1.lists.length, 0, 'no sensor or partner list changed');
  const l1 = mirror.apply(p1);
  assert.equal(l1, k, 'no join or leave: the same array');
  assert.deepEqual(l1.map((x) => [x.id, x.lat, x.cs, x.rev]), [['A', 30.5, 'MSR1', 1], ['B', 30, null, 0]]);
  // A delta that does not build on the last one applied.
  const d3 = enc.next(3, 103, [t('B', 30)]);
  assert.equal(d3, null, 'a gap: the encoder starts over');
  assert.throws(() => patcher.patch(new FrameEncoder().keyframe().subarray(0, 5)), (e: unknown) => (e as { code?: string }).code === 'SKY_WIRE_TRUNCATED');
  const l2 = mirror.apply(patcher.patch(enc.keyframe()));
  assert.deepEqual(l2.map((x) => [x.id, x.rev]), [['B', 0]]);
});
