// Release policies changed mid-run, as a property: random coalitions and
// traffic, and at random moments a partner rewrites its release rules (or
// its status changes). For every frame a partner receives, every sensor
// whose plots EVER reached the fusion that made the frame (its full input
// lineage, not just the last period's updaters a track names) must be
// released to that partner at that moment, and every sensor that fed it
// identities must be released in full — judged by an oracle that reads the
// coalition's rules directly (grantFor), not the fusion's bookkeeping. A
// track fused before a revocation from the revoked sensor, and shown
// afterwards, is a leak.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCoalition, parseReleases } from './coalition.ts';
import { AudienceFusion } from './fusion.ts';
import { grantFor } from './releasability.ts';
import { geodesicDirect, degToRad, radarMeasure } from '../core/geodesy.ts';
import { Random } from '../core/random.ts';
import type { Coalition, PartnerStatus, Plot, RadarPlot, ReleaseRule } from '../core/types.ts';

const partnerIds = ['AAA', 'BBB', 'CCC', 'DDD'];

type RulesSpec = { to: string[]; firstOnly: boolean; content: string; withhold: boolean }[];

const ruleArb = (self: string, n: number) =>
  fc.record({
    to: fc.oneof(fc.constant(['*'] as string[]), fc.subarray(partnerIds.slice(0, n).filter((p) => p !== self))),
    firstOnly: fc.boolean(),
    content: fc.constantFrom('full', 'position'),
    withhold: fc.boolean(),
  });
const policyArb = (self: string, n: number): fc.Arbitrary<RulesSpec | null> => fc.option(fc.array(ruleArb(self, n), { maxLength: 3 }), { nil: null });

type Change =
  | { at: number; partner: number; kind: 'policy'; rules: { to: string[]; firstOnly: boolean; content: string; withhold: boolean }[] | null }
  | { at: number; partner: number; kind: 'status'; status: PartnerStatus };

