// The simulated sensors against hand-computed geometry and statistics:
// where and when a radar sees a target, its biases, Pd and clutter, ADS-B
// rate and noise, and scripted events at their times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBlock, type Cat021Report, type Cat034Message, type Cat048Report } from '../asterix/index.ts';
import { parseScenario } from './scenario.ts';
import { simulate, type SimEvent } from './simulate.ts';
import { writeSimulation } from './write.ts';
import type { TruthPoint } from '../core/types.ts';

const DEG = Math.PI / 180;
const START = Date.parse('2025-06-01T10:00:00Z') / 1000;
const DAY0 = START - (START % 86400);

function scenario(over: Record<string, unknown>, sensors: object[]) {
  return parseScenario({
    name: 't', start: '2025-06-01T10:00:00Z', durationS: 120, seed: 7,
    region: { lat: 30, lon: 34, radiusM: 100000 },
    aircraft: { count: 0 },
    clutter: { perScan: 0 },
    coalition: { partners: [{ id: 'P', name: 'P', status: 'member' }, { id: 'Q', name: 'Q', status: 'member' }], sensors },
    ...over,
  }, 'test');
}

const radar = (o: Record<string, unknown> = {}) => ({
  id: 'R1', partner: 'P', kind: 'psr+ssr', sac: 1, sic: 1, lat: 30, lon: 34, altM: 0,
  rotationS: 4, maxRangeM: 400000, sigmaRangeM: 0.01, sigmaAzimuthDeg: 0.0001, ...o,
});

interface Run {
  plots: { sensorId: string; r: Cat048Report }[];
  service: { sensorId: string; m: Cat034Message }[];
  adsb: { sensorId: string; r: Cat021Report }[];
  truth: Map<string, Map<number, TruthPoint>>;
  events: { timeS: number; e: SimEvent }[];
  blocks: { timeS: number; sensorId: string; cat: number }[];
}

function run(scn: ReturnType<typeof scenario>, durationS?: number): Run {
  const out: Run = { plots: [], service: [], adsb: [], truth: new Map(), events: [], blocks: [] };
  for (const o of simulate(scn, durationS ? { durationS } : {})) {
    if (o.kind === 'truth') {
      for (const p of o.points) (out.truth.get(p.id) ?? out.truth.set(p.id, new Map()).get(p.id)!).set(p.timeS, p);
    } else if (o.kind === 'event') out.events.push({ timeS: o.timeS, e: o.event });
    else {
      out.blocks.push({ timeS: o.timeS, sensorId: o.sensorId, cat: o.cat });
      decodeBlock(o.bytes, 0, (d) => {
        if (d.cat === 48) out.plots.push({ sensorId: o.sensorId, r: d.report });
        else if (d.cat === 34) out.service.push({ sensorId: o.sensorId, m: d.report });
        else if (d.cat === 21) out.adsb.push({ sensorId: o.sensorId, r: d.report });
      }, (e) => assert.fail(e.toLine()));
    }
  }
  return out;
}

// Independent WGS-84 geometry, written out here rather than taken from core/geodesy.
const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
function ecef(latDeg: number, lonDeg: number, h: number): [number, number, number] {
  const la = latDeg * DEG, lo = lonDeg * DEG;
  const n = A / Math.sqrt(1 - E2 * Math.sin(la) ** 2);
  return [(n + h) * Math.cos(la) * Math.cos(lo), (n + h) * Math.cos(la) * Math.sin(lo), (n * (1 - E2) + h) * Math.sin(la)];
}
/** [slant range m, azimuth deg in [0, 360)] of a target from a site, in the site's tangent plane. */
function measure(site: [number, number, number], latDeg: number, lonDeg: number, h: number): [number, number] {
  const [x0, y0, z0] = ecef(site[0], site[1], site[2]);
  const [x, y, z] = ecef(latDeg, lonDeg, h);
  const dx = x - x0, dy = y - y0, dz = z - z0;
  const la = site[0] * DEG, lo = site[1] * DEG;
  const e = -Math.sin(lo) * dx + Math.cos(lo) * dy;
  const n = -Math.sin(la) * Math.cos(lo) * dx - Math.sin(la) * Math.sin(lo) * dy + Math.cos(la) * dz;
  return [Math.hypot(dx, dy, dz), ((Math.atan2(e, n) / DEG) % 360 + 360) % 360];
}

