// The picture fed by the page's v2 tracks (TrackMirror: one object and one
// sensor list per track while they do not change) keeps the same history as
// fed fresh objects every frame (v1 JSON): positions, and the last frame time
// each sensor and partner contributed, read between frames and at the end.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireTrack } from '../src/serve/wire.ts';
import { FrameDecoder, FrameEncoder, TrackMirror } from '../src/serve/wire-v2.ts';
import { Picture } from '../web/src/picture.ts';

test('in-place tracks give the picture the same positions and sensor/partner times as fresh objects', () => {
  const frame = (k: number): WireTrack[] => [
    { id: 'A', st: 'C', lat: 30 + 0.01 * k, lon: 31, alt: 3000, vE: 1, vN: 2, cs: null, m3a: null, icao: null,
      sen: k < 3 ? ['R0', 'R1'] : k < 6 ? ['R1'] : ['R0'], par: k < 4 ? ['EGY'] : ['EGY', 'CYP'] },
    { id: 'B', st: 'C', lat: 29, lon: 30, alt: null, vE: 0, vN: 0, cs: null, m3a: null, icao: null, sen: k % 2 ? ['R2'] : [], par: [] },
  ];
  const enc = new FrameEncoder();
  const dec = new FrameDecoder();
  const mirror = new TrackMirror();
  const live = new Picture();
  const fresh = new Picture();
  const view = (p: Picture, id: string) => {
    const h = p.historyOf(id)!;
    return { pos: h.pos, t: h.t, sensors: [...h.sensors], partners: [...h.partners] };
  };
  for (let k = 0; k < 9; k++) {
    const tracks = frame(k);
    const d = enc.next(k, 1000 + k, tracks);
    const p = dec.patch(k === 0 ? enc.keyframe() : d!);
    live.update(p.t, mirror.apply(p));
    fresh.update(1000 + k, tracks.map((t) => ({ ...t, sen: [...t.sen], par: [...t.par] })));
    if (k === 4) assert.deepEqual(view(live, 'A'), view(fresh, 'A'), 'read between frames');
  }
  for (const id of ['A', 'B']) assert.deepEqual(view(live, id), view(fresh, id), id);
  assert.deepEqual(view(live, 'A').sensors, [['R0', 1008], ['R1', 1005]]);
  assert.deepEqual(view(live, 'A').partners, [['EGY', 1008], ['CYP', 1008]]);
  assert.deepEqual(view(live, 'B').sensors, [['R2', 1007]]);
});