const caseArb = fc.integer({ min: 2, max: 4 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    seed: fc.integer({ min: 1, max: 1e6 }),
    initial: fc.tuple(...partnerIds.slice(0, n).map((p) => policyArb(p, n))),
    changes: fc.array(
      fc.integer({ min: 0, max: n - 1 }).chain((who) =>
        fc.oneof(
          { weight: 4, arbitrary: fc.record({ at: fc.double({ min: 0.05, max: 0.95, noNaN: true }), partner: fc.constant(who), kind: fc.constant('policy' as const), rules: policyArb(partnerIds[who]!, n) }) },
          { weight: 1, arbitrary: fc.record({ at: fc.double({ min: 0.05, max: 0.95, noNaN: true }), partner: fc.constant(who), kind: fc.constant('status' as const), status: fc.constantFrom<PartnerStatus>('member', 'suspended', 'withdrawn') }) },
        ),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  }),
);

const BOX = [[[30, 32], [32, 32], [32, 34], [30, 34]]];

function rulesJson(rules: { to: string[]; firstOnly: boolean; content: string; withhold: boolean }[] | null, own: string[]) {
  return rules === null ? null : rules.map((r) => ({ to: r.to, sensors: r.firstOnly ? own.slice(0, 1) : null, content: r.content, withholdInside: r.withhold ? BOX : [] }));
}

function build(n: number, seed: number, initial: readonly (Parameters<typeof rulesJson>[0])[]): { coalition: Coalition; batches: Plot[][] } {
  const rng = new Random(seed);
  const ids = partnerIds.slice(0, n);
  const sensors: Record<string, unknown>[] = ids.flatMap((p, i) =>
    [0, 1].slice(0, 1 + (rng.next() < 0.5 ? 1 : 0)).map((k) => ({
      id: `${p}-${k}`, partner: p, kind: 'mode-s', sac: 10 + i, sic: k,
      lat: 31 + rng.uniform(-1, 1), lon: 34 + rng.uniform(-1, 1), altM: 100, rotationS: 4 + k, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05,
    })),
  );
  ids.forEach((p, i) => {
    if (rng.next() < 0.4) sensors.push({ id: `${p}-ads`, partner: p, kind: 'adsb', sac: 10 + i, sic: 9, lat: 31, lon: 34, altM: 50, rotationS: null, maxRangeM: 400000, sigmaRangeM: 30 });
  });
  const partners = ids.map((id, i) => {
    const rel = rulesJson(initial[i] ?? null, sensors.filter((s) => s.partner === id).map((s) => s.id as string));
    return { id, name: id, status: 'member', ...(rel === null ? {} : { releases: rel }) };
  });
  const coalition = parseCoalition({ partners, sensors });
  return { coalition, batches: traffic(coalition, rng) };
}

/** Five aircraft for 120 s: radar scans and ADS-B reports each second, in time order. */
function traffic(c: Coalition, rng: Random, durationS = 120): Plot[][] {
  const flights = Array.from({ length: 5 }, (_, k) => ({
    lat: 31 + rng.uniform(-0.8, 0.8), lon: 34 + rng.uniform(-0.8, 0.8), course: rng.uniform(0, 360), v: rng.uniform(150, 250),
    h: rng.int(100, 400) * 30.48, icao: (0xa00000 + k).toString(16), sq: (0o1000 + k).toString(8).padStart(4, '0'),
  }));
  const out: { t: number; plots: Plot[] }[] = [];
  for (const s of c.sensors) {
    const site = { latRad: s.latRad, lonRad: s.lonRad, heightM: s.altM };
    const periodS = s.kind === 'adsb' ? 1 : s.rotationS!;
    for (let t = rng.uniform(0, periodS); t < durationS; t += periodS) {
      out.push({
        t,
        plots: flights.map((f): Plot => {
          const p = geodesicDirect(degToRad(f.lat), degToRad(f.lon), degToRad(f.course), f.v * t);
          if (s.kind === 'adsb') {
            return {
              kind: 'adsb', sensorId: s.id, partnerId: s.partnerId, timeS: 1.7e9 + t, latRad: p[0]!, lonRad: p[1]!, heightM: null,
              flightLevel: Math.round(f.h / 30.48), mode3a: f.sq, icao24: f.icao, callsign: `TST${f.sq}`,
            };
          }
          const m = radarMeasure(site, { latRad: p[0]!, lonRad: p[1]!, heightM: f.h });
          return {
            kind: 'radar', sensorId: s.id, partnerId: s.partnerId, timeS: 1.7e9 + t,
            rangeM: m.slantRangeM + rng.gauss() * 40, azimuthRad: m.azimuthRad + rng.gauss() * degToRad(0.05),
            flightLevel: Math.round(f.h / 30.48), mode3a: f.sq, icao24: f.icao, callsign: `TST${f.sq}`, detection: 'mode-s',
          } satisfies RadarPlot;
        }),
      });
    }
  }
  return out.sort((a, b) => a.t - b.t).map((b) => b.plots);
}

test('policy changes mid-run: no partner ever receives a track with a contributing sensor not released to it at that moment', () => {
  let cases = 0, changes = 0, framesChecked = 0, tracksChecked = 0, revocations = 0, revokedLineageSeen = 0;
  let failure = '';
  const details = fc.check(
    fc.property(caseArb, ({ n, seed, initial, changes: chs }) => {
      cases++;
      const { coalition: c0, batches } = build(n, seed, initial);
      let now: Coalition = c0;
      // Every plot that reached each fusion (by its tracker: a fusion that is
      // dropped and later re-created under the same key starts afresh),
      // and which of them carried an identity.
      const inputs = new WeakMap<object, { sensors: Set<string>; identified: Set<string> }>();
      const fusion = new AudienceFusion(c0, { periodS: 1, reorderWindowS: 1 }, ({ audience, frame }) => {
        if (failure) return;
        const made = internals.fusions.get(audience.key)!.tracker;
        const lin = inputs.get(made) ?? { sensors: new Set<string>(), identified: new Set<string>() };
        for (const pid of audience.partners) {
          const partner = now.partners.find((p) => p.id === pid)!;
          framesChecked++;
          tracksChecked += frame.tracks.length;
          for (const sid of lin.sensors) {
            const g = grantFor(now, now.sensors.find((x) => x.id === sid)!, partner);
            if (!g) {
              failure = `${pid} got a frame at ${frame.timeS} from a fusion fed by ${sid}, not released to it now (seed ${seed})`;
              return;
            }
            if (lin.identified.has(sid) && g.content !== 'full') {
              failure = `${pid} got a frame at ${frame.timeS} from a fusion fed identities by ${sid}, released to it as position only now (seed ${seed})`;
              return;
            }
          }
          for (const t of frame.tracks) for (const sid of t.sensors) if (!lin.sensors.has(sid)) failure = `track ${t.id} names ${sid}, which never fed its fusion`;
        }
      });
      const internals = fusion as unknown as { fusions: Map<string, { tracker: object }>; router: { filter(a: { key: string }, b: readonly Plot[]): Plot[] } };
      const filter = internals.router.filter.bind(internals.router);
      internals.router.filter = (a, b) => {
        const out = filter(a, b);
        const f = internals.fusions.get(a.key)!.tracker;
        let lin = inputs.get(f);
        if (!lin) inputs.set(f, (lin = { sensors: new Set(), identified: new Set() }));
        for (const p of out) {
          lin.sensors.add(p.sensorId);
          if (p.icao24 !== null || p.mode3a !== null || p.callsign !== null) lin.identified.add(p.sensorId);
        }
        return out;
      };
      const plan = chs.map((ch) => ({ ...ch, idx: Math.floor(ch.at * batches.length) })).sort((a, b) => a.idx - b.idx);
      batches.forEach((b, i) => {
        while (plan.length > 0 && plan[0]!.idx === i) {
          const ch = plan.shift()!;
          const pid = partnerIds[ch.partner]!;
          changes++;
          const before = new Set(now.partners.flatMap((p) => now.sensors.filter((s) => grantFor(now, s, p)).map((s) => `${p.id}:${s.id}`)));
          if (ch.kind === 'policy') {
            const own = now.sensors.filter((s) => s.partnerId === pid).map((s) => s.id);
            const rules: readonly ReleaseRule[] | null = parseReleases(now, pid, { releases: rulesJson(ch.rules, own) });
            now = { ...now, partners: now.partners.map((p) => (p.id === pid ? { ...p, releases: rules } : p)) };
            fusion.setReleases(pid, rules);
          } else {
            now = { ...now, partners: now.partners.map((p) => (p.id === pid ? { ...p, status: ch.status } : p)) };
            fusion.setPartnerStatus(pid, ch.status);
          }
          const after = new Set(now.partners.flatMap((p) => now.sensors.filter((s) => grantFor(now, s, p)).map((s) => `${p.id}:${s.id}`)));
          const revoked = [...before].filter((k) => !after.has(k));
          if (revoked.length > 0) {
            revocations++;
            revokedLineageSeen += revoked.length;
          }
        }
        fusion.push(b);
        fusion.tick(b[0]!.timeS);
      });
      fusion.flush();
      return failure === '';
    }),
    { numRuns: 100, seed: 20260917, endOnFailure: true },
  );
  assert.equal(details.failed, false, failure || String(details.counterexample));
  console.log(`policy changes mid-run: ${cases} coalitions, ${changes} changes (${revocations} revoking a grant, ${revokedLineageSeen} partner-sensor grants revoked), ${framesChecked} partner frames and ${tracksChecked} tracks checked against their full lineage; leaks found: 0`);
  assert.ok(revocations > cases / 3, 'enough changes revoke something for the property to bite');
  assert.ok(tracksChecked > 10_000, 'the pictures hold tracks');
});

test('the lineage check has teeth: a fusion that kept its picture across a revocation is caught', () => {
  // Same check, against a deliberately broken fusion that does NOT restart on
  // a revocation (its audience map is patched back to the old key): the
  // revoked partner keeps receiving tracks fused from the revoked sensor.
  const { coalition } = build(2, 7, [null, null]);
  const a = coalition.sensors.find((s) => s.partnerId === 'AAA')!;
  const bbb = coalition.partners.find((p) => p.id === 'BBB')!;
  const plots = traffic(coalition, new Random(3));
  const got: { sensors: Set<string>; t: number }[] = [];
  const lineage = new Map<string, Set<string>>();
  const fusion = new AudienceFusion(coalition, { periodS: 1, reorderWindowS: 1 }, ({ audience, frame }) => {
    for (const t of frame.tracks) {
      const s = lineage.get(t.id) ?? lineage.set(t.id, new Set()).get(t.id)!;
      for (const x of t.sensors) s.add(x);
    }
    if (audience.partners.includes('BBB')) for (const t of frame.tracks) got.push({ sensors: lineage.get(t.id)!, t: frame.timeS });
  });
  const half = Math.floor(plots.length / 2);
  let revokedAt = 0;
  let now = coalition;
  plots.forEach((b, i) => {
    if (i === half) {
      revokedAt = b[0]!.timeS;
      const rules = parseReleases(now, 'AAA', { releases: [] });
      now = { ...now, partners: now.partners.map((p) => (p.id === 'AAA' ? { ...p, releases: rules } : p)) };
      // Broken on purpose: keep the one shared fusion for everybody.
      const f = fusion as unknown as { fusions: Map<string, { audience: { key: string; partners: string[] } }>; byPartner: Map<string, string> };
      const [key, shared] = [...f.fusions][0]!;
      f.fusions = new Map([[key, { ...shared, audience: { ...shared.audience, partners: ['AAA', 'BBB'] } }]]);
      f.byPartner.set('BBB', key);
    }
    fusion.push(b);
    fusion.tick(b[0]!.timeS);
  });
  const leaks = got.filter((g) => g.t > revokedAt && [...g.sensors].some((s) => !grantFor(now, now.sensors.find((x) => x.id === s)!, bbb)));
  assert.ok(leaks.length > 0, 'the oracle flags tracks whose lineage includes the revoked sensor');
  assert.ok(leaks.every((l) => l.sensors.has(a.id) || [...l.sensors].some((s) => s.startsWith('AAA'))));
});
