// The page's air picture: the latest frame plus a short history per track,
// and the GeoJSON handed to MapLibre: one FeatureCollection of symbols and
// vectors (one setData per frame however many tracks there are) and one of
// trails, which the page re-sends less often when there are thousands. The history is only what this page
// received (its partner's frames): positions, levels and the sensors and
// partners that contributed.

import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { WireTrack } from '../../src/serve/wire.ts';
import { type Affiliation, affiliationOf, isEmergency } from './affiliation.ts';
import { altBand, deadReckon } from './geo.ts';

/** Seconds ahead the velocity vector reaches (ATC displays commonly use 1 min). */
export const VECTOR_S = 60;
/** Positions kept per trail, the latest included. */
export const DEFAULT_TRAIL = 20;

export type FeatureKind = 'trk' | 'vec' | 'trail';

export interface History {
  /** Flat [lon, lat, lon, lat, ...], oldest first. */
  readonly pos: number[];
  /** Frame time of each position, s since epoch. */
  readonly t: number[];
  /** Height of each position (m) or null. */
  readonly alt: (number | null)[];
  /** Sensor id -> last frame time it updated the track. */
  readonly sensors: Map<string, number>;
  /** Partner id -> last frame time one of its sensors updated the track. */
  readonly partners: Map<string, number>;
  /** First frame time the track was seen. */
  readonly firstS: number;
  /** Picture version of the last update that had the track. */
  seenV: number;
}

/**
 * A track's history as the picture keeps it: the last positions in a ring (lon, lat, time, height; NaN for no
 * height), refilled in place each frame: at 10,000 tracks, four growing and shifting arrays per track were as much
 * main-thread work per update as decoding the frame, most of it garbage collection.
 */
interface Kept {
  readonly id: string;
  ring: Float64Array;
  /** Entries in the ring, oldest at `first`. */
  count: number;
  first: number;
  readonly sensors: Map<string, number>;
  readonly partners: Map<string, number>;
  /**
   * The last sensor and partner lists, and the last frame time each came in, not yet written into `sensors` and
   * `partners` (flushed when the list changes and when historyOf reads them): the v2 decoder keeps a track's list
   * while it does not change, so an update writes no map entry per track and sensor.
   */
  sen: readonly string[];
  senT: number;
  par: readonly string[];
  parT: number;
  readonly firstS: number;
  seenV: number;
}

function flush(into: Map<string, number>, names: readonly string[], t: number): void {
  for (const s of names) into.set(s, t);
}

/** Floats per ring entry: lon, lat, time, height. */
const ENTRY = 4;

export class Picture {
  readonly tracks = new Map<string, WireTrack>();
  private readonly history = new Map<string, Kept>();
  /** The tracks of the last update, in its order, and their records. */
  private readonly objs: WireTrack[] = [];
  private readonly kept: Kept[] = [];
  private friendly: readonly (readonly [number, number])[] = [];
  frameTimeS: number | null = null;
  /** Bumped by every update (the trail layer appends one position per update). */
  version = 0;
  /** Bumped whenever a track joins or leaves the picture (the table keeps an order by id while it does not). */
  idsVersion = 0;

  constructor(private trail = DEFAULT_TRAIL) {}

  /** Positions kept per trail. */
  get trailLength(): number {
    return this.trail;
  }

  /** Mode S address blocks of the coalition's members (affiliation "friend"). */
  setFriendly(blocks: readonly (readonly [number, number])[]): void {
    this.friendly = blocks;
  }

  setTrailLength(n: number): void {
    this.trail = Math.max(1, Math.round(n));
  }

  /** A copy of the track's history (oldest first), or undefined if the track is not in the picture. */
  historyOf(id: string): History | undefined {
    const h = this.history.get(id);
    if (!h) return undefined;
    flush(h.sensors, h.sen, h.senT);
    flush(h.partners, h.par, h.parT);
    const pos: number[] = [];
    const t: number[] = [];
    const alt: (number | null)[] = [];
    const cap = h.ring.length / ENTRY;
    for (let k = 0; k < h.count; k++) {
      const o = ((h.first + k) % cap) * ENTRY;
      pos.push(h.ring[o]!, h.ring[o + 1]!);
      t.push(h.ring[o + 2]!);
      const a = h.ring[o + 3]!;
      alt.push(Number.isNaN(a) ? null : a);
    }
    return { pos, t, alt, sensors: h.sensors, partners: h.partners, firstS: h.firstS, seenV: h.seenV };
  }

  /**
   * The track's affiliation. The track layer asks for every track every frame, in the map's order, which is the last
   * update's order while the tracks keep theirs: an answer is kept per place of the update and given again while the
   * track there has the same status, Mode 3/A and Mode S address and the friendly blocks are the same (it is
   * worked out from nothing else); a track asked out of that order gets it worked out.
   */
  affiliation(t: WireTrack): Affiliation {
    let i = this.affNext;
    if (this.objs[i] !== t) {
      if (this.objs[0] !== t) return affiliationOf(t, this.friendly);
      i = 0;
    }
    this.affNext = i + 1;
    if (this.affFriendly !== this.friendly) {
      this.affFriendly = this.friendly;
      this.affSt.length = 0;
    }
    if (this.affSt[i] !== t.st || this.affIcao[i] !== t.icao || this.affM3a[i] !== t.m3a) {
      this.affOf[i] = affiliationOf(t, this.friendly);
      this.affSt[i] = t.st;
      this.affIcao[i] = t.icao;
      this.affM3a[i] = t.m3a;
    }
    return this.affOf[i]!;
  }
  /** affiliation(): where the next track asked is expected, and per place of the last update the answer and what it was worked out from. */
  private affNext = 0;
  private affFriendly: readonly (readonly [number, number])[] | null = null;
  private readonly affOf: Affiliation[] = [];
  private readonly affSt: (WireTrack['st'] | undefined)[] = [];
  private readonly affIcao: (string | null)[] = [];
  private readonly affM3a: (string | null)[] = [];

