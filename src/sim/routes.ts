// Flight plans and the pilot that flies them (the `routes` traffic model).
// A plan is a polyline of great-circle legs: origin, zero to two dog-leg
// route points off the direct great circle (as airways bend), destination.
// The pilot flies direct to the active point (which follows the great
// circle), sequences points with fly-by turn anticipation, turns at a
// bank-limited coordinated rate (omega = g tan(bank) / v, at most rate-one
// 3 deg/s), follows a vertical profile (climb gradient after take-off,
// semicircular cruise level, 3 degree descent) and flies the speeds of the
// phase (250 kt below FL100, approach speed near the destination).
// Spherical formulas (mean radius) are enough for guidance: the aircraft
// itself moves on the ellipsoid (traffic.ts).

import type { Random } from '../core/random.ts';
import { AIRPORTS, FAR_CITIES, type Place } from './airports.ts';
import type { Aircraft, Pilot } from './traffic.ts';

const R_M = 6371000;
const DEG = Math.PI / 180;
const G = 9.80665;
const FT = 0.3048;

export type AircraftClass = 'airliner' | 'bizjet' | 'ga';

export interface RouteWorld {
  readonly centerLatRad: number;
  readonly centerLonRad: number;
  /** Airports within this distance of the centre are the region's own. */
  readonly radiusM: number;
  /** Traffic lives within this distance (beyond every sensor's reach). */
  readonly spawnRadiusM: number;
}

export interface FlightPlan {
  readonly cls: AircraftClass;
  readonly from: string;
  readonly to: string;
  /** Route points [lat0, lon0, lat1, lon1, ...], radians. */
  readonly points: Float64Array;
  /** Distance along the route at each point, metres. */
  readonly cumM: Float64Array;
  /** Initial great-circle course of each leg, radians. */
  readonly legCourse: Float64Array;
  readonly totalM: number;
  readonly depElevM: number;
  readonly arrElevM: number;
  readonly cruiseM: number;
  readonly cruiseSpeedMps: number;
  /** Where along the route the aircraft appears. */
  readonly startAlongM: number;
}

export function sphericalDistanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const sdLat = Math.sin((lat2 - lat1) / 2);
  const sdLon = Math.sin((lon2 - lon1) / 2);
  const a = sdLat * sdLat + Math.cos(lat1) * Math.cos(lat2) * sdLon * sdLon;
  return 2 * R_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function sphericalBearing(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLon = lon2 - lon1;
  const cos2 = Math.cos(lat2);
  return Math.atan2(Math.sin(dLon) * cos2, Math.cos(lat1) * Math.sin(lat2) - Math.sin(lat1) * cos2 * Math.cos(dLon));
}

/** [lat, lon] reached from (lat, lon) along course for distance, on the sphere. */
export function sphericalDirect(lat: number, lon: number, courseRad: number, distM: number): [number, number] {
  const d = distM / R_M;
  const sinLat2 = Math.sin(lat) * Math.cos(d) + Math.cos(lat) * Math.sin(d) * Math.cos(courseRad);
  const lat2 = Math.asin(sinLat2);
  const lon2 = lon + Math.atan2(Math.sin(courseRad) * Math.sin(d) * Math.cos(lat), Math.cos(d) - Math.sin(lat) * sinLat2);
  return [lat2, lon2];
}

function weighted(r: Random, places: readonly Place[]): Place {
  let total = 0;
  for (const p of places) total += p.weight;
  let u = r.next() * total;
  for (const p of places) if ((u -= p.weight) < 0) return p;
  return places[places.length - 1]!;
}

const distFromCenter = (w: RouteWorld, lat: number, lon: number) => sphericalDistanceM(w.centerLatRad, w.centerLonRad, lat, lon);

