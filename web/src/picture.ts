// The page's air picture: the latest frame plus a short trail per track, and
// the GeoJSON handed to MapLibre. One FeatureCollection holds symbols,
// vectors and trails so each frame costs a single setData (one worker round
// trip) however many tracks there are.

import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { WireTrack } from '../../src/serve/wire.ts';
import { altBand, deadReckon } from './geo.ts';

/** Seconds ahead the velocity vector reaches (ATC displays commonly use 1 min). */
export const VECTOR_S = 60;
/** Positions kept per trail, the latest included. */
export const DEFAULT_TRAIL = 20;

export type FeatureKind = 'trk' | 'vec' | 'trail';

export class Picture {
  readonly tracks = new Map<string, WireTrack>();
  /** Per track: flat [lon, lat, lon, lat, ...], oldest first. */
  private readonly trails = new Map<string, number[]>();
  frameTimeS: number | null = null;

  constructor(private readonly trailLength = DEFAULT_TRAIL) {}

  /** Replace the picture with a new frame; tracks absent from it are dropped. */
  update(timeS: number, tracks: readonly WireTrack[]): void {
    this.frameTimeS = timeS;
    const seen = new Set<string>();
    for (const t of tracks) {
      seen.add(t.id);
      this.tracks.set(t.id, t);
      let trail = this.trails.get(t.id);
      if (!trail) this.trails.set(t.id, (trail = []));
      const n = trail.length;
      if (n === 0 || trail[n - 2] !== t.lon || trail[n - 1] !== t.lat) trail.push(t.lon, t.lat);
      if (trail.length > 2 * this.trailLength) trail.splice(0, trail.length - 2 * this.trailLength);
    }
    for (const id of this.tracks.keys()) {
      if (!seen.has(id)) {
        this.tracks.delete(id);
        this.trails.delete(id);
      }
    }
  }

  toGeoJSON(selectedId: string | null): FeatureCollection {
    const features: Feature<Geometry>[] = [];
    for (const t of this.tracks.values()) {
      const band = altBand(t.alt);
      const coasting = t.st === 'K' ? 1 : 0;
      const sel = t.id === selectedId ? 1 : 0;
      const trail = this.trails.get(t.id);
      if (trail && trail.length >= 4) {
        const coords: [number, number][] = [];
        for (let i = 0; i + 1 < trail.length; i += 2) coords.push([trail[i]!, trail[i + 1]!]);
        features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: coords }, properties: { kind: 'trail', id: t.id, band, coasting, sel } });
      }
      features.push({
        type: 'Feature',
        geometry: { type: 'LineString', coordinates: [[t.lon, t.lat], deadReckon(t.lat, t.lon, t.vE, t.vN, VECTOR_S)] },
        properties: { kind: 'vec', id: t.id, band, coasting, sel },
      });
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [t.lon, t.lat] },
        properties: { kind: 'trk', id: t.id, band, coasting, sel },
      });
    }
    return { type: 'FeatureCollection', features };
  }
}
