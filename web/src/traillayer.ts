// Track trails drawn by our own WebGL layer (a MapLibre custom layer), not a
// GeoJSON source: at 10,000 tracks, re-sending 10,000 trails of 40 points
// to MapLibre's worker cost tens of milliseconds of main thread, so they were
// re-sent only every few frames. Here each frame writes one position per
// track into a ring buffer on the GPU (a float texture, one row of RING
// positions per track slot), and the vertex shader reads the segments from
// it by vertex number: no vertex buffer at all, one texture column uploaded
// per frame.
//
// A trail holds the positions of the last frames (one per frame received,
// a still track repeats its position), as many as the picture's history
// keeps (2 x the trail length, at most RING).

import type { CustomLayerInterface, CustomRenderMethodInput, Map as MlMap } from 'maplibre-gl';
import type { WireTrack } from '../../src/serve/wire.ts';
import { type AltBand, BAND_COLOURS, altBand } from './geo.ts';
import { clampedTexture, compileProgram } from './glprogram.ts';

export const TRAIL_GL_LAYER = 'trail-gl';

/** Positions per slot in the ring (frames). */
const RING = 64;
/** Slots per texture row: the texture is BLOCKS x RING texels wide. */
const BLOCKS = 32;
/**
 * Trail segments drawn per frame at most: beyond, each trail is drawn through every 2nd, 3rd... position (same time
 * span, fewer vertices). Under software WebGL every vertex costs; 10,000 trails of 40 positions would be 780,000.
 */
const SEGMENT_BUDGET = 60_000;
/** Width of the texture listing the slots to draw (the tracks in or near the view). */
const LIST_W = 1024;

const BANDS: readonly AltBand[] = ['unknown', 'low', 'mid', 'high', 'upper'];
const BAND_INDEX: Readonly<Record<AltBand, number>> = { unknown: 0, low: 1, mid: 2, high: 3, upper: 4 };
const hex = (c: string): number[] => [parseInt(c.slice(1, 3), 16) / 255, parseInt(c.slice(3, 5), 16) / 255, parseInt(c.slice(5, 7), 16) / 255];
const BAND_RGB = new Float32Array(BANDS.flatMap((b) => hex(BAND_COLOURS[b])));


const VS = `#version 300 es
uniform mat4 u_matrix;
uniform highp sampler2D u_trail;
uniform highp sampler2D u_info;
uniform highp sampler2D u_list;
uniform int u_segs;
uniform int u_step;
uniform int u_head;
uniform vec3 u_bands[5];
out vec4 v_colour;
const int RING = ${RING};
const int BLOCKS = ${BLOCKS};
const int LIST_W = ${LIST_W};
void main() {
  int perSlot = 2 * u_segs;
  int j = gl_VertexID / perSlot;
  int slot = int(texelFetch(u_list, ivec2(j % LIST_W, j / LIST_W), 0).x + 0.5);
  int k = (gl_VertexID % perSlot) / 2;
  int age = (k + gl_VertexID % 2) * u_step;
  ivec2 sp = ivec2(slot % BLOCKS, slot / BLOCKS);
  vec4 info = texelFetch(u_info, sp, 0);
  int count = min(u_head - int(info.x) + 1, RING);
  if (info.w < 0.5 || (k + 1) * u_step >= count) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
    v_colour = vec4(0.0);
    return;
  }
  int col = ((u_head - age) % RING + RING) % RING;
  vec2 p = texelFetch(u_trail, ivec2(sp.x * RING + col, sp.y), 0).xy;
  gl_Position = u_matrix * vec4(p, 0.0, 1.0);
  float a = (int(info.z + 0.5) & 1) != 0 ? 0.2 : 0.45;
  v_colour = vec4(u_bands[int(info.y + 0.5)] * a, a);
}`;

const FS = `#version 300 es
precision mediump float;
in vec4 v_colour;
out vec4 fragColor;
void main() { fragColor = v_colour; }`;

interface Gl {
  prog: WebGLProgram;
  trail: WebGLTexture;
  info: WebGLTexture;
  /** The slots to draw (R32F, LIST_W wide). */
  list: WebGLTexture | null;
  /** Slots the textures hold. */
  cap: number;
}

