// The sovereignty proof, as a property: for random coalitions, release
// policies and traffic, a partner's picture does not change when anything
// it was not released changes (non-interference). Unreleased plots are
// dropped, moved kilometres away or given other identities, position-only
// plots get other identities, and the partner's frames must stay identical,
// byte for byte. A picture that moved would have leaked.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCoalition } from './coalition.ts';
import { AudienceFusion } from './fusion.ts';
import { geodesicDirect, degToRad, radarMeasure } from '../core/geodesy.ts';
import { Random } from '../core/random.ts';
import type { Coalition, Plot, PartnerStatus, RadarPlot, TrackFrame } from '../core/types.ts';
import type { Audience } from './releasability.ts';

interface Case {
  readonly coalition: Coalition;
  readonly batches: Plot[][];
  readonly seed: number;
  /** Optional membership change half-way through. */
  readonly change: { partner: string; status: PartnerStatus } | null;
}

const partnerIds = ['AAA', 'BBB', 'CCC', 'DDD'];

const policyArb = (self: string, nPartners: number) =>
  fc.option(
    fc.array(
      fc.record({
        to: fc.oneof(fc.constant(['*']), fc.subarray(partnerIds.slice(0, nPartners).filter((p) => p !== self))),
        sensorsMode: fc.constantFrom('all', 'first'),
        content: fc.constantFrom('full', 'position'),
        withhold: fc.boolean(),
      }),
      { maxLength: 2 },
    ),
    { nil: null },
  );

const caseArb = fc
  .record({
    nPartners: fc.integer({ min: 2, max: 4 }),
    seed: fc.integer({ min: 1, max: 1e6 }),
    statuses: fc.array(fc.constantFrom('member', 'member', 'member', 'suspended'), { minLength: 4, maxLength: 4 }),
    change: fc.option(fc.record({ who: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom<PartnerStatus>('suspended', 'withdrawn', 'member') }), { nil: null }),
  })
  .chain((base) =>
    fc.record({
      base: fc.constant(base),
      policies: fc.tuple(...partnerIds.slice(0, base.nPartners).map((p) => policyArb(p, base.nPartners))),
    }),
  )
  .map(({ base, policies }): Case => {
    const rng = new Random(base.seed);
    const ids = partnerIds.slice(0, base.nPartners);
    const sensors: Record<string, unknown>[] = ids.flatMap((p, i) =>
      [0, 1].slice(0, 1 + (rng.next() < 0.5 ? 1 : 0)).map((k) => ({
        id: `${p}-${k}`, partner: p, kind: 'mode-s', sac: 10 + i, sic: k,
        lat: 31 + rng.uniform(-1, 1), lon: 34 + rng.uniform(-1, 1), altM: 100, rotationS: 4 + k, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05,
      })),
    );
    // Half the partners also own an ADS-B station: registration learns from
    // it, so a bias estimate could carry one partner's data to another.
    ids.forEach((p, i) => {
      if (rng.next() < 0.5) {
        sensors.push({ id: `${p}-ads`, partner: p, kind: 'adsb', sac: 10 + i, sic: 9, lat: 31 + rng.uniform(-1, 1), lon: 34 + rng.uniform(-1, 1), altM: 50, rotationS: null, maxRangeM: 400000, sigmaRangeM: 30 });
      }
    });
    const partners = ids.map((id, i) => {
      const pol = policies[i];
      const own = sensors.filter((s) => s.partner === id).map((s) => s.id);
      return {
        id, name: id, status: base.statuses[i],
        ...(pol === null || pol === undefined
          ? {}
          : {
              releases: pol.map((r) => ({
                to: r.to, sensors: r.sensorsMode === 'all' ? null : own.slice(0, 1), content: r.content,
                // Withhold a box over the western half of the region.
                withholdInside: r.withhold ? [[[30, 32], [32, 32], [32, 34], [30, 34]]] : [],
              })),
            }),
      };
    });
    const coalition = parseCoalition({ partners, sensors });
    const batches = traffic(coalition, rng);
    const change = base.change && base.change.who < base.nPartners ? { partner: ids[base.change.who]!, status: base.change.status } : null;
    return { coalition, batches, seed: base.seed, change };
  });

/**
 * Six aircraft for 150 s (long enough for registration to apply its
 * estimates), plots per scan of every radar (each with a range and azimuth
 * bias) and ADS-B reports every second, in time order.
 */
