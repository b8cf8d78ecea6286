import { test } from 'node:test';
import assert from 'node:assert/strict';
import { innovation, predictCv, updatePosition } from './kalman.ts';
import { Random } from '../core/random.ts';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('predict moves the state and grows P as F P F\' + Q (checked by hand)', () => {
  const x = new Float64Array([100, 200, 10, -5]);
  const P = new Float64Array([4, 0, 0, 0, 0, 9, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2]);
  predictCv(x, P, 2, 0.5);
  assert.deepEqual([...x], [120, 190, 10, -5]);
  // P_ee = 4 + dt^2 * 1 + q dt^3/3 = 4 + 4 + 0.5*8/3; P_e,vE = dt*1 + q dt^2/2 = 2 + 1; P_vE = 1 + q dt = 2
  close(P[0]!, 8 + 4 / 3, 1e-12, 'Pee');
  close(P[2]!, 3, 1e-12, 'Pe,ve');
  close(P[8]!, 3, 1e-12, 'Pve,e');
  close(P[10]!, 2, 1e-12, 'Pve');
  // north: 9 + 4*2 + 4/3; cross term 2*2 + 1 = 5; vN 2 + 1 = 3
  close(P[5]!, 17 + 4 / 3, 1e-12, 'Pnn');
  close(P[7]!, 5, 1e-12, 'Pn,vn');
  close(P[15]!, 3, 1e-12, 'Pvn');
  close(P[1]!, 0, 0, 'Pen');
});

test('update of a scalar-like case matches the textbook gain P/(P+R)', () => {
  const x = new Float64Array([0, 0, 0, 0]);
  const P = new Float64Array([100, 0, 0, 0, 0, 100, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  const inn = innovation(x, P, 10, -20, 300, 0, 300);
  close(inn.d2, (100 + 400) / 400, 1e-12, 'd2');
  updatePosition(x, P, inn);
  close(x[0]!, 10 * 0.25, 1e-12, 'e');
  close(x[1]!, -20 * 0.25, 1e-12, 'n');
  close(P[0]!, 75, 1e-12, 'Pee');
  close(P[5]!, 75, 1e-12, 'Pnn');
});

test('filter on a straight track converges: error variance matches P (consistency)', () => {
  const rng = new Random(3);
  const sigma = 100;
  let nees = 0, n = 0, errSq = 0;
  for (let run = 0; run < 400; run++) {
    const x = new Float64Array([0, 0, 0, 0]);
    const P = new Float64Array([sigma ** 2, 0, 0, 0, 0, sigma ** 2, 0, 0, 0, 0, 300 ** 2, 0, 0, 0, 0, 300 ** 2]);
    const vE = 200, vN = -50;
    let first = true;
    for (let k = 0; k < 30; k++) {
      const t = 4 * k;
      if (!first) predictCv(x, P, 4, 1e-9); // the truth has no acceleration
      first = false;
      const inn = innovation(x, P, vE * t + rng.gauss() * sigma, vN * t + rng.gauss() * sigma, sigma ** 2, 0, sigma ** 2);
      updatePosition(x, P, inn);
      if (k === 29) { // one sample per run: independent draws
        const eE = x[0]! - vE * t, eN = x[1]! - vN * t;
        const det = P[0]! * P[5]! - P[1]! * P[1]!;
        nees += (eE * eE * P[5]! - 2 * eE * eN * P[1]! + eN * eN * P[0]!) / det;
        errSq += eE * eE + eN * eN;
        n++;
      }
    }
  }
  // Average normalised estimation error squared of a consistent 2-D filter is
  // 2 (chi-square, 2 dof); over 400 independent runs its standard error is 0.1.
  close(nees / n, 2, 0.3, 'NEES');
  // Steady-state position error far below the 100 m measurement noise.
  assert.ok(Math.sqrt(errSq / n / 2) < 50, `rms ${Math.sqrt(errSq / n / 2)}`);
});
