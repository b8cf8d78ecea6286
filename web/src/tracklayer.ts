// Track symbols and velocity vectors drawn by our own WebGL layer (a MapLibre
// custom layer) from typed arrays, instead of a GeoJSON source: at 10,000
// tracks a GeoJSON setData cost ~20 ms of main thread per update (building
// 20,000 features, cloning them to the worker, re-tiling), while filling
// these arrays costs about 1 ms and one buffer upload per update.
//
// Each track is one point sprite: the emergency halo (flashing), the
// altitude-coloured ring (white and larger when selected) and the APP-6
// symbol sampled from the icon atlas (atlas.ts), composed in the fragment
// shader; each velocity vector is one line segment. Positions are Web
// Mercator coordinates (0..1) in Float32 (0.6 m at the equator: below a pixel
// at the map's maximum zoom). Selection is hit-tested on the CPU over the same
// arrays, projected with the matrix of the last draw.

import type { CustomLayerInterface, CustomRenderMethodInput, Map as MlMap } from 'maplibre-gl';
import type { WireTrack } from '../../src/serve/wire.ts';
import { AFFILIATIONS, type Affiliation, isEmergency } from './affiliation.ts';
import type { IconAtlas } from './atlas.ts';
import { type AltBand, BAND_COLOURS, altBand, mercatorX, mercatorY } from './geo.ts';
import { VECTOR_S } from './picture.ts';
import { clampedTexture, compileProgram } from './glprogram.ts';

export const TRACK_GL_LAYER = 'track-gl';

const BANDS: readonly AltBand[] = ['unknown', 'low', 'mid', 'high', 'upper'];
const BAND_INDEX: Readonly<Record<AltBand, number>> = { unknown: 0, low: 1, mid: 2, high: 3, upper: 4 };
const AFF_INDEX: Readonly<Record<Affiliation, number>> = { friend: 0, neutral: 1, unknown: 2, pending: 3 };

const COASTING = 1;
const SELECTED = 2;
const EMERGENCY = 4;

/**
 * Point sprite side, CSS pixels, per kind of track: the emergency halo (radius 17 + 3 px stroke), the selected ring
 * (12 + 2.5), the ordinary ring (10 + 1.5) and symbol. Every fragment of a sprite runs the shader, so under software
 * WebGL the sprite's area is the track layer's cost: a 26 px sprite is a third of a 44 px one.
 */
const SPRITE_EMERGENCY_CSS = 44;
const SPRITE_SELECTED_CSS = 32;
const SPRITE_CSS = 26;
/**
 * Where tracks crowd (zoomed out over thousands), ordinary symbols shrink, down to this fraction, so they overlap
 * less: the scale follows the mean distance between a track and its neighbours on screen (DENSE_SPACING_CSS or
 * more: full size). The selected track and emergencies keep their size.
 */
const MIN_SCALE = 0.45;
const DENSE_SPACING_CSS = 30;
/** Screen cells (CSS pixels) over which the density is counted. */
const DENSITY_CELL = 64;
/** Floats per point: mercator x, y, atlas cell, band, flags. */
const PT = 5;
/** Floats per vector vertex: mercator x, y, band, flags. */
const VX = 4;

const DEG = Math.PI / 180;
/** Mercator units per metre at the equator (mean Earth radius, as geo.ts and MapLibre). */
const MERC_PER_M_EQUATOR = 1 / (2 * Math.PI * 6371008.8);
const mercX = mercatorX;
const mercY = mercatorY;
const lonOf = (x: number) => x * 360 - 180;
const latOf = (y: number) => (360 / Math.PI) * Math.atan(Math.exp((0.5 - y) * 2 * Math.PI)) - 90;

const hex = (c: string): [number, number, number] => [parseInt(c.slice(1, 3), 16) / 255, parseInt(c.slice(3, 5), 16) / 255, parseInt(c.slice(5, 7), 16) / 255];