function traffic(c: Coalition, rng: Random, durationS = 150): Plot[][] {
  const flights = Array.from({ length: 6 }, (_, k) => ({
    lat: 31 + rng.uniform(-0.8, 0.8), lon: 34 + rng.uniform(-0.8, 0.8), course: rng.uniform(0, 360), v: rng.uniform(150, 250),
    h: rng.int(100, 400) * 30.48, icao: (0xa00000 + k).toString(16), sq: (0o1000 + k).toString(8).padStart(4, '0'),
  }));
  const out: { t: number; plots: Plot[] }[] = [];
  for (const s of c.sensors) {
    const site = { latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM };
    if (s.kind === 'adsb') {
      for (let t = rng.uniform(0, 1); t < durationS; t += 1) {
        out.push({
          t,
          plots: flights.map((f) => {
            const p = geodesicDirect(degToRad(f.lat), degToRad(f.lon), degToRad(f.course), f.v * t);
            return {
              kind: 'adsb' as const, sensorId: s.id, partnerId: s.partnerId, timeS: 1.7e9 + t,
              latRad: p[0]! + (rng.gauss() * 30) / 6.36e6, lonRad: p[1]! + (rng.gauss() * 30) / 5.4e6, heightM: null,
              flightLevel: Math.round(f.h / 30.48), mode3a: f.sq, icao24: f.icao, callsign: `TST${f.sq}`,
            };
          }),
        });
      }
      continue;
    }
    const biasM = rng.uniform(-250, 250), biasRad = degToRad(rng.uniform(-0.25, 0.25));
    for (let t = rng.uniform(0, s.rotationS!); t < durationS; t += s.rotationS!) {
      const plots: RadarPlot[] = [];
      for (const f of flights) {
        const p = geodesicDirect(degToRad(f.lat), degToRad(f.lon), degToRad(f.course), f.v * t);
        const m = radarMeasure(site, { latRad: p[0]!, lonRad: p[1]!, heightM: f.h });
        plots.push({
          kind: 'radar', sensorId: s.id, partnerId: s.partnerId, timeS: 1.7e9 + t + (m.azimuthRad / (2 * Math.PI)) * 0.01,
          rangeM: m.slantRangeM + biasM + rng.gauss() * 40, azimuthRad: m.azimuthRad + biasRad + rng.gauss() * degToRad(0.05),
          flightLevel: Math.round(f.h / 30.48), mode3a: f.sq, icao24: f.icao, callsign: `TST${f.sq}`, detection: 'mode-s',
        });
      }
      out.push({ t, plots });
    }
  }
  return out.sort((a, b) => a.t - b.t).map((b) => b.plots);
}

/** Run the fusion; return each partner's frames (by partner id). */
function run(cs: Case, batches: Plot[][]): Map<string, TrackFrame[]> {
  const frames = new Map<string, TrackFrame[]>();
  const f = new AudienceFusion(cs.coalition, { periodS: 1, reorderWindowS: 1 }, ({ audience, frame }) => {
    for (const p of audience.partners) (frames.get(p) ?? frames.set(p, []).get(p)!).push(frame);
  });
  const half = Math.floor(batches.length / 2);
  batches.forEach((b, i) => {
    if (i === half && cs.change) f.setPartnerStatus(cs.change.partner, cs.change.status);
    f.push(b);
  });
  f.flush();
  return frames;
}

/** What each partner is granted before and after the change (sensor id -> content). */
function grantsOf(cs: Case): { before: Map<string, Audience | undefined>; after: Map<string, Audience | undefined> } {
  const f = new AudienceFusion(cs.coalition, { periodS: 1, reorderWindowS: 1 }, () => {});
  const before = new Map(cs.coalition.partners.map((p) => [p.id, f.audienceOf(p.id)]));
  if (cs.change) f.setPartnerStatus(cs.change.partner, cs.change.status);
  const after = new Map(cs.coalition.partners.map((p) => [p.id, f.audienceOf(p.id)]));
  return { before, after };
}

/**
 * Change everything `viewer` may not see: unreleased (or withheld) plots are
 * dropped or moved, position-only plots get other identities.
 */
function perturb(cs: Case, batches: Plot[][], viewer: string, rng: Random): Plot[][] {
  const g = grantsOf(cs);
  const half = Math.floor(batches.length / 2);
  const probe = new AudienceFusion(cs.coalition, { periodS: 1, reorderWindowS: 1 }, () => {});
  const router = (probe as unknown as { router: { filter(a: Audience, b: readonly Plot[]): Plot[] } }).router;
  return batches.map((b, i) => {
    const a = (i < half ? g.before : g.after).get(viewer);
    const released = new Set(a ? router.filter(a, b).map((p) => `${p.sensorId}/${p.timeS}/${(p as RadarPlot).rangeM}`) : []);
    const out: Plot[] = [];
    for (const p of b) {
      const grant = a?.grants.get(p.sensorId);
      if (!released.has(`${p.sensorId}/${p.timeS}/${(p as RadarPlot).rangeM}`)) {
        const r = rng.next();
        if (r < 0.4) continue; // dropped
        // A plot withheld by area stays where it is (moved, it could leave the
        // area and be released: another datum); one of an unreleased sensor
        // moves 5-30 km. Both get another identity.
        const shift = grant ? 0 : rng.uniform(5000, 30000);
        out.push({ ...(p as RadarPlot), rangeM: (p as RadarPlot).rangeM + shift, icao24: 'ffffff', mode3a: '7700', callsign: 'LEAK' });
      } else if (grant?.content === 'position') {
        out.push({ ...p, icao24: 'eeeeee', mode3a: '7600', callsign: 'LEAK2' } as Plot);
      } else out.push(p);
    }
    return out;
  });
}

