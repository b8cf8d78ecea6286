import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jpdaMarginals } from './jpda.ts';
import { ImmFilter } from './imm.ts';

test('JPDA marginals of two tracks sharing two plots, against the events counted by hand', () => {
  // Tracks 0 and 1; plots A (id 10) and B (id 20). Weights: 0-A 4, 0-B 1, 1-A 2, 1-B 3; miss 0.5.
  // Events (track 0's plot, track 1's plot) and their products:
  //   (-,-) .25  (-,A) 1  (-,B) 1.5  (A,-) 2  (A,B) 12  (B,-) .5  (B,A) 2
  // Total 19.25. P(0-A) = (2 + 12) / 19.25, P(0-B) = (.5 + 2) / 19.25,
  // P(1-A) = (1 + 2) / 19.25, P(1-B) = (1.5 + 12) / 19.25.
  const pairs = { track: [0, 0, 1, 1], plot: [10, 20, 10, 20], weight: [4, 1, 2, 3], count: 4 };
  const beta = new Float64Array(4);
  assert.ok(jpdaMarginals(2, pairs, 0.5, beta));
  const expect = [14 / 19.25, 2.5 / 19.25, 3 / 19.25, 13.5 / 19.25];
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(beta[k]! - expect[k]!) < 1e-12, `${k}: ${beta[k]} vs ${expect[k]}`);
  // Too many events for the cap: left to the caller.
  assert.equal(jpdaMarginals(2, pairs, 0.5, beta, 8), false);
});

test('a PDA update with one plot of probability 1 is the Kalman update; with probability 0 the prediction', () => {
  const make = () => {
    const f = new ImmFilter();
    f.init(1000, 2000, 900, 100, 1600, 250 ** 2);
    f.update(5, 1500, 2900, 900, 0, 900);
    f.update(5, 2010, 3790, 900, 0, 900);
    return f;
  };
  const a = make(), b = make(), c = make();
  a.update(4, 2450, 4500, 2500, 300, 1600);
  b.updatePda(4, 1, new Float64Array([2450, 4500]), new Float64Array([2500, 300, 1600]), new Float64Array([1]));
  for (let j = 0; j < 2; j++) {
    for (let k = 0; k < a.x[j]!.length; k++) assert.ok(Math.abs(a.x[j]![k]! - b.x[j]![k]!) < 1e-9, `x ${j} ${k}`);
    for (let k = 0; k < a.P[j]!.length; k++) assert.ok(Math.abs(a.P[j]![k]! - b.P[j]![k]!) < 1e-6 * (1 + Math.abs(a.P[j]![k]!)), `P ${j} ${k}`);
    assert.ok(Math.abs(a.mu[j]! - b.mu[j]!) < 1e-12);
  }
  // Probability 0: position moves by the prediction only, covariance grows.
  const x4 = new Float64Array(4), P4 = new Float64Array(16);
  c.predictCombined(4, x4, P4);
  c.updatePda(4, 1, new Float64Array([2450, 4500]), new Float64Array([2500, 300, 1600]), new Float64Array([0]));
  const y4 = new Float64Array(4), Q4 = new Float64Array(16);
  c.current(y4, Q4);
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(x4[k]! - y4[k]!) < 1e-9, `x4 ${k}`);
  for (let k = 0; k < 16; k++) assert.ok(Math.abs(P4[k]! - Q4[k]!) < 1e-6 * (1 + Math.abs(P4[k]!)), `P4 ${k}`);
});

test('a PDA update split between two plots lands between them and is less certain than either single update', () => {
  const make = () => {
    const f = new ImmFilter();
    f.init(0, 0, 900, 0, 900, 100);
    return f;
  };
  const one = make(), two = make();
  one.update(1, 100, 0, 900, 0, 900);
  two.updatePda(1, 2, new Float64Array([100, 0, -100, 0]), new Float64Array([900, 0, 900, 900, 0, 900]), new Float64Array([0.5, 0.5]));
  const x1 = new Float64Array(4), P1 = new Float64Array(16), x2 = new Float64Array(4), P2 = new Float64Array(16);
  one.current(x1, P1);
  two.current(x2, P2);
  assert.ok(Math.abs(x2[0]!) < 1e-9, `east ${x2[0]}`);
  assert.ok(P2[0]! > P1[0]!, `east variance ${P2[0]} vs ${P1[0]}`);
});