const POINT_VS = `#version 300 es
uniform mat4 u_matrix;
uniform float u_dpr;
uniform float u_scale;
in vec2 a_pos;
in float a_cell;
in float a_band;
in float a_flags;
flat out int v_cell;
flat out int v_band;
flat out int v_flags;
flat out float v_side;
flat out float v_scale;
void main() {
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
  int f = int(a_flags + 0.5);
  bool sel = (f & 2) != 0;
  bool emg = (f & 4) != 0;
  float scale = sel || emg ? 1.0 : u_scale;
  // v_side: the sprite's side in unscaled CSS pixels (the fragment shader draws in those units).
  v_side = emg ? ${SPRITE_EMERGENCY_CSS}.0 : sel ? ${SPRITE_SELECTED_CSS}.0 : ${SPRITE_CSS}.0;
  gl_PointSize = v_side * scale * u_dpr;
  v_scale = scale;
  v_cell = int(a_cell + 0.5);
  v_band = int(a_band + 0.5);
  v_flags = f;
}`;

const POINT_FS = `#version 300 es
precision highp float;
uniform sampler2D u_atlas;
uniform vec4 u_cells[4];
uniform float u_cellCss[4];
uniform vec3 u_bands[5];
uniform vec2 u_flash;
flat in int v_cell;
flat in int v_band;
flat in int v_flags;
flat in float v_side;
flat in float v_scale;
out vec4 fragColor;
vec4 over(vec4 top, vec4 under) { return top + under * (1.0 - top.a); }
float ring(float d, float r, float w) { return clamp(min(d - r, r + w - d) + 0.5, 0.0, 1.0); }
void main() {
  vec2 p = (gl_PointCoord - 0.5) * v_side;
  float d = length(p);
  bool coasting = (v_flags & 1) != 0;
  bool sel = (v_flags & 2) != 0;
  bool emg = (v_flags & 4) != 0;
  vec4 c = vec4(0.0);
  if (emg) {
    vec3 red = vec3(1.0, 0.176, 0.176);
    float fill = clamp(17.0 - d + 0.5, 0.0, 1.0) * u_flash.x;
    c = over(vec4(red * fill, fill), c);
    float s = ring(d, 17.0, 3.0) * u_flash.y;
    c = over(vec4(red * s, s), c);
  }
  float r = sel ? 12.0 : 10.0;
  // Shrunk, the ring keeps at least a screen pixel of stroke.
  float w = max(sel ? 2.5 : 1.5, 1.0 / v_scale);
  float a = ring(d, r, w) * (coasting ? 0.45 : 0.95);
  vec3 rc = sel ? vec3(1.0) : u_bands[v_band];
  c = over(vec4(rc * a, a), c);
  float side = u_cellCss[v_cell];
  vec2 q = p / side + 0.5;
  if (q.x >= 0.0 && q.y >= 0.0 && q.x <= 1.0 && q.y <= 1.0) {
    vec4 cell = u_cells[v_cell];
    vec4 s = texture(u_atlas, cell.xy + q * cell.zw) * (coasting ? 0.5 : 1.0);
    c = over(s, c);
  }
  if (c.a < 0.004) discard;
  fragColor = c;
}`;

const LINE_VS = `#version 300 es
uniform mat4 u_matrix;
uniform vec3 u_bands[5];
in vec2 a_pos;
in float a_band;
in float a_flags;
out vec4 v_colour;
void main() {
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
  float a = (int(a_flags + 0.5) & 1) != 0 ? 0.45 : 0.9;
  v_colour = vec4(u_bands[int(a_band + 0.5)] * a, a);
}`;

const LINE_FS = `#version 300 es
precision mediump float;
in vec4 v_colour;
out vec4 fragColor;
void main() { fragColor = v_colour; }`;

interface Programs {
  point: WebGLProgram;
  line: WebGLProgram;
  pointBuf: WebGLBuffer;
  lineBuf: WebGLBuffer;
  atlas: WebGLTexture | null;
}

function uploadAtlas(gl: WebGL2RenderingContext, canvas: HTMLCanvasElement): WebGLTexture | null {
  const tex = clampedTexture(gl, gl.LINEAR);
  gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, canvas);
  gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
  return tex;
}

