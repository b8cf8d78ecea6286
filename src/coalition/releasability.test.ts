import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCoalition } from './coalition.ts';
import { audiences, grantFor, insidePolygon, PlotRouter } from './releasability.ts';
import { degToRad, radarMeasure } from '../core/geodesy.ts';
import type { Coalition, RadarPlot } from '../core/types.ts';

const radar = (id: string, partner: string, sic: number, lat: number, lon: number) => ({
  id, partner, kind: 'mode-s', sac: 1, sic, lat, lon, altM: 50, rotationS: 4, maxRangeM: 250000, sigmaRangeM: 40, sigmaAzimuthDeg: 0.05,
});

function coalition(extra: Record<string, unknown> = {}): Coalition {
  return parseCoalition({
    partners: [
      { id: 'EGY', name: 'Egypt', status: 'member', releases: [
        // Cairo radar: identities only to Jordan, position only to everyone else, nothing over the Nile delta.
        { to: ['JOR'], sensors: ['EGY-CAI'], content: 'full', withholdInside: [[[30.5, 30.0], [31.6, 30.0], [31.6, 32.3], [30.5, 32.3]]] },
        { to: ['*'], sensors: ['EGY-CAI'], content: 'position' },
      ] },
      { id: 'JOR', name: 'Jordan', status: 'member' },
      { id: 'CYP', name: 'Cyprus', status: 'member', releases: [] },
      { id: 'GRC', name: 'Greece', status: 'member', releases: [] },
      ...((extra.partners as unknown[]) ?? []),
    ],
    sensors: [
      radar('EGY-CAI', 'EGY', 1, 30.1, 31.4),
      radar('EGY-ARI', 'EGY', 2, 31.1, 33.8),
      radar('JOR-AMM', 'JOR', 3, 31.7, 36.0),
      radar('CYP-TRO', 'CYP', 4, 34.9, 32.9),
      radar('GRC-KRT', 'GRC', 5, 35.3, 25.2),
    ],
  });
}

const byId = (c: Coalition, id: string) => c.partners.find((p) => p.id === id)!;
const sensor = (c: Coalition, id: string) => c.sensors.find((s) => s.id === id)!;

test('grants follow the written rules: own data in full, first matching rule, no rule no release', () => {
  const c = coalition();
  assert.equal(grantFor(c, sensor(c, 'EGY-CAI'), byId(c, 'EGY'))?.content, 'full');
  assert.equal(grantFor(c, sensor(c, 'EGY-CAI'), byId(c, 'JOR'))?.content, 'full');
  assert.equal(grantFor(c, sensor(c, 'EGY-CAI'), byId(c, 'JOR'))?.withholdInside.length, 1);
  assert.equal(grantFor(c, sensor(c, 'EGY-CAI'), byId(c, 'CYP'))?.content, 'position');
  // EGY's rules name only EGY-CAI: its other radar is released to no one.
  assert.equal(grantFor(c, sensor(c, 'EGY-ARI'), byId(c, 'JOR')), null);
  // JOR says nothing: everything to every member.
  assert.equal(grantFor(c, sensor(c, 'JOR-AMM'), byId(c, 'GRC'))?.content, 'full');
  // CYP releases nothing.
  assert.equal(grantFor(c, sensor(c, 'CYP-TRO'), byId(c, 'JOR')), null);
});

test('suspended and withdrawn partners neither give nor receive; a suspended one keeps its own picture', () => {
  const c0 = coalition();
  const c = { ...c0, partners: c0.partners.map((p) => (p.id === 'JOR' ? { ...p, status: 'suspended' as const } : p.id === 'GRC' ? { ...p, status: 'withdrawn' as const } : p)) };
  assert.equal(grantFor(c, sensor(c, 'JOR-AMM'), byId(c, 'EGY')), null);
  assert.equal(grantFor(c, sensor(c, 'EGY-CAI'), byId(c, 'JOR')), null);
  assert.equal(grantFor(c, sensor(c, 'JOR-AMM'), byId(c, 'JOR'))?.content, 'full');
  assert.equal(grantFor(c, sensor(c, 'GRC-KRT'), byId(c, 'GRC')), null);
  const aud = audiences(c);
  assert.ok(!aud.some((a) => a.partners.includes('GRC')), 'a withdrawn partner has no picture');
  assert.deepEqual([...aud.find((a) => a.partners.includes('JOR'))!.grants.keys()], ['JOR-AMM']);
});

