// The simulation run: traffic flies, each rotating radar's beam sweeps in
// azimuth and reports an aircraft at the instant the beam passes it, with the
// sensor's noise, detection probability, range limit and 4/3-earth horizon.
// Output is what the radars would send (CAT048 plots grouped per sector,
// CAT034 north markers and sector crossings), in the order it would arrive,
// interleaved with one truth record per aircraft per second.

import { encodeCat034Block, encodeCat048Block, type Cat048Report } from '../asterix/index.ts';
import { flightLevelToM, geodesicInverse, radarHorizonVisible, radarMeasure, wrapPi, type Geodetic } from '../core/geodesy.ts';
import { Random } from '../core/random.ts';
import { timeOfDayS } from '../core/time.ts';
import type { Detection, Sensor, TruthPoint } from '../core/types.ts';
import type { Scenario } from './scenario.ts';
import { Traffic, type Aircraft } from './traffic.ts';

const TWO_PI = 2 * Math.PI;
const DEG = Math.PI / 180;
/** Sectors per revolution for plot blocks and CAT034 sector crossings. */
export const SECTORS = 16;
/** Delay from a sector's end to its block leaving the radar. */
const LATENCY_S = 0.05;
/** Largest number of plots put in one data block (keeps blocks well under 64 KiB). */
const MAX_PLOTS_PER_BLOCK = 250;

export type SimOutput =
  | { readonly kind: 'block'; readonly timeS: number; readonly sensorId: string; readonly cat: 34 | 48; readonly bytes: Uint8Array }
  | { readonly kind: 'truth'; readonly timeS: number; readonly points: readonly TruthPoint[] };

export interface SimOptions {
  /** Overrides the scenario's start (live mode starts now). */
  readonly startS?: number;
  readonly durationS?: number;
  readonly seed?: number;
}

interface RadarState {
  readonly sensor: Sensor;
  readonly site: Geodetic;
  readonly periodS: number;
  nextScanS: number;
}

export function* simulate(scn: Scenario, opts: SimOptions = {}): Generator<SimOutput> {
  const startS = Math.floor(opts.startS ?? scn.startS);
  const durationS = opts.durationS ?? scn.spec.durationS;
  const endS = startS + durationS;
  const rng = new Random(opts.seed ?? scn.spec.seed ?? 1);
  const spec = scn.spec;
  const traffic = new Traffic(
    {
      centerLatRad: spec.region.lat * DEG,
      centerLonRad: spec.region.lon * DEG,
      radiusM: spec.region.radiusM,
      count: spec.aircraft.count,
      noTransponderFraction: spec.aircraft.noTransponderFraction,
      modeSFraction: spec.aircraft.modeSFraction,
      turningFraction: spec.aircraft.turningFraction,
      retireRadiusM: retireRadiusM(scn),
    },
    rng,
    startS,
  );
  const radars: RadarState[] = scn.coalition.sensors
    .filter((s) => s.kind !== 'adsb' && s.rotationS !== null)
    .map((s) => ({
      sensor: s,
      site: { latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM },
      periodS: s.rotationS!,
      // Antennas are not synchronised: each starts at its own phase.
      nextScanS: startS - rng.uniform(0, s.rotationS!),
    }));
  const lookaheadS = Math.ceil(Math.max(0, ...radars.map((r) => r.periodS))) + 2;
  const pending = new BlockQueue();
  let sampledTo = startS - 1;
  const pos = new Float64Array(3);

  for (let s = startS; s < endS; s++) {
    while (sampledTo < s + lookaheadS) traffic.advance(++sampledTo);
    for (const r of radars) {
      while (r.nextScanS + r.periodS + 1 <= sampledTo) {
        scan(r, r.nextScanS, traffic.aircraft, rng, spec.detection, pending, pos, startS, endS);
        r.nextScanS += r.periodS;
      }
    }
    const points: TruthPoint[] = [];
    for (const ac of traffic.aircraft) {
      const p = ac.truthAt(s);
      if (p) points.push(p);
    }
    yield { kind: 'truth', timeS: s, points };
    for (let b = pending.peek(); b && b.timeS < s + 1; b = pending.peek()) yield pending.pop()!;
    traffic.prune(s);
  }
  for (let b = pending.pop(); b && b.timeS < endS; b = pending.pop()) yield b;
}

