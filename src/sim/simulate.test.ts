import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeBlock, type Cat034Message, type Cat048Report } from '../asterix/index.ts';
import { loadScenario } from './scenario.ts';
import { simulate, SECTORS } from './simulate.ts';
import { timeOfDayS } from '../core/time.ts';
import { SkyError } from '../core/errors.ts';

const scn = loadScenario('small');

function collect(seed: number, durationS: number) {
  const plots: { sensorId: string; r: Cat048Report; blockTimeS: number }[] = [];
  const service: { sensorId: string; m: Cat034Message }[] = [];
  const truth: { t: number; id: string; n: number }[] = [];
  const hash = createHash('sha256');
  let lastBlockS = -Infinity;
  let disorder = 0;
  for (const o of simulate(scn, { seed, durationS })) {
    if (o.kind === 'truth') {
      truth.push({ t: o.timeS, id: o.points.map((p) => p.id).join(','), n: o.points.length });
      continue;
    }
    if (o.kind !== 'block') continue;
    hash.update(o.bytes);
    if (o.timeS < lastBlockS) disorder++;
    lastBlockS = o.timeS;
    decodeBlock(o.bytes, 0, (d) => {
      if (d.cat === 48) plots.push({ sensorId: o.sensorId, r: d.report, blockTimeS: o.timeS });
      else if (d.cat === 34) service.push({ sensorId: o.sensorId, m: d.report });
    }, (e: SkyError) => assert.fail(e.toLine()));
  }
  return { plots, service, truth, digest: hash.digest('hex'), disorder };
}

const run = collect(1, 60);

test('the same seed gives the same bytes; another seed other bytes', () => {
  assert.equal(collect(1, 60).digest, run.digest);
  assert.notEqual(collect(2, 60).digest, run.digest);
});

test('blocks come out in arrival order and each plot precedes its block', () => {
  assert.equal(run.disorder, 0);
  for (const p of run.plots) assert.ok(timeOfDayS(p.blockTimeS) >= p.r.timeOfDayS, 'plot after its block');
});

test('a plot is timed when the beam passes its azimuth', () => {
  // Between two north markers the antenna turns uniformly: the azimuth a plot is
  // reported at must match the fraction of the period elapsed, within the
  // azimuth noise (0.05-0.08 deg, so 4 sigma < 0.35 deg) and the 1/128 s
  // resolution of the plot's and the marker's times (one LSB of time is
  // 360 / (128 T) degrees of antenna turn between them).
  const markers = new Map<string, number[]>();
  for (const s of run.service) if (s.m.type === 'north-marker') (markers.get(s.sensorId) ?? markers.set(s.sensorId, []).get(s.sensorId)!).push(s.m.timeOfDayS);
  let checked = 0;
  for (const p of run.plots) {
    const sensor = scn.coalition.sensors.find((s) => s.id === p.sensorId)!;
    const ms = markers.get(p.sensorId)!;
    const start = ms.filter((t) => t <= p.r.timeOfDayS).at(-1);
    if (start === undefined) continue;
    const beamDeg = ((p.r.timeOfDayS - start) / sensor.rotationS!) * 360;
    let diff = Math.abs(beamDeg - (p.r.azimuthRad * 180) / Math.PI);
    diff = Math.min(diff, 360 - diff);
    assert.ok(diff < 0.35 + 360 / 128 / sensor.rotationS!, `${p.sensorId} beam ${beamDeg.toFixed(3)} plot ${(p.r.azimuthRad * 180 / Math.PI).toFixed(3)}`);
    checked++;
  }
  assert.ok(checked > 500, `${checked} plots checked`);
});

test('north markers every rotation and sector crossings in between', () => {
  for (const s of scn.coalition.sensors) {
    const ms = run.service.filter((x) => x.sensorId === s.id && x.m.type === 'north-marker').map((x) => x.m.timeOfDayS);
    assert.ok(ms.length >= Math.floor(60 / s.rotationS!) - 1);
    for (let i = 1; i < ms.length; i++) assert.ok(Math.abs(ms[i]! - ms[i - 1]! - s.rotationS!) < 1 / 128 + 1e-9);
    const sectors = run.service.filter((x) => x.sensorId === s.id && x.m.type === 'sector-crossing');
    assert.ok(sectors.length >= (ms.length - 1) * (SECTORS - 1));
  }
});

test('what each radar kind reports follows its kind and the coalition file', () => {
  const bySensor = new Map(scn.coalition.sensors.map((s) => [s.id, s]));
  let psrOnly = 0;
  for (const { sensorId, r } of run.plots) {
    const s = bySensor.get(sensorId)!;
    assert.equal(r.sac, s.sac);
    assert.equal(r.sic, s.sic);
    // Range within coverage (plus 5 sigma of noise).
    assert.ok(r.rangeM <= s.maxRangeM + 5 * s.sigmaRangeM, `${sensorId} range ${r.rangeM}`);
    if (s.kind === 'ssr') assert.notEqual(r.detection, 'psr');
    if (s.kind === 'mode-s') assert.ok(r.detection === 'mode-s' || r.detection === 'ssr');
    if (r.detection === 'mode-s') {
      assert.match(r.icao24 ?? '', /^[0-9a-f]{6}$/);
      assert.ok(r.callsign && r.callsign.length >= 4);
    }
    if (r.detection === 'psr') {
      assert.equal(r.mode3a, null);
      assert.equal(r.flightLevel, null);
      psrOnly++;
    } else {
      assert.match(r.mode3a ?? '', /^[0-7]{4}$/);
      assert.ok(r.flightLevel !== null && r.flightLevel >= 30 && r.flightLevel <= 410);
    }
  }
  assert.ok(psrOnly > 0, 'some primary-only plots');
});

test('truth has one line per aircraft per second', () => {
  assert.equal(run.truth.length, 60);
  for (let i = 0; i < run.truth.length; i++) assert.equal(run.truth[i]!.t, scn.startS + i);
  assert.equal(run.truth[0]!.n, scn.spec.aircraft.count);
  for (const t of run.truth) assert.equal(new Set(t.id.split(',')).size, t.n, 'ids unique per second');
});
