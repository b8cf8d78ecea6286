// Aircraft for the simulator. Two traffic models:
// - `random` (the original, kept bit for bit for `small`): each aircraft flies
//   at constant speed along a constant heading on the WGS-84 ellipsoid, with
//   scheduled coordinated turns; entering aircraft appear at the region edge.
// - `routes`: airliners, business jets and light aircraft fly great-circle
//   legs between the region's airports, far cities and dog-leg route points,
//   climbing after take-off, cruising at semicircular levels, descending on a
//   3 degree path, turning with a bank-limited coordinated turn at each leg
//   change and changing speed with height (see routes.ts).
// Positions are sampled every whole second (the truth rate) into a short ring
// per aircraft; radars interpolate between samples to the instant the beam
// passes. An aircraft that leaves the region is replaced, so a live run never
// empties; it leaves only beyond every sensor's reach, so none vanishes in
// sight of one (except by landing).

import { WGS84_A_M, WGS84_F } from '../core/geodesy.ts';
import type { Random } from '../core/random.ts';
import type { TruthPoint } from '../core/types.ts';
import { planFlight, placeOnPath, RoutePilot, type RouteWorld, type AircraftClass } from './routes.ts';
import { AIRLINES, REGISTRIES } from './airports.ts';

const E2 = WGS84_F * (2 - WGS84_F);
const DEG = Math.PI / 180;
/** Seconds of samples kept per aircraft: covers the longest antenna period plus latency. */
export const RING_S = 64;
/** Ring fields per sample: lat, lon, height, vE, vN. */
const W = 5;

export interface AircraftIdentity {
  readonly id: string;
  readonly icao24: string | null;
  readonly mode3a: string | null;
  readonly callsign: string | null;
  readonly transponder: 'none' | 'mode-ac' | 'mode-s';
}

interface Manoeuvre {
  readonly startS: number;
  readonly endS: number;
  readonly turnRateRadS: number;
  readonly climbMps: number;
}

/** Something that flies an aircraft for one second (sets its turn, climb and acceleration). */
export interface Pilot {
  fly(ac: Aircraft, s: number): void;
  /** True once the flight is over (landed). */
  readonly done: boolean;
}

/** A truth point with the optional contract fields (ground velocity, observability). */
export interface SimTruthPoint extends TruthPoint {
  readonly velEastMps: number;
  readonly velNorthMps: number;
  observable?: boolean;
}

export class Aircraft {
  latRad: number;
  lonRad: number;
  heightM: number;
  headingRad: number;
  speedMps: number;
  readonly manoeuvres: Manoeuvre[];
  /** First and last whole second with a sample; lastS < firstS until sampled. */
  readonly firstS: number;
  lastS: number;
  retired = false;
  /** Flies the aircraft when set (routes model); otherwise the manoeuvre list does. */
  pilot: Pilot | null = null;
  /** Broadcasts ADS-B (CAT021 through ground stations) while its transponder is on. */
  adsb = false;
  /** Next ADS-B report time (seconds). */
  nextAdsbS = Infinity;
  /** Spawn order; the aircraft list is kept in this order. */
  serial = 0;
  private squawkChangeS = Infinity;
  private squawkAfter: string | null = null;
  private transponderOffS = Infinity;
  /** Ring of samples: [lat, lon, h, vE, vN] at second s in slot s mod RING_S. */
  private readonly ring = new Float64Array(RING_S * W);

  constructor(
    readonly identity: AircraftIdentity,
    startS: number,
    latRad: number,
    lonRad: number,
    heightM: number,
    headingRad: number,
    speedMps: number,
    manoeuvres: Manoeuvre[],
  ) {
    this.firstS = startS;
    this.lastS = startS - 1;
    this.latRad = latRad;
    this.lonRad = lonRad;
    this.heightM = heightM;
    this.headingRad = headingRad;
    this.speedMps = speedMps;
    this.manoeuvres = manoeuvres;
  }

  /** Mode 3/A the transponder replies with at time t (null once switched off). */
  mode3aAt(t: number): string | null {
    if (t >= this.transponderOffS) return null;
    return t >= this.squawkChangeS ? this.squawkAfter : this.identity.mode3a;
  }

  /** What the aircraft carries at time t: 'none' once its transponder is switched off. */
  transponderAt(t: number): AircraftIdentity['transponder'] {
    return t >= this.transponderOffS ? 'none' : this.identity.transponder;
  }

  /** The crew sets a new code from time t on (emergency squawks). */
  squawk(t: number, code: string): void {
    this.squawkChangeS = t;
    this.squawkAfter = code;
  }

