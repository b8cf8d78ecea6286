// The label overlay (web/src/labels.ts) redraws its canvas on every map
// render, and the map renders for things that move no label (the emergency
// halo flashes at 2 Hz): a render that changes neither the tracks nor the
// view leaves the canvas as it is (a redraw at 10,000 tracks costs a few
// ms). The tracks given again with a track moved in place, a new view or a
// resized map must redraw it. Node, with a stand-in map and 2D context.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Map as MlMap } from 'maplibre-gl';
import type { WireTrack } from '../src/serve/wire.ts';
import { LabelOverlay } from '../web/src/labels.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

test('a map render that changes neither tracks nor view leaves the labels as drawn; a track moved in place, a new view or a resize redraws', () => {
  const g = globalThis as unknown as { window?: unknown; requestAnimationFrame?: unknown };
  const saved = { window: g.window, raf: g.requestAnimationFrame };
  g.window = { devicePixelRatio: 1 };
  const frames: (() => void)[] = [];
  g.requestAnimationFrame = (f: () => void) => frames.push(f);
  try {
    const texts: { text: string; x: number; y: number }[] = [];
    let clears = 0;
    const ctx = new Proxy({} as Record<string, unknown>, {
      get: (o, k) =>
        k === 'measureText' ? () => ({ width: 70 })
        : k === 'fillText' ? (text: string, x: number, y: number) => texts.push({ text, x, y })
        : k === 'clearRect' ? () => { clears++; }
        : k in o ? o[k as string]
        : () => {},
      set: (o, k, v) => ((o[k as string] = v), true),
    });
    const canvas = { width: 0, height: 0, style: {}, getContext: () => ctx } as unknown as HTMLCanvasElement;
    const container = { clientWidth: 800, clientHeight: 600 };
    const view = { lng: 30, lat: 30, zoom: 6 };
    const handlers = new Map<string, (() => void)[]>();
    const fire = (ev: string) => { for (const f of handlers.get(ev) ?? []) f(); };
    const map = {
      on: (ev: string, f: () => void) => handlers.set(ev, [...(handlers.get(ev) ?? []), f]),
      getContainer: () => container,
      // 100 px per degree around the view's centre.
      project: ([lon, lat]: [number, number]) => ({ x: 400 + (lon - view.lng) * 100 * 2 ** (view.zoom - 6), y: 300 - (lat - view.lat) * 100 * 2 ** (view.zoom - 6) }),
      getCenter: () => ({ lng: view.lng, lat: view.lat }),
      getZoom: () => view.zoom,
      getBearing: () => 0,
      getPitch: () => 0,
    } as unknown as MlMap;
    const labels = new LabelOverlay(map, canvas);
    let redraws = 0;
    labels.onDrawn = () => redraws++;
    const t: Mutable<WireTrack> = { id: 'T1', st: 'C', lat: 30, lon: 30, alt: 3000, vE: 100, vN: 0, cs: 'SKY1', m3a: null, icao: null, sen: [], par: [] };
    const tracks = new Map([['T1', t as WireTrack]]);
    const where = () => texts.filter((x) => x.text === 'SKY1').at(-1)!;

    labels.setTracks(tracks, null);
    fire('render');
    assert.equal(redraws, 1);
    const first = where();
    // The flashing halo's renders: nothing to redraw (and the scheduled redraw of setTracks is not needed either).
    fire('render');
    fire('render');
    for (const f of frames.splice(0)) f();
    assert.deepEqual([redraws, clears], [1, 1]);

    // The same map, its track moved in place: a degree north is 100 px up.
    t.lat += 1;
    labels.setTracks(tracks, null);
    fire('render');
    assert.equal(redraws, 2);
    assert.equal(where().y, first.y - 100);
    assert.equal(where().x, first.x);

    // The view pans: the label moves with it.
    view.lng += 1;
    fire('render');
    assert.equal(redraws, 3);
    assert.equal(where().x, first.x - 100);
    fire('render');
    assert.equal(redraws, 3);

    // Resized map: redrawn at the new size.
    container.clientWidth = 1000;
    fire('resize');
    assert.equal(redraws, 4);
    assert.equal(canvas.width, 1000);
  } finally {
    g.window = saved.window;
    g.requestAnimationFrame = saved.raf;
  }
});