  /** Replace the picture with a new frame; tracks absent from it are dropped. */
  update(timeS: number, tracks: readonly WireTrack[]): void {
    this.frameTimeS = timeS;
    this.version++;
    // Seen in this update: stamped with the version (no Set of 10,000 ids per frame).
    const v = this.version;
    const cap = this.trail;
    // The page's v2 tracks (TrackMirror) are the same objects in the same array, in the same order, while no track joins
    // or leaves: a track that is the same object at the same place as in the last update is in the maps already, and
    // its record is the one kept at that place (no lookup by id per track and frame).
    const objs = this.objs;
    const kept = this.kept;
    let seen = 0;
    for (let i = 0; i < tracks.length; i++) {
      const t = tracks[i]!;
      let h: Kept;
      if (objs[i] === t && kept[i]!.id === t.id) h = kept[i]!;
      else {
        this.tracks.set(t.id, t);
        let g = this.history.get(t.id);
        if (!g) {
          this.history.set(t.id, (g = { id: t.id, ring: new Float64Array(ENTRY * cap), count: 0, first: 0, sensors: new Map(), partners: new Map(), sen: [], senT: timeS, par: [], parT: timeS, firstS: timeS, seenV: -1 }));
          this.idsVersion++;
        }
        h = g;
        objs[i] = t;
        kept[i] = h;
      }
      if (h.seenV !== v) {
        h.seenV = v;
        seen++;
      }
      if (h.ring.length !== ENTRY * cap) resize(h, cap);
      const ring = h.ring;
      // A new position only if the track moved (a still track keeps one entry).
      const last = h.count > 0 ? ((h.first + h.count - 1) % cap) * ENTRY : -1;
      if (last < 0 || ring[last] !== t.lon || ring[last + 1] !== t.lat) {
        let o: number;
        if (h.count < cap) o = ((h.first + h.count++) % cap) * ENTRY;
        else {
          o = h.first * ENTRY;
          h.first = (h.first + 1) % cap;
        }
        ring[o] = t.lon;
        ring[o + 1] = t.lat;
        ring[o + 2] = timeS;
        ring[o + 3] = t.alt ?? NaN;
      }
      if (h.sen !== t.sen) {
        flush(h.sensors, h.sen, h.senT);
        h.sen = t.sen;
      }
      h.senT = timeS;
      if (h.par !== t.par) {
        flush(h.partners, h.par, h.parT);
        h.par = t.par;
      }
      h.parT = timeS;
    }
    objs.length = tracks.length;
    kept.length = tracks.length;
    // Every kept track seen (the usual frame): none left, no pass over the map.
    if (seen === this.history.size) return;
    for (const [id, h] of this.history) {
      if (h.seenV !== v) {
        this.idsVersion++;
        this.tracks.delete(id);
        this.history.delete(id);
      }
    }
  }

  /** Symbols and velocity vectors (the 'picture' source). */
  toGeoJSON(selectedId: string | null): FeatureCollection {
    const features: Feature<Geometry>[] = [];
    for (const t of this.tracks.values()) {
      const band = altBand(t.alt);
      const coasting = t.st === 'K' ? 1 : 0;
      const sel = t.id === selectedId ? 1 : 0;
      features.push({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: [[t.lon, t.lat], deadReckon(t.lat, t.lon, t.vE, t.vN, VECTOR_S)] },
        properties: { kind: 'vec', id: t.id, band, coasting, sel },
      });
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [t.lon, t.lat] },
        properties: { kind: 'trk', id: t.id, band, coasting, sel, aff: affiliationOf(t, this.friendly), emg: isEmergency(t) ? 1 : 0 },
      });
    }
    return { type: 'FeatureCollection', features };
  }

  /** Trails (the 'trails' source): the positions this page received, oldest first. */
  trailsGeoJSON(selectedId: string | null): FeatureCollection {
    const features: Feature<Geometry>[] = [];
    for (const t of this.tracks.values()) {
      const trail = this.historyOf(t.id)?.pos;
      if (!trail || trail.length < 4) continue;
      const coords: [number, number][] = [];
      for (let i = 0; i + 1 < trail.length; i += 2) coords.push([trail[i]!, trail[i + 1]!]);
      features.push({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: coords },
        properties: { kind: 'trail', id: t.id, band: altBand(t.alt), coasting: t.st === 'K' ? 1 : 0, sel: t.id === selectedId ? 1 : 0 },
      });
    }
    return { type: 'FeatureCollection', features };
  }
}

/** A new ring of `cap` entries holding the latest of the old one. */
function resize(h: Kept, cap: number): void {
  const old = h.ring;
  const oldCap = old.length / ENTRY;
  const keep = Math.min(h.count, cap);
  const ring = new Float64Array(ENTRY * cap);
  for (let k = 0; k < keep; k++) {
    const from = ((h.first + h.count - keep + k) % oldCap) * ENTRY;
    ring.set(old.subarray(from, from + ENTRY), k * ENTRY);
  }
  h.ring = ring;
  h.first = 0;
  h.count = keep;
}