function floatTexture(gl: WebGL2RenderingContext, internal: number, format: number, w: number, h: number, data: Float32Array): WebGLTexture {
  const t = clampedTexture(gl, gl.NEAREST);
  gl.texImage2D(gl.TEXTURE_2D, 0, internal, w, h, 0, format, gl.FLOAT, data);
  return t;
}

export class TrailLayer implements CustomLayerInterface {
  readonly id = TRAIL_GL_LAYER;
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;

  /** Frames written so far: the ring column of frame f is f % RING. */
  private head = -1;
  private readonly slotOf = new Map<string, number>();
  private slotIds: (string | null)[] = [];
  private free: number[] = [];
  /** Slots in use are below this. */
  private hi = 0;
  private cap = 2048;
  /** Positions, column-contiguous: ((block x RING + column) x rows + row) x 2, so one frame's column uploads in BLOCKS calls. */
  private pos = new Float32Array(this.cap * RING * 2);
  /** Per slot: first frame written, band, flags (1 coasting), in use. */
  private info = new Float32Array(this.cap * 4);
  private dirtyCols = new Set<number>();
  private dirtyAll = true;
  private seen = new Int32Array(this.cap);
  /** The tracks of the last setTracks in the map's order, and their slots. */
  private readonly lastObj: WireTrack[] = [];
  private lastSlot = new Int32Array(0);
  private trailLen = 40;
  private map: MlMap | null = null;
  private gl: Gl | null = null;

  private get rows(): number {
    return this.cap / BLOCKS;
  }

  /** Positions drawn per trail (the picture keeps 2 x its trail length). */
  setLength(positions: number): void {
    this.trailLen = Math.max(2, Math.min(RING, Math.round(positions)));
    this.map?.triggerRepaint();
  }

  /**
   * Appends this frame's position of every track; slots of tracks gone are freed. `xy` holds each track's Mercator
   * x, y (at `stride` floats per track, in the map's iteration order), as the track layer has just computed them.
   */
  setTracks(tracks: ReadonlyMap<string, WireTrack>, xy: Float32Array, stride: number): void {
    this.head++;
    if (tracks.size > this.cap) this.grow(tracks.size);
    const col = this.head % RING;
    const stamp = this.head + 1;
    let i = 0;
    let seen = 0;
    const lastObj = this.lastObj;
    if (this.lastSlot.length < tracks.size) this.lastSlot = new Int32Array(Math.max(tracks.size, 2 * this.lastSlot.length));
    const lastSlot = this.lastSlot;
    for (const t of tracks.values()) {
      // The same object at the same place of the map as in the last update (the page's v2 tracks while none joins or
      // leaves): the same slot, no lookup by id.
      let s: number | undefined;
      if (lastObj[i] === t && this.slotIds[(s = lastSlot[i]!)] === t.id) {
        // s is the track's slot.
      } else {
        s = this.slotOf.get(t.id);
        if (s === undefined) {
          s = this.free.pop() ?? this.hi++;
          if (s >= this.cap) this.grow(s + 1);
          this.slotOf.set(t.id, s);
          this.slotIds[s] = t.id;
          this.info[4 * s] = this.head;
          this.info[4 * s + 3] = 1;
        }
        lastObj[i] = t;
        lastSlot[i] = s;
      }
      if (this.seen[s] !== stamp) {
        this.seen[s] = stamp;
        seen++;
      }
      const b = s % BLOCKS;
      const o = ((b * RING + col) * this.rows + Math.floor(s / BLOCKS)) * 2;
      this.pos[o] = xy[stride * i]!;
      this.pos[o + 1] = xy[stride * i + 1]!;
      i++;
      this.info[4 * s + 1] = BAND_INDEX[altBand(t.alt)];
      this.info[4 * s + 2] = t.st === 'K' ? 1 : 0;
    }
    lastObj.length = i;
    // Every slot in use seen (no track left): no pass over the slots.
    if (seen === this.slotOf.size) {
      this.dirtyCols.add(col);
      this.map?.triggerRepaint();
      return;
    }
    for (let s = 0; s < this.hi; s++) {
      if (this.seen[s] === stamp || this.slotIds[s] === null || this.slotIds[s] === undefined) continue;
      this.slotOf.delete(this.slotIds[s]!);
      this.slotIds[s] = null;
      this.info[4 * s + 3] = 0;
      this.free.push(s);
    }
    if (this.slotOf.size === 0) {
      this.hi = 0;
      this.free = [];
    }
    this.dirtyCols.add(col);
    this.map?.triggerRepaint();
  }

