// Quality on the coalition scenario (biased radars, ADS-B, clutter, routed
// traffic), through the command line as a user runs it, with and without
// registration. Bounds are set under the figures measured when written, with
// the targets printed beside them; what misses a target is printed,
// not hidden.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'skyfuse');
const sky = (args: string[]) => run(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 });

test('coalition scenario, 10 minutes: registration and tracking quality', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-quality-'));
  await sky(['sim', '--scenario', 'coalition', '--out', dir, '--duration-s', '600']);
  const common = ['--coalition', join(dir, 'coalition.json'), '--input', join(dir, 'plots.ast'), '--date', '2025-06-01'];
  const tr = await sky(['track', ...common, '--out', join(dir, 'tracks.jsonl')]);
  await sky(['track', ...common, '--out', join(dir, 'tracks-noreg.jsonl'), '--no-register']);
  const ev = async (f: string) => JSON.parse((await sky(['eval', '--truth', join(dir, 'truth.jsonl'), '--tracks', join(dir, f), '--json'])).stdout);
  const r = await ev('tracks.jsonl');
  const n = await ev('tracks-noreg.jsonl');

  // Registration against the true biases (biases.json; the tracker never reads it).
  const truthB = new Map<string, { rangeOffsetM: number; azimuthOffsetDeg: number; timeOffsetS: number }>(
    JSON.parse(readFileSync(join(dir, 'biases.json'), 'utf8')).sensors.map((s: { id: string }) => [s.id, s]),
  );
  const line = /registration (\S+): registered, range (-?[0-9.]+) m, gain (-?[0-9]+) ppm, azimuth (-?[0-9.]+) deg, time (-?[0-9.]+) s/g;
  const est = Array.from(tr.stderr.matchAll(line));
  let within = 0;
  for (const [, id, range, , az, time] of est) {
    const t = truthB.get(id!)!;
    const ok = Math.abs(Number(range) - t.rangeOffsetM) < 20 && Math.abs(Number(az) - t.azimuthOffsetDeg) < 0.02 && Math.abs(Number(time) - t.timeOffsetS) < 0.05;
    if (ok) within++;
    console.log(`  ${id}: range ${range} (true ${t.rangeOffsetM}) m, azimuth ${az} (true ${t.azimuthOffsetDeg}) deg, time ${time} (true ${t.timeOffsetS}) s${ok ? '' : '  <- outside 20 m / 0.02 deg / 0.05 s'}`);
  }
  const ratio = n.rmsHorizontalM / r.rmsHorizontalM;
  console.log(
    `coalition 600 s: RMS ${r.rmsHorizontalM.toFixed(1)} m (target <= 150; without registration ${n.rmsHorizontalM.toFixed(1)} m, ${ratio.toFixed(2)}x; target 3x), ` +
      `coverage ${(100 * r.coverage).toFixed(1)} % (>= 97), false ${(100 * r.falseTrackRate).toFixed(2)} % (<= 0.1), identity ${(100 * r.identityCorrect).toFixed(1)} % (>= 99), ` +
      `swaps ${r.idSwaps} in ${r.aircraftHours.toFixed(1)} aircraft-hours (${((100 * r.idSwaps) / r.aircraftHours).toFixed(1)} per 100; target <= 1; ` +
      `per-instant reassignments ${r.idReassignments}), ` +
      `GOSPA ${r.gospa.meanM.toFixed(0)} m; ${est.length} radars registered, ${within} within the issue's bounds`,
  );
  // Every radar registers: Mode S by address, Mode A/C by code, primary by
  // position, against ADS-B and against radars ADS-B registered (16 radars;
  // measured 16 registered, 16 within the bounds at 600 s).
  assert.ok(est.length >= 15, `${est.length} radars registered`);
  assert.ok(within >= est.length - 1, `${within} of ${est.length} within bounds`);
  // Measured when these bounds were set: RMS 93.3 m, 3.99x, coverage 98.8 %, false 0.05 %, 0 swaps
  // (CLEAR MOT; 5 per-instant reassignments), identity 100.0 %.
  assert.ok(r.rmsHorizontalM < 110, `RMS ${r.rmsHorizontalM}`);
  assert.ok(ratio > 3.4, `registration gains ${ratio}x`);
  assert.ok(r.coverage > 0.98, `coverage ${r.coverage}`);
  assert.ok(r.falseTrackRate <= 0.0008, `false ${r.falseTrackRate}`);
  assert.ok(r.identityCorrect > 0.995, `identity ${r.identityCorrect}`);
  // The target (1 per 100 aircraft-hours) allows 0.4 here; one swap of slack.
  assert.ok(r.idSwaps <= 1, `${r.idSwaps} swaps`);
  assert.ok(r.idReassignments <= 10, `${r.idReassignments} per-instant reassignments`);
});
