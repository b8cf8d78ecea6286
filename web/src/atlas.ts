// APP-6 / MIL-STD-2525 air-track symbols, drawn once by milsymbol into one
// canvas (the icon atlas) and handed to MapLibre as images; every track then
// costs only an icon index on the GPU, however many there are. Each symbol
// is padded so its anchor (frame centre) is the image centre, which is where
// MapLibre places an icon.

import ms from 'milsymbol';
import type { Map as MlMap } from 'maplibre-gl';
import { AFFILIATIONS, type Affiliation } from './affiliation.ts';

/** 2525C letter SIDCs: Space/Air (A), generic air track (no function id: the frame tells the affiliation); status Present (P). A pending (tentative) track is drawn hollow (STYLE below) so it differs from unknown at a glance: milsymbol's dashed "anticipated" frame is under a pixel wide at this size. */
export const SIDC: Readonly<Record<Affiliation, string>> = {
  friend: 'SFAP------*****',
  neutral: 'SNAP------*****',
  unknown: 'SUAP------*****',
  pending: 'SPAP------*****',
};

export const LEGEND_TEXT: Readonly<Record<Affiliation, string>> = {
  friend: 'friend: Mode S of a member state',
  neutral: 'neutral: other transponder',
  unknown: 'unknown: no transponder',
  pending: 'pending: tentative',
};

/** Symbol size (milsymbol "size": the frame's nominal height), CSS pixels. */
const SIZE = 15;

/** Pending: frame only, bold (18 of milsymbol's 164-unit frame, under 3 px), in the pending yellow. */
const STYLE: Readonly<Partial<Record<Affiliation, Record<string, unknown>>>> = {
  pending: { fill: false, monoColor: '#ffff80', strokeWidth: 18 },
};

export interface AtlasCell {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface IconAtlas {
  readonly canvas: HTMLCanvasElement;
  readonly cells: Readonly<Record<Affiliation, AtlasCell>>;
  readonly pixelRatio: number;
  /** SVG of each symbol, for the legend. */
  readonly svg: Readonly<Record<Affiliation, string>>;
}

export const iconName = (a: Affiliation): string => `sym-${a}`;

export function buildAtlas(pixelRatio = Math.max(1, Math.round(window.devicePixelRatio || 1))): IconAtlas {
  const drawn = AFFILIATIONS.map((a) => {
    const sym = new ms.Symbol(SIDC[a], { size: SIZE, outlineWidth: 2, outlineColor: 'rgba(0,0,0,0.6)', ...STYLE[a] });
    const c = sym.asCanvas(pixelRatio);
    const anchor = sym.getAnchor();
    const size = sym.getSize();
    // Pad to a square centred on the anchor (in canvas pixels).
    const half = Math.ceil(Math.max(anchor.x, size.width - anchor.x, anchor.y, size.height - anchor.y) * pixelRatio);
    return { a, c, ox: half - Math.round(anchor.x * pixelRatio), oy: half - Math.round(anchor.y * pixelRatio), side: 2 * half, svg: sym.asSVG() };
  });
  const canvas = document.createElement('canvas');
  canvas.width = drawn.reduce((s, d) => s + d.side, 0);
  canvas.height = Math.max(...drawn.map((d) => d.side));
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas for the icon atlas');
  const cells = {} as Record<Affiliation, AtlasCell>;
  const svg = {} as Record<Affiliation, string>;
  let x = 0;
  for (const d of drawn) {
    ctx.drawImage(d.c, x + d.ox, d.oy);
    cells[d.a] = { x, y: 0, w: d.side, h: d.side };
    svg[d.a] = d.svg;
    x += d.side;
  }
  return { canvas, cells, pixelRatio, svg };
}

/** Registers every symbol of the atlas with the map (its style must be loaded). */
export function addAtlasImages(map: MlMap, atlas: IconAtlas): void {
  const ctx = atlas.canvas.getContext('2d', { willReadFrequently: true })!;
  for (const a of AFFILIATIONS) {
    const c = atlas.cells[a];
    const img = ctx.getImageData(c.x, c.y, c.w, c.h);
    if (map.hasImage(iconName(a))) map.removeImage(iconName(a));
    map.addImage(iconName(a), { width: c.w, height: c.h, data: new Uint8Array(img.data.buffer) }, { pixelRatio: atlas.pixelRatio });
  }
}

/** Opaque pixel count and the mean colour of a cell's opaque pixels (for tests: the symbol was drawn, in its colour). */
export function cellStats(atlas: IconAtlas, a: Affiliation): { opaque: number; rgb: [number, number, number] } {
  const c = atlas.cells[a];
  const d = atlas.canvas.getContext('2d', { willReadFrequently: true })!.getImageData(c.x, c.y, c.w, c.h).data;
  let n = 0;
  const sum = [0, 0, 0];
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3]! < 200) continue;
    const r = d[i]!, g = d[i + 1]!, b = d[i + 2]!;
    // Skip the dark outline and black icon strokes: the fill colour is what tells affiliations apart.
    if (r + g + b < 200) continue;
    n++;
    sum[0]! += r;
    sum[1]! += g;
    sum[2]! += b;
  }
  return { opaque: n, rgb: n === 0 ? [0, 0, 0] : [Math.round(sum[0]! / n), Math.round(sum[1]! / n), Math.round(sum[2]! / n)] };
}
