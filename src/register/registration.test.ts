import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registration } from './registration.ts';
import { AudienceFusion } from '../coalition/fusion.ts';
import { parseCoalition } from '../coalition/coalition.ts';
import { degToRad, geodesicDirect, geodesicInverse, radarMeasure, radarToGeodetic, radToDeg } from '../core/geodesy.ts';
import { Random } from '../core/random.ts';
import type { Coalition, Plot, RadarPlot } from '../core/types.ts';

const coalition = parseCoalition({
  partners: [{ id: 'A', name: 'A', status: 'member' }, { id: 'B', name: 'B', status: 'member' }],
  sensors: [
    { id: 'R1', partner: 'A', kind: 'mode-s', sac: 1, sic: 1, lat: 31.0, lon: 33.0, altM: 50, rotationS: 4, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
    { id: 'R2', partner: 'B', kind: 'psr+ssr', sac: 2, sic: 1, lat: 31.8, lon: 34.8, altM: 800, rotationS: 5, maxRangeM: 250000, sigmaRangeM: 70, sigmaAzimuthDeg: 0.08 },
    { id: 'R3', partner: 'B', kind: 'psr', sac: 2, sic: 2, lat: 30.6, lon: 34.2, altM: 30, rotationS: 4, maxRangeM: 200000, sigmaRangeM: 60, sigmaAzimuthDeg: 0.1 },
    { id: 'ADSB', partner: 'A', kind: 'adsb', sac: 1, sic: 9, lat: 31.4, lon: 33.9, altM: 100, rotationS: null, maxRangeM: 400000, sigmaRangeM: 30 },
  ],
});

interface Bias { rangeOffsetM: number; rangeGain: number; azimuthDeg: number; timeOffsetS: number }
// The worst case: up to 300 m, 200 ppm, 0.3 degrees, 0.5 s.
const TRUE: Record<string, Bias> = {
  R1: { rangeOffsetM: 300, rangeGain: 200e-6, azimuthDeg: 0.3, timeOffsetS: 0.5 },
  R2: { rangeOffsetM: -180, rangeGain: -120e-6, azimuthDeg: -0.2, timeOffsetS: -0.3 },
  // A primary radar: no codes at all; its plots are matched to ADS-B by position.
  R3: { rangeOffsetM: 150, rangeGain: 80e-6, azimuthDeg: 0.25, timeOffsetS: 0.2 },
};

interface Flight { lat: number; lon: number; course: number; v: number; h: number; icao: string; sq: string }

function at(f: Flight, t: number): { latRad: number; lonRad: number; heightM: number } {
  const o = geodesicDirect(degToRad(f.lat), degToRad(f.lon), degToRad(f.course), f.v * t);
  return { latRad: o[0]!, lonRad: o[1]!, heightM: f.h };
}

/** Ten minutes of traffic: biased radar plots per scan and ADS-B at 1 Hz, in time order. */
function scenario(
  seed: number, durationS: number, jump?: { sensor: string; fromS: number; azimuthDeg: number }, adsbSendsCode = true, drift?: { sensor: string; azimuthDegPerS: number },
  o: { coal?: Coalition; truth?: Record<string, Bias>; flights?: number; adsb?: boolean; box?: number; clutterPerScan?: number } = {},
) {
  const coal = o.coal ?? coalition, truthB = o.truth ?? TRUE;
  const rng = new Random(seed);
  const flights: Flight[] = Array.from({ length: o.flights ?? 30 }, (_, k) => ({
    lat: 31.4 + (o.box ?? 1) * rng.uniform(-1, 1), lon: 33.9 + (o.box ?? 1) * rng.uniform(-1.2, 1.2), course: rng.uniform(0, 360),
    v: rng.uniform(180, 250), h: rng.int(150, 390) * 30.48, icao: (0x700000 + k).toString(16),
    // Two aircraft share a code, as happens: neither may be used by a Mode A/C radar.
    sq: (0o2100 + Math.min(k, 28)).toString(8).padStart(4, '0'),
  }));
  const batches: { t: number; plots: Plot[] }[] = [];
  const truthOf = new Map<Plot, { latRad: number; lonRad: number; heightM: number }>();
  const flightOf = new Map<Plot, Flight>();
  for (const s of coal.sensors) {
    const site = { latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM };
    if (s.kind === 'adsb') {
      if (o.adsb === false) continue;
      for (let t = 0; t < durationS; t += 1) {
        const plots: Plot[] = flights.map((f) => {
          const p = at(f, t);
          return {
            kind: 'adsb', sensorId: s.id, partnerId: s.partnerId, timeS: 1.7e9 + t,
            latRad: p.latRad + (rng.gauss() * 30) / 6.36e6, lonRad: p.lonRad + (rng.gauss() * 30) / (6.38e6 * Math.cos(p.latRad)),
            heightM: null, flightLevel: Math.round((f.h / 30.48) * 4) / 4, mode3a: adsbSendsCode ? f.sq : null, icao24: f.icao, callsign: null,
          };
        });
        batches.push({ t, plots });
      }
      continue;
    }
    const b = truthB[s.id]!;
    for (let scan = rng.uniform(0, s.rotationS!); scan < durationS; scan += s.rotationS!) {
      const plots: Plot[] = [];
      for (const f of flights) {
        // The beam meets the target at t; the radar stamps t + timeOffset.
        const az0 = radarMeasure(site, at(f, scan)).azimuthRad;
        const t = scan + (az0 / (2 * Math.PI)) * s.rotationS!;
        const truth = at(f, t);
        const m = radarMeasure(site, truth);
        if (m.slantRangeM > s.maxRangeM) continue;
        const azBias = b.azimuthDeg + (jump && jump.sensor === s.id && t >= jump.fromS ? jump.azimuthDeg : 0) + (drift && drift.sensor === s.id ? drift.azimuthDegPerS * t : 0);
        const plot: RadarPlot = {
          kind: 'radar', sensorId: s.id, partnerId: s.partnerId, timeS: 1.7e9 + t + b.timeOffsetS,
          rangeM: m.slantRangeM * (1 + b.rangeGain) + b.rangeOffsetM + rng.gauss() * s.sigmaRangeM,
          azimuthRad: m.azimuthRad + degToRad(azBias) + rng.gauss() * s.sigmaAzimuthRad!,
          // R1 is a Mode S radar (addresses); R2 a Mode A/C radar (codes only); R3 primary only.
          flightLevel: s.kind === 'psr' ? null : Math.round(f.h / 30.48), mode3a: s.kind === 'psr' ? null : f.sq,
          icao24: s.kind === 'mode-s' ? f.icao : null, callsign: null,
          detection: s.kind === 'mode-s' ? 'mode-s' : s.kind === 'psr' ? 'psr' : 'psr+ssr',
        };
        truthOf.set(plot, truth);
        flightOf.set(plot, f);
        plots.push(plot);
      }
      // Clutter for the primary radar: false plots anywhere in the traffic's box.
      for (let k = 0; s.kind === 'psr' && k < (o.clutterPerScan ?? 0); k++) {
        const box = o.box ?? 1;
        const m = radarMeasure(site, { latRad: degToRad(31.4 + box * rng.uniform(-1, 1)), lonRad: degToRad(33.9 + box * rng.uniform(-1.2, 1.2)), heightM: 3000 });
        plots.push({
          kind: 'radar', sensorId: s.id, partnerId: s.partnerId, timeS: 1.7e9 + scan + (m.azimuthRad / (2 * Math.PI)) * s.rotationS!,
          rangeM: m.slantRangeM, azimuthRad: m.azimuthRad, flightLevel: null, mode3a: null, icao24: null, callsign: null, detection: 'psr',
        });
      }
      plots.sort((a, b) => a.timeS - b.timeS);
      batches.push({ t: scan + s.rotationS!, plots });
    }
  }
  batches.sort((a, b) => a.t - b.t);
  return { batches: batches.map((x) => x.plots), truthOf, flightOf, flights };
}

/** Horizontal error of a radar plot placed with its own (reported) height, against its truth. */
function plotErrorM(p: RadarPlot, truth: { latRad: number; lonRad: number; heightM: number }): number {
  const s = coalition.sensors.find((x) => x.id === p.sensorId)!;
  // A primary plot has no level: place it at the true height, so only the biases and noise are measured.
  const g = radarToGeodetic({ latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM }, p.rangeM, p.azimuthRad, p.flightLevel !== null ? p.flightLevel * 30.48 : truth.heightM);
  return geodesicInverse(g.latRad, g.lonRad, truth.latRad, truth.lonRad)[0]!;
}

test('after 10 minutes of ADS-B-equipped traffic each radar\'s biases are found within the issue\'s bounds', () => {
  const { batches, truthOf } = scenario(7, 600);
  const reg = new Registration(coalition);
  let rawSq = 0, corrSq = 0, n = 0;
  for (const b of batches) {
    const out = reg.process(b);
    // Plot errors over the last 3 minutes, before and after correction. The
    // time offset is judged by where the corrected plot lands against the
    // truth at the true time (the plot's own time is then right too).
    out.forEach((p, i) => {
      const orig = b[i]!;
      const truth = truthOf.get(orig);
      if (p.kind !== 'radar' || orig.kind !== 'radar' || !truth || orig.timeS < 1.7e9 + 420) return;
      rawSq += plotErrorM(orig, truth) ** 2;
      corrSq += plotErrorM(p, truth) ** 2;
      n++;
    });
  }
  const st = new Map(reg.status().map((s) => [s.sensorId, s]));
  for (const id of ['R1', 'R2', 'R3']) {
    const s = st.get(id)!;
    const t = TRUE[id]!;
    const e = s.estimate;
    const line = `${id}: range ${e.rangeOffsetM.toFixed(1)} m (true ${t.rangeOffsetM}), gain ${(e.rangeGain * 1e6).toFixed(1)} ppm (true ${t.rangeGain * 1e6}), ` +
      `azimuth ${radToDeg(e.azimuthOffsetRad).toFixed(4)} deg (true ${t.azimuthDeg}), time ${e.timeOffsetS.toFixed(3)} s (true ${t.timeOffsetS}); ` +
      `sigma ${s.sigma.rangeOffsetM.toFixed(1)} m, ${radToDeg(s.sigma.azimuthOffsetRad).toFixed(4)} deg, ${s.sigma.timeOffsetS.toFixed(3)} s; ${s.state}`;
    console.log(line);
    assert.equal(s.state, 'registered', line);
    assert.ok(Math.abs(e.rangeOffsetM - t.rangeOffsetM) < 20, line);
    assert.ok(Math.abs(radToDeg(e.azimuthOffsetRad) - t.azimuthDeg) < 0.02, line);
    assert.ok(Math.abs(e.timeOffsetS - t.timeOffsetS) < 0.05, line);
    assert.ok(Math.abs(e.rangeGain - t.rangeGain) < 100e-6, line);
    assert.deepEqual(s.applied, e, 'all four are significant and applied');
  }
  const ratio = Math.sqrt(rawSq / n) / Math.sqrt(corrSq / n);
  console.log(`plot position RMS over the last 3 minutes: raw ${Math.sqrt(rawSq / n).toFixed(0)} m, corrected ${Math.sqrt(corrSq / n).toFixed(0)} m (${ratio.toFixed(1)}x better)`);
  assert.ok(ratio >= 3, `ratio ${ratio}`);
});

test('a corrected plot records the correction; nothing is applied before it is significant', () => {
  const { batches } = scenario(8, 40);
  const reg = new Registration(coalition);
  const first = reg.process(batches.find((b) => b[0]!.kind === 'radar')!);
  for (const p of first) if (p.kind === 'radar') assert.equal(p.registration, undefined);
  let last: Plot[] = [];
  for (const b of batches) last = reg.process(b);
  // Forty seconds of data: estimates exist but are not yet trusted enough for every component.
  const s = reg.status().find((x) => x.sensorId === 'R1')!;
  assert.notEqual(s.state, 'unregistered');
  for (const p of last) if (p.kind === 'radar' && p.registration) assert.deepEqual(p.registration, reg.status().find((x) => x.sensorId === p.sensorId)!.applied);
});

test('a sensor nobody can reference stays unregistered and its plots pass untouched', () => {
  const { batches } = scenario(9, 120);
  const reg = new Registration(coalition);
  for (const b of batches) {
    // Remove every ADS-B report: no reference at all.
    const radarOnly = b.filter((p) => p.kind === 'radar');
    if (radarOnly.length === 0) continue;
    const out = reg.process(radarOnly);
    // Positions and times untouched; each plot says its bias is as unknown as the prior.
    assert.deepEqual(out.map((p) => ({ ...p, residualBias: undefined })), radarOnly.map((p) => ({ ...p, residualBias: undefined })));
    for (const p of out) {
      assert.ok(p.kind === 'radar' && p.residualBias !== undefined);
      assert.ok(Math.abs(p.residualBias.rangeSigmaM - 1000) < 1e-6, `range sigma ${p.residualBias.rangeSigmaM}`);
      assert.ok(Math.abs(radToDeg(p.residualBias.azimuthSigmaRad) - 1) < 1e-6);
    }
  }
  for (const s of reg.status()) assert.equal(s.state, 'unregistered');
});

test('a realigned antenna (0.5 degree jump) is detected, reported and learnt again', () => {
  const { batches } = scenario(10, 900, { sensor: 'R2', fromS: 400, azimuthDeg: 0.5 });
  const reg = new Registration(coalition);
  for (const b of batches) reg.process(b);
  const ev = reg.events.filter((e) => e.kind === 'registration-jump' && e.sensorId === 'R2');
  assert.ok(ev.length >= 1, 'jump reported');
  assert.ok(ev[0]!.timeS >= 1.7e9 + 400 && ev[0]!.timeS < 1.7e9 + 500, `at ${ev[0]!.timeS - 1.7e9}`);
  const r2 = reg.status().find((x) => x.sensorId === 'R2')!;
  assert.ok(Math.abs(radToDeg(r2.estimate.azimuthOffsetRad) - (-0.2 + 0.5)) < 0.03, `after the jump: ${radToDeg(r2.estimate.azimuthOffsetRad)}`);
  assert.equal(reg.events.filter((e) => e.sensorId === 'R1').length, 0, 'no false jump on the other radar');
});

test('relative registration: a Mode A/C radar no ADS-B report names is registered against the radars ADS-B registered', () => {
  // ADS-B without Mode 3/A (as DO-260 versions 0 and 1 send): R2's plots
  // carry codes only, so no ADS-B report is theirs. R1's Mode S plots carry
  // address and code; once ADS-B has registered R1, its corrected plots are
  // R2's reference.
  const { batches, truthOf } = scenario(21, 600, undefined, false);
  const reg = new Registration(coalition);
  let rawSq = 0, corrSq = 0, n = 0;
  for (const b of batches) {
    const out = reg.process(b);
    out.forEach((p, i) => {
      const orig = b[i]!;
      const truth = truthOf.get(orig);
      if (p.kind !== 'radar' || orig.kind !== 'radar' || p.sensorId !== 'R2' || !truth || orig.timeS < 1.7e9 + 420) return;
      rawSq += plotErrorM(orig, truth) ** 2;
      corrSq += plotErrorM(p, truth) ** 2;
      n++;
    });
  }
  const r2 = reg.status().find((x) => x.sensorId === 'R2')!;
  const t = TRUE.R2!, e = r2.estimate;
  const line = `R2 against R1: range ${e.rangeOffsetM.toFixed(1)} m (true ${t.rangeOffsetM}), gain ${(e.rangeGain * 1e6).toFixed(1)} ppm (true ${t.rangeGain * 1e6}), ` +
    `azimuth ${radToDeg(e.azimuthOffsetRad).toFixed(4)} deg (true ${t.azimuthDeg}), time ${e.timeOffsetS.toFixed(3)} s (true ${t.timeOffsetS}); ${r2.state}, ${r2.observations} comparisons`;
  console.log(line);
  assert.equal(r2.state, 'registered', line);
  assert.ok(Math.abs(e.rangeOffsetM - t.rangeOffsetM) < 20, line);
  assert.ok(Math.abs(radToDeg(e.azimuthOffsetRad) - t.azimuthDeg) < 0.02, line);
  assert.ok(Math.abs(e.timeOffsetS - t.timeOffsetS) < 0.05, line);
  const ratio = Math.sqrt(rawSq / n) / Math.sqrt(corrSq / n);
  console.log(`R2 plot RMS over the last 3 minutes: raw ${Math.sqrt(rawSq / n).toFixed(0)} m, corrected ${Math.sqrt(corrSq / n).toFixed(0)} m`);
  // R2's own noise (0.08 degrees is 210 m across at 150 km) is most of what is left (measured 617 -> 224 m).
  assert.ok(ratio >= 2.5, `ratio ${ratio}`);
  // R1 itself stays anchored by ADS-B, never by R2.
  const r1 = reg.status().find((x) => x.sensorId === 'R1')!;
  assert.ok(Math.abs(r1.estimate.rangeOffsetM - TRUE.R1!.rangeOffsetM) < 20);
});

test('a slowly drifting north alignment is followed (0.06 degrees over 15 minutes)', () => {
  const rate = 0.06 / 900;
  const { batches } = scenario(23, 900, undefined, true, { sensor: 'R1', azimuthDegPerS: rate });
  const reg = new Registration(coalition);
  const errs: number[] = [];
  let next = 300;
  for (const b of batches) {
    reg.process(b);
    const t = b[0]!.timeS - 1.7e9;
    if (t >= next) {
      next += 100;
      const r1 = reg.status().find((x) => x.sensorId === 'R1')!;
      errs.push(radToDeg(r1.estimate.azimuthOffsetRad) - (TRUE.R1!.azimuthDeg + rate * t));
    }
  }
  console.log(`R1 azimuth error while drifting, every 100 s from 300 s: ${errs.map((e) => e.toFixed(4)).join(', ')} deg`);
  assert.ok(errs.length >= 5);
  for (const e of errs) assert.ok(Math.abs(e) < 0.02, `${e} deg behind the drift`);
  assert.equal(reg.events.filter((e) => e.kind === 'registration-jump').length, 0, 'a drift is not a jump');
});

test('a jump found by an audience\'s registration comes out of the fusion once, with its audience', () => {
  const { batches } = scenario(10, 900, { sensor: 'R2', fromS: 400, azimuthDeg: 0.5 });
  const fusion = new AudienceFusion(coalition, { periodS: 1, reorderWindowS: 1 }, () => {});
  const seen: { sensorId: string; timeS: number; audience: string }[] = [];
  for (const b of batches) {
    fusion.push(b);
    seen.push(...fusion.drainRegistrationEvents());
  }
  assert.deepEqual(fusion.drainRegistrationEvents(), [], 'drained');
  const r2 = seen.filter((e) => e.sensorId === 'R2');
  // Both partners are members and release everything: one audience, one report.
  assert.equal(new Set(fusion.audiences.map((a) => a.key)).size, 1);
  assert.equal(r2.length, 1, JSON.stringify(seen));
  assert.equal(r2[0]!.audience, fusion.audiences[0]!.key);
  assert.ok(r2[0]!.timeS >= 1.7e9 + 400 && r2[0]!.timeS < 1.7e9 + 500);
  assert.equal(seen.filter((e) => e.sensorId === 'R1').length, 0);
});

// Relative registration with no ADS-B at all: a surveyed radar (coalition
// file "registrationAnchor": true, biases 0) is the reference from its first
// plot. Without the declaration nobody can be registered.
const ANCHORED_TRUTH: Record<string, Bias> = { ...TRUE, R1: { rangeOffsetM: 0, rangeGain: 0, azimuthDeg: 0, timeOffsetS: 0 } };
function withAnchor(anchor: boolean): Coalition {
  const raw = {
    partners: coalition.partners.map((p) => ({ id: p.id, name: p.name, status: p.status })),
    sensors: coalition.sensors.map((s) => ({
      id: s.id, partner: s.partnerId, kind: s.kind, sac: s.sac, sic: s.sic, lat: radToDeg(s.latRad), lon: radToDeg(s.lonRad), altM: s.altM,
      rotationS: s.rotationS, maxRangeM: s.maxRangeM, sigmaRangeM: s.sigmaRangeM, sigmaAzimuthDeg: s.sigmaAzimuthRad === null ? null : radToDeg(s.sigmaAzimuthRad),
      ...(anchor && s.id === 'R1' ? { registrationAnchor: true } : {}),
    })),
  };
  return parseCoalition(raw);
}

function estimateLine(id: string, s: { estimate: { rangeOffsetM: number; rangeGain: number; azimuthOffsetRad: number; timeOffsetS: number }; state: string; observations: number }, t: Bias): string {
  const e = s.estimate;
  return `${id}: range ${e.rangeOffsetM.toFixed(1)} m (true ${t.rangeOffsetM}), gain ${(e.rangeGain * 1e6).toFixed(1)} ppm (true ${(t.rangeGain * 1e6).toFixed(0)}), ` +
    `azimuth ${radToDeg(e.azimuthOffsetRad).toFixed(4)} deg (true ${t.azimuthDeg}), time ${e.timeOffsetS.toFixed(3)} s (true ${t.timeOffsetS}); ${s.state}, ${s.observations} comparisons`;
}

test('no ADS-B at all: a declared registration anchor registers the other radars; without it they stay unregistered', () => {
  for (const anchor of [true, false]) {
    const coal = withAnchor(anchor);
    const { batches } = scenario(31, 600, undefined, true, undefined, { coal, truth: ANCHORED_TRUTH, adsb: false });
    const reg = new Registration(coal);
    let anchorPlots = 0;
    for (const b of batches) {
      for (const p of reg.process(b)) {
        if (p.kind !== 'radar' || p.sensorId !== 'R1') continue;
        anchorPlots++;
        // The anchor's plots pass uncorrected, with the survey's small residual bias.
        assert.equal(p.registration, undefined);
        if (anchor) assert.ok(p.residualBias!.rangeSigmaM < 20, `${p.residualBias!.rangeSigmaM}`);
        else assert.ok(Math.abs(p.residualBias!.rangeSigmaM - 1000) < 1e-6, 'as unknown as the prior');
      }
    }
    assert.ok(anchorPlots > 1000);
    const st = new Map(reg.status().map((s) => [s.sensorId, s]));
    if (!anchor) {
      for (const s of reg.status()) assert.equal(s.state, 'unregistered', `${s.sensorId} without an anchor`);
      for (const s of reg.status()) assert.equal(s.anchor, undefined);
      continue;
    }
    assert.equal(st.get('R1')!.anchor, 'trusted');
    assert.equal(st.get('R1')!.state, 'registered');
    assert.deepEqual(reg.events, []);
    // R2 (Mode A/C) by the codes R1's Mode S plots carry; R3 (primary) by position alone.
    for (const id of ['R2', 'R3']) {
      const s = st.get(id)!, t = ANCHORED_TRUTH[id]!, e = s.estimate;
      const line = estimateLine(id, s, t) + ' (against the anchor R1)';
      console.log(line);
      assert.equal(s.state, 'registered', line);
      assert.ok(Math.abs(e.rangeOffsetM - t.rangeOffsetM) < 20, line);
      assert.ok(Math.abs(radToDeg(e.azimuthOffsetRad) - t.azimuthDeg) < 0.02, line);
      assert.ok(Math.abs(e.timeOffsetS - t.timeOffsetS) < 0.05, line);
    }
  }
});

test('a declared anchor that ADS-B contradicts is reported and then registered like any radar', () => {
  // R1 is declared surveyed, but its true biases are the worst case of TRUE.
  const coal = withAnchor(true);
  const { batches } = scenario(32, 600, undefined, true, undefined, { coal });
  const reg = new Registration(coal);
  for (const b of batches) reg.process(b);
  const ev = reg.events.filter((e) => e.kind === 'registration-anchor-disputed');
  assert.equal(ev.length, 1, JSON.stringify(reg.events));
  assert.equal(ev[0]!.sensorId, 'R1');
  assert.ok(ev[0]!.timeS < 1.7e9 + 300, `disputed at ${ev[0]!.timeS - 1.7e9} s`);
  const r1 = reg.status().find((s) => s.sensorId === 'R1')!;
  const line = estimateLine('R1', r1, TRUE.R1!);
  console.log(line);
  assert.equal(r1.anchor, 'disputed');
  assert.equal(r1.state, 'registered');
  assert.ok(Math.abs(r1.estimate.rangeOffsetM - TRUE.R1!.rangeOffsetM) < 20, line);
  assert.ok(Math.abs(radToDeg(r1.applied.azimuthOffsetRad) - TRUE.R1!.azimuthDeg) < 0.02, 'its estimate is applied now');
});

test('primary plots paired by position with an anchor\'s plots in crossing traffic: few mis-pairings, estimates within bounds', () => {
  // 60 aircraft in a box a third of the usual size (about 70 x 80 km), on
  // random courses: they cross all the time. No ADS-B; R1 is the declared
  // anchor; R3's plots have no identity at all, and 30 false plots a scan
  // (clutter) fall among them. A pairing with clutter counts as a mis-pairing.
  const coal = withAnchor(true);
  const { batches, flightOf, flights } = scenario(41, 600, undefined, true, undefined, { coal, truth: ANCHORED_TRUTH, adsb: false, flights: 60, box: 0.33, clutterPerScan: 30 });
  let pairs = 0, wrong = 0;
  const reg = new Registration(coal, {
    onPositionPair: (p, ref) => {
      if (p.sensorId !== 'R3') return;
      pairs++;
      // The aircraft nearest to where the reference says it was at the plot's time.
      const t = p.timeS - 1.7e9;
      let best: Flight | undefined, bestD = Infinity;
      for (const f of flights) {
        const a = at(f, t);
        const d = geodesicInverse(a.latRad, a.lonRad, ref.latRad, ref.lonRad)[0]!;
        if (d < bestD) { bestD = d; best = f; }
      }
      if (best !== flightOf.get(p)) wrong++;
    },
  });
  for (const b of batches) reg.process(b);
  const r3 = reg.status().find((s) => s.sensorId === 'R3')!;
  const t = ANCHORED_TRUTH.R3!, e = r3.estimate;
  const line = estimateLine('R3', r3, t) + ` (by position against R1); ${pairs} pairings, ${wrong} with another aircraft or clutter (${((100 * wrong) / Math.max(1, pairs)).toFixed(2)} %)`;
  console.log(line);
  assert.ok(pairs > 500, line);
  assert.ok(wrong / pairs < 0.01, line);
  assert.equal(r3.state, 'registered', line);
  assert.ok(Math.abs(e.rangeOffsetM - t.rangeOffsetM) < 20, line);
  assert.ok(Math.abs(radToDeg(e.azimuthOffsetRad) - t.azimuthDeg) < 0.02, line);
  assert.ok(Math.abs(e.timeOffsetS - t.timeOffsetS) < 0.05, line);
});

test('time offsets are found whole, not shrunk towards 0 by noisy reference rates', () => {
  // A time offset shows through the aircraft's range and azimuth rates; rates
  // from two neighbouring noisy ADS-B reports (30 m, 1 s apart) are so noisy
  // that the estimate came out about 5 % short (R1 0.474 s for 0.5 s, in
  // every run). The least-squares slope of estimate on truth, over radars and
  // runs (dominated by the large offsets, where a shrinkage shows).
  let se = 0, st = 0;
  const line: string[] = [];
  for (const seed of [51, 52, 53]) {
    const { batches } = scenario(seed, 600);
    const reg = new Registration(coalition);
    for (const b of batches) reg.process(b);
    for (const s of reg.status()) {
      const t = TRUE[s.sensorId]!.timeOffsetS;
      se += s.estimate.timeOffsetS * t;
      st += t * t;
      line.push(`${s.sensorId} ${s.estimate.timeOffsetS.toFixed(3)}/${t}`);
    }
  }
  console.log(`time offsets (estimate/truth): ${line.join(', ')}; slope ${(se / st).toFixed(3)}`);
  assert.ok(Math.abs(se / st - 1) < 0.025, `slope ${se / st}`);
});
