import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImmFilter, predictCtInPlace } from './imm.ts';
import { innovation, predictCv, updatePosition } from './kalman.ts';
import { Random } from '../core/random.ts';

/** Straight 80 s, a 90-degree coordinated turn at 3 deg/s (30 s), straight 80 s; 200 m/s. */
function truthAt(t: number): { e: number; n: number; vE: number; vN: number; turning: boolean } {
  const v = 200, w = (3 * Math.PI) / 180;
  if (t < 80) return { e: v * t, n: 0, vE: v, vN: 0, turning: false };
  const e0 = v * 80;
  if (t < 110) {
    // Turning left (counter-clockwise) about a centre v/w north of the turn's start.
    const r = v / w, a = w * (t - 80);
    return { e: e0 + r * Math.sin(a), n: r * (1 - Math.cos(a)), vE: v * Math.cos(a), vN: v * Math.sin(a), turning: true };
  }
  const r = v / w;
  return { e: e0 + r, n: r + v * (t - 110), vE: 0, vN: v, turning: false };
}

test('the IMM follows a 3 deg/s turn better than one CV filter, and knows when it turns', () => {
  const sigma = 60;
  let immSq = 0, cvSq = 0, n = 0;
  let muTurn = 0, nTurn = 0, muStraight = 0, nStraight = 0;
  for (let run = 0; run < 20; run++) {
    const rng = new Random(100 + run);
    const imm = new ImmFilter();
    const x = new Float64Array(4), P = new Float64Array(16);
    const x4 = new Float64Array(4), P4 = new Float64Array(16);
    let last = 0;
    for (let t = 0; t <= 190; t += 4) {
      const tr = truthAt(t);
      const zE = tr.e + rng.gauss() * sigma, zN = tr.n + rng.gauss() * sigma;
      if (t === 0) {
        imm.init(zE, zN, sigma ** 2, 0, sigma ** 2, 250 ** 2);
        x.set([zE, zN, 0, 0]);
        P.set([sigma ** 2, 0, 0, 0, 0, sigma ** 2, 0, 0, 0, 0, 250 ** 2, 0, 0, 0, 0, 250 ** 2]);
        continue;
      }
      imm.update(t - last, zE, zN, sigma ** 2, 0, sigma ** 2);
      // The single CV filter at the q the tracker used before the IMM (25 m^2/s^3).
      predictCv(x, P, t - last, 25);
      updatePosition(x, P, innovation(x, P, zE, zN, sigma ** 2, 0, sigma ** 2));
      last = t;
      if (t < 20) continue;
      imm.current(x4, P4);
      immSq += (x4[0]! - tr.e) ** 2 + (x4[1]! - tr.n) ** 2;
      cvSq += (x[0]! - tr.e) ** 2 + (x[1]! - tr.n) ** 2;
      n++;
      if (tr.turning && t >= 92) { muTurn += imm.mu[1]!; nTurn++; }
      if (!tr.turning && (t < 76 || t > 140)) { muStraight += imm.mu[0]!; nStraight++; }
    }
  }
  const immRms = Math.sqrt(immSq / n / 2), cvRms = Math.sqrt(cvSq / n / 2);
  console.log(`per-axis RMS: IMM ${immRms.toFixed(1)} m, CV(q=25) ${cvRms.toFixed(1)} m; turn-model probability ${(muTurn / nTurn).toFixed(2)} in the turn, CV-model ${(muStraight / nStraight).toFixed(2)} on straight legs`);
  assert.ok(immRms < cvRms, `IMM ${immRms} vs CV ${cvRms}`);
  // Measurement noise is 60 m per axis; a filter must beat it.
  assert.ok(immRms < 50, `IMM ${immRms}`);
  assert.ok(muTurn / nTurn > 0.6, `turn model in the turn ${muTurn / nTurn}`);
  assert.ok(muStraight / nStraight > 0.6, `CV model on straight legs ${muStraight / nStraight}`);
});