export class TrackLayer implements CustomLayerInterface {
  readonly id = TRACK_GL_LAYER;
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;

  /** Track id of each slot, in draw order. */
  private ids: string[] = [];
  private n = 0;
  /** What the last upload handed to the GPU: hit-testing and read-back use it, not the arrays being refilled. */
  private drawnIds: string[] = [];
  private drawnPoints = new Float32Array(0);
  private drawnN = 0;
  private points = new Float32Array(PT * 1024);
  private lines = new Float32Array(2 * VX * 1024);
  private selectedSlot = -1;
  private dirty = false;
  private frameT: number | null = null;
  private drawnT: number | null = null;
  private map: MlMap | null = null;
  private gl: Programs | null = null;
  /** Matrix of the last draw (mercator -> clip), for hit-testing; null before the first draw. */
  private matrix: Float64Array | null = null;
  private flash: [number, number] = [0.25, 1];
  /** Mercator x, y of each track of the last setTracks, in the map's order, at `pointStride` floats per track. */
  get points32(): Float32Array {
    return this.points;
  }
  readonly pointStride = PT;
  /** Tracks squawking an emergency code in the last setTracks. */
  emergencies = 0;
  /** Told the frame time of each new picture the first time it is drawn (server-to-screen latency). */
  onDrawn: (t: number) => void = () => {};

  constructor(private readonly atlas: IconAtlas | null) {}

  /** Refill the arrays from the picture (called once per frame); the next map render uploads them. */
  setTracks(tracks: ReadonlyMap<string, WireTrack>, selectedId: string | null, affiliation: (t: WireTrack) => Affiliation, frameT: number | null): void {
    const n = tracks.size;
    if (this.points.length < PT * n) {
      const cap = Math.max(n, 2 * (this.points.length / PT));
      this.points = new Float32Array(PT * cap);
      this.lines = new Float32Array(2 * VX * cap);
    }
    const pts = this.points;
    const ls = this.lines;
    const ids = this.ids;
    ids.length = n;
    this.selectedSlot = -1;
    let emergencies = 0;
    let i = 0;
    for (const t of tracks.values()) {
      const x = mercX(t.lon);
      const y = mercY(t.lat);
      const band = BAND_INDEX[altBand(t.alt)];
      let flags = t.st === 'K' ? COASTING : 0;
      if (t.id === selectedId) {
        flags |= SELECTED;
        this.selectedSlot = i;
      }
      if (isEmergency(t)) {
        flags |= EMERGENCY;
        emergencies++;
      }
      ids[i] = t.id;
      let o = PT * i;
      pts[o] = x;
      pts[o + 1] = y;
      pts[o + 2] = AFF_INDEX[affiliation(t)];
      pts[o + 3] = band;
      pts[o + 4] = flags;
      // The vector's end: VECTOR_S of ground velocity, in Mercator units (conformal: the same scale east and north,
      // 1 / (2 pi R cos lat) per metre); over a 60 s vector this differs from the great circle by far under a pixel.
      const k = (VECTOR_S * MERC_PER_M_EQUATOR) / Math.cos(t.lat * DEG);
      o = 2 * VX * i;
      ls[o] = x;
      ls[o + 1] = y;
      ls[o + 2] = band;
      ls[o + 3] = flags;
      ls[o + 4] = x + t.vE * k;
      ls[o + 5] = y - t.vN * k;
      ls[o + 6] = band;
      ls[o + 7] = flags;
      i++;
    }
    this.n = n;
    this.emergencies = emergencies;
    this.frameT = frameT;
    this.dirty = true;
    this.map?.triggerRepaint();
  }

  /** Is the icon atlas on the GPU (the layer has drawn with it)? */
  hasAtlas(): boolean {
    return this.gl?.atlas != null;
  }

  /** Emergency halo: on (bright) or off (dim), alternated by the page's 2 Hz timer. */
  setFlash(on: boolean): void {
    this.flash = on ? [0.3, 1] : [0.05, 0.15];
    this.map?.triggerRepaint();
  }

