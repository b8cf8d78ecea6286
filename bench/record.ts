// Recording figures (issue 10, item 4): how many blocks and plots per second
// the recorder commits on one core, what it adds to the live pipeline (the
// same blocks through the same chain, with and without recording, in one
// run), and the database size per hour at the `coalition` scenario's load
// (a few simulated minutes, extrapolated). Prints; asserts nothing.
// Run alone: node --import tsx bench/record.ts   (BENCH_RECORD_S=300 by default)

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SensorDirectory } from '../src/coalition/coalition.ts';
import { dayStartS, isoDay } from '../src/core/time.ts';
import { PlotDecoder } from '../src/ingest/index.ts';
import { Recorder } from '../src/record/index.ts';
import { runLive, simulateBlocks } from '../src/record/testing.ts';
import { loadScenario } from '../src/sim/index.ts';
import Database from 'better-sqlite3';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-bench-record-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const durationS = Number(process.env.BENCH_RECORD_S ?? 300);
const scn = loadScenario('coalition');
const t0 = performance.now();
const blocks = simulateBlocks('coalition', durationS);
const decoder = new PlotDecoder(new SensorDirectory(scn.coalition), dayStartS(isoDay(scn.startS)));
const plotsPerBlock = blocks.map((b) => decoder.decode({ bytes: b.bytes, offset: 0, source: 'bench', receivedS: null }).plots.length);
const nPlots = plotsPerBlock.reduce((a, b) => a + b, 0);
const blockBytes = blocks.reduce((a, b) => a + b.bytes.length, 0);
console.log(`record: coalition scenario, ${durationS} s simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${blocks.length} blocks (${(blocks.length / durationS).toFixed(0)}/s), ${nPlots} plots (${(nPlots / durationS).toFixed(0)}/s), ${(blockBytes / blocks.length).toFixed(0)} bytes/block`);

// 1. The recorder alone: every block recorded and committed, as fast as possible.
const session = { coalition: scn.coalition, startOfDayS: 0, periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' as const };
{
  const reps = Math.max(1, Math.ceil(200000 / blocks.length));
  const rec = new Recorder({ file: join(dir, 'raw.db'), session, commitRows: 5000 });
  const a = performance.now();
  for (let r = 0; r < reps; r++) {
    for (const b of blocks) rec.recordBlock({ bytes: b.bytes, offset: -1, source: 'udp:127.0.0.1:8600', receivedS: b.timeS + r * durationS }, b.sensorId);
  }
  rec.commit();
  const s = (performance.now() - a) / 1000;
  rec.close();
  const n = reps * blocks.length;
  console.log(`record: recorder alone, batched (5,000-row transactions): ${(n / s / 1e3).toFixed(1)} k blocks/s = ${(reps * nPlots / s / 1e3).toFixed(0)} k plots/s (${n} blocks; record calls + commits ${(s * 1e6 / n).toFixed(2)} us/block, of which commits ${(rec.stats.commitMs * 1e3 / n).toFixed(2)} us)`);
}

// 2. The live pipeline (decode -> audience fusion, a 100 ms pump) with and without recording.
//    Alternating runs; the best of each, since the machine is shared.
const runs: { mode: string; s: number; commitMs: number; maxCommitMs: number }[] = [];
for (let k = 0; k < 4; k++) {
  for (const mode of ['off', 'on']) {
    const file = mode === 'on' ? join(dir, `live${k}.db`) : null;
    const a = performance.now();
    const r = runLive({ scenario: 'coalition', durationS, file, blocks });
    r.recorder?.close();
    runs.push({ mode, s: (performance.now() - a) / 1000, commitMs: r.recorder?.stats.commitMs ?? 0, maxCommitMs: r.recorder?.stats.maxCommitMs ?? 0 });
  }
}
const best = (m: string) => runs.filter((r) => r.mode === m).reduce((x, y) => (y.s < x.s ? y : x));
const off = best('off'), on = best('on');
console.log(`record: live chain (decode + audience fusion) over ${durationS} s of data as fast as possible, best of 4: without recording ${off.s.toFixed(2)} s, with ${on.s.toFixed(2)} s (+${((on.s / off.s - 1) * 100).toFixed(1)} %); ${(nPlots / off.s / 1e3).toFixed(1)} k -> ${(nPlots / on.s / 1e3).toFixed(1)} k plots/s`);
console.log(`record: at real time that is ${((on.s - off.s) / durationS * 100).toFixed(2)} % of one core; commits ${(on.commitMs / durationS / 10).toFixed(2)} % of one core, longest commit ${on.maxCommitMs.toFixed(1)} ms (every 100 ms)`);

// 3. Size per hour at this load: the recording of run 2, extrapolated from its duration.
{
  const file = join(dir, 'live0.db');
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const q = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const part = {
    blocks: q('SELECT sum(length(bytes)) AS n FROM blocks'),
    frames: q('SELECT sum(length(tracks)) AS n FROM frames'),
    events: q('SELECT sum(length(json)) AS n FROM events'),
  };
  const counts = { blocks: q('SELECT count(*) AS n FROM blocks'), frames: q('SELECT count(*) AS n FROM frames'), trackLines: q('SELECT sum(n_tracks) AS n FROM frames'), events: q('SELECT count(*) AS n FROM events'), ticks: q('SELECT count(*) AS n FROM ticks') };
  db.close();
  const total = pages * pageSize;
  const perH = (x: number) => (x * 3600 / durationS / 1e9).toFixed(2);
  console.log(`record: database for ${durationS} s: ${(total / 1e6).toFixed(1)} MB (file ${(statSync(file).size / 1e6).toFixed(1)} MB) -> ${perH(total)} GB/hour extrapolated; payload per hour: blocks ${perH(part.blocks)} GB, track frames ${perH(part.frames)} GB (${counts.trackLines} track lines in ${counts.frames} frames), events ${perH(part.events)} GB (${counts.events}), ${counts.ticks} ticks`);
}

// 4. Replay as fast as possible (what a seek back to the session start costs per recorded hour).
{
  const { Replayer } = await import('../src/record/index.ts');
  let frames = 0;
  const a = performance.now();
  new Replayer(join(dir, 'live0.db'), { speed: 'max', onFrame: () => frames++ }).runToEnd();
  const s = (performance.now() - a) / 1000;
  console.log(`record: replay as fast as possible: ${durationS} s of recording in ${s.toFixed(2)} s (${(durationS / s).toFixed(0)}x real time, ${frames} frames); an exact seek re-runs from the session start, ~${(3600 / (durationS / s)).toFixed(0)} s per recorded hour before the seek point`);
}
