// Purge on a real SQLite recording written by the Recorder: the withdrawn
// partner's blocks are gone (not readable, and their bytes are nowhere in
// the database file or its WAL any more), everything else is untouched, and
// the Recorder appending to the same file goes on working.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { loadScenario } from '../sim/index.ts';
import type { ChainConfig } from './chain.ts';
import { purgeSensorBlocks, purgeSensorBlocksAsync } from './purge.ts';
import { Recorder } from './recorder.ts';
import { RecordingReader } from './replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyfuse-purge-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const session: ChainConfig = { coalition: loadScenario('small').coalition, startOfDayS: 0, periodS: 1, reorderWindowS: 1, register: false, fusion: 'audience' };

/** A 64-byte block whose content is a marker unique to (sensor, k): easy to search the file for. */
const block = (sensor: string, k: number) => Buffer.from(`<<${sensor}:${String(k).padStart(4, '0')}>>`.padEnd(64, '#'));

function fileHas(file: string, needle: Buffer): boolean {
  for (const f of [file, `${file}-wal`]) if (existsSync(f) && readFileSync(f).includes(needle)) return true;
  return false;
}

test('purging a partner\'s sensors deletes exactly their recorded blocks, leaves no copy in the file or WAL, and recording goes on', () => {
  const file = join(dir, 'rec.db');
  let t = 1.7e9;
  const rec = new Recorder({ file, session, clock: () => t });
  for (let k = 0; k < 200; k++) {
    t += 0.1;
    for (const s of ['GRC-1', 'GRC-2', 'EGY-1']) rec.recordBlock({ bytes: block(s, k), offset: -1, source: `udp:127.0.0.1:${s}`, receivedS: t }, s);
    if (k % 50 === 0) rec.recordBlock({ bytes: block('FILE', k), offset: -1, source: 'plots.ast', receivedS: t }, null);
    rec.recordTick(t);
  }
  rec.commit();
  assert.ok(fileHas(file, block('GRC-1', 7)), 'the marker is findable before the purge (the search can fail)');

  const r = purgeSensorBlocks(file, ['GRC-1', 'GRC-2']);
  assert.deepEqual(r, { blocks: 400, bytes: 400 * 64, unattributed: 4 });

  // The recorder on the same file goes on.
  t += 0.1;
  rec.recordBlock({ bytes: block('EGY-1', 999), offset: -1, source: 'udp:127.0.0.1:EGY-1', receivedS: t }, 'EGY-1');
  rec.close();

  const reader = new RecordingReader(file);
  const blocks = [...reader.blocks()];
  const ticks = [...reader.inputs()].filter((i) => i.kind === 'tick').length;
  reader.close();
  const bySensor = new Map<string | null, number>();
  for (const b of blocks) bySensor.set(b.sensorId, (bySensor.get(b.sensorId) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(bySensor), { 'EGY-1': 201, null: 4 });
  assert.equal(ticks, 200, 'ticks and other inputs are untouched');
  for (const k of [0, 7, 123, 199]) {
    assert.ok(!fileHas(file, block('GRC-1', k)), `GRC-1 block ${k} is gone from the file and WAL`);
    assert.ok(!fileHas(file, block('GRC-2', k)), `GRC-2 block ${k} is gone from the file and WAL`);
  }
  assert.ok(fileHas(file, block('EGY-1', 123)), "the other partner's blocks are still there");

  // Purging again finds nothing; an unknown sensor is not an error.
  assert.deepEqual(purgeSensorBlocks(file, ['GRC-1', 'NOPE']), { blocks: 0, bytes: 0, unattributed: 4 });
});

test('purge in short steps leaves no byte of the purged sensors anywhere, after retention and page splits, blocks of every size', async () => {
  const file = join(dir, 'adversarial.db');
  let t = 1.7e9;
  // Retention runs meanwhile (the recorder's own deletes are not secure): its freed pages and cell gaps must not keep copies either.
  const rec = new Recorder({ file, session, clock: () => t, maxAgeS: 60 });
  let seed = 7 + Number(process.env.PURGE_SEED ?? 0);
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const sized = (sensor: string, k: number, n: number) => {
    const b = Buffer.alloc(n, 0x2d);
    b.write(`<<${sensor}:${String(k).padStart(6, '0')}>>`);
    return b;
  };
  const n0 = 6000;
  for (let k = 0; k < n0; k++) {
    t += 0.05;
    for (const s of ['GRC-1', 'EGY-1']) {
      // Mostly small blocks, some over a page (overflow pages), some just under.
      const size = rand() < 0.1 ? 3000 + Math.floor(rand() * 6000) : 20 + Math.floor(rand() * 1200);
      rec.recordBlock({ bytes: sized(s, k, size), offset: -1, source: `udp:127.0.0.1:${s}`, receivedS: t }, s);
    }
    rec.recordTick(t);
    if (k % 20 === 19) rec.commit();
  }
  rec.commit();
  const purgedMarker = Buffer.from('<<GRC-1:');
  assert.ok(fileHas(file, purgedMarker), 'the marker is findable before the purge');
  const left = (await import('better-sqlite3')).default;
  const db = new left(file, { readonly: true });
  const want = db.prepare("SELECT count(*) AS n, sum(length(bytes)) AS b FROM blocks WHERE source = (SELECT id FROM sources WHERE sensor_id = 'GRC-1')").get() as { n: number; b: number };
  db.close();
  assert.ok(want.n > 1000 && want.n < n0, `retention kept ${want.n} of ${n0} GRC-1 blocks`);

  const r = await purgeSensorBlocksAsync(file, ['GRC-1'], { stepRows: 100, vacuumPages: 50 });
  assert.deepEqual(r, { blocks: want.n, bytes: want.b, unattributed: 0 });
  rec.close();
  assert.ok(!fileHas(file, purgedMarker), 'no GRC-1 marker in the file or WAL');
  assert.ok(fileHas(file, Buffer.from('<<EGY-1:')), 'EGY-1 blocks are still there');
  const reader = new RecordingReader(file);
  const sensors = new Set([...reader.blocks()].map((b) => b.sensorId));
  reader.close();
  assert.deepEqual([...sensors], ['EGY-1']);
});

test('a file recorded by an older skyfuse (no secure_delete while recording) is still purged clean: the purge falls back to VACUUM', () => {
  const file = join(dir, 'legacy.db');
  let t = 1.7e9;
  const rec = new Recorder({ file, session, clock: () => t });
  rec.close();
  // The older recorder: plain inserts and retention deletes without secure_delete, no flag, no input counts.
  const db = new Database(file);
  db.prepare("DELETE FROM meta WHERE key = 'secure_delete' OR key LIKE 'inputs:%'").run();
  db.prepare("INSERT INTO sources (id, source, sensor_id) VALUES (1, 'udp:GRC-2', 'GRC-2'), (2, 'udp:EGY-1', 'EGY-1')").run();
  const ins = db.prepare('INSERT INTO blocks (seq, session, arrival_s, source, bytes) VALUES (?, 1, ?, ?, ?)');
  db.transaction(() => {
    for (let k = 0; k < 400; k++) {
      t += 0.1;
      ins.run(2 * k + 1, t, 1, block('GRC-2', k));
      ins.run(2 * k + 2, t, 2, block('EGY-1', k));
    }
  })();
  db.prepare('DELETE FROM blocks WHERE seq < 200').run();
  db.close();
  assert.ok(fileHas(file, block('GRC-2', 150)));
  const r = purgeSensorBlocks(file, ['GRC-2']);
  assert.equal(r.blocks, 300);
  for (let k = 0; k < 400; k += 7) assert.ok(!fileHas(file, block('GRC-2', k)), `GRC-2 block ${k} is gone`);
  assert.ok(fileHas(file, block('EGY-1', 150)));
});