  onAdd(map: MlMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    const point = compileProgram(gl, POINT_VS, POINT_FS, 'track layer');
    const line = compileProgram(gl, LINE_VS, LINE_FS, 'track layer');
    this.gl = { point, line, pointBuf: gl.createBuffer()!, lineBuf: gl.createBuffer()!, atlas: null };
    this.dirty = true;
  }

  onRemove(_map: MlMap, gl: WebGL2RenderingContext): void {
    if (!this.gl) return;
    gl.deleteProgram(this.gl.point);
    gl.deleteProgram(this.gl.line);
    gl.deleteBuffer(this.gl.pointBuf);
    gl.deleteBuffer(this.gl.lineBuf);
    if (this.gl.atlas) gl.deleteTexture(this.gl.atlas);
    this.gl = null;
    this.map = null;
  }

  render(gl: WebGL2RenderingContext, options: CustomRenderMethodInput): void {
    const g = this.gl;
    if (!g) return;
    // The matrix takes world pixels (512 x 2^zoom across); scale it to take Mercator units (0..1).
    const m = Float64Array.from(options.modelViewProjectionMatrix);
    const ws = 512 * 2 ** (this.map?.getZoom() ?? 0);
    for (let k = 0; k < 12; k++) m[k]! *= ws;
    this.matrix = m;
    const c = this.map?.getCanvas();
    this.view = c ? [c.clientWidth, c.clientHeight] : [0, 0];
    const m32 = Float32Array.from(m);
    if (this.dirty) {
      gl.bindBuffer(gl.ARRAY_BUFFER, g.pointBuf);
      gl.bufferData(gl.ARRAY_BUFFER, this.points.subarray(0, PT * this.n), gl.DYNAMIC_DRAW);
      gl.bindBuffer(gl.ARRAY_BUFFER, g.lineBuf);
      gl.bufferData(gl.ARRAY_BUFFER, this.lines.subarray(0, 2 * VX * this.n), gl.DYNAMIC_DRAW);
      this.dirty = false;
      this.drawnIds = this.ids.slice(0, this.n);
      this.drawnPoints = this.points.slice(0, PT * this.n);
      this.drawnN = this.n;
      this.drawnVersion++;
    }
    if (this.n === 0) return this.drawn();
    const bands = new Float32Array(BANDS.flatMap((b) => hex(BAND_COLOURS[b])));
    gl.bindVertexArray(null);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.STENCIL_TEST);

