// The simulation run: traffic flies, each rotating radar's beam sweeps in
// azimuth and reports an aircraft at the instant the beam passes it, with the
// sensor's noise, systematic biases, detection probability, range limit,
// 4/3-earth horizon and PSR clutter. ADS-B ground stations relay the
// equipped aircraft's own positions. Output is what the sensors would send
// (CAT048 plots grouped per sector, CAT034 north markers and sector
// crossings, CAT021 reports), in the order it would arrive, interleaved with
// one truth record per aircraft per second and the scripted events.
//
// Speed: each second the aircraft go into a coarse lat/lon grid; a scan
// looks only at the cells its coverage touches, and an aircraft clearly out
// of range or below the horizon at the scan's start is dropped before the
// beam-time iteration. Both culls are conservative (they drop only aircraft
// the full test would drop, before any random draw), so output is the same
// as testing every aircraft against every radar.

import { encodeCat021Blocks, encodeCat034Block, encodeCat048Block, type Cat021Report, type Cat048Report } from '../asterix/index.ts';
import { EnuFrame, flightLevelToM, geodesicInverse, radarHorizonRangeM, wrapPi, wrapTwoPi, type Geodetic } from '../core/geodesy.ts';
import { Random } from '../core/random.ts';
import { timeOfDayS } from '../core/time.ts';
import type { Detection, PartnerStatus, Sensor, TruthPoint } from '../core/types.ts';
import { AircraftGrid } from './grid.ts';
import type { Scenario, ScenarioSpec } from './scenario.ts';
import { Traffic, type Aircraft, type SimTruthPoint } from './traffic.ts';

const TWO_PI = 2 * Math.PI;
const DEG = Math.PI / 180;
/** Sectors per revolution for plot blocks and CAT034 sector crossings. */
export const SECTORS = 16;
/** Delay from a sector's end to its block leaving the radar. */
const LATENCY_S = 0.05;
/** Largest number of plots put in one data block (keeps blocks well under 64 KiB). */
const MAX_PLOTS_PER_BLOCK = 250;
/** Fastest an aircraft moves (m/s) and climbs, for conservative culling margins. */
const MAX_SPEED_MPS = 400;
const MAX_CLIMB_MPS = 50;
/** ADS-B ground stations send what they received every half second. */
const ADSB_BLOCK_S = 0.5;
const ADSB_LATENCY_S = 0.02;

/** Something that happened in the scenario, at the time of its output record. */
export type SimEvent =
  | { readonly type: 'partner-status'; readonly partnerId: string; readonly status: PartnerStatus }
  | { readonly type: 'sensor-outage'; readonly sensorId: string; readonly untilS: number }
  | { readonly type: 'sensor-recovery'; readonly sensorId: string }
  | { readonly type: 'squawk'; readonly aircraftId: string; readonly icao24: string | null; readonly callsign: string | null; readonly previous: string | null; readonly code: string }
  | { readonly type: 'transponder-off'; readonly aircraftId: string; readonly icao24: string | null; readonly mode3a: string | null }
  | { readonly type: 'unknown-aircraft'; readonly aircraftId: string; readonly latDeg: number; readonly lonDeg: number; readonly altM: number };

export type SimOutput =
  | { readonly kind: 'block'; readonly timeS: number; readonly sensorId: string; readonly cat: 21 | 34 | 48; readonly bytes: Uint8Array }
  | { readonly kind: 'truth'; readonly timeS: number; readonly points: readonly TruthPoint[] }
  | { readonly kind: 'event'; readonly timeS: number; readonly event: SimEvent };

export interface SimOptions {
  /** Overrides the scenario's start (live mode starts now). */
  readonly startS?: number;
  readonly durationS?: number;
  readonly seed?: number;
}

/** A sensor's systematic errors (what registration must estimate). */
export interface SensorBias {
  readonly rangeOffsetM: number;
  readonly rangeGainPpm: number;
  readonly azimuthOffsetDeg: number;
  readonly timeOffsetS: number;
}

