// The label overlay between full layouts (web/src/labels.ts, `kept`): a
// redraw after an update that changed neither the view nor the selection
// places only the labels of the last redraw, each in its quadrant first, so
// labels stay with their tracks; every FULL_EVERY redraws, and at any change
// of view or selection, the whole layout is made again (not for tracks
// joining or leaving: a live picture has those at every update). Kept labels
// still give way: one that would now cover a symbol moves to another
// quadrant or is left out. Node, with a stand-in map and 2D context.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Map as MlMap } from 'maplibre-gl';
import type { WireTrack } from '../src/serve/wire.ts';
import { LabelOverlay } from '../web/src/labels.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

test('between full layouts the labels of the last redraw stay with their tracks; a full layout comes every 4 redraws and with any change of view or selection, not with tracks joining or leaving', () => {
  const g = globalThis as unknown as { window?: unknown; requestAnimationFrame?: unknown };
  const saved = { window: g.window, raf: g.requestAnimationFrame };
  g.window = { devicePixelRatio: 1 };
  g.requestAnimationFrame = () => 0;
  try {
    let texts: { text: string; x: number; y: number }[] = [];
    const rects: [number, number, number, number][] = [];
    const ctx = new Proxy({} as Record<string, unknown>, {
      get: (o, k) =>
        k === 'measureText' ? () => ({ width: 66 })
        : k === 'fillText' ? (text: string, x: number, y: number) => texts.push({ text, x, y })
        : k === 'fillRect' ? (x: number, y: number, w: number, h: number) => rects.push([x, y, w, h])
        : k in o ? o[k as string]
        : () => {},
      set: (o, k, v) => ((o[k as string] = v), true),
    });
    const canvas = { width: 0, height: 0, style: {}, getContext: () => ctx } as unknown as HTMLCanvasElement;
    const view = { lng: 30, zoom: 6 };
    const map = {
      on: () => {},
      getContainer: () => ({ clientWidth: 800, clientHeight: 600 }),
      project: ([lon, lat]: [number, number]) => ({ x: 400 + (lon - view.lng) * 100, y: 300 - (lat - 30) * 100 }),
      getCenter: () => ({ lng: view.lng, lat: 30 }),
      getZoom: () => view.zoom,
      getBearing: () => 0,
      getPitch: () => 0,
      getBounds: () => ({ getWest: () => 20, getEast: () => 40, getSouth: () => 20, getNorth: () => 40 }),
    } as unknown as MlMap;
    const labels = new LabelOverlay(map, canvas);
    // A crowd: 600 tracks over the screen, each with a callsign.
    let seed = 7;
    const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const tracks = new Map<string, Mutable<WireTrack>>();
    for (let i = 0; i < 600; i++) {
      tracks.set(`T${i}`, { id: `T${i}`, st: 'C', lat: 30 + (r() - 0.5) * 5.6, lon: 30 + (r() - 0.5) * 7.6, alt: 3000, vE: (r() - 0.5) * 400, vN: (r() - 0.5) * 400, cs: `C${i}`, m3a: null, icao: null, sen: [], par: [] });
    }
    /** Callsign -> label offset from its track (px), as drawn by one redraw. */
    const redraw = (selected: string | null = null): Map<string, [number, number]> => {
      texts = [];
      labels.setTracks(tracks as ReadonlyMap<string, WireTrack>, selected);
      labels.draw();
      const out = new Map<string, [number, number]>();
      for (const x of texts) {
        // First lines only (the callsign "C<n>" of track T<n>); second lines are level and speed.
        const m = /^C(\d+)\b/.exec(x.text);
        const t = m ? tracks.get(`T${m[1]}`) : undefined;
        if (t) out.set(t.id, [Math.round(x.x - (400 + (t.lon - view.lng) * 100)), Math.round(x.y - (300 - (t.lat - 30) * 100))]);
      }
      return out;
    };
    const move = () => {
      for (const t of tracks.values()) t.lat += 0.001; // 0.1 px: an update at a regional zoom
    };

    const first = redraw();
    assert.deepEqual(labels.layouts, { full: 1, kept: 0 });
    assert.ok(first.size > 20, `${first.size} labels`);
    // Three updates: only the kept labels, at the same offsets from their tracks.
    for (let k = 0; k < 3; k++) {
      move();
      const now = redraw();
      assert.deepEqual(labels.layouts, { full: 1, kept: k + 1 });
      assert.deepEqual(now, first, `update ${k + 1}: the same labels at the same offsets`);
    }
    // The fourth redraw since the full layout is a full layout again.
    move();
    redraw();
    assert.deepEqual(labels.layouts, { full: 2, kept: 3 });
    // A pan, a selection, a track leaving: each a full layout.
    move();
    redraw();
    assert.equal(labels.layouts.full, 2);
    view.lng += 0.01;
    redraw();
    assert.equal(labels.layouts.full, 3);
    const withSel = redraw('T5');
    assert.equal(labels.layouts.full, 4);
    // A labelled track leaves (as tracks do at every update of a live picture): no full layout, its label goes.
    const leaver = [...withSel.keys()].find((id) => id !== 'T5')!;
    tracks.delete(leaver);
    const gone = redraw('T5');
    assert.deepEqual(labels.layouts, { full: 4, kept: 5 });
    assert.ok(!gone.has(leaver) && gone.size === withSel.size - 1, `${leaver}'s label went, the others stayed`);

    // A kept label that would now cover a symbol gives way: a track joins right where one label stands.
    const base = redraw('T5');
    const [victim, [dx, dy]] = [...base].find(([id]) => id !== 'T5')!;
    const v = tracks.get(victim)!;
    tracks.set('X1', { ...v, id: 'X1', cs: null, lat: v.lat - (dy + 14) / 100, lon: v.lon + (dx + 20) / 100 });
    const after = redraw('T5');
    assert.deepEqual(labels.layouts, { full: 4, kept: 7 }, 'still between full layouts');
    assert.notDeepEqual(after.get(victim), [dx, dy], `${victim}'s label left the symbol it would cover`);
    // The next redraw is the fourth since the full layout: a full one.
    redraw('T5');
    assert.equal(labels.layouts.full, 5);
    // No label box covers another one, kept or not.
    const boxes = rects.slice(-labels.drawn);
    for (let a = 0; a < boxes.length; a++) {
      for (let b = a + 1; b < boxes.length; b++) {
        const [ax, ay, aw, ah] = boxes[a]!;
        const [bx, by, bw, bh] = boxes[b]!;
        assert.ok(!(ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah), `labels ${a} and ${b} overlap`);
      }
    }
  } finally {
    g.window = saved.window;
    g.requestAnimationFrame = saved.raf;
  }
});
