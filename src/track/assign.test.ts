import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { solveAssignment } from './assign.ts';
import { isSkyError } from '../core/errors.ts';

/**
 * Independent reference: every injective map of the smaller side into the
 * larger one. Forbidden pairs are dropped from each map; the best map has
 * the most allowed pairs, then the least allowed cost (the documented
 * objective of solveAssignment).
 */
function bruteForce(cost: Float64Array, nRows: number, nCols: number, forbidden: number): { pairs: number; total: number } {
  const tall = nRows > nCols;
  const small = tall ? nCols : nRows;
  const large = tall ? nRows : nCols;
  const at = (s: number, l: number): number => (tall ? cost[l * nCols + s]! : cost[s * nCols + l]!);
  const used = new Uint8Array(large);
  let best = { pairs: -1, total: Infinity };
  const rec = (s: number, pairs: number, total: number): void => {
    if (s === small) {
      if (pairs > best.pairs || (pairs === best.pairs && total < best.total)) best = { pairs, total };
      return;
    }
    for (let l = 0; l < large; l++) {
      if (used[l]) continue;
      used[l] = 1;
      const c = at(s, l);
      if (c >= forbidden) rec(s + 1, pairs, total);
      else rec(s + 1, pairs + 1, total + c);
      used[l] = 0;
    }
  };
  rec(0, 0, 0);
  return best;
}

function checkConsistent(cost: Float64Array, nRows: number, nCols: number, forbidden: number, r: ReturnType<typeof solveAssignment>): number {
  assert.equal(r.rowToCol.length, nRows);
  assert.equal(r.colToRow.length, nCols);
  let pairs = 0;
  let total = 0;
  for (let i = 0; i < nRows; i++) {
    const j = r.rowToCol[i]!;
    if (j === -1) continue;
    assert.equal(r.colToRow[j], i, 'colToRow mirrors rowToCol');
    assert.ok(cost[i * nCols + j]! < forbidden, 'no forbidden pair is assigned');
    pairs++;
    total += cost[i * nCols + j]!;
  }
  let colPairs = 0;
  for (let j = 0; j < nCols; j++) if (r.colToRow[j] !== -1) colPairs++;
  assert.equal(colPairs, pairs);
  assert.ok(Math.abs(total - r.totalCost) <= 1e-9 * Math.max(1, Math.abs(total)));
  return pairs;
}

test('hand-computed 3x3: the optimum is 5', () => {
  // Rows: [4 1 3; 2 0 5; 3 2 2]. Optimum: r0->c1 (1), r1->c0 (2), r2->c2 (2)
  // = 5. Alternatives: r0c0+r1c1+r2c2 = 6, r0c2+r1c0+r2c1 = 7,
  // r0c0+r1c2+r2c1 = 11, r0c1+r1c2+r2c0 = 9, r0c2+r1c1+r2c0 = 6.
  const cost = Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
  const r = solveAssignment(cost, 3, 3);
  assert.deepEqual(Array.from(r.rowToCol), [1, 0, 2]);
  assert.deepEqual(Array.from(r.colToRow), [1, 0, 2]);
  assert.equal(r.totalCost, 5);
});

test('rectangular by hand: 2x3 and its 3x2 transpose', () => {
  // [10 1 7; 2 9 3]: r0->c1 (1) + r1->c0 (2) = 3.
  const wide = Float64Array.from([10, 1, 7, 2, 9, 3]);
  const a = solveAssignment(wide, 2, 3);
  assert.deepEqual(Array.from(a.rowToCol), [1, 0]);
  assert.deepEqual(Array.from(a.colToRow), [1, 0, -1]);
  assert.equal(a.totalCost, 3);
  const tall = Float64Array.from([10, 2, 1, 9, 7, 3]);
  const b = solveAssignment(tall, 3, 2);
  assert.deepEqual(Array.from(b.rowToCol), [1, 0, -1]);
  assert.deepEqual(Array.from(b.colToRow), [1, 0]);
  assert.equal(b.totalCost, 3);
});

test('forbidden entries: a row with only forbidden entries stays unassigned', () => {
  const F = Infinity;
  // Row 1 can go nowhere; rows 0 and 2 compete for column 0, row 2 also has column 2.
  const cost = Float64Array.from([1, F, F, F, F, F, 2, F, 10]);
  const r = solveAssignment(cost, 3, 3);
  assert.deepEqual(Array.from(r.rowToCol), [0, -1, 2]);
  assert.equal(r.totalCost, 11);
});

test('forbidden threshold: maximum cardinality before cost', () => {
  // With forbidden = 100, [1 50; 60 100]: r0->c0 alone costs 1 but leaves
  // r1 out; r0->c1 + r1->c0 = 110 assigns both, so it wins.
  const cost = Float64Array.from([1, 50, 60, 100]);
  const r = solveAssignment(cost, 2, 2, 100);
  assert.deepEqual(Array.from(r.rowToCol), [1, 0]);
  assert.equal(r.totalCost, 110);
});

