// Cheaper forms of the page's per-track arithmetic must give what the plain
// formulas give: the Web Mercator y interpolated in a table (web/src/geo.ts)
// against the tangent-and-logarithm formula, to well under a Float32 step (the
// track layer draws in Float32), and the Mode S address read by hand
// (web/src/affiliation.ts) against parseInt, on any string.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hexValue } from '../web/src/affiliation.ts';
import { mercatorY, mercatorYExact } from '../web/src/geo.ts';

test('the tabled Mercator y is within 1e-9 of the formula at every latitude, and is the formula beyond 85 degrees', () => {
  let worst = 0;
  // An odd step, so the samples fall everywhere between the table's latitudes (every 1/8 degree), on them too.
  for (let lat = -89.9; lat <= 89.9; lat += 0.0013) worst = Math.max(worst, Math.abs(mercatorY(lat) - mercatorYExact(lat)));
  for (let j = -680; j <= 680; j++) worst = Math.max(worst, Math.abs(mercatorY(j / 8) - mercatorYExact(j / 8)));
  assert.ok(worst < 1e-9, `worst ${worst}`);
  for (const lat of [85.5, -85.01, 89, -89.99]) assert.equal(mercatorY(lat), mercatorYExact(lat));
  assert.equal(mercatorY(0), 0.5);
  // MapLibre's constants: the equator at 0.5; 85.0511 degrees at the edge of the square world.
  assert.ok(Math.abs(mercatorY(85.0511287798) - 0) < 1e-9 && Math.abs(mercatorY(-85.0511287798) - 1) < 1e-9);
  assert.ok(Number.isNaN(mercatorY(NaN)));
});

test('a Mode S address read by hand is what parseInt(s, 16) reads, for any string', () => {
  const odd = ['', '010203', '4c8001', '4C8001', 'ABCDEF', 'abcdef', 'ffffff', '000000', 'a', '0x1a', '-1a', '+1a', ' 1a', '1a ', '1g2', 'g', 'zz', '12.5', '1e3', '\u0661', 'fF09aA'];
  for (const s of odd) assert.ok(Object.is(hexValue(s), parseInt(s, 16)), `${JSON.stringify(s)}: ${hexValue(s)} vs ${parseInt(s, 16)}`);
  for (let a = 0; a < 0x1000000; a += 4099) {
    const s = a.toString(16).padStart(6, '0');
    assert.equal(hexValue(s), a);
    assert.equal(hexValue(s.toUpperCase()), a);
  }
});
