// npm run bench: throughput figures on this machine, each with a baseline
// measured in the same run (machines here are shared and noisy, so ratios
// mean more than absolute numbers). Prints; asserts nothing.

import { decodeBlock, decodeBlockItems } from '../src/asterix/index.ts';
import { SensorDirectory } from '../src/coalition/coalition.ts';
import { dayStartS, isoDay } from '../src/core/time.ts';
import type { Plot } from '../src/core/types.ts';
import { PlotDecoder } from '../src/ingest/index.ts';
import { loadScenario, simulate } from '../src/sim/index.ts';
import { TrackingLoop } from '../src/track/loop.ts';
import { Tracker } from '../src/track/tracker.ts';

function time<T>(fn: () => T): { s: number; v: T } {
  const t0 = performance.now();
  const v = fn();
  return { s: (performance.now() - t0) / 1000, v };
}

const scn = loadScenario('coalition');
const durationS = Number(process.env.BENCH_DURATION_S ?? 600);
const blocks: { sensorId: string; bytes: Uint8Array }[] = [];
const sim = time(() => {
  for (const o of simulate(scn, { durationS })) if (o.kind === 'block') blocks.push(o);
});
const cat48 = blocks.filter((b) => b.bytes[0] === 48);
console.log(`scenario coalition: ${scn.coalition.sensors.length} sensors, ${scn.spec.aircraft.count} aircraft, ${durationS} s simulated in ${sim.s.toFixed(2)} s (${(durationS / sim.s).toFixed(0)}x real time), ${blocks.length} blocks`);

// Decode: typed plot form vs the generic spec-named items form (the baseline).
const typed = time(() => {
  let n = 0;
  for (let r = 0; r < 3; r++) for (const b of cat48) decodeBlock(b.bytes, 0, () => n++, () => {});
  return n;
});
const items = time(() => {
  let n = 0;
  for (let r = 0; r < 3; r++) for (const b of cat48) decodeBlockItems(b.bytes, 0, () => n++, () => {});
  return n;
});
console.log(`CAT048 decode, typed:  ${(typed.v / typed.s / 1e3).toFixed(0)} k records/s`);
console.log(`CAT048 decode, items:  ${(items.v / items.s / 1e3).toFixed(0)} k records/s (baseline; typed is ${(items.s / typed.s * typed.v / items.v).toFixed(2)}x)`);

// Tracker: all plots of the run, as fast as possible, vs decoding them alone.
const decoder = new PlotDecoder(new SensorDirectory(scn.coalition), dayStartS(isoDay(scn.startS)));
const batches: Plot[][] = [];
const dec = time(() => {
  for (const b of blocks) {
    const { plots } = decoder.decode({ bytes: b.bytes, offset: 0, source: 'bench', receivedS: null });
    if (plots.length) batches.push(plots);
  }
});
const nPlots = batches.reduce((a, b) => a + b.length, 0);
let lines = 0;
const trk = time(() => {
  const tracker = new Tracker(scn.coalition);
  const loop = new TrackingLoop(tracker, { periodS: 1, reorderWindowS: 3 }, (f) => (lines += f.tracks.length));
  for (const b of batches) loop.push(b);
  loop.flush();
});
console.log(`decode to stamped plots: ${(nPlots / dec.s / 1e3).toFixed(0)} k plots/s (baseline)`);
console.log(`tracker (CV KF + GNN):   ${(nPlots / trk.s / 1e3).toFixed(1)} k plots/s, ${nPlots} plots, ${lines} track lines; ${(dec.s / trk.s).toFixed(3)}x the decode rate; ${(durationS / trk.s).toFixed(0)}x real time`);

// Scaling of the tracker alone: 1,000 / 5,000 / 20,000 aircraft under 100 radars.
const { benchTracker } = await import('./tracker.ts');
benchTracker((process.env.BENCH_SIZES ?? '1000,5000,20000').split(',').map(Number));

// The ASTERIX codec: CAT048 decode to the plot form and encode, against the object-per-item decode.
await import('./asterix.ts');

// Recording: what the SQLite recorder keeps up with, and what it costs the tracking loop.
await import('./record.ts');

// Replay seeks: from a checkpoint of the chain's state vs a re-run from the session start; the event loop during a seekAsync warm-up.
await import('./replay.ts');

// The operations room in headless chromium at 1,000 and 10,000 tracks, skyfuse.v1 JSON (baseline) vs v2 binary deltas.
await import('./ui.ts');
