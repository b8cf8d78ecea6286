// The page's per-track history (web/src/picture.ts) is kept in a ring
// refilled in place: after many frames it must still hold exactly the last
// trail-length positions, oldest first, with their times and heights (null
// kept as null); a still track adds no position; a longer or shorter trail
// length keeps the latest positions; a track that leaves loses its history.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireTrack } from '../src/serve/wire.ts';
import { Picture } from '../web/src/picture.ts';

const at = (id: string, k: number, still = false): WireTrack => ({
  id, st: 'C', lat: 30, lon: still ? 31 : 31 + k / 100, alt: k % 3 === 0 ? null : 1000 + k, vE: 100, vN: 0,
  cs: null, m3a: null, icao: null, sen: [`R${k % 2}`], par: ['EGY'],
});

/** What the history must be: frames k in `ks`, oldest first. */
const expected = (ks: number[]) => ({
  pos: ks.flatMap((k) => [31 + k / 100, 30]),
  t: ks.map((k) => 1000 + k),
  alt: ks.map((k) => (k % 3 === 0 ? null : 1000 + k)),
});

test('the history holds the last trail-length positions, oldest first, through many frames and trail-length changes', () => {
  const p = new Picture(3);
  for (let k = 0; k < 11; k++) p.update(1000 + k, [at('M', k), at('S', k, true)]);
  const h = p.historyOf('M')!;
  assert.deepEqual({ pos: h.pos, t: h.t, alt: h.alt }, expected([8, 9, 10]));
  assert.equal(h.firstS, 1000);
  assert.deepEqual([...h.sensors], [['R0', 1010], ['R1', 1009]]);
  // A still track: one position, the time it was first there.
  const still = p.historyOf('S')!;
  assert.deepEqual([still.pos, still.t], [[31, 30], [1000]]);

  // Longer: the old positions stay and new ones add up to the new length.
  p.setTrailLength(5);
  for (let k = 11; k < 13; k++) p.update(1000 + k, [at('M', k)]);
  assert.deepEqual(Object.fromEntries(Object.entries(p.historyOf('M')!).filter(([k]) => ['pos', 't', 'alt'].includes(k))), expected([8, 9, 10, 11, 12]));
  for (let k = 13; k < 20; k++) p.update(1000 + k, [at('M', k)]);
  assert.deepEqual(p.historyOf('M')!.t, expected([15, 16, 17, 18, 19]).t);

  // Shorter: the latest kept.
  p.setTrailLength(2);
  p.update(1020, [at('M', 20)]);
  const short = p.historyOf('M')!;
  assert.deepEqual({ pos: short.pos, t: short.t, alt: short.alt }, expected([19, 20]));

  // The still track left with the frame that no longer had it.
  assert.equal(p.historyOf('S'), undefined);
  assert.deepEqual([...p.tracks.keys()], ['M']);
});

test('idsVersion changes when a track joins or leaves the picture, and only then (the table keeps its order by id meanwhile)', () => {
  const p = new Picture(3);
  p.update(1000, [at('A', 0), at('B', 0)]);
  const v0 = p.idsVersion;
  p.update(1001, [at('A', 1), at('B', 1)]);
  p.update(1002, [at('B', 2), at('A', 2)]);
  assert.equal(p.idsVersion, v0, 'same tracks, new positions');
  p.update(1003, [at('A', 3), at('B', 3), at('C', 3)]);
  const v1 = p.idsVersion;
  assert.notEqual(v1, v0, 'C joined');
  p.update(1004, [at('A', 4), at('C', 4)]);
  assert.notEqual(p.idsVersion, v1, 'B left');
});