const NO_BIAS: SensorBias = { rangeOffsetM: 0, rangeGainPpm: 0, azimuthOffsetDeg: 0, timeOffsetS: 0 };

/** The true biases of every sensor of the scenario (zero where none is set). */
export function sensorBiases(scn: Scenario): Map<string, SensorBias> {
  return new Map(scn.coalition.sensors.map((s) => [s.id, { ...NO_BIAS, ...scn.spec.sensors[s.id]?.bias }]));
}

interface RadarState {
  readonly sensor: Sensor;
  readonly site: Geodetic;
  readonly frame: EnuFrame;
  readonly periodS: number;
  nextScanS: number;
  readonly rangeScale: number;
  readonly rangeOffsetM: number;
  readonly azimuthOffsetRad: number;
  readonly timeOffsetS: number;
  readonly pd: { psr: number; ssr: number };
  readonly clutterPerScan: number;
  /** Clutter patches [rangeM, azimuthRad, ...]; empty for uniform clutter. */
  readonly patches: Float64Array;
  readonly outages: readonly (readonly [number, number])[];
}

interface StationState {
  readonly sensor: Sensor;
  readonly frame: EnuFrame;
  readonly outages: readonly (readonly [number, number])[];
  readonly bins: [Cat021Report[], Cat021Report[]];
}

function down(outages: readonly (readonly [number, number])[], t: number): boolean {
  for (const [a, b] of outages) if (t >= a && t < b) return true;
  return false;
}

type EventSpec = ScenarioSpec['events'][number];