  switchTransponderOff(t: number): void {
    this.transponderOffS = Math.min(this.transponderOffS, t);
  }

  transponderOnAt(t: number): boolean {
    return this.identity.transponder !== 'none' && t < this.transponderOffS;
  }

  /** Store the current state as the sample for second `s`, then fly one second. */
  sampleAndStep(s: number): void {
    const slot = (((s % RING_S) + RING_S) % RING_S) * W;
    this.ring[slot] = this.latRad;
    this.ring[slot + 1] = this.lonRad;
    this.ring[slot + 2] = this.heightM;
    this.ring[slot + 3] = this.speedMps * Math.sin(this.headingRad);
    this.ring[slot + 4] = this.speedMps * Math.cos(this.headingRad);
    this.lastS = s;
    if (this.pilot) {
      this.pilot.fly(this, s);
      return;
    }
    let turn = 0;
    let climb = 0;
    for (const m of this.manoeuvres) {
      if (s >= m.startS && s < m.endS) {
        turn += m.turnRateRadS;
        climb += m.climbMps;
      }
    }
    // Midpoint integration over one second on the ellipsoid: meridian radius
    // M and prime-vertical radius N turn metres into radians.
    const heading = this.headingRad + turn * 0.5;
    const sinLat = Math.sin(this.latRad);
    const w = 1 - E2 * sinLat * sinLat;
    const nRad = WGS84_A_M / Math.sqrt(w);
    const mRad = (WGS84_A_M * (1 - E2)) / (w * Math.sqrt(w));
    const vN = this.speedMps * Math.cos(heading);
    const vE = this.speedMps * Math.sin(heading);
    this.latRad += vN / (mRad + this.heightM);
    this.lonRad += vE / ((nRad + this.heightM) * Math.cos(this.latRad));
    this.heightM += climb;
    this.headingRad += turn;
  }

  /** One second of flight with a turn rate, climb rate and acceleration (midpoint rule). */
  integrate(turnRadS: number, climbMps: number, accelMps2: number): void {
    const heading = this.headingRad + turnRadS * 0.5;
    const speed = this.speedMps + accelMps2 * 0.5;
    const sinLat = Math.sin(this.latRad);
    const w = 1 - E2 * sinLat * sinLat;
    const nRad = WGS84_A_M / Math.sqrt(w);
    const mRad = (WGS84_A_M * (1 - E2)) / (w * Math.sqrt(w));
    const h = this.heightM + climbMps * 0.5;
    this.latRad += (speed * Math.cos(heading)) / (mRad + h);
    this.lonRad += (speed * Math.sin(heading)) / ((nRad + h) * Math.cos(this.latRad));
    this.heightM += climbMps;
    this.headingRad += turnRadS;
    this.speedMps += accelMps2;
  }

  /** Position at time t by linear interpolation between whole-second samples. */
  positionAt(t: number, out: Float64Array): boolean {
    const s0 = Math.floor(t);
    if (s0 < this.firstS || s0 + 1 > this.lastS || s0 + 1 < this.lastS - RING_S + 1) return false;
    const f = t - s0;
    const a = (((s0 % RING_S) + RING_S) % RING_S) * W;
    const b = ((((s0 + 1) % RING_S) + RING_S) % RING_S) * W;
    for (let i = 0; i < 3; i++) out[i] = this.ring[a + i]! * (1 - f) + this.ring[b + i]! * f;
    return true;
  }

  truthAt(s: number): SimTruthPoint | null {
    const slot = (((s % RING_S) + RING_S) % RING_S) * W;
    if (s < this.firstS || s > this.lastS || s <= this.lastS - RING_S) return null;
    return {
      timeS: s,
      id: this.identity.id,
      latDeg: this.ring[slot]! / DEG,
      lonDeg: this.ring[slot + 1]! / DEG,
      altM: this.ring[slot + 2]!,
      icao24: this.identity.icao24,
      // The truth keeps the aircraft's identity after its transponder goes
      // off (a track that keeps it is right); a new squawk replaces the code.
      mode3a: s >= this.squawkChangeS ? this.squawkAfter : this.identity.mode3a,
      callsign: this.identity.callsign,
      velEastMps: this.ring[slot + 3]!,
      velNorthMps: this.ring[slot + 4]!,
    };
  }
}

const RANDOM_AIRLINES = ['MSR', 'RJA', 'CYP', 'SVA', 'OAL', 'THY', 'UAE', 'ELY', 'QTR', 'ETD', 'AFR', 'DLH', 'KLM', 'BAW'];

