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

export class Picture {
  readonly tracks = new Map<string, WireTrack>();
  private readonly history = new Map<string, History>();
  private friendly: readonly (readonly [number, number])[] = [];
  frameTimeS: number | null = null;
  /** Bumped by every update (the trail layer appends one position per update). */
  version = 0;

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

  historyOf(id: string): History | undefined {
    return this.history.get(id);
  }

  affiliation(t: WireTrack): Affiliation {
    return affiliationOf(t, this.friendly);
  }

  /** Replace the picture with a new frame; tracks absent from it are dropped. */
  update(timeS: number, tracks: readonly WireTrack[]): void {
    this.frameTimeS = timeS;
    this.version++;
    // Seen in this update: stamped with the version (no Set of 10,000 ids per frame).
    const v = this.version;
    const keep = 2 * this.trail;
    for (const t of tracks) {
      this.tracks.set(t.id, t);
      let h = this.history.get(t.id);
      if (!h) this.history.set(t.id, (h = { pos: [], t: [], alt: [], sensors: new Map(), partners: new Map(), firstS: timeS, seenV: v }));
      h.seenV = v;
      const n = h.pos.length;
      if (n === 0 || h.pos[n - 2] !== t.lon || h.pos[n - 1] !== t.lat) {
        h.pos.push(t.lon, t.lat);
        h.t.push(timeS);
        h.alt.push(t.alt);
      }
      if (h.pos.length === keep + 2) {
        // The usual case, one position over: shift() is far cheaper than splice() at 10,000 tracks a frame.
        h.pos.shift();
        h.pos.shift();
        h.t.shift();
        h.alt.shift();
      } else if (h.pos.length > keep) {
        const drop = h.pos.length - keep;
        h.pos.splice(0, drop);
        h.t.splice(0, drop / 2);
        h.alt.splice(0, drop / 2);
      }
      for (const s of t.sen) h.sensors.set(s, timeS);
      for (const p of t.par) h.partners.set(p, timeS);
    }
    for (const [id, h] of this.history) {
      if (h.seenV !== v) {
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
      const trail = this.history.get(t.id)?.pos;
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