export function* simulate(scn: Scenario, opts: SimOptions = {}): Generator<SimOutput> {
  const startS = Math.floor(opts.startS ?? scn.startS);
  const durationS = opts.durationS ?? scn.spec.durationS;
  const endS = startS + durationS;
  const seed = opts.seed ?? scn.spec.seed ?? 1;
  const rng = new Random(seed);
  // Separate streams for what the first simulator did not have, so adding
  // clutter, ADS-B or events never changes the plots of a scenario without them.
  const auxRng = new Random((seed ^ 0x5bd1e995) >>> 0);
  const clutterRng = new Random((seed ^ 0x27d4eb2f) >>> 0);
  const adsbRng = new Random((seed ^ 0x165667b1) >>> 0);
  const spec = scn.spec;
  const retireM = retireRadiusM(scn);
  const traffic = new Traffic(
    {
      centerLatRad: spec.region.lat * DEG,
      centerLonRad: spec.region.lon * DEG,
      radiusM: spec.region.radiusM,
      count: spec.aircraft.count,
      noTransponderFraction: spec.aircraft.noTransponderFraction,
      modeSFraction: spec.aircraft.modeSFraction,
      turningFraction: spec.aircraft.turningFraction,
      retireRadiusM: retireM,
      model: spec.aircraft.model,
      adsbFraction: spec.aircraft.adsbFraction,
      ...(spec.aircraft.mix ? { mix: spec.aircraft.mix } : {}),
      crossingPairs: spec.aircraft.crossingPairs,
      parallelPairs: spec.aircraft.parallelPairs,
    },
    rng,
    startS,
    auxRng,
  );
  const outages = new Map<string, [number, number][]>();
  for (const e of spec.events) {
    if (e.type === 'sensor-outage') (outages.get(e.sensor) ?? outages.set(e.sensor, []).get(e.sensor)!).push([startS + e.atS, startS + e.atS + e.durationS]);
  }
  const radars: RadarState[] = scn.coalition.sensors
    .filter((s) => s.kind !== 'adsb' && s.rotationS !== null)
    .map((s) => {
      const site = { latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM };
      const sim = spec.sensors[s.id];
      const bias = { ...NO_BIAS, ...sim?.bias };
      const hasPsr = s.kind === 'psr' || s.kind === 'psr+ssr';
      const clutter = { ...spec.clutter, ...sim?.clutter };
      const psrRangeM = s.psrMaxRangeM ?? s.maxRangeM;
      const patches: number[] = [];
      for (let i = 0; i < clutter.clusters; i++) patches.push(clutterRng.uniform(5000, 0.6 * psrRangeM), clutterRng.uniform(0, TWO_PI));
      return {
        sensor: s,
        site,
        frame: new EnuFrame(site),
        periodS: s.rotationS!,
        // Antennas are not synchronised: each starts at its own phase.
        nextScanS: startS - rng.uniform(0, s.rotationS!),
        rangeScale: 1 + bias.rangeGainPpm * 1e-6,
        rangeOffsetM: bias.rangeOffsetM,
        azimuthOffsetRad: bias.azimuthOffsetDeg * DEG,
        timeOffsetS: bias.timeOffsetS,
        pd: { psr: sim?.pdPsr ?? spec.detection.psr, ssr: sim?.pdSsr ?? spec.detection.ssr },
        clutterPerScan: hasPsr ? clutter.perScan : 0,
        patches: Float64Array.from(patches),
        outages: outages.get(s.id) ?? [],
      };
    });
  const stations: StationState[] = scn.coalition.sensors
    .filter((s) => s.kind === 'adsb')
    .map((s) => ({ sensor: s, frame: new EnuFrame({ latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM }), outages: outages.get(s.id) ?? [], bins: [[], []] }));
  const coverage = new SensorIndex(scn.coalition.sensors);
  const frames = new Map<string, EnuFrame>([...radars.map((r) => [r.sensor.id, r.frame] as const), ...stations.map((s) => [s.sensor.id, s.frame] as const)]);
  const lookaheadS = Math.ceil(Math.max(0, ...radars.map((r) => r.periodS))) + 2;
  const maxPeriodS = Math.max(1, ...radars.map((r) => r.periodS));
  // How far an aircraft can be from where the grid put it when a scan asks for it.
  const cullMarginM = MAX_SPEED_MPS * (lookaheadS + maxPeriodS + 2);
  const grid = new AircraftGrid(spec.region.lat * DEG, spec.region.lon * DEG, retireM);
  const pending = new OutputQueue();
  const events = spec.events.map((e) => ({ e, atS: startS + e.atS })).sort((a, b) => a.atS - b.atS);
  let nextEvent = 0;
  let sampledTo = startS - 1;
  const pos = new Float64Array(3);
  const scratch = new Float64Array(3);
  const candidates: Aircraft[] = [];
  const ctx: ScanContext = { rng, clutterRng, out: pending, pos, scratch, startS, endS, candidates };

  for (let s = startS; s < endS; s++) {
    let sampled = false;
    while (sampledTo < s + lookaheadS) {
      const x = sampledTo + 1;
      // Events change what is flown and sent from their instant on: apply
      // each before sampling the second that first reaches it.
      while (nextEvent < events.length && events[nextEvent]!.atS <= x) {
        const { e, atS } = events[nextEvent++]!;
        if (atS < endS) applyEvent(e, atS, x, traffic, scn, pending);
      }
      traffic.advance(x);
      sampledTo = x;
      if (stations.length > 0) adsbSecond(x, traffic.aircraft, stations, coverage, spec.adsb, adsbRng, pending, pos, scratch, startS, endS);
      sampled = true;
    }
    if (sampled) grid.build(traffic.aircraft);
    for (const r of radars) {
      while (r.nextScanS + r.periodS + 1 <= sampledTo) {
        grid.query(r.site.latRad, r.site.lonRad, r.sensor.maxRangeM + cullMarginM, candidates);
        scan(r, r.nextScanS, ctx);
        r.nextScanS += r.periodS;
      }
    }
    const points: SimTruthPoint[] = [];
    for (const ac of traffic.aircraft) {
      const p = ac.truthAt(s);
      if (p) {
        p.observable = coverage.observable(ac, p, s, frames, scratch);
        points.push(p);
      }
    }
    yield { kind: 'truth', timeS: s, points };
    for (let b = pending.peek(); b && b.timeS < s + 1; b = pending.peek()) yield pending.pop()!;
    traffic.prune(s);
  }
  for (let b = pending.pop(); b && b.timeS < endS; b = pending.pop()) yield b;
}

