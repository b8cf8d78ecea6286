// The label overlay's quarter-cell shortcut (web/src/labels.ts draw()):
// a track whose label would collide with a symbol in a quadrant wherever
// it stands in its quarter of a screen cell is turned down by a lookup. It
// must change no label: on crowds of random tracks (dense, sparse, and
// clusters, with a selected track), the labels drawn with it and without
// it are the same texts at the same places. Node, with a stand-in map and
// 2D context.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Map as MlMap } from 'maplibre-gl';
import type { WireTrack } from '../src/serve/wire.ts';
import { LabelOverlay } from '../web/src/labels.ts';
import { rng } from './support/rng.ts';

test('the quarter-cell shortcut changes no label: same texts at the same places with and without it', () => {
  const g = globalThis as unknown as { window?: unknown; requestAnimationFrame?: unknown };
  const saved = { window: g.window, raf: g.requestAnimationFrame };
  g.window = { devicePixelRatio: 1 };
  g.requestAnimationFrame = () => 0;
  try {
    let texts: string[] = [];
    const ctx = new Proxy({} as Record<string, unknown>, {
      get: (o, k) =>
        k === 'measureText' ? () => ({ width: 66 })
        : k === 'fillText' ? (text: string, x: number, y: number) => texts.push(`${text}@${x},${y}`)
        : k in o ? o[k as string]
        : () => {},
      set: (o, k, v) => ((o[k as string] = v), true),
    });
    const canvas = { width: 0, height: 0, style: {}, getContext: () => ctx } as unknown as HTMLCanvasElement;
    const container = { clientWidth: 900, clientHeight: 700 };
    let zoom = 6;
    const map = {
      on: () => {},
      getContainer: () => container,
      project: ([lon, lat]: [number, number]) => ({ x: 450 + (lon - 30) * 100, y: 350 - (lat - 30) * 100 }),
      getCenter: () => ({ lng: 30, lat: 30 }),
      getZoom: () => zoom,
      getBearing: () => 0,
      getPitch: () => 0,
      getBounds: () => ({ getWest: () => 25, getEast: () => 35, getSouth: () => 26, getNorth: () => 34 }),
    } as unknown as MlMap;
    const labels = new LabelOverlay(map, canvas);
    let checked = 0;
    let drawnTotal = 0;
    for (const [seed, n, spread] of [[1, 3000, 4.5], [2, 300, 4.5], [3, 1500, 1.2], [4, 8000, 5]] as const) {
      const r = rng(seed);
      const tracks = new Map<string, WireTrack>();
      for (let i = 0; i < n; i++) {
        // Half uniform, half in a few clusters.
        const cl = i % 2 === 0 ? null : Math.floor(r() * 4);
        const lat = cl === null ? 30 + (r() - 0.5) * 2 * spread * 0.75 : 28 + cl + (r() - 0.5) * 0.4;
        const lon = cl === null ? 30 + (r() - 0.5) * 2 * spread : 27 + 2 * cl + (r() - 0.5) * 0.4;
        const id = `T${i}`;
        tracks.set(id, {
          id, st: i % 9 === 0 ? 'K' : 'C', lat, lon, alt: i % 7 === 0 ? null : Math.round(r() * 12000), vE: (r() - 0.5) * 400, vN: (r() - 0.5) * 400,
          cs: i % 3 === 0 ? null : `SKY${i}`, m3a: i === 5 ? '7700' : null, icao: null, sen: [], par: [],
        });
      }
      const run = (on: boolean): string[] => {
        LabelOverlay.quarterCells = on;
        texts = [];
        zoom += 1e-9; // a new view: draw() redraws
        labels.setTracks(tracks, 'T7');
        labels.draw();
        return texts;
      };
      const fast = run(true);
      const exact = run(false);
      assert.ok(fast.length > 10, `seed ${seed}: ${fast.length} texts`);
      assert.deepEqual(fast, exact, `seed ${seed}: ${n} tracks`);
      checked++;
      drawnTotal += fast.length;
    }
    assert.equal(checked, 4);
    assert.ok(drawnTotal > 100, `${drawnTotal} texts`);
  } finally {
    LabelOverlay.quarterCells = true;
    g.window = saved.window;
    g.requestAnimationFrame = saved.raf;
  }
});