test('non-interference: a partner\'s picture is unchanged by anything not released to it', () => {
  let cases = 0, pictures = 0, withTracks = 0, controlChanged = 0;
  let failure = '';
  const details = fc.check(
    fc.property(caseArb, (cs) => {
      cases++;
      const base = run(cs, cs.batches);
      for (const viewer of cs.coalition.partners.map((p) => p.id)) {
        const mine = base.get(viewer) ?? [];
        const perturbed = run(cs, perturb(cs, cs.batches, viewer, new Random(cs.seed + 1)));
        const other = perturbed.get(viewer) ?? [];
        // Control: the same perturbation does change some other partner's picture.
        for (const [p, frames] of perturbed) if (p !== viewer && JSON.stringify(frames) !== JSON.stringify(base.get(p))) { controlChanged++; break; }
        if (JSON.stringify(other) !== JSON.stringify(mine)) {
          failure = `partner ${viewer} saw a change in data not released to it (seed ${cs.seed}, change ${JSON.stringify(cs.change)}, policies ${JSON.stringify(cs.coalition.partners.map((p) => [p.id, p.status, p.releases]))})`;
          return false;
        }
        pictures++;
        if (mine.some((f) => f.tracks.length > 0)) withTracks++;
        // And directly: no track names a sensor the partner was not granted.
        const g = grantsOf(cs);
        const allowed = new Set([...(g.before.get(viewer)?.grants.keys() ?? []), ...(g.after.get(viewer)?.grants.keys() ?? [])]);
        for (const f of mine) for (const t of f.tracks) for (const s of t.sensors) {
          if (!allowed.has(s)) {
            failure = `${viewer} got a track naming ${s}, which it was not granted`;
            return false;
          }
        }
      }
      return true;
    }),
    { numRuns: 40, seed: 20261123, endOnFailure: true },
  );
  assert.equal(details.failed, false, failure);
  console.log(`non-interference: ${cases} coalitions, ${pictures} partner pictures compared, ${withTracks} with tracks, ${controlChanged} perturbations that did change another partner's picture; leaks found: 0`);
  assert.ok(withTracks > pictures / 3, 'most pictures hold tracks');
  assert.ok(controlChanged > pictures / 4, 'the perturbations are visible to partners that receive the data, so the comparison has teeth');
});

test('a withdrawal mid-run: the partner\'s picture ends and its sensors stop contributing to the others at once', () => {
  const c = parseCoalition({
    partners: [{ id: 'AAA', name: 'A', status: 'member' }, { id: 'BBB', name: 'B', status: 'member' }],
    sensors: [
      { id: 'AAA-0', partner: 'AAA', kind: 'mode-s', sac: 1, sic: 0, lat: 31, lon: 33.5, altM: 100, rotationS: 4, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
      { id: 'BBB-0', partner: 'BBB', kind: 'mode-s', sac: 2, sic: 0, lat: 31.5, lon: 34.5, altM: 100, rotationS: 5, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05 },
    ],
  });
  const batches = traffic(c, new Random(5));
  const frames: { partners: string[]; frame: TrackFrame }[] = [];
  const f = new AudienceFusion(c, { periodS: 1, reorderWindowS: 0 }, ({ audience, frame }) => frames.push({ partners: [...audience.partners], frame }));
  let withdrawnAt = 0;
  batches.forEach((b, i) => {
    if (i === Math.floor(batches.length / 2)) {
      withdrawnAt = b[0]!.timeS;
      f.setPartnerStatus('AAA', 'withdrawn');
    }
    f.push(b);
  });
  f.flush();
  const before = frames.filter((x) => x.frame.timeS < withdrawnAt - 1);
  const after = frames.filter((x) => x.frame.timeS > withdrawnAt + 1);
  assert.ok(before.some((x) => x.partners.includes('AAA') && x.frame.tracks.some((t) => t.sensors.includes('BBB-0'))), 'before: A sees B\'s data');
  assert.ok(after.every((x) => !x.partners.includes('AAA')), 'after: A has no picture');
  assert.ok(after.every((x) => x.frame.tracks.every((t) => !t.sensors.includes('AAA-0'))), 'after: A\'s sensor contributes to no one');
  assert.ok(after.some((x) => x.partners.includes('BBB') && x.frame.tracks.some((t) => t.status === 'confirmed')), 'after: B\'s picture goes on');
  assert.equal(f.audienceOf('AAA'), undefined);
});