function applyEvent(e: EventSpec, atS: number, x: number, traffic: Traffic, scn: Scenario, out: OutputQueue): void {
  const push = (timeS: number, event: SimEvent) => out.push({ kind: 'event', timeS, event });
  switch (e.type) {
    case 'partner-status':
      push(atS, { type: 'partner-status', partnerId: e.partner, status: e.status });
      return;
    case 'sensor-outage':
      push(atS, { type: 'sensor-outage', sensorId: e.sensor, untilS: atS + e.durationS });
      push(atS + e.durationS, { type: 'sensor-recovery', sensorId: e.sensor });
      return;
    case 'squawk':
    case 'transponder-off': {
      const ac = chooseAircraft(traffic, e.aircraft, atS, scn);
      if (!ac) return;
      if (e.type === 'squawk') {
        const previous = ac.mode3aAt(atS);
        ac.squawk(atS, e.code);
        push(atS, { type: 'squawk', aircraftId: ac.identity.id, icao24: ac.identity.icao24, callsign: ac.identity.callsign, previous, code: e.code });
      } else {
        const mode3a = ac.mode3aAt(atS);
        ac.switchTransponderOff(atS);
        push(atS, { type: 'transponder-off', aircraftId: ac.identity.id, icao24: ac.identity.icao24, mode3a });
      }
      return;
    }
    case 'unknown-aircraft': {
      const spec = scn.spec;
      const cLat = spec.region.lat * DEG;
      const cLon = spec.region.lon * DEG;
      let lat: number, lon: number;
      if (e.lat !== undefined && e.lon !== undefined) {
        lat = e.lat * DEG;
        lon = e.lon * DEG;
      } else {
        // On the region's edge, due east of the centre, unless placed.
        lat = cLat;
        lon = cLon + spec.region.radiusM / (6371000 * Math.cos(cLat));
      }
      const inward = Math.atan2((cLon - lon) * Math.cos(cLat), cLat - lat);
      const heading = e.headingDeg !== undefined ? e.headingDeg * DEG : inward;
      const altM = e.altM ?? 1500;
      const ac = traffic.spawnUnknown(x, lat, lon, altM, heading, e.speedMps ?? 220);
      push(atS, { type: 'unknown-aircraft', aircraftId: ac.identity.id, latDeg: lat / DEG, lonDeg: lon / DEG, altM });
      return;
    }
  }
}

