// Track and sensor labels on a 2D canvas over the map. MapLibre cannot draw
// text without a glyph server, and 500 HTML markers cost a DOM layout each
// frame; one canvas redrawn on the map's 'render' event costs 1-3 ms for 500
// tracks (measured in headless chromium). A label goes in one of four
// quadrants around its symbol; one that fits nowhere is skipped (the selected
// track's label is placed first, so it always shows).

import type { Map as MlMap } from 'maplibre-gl';
import type { WireTrack } from '../../src/serve/wire.ts';
import { BAND_COLOURS, altBand, flText, knots } from './geo.ts';

export interface SensorLabel {
  readonly id: string;
  readonly lat: number;
  readonly lon: number;
}

/** A fixed place named on the map from a zoom on (an airport's ICAO code). */
export interface PlaceLabel extends SensorLabel {
  readonly minZoom: number;
}

const FONT = '11px ui-monospace, "DejaVu Sans Mono", monospace';
const LINE_H = 12;
const PAD = 2;
/** Pixels between the track symbol and its label block. */
const GAP = 11;
/** A full label layout at least every this many redraws (about 3 s of 1 Hz updates). */
const FULL_EVERY = 4;
/** Characters of the narrowest label: its second line, "FFF SSS" (level, ground speed). */
const MIN_CHARS = 7;

/** The label's text: callsign, else Mode 3/A, else the track id; then level and ground speed. */
export function labelLines(t: WireTrack): [string, string] {
  const name = t.cs ?? (t.m3a !== null ? `A${t.m3a}` : t.id);
  const fl = flText(t.alt);
  const kt = Math.round(knots(t.vE, t.vN));
  return [name, `${fl ? fl.slice(2) : '---'} ${String(kt).padStart(3, '0')}${t.st === 'K' ? ' CST' : ''}`];
}

export class LabelOverlay {
  private readonly ctx: CanvasRenderingContext2D;
  /** Width of one character of FONT (monospace): a label's width is its length times this, no measureText per label. */
  private charW = 0;
  /**
   * Each track's label lines, kept while the page holds the same WireTrack
   * object at the same `rev` (the v2 decoder rewrites a track's one object in
   * place and bumps its rev), so a redraw does not rebuild 10,000 strings.
   */
  private readonly lines = new WeakMap<WireTrack, [string, string, number, number]>();
  private tracks: ReadonlyMap<string, WireTrack> = new Map();
  private sensors: readonly SensorLabel[] = [];
  private places: readonly PlaceLabel[] = [];
  /** Places named in the last redraw (for tests). */
  placesDrawn: string[] = [];
  private selectedId: string | null = null;
  private scheduled = false;
  /** Labels drawn in the last redraw (for tests). */
  drawn = 0;
  /** Milliseconds the last redraw took. */
  lastDrawMs = 0;
  /** Told the duration of every redraw (the page's performance figures). */
  onDrawn: (ms: number) => void = () => {};
  /**
   * Where a track is on screen, written into `out` (false: not on screen); the page sets the track layer's projection
   * (same matrix as the symbols drawn).
   */
  projectTo: (lon: number, lat: number, out: { x: number; y: number }) => boolean = (lon, lat, out) => {
    const p = this.map.project([lon, lat]);
    out.x = p.x;
    out.y = p.y;
    return true;
  };
  /** Scratch of draw(): the tracks in view, their screen positions and their bucketing by screen cell. */
  private readonly vis: WireTrack[] = [];
  private px = new Float64Array(0);
  private py = new Float64Array(0);
  private cellOf = new Int32Array(0);
  private byCell = new Int32Array(0);
  private cellStart = new Int32Array(0);
  private cellFill = new Int32Array(0);
  /** Summed-area table of the symbols per cell ((rows + 1) x (cols + 1)): how many symbols a block of cells holds, in O(1). */
  private sat = new Int32Array(0);
  /** Per quarter of a screen cell, the quadrants known blocked for any track standing in it (draw()). */
  private core = new Uint8Array(0);
  /** draw()'s quarter-cell shortcut, on; a test turns it off to check that it changes no label. */
  static quarterCells = true;
  /** Placed boxes (labels, sensors) of the redraw, flat: x0, y0, x1, y1. */
  private readonly boxes: number[] = [];

