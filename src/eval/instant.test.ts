import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SystemTrack, TruthPoint } from '../core/types.ts';
import { solveAssignment } from '../track/assign.ts';
import { horizontalDistanceM, offsetLatLonDeg } from './geo.ts';
import { InstantAssociation } from './instant.ts';

const truth = (latDeg: number, lonDeg: number): TruthPoint => ({
  timeS: 0, id: 'A', latDeg, lonDeg, altM: null, icao24: null, mode3a: null, callsign: null,
});
const track = (latDeg: number, lonDeg: number): SystemTrack => ({
  kind: 'track', id: 'T', timeS: 0, status: 'confirmed', latDeg, lonDeg, altM: null, velEastMps: 0, velNorthMps: 0,
  sigmaM: 1, icao24: null, mode3a: null, callsign: null, sensors: [], partners: [],
});

/** The dense reference: one full assignment over all pairs on cost min(d, cut)^p. */
function denseObjective(xs: TruthPoint[], ys: SystemTrack[], cutM: number, p: number): { sumP: number; pairs: number } {
  const m = xs.length;
  const n = ys.length;
  const d = new Float64Array(m * n);
  const cost = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      d[i * n + j] = horizontalDistanceM(xs[i]!.latDeg, xs[i]!.lonDeg, ys[j]!.latDeg, ys[j]!.lonDeg);
      cost[i * n + j] = Math.pow(Math.min(d[i * n + j]!, cutM), p);
    }
  }
  const r = solveAssignment(cost, m, n);
  let sumP = 0;
  let pairs = 0;
  for (let i = 0; i < m; i++) {
    const j = r.rowToCol[i]!;
    if (j >= 0 && d[i * n + j]! < cutM) {
      sumP += cost[i * n + j]!;
      pairs++;
    }
  }
  return { sumP, pairs };
}

// Points in a 12 km square near 30°N, so scenes mix close pairs, far pairs,
// shared neighbours (components of several rows) and loners.
const point = fc.record({ eastM: fc.integer({ min: 0, max: 12000 }), northM: fc.integer({ min: 0, max: 12000 }) });
const toLatLon = ({ eastM, northM }: { eastM: number; northM: number }) => offsetLatLonDeg(30, 31, eastM, northM);

test('property: the sparse per-component solution has the dense optimum (GOSPA and gated association)', () => {
  const solver = new InstantAssociation();
  fc.assert(
    fc.property(
      fc.array(point, { maxLength: 7 }),
      fc.array(point, { maxLength: 7 }),
      fc.constantFrom(500, 2000, 4000),
      (ts, ks, gateM) => {
        const xs = ts.map((q) => { const g = toLatLon(q); return truth(g.latDeg, g.lonDeg); });
        const ys = ks.map((q) => { const g = toLatLon(q); return track(g.latDeg, g.lonDeg); });
        const cM = 2000;
        const p = 2;
        solver.run(xs, ys, { cM, gateM, p });
        const m = xs.length;
        const n = ys.length;
        const dense = m > 0 && n > 0 ? denseObjective(xs, ys, cM, p) : { sumP: 0, pairs: 0 };
        // Same GOSPA value (the assignment itself may differ on ties).
        const half = Math.pow(cM, p) / 2;
        const sparseGospa = solver.locP + half * (m + n - 2 * solver.paired);
        const denseGospa = dense.sumP + half * (m + n - 2 * dense.pairs);
        assert.ok(Math.abs(sparseGospa - denseGospa) <= 1e-6 * Math.max(1, denseGospa), `${sparseGospa} vs ${denseGospa}`);
        // Same association objective: Σ d^p over gated pairs + gate^p per pair not made.
        const gated = m > 0 && n > 0 ? denseObjective(xs, ys, gateM, p) : { sumP: 0, pairs: 0 };
        let sumP = 0;
        let pairs = 0;
        const usedCols = new Set<number>();
        for (let i = 0; i < m; i++) {
          const j = solver.assocCol[i]!;
          if (j < 0) continue;
          assert.ok(!usedCols.has(j), 'one track per truth');
          usedCols.add(j);
          const dM = horizontalDistanceM(xs[i]!.latDeg, xs[i]!.lonDeg, ys[j]!.latDeg, ys[j]!.lonDeg);
          assert.ok(dM < gateM);
          assert.equal(solver.assocDistM[i], dM);
          sumP += Math.pow(dM, p);
          pairs++;
        }
        const gP = Math.pow(gateM, p);
        const sparseAssoc = sumP - gP * pairs;
        const denseAssoc = gated.sumP - gP * gated.pairs;
        assert.ok(Math.abs(sparseAssoc - denseAssoc) <= 1e-6 * Math.max(1, Math.abs(denseAssoc)), `${sparseAssoc} vs ${denseAssoc}`);
      },
    ),
    { numRuns: 300 },
  );
});

test('pairs across the antimeridian are found', () => {
  const solver = new InstantAssociation();
  solver.run([truth(10, 179.999)], [track(10, -179.999)], { cM: 2000, gateM: 2000, p: 2 });
  // 0.002° of longitude at 10°N: about 219 m.
  assert.equal(solver.paired, 1);
  assert.ok(Math.abs(solver.assocDistM[0]! - 219.3) < 0.5, String(solver.assocDistM[0]));
});