/** The named aircraft if live with a transponder on; else the one nearest the region centre (above 3000 m). */
function chooseAircraft(traffic: Traffic, id: string | undefined, t: number, scn: Scenario): Aircraft | null {
  const live = traffic.aircraft.filter((a) => !a.retired && a.transponderOnAt(t) && a.mode3aAt(t) !== null);
  if (id !== undefined) {
    const named = live.find((a) => a.identity.id === id);
    if (named) return named;
  }
  const cLat = scn.spec.region.lat * DEG;
  const cLon = scn.spec.region.lon * DEG;
  let best: Aircraft | null = null;
  let bestD = Infinity;
  for (const a of live) {
    if (a.heightM < 3000 || a.mode3aAt(t) === '7500' || a.mode3aAt(t) === '7600' || a.mode3aAt(t) === '7700') continue;
    const d = Math.hypot(a.latRad - cLat, (a.lonRad - cLon) * Math.cos(cLat));
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

/**
 * Which sensors may see a point: a 1-degree cell index of sensors whose
 * coverage reaches the cell, built lazily. Used for ADS-B reception and the
 * truth's `observable` flag.
 */
class SensorIndex {
  private readonly cells = new Map<number, number[]>();
  constructor(readonly sensors: readonly Sensor[]) {}

  at(latRad: number, lonRad: number): readonly number[] {
    const la = Math.floor(latRad / DEG);
    const lo = Math.floor(lonRad / DEG);
    const key = (la + 90) * 400 + (lo + 180);
    let c = this.cells.get(key);
    if (!c) {
      c = [];
      const cLat = (la + 0.5) * DEG;
      const cLon = (lo + 0.5) * DEG;
      // Half a cell's diagonal is under 80 km.
      for (let i = 0; i < this.sensors.length; i++) {
        const s = this.sensors[i]!;
        const d = Math.hypot(s.latRad - cLat, (s.lonRad - cLon) * Math.cos(cLat)) * 6371000;
        if (d < s.maxRangeM + 90000) c.push(i);
      }
      this.cells.set(key, c);
    }
    return c;
  }

  /** Can some declared sensor, up at time s, see this aircraft (range, horizon, transponder for secondary, ADS-B equipage)? */
  observable(ac: Aircraft, p: SimTruthPoint, s: number, frames: Map<string, EnuFrame>, scratch: Float64Array): boolean {
    const lat = p.latDeg * DEG;
    const lon = p.lonDeg * DEG;
    const h = p.altM ?? 0;
    const xpdr = ac.transponderOnAt(s);
    for (const i of this.at(lat, lon)) {
      const sn = this.sensors[i]!;
      let rangeM: number;
      if (sn.kind === 'adsb') {
        if (!ac.adsb || !xpdr) continue;
        rangeM = sn.maxRangeM;
      } else if (sn.kind === 'psr') rangeM = sn.psrMaxRangeM ?? sn.maxRangeM;
      else if (sn.kind === 'psr+ssr') rangeM = xpdr ? sn.maxRangeM : (sn.psrMaxRangeM ?? sn.maxRangeM);
      else if (!xpdr) continue;
      else rangeM = sn.maxRangeM;
      const f = frames.get(sn.id);
      if (!f || !visible(f, lat, lon, h, rangeM, scratch)) continue;
      return true;
    }
    return false;
  }
}

/** In range and above the 4/3-earth horizon of the sensor at the frame's origin. */
function visible(f: EnuFrame, lat: number, lon: number, h: number, rangeM: number, scratch: Float64Array): boolean {
  const m = f.radarMeasure(lat, lon, h, scratch);
  const slant = m[0]!;
  if (slant > rangeM) return false;
  const dh = h - f.origin.heightM;
  const ground = Math.sqrt(Math.max(0, slant * slant - dh * dh));
  return ground <= radarHorizonRangeM(f.origin.heightM, h);
}

/**
 * ADS-B for second [x-1, x): each equipped aircraft broadcasts at its own
 * irregular rate (interval uniform in [min, max] s); every ground station in
 * range and line of sight reports it with its own horizontal noise.
 */
function adsbSecond(
  x: number, aircraft: readonly Aircraft[], stations: readonly StationState[], index: SensorIndex,
  cfg: { minIntervalS: number; maxIntervalS: number }, rng: Random, out: OutputQueue,
  pos: Float64Array, scratch: Float64Array, startS: number, endS: number,
): void {
  const byId = new Map<number, StationState>();
  index.sensors.forEach((s, i) => {
    const st = stations.find((t) => t.sensor === s);
    if (st) byId.set(i, st);
  });
  for (const ac of aircraft) {
    if (!ac.adsb || ac.retired) continue;
    if (ac.nextAdsbS === Infinity) ac.nextAdsbS = ac.firstS + rng.next() * cfg.maxIntervalS;
    while (ac.nextAdsbS < x) {
      const t = ac.nextAdsbS;
      ac.nextAdsbS += rng.uniform(cfg.minIntervalS, cfg.maxIntervalS);
      if (t < startS || t >= endS || !ac.transponderOnAt(t) || !ac.positionAt(t, pos)) continue;
      const lat = pos[0]!;
      const lon = pos[1]!;
      const h = pos[2]!;
      for (const i of index.at(lat, lon)) {
        const st = byId.get(i);
        if (!st || down(st.outages, t) || !visible(st.frame, lat, lon, h, st.sensor.maxRangeM, scratch)) continue;
        const sigma = st.sensor.sigmaRangeM;
        const rN = 6371000 + h;
        const fl = h / flightLevelToM(1);
        st.bins[t - (x - 1) < ADSB_BLOCK_S ? 0 : 1].push({
          sac: st.sensor.sac,
          sic: st.sensor.sic,
          timeOfDayS: timeOfDayS(t),
          latRad: lat + (rng.gauss() * sigma) / rN,
          lonRad: lon + (rng.gauss() * sigma) / (rN * Math.cos(lat)),
          // Barometric altitude in 25 ft steps (quarter flight levels).
          flightLevel: Math.round(fl * 4) / 4,
          geometricHeightM: h,
          icao24: ac.identity.icao24!,
          callsign: ac.identity.callsign,
          mode3a: ac.mode3aAt(t),
        });
      }
    }
  }
  for (const st of stations) {
    for (let b = 0; b < 2; b++) {
      const reports = st.bins[b]!;
      if (reports.length === 0) continue;
      reports.sort((p, q) => p.timeOfDayS - q.timeOfDayS);
      const timeS = x - 1 + (b + 1) * ADSB_BLOCK_S + ADSB_LATENCY_S;
      for (const bytes of encodeCat021Blocks(reports)) out.push({ kind: 'block', timeS, sensorId: st.sensor.id, cat: 21, bytes });
      st.bins[b] = [];
    }
  }
}

/** Farthest any sensor reaches from the region's centre, plus a margin, and at least 1.15 region radii. */
function retireRadiusM(scn: Scenario): number {
  const c = { latRad: scn.spec.region.lat * DEG, lonRad: scn.spec.region.lon * DEG };
  let r = scn.spec.region.radiusM * 1.15;
  for (const s of scn.coalition.sensors) {
    const d = geodesicInverse(c.latRad, c.lonRad, s.latRad, s.lonRad)[0]!;
    r = Math.max(r, d + s.maxRangeM + 20000);
  }
  return r;
}

interface ScanContext {
  readonly rng: Random;
  readonly clutterRng: Random;
  readonly out: OutputQueue;
  readonly pos: Float64Array;
  readonly scratch: Float64Array;
  readonly startS: number;
  readonly endS: number;
  /** The aircraft near the radar, in spawn order. */
  readonly candidates: readonly Aircraft[];
}

/** Poisson draw (Knuth), for the small means of clutter per scan. */
function poisson(rng: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.gauss()));
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > l) {
    k++;
    p *= rng.next();
  }
  return k;
}