  constructor(
    private readonly map: MlMap,
    private readonly canvas: HTMLCanvasElement,
  ) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas context');
    this.ctx = ctx;
    map.on('render', () => this.draw());
    map.on('resize', () => this.draw());
  }

  /** The tracks (the same map may come again with its tracks changed in place: each call counts as a change). */
  setTracks(tracks: ReadonlyMap<string, WireTrack>, selectedId: string | null): void {
    this.tracks = tracks;
    this.selectedId = selectedId;
    this.version++;
    this.request();
  }

  /** Airports: named last, only where no track label or sensor is, and only from their zoom on. */
  setPlaces(places: readonly PlaceLabel[]): void {
    this.places = places;
    this.fullKey = '';
    this.version++;
    this.request();
  }

  setSensors(sensors: readonly SensorLabel[]): void {
    this.sensors = sensors;
    this.fullKey = '';
    this.version++;
    this.request();
  }

  /** Bumped by every set...() call: with the view, what the canvas shows. */
  private version = 0;
  /**
   * Labels placed by the last redraw: the track's place in the tracks map's order, its id, and the quadrant its label
   * took (bit 0 east, bit 1 north). Between full layouts a redraw tries only these tracks, each in its quadrant first:
   * 10,000 tracks a second moving a pixel or less at a regional zoom need no new layout, and labels that stay where
   * they were are easier to follow. A full layout comes with any change of view, selection, sensors or airports,
   * and every FULL_EVERY redraws (a track that joined gets its label then).
   */
  private kept: { id: string; q: number }[] = [];
  private keptNext: { id: string; q: number }[] = [];
  private fullKey = '';
  private sinceFull = 0;
  private keptOf: ReadonlyMap<string, WireTrack> | null = null;
  /** Full layouts and redraws of kept labels so far (tests, figures). */
  readonly layouts = { full: 0, kept: 0 };
  /** The version and view of the last redraw: a map render that changes neither (the emergency halo's flashing, 2 Hz) leaves the canvas as it is. */
  private drawnKey = '';

  private request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const asked = this.draws;
    requestAnimationFrame(() => {
      this.scheduled = false;
      // The map usually renders in this same animation frame (the track layer asked it to) and its 'render' event
      // has redrawn the labels already: a second redraw would cost as much again (10,000 tracks) for nothing.
      if (this.draws === asked) this.draw();
    });
  }
  /** Redraws so far. */
  private draws = 0;

  private width(s: string): number {
    return s.length * this.charW;
  }

  private linesOf(t: WireTrack): [string, string, number, number] {
    // A v2 track is one object rewritten in place (LiveTrack): its `rev` says when the lines must be rebuilt.
    const rev = (t as { rev?: number }).rev ?? -1;
    let l = this.lines.get(t);
    if (!l || l[3] !== rev) {
      const [a, b] = labelLines(t);
      l = [a, b, Math.max(a.length, b.length), rev];
      this.lines.set(t, l);
    }
    return l;
  }

  draw(): void {
    const t0 = performance.now();
    this.draws++;
    const { canvas, ctx, map } = this;
    const el = map.getContainer();
    const dpr = window.devicePixelRatio || 1;
    const w = el.clientWidth;
    const h = el.clientHeight;
    const c = map.getCenter();
    const key = `${this.version} ${w} ${h} ${dpr} ${c.lng} ${c.lat} ${map.getZoom()} ${map.getBearing()} ${map.getPitch()}`;
    if (key === this.drawnKey) return;
    this.drawnKey = key;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = FONT;
    ctx.textBaseline = 'top';
    this.charW ||= ctx.measureText('0000000000').width / 10;

    // Symbols first, so no label hides a track or a sensor. The tracks in view are projected into flat arrays and
    // bucketed by screen cell (counting sort, no object per track): at 10,000 tracks a box per symbol in a Map of
    // lists cost more than the rest of the redraw.
    // Small cells: in a crowd a cell holds a few symbols, so a box finds the one it hits after a few comparisons.
    const CELL = 16;
    const MARGIN = 120;
    const gx0 = -MARGIN;
    const gy0 = -MARGIN;
    const cols = Math.ceil((w + 2 * MARGIN) / CELL) + 1;
    const rows = Math.ceil((h + 2 * MARGIN) / CELL) + 1;
    const cap = this.tracks.size;
    if (this.px.length < cap) {
      this.px = new Float64Array(cap);
      this.py = new Float64Array(cap);
      this.cellOf = new Int32Array(cap);
      this.byCell = new Int32Array(cap);
    }
    if (this.cellStart.length < cols * rows + 1) this.cellStart = new Int32Array(cols * rows + 1);
    const { px, py, cellOf, byCell, cellStart } = this;
    const vis = this.vis;
    vis.length = 0;
    const at = { x: 0, y: 0 };
    let sel = -1;
    for (const t of this.tracks.values()) {
      if (!this.projectTo(t.lon, t.lat, at)) continue;
      const { x, y } = at;
      if (!(x >= -100 && y >= -40 && x <= w + 100 && y <= h + 40)) continue;
      const i = vis.length;
      if (t.id === this.selectedId) sel = i;
      vis.push(t);
      px[i] = x;
      py[i] = y;
    }
    const nv = vis.length;
    const cellIndex = (x: number, y: number) => Math.floor((y - gy0) / CELL) * cols + Math.floor((x - gx0) / CELL);
    cellStart.fill(0, 0, cols * rows + 1);
    for (let i = 0; i < nv; i++) {
      const c = cellIndex(px[i]!, py[i]!);
      cellOf[i] = c;
      cellStart[c + 1]!++;
    }
    for (let c = 0; c < cols * rows; c++) cellStart[c + 1]! += cellStart[c]!;
    const fill = this.cellFill.length < cols * rows ? (this.cellFill = new Int32Array(cols * rows)) : this.cellFill;
    fill.set(cellStart.subarray(0, cols * rows));
    for (let i = 0; i < nv; i++) byCell[fill[cellOf[i]!]!++] = i;
    const sw = cols + 1;
    if (this.sat.length < sw * (rows + 1)) this.sat = new Int32Array(sw * (rows + 1));
    const sat = this.sat;
    sat.fill(0, 0, sw);
    for (let cy = 0; cy < rows; cy++) {
      const o = (cy + 1) * sw;
      let run = 0;
      sat[o] = 0;
      for (let cx = 0; cx < cols; cx++) {
        const c = cy * cols + cx;
        run += cellStart[c + 1]! - cellStart[c]!;
        sat[o + cx + 1] = sat[o - sw + cx + 1]! + run;
      }
    }
    /** Symbols in the cells cx0..cx1 x cy0..cy1 (inclusive). */
    const symbolsIn = (cx0: number, cx1: number, cy0: number, cy1: number): number =>
      sat[(cy1 + 1) * sw + cx1 + 1]! - sat[cy0 * sw + cx1 + 1]! - sat[(cy1 + 1) * sw + cx0]! + sat[cy0 * sw + cx0]!;
    const SYM = 10;
    /** Does the box overlap a track symbol's box (SYM px around its position)? */
    const hitsSymbol = (x0: number, y0: number, x1: number, y1: number): boolean => {
      const cx0 = Math.max(0, Math.floor((x0 - SYM - gx0) / CELL));
      const cx1 = Math.min(cols - 1, Math.floor((x1 + SYM - gx0) / CELL));
      const cy0 = Math.max(0, Math.floor((y0 - SYM - gy0) / CELL));
      const cy1 = Math.min(rows - 1, Math.floor((y1 + SYM - gy0) / CELL));
      if (cx0 > cx1 || cy0 > cy1 || symbolsIn(cx0, cx1, cy0, cy1) === 0) return false;
      // A symbol in a cell lying wholly inside the box grown by SYM overlaps the box: in a crowd, the answer without
      // visiting the symbols.
      const ix0 = Math.max(0, Math.floor((x0 - SYM - gx0) / CELL) + 1);
      const ix1 = Math.min(cols - 1, Math.floor((x1 + SYM - gx0) / CELL) - 1);
      const iy0 = Math.max(0, Math.floor((y0 - SYM - gy0) / CELL) + 1);
      const iy1 = Math.min(rows - 1, Math.floor((y1 + SYM - gy0) / CELL) - 1);
      if (ix0 <= ix1 && iy0 <= iy1 && symbolsIn(ix0, ix1, iy0, iy1) > 0) return true;
      for (let cy = cy0; cy <= cy1; cy++) {
        for (let cx = cx0; cx <= cx1; cx++) {
          const c = cy * cols + cx;
          for (let k = cellStart[c]!; k < cellStart[c + 1]!; k++) {
            const j = byCell[k]!;
            const x = px[j]!;
            const y = py[j]!;
            if (x0 < x + SYM && x1 > x - SYM && y0 < y + SYM && y1 > y - SYM) return true;
          }
        }
      }
      return false;
    };

    // Labels and sensor symbols placed so far (hundreds at most): boxes, listed by the same cells (clamped to the grid).
    const boxes = this.boxes;
    boxes.length = 0;
    const boxCells: (number[] | undefined)[] = new Array(cols * rows);
    const cellX = (x: number) => Math.min(cols - 1, Math.max(0, Math.floor((x - gx0) / CELL)));
    const cellY = (y: number) => Math.min(rows - 1, Math.max(0, Math.floor((y - gy0) / CELL)));
    const hitsBox = (x0: number, y0: number, x1: number, y1: number): boolean => {
      if (boxes.length === 0) return false;
      const cx0 = cellX(x0);
      const cx1 = cellX(x1);
      const cy1 = cellY(y1);
      for (let cy = cellY(y0); cy <= cy1; cy++) {
        for (let cx = cx0; cx <= cx1; cx++) {
          const list = boxCells[cy * cols + cx];
          if (!list) continue;
          for (const b of list) {
            if (x0 < boxes[b + 2]! && x1 > boxes[b]! && y0 < boxes[b + 3]! && y1 > boxes[b + 1]!) return true;
          }
        }
      }
      return false;
    };
    // Symbols first: in a crowd they are what a label hits.
    const collides = (x0: number, y0: number, x1: number, y1: number): boolean => hitsSymbol(x0, y0, x1, y1) || hitsBox(x0, y0, x1, y1);
    const occupy = (x0: number, y0: number, x1: number, y1: number): void => {
      const b = boxes.length;
      boxes.push(x0, y0, x1, y1);
      const cx0 = cellX(x0);
      const cx1 = cellX(x1);
      const cy1 = cellY(y1);
      for (let cy = cellY(y0); cy <= cy1; cy++) {
        for (let cx = cx0; cx <= cx1; cx++) (boxCells[cy * cols + cx] ??= []).push(b);
      }
    };
    const sensorPts = this.sensors.map((s) => ({ id: s.id, p: map.project([s.lon, s.lat]) }));
    for (const { p } of sensorPts) occupy(p.x - 5, p.y - 5, p.x + 5, p.y + 5);

    let drawn = 0;
    const bh = 2 * LINE_H + 2 * PAD;
    // The narrowest label (7 characters: "--- 000") shares its edge next to the symbol with any wider one in the same
    // quadrant, so where it collides every label does: most tracks of a crowd are rejected without building text.
    const minBw = MIN_CHARS * this.charW + 2 * PAD;
    // Per quarter of a screen cell (HALF px square) and quadrant: do the cells that lie wholly inside the narrowest
    // label's box (grown by SYM) wherever in the quarter its track stands hold a symbol? Then every track there
    // collides in that quadrant, as hitsSymbol would find (those cells are inside its box too): most tracks of a
    // crowd are turned down by a lookup instead of four box tests (bench, 10,000 tracks: placement about 3.5 ->
    // 2.2 ms). Bits 0-3: worked out for quadrant q; bits 4-7: blocked.
    const HALF = CELL / 2;
    if (this.core.length < 4 * cols * rows) this.core = new Uint8Array(4 * cols * rows);
    const core = this.core;
    core.fill(0, 0, 4 * cols * rows);
    /** Works out (and keeps) quadrant q of quarter-cell `slot` (4 x cell + quarter); q: bit 0 east, bit 1 north. */
    const coreBlocked = (slot: number, q: number): boolean => {
      const c = slot >> 2;
      const cx = c % cols;
      const cy = (c - cx) / cols;
      // The quarter's extent: its tracks stand in [xa, xb) x [ya, yb).
      const xa = gx0 + cx * CELL + (slot & 1) * HALF;
      const xb = xa + HALF;
      const ya = gy0 + cy * CELL + ((slot >> 1) & 1) * HALF;
      const yb = ya + HALF;
      const sx = q & 1 ? 1 : -1;
      const sy = q & 2 ? 1 : -1;
      const bx0 = sx > 0 ? xb + GAP : xb - GAP - minBw;
      const bx1 = sx > 0 ? xa + GAP + minBw : xa - GAP;
      const by0 = sy > 0 ? yb - GAP - bh : yb + GAP;
      const by1 = sy > 0 ? ya - GAP : ya + GAP + bh;
      const ix0 = Math.max(0, Math.floor((bx0 - SYM - gx0) / CELL) + 1);
      const ix1 = Math.min(cols - 1, Math.floor((bx1 + SYM - gx0) / CELL) - 1);
      const iy0 = Math.max(0, Math.floor((by0 - SYM - gy0) / CELL) + 1);
      const iy1 = Math.min(rows - 1, Math.floor((by1 + SYM - gy0) / CELL) - 1);
      const blocked = ix0 <= ix1 && iy0 <= iy1 && symbolsIn(ix0, ix1, iy0, iy1) > 0;
      core[slot] = core[slot]! | (1 << q) | (blocked ? 16 << q : 0);
      return blocked;
    };
    // A full layout, or only the labels of the last redraw (see `kept`).
    // Tracks joining and leaving (every update of a live picture) do not call for one: a kept label whose track left
    // is dropped, and a new track's label waits for the next full layout (FULL_EVERY redraws at most).
    const fullKey = `${w} ${h} ${dpr} ${c.lng} ${c.lat} ${map.getZoom()} ${map.getBearing()} ${map.getPitch()} ${this.selectedId}`;
    const full = fullKey !== this.fullKey || this.sinceFull >= FULL_EVERY - 1 || this.tracks !== this.keptOf;
    if (full) {
      this.fullKey = fullKey;
      this.keptOf = this.tracks;
      this.sinceFull = 0;
      this.layouts.full++;
    } else {
      this.sinceFull++;
      this.layouts.kept++;
    }
    const keptNow = this.keptNext;
    keptNow.length = 0;
    /** Places the label of track t at (x, y) (the selected one whatever collides), trying quadrant `first` first; its quadrant or -1. */
    const place = (t: WireTrack, x: number, y: number, isSel: boolean, first: number): number => {
      // Try the two quadrants beside the track's line of flight first, so the
      // label covers neither the velocity vector (ahead) nor the trail (behind).
      const ex = t.vE >= 0 ? 1 : -1;
      const ny = t.vN >= 0 ? 1 : -1;
      const c = cellIndex(x, y);
      const cx = c % cols;
      const slot = 4 * c + (x - gx0 - cx * CELL >= HALF ? 1 : 0) + (y - gy0 - ((c - cx) / cols) * CELL >= HALF ? 2 : 0);
      let placed: [number, number, number, number] | null = null;
      let lines: [string, string, number, number] | null = null;
      let bw = 0;
      for (let k = first < 0 ? 0 : -1; k < 4; k++) {
        // The quadrants in order: `first` if given, then (ex, -ny), (-ex, ny), (ex, ny), (-ex, -ny).
        const sx = k < 0 ? (first & 1 ? 1 : -1) : k % 2 === 0 ? ex : -ex;
        const sy = k < 0 ? (first & 2 ? 1 : -1) : k === 0 || k === 3 ? -ny : ny;
        const q = (sx > 0 ? 1 : 0) | (sy > 0 ? 2 : 0);
        if (k >= 0 && q === first) continue;
        const known = core[slot]!;
        if (LabelOverlay.quarterCells && (known & (1 << q) ? known & (16 << q) : coreBlocked(slot, q))) continue;
        const y0 = sy > 0 ? y - GAP - bh : y + GAP;
        const near = sx > 0 ? x + GAP : x - GAP;
        if (sx > 0 ? collides(near, y0, near + minBw, y0 + bh) : collides(near - minBw, y0, near, y0 + bh)) continue;
        lines ??= this.linesOf(t);
        bw = lines[2] * this.charW + 2 * PAD;
        const x0 = sx > 0 ? near : near - bw;
        if (collides(x0, y0, x0 + bw, y0 + bh)) continue;
        placed = [x0, y0, sx, sy];
        break;
      }
      if (!placed && isSel) {
        lines ??= this.linesOf(t);
        bw = lines[2] * this.charW + 2 * PAD;
        placed = [x + GAP, y - GAP - bh, 1, 1];
      }
      if (!placed || !lines) return -1;
      const [l1, l2] = lines;
      const sel_ = isSel;
      const [x0, y0, sx, sy] = placed;
      occupy(x0, y0, x0 + bw, y0 + bh);
      // Leader line from the symbol to the label's nearest corner.
      ctx.strokeStyle = 'rgba(200,210,220,0.5)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x + 3 * sx, y - 3 * sy);
      ctx.lineTo(sx > 0 ? x0 : x0 + bw, sy > 0 ? y0 + bh : y0);
      ctx.stroke();
      const emg = t.m3a === '7500' || t.m3a === '7600' || t.m3a === '7700';
      ctx.fillStyle = emg ? 'rgba(200,20,20,0.9)' : sel_ ? 'rgba(255,255,255,0.92)' : 'rgba(8,18,28,0.72)';
      ctx.fillRect(x0, y0, bw, bh);
      ctx.fillStyle = emg ? '#ffffff' : sel_ ? '#06121c' : t.st === 'K' ? 'rgba(230,230,235,0.55)' : '#e8eef3';
      ctx.fillText(l1, x0 + PAD, y0 + PAD);
      ctx.fillStyle = emg ? '#ffffff' : sel_ ? '#06121c' : t.st === 'K' ? 'rgba(230,230,235,0.55)' : BAND_COLOURS[altBand(t.alt)];
      ctx.fillText(l2, x0 + PAD, y0 + PAD + LINE_H);
      drawn++;
      return (sx > 0 ? 1 : 0) | (sy > 0 ? 2 : 0);
    };
    // The selected track's label is placed first.
    if (sel >= 0) place(vis[sel]!, px[sel]!, py[sel]!, true, -1);
    if (full) {
      // Every track in view, in the map's order.
      for (let i = 0; i < nv; i++) {
        if (i === sel) continue;
        const t = vis[i]!;
        const q = place(t, px[i]!, py[i]!, false, -1);
        if (q >= 0) keptNow.push({ id: t.id, q });
      }
    } else {
      // The kept labels' tracks, found by id (a track gone has none) and projected as above.
      for (const k of this.kept) {
        const t = this.tracks.get(k.id);
        if (!t || k.id === this.selectedId || !this.projectTo(t.lon, t.lat, at)) continue;
        const { x, y } = at;
        if (!(x >= -100 && y >= -40 && x <= w + 100 && y <= h + 40)) continue;
        const q = place(t, x, y, false, k.q);
        if (q >= 0) keptNow.push({ id: k.id, q });
      }
    }
    this.keptNext = this.kept;
    this.kept = keptNow;
    this.drawn = drawn;

    // Sensor ids, small and quiet: placed after the tracks, only where free.
    ctx.fillStyle = 'rgba(100,210,255,0.75)';
    for (const { id, p } of sensorPts) {
      if (p.x < -50 || p.y < -20 || p.x > w + 50 || p.y > h + 20) continue;
      const x0 = p.x + 7;
      const y0 = p.y + 4;
      const x1 = x0 + this.width(id);
      if (collides(x0, y0, x1, y0 + LINE_H)) continue;
      occupy(x0, y0, x1, y0 + LINE_H);
      ctx.fillText(id, x0, y0);
    }

    // Airport codes, quieter still, in view and from their zoom on.
    const names: string[] = [];
    const zoom = map.getZoom();
    if (this.places.length > 0) {
      const b = map.getBounds();
      const [west, south, east, north] = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
      ctx.fillStyle = 'rgba(183,199,212,0.7)';
      for (const pl of this.places) {
        if (zoom < pl.minZoom || pl.lat < south || pl.lat > north || pl.lon < west || pl.lon > east) continue;
        const p = map.project([pl.lon, pl.lat]);
        const tw = this.width(pl.id);
        // Right of the airport, else left, below, above (a radar often stands at an airport, its name to the right).
        for (const [x0, y0] of [[p.x + 5, p.y + 2], [p.x - 5 - tw, p.y + 2], [p.x - tw / 2, p.y + 5], [p.x - tw / 2, p.y - 5 - LINE_H]] as const) {
          if (collides(x0, y0, x0 + tw, y0 + LINE_H)) continue;
          occupy(x0, y0, x0 + tw, y0 + LINE_H);
          ctx.fillText(pl.id, x0, y0);
          names.push(pl.id);
          break;
        }
      }
    }
    this.placesDrawn = names;
    this.lastDrawMs = performance.now() - t0;
    this.onDrawn(this.lastDrawMs);
  }
}
