// Does a purge stall the recorder? A recorder in another process (as the
// server's, while `skyfuse` or another connection purges) records 2,500
// blocks/s and commits every 100 ms while the blocks of one sensor are
// purged from the same file. Prints the recorder's longest commit (which
// includes its wait for the write lock) and asserts no batch was dropped.
// PURGE_STALL_BLOCKS=100000 for the figures in the commit message;
// PURGE_STALL_BEFORE=1 also times the former purge (one transaction + VACUUM).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScenario } from '../sim/index.ts';
import type { ChainConfig } from './chain.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { purgeSensorBlocks, purgeSensorBlocksAsync } from './purge.ts';
import { Recorder } from './recorder.ts';
import { openRecording } from './schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-purge-stall-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const session: ChainConfig = { coalition: loadScenario('small').coalition, startOfDayS: 0, periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' };
const N = Number(process.env.PURGE_STALL_BLOCKS ?? 20000);

function build(file: string): void {
  let t = 1.7e9;
  const rec = new Recorder({ file, session, clock: () => t, commitRows: 50000 });
  for (let k = 0; k < N; k++) {
    t += 0.01;
    for (const s of ['GRC-1', 'EGY-1']) {
      const b = Buffer.alloc(200 + (k % 7) * 100, 0x2d);
      b.write(`<<${s}:${String(k).padStart(7, '0')}>>`);
      rec.recordBlock({ bytes: b, offset: -1, source: `udp:${s}`, receivedS: t }, s);
    }
  }
  rec.close();
}

/** The former purge: one DELETE, then VACUUM and a WAL truncation, each holding the write lock throughout. */
function purgeWithVacuum(file: string): void {
  const db = openRecording(file);
  db.pragma('secure_delete = ON');
  db.prepare("DELETE FROM blocks WHERE source IN (SELECT id FROM sources WHERE sensor_id = 'GRC-1')").run();
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

interface ChildStats { maxCommitMs: number; dropped: number; commits: number; blocks: number; errors: string[] }

async function duringPurge(file: string, purge: () => void): Promise<{ stats: ChildStats; purgeMs: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'purge-stall-child.ts'), file], { stdio: ['pipe', 'pipe', 'inherit'], cwd: join(import.meta.dirname, '..', '..') });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const until = async (re: RegExp) => {
    while (!re.test(out)) await new Promise((r) => setTimeout(r, 20));
  };
  await until(/ready\n/);
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  purge();
  const purgeMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  child.stdin.end();
  await until(/\}\n/);
  return { stats: JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as ChildStats, purgeMs };
}

test(`a purge of ${N} blocks does not stall a recorder writing the same file: no batch dropped`, { timeout: 600_000 }, async () => {
  const file = join(dir, 'after.db');
  build(file);
  let result: ReturnType<typeof purgeSensorBlocks> | null = null;
  const { stats, purgeMs } = await duringPurge(file, () => (result = purgeSensorBlocks(file, ['GRC-1'])));
  console.log(`stepwise purge of ${N} blocks: ${purgeMs.toFixed(0)} ms; recorder's longest commit ${stats.maxCommitMs.toFixed(1)} ms, ${stats.commits} commits, ${stats.dropped} rows dropped`);
  assert.equal(result!.blocks, N);
  assert.equal(stats.dropped, 0);
  assert.deepEqual(stats.errors, []);
  assert.ok(stats.blocks > 1000, `${stats.blocks} blocks recorded meanwhile`);
  assert.ok(!readFileSync(file).includes(Buffer.from('<<GRC-1:')), 'purged bytes are gone from the file');

  const idle = await duringPurge(file, () => {});
  console.log(`no purge (baseline): recorder's longest commit ${idle.stats.maxCommitMs.toFixed(1)} ms, ${idle.stats.commits} commits`);

  if (process.env.PURGE_STALL_BEFORE === '1') {
    const old = join(dir, 'before.db');
    build(old);
    const b = await duringPurge(old, () => purgeWithVacuum(old));
    console.log(`VACUUM purge of ${N} blocks: ${b.purgeMs.toFixed(0)} ms; recorder's longest commit ${b.stats.maxCommitMs.toFixed(1)} ms, ${b.stats.commits} commits, ${b.stats.dropped} rows dropped`);
  }
});

test(`in one process (the server's recorder and its purge): purgeSensorBlocksAsync lets the recorder commit meanwhile`, { timeout: 600_000 }, async () => {
  const file = join(dir, 'inproc.db');
  build(file);
  const rec = new Recorder({ file, session, commitEveryMs: 100 });
  const bytes = new Uint8Array(300).fill(0x4c);
  const feed = setInterval(() => {
    for (let k = 0; k < 50; k++) rec.recordBlock({ bytes, offset: -1, source: 'udp:live', receivedS: Date.now() / 1000 }, 'LIVE-1');
  }, 20);
  await new Promise((r) => setTimeout(r, 300));
  const commits0 = rec.stats.commits;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const t0 = performance.now();
  const r = await purgeSensorBlocksAsync(file, ['GRC-1']);
  const purgeMs = performance.now() - t0;
  delay.disable();
  const commits = rec.stats.commits - commits0;
  clearInterval(feed);
  rec.close();
  console.log(`async purge of ${N} blocks in-process: ${purgeMs.toFixed(0)} ms; ${commits} recorder commits meanwhile, longest ${rec.stats.maxCommitMs.toFixed(1)} ms; event loop delay max ${(delay.max / 1e6).toFixed(1)} ms; ${rec.stats.dropped} rows dropped`);
  assert.equal(r.blocks, N);
  assert.equal(rec.stats.dropped, 0);
  // The recorder's 100 ms timer kept firing: at least one commit per 250 ms of purge.
  assert.ok(commits >= Math.floor(purgeMs / 250), `${commits} commits in ${purgeMs.toFixed(0)} ms`);
  assert.ok(!readFileSync(file).includes(Buffer.from('<<GRC-1:')), 'purged bytes are gone from the file');
});
