// The picture skips the lookup by id of a track that is the same object at the
// same place of the tracks array as in the last update (the page's in-place
// v2 tracks: one object per track, one array reused while no track joins or
// leaves). Whatever the array and its objects do between updates (refilled in
// place with tracks joining, leaving, swapping places; objects rewritten in
// place), the picture must equal one fed fresh copies every frame.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireTrack } from '../src/serve/wire.ts';
import { FrameDecoder, FrameEncoder, TrackMirror } from '../src/serve/wire-v2.ts';
import { Picture } from '../web/src/picture.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const track = (id: string, lat: number, lon: number): Mutable<WireTrack> => ({
  id, st: 'C', lat, lon, alt: 1000, vE: 0, vN: 0, cs: null, m3a: null, icao: null, sen: ['R1'], par: ['EGY'],
});

/** Everything the picture tells about its tracks. */
function view(p: Picture) {
  return {
    ids: [...p.tracks.keys()],
    tracks: [...p.tracks.values()].map((t) => ({ ...t })),
    idsVersion: p.idsVersion,
    history: [...p.tracks.keys()].map((id) => {
      const h = p.historyOf(id)!;
      return { id, pos: h.pos, t: h.t, alt: h.alt, sensors: [...h.sensors], partners: [...h.partners], firstS: h.firstS };
    }),
  };
}

const fresh = (tracks: readonly WireTrack[]) => tracks.map((t) => ({ ...t, sen: [...t.sen], par: [...t.par] }));

test('one array refilled in place (tracks leaving, joining at the same place, swapping) gives the picture of fresh copies', () => {
  const a = track('A', 30, 31);
  const b = track('B', 29, 30);
  const c = track('C', 28, 29);
  const list: Mutable<WireTrack>[] = [a, b];
  const reused = new Picture(4);
  const copied = new Picture(4);
  const step = (k: number, change: () => void) => {
    change();
    reused.update(1000 + k, list);
    copied.update(1000 + k, fresh(list));
    assert.deepEqual(view(reused), view(copied), `frame ${k}`);
  };
  step(0, () => {});
  step(1, () => { a.lat += 0.1; b.lon += 0.1; });
  // B leaves and C joins in its place, in the same array.
  step(2, () => { list[1] = c; a.lat += 0.1; });
  assert.deepEqual([...reused.tracks.keys()], ['A', 'C']);
  assert.equal(reused.historyOf('B'), undefined);
  // B comes back first, A and C swap places, A is rewritten in place.
  step(3, () => { list.length = 0; list.push(b, c, a); a.lat += 0.1; a.sen = ['R2']; });
  step(4, () => { list.length = 0; list.push(b, a, c); c.lon += 0.2; });
  // The same object at the same place, now standing for another track.
  step(5, () => { a.id = 'D'; a.lat = 10; });
  assert.deepEqual([...reused.tracks.keys()].sort(), ['B', 'C', 'D']);
  assert.deepEqual(reused.historyOf('D')!.pos, [31, 10]);
  step(6, () => { list.length = 0; });
  assert.equal(reused.tracks.size, 0);
  step(7, () => { list.push(c, b); });
});

test('the tracks of the page\'s in-place v2 mirror, through random joins, leaves and moves, give the picture of fresh copies', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const enc = new FrameEncoder();
  const dec = new FrameDecoder();
  const mirror = new TrackMirror();
  const reused = new Picture(5);
  const copied = new Picture(5);
  let live = new Map<string, Mutable<WireTrack>>();
  let next = 0;
  for (let k = 0; k < 60; k++) {
    for (const t of live.values()) {
      if (rnd() < 0.8) t.lat += 0.01;
      if (rnd() < 0.2) t.sen = rnd() < 0.5 ? ['R1'] : ['R1', 'R2'];
    }
    if (rnd() < 0.3) for (let j = 0; j < 1 + rnd() * 3; j++) live.set(`T${next}`, track(`T${next++}`, 30 + rnd(), 31 + rnd()));
    if (rnd() < 0.3) for (const id of [...live.keys()].filter(() => rnd() < 0.2)) live.delete(id);
    if (k === 40) live = new Map([...live].reverse());
    const tracks = [...live.values()].map((t) => ({ ...t }));
    const d = enc.next(k, 1000 + k, tracks);
    const mirrored = mirror.apply(dec.patch(k === 0 || k === 40 ? enc.keyframe() : d!));
    reused.update(1000 + k, mirrored);
    copied.update(1000 + k, fresh(mirrored));
    assert.deepEqual(view(reused), view(copied), `frame ${k}`);
  }
  assert.ok(reused.tracks.size > 3);
});