const angDiff = (a: number, b: number) => ((a - b + 540) % 360) - 180;

function markerBefore(r: Run, sensorId: string, tod: number): number {
  const ms = r.service.filter((s) => s.sensorId === sensorId && s.m.type === 'north-marker' && s.m.timeOfDayS <= tod).map((s) => s.m.timeOfDayS);
  return ms.at(-1)!;
}

test('a target due north and one to the north-east appear at the hand-computed rho, theta and beam time', () => {
  // An almost motionless target at FL300, 0.9 deg of latitude (~100 km) due north of the radar,
  // another at 30.6 N 34.7 E. Expected slant range and azimuth from the ECEF/ENU formulas above.
  const scn = scenario({
    events: [
      { type: 'unknown-aircraft', atS: 0, lat: 30.9, lon: 34, headingDeg: 0, speedMps: 0.001, altM: 9144 },
      { type: 'unknown-aircraft', atS: 0, lat: 30.6, lon: 34.7, headingDeg: 0, speedMps: 0.001, altM: 9144 },
    ],
  }, [radar()]);
  const r = run(scn, 60);
  const [rhoN, azN] = measure([30, 34, 0], 30.9, 34, 9144);
  assert.ok(Math.abs(rhoN - 100_190) < 200, `hand check: ~100.2 km (${rhoN})`);
  const [rhoNE, azNE] = measure([30, 34, 0], 30.6, 34.7, 9144);
  let north = 0, ne = 0;
  for (const { r: p } of r.plots) {
    assert.equal(p.detection, 'psr');
    const az = p.azimuthRad / DEG;
    const isNorth = Math.abs(angDiff(az, azN)) < 1;
    const [rho, azE] = isNorth ? [rhoN, azN] : [rhoNE, azNE];
    // CAT048 range LSB 1/256 NM (7.2 m), azimuth LSB 360/2^16 deg: half an LSB of error each.
    assert.ok(Math.abs(p.rangeM - rho) < 3.7, `range ${p.rangeM} vs ${rho}`);
    assert.ok(Math.abs(angDiff(az, azE)) < 0.003, `azimuth ${az} vs ${azE}`);
    // Time: the beam turns 360 deg per 4 s from the north marker; 1/128 s time LSB on each.
    const m = markerBefore(r, 'R1', p.timeOfDayS + 1e-9);
    const expected = m + (azE / 360) * 4;
    // Due north is the marker instant itself: the plot may sit on either side of it.
    const dt = p.timeOfDayS - expected;
    assert.ok([0, 4, -4].some((k) => Math.abs(dt - k) < 2 / 128), `time ${p.timeOfDayS} expected ${expected}`);
    if (isNorth) north++;
    else ne++;
  }
  // Pd 0.9 primary, 15 scans in 60 s: at least 9 each (P(fewer) < 1e-3).
  assert.ok(north >= 9 && ne >= 9, `${north} north, ${ne} north-east plots`);
});

/** Plot errors against truth-derived measurements, fitted for offset, gain and time bias. */
function biasFit(r: Run, sensorId: string, site: [number, number, number]) {
  const byCode = new Map<string, Map<number, TruthPoint>>();
  for (const pts of r.truth.values()) {
    const any = pts.values().next().value!;
    if (any.mode3a) byCode.set(any.mode3a, pts);
  }
  const at = (pts: Map<number, TruthPoint>, t: number) => {
    const s0 = Math.floor(t);
    const a = pts.get(s0), b = pts.get(s0 + 1);
    if (!a || !b) return null;
    const f = t - s0;
    return [a.latDeg + (b.latDeg - a.latDeg) * f, a.lonDeg + (b.lonDeg - a.lonDeg) * f, a.altM! + (b.altM! - a.altM!) * f] as const;
  };
  // Least squares of range error on [1, rho, rho-dot] and azimuth error on [1, theta-dot].
  const rows: [number, number, number, number][] = [];
  const azRows: [number, number][] = [];
  for (const { sensorId: id, r: p } of r.plots) {
    if (id !== sensorId || !p.mode3a) continue;
    const pts = byCode.get(p.mode3a);
    if (!pts) continue;
    const t = DAY0 + p.timeOfDayS;
    const q0 = at(pts, t - 0.5), q1 = at(pts, t + 0.5), q = at(pts, t);
    if (!q0 || !q1 || !q) continue;
    const [rho, az] = measure(site, q[0], q[1], q[2]);
    const [rho0, az0] = measure(site, q0[0], q0[1], q0[2]);
    const [rho1, az1] = measure(site, q1[0], q1[1], q1[2]);
    rows.push([p.rangeM - rho, rho, rho1 - rho0, 1]);
    azRows.push([angDiff(p.azimuthRad / DEG, az), angDiff(az1, az0)]);
  }
  // Normal equations for 3 unknowns [offset, gain, -dt]: e = b + g rho + (-dt)... model e = b + g rho - rhodot * dtReported
  const X = rows.map(([, rho, rdot]) => [1, rho / 1e5, rdot]);
  const y = rows.map(([e]) => e);
  const beta = solve3(X, y);
  return { n: rows.length, offsetM: beta[0]!, gainPpm: (beta[1]! / 1e5) * 1e6, timeS: -beta[2]!, azDeg: azRows.reduce((s, [e, w]) => s + e + w * -beta[2]!, 0) / azRows.length };
}

