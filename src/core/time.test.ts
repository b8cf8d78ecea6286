import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeOfDayUnwrapper, dayStartS, isoDay, timeOfDayS } from './time.ts';
import { Random } from './random.ts';

test('dayStartS gives UTC midnight (checked with date -u -d 2025-06-01 +%s = 1748736000)', () => {
  assert.equal(dayStartS('2025-06-01'), 1748736000);
  assert.equal(isoDay(1748736000 + 86399), '2025-06-01');
  assert.equal(timeOfDayS(1748736000 + 3723.5), 3723.5);
  assert.throws(() => dayStartS('2025-02-30'), /no such date/);
  assert.throws(() => dayStartS('25-02-03'), /YYYY-MM-DD/);
});

test('time of day unwraps across midnight per source', () => {
  const d0 = dayStartS('2025-06-01');
  const u = new TimeOfDayUnwrapper(d0);
  assert.equal(u.toEpochS(1, 86398), d0 + 86398);
  assert.equal(u.toEpochS(1, 2), d0 + 86400 + 2);   // next day
  assert.equal(u.toEpochS(2, 86399.5), d0 + 86399.5); // another sensor, still before midnight
  assert.equal(u.toEpochS(2, 86399), d0 + 86399);   // a slightly late plot stays on its day
});

test('Random is deterministic per seed and gauss has unit variance', () => {
  const a = new Random(42), b = new Random(42), c = new Random(43);
  const sa = [a.next(), a.next()], sb = [b.next(), b.next()];
  assert.deepEqual(sa, sb);
  assert.notEqual(c.next(), sa[0]);
  const r = new Random(7);
  let s = 0, s2 = 0;
  const n = 200000;
  for (let i = 0; i < n; i++) { const g = r.gauss(); s += g; s2 += g * g; }
  // Standard error of the mean is 1/sqrt(n) = 0.0022; of the variance about sqrt(2/n) = 0.0032.
  assert.ok(Math.abs(s / n) < 0.01, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.015, `var ${s2 / n}`);
});