test('gated GNN with dummy columns: leaving a row out can be cheaper', () => {
  // Two tracks (rows), one plot (column 0). Row i's non-assignment cost 5
  // sits in dummy column 1 + i; the other dummy entry is forbidden.
  const F = Infinity;
  const cost = Float64Array.from([
    3, 5, F, // track 0: plot at 3, or unassigned at 5
    4, F, 5, // track 1: plot at 4, or unassigned at 5
  ]);
  const r = solveAssignment(cost, 2, 3);
  assert.deepEqual(Array.from(r.rowToCol), [0, 2]);
  assert.equal(r.totalCost, 8);
});

test('empty and fully forbidden matrices', () => {
  const e = solveAssignment(new Float64Array(0), 0, 4);
  assert.equal(e.colToRow.length, 4);
  assert.equal(e.totalCost, 0);
  const f = solveAssignment(Float64Array.from([Infinity, Infinity]), 1, 2);
  assert.deepEqual(Array.from(f.rowToCol), [-1]);
  assert.deepEqual(Array.from(f.colToRow), [-1, -1]);
});

test('bad input has code SKY_ASSIGN_INVALID', () => {
  assert.throws(() => solveAssignment(new Float64Array(5), 2, 3), (e) => isSkyError(e) && e.code === 'SKY_ASSIGN_INVALID');
  assert.throws(
    () => solveAssignment(Float64Array.from([1, NaN, 2, 3]), 2, 2),
    (e) => isSkyError(e) && e.code === 'SKY_ASSIGN_INVALID' && /row 0, column 1/.test(e.message),
  );
});

const matrix = fc
  .record({ nRows: fc.integer({ min: 1, max: 7 }), nCols: fc.integer({ min: 1, max: 7 }) })
  .chain(({ nRows, nCols }) =>
    fc.record({
      nRows: fc.constant(nRows),
      nCols: fc.constant(nCols),
      // Small integers make ties common, which is where solvers go wrong;
      // negative costs are legal too.
      values: fc.array(fc.integer({ min: -20, max: 60 }), { minLength: nRows * nCols, maxLength: nRows * nCols }),
    }),
  );

test('property: equals brute force on random matrices up to 7x7 (rectangular both ways)', () => {
  fc.assert(
    fc.property(matrix, ({ nRows, nCols, values }) => {
      const cost = Float64Array.from(values);
      const r = solveAssignment(cost, nRows, nCols);
      const pairs = checkConsistent(cost, nRows, nCols, Infinity, r);
      const best = bruteForce(cost, nRows, nCols, Infinity);
      assert.equal(pairs, Math.min(nRows, nCols));
      assert.equal(r.totalCost, best.total);
    }),
    { numRuns: 400 },
  );
});

test('property: with forbidden entries, most pairs then least cost, as brute force', () => {
  fc.assert(
    fc.property(matrix, fc.boolean(), ({ nRows, nCols, values }, infinite) => {
      // Entries >= 40 are forbidden; half the runs write them as Infinity.
      const cost = Float64Array.from(values, (x) => (infinite && x >= 40 ? Infinity : x));
      const r = solveAssignment(cost, nRows, nCols, 40);
      const pairs = checkConsistent(cost, nRows, nCols, 40, r);
      const best = bruteForce(cost, nRows, nCols, 40);
      assert.equal(pairs, best.pairs);
      assert.equal(r.totalCost, best.total);
    }),
    { numRuns: 400 },
  );
});

test('property: real-valued costs agree with brute force to 1e-9', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.double({ min: 0, max: 4e6, noNaN: true }), { minLength: 36, maxLength: 36 }),
      (nRows, nCols, values) => {
        const cost = Float64Array.from(values.slice(0, nRows * nCols));
        const r = solveAssignment(cost, nRows, nCols);
        checkConsistent(cost, nRows, nCols, Infinity, r);
        const best = bruteForce(cost, nRows, nCols, Infinity);
        assert.ok(Math.abs(r.totalCost - best.total) <= 1e-9 * Math.max(1, best.total));
      },
    ),
    { numRuns: 300 },
  );
});

test('500x500 random matrix: a full, consistent assignment (timing printed)', (t) => {
  // Deterministic LCG so the run is reproducible (no Math.random in tests).
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const n = 500;
  const cost = new Float64Array(n * n);
  for (let k = 0; k < cost.length; k++) cost[k] = next() * 1000;
  const t0 = performance.now();
  const r = solveAssignment(cost, n, n);
  const elapsedMs = performance.now() - t0;
  t.diagnostic(`500x500 solved in ${elapsedMs.toFixed(1)} ms`);
  assert.equal(checkConsistent(cost, n, n, Infinity, r), n);
  // A uniform[0,1000) 500x500 problem has an optimum near 1000 * pi^2/6
  // (Aldous 2001, the zeta(2) limit); a wrong solver lands far above it.
  assert.ok(r.totalCost > 1000 && r.totalCost < 2500, `total ${r.totalCost}`);
});