test('partners with equal inputs share one audience', () => {
  const c = parseCoalition({
    partners: [
      { id: 'A', name: 'A', status: 'member' },
      { id: 'B', name: 'B', status: 'member', releases: [] },
      { id: 'C', name: 'C', status: 'member', releases: [] },
    ],
    sensors: [radar('A-1', 'A', 1, 30, 31)],
  });
  const aud = audiences(c);
  // B and C both see exactly A-1 in full (and own no sensors): one audience; A sees the same: also shared.
  assert.equal(aud.length, 1);
  assert.deepEqual(aud[0]!.partners, ['A', 'B', 'C']);
});

test('the router strips identities for position-only grants and withholds plots inside polygons', () => {
  const c = coalition();
  const site = sensor(c, 'EGY-CAI');
  const plotAt = (lat: number, lon: number): RadarPlot => {
    const m = radarMeasure({ latRad: site.latRad, lonRad: site.lonRad, heightM: site.altM }, { latRad: degToRad(lat), lonRad: degToRad(lon), heightM: 300 * 30.48 });
    return { kind: 'radar', sensorId: 'EGY-CAI', partnerId: 'EGY', timeS: 1, rangeM: m.slantRangeM, azimuthRad: m.azimuthRad, flightLevel: 300, mode3a: '1234', icao24: 'abcdef', callsign: 'MSR1', detection: 'mode-s' };
  };
  const overDelta = plotAt(31.0, 31.0);
  const overSinai = plotAt(30.0, 33.0);
  const router = new PlotRouter(c);
  const aud = audiences(c);
  const jor = aud.find((a) => a.partners.includes('JOR'))!;
  const cyp = aud.find((a) => a.partners.includes('CYP'))!;
  const egy = aud.find((a) => a.partners.includes('EGY'))!;
  assert.deepEqual(router.filter(egy, [overDelta, overSinai]), [overDelta, overSinai]);
  assert.deepEqual(router.filter(jor, [overDelta, overSinai]), [overSinai]);
  const forCyp = router.filter(cyp, [overDelta, overSinai]);
  assert.equal(forCyp.length, 2);
  for (const p of forCyp) {
    assert.equal(p.icao24, null);
    assert.equal(p.mode3a, null);
    assert.equal(p.callsign, null);
  }
});

test('point in polygon (a 1-degree square; ray casting)', () => {
  const sq = [[0, 0], [0, 1], [1, 1], [1, 0]].map(([a, b]) => [degToRad(a!), degToRad(b!)] as const);
  assert.equal(insidePolygon(degToRad(0.5), degToRad(0.5), sq), true);
  assert.equal(insidePolygon(degToRad(1.5), degToRad(0.5), sq), false);
  assert.equal(insidePolygon(degToRad(0.5), degToRad(-0.1), sq), false);
});

test('release rules are validated with their JSON path', () => {
  assert.throws(() => parseCoalition({
    partners: [{ id: 'A', name: 'A', status: 'member', releases: [{ to: ['Z'] }] }],
    sensors: [],
  }), /partners\[0\]\.releases\[0\]\.to "Z" is not a declared partner/);
  assert.throws(() => parseCoalition({
    partners: [{ id: 'A', name: 'A', status: 'member', releases: [{ to: ['*'], sensors: ['B-1'] }] }, { id: 'B', name: 'B', status: 'member' }],
    sensors: [radar('B-1', 'B', 1, 30, 31)],
  }), /partners\[0\]\.releases\[0\]\.sensors "B-1" is not a sensor of A/);
  assert.throws(() => parseCoalition({
    partners: [{ id: 'A', name: 'A', status: 'member', releases: [{ to: ['*'], content: 'some' }] }],
    sensors: [],
  }), /content must be full or position/);
});