test('predictCombined does not change the filter', () => {
  const imm = new ImmFilter();
  imm.init(0, 0, 100, 0, 100, 1e4);
  imm.update(4, 800, 10, 100, 0, 100);
  const before = JSON.stringify([imm.x.map((a) => [...a]), imm.P.map((a) => [...a]), [...imm.mu]]);
  const x4 = new Float64Array(4), P4 = new Float64Array(16);
  imm.predictCombined(10, x4, P4);
  assert.equal(JSON.stringify([imm.x.map((a) => [...a]), imm.P.map((a) => [...a]), [...imm.mu]]), before);
  // 10 s ahead at the ~200 m/s the two plots imply: about 2 km further east.
  assert.ok(x4[0]! > 1500 && x4[0]! < 3500, `e ${x4[0]}`);
});

test('the turn model\'s covariance prediction equals F P F\' with F by central differences of the exact motion', () => {
  // Reference: the exact coordinated-turn motion, its Jacobian numerically, two dense products.
  const move = (x: number[], dt: number): number[] => {
    const [e, n, vE, vN, w] = x as [number, number, number, number, number];
    // 1 - cos as 2 sin^2 (no cancellation near omega = 0).
    const a = w === 0 ? dt : Math.sin(w * dt) / w;
    const b = w === 0 ? 0 : (2 * Math.sin((w * dt) / 2) ** 2) / w;
    const c = Math.cos(w * dt), s = Math.sin(w * dt);
    return [e + a * vE - b * vN, n + b * vE + a * vN, c * vE - s * vN, s * vE + c * vN, w];
  };
  const rng = new Random(77);
  for (let k = 0; k < 200; k++) {
    const w = k % 4 === 0 ? 1e-9 * rng.gauss() : rng.gauss() * 0.05;
    const x = [rng.gauss() * 1e4, rng.gauss() * 1e4, rng.gauss() * 200, rng.gauss() * 200, w];
    const dt = rng.uniform(-2, 12);
    // A random symmetric positive definite P = L L'.
    const L = Array.from({ length: 25 }, (_, i) => (i % 6 === 0 ? 10 + rng.uniform(0, 300) : rng.gauss() * 20));
    const P: number[] = new Array(25).fill(0);
    for (let r = 0; r < 5; r++) for (let c2 = 0; c2 < 5; c2++) for (let q = 0; q < 5; q++) P[r * 5 + c2]! += L[r * 5 + q]! * L[c2 * 5 + q]!;
    P[24] = 1e-4 + rng.uniform(0, 1e-3);
    const F: number[] = new Array(25).fill(0);
    for (let col = 0; col < 5; col++) {
      const h = col === 4 ? 1e-5 : 1e-3;
      const up = move(x.map((v, i) => (i === col ? v + h : v)), dt), dn = move(x.map((v, i) => (i === col ? v - h : v)), dt);
      for (let r = 0; r < 5; r++) F[r * 5 + col] = (up[r]! - dn[r]!) / (2 * h);
    }
    const want: number[] = new Array(25).fill(0);
    for (let r = 0; r < 5; r++) for (let c2 = 0; c2 < 5; c2++) {
      let acc = 0;
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) acc += F[r * 5 + i]! * P[i * 5 + j]! * F[c2 * 5 + j]!;
      want[r * 5 + c2] = acc;
    }
    const xs = Float64Array.from(x), Ps = Float64Array.from(P);
    predictCtInPlace(xs, Ps, dt);
    const wantX = move(x, dt);
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(xs[i]! - wantX[i]!) < 1e-6 * (1 + Math.abs(wantX[i]!)), `x[${i}] ${xs[i]} vs ${wantX[i]}`);
    for (let i = 0; i < 25; i++) {
      assert.ok(Math.abs(Ps[i]! - want[i]!) < 1e-5 * (1 + Math.abs(want[i]!)), `case ${k} P[${i}] ${Ps[i]} vs ${want[i]} (w ${w}, dt ${dt})`);
    }
  }
});
