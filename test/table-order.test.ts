// The track table's order kept frame to frame (web/src/table.ts TrackOrder:
// each frame re-sorts the last frame's order) must be exactly the order
// sorted from scratch (orderTracks), frame after frame, while levels, speeds,
// callsigns and statuses change, tracks come and go, and the operator
// changes the sort column, its direction and the filter between frames.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireTrack } from '../src/serve/wire.ts';
import { type ColumnKey, TrackOrder, orderTracks } from '../web/src/table.ts';

/** Deterministic pseudo-random in [0, 1). */
const noise = (a: number, b: number) => {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

/** Frame k: tracks T{from}..T{to-1}, some climbing, some turning, some renamed or coasting now and then. */
function frame(k: number, from: number, to: number): WireTrack[] {
  const out: WireTrack[] = [];
  for (let i = from; i < to; i++) {
    const climbing = i % 4 === 0;
    out.push({
      id: `T${i}`,
      st: noise(i, k) < 0.1 ? 'K' : i % 9 === 0 ? 'T' : 'C',
      lat: 30 + i / 1000,
      lon: 31,
      alt: i % 7 === 0 ? null : 1000 + ((i * 397) % 11000) + (climbing ? 150 * k : 0),
      vE: 100 + (i % 11) * 20 + (noise(k, i) - 0.5) * 40,
      vN: 50,
      cs: i % 3 === 0 ? null : noise(i, Math.floor(k / 3)) < 0.2 ? `NEW${(i * 7) % 50}` : `SKY${(i * 13) % 400}`,
      m3a: i % 5 === 0 ? null : String(1000 + ((i * 31 + (k > 5 ? 1 : 0)) % 6000)).padStart(4, '0'),
      icao: i % 2 === 0 ? (0x010000 + i).toString(16) : null,
      sen: noise(k, i) < 0.5 ? ['R1'] : ['R1', 'R2'],
      par: ['EGY'],
    });
  }
  return out;
}

test('the table order kept frame to frame equals the order sorted from scratch, through changes of data, column, direction and filter', () => {
  const order = new TrackOrder();
  const settings: [ColumnKey, 1 | -1, string][] = [
    ['id', 1, ''],
    ['fl', -1, ''],
    ['kt', 1, ''],
    ['cs', 1, ''],
    ['st', -1, ''],
    ['sen', 1, ''],
    ['m3a', -1, ''],
    ['kt', 1, 'sky1'],
    ['fl', 1, ''],
  ];
  let checked = 0;
  for (let k = 0; k < 45; k++) {
    // Tracks appear at the high end and leave at the low end, a few per frame.
    const tracks = frame(k, 3 * k, 300 + 5 * k);
    const [key, dir, filter] = settings[Math.floor(k / 5)]!;
    const got = order.update(tracks, key, dir, filter);
    const want = orderTracks(tracks, key, dir, filter);
    assert.deepEqual(got.order.map((t) => t.id), want.map((t) => t.id), `frame ${k}, ${key} ${dir} "${filter}"`);
    // The order holds this frame's objects (the row shows the latest values).
    assert.ok(got.order.every((t) => tracks.includes(t)), `frame ${k}: a track object of an earlier frame`);
    assert.equal(got.total, tracks.length);
    checked += want.length;
  }
  assert.ok(checked > 10_000, `${checked} rows compared`);
});
