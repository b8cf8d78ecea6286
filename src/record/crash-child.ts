// Child process for the crash test (src/record/recorder.test.ts): records
// synthetic blocks as fast as it can into argv[2], each block's bytes
// holding its own index, and prints a line after every commit so the parent
// knows what is durable. The parent kills it with SIGKILL mid-write.

import { loadScenario } from '../sim/index.ts';
import { Recorder } from './recorder.ts';

const file = process.argv[2]!;
const scn = loadScenario('small');
const rec = new Recorder({
  file,
  session: { coalition: scn.coalition, startOfDayS: 0, periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' },
  commitEveryMs: 50,
});
let i = 0;
const bytes = new Uint8Array(64);
const view = new DataView(bytes.buffer);
function burst(): void {
  // About 2,000 blocks per turn of the event loop, so the commit timer gets its turns.
  for (let k = 0; k < 2000; k++, i++) {
    view.setUint32(0, i);
    rec.recordBlock({ bytes, offset: -1, source: 'udp:crash', receivedS: Date.now() / 1000 }, 'S1');
  }
  const before = rec.stats.commits;
  setImmediate(() => {
    if (rec.stats.commits !== before) process.stdout.write(`committed ${rec.stats.blocks} ${Date.now() / 1000}\n`);
    burst();
  });
}
process.stdout.write('ready\n');
burst();