function scan(r: RadarState, scanS: number, c: ScanContext): void {
  const { sensor, frame, periodS } = r;
  const { rng, pos, scratch, startS, endS } = c;
  const bySector: Cat048Report[][] = Array.from({ length: SECTORS }, () => []);
  const psrRangeM = sensor.psrMaxRangeM ?? sensor.maxRangeM;
  const hasPsr = sensor.kind === 'psr' || sensor.kind === 'psr+ssr';
  const siteH = r.site.heightM;
  const azOff = r.azimuthOffsetRad;
  // Conservative pre-cull: within one period an aircraft moves < MAX_SPEED x T and climbs < MAX_CLIMB x T.
  const moveM = MAX_SPEED_MPS * periodS + 1000;
  const climbM = MAX_CLIMB_MPS * periodS;
  const azimuthOf = (p: Float64Array) => frame.radarMeasure(p[0]!, p[1]!, p[2]!, scratch)[1]!;
  for (const ac of c.candidates) {
    // The beam passes the aircraft when its azimuth (as the antenna counts
    // it: true azimuth plus the north-alignment bias) equals the antenna's:
    // iterate t <- t + (azimuth(t) - beam(t)) / rate, with the difference
    // wrapped to +-pi so a target near north converges to one side of the
    // scan's start. Three steps converge to well under a millisecond.
    if (!ac.positionAt(scanS, pos)) continue;
    const m0 = frame.radarMeasure(pos[0]!, pos[1]!, pos[2]!, scratch);
    if (m0[0]! > sensor.maxRangeM + moveM) continue;
    const dh0 = pos[2]! - siteH;
    const g0 = Math.sqrt(Math.max(0, m0[0]! * m0[0]! - dh0 * dh0));
    if (g0 - moveM > radarHorizonRangeM(siteH, pos[2]! + climbM)) continue;
    let az0 = azOff === 0 ? m0[1]! : wrapTwoPi(m0[1]! + azOff);
    // A target a hair west of north belongs to the start of this scan, not
    // its end (where rounding could push it past every scan and lose it).
    if (az0 > TWO_PI - 1e-6) az0 -= TWO_PI;
    let tHit = scanS + (az0 / TWO_PI) * periodS;
    let ok = true;
    for (let k = 0; k < 3 && ok; k++) {
      ok = ac.positionAt(tHit, pos);
      if (ok) tHit += (wrapPi(azimuthOf(pos) + azOff - (TWO_PI * (tHit - scanS)) / periodS) / TWO_PI) * periodS;
    }
    if (ok && tHit < scanS && tHit > scanS - 1e-5) tHit = scanS;
    // A target the beam meets just before this scan's start belongs to the previous scan.
    if (!ok || tHit < scanS || tHit >= scanS + periodS || tHit < startS || tHit >= endS || !ac.positionAt(tHit, pos)) continue;
    if (r.outages.length > 0 && down(r.outages, tHit)) continue;
    const heightM = pos[2]!;
    const m = frame.radarMeasure(pos[0]!, pos[1]!, heightM, scratch);
    const slantRangeM = m[0]!;
    const trueAzimuthRad = m[1]!;
    if (slantRangeM > sensor.maxRangeM) continue;
    const groundM = Math.sqrt(Math.max(0, slantRangeM ** 2 - (heightM - siteH) ** 2));
    if (groundM > radarHorizonRangeM(siteH, heightM)) continue;

    const xpdr = ac.transponderAt(tHit);
    const psrHit = hasPsr && slantRangeM <= psrRangeM && rng.next() < r.pd.psr;
    const ssrCapable = sensor.kind !== 'psr' && xpdr !== 'none';
    const ssrHit = ssrCapable && rng.next() < r.pd.ssr;
    let detection: Detection;
    if (ssrHit) detection = sensor.kind === 'mode-s' && xpdr === 'mode-s' ? 'mode-s' : psrHit ? 'psr+ssr' : 'ssr';
    else if (psrHit) detection = 'psr';
    else continue;

    // Range bias: rho = (1 + gain) x true slant range + offset.
    const rangeM = slantRangeM * r.rangeScale + r.rangeOffsetM + rng.gauss() * sensor.sigmaRangeM;
    let azimuthRad = trueAzimuthRad + azOff + rng.gauss() * (sensor.sigmaAzimuthRad ?? 0);
    azimuthRad = ((azimuthRad % TWO_PI) + TWO_PI) % TWO_PI;
    const modeS = detection === 'mode-s';
    // Mode C reports in 100 ft steps, Mode S in 25 ft steps (quarter flight levels).
    const fl = heightM / flightLevelToM(1);
    const flightLevel = !ssrHit ? null : modeS ? Math.round(fl * 4) / 4 : Math.round(fl);
    const sector = Math.min(SECTORS - 1, Math.floor(((tHit - scanS) / periodS) * SECTORS));
    bySector[sector]!.push({
      sac: sensor.sac,
      sic: sensor.sic,
      timeOfDayS: timeOfDayS(tHit + r.timeOffsetS),
      rangeM: Math.max(0, rangeM),
      azimuthRad,
      detection,
      mode3a: ssrHit ? ac.mode3aAt(tHit) : null,
      flightLevel,
      icao24: modeS ? ac.identity.icao24 : null,
      callsign: modeS ? ac.identity.callsign : null,
      trackNumber: null,
    });
  }
  if (r.clutterPerScan > 0) addClutter(r, scanS, c, bySector, psrRangeM);

  const up = (t: number) => r.outages.length === 0 || !down(r.outages, t);
  const common = { sac: sensor.sac, sic: sensor.sic, antennaRotationS: periodS };
  if (scanS >= startS && up(scanS)) {
    c.out.push({
      kind: 'block', timeS: scanS, sensorId: sensor.id, cat: 34,
      bytes: encodeCat034Block([{ ...common, timeOfDayS: timeOfDayS(scanS + r.timeOffsetS), type: 'north-marker', sectorAzimuthRad: 0 }]),
    });
  }
  for (let i = 0; i < SECTORS; i++) {
    const sectorEndS = scanS + ((i + 1) / SECTORS) * periodS;
    const plots = bySector[i]!.sort((a, b) => a.timeOfDayS - b.timeOfDayS);
    for (let k = 0; k < plots.length; k += MAX_PLOTS_PER_BLOCK) {
      c.out.push({
        kind: 'block', timeS: sectorEndS + LATENCY_S, sensorId: sensor.id, cat: 48,
        bytes: encodeCat048Block(plots.slice(k, k + MAX_PLOTS_PER_BLOCK)),
      });
    }
    if (i < SECTORS - 1 && sectorEndS >= startS && up(sectorEndS)) {
      c.out.push({
        kind: 'block', timeS: sectorEndS, sensorId: sensor.id, cat: 34,
        bytes: encodeCat034Block([{ ...common, timeOfDayS: timeOfDayS(sectorEndS + r.timeOffsetS), type: 'sector-crossing', sectorAzimuthRad: ((i + 1) / SECTORS) * TWO_PI }]),
      });
    }
  }
}