  /**
   * The positions (Mercator x, y) the ring holds for a track, newest first: one per update since it took its slot, at
   * most RING; band and flags as the shader reads them. Null for a track not in the last update.
   */
  trailOf(id: string): { xy: [number, number][]; band: number; flags: number } | null {
    const s = this.slotOf.get(id);
    if (s === undefined) return null;
    const xy: [number, number][] = [];
    const count = Math.min(this.head - this.info[4 * s]! + 1, RING);
    for (let age = 0; age < count; age++) {
      const col = (((this.head - age) % RING) + RING) % RING;
      const o = (((s % BLOCKS) * RING + col) * this.rows + Math.floor(s / BLOCKS)) * 2;
      xy.push([this.pos[o]!, this.pos[o + 1]!]);
    }
    return { xy, band: this.info[4 * s + 1]!, flags: this.info[4 * s + 2]! };
  }

  /** More slots: the ring restarts (old positions are not carried over). */
  private grow(n: number): void {
    let cap = this.cap;
    while (cap < n) cap *= 2;
    this.cap = cap;
    this.pos = new Float32Array(cap * RING * 2);
    const info = new Float32Array(cap * 4);
    info.set(this.info);
    for (let s = 0; s < this.hi; s++) info[4 * s] = this.head;
    this.info = info;
    const seen = new Int32Array(cap);
    seen.set(this.seen);
    this.seen = seen;
    this.dirtyAll = true;
  }

  onAdd(map: MlMap, _gl: WebGL2RenderingContext): void {
    this.map = map;
    this.dirtyAll = true;
  }

  onRemove(_map: MlMap, gl: WebGL2RenderingContext): void {
    if (this.gl) {
      gl.deleteProgram(this.gl.prog);
      gl.deleteTexture(this.gl.trail);
      gl.deleteTexture(this.gl.info);
      if (this.gl.list) gl.deleteTexture(this.gl.list);
    }
    this.gl = null;
    this.map = null;
  }