/** Semicircular cruise level (ICAO Annex 2 appendix 3): odd thousands eastbound, even westbound. */
function cruiseLevelFt(r: Random, cls: AircraftClass, courseRad: number): number {
  const east = ((courseRad % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI) < Math.PI;
  if (cls === 'ga') return (east ? r.pick([3500, 5500, 7500, 9500]) : r.pick([4500, 6500, 8500]));
  const odd = cls === 'airliner' ? [29000, 31000, 33000, 35000, 37000, 39000] : [37000, 39000, 41000, 43000, 45000];
  const even = cls === 'airliner' ? [30000, 32000, 34000, 36000, 38000, 40000] : [38000, 40000, 42000, 44000];
  return r.pick(east ? odd : even);
}

/** A flight plan for a new aircraft; `initial` places it anywhere along its route inside the traffic disk. */
export function planFlight(r: Random, w: RouteWorld, cls: AircraftClass, initial: boolean): FlightPlan {
  const own = AIRPORTS.filter((a) => distFromCenter(w, a.latDeg * DEG, a.lonDeg * DEG) <= w.radiusM);
  const far = [...FAR_CITIES, ...AIRPORTS.filter((a) => !own.includes(a))];
  for (let attempt = 0; attempt < 40; attempt++) {
    let o: Place;
    let d: Place;
    let local = false;
    if (cls === 'ga') {
      if (own.length === 0) {
        o = randomPoint(r, w, w.radiusM);
        d = randomPoint(r, w, w.radiusM);
      } else {
        o = r.pick(own);
        const near = own.filter((a) => a !== o && between(a, o, 60e3, 400e3));
        if (near.length > 0 && r.next() < 0.6) d = r.pick(near);
        else {
          // A local flight: out to a point 40-150 km away and back.
          d = o;
          local = true;
        }
      }
    } else {
      const u = r.next();
      if (own.length > 0 && u < 0.4) {
        o = weighted(r, own);
        const to = [...own, ...far].filter((p) => p !== o && !between(p, o, 0, 250e3));
        if (to.length === 0) continue;
        d = weighted(r, to);
      } else if (own.length > 0 && u < 0.75) {
        o = weighted(r, far);
        const to = own.filter((p) => !between(p, o, 0, 250e3));
        if (to.length === 0) continue;
        d = weighted(r, to);
      } else {
        o = weighted(r, far);
        const to = far.filter((p) => !between(p, o, 0, 800e3));
        if (to.length === 0) continue;
        d = weighted(r, to);
      }
    }
    const plan = buildPlan(r, w, cls, o, d, local, initial);
    if (plan) return plan;
  }
  // Nothing crossed the disk (a region far from every place): fly across it.
  return buildPlan(r, w, cls, randomPoint(r, w, w.spawnRadiusM * 0.95), randomPoint(r, w, w.spawnRadiusM * 0.95), false, initial)!;
}

function between(a: Place, b: Place, lo: number, hi: number): boolean {
  const d = sphericalDistanceM(a.latDeg * DEG, a.lonDeg * DEG, b.latDeg * DEG, b.lonDeg * DEG);
  return d >= lo && d < hi;
}

function randomPoint(r: Random, w: RouteWorld, radiusM: number): Place {
  const [lat, lon] = sphericalDirect(w.centerLatRad, w.centerLonRad, r.uniform(0, 2 * Math.PI), radiusM * Math.sqrt(r.next()));
  return { code: 'ZZZZ', name: 'route point', latDeg: lat / DEG, lonDeg: lon / DEG, elevM: 0, weight: 1 };
}

function buildPlan(r: Random, w: RouteWorld, cls: AircraftClass, o: Place, d: Place, local: boolean, initial: boolean): FlightPlan | null {
  const pts: number[] = [o.latDeg * DEG, o.lonDeg * DEG];
  const lat0 = o.latDeg * DEG;
  const lon0 = o.lonDeg * DEG;
  if (local) {
    const [la, lo] = sphericalDirect(lat0, lon0, r.uniform(0, 2 * Math.PI), r.uniform(40e3, 150e3));
    const [lb, lob] = sphericalDirect(la, lo, r.uniform(0, 2 * Math.PI), r.uniform(10e3, 40e3));
    pts.push(la, lo, lb, lob);
  } else {
    const lat1 = d.latDeg * DEG;
    const lon1 = d.lonDeg * DEG;
    const direct = sphericalDistanceM(lat0, lon0, lat1, lon1);
    if (direct < 20e3) return null;
    const course = sphericalBearing(lat0, lon0, lat1, lon1);
    // Airways bend: one or two route points off the direct great circle.
    const n = direct > 300e3 ? r.int(1, 2) : 0;
    const fr = n === 1 ? [r.uniform(0.3, 0.7)] : n === 2 ? [r.uniform(0.2, 0.45), r.uniform(0.55, 0.8)] : [];
    for (const f of fr) {
      const [la, lo] = sphericalDirect(lat0, lon0, course, f * direct);
      const c = sphericalBearing(la, lo, lat1, lon1);
      const [lb, lob] = sphericalDirect(la, lo, c + (r.next() < 0.5 ? -1 : 1) * Math.PI / 2, r.uniform(8e3, Math.min(60e3, 0.08 * direct)));
      pts.push(lb, lob);
    }
  }
  pts.push(d.latDeg * DEG, d.lonDeg * DEG);
  const np = pts.length / 2;
  const points = Float64Array.from(pts);
  const cumM = new Float64Array(np);
  const legCourse = new Float64Array(np);
  for (let i = 1; i < np; i++) {
    cumM[i] = cumM[i - 1]! + sphericalDistanceM(points[2 * i - 2]!, points[2 * i - 1]!, points[2 * i]!, points[2 * i + 1]!);
    legCourse[i - 1] = sphericalBearing(points[2 * i - 2]!, points[2 * i - 1]!, points[2 * i]!, points[2 * i + 1]!);
  }
  const totalM = cumM[np - 1]!;
  // The part of the route inside the traffic disk, sampled every 10 km.
  let sIn = -1;
  let sOut = -1;
  const plan0 = { points, cumM, legCourse };
  for (let s = 0; s <= totalM; s += 10e3) {
    const p = placeOnPath(plan0, s);
    if (distFromCenter(w, p.latRad, p.lonRad) < w.spawnRadiusM) {
      if (sIn < 0) sIn = s;
      sOut = s;
    } else if (sIn >= 0) break;
  }
  if (sIn < 0 || sOut - sIn < 30e3) return null;
  const direct = sphericalDistanceM(lat0, lon0, points[2 * np - 2]!, points[2 * np - 1]!);
  const cruiseFt = cruiseLevelFt(r, cls, local ? r.uniform(0, 2 * Math.PI) : sphericalBearing(lat0, lon0, points[2 * np - 2]!, points[2 * np - 1]!));
  void direct;
  const cruiseSpeedMps = cls === 'airliner' ? r.uniform(225, 250) : cls === 'bizjet' ? r.uniform(215, 240) : r.uniform(50, 75);
  return {
    cls, from: o.code, to: d.code, points, cumM, legCourse, totalM,
    depElevM: o.elevM, arrElevM: d.elevM,
    cruiseM: cruiseFt * FT, cruiseSpeedMps,
    startAlongM: initial ? r.uniform(sIn, sOut - 20e3) : sIn,
  };
}

/** Position, course and active leg end at distance `along` on the route. */
export function placeOnPath(plan: Pick<FlightPlan, 'points' | 'cumM' | 'legCourse'>, along: number): { latRad: number; lonRad: number; courseRad: number; legEnd: number } {
  const n = plan.cumM.length;
  let i = 0;
  while (i < n - 2 && plan.cumM[i + 1]! <= along) i++;
  const lat0 = plan.points[2 * i]!;
  const lon0 = plan.points[2 * i + 1]!;
  const [lat, lon] = sphericalDirect(lat0, lon0, plan.legCourse[i]!, Math.max(0, along - plan.cumM[i]!));
  const courseRad = sphericalBearing(lat, lon, plan.points[2 * i + 2]!, plan.points[2 * i + 3]!);
  return { latRad: lat, lonRad: lon, courseRad, legEnd: i + 1 };
}

export class RoutePilot implements Pilot {
  done = false;
  private wp = 1;
  private flownM = 0;
  private lastDistM = Infinity;
  private readonly maxBankRad: number;
  private readonly maxClimbMps: number;
  private readonly climbGradient: number;
  /** An ATC speed instruction: from this time on, cruise speed times the factor. */
  private readonly speedChangeS: number;
  private readonly speedFactor: number;

  constructor(readonly plan: FlightPlan, r: Random, startS: number) {
    const ga = plan.cls === 'ga';
    this.maxBankRad = (ga ? 20 : 25) * DEG;
    this.maxClimbMps = ga ? 4 : plan.cls === 'bizjet' ? 18 : 13;
    this.climbGradient = ga ? 0.08 : 0.07;
    const change = r.next() < 0.3;
    this.speedChangeS = change ? startS + r.uniform(60, 1800) : Infinity;
    this.speedFactor = change ? 1 + r.uniform(0.04, 0.08) * (r.next() < 0.5 ? -1 : 1) : 1;
  }

  init(legEnd: number, alongM: number): void {
    this.wp = legEnd;
    this.flownM = alongM;
  }

  /** Height the profile asks for: climb gradient from the origin, cruise, 3 degree path to the destination. */
  targetHeightM(flownM: number, toGoM: number): number {
    const p = this.plan;
    return Math.min(p.cruiseM, p.depElevM + 300 + this.climbGradient * flownM, p.arrElevM + 100 + Math.tan(3 * DEG) * toGoM);
  }

  targetSpeedMps(heightM: number, toGoM: number, s = -Infinity): number {
    const p = this.plan;
    const cruise = p.cruiseSpeedMps * (s >= this.speedChangeS ? this.speedFactor : 1);
    if (p.cls === 'ga') return toGoM < 10e3 ? 45 : cruise;
    // Approach: slow from 250 kt to 145 kt over the last 25 km.
    if (toGoM < 25e3 && heightM < p.arrElevM + 1500) return 75 + (toGoM / 25e3) * (128 - 75);
    // 250 kt below FL100 (ICAO Annex 11 airspace class speed limit).
    const fl100 = 10000 * FT;
    if (heightM < fl100) return 128;
    return 150 + (cruise - 150) * Math.min(1, (heightM - fl100) / Math.max(1, p.cruiseM - fl100));
  }

  fly(ac: Aircraft, s: number): void {
    const p = this.plan;
    const last = p.cumM.length - 1;
    let dist = sphericalDistanceM(ac.latRad, ac.lonRad, p.points[2 * this.wp]!, p.points[2 * this.wp + 1]!);
    let brg = sphericalBearing(ac.latRad, ac.lonRad, p.points[2 * this.wp]!, p.points[2 * this.wp + 1]!);
    const v = ac.speedMps;
    const omegaMax = Math.min((G * Math.tan(this.maxBankRad)) / Math.max(v, 30), 3 * DEG);
    if (this.wp < last) {
      // Fly-by: start the turn onto the next leg a turn radius x tan(half the course change) early.
      const change = Math.abs(wrapPi(p.legCourse[this.wp]! - brg));
      const lead = (v / omegaMax) * Math.tan(Math.min(change, 2.6) / 2);
      if (dist < Math.max(lead, 300) || (dist > this.lastDistM && dist < 2 * (v / omegaMax))) {
        this.wp++;
        dist = sphericalDistanceM(ac.latRad, ac.lonRad, p.points[2 * this.wp]!, p.points[2 * this.wp + 1]!);
        brg = sphericalBearing(ac.latRad, ac.lonRad, p.points[2 * this.wp]!, p.points[2 * this.wp + 1]!);
        this.lastDistM = Infinity;
      }
    } else if (dist < (p.cls === 'ga' ? 1500 : 3000) || (dist > this.lastDistM && dist < 8000)) {
      this.done = true;
    }
    this.lastDistM = dist;
    const toGo = dist + (p.totalM - p.cumM[this.wp]!);
    const err = wrapPi(brg - ac.headingRad);
    const turn = Math.max(-omegaMax, Math.min(omegaMax, 0.2 * err));
    const hT = this.targetHeightM(this.flownM, toGo);
    const climb = Math.max(-20, Math.min(this.maxClimbMps, (hT - ac.heightM) / 10));
    const vT = this.targetSpeedMps(ac.heightM, toGo, s);
    const accel = Math.max(-0.8, Math.min(1.0, vT - v));
    ac.integrate(turn, climb, accel);
    this.flownM += v;
  }
}

function wrapPi(a: number): number {
  a = (a + Math.PI) % (2 * Math.PI);
  if (a < 0) a += 2 * Math.PI;
  return a - Math.PI;
}
