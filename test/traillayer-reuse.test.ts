// The trail layer (web/src/traillayer.ts) keeps each track's slot for a track
// that is the same object at the same place of the picture's map as in the
// last update (no lookup by id), and skips the pass over the slots when every
// slot in use was seen. Whatever the map and its objects do between updates
// (tracks joining, leaving, swapping places, objects rewritten in place, an
// object standing for another track), each track's trail must be what a layer
// fed fresh copies every frame holds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireTrack } from '../src/serve/wire.ts';
import { TrailLayer } from '../web/src/traillayer.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const track = (id: string, lat: number, lon: number): Mutable<WireTrack> => ({
  id, st: 'C', lat, lon, alt: 1000, vE: 0, vN: 0, cs: null, m3a: null, icao: null, sen: [], par: [],
});

/** The layer's input: the map and the Mercator x, y of its tracks in its order (stride 2). */
function feed(layer: TrailLayer, tracks: ReadonlyMap<string, WireTrack>): void {
  const xy = new Float32Array(2 * tracks.size);
  let i = 0;
  for (const t of tracks.values()) {
    xy[2 * i] = (t.lon + 180) / 360;
    xy[2 * i + 1] = t.lat / 1000;
    i++;
  }
  layer.setTracks(tracks, xy, 2);
}

test('trails fed the same objects in one map rewritten in place equal trails fed fresh copies', () => {
  const reused = new TrailLayer();
  const copied = new TrailLayer();
  const live = new Map<string, Mutable<WireTrack>>();
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let next = 0;
  const ids = new Set<string>();
  for (let k = 0; k < 80; k++) {
    for (const t of live.values()) {
      t.lat += 0.01;
      if (rnd() < 0.1) t.alt = t.alt === null ? 9000 : null;
      if (rnd() < 0.1) t.st = t.st === 'K' ? 'C' : 'K';
    }
    if (rnd() < 0.3) for (let j = 0; j < 1 + rnd() * 3; j++) {
      const id = `T${next++}`;
      live.set(id, track(id, 30 + rnd(), 31 + rnd()));
      ids.add(id);
    }
    if (rnd() < 0.3) for (const id of [...live.keys()].filter(() => rnd() < 0.2)) live.delete(id);
    // Swapped places: the map rebuilt in reverse order, same objects.
    if (k % 17 === 16) {
      const all = [...live].reverse();
      live.clear();
      for (const [id, t] of all) live.set(id, t);
    }
    // One object now stands for another track, at the same place of the map.
    if (k === 50 && live.size > 1) {
      const [id, t] = [...live][0]!;
      const all = [...live];
      live.clear();
      t.id = `${id}-again`;
      ids.add(t.id);
      for (const [i, o] of all) live.set(i === id ? t.id : i, o);
    }
    feed(reused, live);
    feed(copied, new Map([...live].map(([id, t]) => [id, { ...t }])));
    for (const id of ids) assert.deepEqual(reused.trailOf(id), copied.trailOf(id), `${id} at frame ${k}`);
  }
  assert.ok(live.size > 3);
});

test('a track gone from the map has no trail; one that comes back starts a new one', () => {
  const layer = new TrailLayer();
  const a = track('A', 30, 31);
  const b = track('B', 29, 30);
  const m = new Map([['A', a], ['B', b]]);
  feed(layer, m);
  a.lat += 1;
  feed(layer, m);
  assert.equal(layer.trailOf('A')!.xy.length, 2);
  m.delete('B');
  feed(layer, m);
  assert.equal(layer.trailOf('B'), null);
  m.set('B', b);
  feed(layer, m);
  assert.deepEqual(layer.trailOf('B')!.xy, [[Math.fround((30 + 180) / 360), Math.fround(29 / 1000)]]);
  assert.equal(layer.trailOf('A')!.xy.length, 4);
});
