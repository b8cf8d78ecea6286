// Aircraft for the simulator: each flies at constant speed along a constant
// heading on the WGS-84 ellipsoid, with scheduled coordinated turns and
// level changes. Positions are sampled every whole second (the truth rate)
// into a short ring per aircraft; radars interpolate between samples to the
// instant the beam passes. An aircraft that leaves the region is replaced by
// a new one entering at the edge, so a live run never empties. An aircraft
// leaves only beyond every radar's reach: none vanishes in sight of one.

import { WGS84_A_M, WGS84_F } from '../core/geodesy.ts';
import type { Random } from '../core/random.ts';
import type { TruthPoint } from '../core/types.ts';

const E2 = WGS84_F * (2 - WGS84_F);
const DEG = Math.PI / 180;
/** Seconds of samples kept per aircraft: covers the longest antenna period plus latency. */
export const RING_S = 64;

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

export class Aircraft {
  latRad: number;
  lonRad: number;
  heightM: number;
  headingRad: number;
  readonly speedMps: number;
  readonly manoeuvres: Manoeuvre[];
  /** First and last whole second with a sample; lastS < firstS until sampled. */
  readonly firstS: number;
  lastS: number;
  retired = false;
  /** Ring of samples: [lat, lon, h] at second s in slot s mod RING_S. */
  private readonly ring = new Float64Array(RING_S * 3);

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

  /** Store the current state as the sample for second `s`, then fly one second. */
  sampleAndStep(s: number): void {
    const slot = (((s % RING_S) + RING_S) % RING_S) * 3;
    this.ring[slot] = this.latRad;
    this.ring[slot + 1] = this.lonRad;
    this.ring[slot + 2] = this.heightM;
    this.lastS = s;
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

  /** Position at time t by linear interpolation between whole-second samples. */
  positionAt(t: number, out: Float64Array): boolean {
    const s0 = Math.floor(t);
    if (s0 < this.firstS || s0 + 1 > this.lastS || s0 + 1 < this.lastS - RING_S + 1) return false;
    const f = t - s0;
    const a = (((s0 % RING_S) + RING_S) % RING_S) * 3;
    const b = ((((s0 + 1) % RING_S) + RING_S) % RING_S) * 3;
    for (let i = 0; i < 3; i++) out[i] = this.ring[a + i]! * (1 - f) + this.ring[b + i]! * f;
    return true;
  }

  truthAt(s: number): TruthPoint | null {
    const slot = (((s % RING_S) + RING_S) % RING_S) * 3;
    if (s < this.firstS || s > this.lastS || s <= this.lastS - RING_S) return null;
    return {
      timeS: s,
      id: this.identity.id,
      latDeg: this.ring[slot]! / DEG,
      lonDeg: this.ring[slot + 1]! / DEG,
      altM: this.ring[slot + 2]!,
      icao24: this.identity.icao24,
      mode3a: this.identity.mode3a,
      callsign: this.identity.callsign,
    };
  }
}

const AIRLINES = ['MSR', 'RJA', 'CYP', 'SVA', 'OAL', 'THY', 'UAE', 'ELY', 'QTR', 'ETD', 'AFR', 'DLH', 'KLM', 'BAW'];

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
}

/** The aircraft population: spawns, flies, samples and retires aircraft. */
export class Traffic {
  readonly aircraft: Aircraft[] = [];
  private nextId = 1;
  private readonly usedIcao = new Set<number>();
  private readonly usedSquawk = new Set<number>();

  constructor(private readonly p: TrafficParams, private readonly rng: Random, startS: number) {
    for (let i = 0; i < p.count; i++) this.aircraft.push(this.spawn(startS, false));
  }

  /** Sample every live aircraft at second s and fly it on; replace those that left. */
  advance(s: number): void {
    for (let i = 0; i < this.aircraft.length; i++) {
      const ac = this.aircraft[i]!;
      if (ac.retired) continue;
      ac.sampleAndStep(s);
      if (this.distanceFromCenterM(ac.latRad, ac.lonRad) > this.p.retireRadiusM) {
        ac.retired = true;
        this.aircraft.push(this.spawn(s + 1, true));
      }
    }
  }

  /** Forget aircraft retired long enough that no radar can still ask for them. */
  prune(s: number): void {
    let w = 0;
    for (const ac of this.aircraft) if (!ac.retired || ac.lastS > s - RING_S) this.aircraft[w++] = ac;
    this.aircraft.length = w;
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
      callsign: modeS ? `${r.pick(AIRLINES)}${r.int(100, 9899)}` : null,
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

  private uniqueIcao(): string {
    let v: number;
    // Unique non-zero 24-bit addresses; which state's block they fall in does not matter here.
    do v = this.rng.int(0x010000, 0x7fffff);
    while (this.usedIcao.has(v));
    this.usedIcao.add(v);
    return v.toString(16).padStart(6, '0');
  }

  private uniqueSquawk(): string {
    let v: number;
    // Avoid the special codes 7500/7600/7700 and the conspicuity code 7000/2000.
    do v = this.rng.int(0o0100, 0o6777);
    while (this.usedSquawk.has(v) || v === 0o2000);
    this.usedSquawk.add(v);
    return v.toString(8).padStart(4, '0');
  }
}