export interface TrafficParams {
  readonly centerLatRad: number;
  readonly centerLonRad: number;
  readonly radiusM: number;
  readonly count: number;
  readonly noTransponderFraction: number;
  readonly modeSFraction: number;
  readonly turningFraction: number;
  /**
   * Distance from the centre beyond which an aircraft leaves the scenario.
   * Set beyond every radar's reach, so no aircraft vanishes in sight of one.
   */
  readonly retireRadiusM: number;
  /** 'random' (default) or 'routes'. */
  readonly model?: 'random' | 'routes';
  /** Fraction of Mode S aircraft that broadcast ADS-B. */
  readonly adsbFraction?: number;
  /** Class mix of the routes model (fractions, normalised). */
  readonly mix?: { readonly airliner: number; readonly bizjet: number; readonly ga: number };
  /** Pairs flying close crossing or parallel tracks (in addition to count). */
  readonly crossingPairs?: number;
  readonly parallelPairs?: number;
}

/** The aircraft population: spawns, flies, samples and retires aircraft. */
export class Traffic {
  readonly aircraft: Aircraft[] = [];
  private nextId = 1;
  private readonly usedIcao = new Set<number>();
  private readonly usedSquawk = new Set<number>();
  private readonly usedCallsign = new Set<string>();
  private readonly world: RouteWorld | null;
  /**
   * A second random stream for what the original model never drew (ADS-B
   * equipage), so adding it did not change the `random` model's bytes.
   */
  private readonly aux: Random;

  constructor(private readonly p: TrafficParams, private readonly rng: Random, startS: number, aux?: Random) {
    this.aux = aux ?? rng;
    this.world = p.model === 'routes' ? { centerLatRad: p.centerLatRad, centerLonRad: p.centerLonRad, radiusM: p.radiusM, spawnRadiusM: Math.max(p.radiusM, p.retireRadiusM - 15000) } : null;
    for (let i = 0; i < p.count; i++) this.add(this.world ? this.spawnRoute(startS, true) : this.spawn(startS, false));
    for (let i = 0; i < (p.crossingPairs ?? 0); i++) this.spawnPair(startS, 'crossing');
    for (let i = 0; i < (p.parallelPairs ?? 0); i++) this.spawnPair(startS, 'parallel');
  }

  private add(ac: Aircraft): Aircraft {
    ac.serial = this.nextId - 1;
    if (ac.identity.transponder === 'mode-s' && this.aux.next() < (this.p.adsbFraction ?? 0.7)) ac.adsb = true;
    this.aircraft.push(ac);
    return ac;
  }

  /** Sample every live aircraft at second s and fly it on; replace those that left. */
  advance(s: number): void {
    // New aircraft pushed below are flown in this pass too (their first
    // sample is the next second's), as the original model always did.
    for (let i = 0; i < this.aircraft.length; i++) {
      const ac = this.aircraft[i]!;
      if (ac.retired) continue;
      ac.sampleAndStep(s);
      if (ac.pilot?.done || this.distanceFromCenterM(ac.latRad, ac.lonRad) > this.p.retireRadiusM) {
        ac.retired = true;
        this.release(ac);
        this.add(this.world ? this.spawnRoute(s + 1, false) : this.spawn(s + 1, true));
      }
    }
  }

  /** Forget aircraft retired long enough that no radar can still ask for them. */
  prune(s: number): void {
    let w = 0;
    for (const ac of this.aircraft) if (!ac.retired || ac.lastS > s - RING_S) this.aircraft[w++] = ac;
    this.aircraft.length = w;
  }

  /** An unknown primary-only aircraft enters (scripted event). */
  spawnUnknown(startS: number, latRad: number, lonRad: number, heightM: number, headingRad: number, speedMps: number): Aircraft {
    const identity: AircraftIdentity = { id: `A${this.nextId++}`, transponder: 'none', icao24: null, mode3a: null, callsign: null };
    return this.add(new Aircraft(identity, startS, latRad, lonRad, heightM, headingRad, speedMps, []));
  }

  private release(ac: Aircraft): void {
    // Codes go back to the pool when the aircraft leaves, so a long run does not exhaust 4096 codes.
    if (this.world && ac.identity.mode3a) this.usedSquawk.delete(parseInt(ac.identity.mode3a, 8));
  }

  private distanceFromCenterM(latRad: number, lonRad: number): number {
    const dN = (latRad - this.p.centerLatRad) * 6371000;
    const dE = (lonRad - this.p.centerLonRad) * 6371000 * Math.cos(this.p.centerLatRad);
    return Math.hypot(dN, dE);
  }

