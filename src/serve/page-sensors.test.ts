// The sensor panel's figures, from the feed counters of GET /api/sensors:
// plots per second between two polls, and latency (arrival - data time).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feedLatencyS, plotRate, registrationText } from '../../web/src/sensors.ts';

test('data rate: plots counted between two polls over the wall-clock time between them; none without two samples or after a counter reset', () => {
  assert.equal(plotRate(undefined, 100, 1000), null);
  assert.equal(plotRate({ plots: 100, atMs: 1000 }, 350, 6000), 50);
  assert.equal(plotRate({ plots: 100, atMs: 1000 }, 100, 6000), 0);
  // The server restarted (counters back to 0), or the same poll twice.
  assert.equal(plotRate({ plots: 100, atMs: 1000 }, 20, 6000), null);
  assert.equal(plotRate({ plots: 100, atMs: 1000 }, 200, 1000), null);
});

test('latency: arrival of the latest block minus the data time it carried; unknown without both', () => {
  assert.equal(feedLatencyS({ records: 1, plots: 1, lastDataS: 1000.25, lastArrivalS: 1001 }), 0.75);
  assert.equal(feedLatencyS({ records: 1, plots: 1, lastDataS: null, lastArrivalS: 1001 }), null);
  assert.equal(feedLatencyS(null), null);
});

test('registration shows each estimate with its 1-sigma uncertainty', () => {
  const r = {
    state: 'registered' as const, observations: 412, rangeOffsetM: 151.6, rangeGainPpm: 118.2, azimuthOffsetDeg: 0.1504, timeOffsetS: 0.104,
    sigmaRangeOffsetM: 12.4, sigmaAzimuthOffsetDeg: 0.0102, sigmaRangeGainPpm: 9.6, sigmaTimeOffsetS: 0.021, applied: true,
  };
  assert.equal(registrationText(r), 'registered, applied: 152 m ±12, 118 ppm ±10, 0.150° ±0.010, 0.10 s ±0.02 (412 pairs)');
});
