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

const FONT = '11px ui-monospace, "DejaVu Sans Mono", monospace';
const LINE_H = 12;
const PAD = 2;
/** Pixels between the track symbol and its label block. */
const GAP = 11;

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
   * object (the v2 decoder keeps an unchanged track's object), so a redraw
   * does not rebuild 10,000 strings.
   */
  private readonly lines = new WeakMap<WireTrack, [string, string, number]>();
  private tracks: ReadonlyMap<string, WireTrack> = new Map();
  private sensors: readonly SensorLabel[] = [];
  private selectedId: string | null = null;
  private scheduled = false;
  /** Labels drawn in the last redraw (for tests). */
  drawn = 0;
  /** Milliseconds the last redraw took. */
  lastDrawMs = 0;
  /** Told the duration of every redraw (the page's performance figures). */
  onDrawn: (ms: number) => void = () => {};
  /** Where a track is on screen; the page sets the track layer's projection (same matrix as the symbols drawn). */
  project: (lon: number, lat: number) => { x: number; y: number } = (lon, lat) => this.map.project([lon, lat]);

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

  setTracks(tracks: ReadonlyMap<string, WireTrack>, selectedId: string | null): void {
    this.tracks = tracks;
    this.selectedId = selectedId;
    this.request();
  }

  setSensors(sensors: readonly SensorLabel[]): void {
    this.sensors = sensors;
    this.request();
  }

  private request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  private width(s: string): number {
    return s.length * this.charW;
  }

  private linesOf(t: WireTrack): [string, string, number] {
    let l = this.lines.get(t);
    if (!l) {
      const [a, b] = labelLines(t);
      l = [a, b, Math.max(a.length, b.length)];
      this.lines.set(t, l);
    }
    return l;
  }

  draw(): void {
    const t0 = performance.now();
    const { canvas, ctx, map } = this;
    const el = map.getContainer();
    const dpr = window.devicePixelRatio || 1;
    const w = el.clientWidth;
    const h = el.clientHeight;
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

    // Occupied boxes, bucketed in a coarse grid so 500 labels stay O(n).
    const CELL = 64;
    const grid = new Map<number, [number, number, number, number][]>();
    const key = (cx: number, cy: number) => cx * 4096 + cy;
    const collides = (x0: number, y0: number, x1: number, y1: number): boolean => {
      for (let cx = Math.floor(x0 / CELL); cx <= Math.floor(x1 / CELL); cx++) {
        for (let cy = Math.floor(y0 / CELL); cy <= Math.floor(y1 / CELL); cy++) {
          for (const b of grid.get(key(cx, cy)) ?? []) {
            if (x0 < b[2] && x1 > b[0] && y0 < b[3] && y1 > b[1]) return true;
          }
        }
      }
      return false;
    };
    const occupy = (x0: number, y0: number, x1: number, y1: number): void => {
      const box: [number, number, number, number] = [x0, y0, x1, y1];
      for (let cx = Math.floor(x0 / CELL); cx <= Math.floor(x1 / CELL); cx++) {
        for (let cy = Math.floor(y0 / CELL); cy <= Math.floor(y1 / CELL); cy++) {
          const k = key(cx, cy);
          const list = grid.get(k);
          if (list) list.push(box);
          else grid.set(k, [box]);
        }
      }
    };

    // Symbols first, so no label hides a track or a sensor.
    const visible: { t: WireTrack; p: { x: number; y: number } }[] = [];
    for (const t of this.tracks.values()) {
      const p = this.project(t.lon, t.lat);
      if (p.x < -100 || p.y < -40 || p.x > w + 100 || p.y > h + 40) continue;
      const v = { t, p };
      if (t.id === this.selectedId) visible.unshift(v);
      else visible.push(v);
      occupy(p.x - 10, p.y - 10, p.x + 10, p.y + 10);
    }
    const sensorPts = this.sensors.map((s) => ({ id: s.id, p: map.project([s.lon, s.lat]) }));
    for (const { p } of sensorPts) occupy(p.x - 5, p.y - 5, p.x + 5, p.y + 5);

    let drawn = 0;
    const bh = 2 * LINE_H + 2 * PAD;
    for (const { t, p } of visible) {
      const [l1, l2, chars] = this.linesOf(t);
      const bw = chars * this.charW + 2 * PAD;
      const sel = t.id === this.selectedId;
      // Try the two quadrants beside the track's line of flight first, so the
      // label covers neither the velocity vector (ahead) nor the trail (behind).
      const ex = t.vE >= 0 ? 1 : -1;
      const ny = t.vN >= 0 ? 1 : -1;
      let placed: [number, number, number, number] | null = null;
      for (const [sx, sy] of [[ex, -ny], [-ex, ny], [ex, ny], [-ex, -ny]] as const) {
        const x0 = sx > 0 ? p.x + GAP : p.x - GAP - bw;
        const y0 = sy > 0 ? p.y - GAP - bh : p.y + GAP;
        if (collides(x0, y0, x0 + bw, y0 + bh)) continue;
        placed = [x0, y0, sx, sy];
        break;
      }
      if (!placed && sel) placed = [p.x + GAP, p.y - GAP - bh, 1, 1];
      if (!placed) continue;
      const [x0, y0, sx, sy] = placed;
      occupy(x0, y0, x0 + bw, y0 + bh);
      // Leader line from the symbol to the label's nearest corner.
      ctx.strokeStyle = 'rgba(200,210,220,0.5)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(p.x + 3 * sx, p.y - 3 * sy);
      ctx.lineTo(sx > 0 ? x0 : x0 + bw, sy > 0 ? y0 + bh : y0);
      ctx.stroke();
      const emg = t.m3a === '7500' || t.m3a === '7600' || t.m3a === '7700';
      ctx.fillStyle = emg ? 'rgba(200,20,20,0.9)' : sel ? 'rgba(255,255,255,0.92)' : 'rgba(8,18,28,0.72)';
      ctx.fillRect(x0, y0, bw, bh);
      ctx.fillStyle = emg ? '#ffffff' : sel ? '#06121c' : t.st === 'K' ? 'rgba(230,230,235,0.55)' : '#e8eef3';
      ctx.fillText(l1, x0 + PAD, y0 + PAD);
      ctx.fillStyle = emg ? '#ffffff' : sel ? '#06121c' : t.st === 'K' ? 'rgba(230,230,235,0.55)' : BAND_COLOURS[altBand(t.alt)];
      ctx.fillText(l2, x0 + PAD, y0 + PAD + LINE_H);
      drawn++;
    }
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
    this.lastDrawMs = performance.now() - t0;
    this.onDrawn(this.lastDrawMs);
  }
}