  render(gl: WebGL2RenderingContext, options: CustomRenderMethodInput): void {
    if (!this.map) return;
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    const rows = this.rows;
    if (!this.gl || this.gl.cap !== this.cap || this.dirtyAll) {
      if (this.gl) {
        gl.deleteTexture(this.gl.trail);
        gl.deleteTexture(this.gl.info);
        if (this.gl.list) gl.deleteTexture(this.gl.list);
      }
      // Texture layout: texel (b x RING + column, row) holds slot row x BLOCKS + b; the CPU copy is column-contiguous.
      const tex = new Float32Array(this.cap * RING * 2);
      const W = BLOCKS * RING;
      for (let c = 0; c < W; c++) {
        for (let r = 0; r < rows; r++) {
          const src = (c * rows + r) * 2;
          const dst = (r * W + c) * 2;
          tex[dst] = this.pos[src]!;
          tex[dst + 1] = this.pos[src + 1]!;
        }
      }
      const prog = this.gl?.prog ?? compileProgram(gl, VS, FS, 'trail layer');
      this.gl = {
        prog,
        trail: floatTexture(gl, gl.RG32F, gl.RG, W, rows, tex),
        info: floatTexture(gl, gl.RGBA32F, gl.RGBA, BLOCKS, rows, this.info),
        list: null,
        cap: this.cap,
      };
      this.listKey = '';
      this.dirtyAll = false;
      this.dirtyCols.clear();
    } else if (this.dirtyCols.size > 0) {
      gl.bindTexture(gl.TEXTURE_2D, this.gl.trail);
      for (const col of this.dirtyCols) {
        for (let b = 0; b < BLOCKS; b++) {
          const c = b * RING + col;
          gl.texSubImage2D(gl.TEXTURE_2D, 0, c, 0, 1, rows, gl.RG, gl.FLOAT, this.pos, c * rows * 2);
        }
      }
      this.dirtyCols.clear();
      gl.bindTexture(gl.TEXTURE_2D, this.gl.info);
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, BLOCKS, rows, gl.RGBA, gl.FLOAT, this.info);
    }
    if (this.hi === 0 || this.trailLen < 2) return;
    const g = this.gl;
    // The matrix takes world pixels (512 x 2^zoom across); scaled to take Mercator units (0..1).
    const m = Float32Array.from(options.modelViewProjectionMatrix);
    const ws = 512 * 2 ** this.map.getZoom();
    for (let k = 0; k < 12; k++) m[k]! *= ws;
    const shown = this.listInView(gl, g, m);
    if (shown === 0) return;
    // Within the budget: every position; beyond, every step-th (the same span of time).
    const step = Math.max(1, Math.ceil((shown * (this.trailLen - 1)) / SEGMENT_BUDGET));
    const segs = Math.floor((this.trailLen - 1) / step);
    if (segs < 1) return;
    gl.useProgram(g.prog);
    const u = (name: string) => gl.getUniformLocation(g.prog, name);
    gl.uniformMatrix4fv(u('u_matrix'), false, m);
    gl.uniform1i(u('u_segs'), segs);
    gl.uniform1i(u('u_step'), step);
    gl.activeTexture(gl.TEXTURE2);
    gl.bindTexture(gl.TEXTURE_2D, g.list);
    gl.uniform1i(u('u_list'), 2);
    gl.uniform1i(u('u_head'), this.head);
    gl.uniform3fv(u('u_bands'), BAND_RGB);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, g.trail);
    gl.uniform1i(u('u_trail'), 0);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, g.info);
    gl.uniform1i(u('u_info'), 1);
    gl.bindVertexArray(null);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.STENCIL_TEST);
    gl.drawArrays(gl.LINES, 0, shown * 2 * segs);
    gl.activeTexture(gl.TEXTURE0);
    this.lastDrawn = { trails: shown, step };
  }

  /** Trails drawn by the last render and the position step they were drawn with (1: every position). */
  lastDrawn = { trails: 0, step: 1 };
  private listKey = '';
  private listN = 0;
  private list = new Float32Array(LIST_W);

  /**
   * Lists (in a texture) the slots whose track is in view or within half a view of it, by their latest position:
   * only their trails are drawn. Relisted when the view or the positions change; returns how many.
   */
  private listInView(gl: WebGL2RenderingContext, g: Gl, m: Float32Array): number {
    const key = `${this.head} ${this.hi} ${m[0]} ${m[1]} ${m[4]} ${m[5]} ${m[12]} ${m[13]}`;
    if (key === this.listKey && g.list) return this.listN;
    this.listKey = key;
    const col = ((this.head % RING) + RING) % RING;
    const rows = this.rows;
    let n = 0;
    if (this.list.length < this.hi) this.list = new Float32Array(Math.ceil(this.hi / LIST_W) * LIST_W);
    for (let s = 0; s < this.hi; s++) {
      if (this.info[4 * s + 3]! < 0.5) continue;
      const o = (((s % BLOCKS) * RING + col) * rows + Math.floor(s / BLOCKS)) * 2;
      const x = this.pos[o]!;
      const y = this.pos[o + 1]!;
      const cw = m[3]! * x + m[7]! * y + m[15]!;
      if (cw <= 0) continue;
      // Clip space: the view is -1..1; half a view more each side keeps trails that reach in from outside.
      const cx = (m[0]! * x + m[4]! * y + m[12]!) / cw;
      const cy = (m[1]! * x + m[5]! * y + m[13]!) / cw;
      if (cx < -2 || cx > 2 || cy < -2 || cy > 2) continue;
      this.list[n++] = s;
    }
    this.listN = n;
    const h = Math.max(1, Math.ceil(n / LIST_W));
    if (!g.list) g.list = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, g.list);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, LIST_W, h, 0, gl.RED, gl.FLOAT, this.list, 0);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    return n;
  }
}