  private spawn(startS: number, atEdge: boolean): Aircraft {
    const r = this.rng;
    const bearing = r.uniform(0, 2 * Math.PI);
    const dist = atEdge ? this.p.radiusM * 1.1 : this.p.radiusM * Math.sqrt(r.next());
    const latRad = this.p.centerLatRad + (dist * Math.cos(bearing)) / 6371000;
    const lonRad = this.p.centerLonRad + (dist * Math.sin(bearing)) / (6371000 * Math.cos(this.p.centerLatRad));
    // Entering aircraft head roughly inward; initial ones anywhere.
    const heading = atEdge ? bearing + Math.PI + r.uniform(-0.6, 0.6) : r.uniform(0, 2 * Math.PI);
    const noXpdr = r.next() < this.p.noTransponderFraction;
    const modeS = !noXpdr && r.next() < this.p.modeSFraction;
    const light = noXpdr || r.next() < 0.15;
    const speed = light ? r.uniform(55, 110) : r.uniform(180, 250);
    const flightLevel = light ? r.int(30, 120) : r.int(180, 410);
    const id = `A${this.nextId++}`;
    const identity: AircraftIdentity = {
      id,
      transponder: noXpdr ? 'none' : modeS ? 'mode-s' : 'mode-ac',
      icao24: modeS ? this.uniqueIcao() : null,
      mode3a: noXpdr ? null : this.uniqueSquawk(),
      callsign: modeS ? `${r.pick(RANDOM_AIRLINES)}${r.int(100, 9899)}` : null,
    };
    const manoeuvres: Manoeuvre[] = [];
    if (r.next() < this.p.turningFraction) {
      // Coordinated turn at a rate set by a 15-25 degree bank: omega = g tan(bank) / v.
      const t0 = startS + r.uniform(20, 200);
      const bank = r.uniform(15, 25) * DEG;
      const rate = ((9.80665 * Math.tan(bank)) / speed) * (r.next() < 0.5 ? -1 : 1);
      const turnRad = r.uniform(30, 120) * DEG;
      manoeuvres.push({ startS: Math.round(t0), endS: Math.round(t0 + turnRad / Math.abs(rate)), turnRateRadS: rate, climbMps: 0 });
    }
    return new Aircraft(identity, startS, latRad, lonRad, flightLevel * 30.48, heading, speed, manoeuvres);
  }

  private pickClass(): AircraftClass {
    const m = this.p.mix ?? { airliner: 0.75, bizjet: 0.1, ga: 0.15 };
    const u = this.rng.next() * (m.airliner + m.bizjet + m.ga);
    return u < m.airliner ? 'airliner' : u < m.airliner + m.bizjet ? 'bizjet' : 'ga';
  }

  private identityFor(cls: AircraftClass): AircraftIdentity {
    const r = this.rng;
    const m = this.p.mix ?? { airliner: 0.75, bizjet: 0.1, ga: 0.15 };
    const gaShare = m.ga / (m.airliner + m.bizjet + m.ga || 1);
    // Transponders and Mode S are mandatory for airliners and business jets;
    // the primary-only fraction comes from light aircraft.
    const noXpdr = cls === 'ga' && r.next() < Math.min(1, this.p.noTransponderFraction / Math.max(gaShare, 1e-9));
    const modeS = !noXpdr && (cls !== 'ga' || r.next() < this.p.modeSFraction);
    const id = `A${this.nextId++}`;
    let callsign: string | null = null;
    let icao: string | null = null;
    if (cls === 'airliner') {
      const al = r.pick(AIRLINES);
      do callsign = `${al.icao}${r.int(1, 9899)}`;
      while (this.usedCallsign.has(callsign));
      if (modeS) icao = this.uniqueIcao(al.blockStart, al.blockSize);
    } else if (modeS) {
      // Business jets and light aircraft call with their registration.
      const reg = r.pick(REGISTRIES);
      const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
      do callsign = reg.prefix + Array.from({ length: 3 }, () => letters[r.int(0, 25)]).join('');
      while (this.usedCallsign.has(callsign));
      icao = this.uniqueIcao(reg.blockStart, reg.blockSize);
    }
    if (!modeS) callsign = null;
    if (callsign) this.usedCallsign.add(callsign);
    return { id, transponder: noXpdr ? 'none' : modeS ? 'mode-s' : 'mode-ac', icao24: icao, mode3a: noXpdr ? null : this.uniqueSquawk(), callsign };
  }