    // Velocity vectors under the symbols.
    gl.useProgram(g.line);
    gl.uniformMatrix4fv(gl.getUniformLocation(g.line, 'u_matrix'), false, m32);
    gl.uniform3fv(gl.getUniformLocation(g.line, 'u_bands'), bands);
    gl.bindBuffer(gl.ARRAY_BUFFER, g.lineBuf);
    const lattr = (name: string, size: number, offset: number) => {
      const loc = gl.getAttribLocation(g.line, name);
      if (loc < 0) return -1;
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, gl.FLOAT, false, VX * 4, offset * 4);
      return loc;
    };
    const lAttrs = [lattr('a_pos', 2, 0), lattr('a_band', 1, 2), lattr('a_flags', 1, 3)];
    gl.drawArrays(gl.LINES, 0, 2 * this.n);
    for (const l of lAttrs) if (l >= 0) gl.disableVertexAttribArray(l);

    // The atlas texture is made here, not in onAdd: MapLibre re-reads its GL state (setDirty) after render only.
    if (!g.atlas && this.atlas) g.atlas = uploadAtlas(gl, this.atlas.canvas);
    if (g.atlas && this.atlas) {
      const a = this.atlas;
      const W = a.canvas.width;
      const H = a.canvas.height;
      const cells = new Float32Array(16);
      const cellCss = new Float32Array(4);
      AFFILIATIONS.forEach((aff, k) => {
        const c = a.cells[aff];
        cells.set([c.x / W, c.y / H, c.w / W, c.h / H], 4 * k);
        cellCss[k] = c.w / a.pixelRatio;
      });
      const dpr = window.devicePixelRatio || 1;
      gl.useProgram(g.point);
      const u = (name: string) => gl.getUniformLocation(g.point, name);
      gl.uniformMatrix4fv(u('u_matrix'), false, m32);
      gl.uniform1f(u('u_dpr'), dpr);
      gl.uniform1f(u('u_scale'), this.symbolScale(m));
      gl.uniform4fv(u('u_cells'), cells);
      gl.uniform1fv(u('u_cellCss'), cellCss);
      gl.uniform3fv(u('u_bands'), bands);
      gl.uniform2f(u('u_flash'), this.flash[0], this.flash[1]);
      gl.activeTexture(gl.TEXTURE0);
      gl.bindTexture(gl.TEXTURE_2D, g.atlas);
      gl.uniform1i(u('u_atlas'), 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, g.pointBuf);
      const pattr = (name: string, size: number, offset: number) => {
        const loc = gl.getAttribLocation(g.point, name);
        if (loc < 0) return -1;
        gl.enableVertexAttribArray(loc);
        gl.vertexAttribPointer(loc, size, gl.FLOAT, false, PT * 4, offset * 4);
        return loc;
      };
      const pAttrs = [pattr('a_pos', 2, 0), pattr('a_cell', 1, 2), pattr('a_band', 1, 3), pattr('a_flags', 1, 4)];
      gl.drawArrays(gl.POINTS, 0, this.n);
      // The selected track once more, on top of its neighbours.
      if (this.selectedSlot >= 0) gl.drawArrays(gl.POINTS, this.selectedSlot, 1);
      for (const l of pAttrs) if (l >= 0) gl.disableVertexAttribArray(l);
    }
    this.drawn();
  }

  private drawn(): void {
    if (this.frameT !== null && this.frameT !== this.drawnT) {
      this.drawnT = this.frameT;
      this.onDrawn(this.frameT);
    }
  }

  /** Screen position (CSS pixels in the map canvas) of slot i, by the last draw's matrix; null if not drawn or behind. */
  private screenOf(i: number, w: number, h: number): [number, number] | null {
    const m = this.matrix;
    if (!m || i >= this.drawnN) return null;
    const x = this.drawnPoints[PT * i]!;
    const y = this.drawnPoints[PT * i + 1]!;
    const cw = m[3]! * x + m[7]! * y + m[15]!;
    if (cw <= 0) return null;
    const cx = (m[0]! * x + m[4]! * y + m[12]!) / cw;
    const cy = (m[1]! * x + m[5]! * y + m[13]!) / cw;
    return [((cx + 1) / 2) * w, ((1 - cy) / 2) * h];
  }

  /**
   * Screen position (CSS pixels in the map) of a longitude/latitude by the last draw's matrix: the label overlay
   * redraws after each map render and projects every track, far cheaper this way than by map.project. Null before
   * the first draw.
   */
  project(lonDeg: number, latDeg: number): { x: number; y: number } | null {
    const m = this.matrix;
    if (!m) return null;
    const [w, h] = this.viewSize();
    const x = mercX(lonDeg);
    const y = mercY(latDeg);
    const cw = m[3]! * x + m[7]! * y + m[15]!;
    return { x: (((m[0]! * x + m[4]! * y + m[12]!) / cw + 1) / 2) * w, y: ((1 - (m[1]! * x + m[5]! * y + m[13]!) / cw) / 2) * h };
  }

  private drawnVersion = 0;
  private scaleKey = '';
  private scale = 1;
  private densityCounts = new Uint32Array(0);

  /** Scale of ordinary symbols for how crowded the screen is (recounted only when the view or the tracks change). */
  private symbolScale(m: Float64Array): number {
    const [w, h] = this.view;
    const key = `${this.drawnVersion} ${w} ${h} ${m[0]} ${m[1]} ${m[4]} ${m[5]} ${m[12]} ${m[13]}`;
    if (key === this.scaleKey) return this.scale;
    this.scaleKey = key;
    const cols = Math.max(1, Math.ceil(w / DENSITY_CELL));
    const rows = Math.max(1, Math.ceil(h / DENSITY_CELL));
    if (this.densityCounts.length < cols * rows) this.densityCounts = new Uint32Array(cols * rows);
    const counts = this.densityCounts;
    counts.fill(0);
    let n = 0;
    const pts = this.drawnPoints;
    for (let i = 0; i < this.drawnN; i++) {
      const x = pts[PT * i]!;
      const y = pts[PT * i + 1]!;
      const cw = m[3]! * x + m[7]! * y + m[15]!;
      if (cw <= 0) continue;
      const sx = (((m[0]! * x + m[4]! * y + m[12]!) / cw + 1) / 2) * w;
      const sy = ((1 - (m[1]! * x + m[5]! * y + m[13]!) / cw) / 2) * h;
      if (!(sx >= 0 && sy >= 0 && sx < w && sy < h)) continue;
      counts[Math.floor(sy / DENSITY_CELL) * cols + Math.floor(sx / DENSITY_CELL)]!++;
      n++;
    }
    // Tracks in the cell of the typical track (weighted by track, not by cell: empty sea does not dilute a crowd).
    let sum2 = 0;
    for (let k = 0; k < cols * rows; k++) sum2 += counts[k]! * counts[k]!;
    const perCell = n > 0 ? sum2 / n : 0;
    const spacing = perCell > 1 ? DENSITY_CELL / Math.sqrt(perCell) : Infinity;
    this.scale = Math.max(MIN_SCALE, Math.min(1, spacing / DENSE_SPACING_CSS));
    return this.scale;
  }

  /** Ordinary symbols' scale in the last draw (1: full size). */
  get lastScale(): number {
    return this.scale;
  }

  /** As project(), written into `out` (no object per track); false before the first draw. */
  projectTo(lonDeg: number, latDeg: number, out: { x: number; y: number }): boolean {
    const m = this.matrix;
    if (!m) return false;
    const [w, h] = this.view;
    const x = mercX(lonDeg);
    const y = mercY(latDeg);
    const cw = m[3]! * x + m[7]! * y + m[15]!;
    out.x = (((m[0]! * x + m[4]! * y + m[12]!) / cw + 1) / 2) * w;
    out.y = ((1 - (m[1]! * x + m[5]! * y + m[13]!) / cw) / 2) * h;
    return true;
  }

  /** The map's size in CSS pixels at the last draw (read once per draw, not per projected track). */
  private view: [number, number] = [0, 0];

  private viewSize(): [number, number] {
    return this.view;
  }

  /** The track nearest (x, y) (CSS pixels in the map) within `radiusPx`, as last drawn; null if none. */
  pick(x: number, y: number, radiusPx = 10): string | null {
    const [w, h] = this.viewSize();
    let best: string | null = null;
    let bestD = radiusPx * radiusPx;
    for (let i = 0; i < this.drawnN; i++) {
      const p = this.screenOf(i, w, h);
      if (!p) continue;
      const d = (p[0] - x) ** 2 + (p[1] - y) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = this.drawnIds[i]!;
      }
    }
    return best;
  }

  /** Tracks drawn in the view by the last draw: id, [lon, lat] read back from the arrays, affiliation, emergency. */
  drawnInView(): { id: string; lonLat: [number, number]; aff: Affiliation; emergency: boolean }[] {
    const [w, h] = this.viewSize();
    const out: { id: string; lonLat: [number, number]; aff: Affiliation; emergency: boolean }[] = [];
    const pts = this.drawnPoints;
    for (let i = 0; i < this.drawnN; i++) {
      const p = this.screenOf(i, w, h);
      if (!p || p[0] < 0 || p[1] < 0 || p[0] > w || p[1] > h) continue;
      const o = PT * i;
      out.push({
        id: this.drawnIds[i]!,
        lonLat: [lonOf(pts[o]!), latOf(pts[o + 1]!)],
        aff: AFFILIATIONS[pts[o + 2]!]!,
        emergency: (pts[o + 4]! & EMERGENCY) !== 0,
      });
    }
    return out;
  }
}
