// Replay seeks (issue 10): how long a seek to +N min takes on the
// `coalition` scenario's recording with checkpoints of the chain's state
// (a seek re-runs at most the interval since the latest one) and without
// (a re-run from the session start, the baseline), in the same run; what
// taking the checkpoints costs the replay; how much memory one checkpoint
// holds (so the bound of maxCheckpoints); and the longest time a seekAsync
// warm-up keeps the event loop from other work, against the blocking seek.
// Prints; asserts nothing.
// Run alone: node --import tsx bench/replay.ts   (BENCH_REPLAY_S=600 by default)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serialize } from 'node:v8';
import { Chain, Replayer } from '../src/record/index.ts';
import { runLive, simulateBlocks } from '../src/record/testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-bench-replay-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const durationS = Number(process.env.BENCH_REPLAY_S ?? 600);
const file = join(dir, 'coalition.db');
const live = runLive({ scenario: 'coalition', durationS, file, register: true, blocks: simulateBlocks('coalition', durationS) });
live.recorder!.close();
const seekS = live.startS + durationS - 20;
const label = `+${((seekS - live.startS) / 60).toFixed(1)} min`;

const time = (fn: () => void): number => {
  const a = performance.now();
  fn();
  return performance.now() - a;
};

// Each seek goes back from the end of the recording (a seek forward just runs on); best of 2.
const seekBack = (r: Replayer): number => {
  r.runToEnd();
  return time(() => r.seek(seekS));
};
// Without checkpoints: every seek back re-runs the session from its start.
const plain = new Replayer(file, { speed: 'max', checkpointEveryS: 0, onFrame: () => {} });
const noCp = Math.min(seekBack(plain), seekBack(plain));

// With checkpoints (the default: every 60 s, at most 32): taken while the replay runs forward.
let chain: Chain | null = null;
const rp = new Replayer(file, { speed: 'max', onFrame: () => {}, makeChain: (c, s) => (chain = new Chain(c, s)) });
const forwardMs = time(() => rp.runToEnd());
const cps = rp.checkpointStats;
const withCp = Math.min(seekBack(rp), seekBack(rp));
// Just after the latest checkpoint: the restore (a deep copy of the state) alone.
const lastCpS = rp.checkpointTimes.at(-1)!;
rp.runToEnd();
const restoreMs = time(() => rp.seek(lastCpS + 0.5));
const bytes = serialize(chain!.checkpoint().state).length;
// The heap one holds, when the collector is exposed (node --expose-gc --import tsx bench/replay.ts).
const gc = (globalThis as { gc?: () => void }).gc;
let heap = '';
if (gc) {
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: 8 }, () => chain!.checkpoint());
  gc();
  const per = (process.memoryUsage().heapUsed - h0) / kept.length;
  heap = `, ${(per / 1e6).toFixed(1)} MB of heap (at most 32: ~${(32 * per / 1e6).toFixed(0)} MB)`;
}
console.log(`replay: coalition scenario, ${durationS} s recorded (${live.blocks} blocks, registration on); seek to ${label}: from the session start ${(noCp / 1000).toFixed(2)} s, from the checkpoint ${((seekS - lastCpS)).toFixed(0)} s before it ${(withCp / 1000).toFixed(2)} s (${(noCp / withCp).toFixed(1)}x faster; the same frames, see src/record/checkpoint.test.ts); a seek just after a checkpoint ${restoreMs.toFixed(0)} ms (${(noCp / restoreMs).toFixed(0)}x)`);
console.log(`replay: checkpoints every 60 s of recording: ${cps.taken} taken in ${cps.ms.toFixed(0)} ms (${(cps.ms / cps.taken).toFixed(1)} ms each) during a ${(forwardMs / 1000).toFixed(2)} s replay (+${(cps.ms / (forwardMs - cps.ms) * 100).toFixed(1)} %); one holds ${(bytes / 1e6).toFixed(2)} MB serialized${heap}`);

// The event loop during a seek: the blocking seek holds it for the whole re-run; seekAsync for one slice at a time.
const h = monitorEventLoopDelay({ resolution: 5 });
const fresh = new Replayer(file, { speed: 'max', checkpointEveryS: 0, onFrame: () => {} });
fresh.runToEnd();
h.enable();
const a = performance.now();
await fresh.seekAsync(seekS);
const asyncMs = performance.now() - a;
await new Promise((r) => setTimeout(r, 20));
h.disable();
console.log(`replay: seekAsync to ${label} without checkpoints: ${(asyncMs / 1000).toFixed(2)} s in 20 ms slices (blocking seek ${(noCp / 1000).toFixed(2)} s); longest event-loop delay meanwhile ${(h.max / 1e6).toFixed(0)} ms (${(noCp / (h.max / 1e6)).toFixed(0)}x shorter than the blocking seek's)`);
