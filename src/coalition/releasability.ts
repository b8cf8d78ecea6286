// Releasability: each partner decides, for its own sensors, which partners
// receive their plots, with what content, and where. From the coalition's
// rules this computes each partner's audience — exactly the plots it may
// see — and routes every plot to the audiences entitled to it. A partner's
// picture is then fused only from its audience's plots, so nothing derived
// from unreleased data can reach it. Partners whose inputs are equal share
// one audience (and one fusion).
//
// Rules, written down:
// - A partner always receives its own sensors' plots, in full.
// - A partner with no `releases` in the coalition file releases all its
//   sensors in full to every member; `releases: []` releases nothing.
// - For a (sensor, recipient) pair the first rule of the sensor's owner that
//   names both applies; no rule, no release.
// - `content: "position"` strips identities (Mode S address, Mode 3/A,
//   callsign) from released plots; `"full"` keeps them.
// - A plot inside any `withholdInside` polygon of the applying rule is not
//   released (e.g. "plots over our own territory stay ours").
// - Only members exchange data: a suspended or withdrawn partner's sensors
//   reach no one else, and it receives nothing but (while suspended) its own.

import { EnuFrame, flightLevelToM } from '../core/geodesy.ts';
import type { Coalition, Partner, Plot, ReleaseContent, ReleaseRule, Sensor } from '../core/types.ts';

/** What one sensor's plots become for an audience. */
export interface SensorGrant {
  readonly content: ReleaseContent;
  readonly withholdInside: ReleaseRule['withholdInside'];
}

export interface Audience {
  /** Stable key: equal for partners with equal inputs. */
  readonly key: string;
  /** Partners that see this audience's picture. */
  readonly partners: readonly string[];
  /** Sensor id -> what of it this audience receives; absent = nothing. */
  readonly grants: ReadonlyMap<string, SensorGrant>;
}

const FULL: SensorGrant = { content: 'full', withholdInside: [] };
/** Height used to place a plot without Mode C for the area test (metres). */
const AREA_TEST_HEIGHT_M = 6000;

/** The grant of `sensor` to `recipient` under the coalition's rules, or null. */
export function grantFor(coalition: Coalition, sensor: Sensor, recipient: Partner): SensorGrant | null {
  const owner = coalition.partners.find((p) => p.id === sensor.partnerId);
  if (!owner) return null;
  if (owner.id === recipient.id) return recipient.status === 'withdrawn' ? null : FULL;
  if (owner.status !== 'member' || recipient.status !== 'member') return null;
  if (owner.releases === null) return FULL;
  for (const r of owner.releases) {
    const toOk = r.to.includes('*') || r.to.includes(recipient.id);
    const sensorOk = r.sensors === null || r.sensors.includes(sensor.id);
    if (toOk && sensorOk) return { content: r.content, withholdInside: r.withholdInside };
  }
  return null;
}

/** Every partner's audience, partners with equal inputs sharing one. */
export function audiences(coalition: Coalition): Audience[] {
  const byKey = new Map<string, { partners: string[]; grants: Map<string, SensorGrant> }>();
  for (const p of coalition.partners) {
    if (p.status === 'withdrawn') continue;
    const grants = new Map<string, SensorGrant>();
    for (const s of coalition.sensors) {
      const g = grantFor(coalition, s, p);
      if (g) grants.set(s.id, g);
    }
    const key = [...grants]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, g]) => `${id}:${g.content}:${JSON.stringify(g.withholdInside)}`)
      .join('|');
    const a = byKey.get(key);
    if (a) a.partners.push(p.id);
    else byKey.set(key, { partners: [p.id], grants });
  }
  return [...byKey].map(([key, a]) => ({ key, partners: a.partners, grants: a.grants }));
}

/** Ray casting on lat/lon: fine for polygons well inside one hemisphere. */
export function insidePolygon(latRad: number, lonRad: number, ring: readonly (readonly [number, number])[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [yi, xi] = ring[i]!;
    const [yj, xj] = ring[j]!;
    if (yi > latRad !== yj > latRad && lonRad < ((xj - xi) * (latRad - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Routes plots to audiences. A released plot is either the same object (full
 * content) or a copy without identities (position only).
 */
export class PlotRouter {
  private readonly sensors = new Map<string, Sensor>();
  private readonly frames = new Map<string, EnuFrame>();
  private readonly geo = new Float64Array(3);

  constructor(coalition: Coalition) {
    for (const s of coalition.sensors) this.sensors.set(s.id, s);
  }

  /** The plots of `batch` this audience may receive, as it may receive them. */
  filter(a: Audience, batch: readonly Plot[]): Plot[] {
    const out: Plot[] = [];
    for (const p of batch) {
      const g = a.grants.get(p.sensorId);
      if (!g) continue;
      if (g.withholdInside.length > 0 && this.withheld(p, g)) continue;
      out.push(g.content === 'full' ? p : { ...p, icao24: null, mode3a: null, callsign: null } as Plot);
    }
    return out;
  }

  private withheld(p: Plot, g: SensorGrant): boolean {
    let lat: number, lon: number;
    if (p.kind === 'adsb') {
      lat = p.latRad;
      lon = p.lonRad;
    } else {
      const s = this.sensors.get(p.sensorId);
      if (!s) return true;
      let f = this.frames.get(s.id);
      if (!f) this.frames.set(s.id, (f = new EnuFrame({ latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM })));
      const h = p.flightLevel !== null ? flightLevelToM(p.flightLevel) : AREA_TEST_HEIGHT_M;
      f.radarToGeodetic(p.rangeM, p.azimuthRad, h, this.geo);
      lat = this.geo[0]!;
      lon = this.geo[1]!;
    }
    for (const ring of g.withholdInside) if (insidePolygon(lat, lon, ring)) return true;
    return false;
  }
}
