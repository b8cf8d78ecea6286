// Child process for the purge stall test (src/record/purge-stall.test.ts):
// a recorder on argv[2] taking 50 blocks of sensor LIVE-1 every 20 ms and
// committing every 100 ms, as a live server does, until stdin closes; then
// it prints its stats (longest commit, rows dropped) as one JSON line.

import { loadScenario } from '../sim/index.ts';
import { Recorder } from './recorder.ts';

const file = process.argv[2]!;
const scn = loadScenario('small');
const errors: string[] = [];
const rec = new Recorder({
  file,
  session: { coalition: scn.coalition, startOfDayS: 0, periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' },
  commitEveryMs: 100,
  onError: (e) => errors.push(e.code),
});
const bytes = new Uint8Array(300).fill(0x4c);
const feed = setInterval(() => {
  for (let k = 0; k < 50; k++) rec.recordBlock({ bytes, offset: -1, source: 'udp:live', receivedS: Date.now() / 1000 }, 'LIVE-1');
}, 20);
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(feed);
  rec.close();
  process.stdout.write(`${JSON.stringify({ ...rec.stats, errors })}\n`);
});
process.stdout.write('ready\n');