function solve3(X: number[][], y: number[]): number[] {
  const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const v = [0, 0, 0];
  X.forEach((row, k) => {
    for (let i = 0; i < 3; i++) {
      v[i]! += row[i]! * y[k]!;
      for (let j = 0; j < 3; j++) m[i]![j]! += row[i]! * row[j]!;
    }
  });
  // Gaussian elimination.
  for (let i = 0; i < 3; i++) {
    for (let k = i + 1; k < 3; k++) {
      const f = m[k]![i]! / m[i]![i]!;
      for (let j = i; j < 3; j++) m[k]![j]! -= f * m[i]![j]!;
      v[k]! -= f * v[i]!;
    }
  }
  const x = [0, 0, 0];
  for (let i = 2; i >= 0; i--) {
    let s = v[i]!;
    for (let j = i + 1; j < 3; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

test('biases appear as configured: range offset and gain, azimuth offset, time offset', () => {
  const scn = scenario({
    durationS: 300,
    region: { lat: 30, lon: 34, radiusM: 200000 },
    aircraft: { count: 60, noTransponderFraction: 0, modeSFraction: 0, turningFraction: 0 },
    sensors: { R1: { bias: { rangeOffsetM: 200, rangeGainPpm: 150, azimuthOffsetDeg: 0.25, timeOffsetS: 0.4 } } },
  }, [radar({ kind: 'ssr', sigmaRangeM: 50, sigmaAzimuthDeg: 0.05 })]);
  const r = run(scn);
  const fit = biasFit(r, 'R1', [30, 34, 0]);
  // ~60 aircraft x 75 scans x 0.97: > 2,000 plots. With 50 m range noise the
  // offset is known to ~5 m, the gain to ~10 ppm, the time to ~0.01 s (radial
  // speeds up to 250 m/s), the azimuth to ~0.002 deg: bounds of about 4 sigma.
  assert.ok(fit.n > 2000, `${fit.n} plots`);
  assert.ok(Math.abs(fit.offsetM - 200) < 25, `range offset ${fit.offsetM}`);
  assert.ok(Math.abs(fit.gainPpm - 150) < 40, `range gain ${fit.gainPpm} ppm`);
  assert.ok(Math.abs(fit.timeS - 0.4) < 0.05, `time offset ${fit.timeS}`);
  assert.ok(Math.abs(fit.azDeg - 0.25) < 0.01, `azimuth offset ${fit.azDeg}`);
  // The same fit on an unbiased radar finds zeros.
  const r0 = run(scenario({ durationS: 300, region: { lat: 30, lon: 34, radiusM: 200000 }, aircraft: { count: 60, noTransponderFraction: 0, modeSFraction: 0, turningFraction: 0 } }, [radar({ kind: 'ssr', sigmaRangeM: 50, sigmaAzimuthDeg: 0.05 })]));
  const f0 = biasFit(r0, 'R1', [30, 34, 0]);
  assert.ok(Math.abs(f0.offsetM) < 25 && Math.abs(f0.gainPpm) < 40 && Math.abs(f0.timeS) < 0.05 && Math.abs(f0.azDeg) < 0.01, JSON.stringify(f0));
});

test('probability of detection: an ssr radar with Pd 0.8 detects 80 % of in-coverage scans', () => {
  const scn = scenario({
    durationS: 300,
    aircraft: { count: 40, noTransponderFraction: 0, modeSFraction: 0, turningFraction: 0 },
    detection: { psr: 0.9, ssr: 0.8 },
  }, [radar({ kind: 'ssr', sigmaRangeM: 50, sigmaAzimuthDeg: 0.05 })]);
  const r = run(scn);
  // Per aircraft, count only the scans strictly between its first and last
  // plot (in coverage throughout, since the flights are straight).
  const times = new Map<string, number[]>();
  for (const { r: p } of r.plots) (times.get(p.mode3a!) ?? times.set(p.mode3a!, []).get(p.mode3a!)!).push(p.timeOfDayS);
  let hits = 0, scans = 0;
  for (const ts of times.values()) {
    if (ts.length < 3) continue;
    ts.sort((a, b) => a - b);
    scans += Math.round((ts.at(-1)! - ts[0]!) / 4) - 1;
    hits += ts.length - 2;
  }
  // ~40 x 74 scans: sigma of the rate sqrt(0.8 x 0.2 / 2900) = 0.0074; 4 sigma = 0.03.
  assert.ok(scans > 2000, `${scans} scans`);
  assert.ok(Math.abs(hits / scans - 0.8) < 0.03, `detection rate ${hits / scans}`);
});

test('PSR clutter: a Poisson number per scan with the configured mean, uniform in range and azimuth', () => {
  const scn = scenario({ durationS: 800, clutter: { perScan: 3 } }, [radar({ kind: 'psr', maxRangeM: 200000 }), radar({ id: 'R2', kind: 'ssr', sic: 2 })]);
  const r = run(scn);
  const c = r.plots.filter((p) => p.sensorId === 'R1').map((p) => p.r);
  const scans = r.service.filter((s) => s.sensorId === 'R1' && s.m.type === 'north-marker').length;
  // 200 scans x 3 = 600 expected, Poisson sigma 24.5: 4 sigma = 100.
  assert.ok(Math.abs(c.length - 3 * scans) < 100, `${c.length} clutter plots in ${scans} scans`);
  assert.equal(r.plots.filter((p) => p.sensorId === 'R2').length, 0, 'a secondary radar has no clutter');
  for (const p of c) {
    assert.equal(p.detection, 'psr');
    assert.equal(p.mode3a, null);
    assert.ok(p.rangeM >= 2000 && p.rangeM <= 200000);
  }
  // Uniform range in [2, 200] km: mean 101 km, sigma of the mean 57 km / sqrt(600) = 2.3 km.
  const meanR = c.reduce((s, p) => s + p.rangeM, 0) / c.length;
  assert.ok(Math.abs(meanR - 101000) < 10000, `mean clutter range ${meanR}`);
  const east = c.filter((p) => p.azimuthRad < Math.PI).length / c.length;
  assert.ok(Math.abs(east - 0.5) < 0.09, `half the clutter east of north: ${east}`);
});

test('ADS-B: about one report a second per equipped aircraft, with the station noise and 25 ft levels', () => {
  const scn = scenario({
    durationS: 120,
    aircraft: { count: 30, noTransponderFraction: 0, modeSFraction: 1, turningFraction: 0, adsbFraction: 1 },
  }, [{ id: 'G1', partner: 'P', kind: 'adsb', sac: 1, sic: 9, lat: 30, lon: 34, altM: 100, rotationS: null, maxRangeM: 500000, sigmaRangeM: 30 }]);
  const r = run(scn);
  const byIcao = new Map<string, Cat021Report[]>();
  for (const { r: a } of r.adsb) (byIcao.get(a.icao24) ?? byIcao.set(a.icao24, []).get(a.icao24)!).push(a);
  const truthByIcao = new Map<string, Map<number, TruthPoint>>();
  for (const pts of r.truth.values()) {
    const p = pts.values().next().value!;
    truthByIcao.set(p.icao24!, pts);
  }
  let gaps = 0, sumGap = 0, minGap = Infinity, maxGap = 0;
  let n = 0, sumE2 = 0, sumN2 = 0;
  for (const [icao, reports] of byIcao) {
    const pts = truthByIcao.get(icao)!;
    for (let i = 0; i < reports.length; i++) {
      const a = reports[i]!;
      if (i > 0) {
        const g = a.timeOfDayS - reports[i - 1]!.timeOfDayS;
        gaps++;
        sumGap += g;
        minGap = Math.min(minGap, g);
        maxGap = Math.max(maxGap, g);
      }
      const t = DAY0 + a.timeOfDayS;
      const p0 = pts.get(Math.floor(t)), p1 = pts.get(Math.floor(t) + 1);
      if (!p0 || !p1) continue;
      const f = t - Math.floor(t);
      const lat = p0.latDeg + (p1.latDeg - p0.latDeg) * f;
      const lon = p0.lonDeg + (p1.lonDeg - p0.lonDeg) * f;
      const h = p0.altM! + (p1.altM! - p0.altM!) * f;
      sumN2 += ((a.latRad / DEG - lat) * 111_000) ** 2;
      sumE2 += ((a.lonRad / DEG - lon) * 111_000 * Math.cos(lat * DEG)) ** 2;
      n++;
      assert.ok(Number.isInteger(a.flightLevel! * 4), 'FL in quarter steps (25 ft)');
      assert.ok(Math.abs(a.flightLevel! - h / 30.48) < 0.13, `FL ${a.flightLevel} vs ${h / 30.48}`);
      assert.equal(a.mode3a, p0.mode3a);
      assert.equal(a.callsign, p0.callsign);
    }
  }
  assert.equal(byIcao.size, 30, 'every equipped aircraft is heard');
  // Intervals uniform in [0.5, 1.5] s: mean 1 s, sigma of the mean 0.29 / sqrt(3500) = 0.005 s.
  assert.ok(Math.abs(sumGap / gaps - 1) < 0.03, `mean interval ${sumGap / gaps}`);
  assert.ok(minGap >= 0.5 - 1 / 128 && maxGap <= 1.5 + 1 / 128, `intervals ${minGap}..${maxGap}`);
  // Per-axis noise 30 m (the station's sigmaRangeM); 111 km/deg is within 0.5 % here.
  const sE = Math.sqrt(sumE2 / n), sN = Math.sqrt(sumN2 / n);
  assert.ok(Math.abs(sE - 30) < 3 && Math.abs(sN - 30) < 3, `noise east ${sE} north ${sN}`);
});

test('events happen at their times: membership, outage, emergency squawk, transponder off, unknown aircraft', async () => {
  const scn = scenario({
    durationS: 150,
    aircraft: { count: 20, noTransponderFraction: 0, modeSFraction: 1, turningFraction: 0, adsbFraction: 1 },
    events: [
      { type: 'unknown-aircraft', atS: 20, lat: 30.3, lon: 34.3, headingDeg: 200, speedMps: 150, altM: 2000 },
      { type: 'squawk', atS: 30, code: '7700' },
      { type: 'sensor-outage', atS: 40, sensor: 'R2', durationS: 30 },
      { type: 'partner-status', atS: 50, partner: 'Q', status: 'suspended' },
      { type: 'transponder-off', atS: 60 },
    ],
  }, [
    radar({ sigmaRangeM: 50, sigmaAzimuthDeg: 0.05 }),
    radar({ id: 'R2', partner: 'Q', kind: 'mode-s', sic: 2, lat: 30.5, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 }),
    { id: 'G1', partner: 'P', kind: 'adsb', sac: 1, sic: 9, lat: 30, lon: 34, altM: 100, rotationS: null, maxRangeM: 500000, sigmaRangeM: 30 },
  ]);
  const r = run(scn);
  const ev = (type: string) => r.events.filter((e) => e.e.type === type);
  assert.deepEqual(r.events.map((e) => [e.e.type, e.timeS - START]), [
    ['unknown-aircraft', 20], ['squawk', 30], ['sensor-outage', 40], ['partner-status', 50], ['transponder-off', 60], ['sensor-recovery', 70],
  ]);
  // Outage: R2 sends nothing stamped in [40, 70) s, and resumes after.
  const r2 = [...r.plots.filter((p) => p.sensorId === 'R2').map((p) => p.r.timeOfDayS), ...r.service.filter((s) => s.sensorId === 'R2').map((s) => s.m.timeOfDayS)];
  const rel = r2.map((t) => DAY0 + t - START);
  assert.equal(rel.filter((t) => t >= 40 && t < 70).length, 0, 'nothing during the outage');
  assert.ok(rel.some((t) => t >= 70 && t < 75) && rel.some((t) => t < 40 && t > 35), 'data before and after');
  // Squawk: the chosen aircraft replies 7700 from 30 s on, in CAT048, CAT021 and truth.
  const sq = ev('squawk')[0]!.e as Extract<SimEvent, { type: 'squawk' }>;
  for (const { r: p } of r.plots.filter((x) => x.r.icao24 === sq.icao24 || x.r.mode3a === '7700')) {
    const t = DAY0 + p.timeOfDayS - START;
    assert.equal(p.mode3a, t >= 30 ? '7700' : sq.previous, `at ${t}`);
  }
  assert.ok(r.plots.some((x) => x.r.mode3a === '7700'), 'the emergency is seen');
  assert.ok(r.adsb.some((x) => x.r.mode3a === '7700' && x.r.icao24 === sq.icao24));
  const sqTruth = r.truth.get(sq.aircraftId)!;
  assert.equal(sqTruth.get(START + 29)!.mode3a, sq.previous);
  assert.equal(sqTruth.get(START + 30)!.mode3a, '7700');
  // Transponder off: no secondary or ADS-B data about it after 60 s; primary plots go on.
  const off = ev('transponder-off')[0]!.e as Extract<SimEvent, { type: 'transponder-off' }>;
  const after = (t: number) => DAY0 + t - START >= 60;
  assert.equal(r.plots.filter((x) => x.r.icao24 === off.icao24 && after(x.r.timeOfDayS)).length, 0);
  assert.equal(r.adsb.filter((x) => x.r.icao24 === off.icao24 && after(x.r.timeOfDayS)).length, 0);
  assert.ok(r.plots.some((x) => x.r.icao24 === off.icao24 && !after(x.r.timeOfDayS)));
  // Unknown aircraft: in the truth from 20 s with no identity, seen as primary-only plots near its position.
  const unk = ev('unknown-aircraft')[0]!.e as Extract<SimEvent, { type: 'unknown-aircraft' }>;
  const ut = r.truth.get(unk.aircraftId)!;
  assert.equal(Math.min(...ut.keys()) - START, 20);
  assert.equal(ut.get(START + 20)!.icao24, null);
  assert.equal(ut.get(START + 20)!.mode3a, null);
  const [rho] = measure([30, 34, 0], 30.3, 34.3, 2000);
  assert.ok(r.plots.some((x) => x.sensorId === 'R1' && x.r.detection === 'psr' && Math.abs(x.r.rangeM - rho) < 5000 && DAY0 + x.r.timeOfDayS - START < 30));

  // Batch output: events.jsonl and biases.json beside the contract files.
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-sim-'));
  const sum = await writeSimulation(scn, {}, dir, {});
  assert.equal(sum.events, 6);
  const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines[3], { t: START + 50, type: 'partner-status', partnerId: 'Q', status: 'suspended' });
  const biases = JSON.parse(readFileSync(join(dir, 'biases.json'), 'utf8'));
  assert.deepEqual(biases.sensors.map((s: { id: string }) => s.id), ['R1', 'R2', 'G1']);
  assert.equal(biases.sensors[0].rangeOffsetM, 0);
  const truth = readFileSync(join(dir, 'truth.jsonl'), 'utf8').split('\n')[0]!;
  for (const k of ['t', 'id', 'lat', 'lon', 'altM', 'icao24', 'mode3a', 'callsign', 'vE', 'vN', 'observable']) assert.ok(k in JSON.parse(truth), k);
});

test('a scenario naming an unknown sensor or partner is refused with its path', () => {
  assert.throws(() => scenario({ sensors: { NOPE: {} } }, [radar()]), /SKY_SCENARIO_INVALID|sensors\.NOPE/);
  assert.throws(() => scenario({ events: [{ type: 'partner-status', atS: 1, partner: 'X', status: 'withdrawn' }] }, [radar()]), /events\[0\]\.partner/);
  assert.throws(() => scenario({ events: [{ type: 'squawk', atS: 1, code: '7800' }] }, [radar()]), /octal/);
});