  private spawnRoute(startS: number, initial: boolean): Aircraft {
    const r = this.rng;
    const world = this.world!;
    const cls = this.pickClass();
    const plan = planFlight(r, world, cls, initial);
    const identity = this.identityFor(cls);
    const place = placeOnPath(plan, plan.startAlongM);
    const pilot = new RoutePilot(plan, r, startS);
    const ac = new Aircraft(identity, startS, place.latRad, place.lonRad, pilot.targetHeightM(plan.startAlongM, plan.totalM - plan.startAlongM), place.courseRad, 0, []);
    ac.speedMps = pilot.targetSpeedMps(ac.heightM, plan.totalM - plan.startAlongM);
    pilot.init(place.legEnd, plan.startAlongM);
    ac.pilot = pilot;
    return ac;
  }

  /**
   * Two aircraft on straight tracks: crossing at a point near the centre at
   * the same instant (1000 ft apart or co-altitude), or parallel 1-3 NM apart.
   */
  private spawnPair(startS: number, kind: 'crossing' | 'parallel'): void {
    const r = this.rng;
    const c = this.world ? this.world : { centerLatRad: this.p.centerLatRad, centerLonRad: this.p.centerLonRad, radiusM: this.p.radiusM };
    const bearing = r.uniform(0, 2 * Math.PI);
    const d = c.radiusM * 0.5 * Math.sqrt(r.next());
    const pLat = c.centerLatRad + (d * Math.cos(bearing)) / 6371000;
    const pLon = c.centerLonRad + (d * Math.sin(bearing)) / (6371000 * Math.cos(c.centerLatRad));
    const h1 = r.int(250, 390) * 30.48;
    const h2 = h1 + (r.next() < 0.5 ? 0 : 1000 * 0.3048) * (r.next() < 0.5 ? -1 : 1);
    const hdg1 = r.uniform(0, 2 * Math.PI);
    const v1 = r.uniform(210, 245);
    const place = (hdg: number, v: number, backS: number, sideM: number, h: number): Aircraft => {
      const back = v * backS;
      const dn = -back * Math.cos(hdg) - sideM * Math.sin(hdg);
      const de = -back * Math.sin(hdg) + sideM * Math.cos(hdg);
      const lat = pLat + dn / 6371000;
      const lon = pLon + de / (6371000 * Math.cos(pLat));
      const ac = new Aircraft(this.identityFor('airliner'), startS, lat, lon, h, hdg, v, []);
      return this.add(ac);
    };
    if (kind === 'crossing') {
      // Meet 1-8 minutes after the start, so the crossing is seen by the radars.
      const tc = r.uniform(60, 480);
      const hdg2 = hdg1 + r.uniform(30, 150) * DEG * (r.next() < 0.5 ? -1 : 1);
      place(hdg1, v1, tc, 0, h1);
      place(hdg2, r.uniform(210, 245), tc, 0, h2);
    } else {
      const side = r.uniform(1852, 3 * 1852);
      place(hdg1, v1, r.uniform(0, 120), 0, h1);
      place(hdg1, v1 + r.uniform(-3, 3), r.uniform(0, 120), side, h2);
    }
  }

  private uniqueIcao(blockStart = 0x010000, blockSize = 0x7f0000): string {
    let v: number;
    // Unique non-zero 24-bit addresses; which state's block they fall in does not matter here.
    if (blockStart === 0x010000 && blockSize === 0x7f0000) {
      do v = this.rng.int(0x010000, 0x7fffff);
      while (this.usedIcao.has(v));
    } else {
      // In the airline's state block while it has room, else anywhere.
      let tries = 0;
      do v = tries++ < 20 ? blockStart + this.rng.int(0, blockSize - 1) : this.rng.int(0x010000, 0xefffff);
      while (this.usedIcao.has(v) || v === 0);
    }
    this.usedIcao.add(v);
    return v.toString(16).padStart(6, '0');
  }

  private uniqueSquawk(): string {
    let v: number;
    // Avoid the special codes 7500/7600/7700 and the conspicuity code 7000/2000.
    // Unique among live aircraft while codes last (3,500 of them); beyond
    // that, as in real airspace, codes repeat (far apart, in different sectors).
    if (this.usedSquawk.size >= 3500) {
      do v = this.rng.int(0o0100, 0o6777);
      while (v === 0o2000);
      return v.toString(8).padStart(4, '0');
    }
    do v = this.rng.int(0o0100, 0o6777);
    while (this.usedSquawk.has(v) || v === 0o2000);
    this.usedSquawk.add(v);
    return v.toString(8).padStart(4, '0');
  }
}