function azimuthOf(site: Geodetic, pos: Float64Array): number {
  return radarMeasure(site, { latRad: pos[0]!, lonRad: pos[1]!, heightM: pos[2]! }).azimuthRad;
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

function scan(
  r: RadarState,
  scanS: number,
  aircraft: readonly Aircraft[],
  rng: Random,
  pd: { psr: number; ssr: number },
  out: BlockQueue,
  pos: Float64Array,
  startS: number,
  endS: number,
): void {
  const { sensor, site, periodS } = r;
  const bySector: Cat048Report[][] = Array.from({ length: SECTORS }, () => []);
  const psrRangeM = sensor.psrMaxRangeM ?? sensor.maxRangeM;
  const hasPsr = sensor.kind === 'psr' || sensor.kind === 'psr+ssr';
  for (const ac of aircraft) {
    // The beam passes the aircraft when its azimuth equals the antenna's:
    // iterate t <- t + (azimuth(t) - beam(t)) / rate, with the difference
    // wrapped to +-pi so a target near north converges to one side of the
    // scan's start. Three steps converge to well under a millisecond.
    if (!ac.positionAt(scanS, pos)) continue;
    let tHit = scanS + (azimuthOf(site, pos) / TWO_PI) * periodS;
    let ok = true;
    for (let k = 0; k < 3 && ok; k++) {
      ok = ac.positionAt(tHit, pos);
      if (ok) tHit += (wrapPi(azimuthOf(site, pos) - (TWO_PI * (tHit - scanS)) / periodS) / TWO_PI) * periodS;
    }
    // A target the beam meets just before this scan's start belongs to the previous scan.
    if (!ok || tHit < scanS || tHit >= scanS + periodS || tHit < startS || tHit >= endS || !ac.positionAt(tHit, pos)) continue;
    const heightM = pos[2]!;
    const m = radarMeasure(site, { latRad: pos[0]!, lonRad: pos[1]!, heightM });
    if (m.slantRangeM > sensor.maxRangeM) continue;
    const groundM = Math.sqrt(Math.max(0, m.slantRangeM ** 2 - (heightM - site.heightM) ** 2));
    if (!radarHorizonVisible(site.heightM, heightM, groundM)) continue;

    const xpdr = ac.identity.transponder;
    const psrHit = hasPsr && m.slantRangeM <= psrRangeM && rng.next() < pd.psr;
    const ssrCapable = sensor.kind !== 'psr' && xpdr !== 'none';
    const ssrHit = ssrCapable && rng.next() < pd.ssr;
    let detection: Detection;
    if (ssrHit) detection = sensor.kind === 'mode-s' && xpdr === 'mode-s' ? 'mode-s' : psrHit ? 'psr+ssr' : 'ssr';
    else if (psrHit) detection = 'psr';
    else continue;

    const rangeM = m.slantRangeM + rng.gauss() * sensor.sigmaRangeM;
    let azimuthRad = m.azimuthRad + rng.gauss() * (sensor.sigmaAzimuthRad ?? 0);
    azimuthRad = ((azimuthRad % TWO_PI) + TWO_PI) % TWO_PI;
    const modeS = detection === 'mode-s';
    // Mode C reports in 100 ft steps, Mode S in 25 ft steps (quarter flight levels).
    const fl = heightM / flightLevelToM(1);
    const flightLevel = !ssrHit ? null : modeS ? Math.round(fl * 4) / 4 : Math.round(fl);
    const sector = Math.min(SECTORS - 1, Math.floor(((tHit - scanS) / periodS) * SECTORS));
    bySector[sector]!.push({
      sac: sensor.sac,
      sic: sensor.sic,
      timeOfDayS: timeOfDayS(tHit),
      rangeM: Math.max(0, rangeM),
      azimuthRad,
      detection,
      mode3a: ssrHit ? ac.identity.mode3a : null,
      flightLevel,
      icao24: modeS ? ac.identity.icao24 : null,
      callsign: modeS ? ac.identity.callsign : null,
      trackNumber: null,
    });
  }

  const common = { sac: sensor.sac, sic: sensor.sic, antennaRotationS: periodS };
  if (scanS >= startS) {
    out.push({
      kind: 'block', timeS: scanS, sensorId: sensor.id, cat: 34,
      bytes: encodeCat034Block([{ ...common, timeOfDayS: timeOfDayS(scanS), type: 'north-marker', sectorAzimuthRad: 0 }]),
    });
  }
  for (let i = 0; i < SECTORS; i++) {
    const sectorEndS = scanS + ((i + 1) / SECTORS) * periodS;
    const plots = bySector[i]!.sort((a, b) => a.timeOfDayS - b.timeOfDayS);
    for (let k = 0; k < plots.length; k += MAX_PLOTS_PER_BLOCK) {
      out.push({
        kind: 'block', timeS: sectorEndS + LATENCY_S, sensorId: sensor.id, cat: 48,
        bytes: encodeCat048Block(plots.slice(k, k + MAX_PLOTS_PER_BLOCK)),
      });
    }
    if (i < SECTORS - 1 && sectorEndS >= startS) {
      out.push({
        kind: 'block', timeS: sectorEndS, sensorId: sensor.id, cat: 34,
        bytes: encodeCat034Block([{ ...common, timeOfDayS: timeOfDayS(sectorEndS), type: 'sector-crossing', sectorAzimuthRad: ((i + 1) / SECTORS) * TWO_PI }]),
      });
    }
  }
}

type BlockOut = Extract<SimOutput, { kind: 'block' }>;

/** A binary min-heap of blocks by emission time; ties keep insertion order. */
class BlockQueue {
  private readonly heap: { b: BlockOut; seq: number }[] = [];
  private seq = 0;

  push(b: BlockOut): void {
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

  peek(): BlockOut | undefined {
    return this.heap[0]?.b;
  }

  pop(): BlockOut | undefined {
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

function less(a: { b: BlockOut; seq: number }, b: { b: BlockOut; seq: number }): boolean {
  return a.b.timeS < b.b.timeS || (a.b.timeS === b.b.timeS && a.seq < b.seq);
}