/**
 * False primary-only plots: a Poisson number per scan with the configured
 * mean, uniform in range (2 km to the primary coverage) and azimuth, or
 * scattered (3 km, 3 km across) around fixed patches. Each is timed when the
 * beam passes its azimuth.
 */
function addClutter(r: RadarState, scanS: number, c: ScanContext, bySector: Cat048Report[][], psrRangeM: number): void {
  const rng = c.clutterRng;
  const n = poisson(rng, r.clutterPerScan);
  const np = r.patches.length / 2;
  for (let k = 0; k < n; k++) {
    let rangeM: number;
    let az: number;
    if (np === 0) {
      rangeM = rng.uniform(2000, psrRangeM);
      az = rng.uniform(0, TWO_PI);
    } else {
      const p = rng.int(0, np - 1);
      rangeM = r.patches[2 * p]! + rng.gauss() * 3000;
      az = wrapTwoPi(r.patches[2 * p + 1]! + (rng.gauss() * 3000) / r.patches[2 * p]!);
    }
    if (rangeM < 500 || rangeM > psrRangeM) continue;
    const t = scanS + (az / TWO_PI) * r.periodS;
    if (t < c.startS || t >= c.endS || (r.outages.length > 0 && down(r.outages, t))) continue;
    const sector = Math.min(SECTORS - 1, Math.floor((az / TWO_PI) * SECTORS));
    bySector[sector]!.push({
      sac: r.sensor.sac, sic: r.sensor.sic, timeOfDayS: timeOfDayS(t + r.timeOffsetS), rangeM, azimuthRad: az,
      detection: 'psr', mode3a: null, flightLevel: null, icao24: null, callsign: null, trackNumber: null,
    });
  }
}

type Queued = Exclude<SimOutput, { kind: 'truth' }>;

/** A binary min-heap of outputs by emission time; ties keep insertion order. */
class OutputQueue {
  private readonly heap: { b: Queued; seq: number }[] = [];
  private seq = 0;

  push(b: Queued): void {
    const h = this.heap;
    h.push({ b, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  peek(): Queued | undefined {
    return this.heap[0]?.b;
  }

  pop(): Queued | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top?.b;
  }
}

function less(a: { b: Queued; seq: number }, b: { b: Queued; seq: number }): boolean {
  return a.b.timeS < b.b.timeS || (a.b.timeS === b.b.timeS && a.seq < b.seq);
}
