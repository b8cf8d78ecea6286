// The routes traffic model: identities unique, flight within the limits of
// real aircraft (bank-limited turns, gentle accelerations), climbs and
// descents near airports, landings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../core/random.ts';
import { Traffic, type Aircraft } from './traffic.ts';
import { AIRPORTS } from './airports.ts';
import { sphericalDistanceM } from './routes.ts';

const DEG = Math.PI / 180;

test('routed traffic: unique identities, realistic turns, speeds, climbs, descents and landings', () => {
  const t0 = 1_748_772_000;
  const traffic = new Traffic({
    centerLatRad: 29.5 * DEG, centerLonRad: 35 * DEG, radiusM: 900_000, count: 300,
    noTransponderFraction: 0.04, modeSFraction: 0.6, turningFraction: 0, retireRadiusM: 1_300_000, model: 'routes',
  }, new Random(3), t0, new Random(4));
  const prev = new Map<Aircraft, { hdg: number; v: number; h: number }>();
  let maxTurnDegS = 0, maxAccel = 0, climbing = 0, descending = 0, landed = 0;
  const live = new Set<Aircraft>(traffic.aircraft);
  for (let s = t0; s < t0 + 600; s++) {
    traffic.advance(s);
    for (const ac of traffic.aircraft) {
      if (ac.retired) {
        if (live.delete(ac) && ac.pilot?.done) {
          landed++;
          // It lands at an airport: within 8 km of one, low.
          const near = AIRPORTS.some((a) => sphericalDistanceM(ac.latRad, ac.lonRad, a.latDeg * DEG, a.lonDeg * DEG) < 8000);
          assert.ok(near && ac.heightM < 1500, `${ac.identity.id} landed at ${ac.latRad / DEG}, ${ac.lonRad / DEG}, ${ac.heightM} m`);
        }
        continue;
      }
      live.add(ac);
      const p = prev.get(ac);
      if (p) {
        const turn = Math.abs(((ac.headingRad - p.hdg + 3 * Math.PI) % (2 * Math.PI)) - Math.PI) / DEG;
        maxTurnDegS = Math.max(maxTurnDegS, turn);
        maxAccel = Math.max(maxAccel, Math.abs(ac.speedMps - p.v));
        if (ac.heightM - p.h > 3) climbing++;
        if (ac.heightM - p.h < -3) descending++;
      }
      prev.set(ac, { hdg: ac.headingRad, v: ac.speedMps, h: ac.heightM });
    }
    traffic.prune(s);
  }
  // Rate-one turns at most (3 deg/s), accelerations within 1 m/s^2.
  assert.ok(maxTurnDegS <= 3.0001, `turn rate ${maxTurnDegS} deg/s`);
  assert.ok(maxAccel <= 1.0001, `acceleration ${maxAccel} m/s^2`);
  assert.ok(climbing > 1000 && descending > 1000, `${climbing} climbing, ${descending} descending aircraft-seconds`);
  assert.ok(landed > 5, `${landed} landings in 10 minutes`);
  const ids = traffic.aircraft.filter((a) => !a.retired).map((a) => a.identity);
  const icaos = ids.map((i) => i.icao24).filter((x) => x !== null);
  const calls = ids.map((i) => i.callsign).filter((x) => x !== null);
  const codes = ids.map((i) => i.mode3a).filter((x) => x !== null);
  assert.equal(new Set(icaos).size, icaos.length, 'ICAO addresses unique');
  assert.equal(new Set(calls).size, calls.length, 'callsigns unique');
  assert.equal(new Set(codes).size, codes.length, 'Mode 3/A codes unique among live aircraft');
  assert.ok(ids.some((i) => i.transponder === 'none'), 'some primary-only aircraft');
  // Airliner callsigns are an ICAO airline designator and a flight number.
  assert.ok(calls.filter((c) => /^[A-Z]{3}\d{1,4}$/.test(c)).length > 0.6 * calls.length);
});
