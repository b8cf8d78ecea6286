// Tracker scaling: N aircraft flying straight over a square region watched
// by a grid of rotating radars; plots are made directly in each radar's
// polar frame (no ASTERIX), batched per antenna sector as a radar sends them,
// and fed to the tracker as fast as it takes them. Prints plots/s and heap at
// each N, so how cost grows with the number of aircraft is visible.
// Run alone: node --import tsx bench/tracker.ts [N ...]

import { EnuFrame, degToRad } from '../src/core/geodesy.ts';
import { Random } from '../src/core/random.ts';
import type { Coalition, RadarPlot, Sensor } from '../src/core/types.ts';
import { TrackingLoop } from '../src/track/loop.ts';
import { Tracker } from '../src/track/tracker.ts';

const SIDE_M = 2_000_000;
const RADARS_PER_SIDE = 10; // 100 radars
const RANGE_M = 250_000;
const PERIOD_S = 5;
const SECTORS = 16;
const CENTER = { latRad: degToRad(28), lonRad: degToRad(40), heightM: 0 };

export function coalition(): Coalition {
  const plane = new EnuFrame(CENTER);
  const sensors: Sensor[] = [];
  for (let i = 0; i < RADARS_PER_SIDE; i++) {
    for (let j = 0; j < RADARS_PER_SIDE; j++) {
      const e = -SIDE_M / 2 + (i + 0.5) * (SIDE_M / RADARS_PER_SIDE);
      const n = -SIDE_M / 2 + (j + 0.5) * (SIDE_M / RADARS_PER_SIDE);
      const g = plane.enuToGeodetic(e, n, 0);
      sensors.push({
        id: `R${i}-${j}`, partnerId: `P${i % 5}`, kind: 'mode-s', sac: i, sic: j, latRad: g.latRad, lonRad: g.lonRad, altM: 100,
        rotationS: PERIOD_S, maxRangeM: RANGE_M, psrMaxRangeM: null, sigmaRangeM: 50, sigmaAzimuthRad: degToRad(0.06),
      });
    }
  }
  return { partners: [0, 1, 2, 3, 4].map((k) => ({ id: `P${k}`, name: `P${k}`, status: 'member' as const, releases: null })), sensors };
}

/** All plots of `durationS`, as per-sector batches in time order. */
export function makeBatches(c: Coalition, nAircraft: number, durationS: number, rng: Random): RadarPlot[][] {
  const plane = new EnuFrame(CENTER);
  const ac = Array.from({ length: nAircraft }, (_, k) => {
    const hdg = rng.uniform(0, 2 * Math.PI), v = rng.uniform(150, 250);
    return { e: rng.uniform(-SIDE_M / 2, SIDE_M / 2), n: rng.uniform(-SIDE_M / 2, SIDE_M / 2), vE: v * Math.sin(hdg), vN: v * Math.cos(hdg), h: rng.int(100, 400) * 30.48, icao: (0x100000 + k).toString(16) };
  });
  const sites = c.sensors.map((s) => ({ s, f: new EnuFrame({ latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM }), pos: plane.geodeticToEnu(s.latRad, s.lonRad, s.altM), phase: rng.uniform(0, PERIOD_S) }));
  const out: { t: number; plots: RadarPlot[] }[] = [];
  const meas = new Float64Array(3);
  for (const site of sites) {
    for (let scan = site.phase; scan < durationS; scan += PERIOD_S) {
      const bySector: RadarPlot[][] = Array.from({ length: SECTORS }, () => []);
      for (const a of ac) {
        const e = a.e + a.vE * scan, n = a.n + a.vN * scan;
        if (Math.abs(e - site.pos[0]!) > RANGE_M || Math.abs(n - site.pos[1]!) > RANGE_M) continue;
        // The beam meets the target when its azimuth comes round: the time
        // from the azimuth at scan start, then the target measured where it
        // is at that time (it moves up to 1.3 km in a scan, far outside a
        // gate if the plot said otherwise).
        // Traffic moves on the plane; an aircraft is at the latitude and
        // longitude below its plane position, at its flight level's height
        // above the ellipsoid (not above the plane, which 1,000 km out is
        // 80 km up).
        let g = plane.enuToGeodetic(e, n, 0);
        site.f.radarMeasure(g.latRad, g.lonRad, a.h, meas);
        if (meas[0]! > RANGE_M) continue;
        const t = scan + (meas[1]! / (2 * Math.PI)) * PERIOD_S;
        g = plane.enuToGeodetic(a.e + a.vE * t, a.n + a.vN * t, 0);
        site.f.radarMeasure(g.latRad, g.lonRad, a.h, meas);
        if (meas[0]! > RANGE_M) continue;
        bySector[Math.min(SECTORS - 1, Math.floor((meas[1]! / (2 * Math.PI)) * SECTORS))]!.push({
          kind: 'radar', sensorId: site.s.id, partnerId: site.s.partnerId, timeS: 1.7e9 + t,
          rangeM: meas[0]! + rng.gauss() * 50, azimuthRad: meas[1]! + rng.gauss() * degToRad(0.06),
          flightLevel: Math.round(a.h / 30.48), mode3a: null, icao24: a.icao, callsign: null, detection: 'mode-s',
        });
      }
      bySector.forEach((plots, k) => plots.length && out.push({ t: scan + ((k + 1) / SECTORS) * PERIOD_S, plots }));
    }
  }
  return out.sort((a, b) => a.t - b.t).map((b) => b.plots);
}

export function benchTracker(sizes: number[], durationS = 60): void {
  const c = coalition();
  let base: number | null = null;
  for (const n of sizes) {
    const batches = makeBatches(c, n, durationS, new Random(n));
    const nPlots = batches.reduce((s, b) => s + b.length, 0);
    globalThis.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const tracker = new Tracker(c);
    let lines = 0;
    const loop = new TrackingLoop(tracker, { periodS: 1, reorderWindowS: 2 }, (f) => (lines += f.tracks.length));
    const t0 = performance.now();
    for (const b of batches) loop.push(b);
    loop.flush();
    const s = (performance.now() - t0) / 1000;
    const heapMiB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    const rate = nPlots / s;
    base ??= rate;
    console.log(
      `tracker ${String(n).padStart(6)} aircraft, 100 radars: ${(rate / 1e3).toFixed(1).padStart(6)} k plots/s ` +
        `(${nPlots} plots in ${s.toFixed(1)} s; ${(rate / base).toFixed(2)}x the ${sizes[0]}-aircraft rate), ` +
        `${tracker.trackCount} tracks at the end (${tracker.stats.started} started, ${tracker.stats.merged} merged), heap +${heapMiB.toFixed(0)} MiB`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  benchTracker(sizes.length ? sizes : [1000, 5000, 20000]);
}
