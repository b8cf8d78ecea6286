// Cat062FileWriter: the file is CAT062/CAT065 data blocks end to end
// (contract section 3 framing), one record per track line of the same frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBlockItems, type Items } from '../asterix/index.ts';
import { SkyError } from '../core/errors.ts';
import { readPlotFile } from '../ingest/index.ts';
import { Cat062FileWriter } from './index.ts';
import { T0, frameOf, sampleTracks, track } from './test-frames.ts';

test('frames written as they come read back block by block: one record per track, an end of batch after each frame', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-cat062-'));
  try {
    const path = join(dir, 'tracks.ast');
    const w = new Cat062FileWriter(path, { sac: 25, sic: 100 });
    const frames = Array.from({ length: 200 }, (_, k) =>
      frameOf(Array.from({ length: 20 }, (_, i) => track({ id: `T${(k >> 4) * 7 + i}`, latDeg: 30 + k / 1000 + i / 100 })), T0 + k),
    );
    for (const f of frames) w.write(f);
    w.close();
    w.close(); // idempotent
    assert.throws(() => w.write(frames[0]!), (e: unknown) => e instanceof SkyError && e.code === 'SKY_USAGE');
    const bytes = readFileSync(path);
    assert.equal(bytes.length, w.stats.bytes);
    // The plot reader's framing (contract section 3) splits it with no error.
    const recs: { cat: number; items: Items }[] = [];
    for (const b of readPlotFile(path, (e) => assert.fail(e.toLine()))) {
      decodeBlockItems(b.bytes, b.offset, (r) => recs.push({ cat: r.cat, items: r.items }), (e) => assert.fail(e.toLine()));
    }
    assert.equal(recs.filter((r) => r.cat === 62).length, 200 * 20, 'no end records in the file: exactly the track lines');
    assert.equal(recs.filter((r) => r.cat === 65).length, 200);
    // Records of frame k come before frame k's end of batch, whose time is frame k's.
    let k = 0;
    for (const r of recs) {
      if (r.cat === 65) {
        assert.equal(r.items['I065/030'], 52330.25 + k);
        k++;
      } else assert.equal(r.items['I062/070'], 52330.25 + k);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('endOfBatch false writes CAT062 only; an unwritable path is SKY_FILE_UNWRITABLE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-cat062-'));
  try {
    const path = join(dir, 'only62.ast');
    const w = new Cat062FileWriter(path, { sac: 1, sic: 2, endOfBatch: false });
    w.write(frameOf(sampleTracks));
    w.close();
    const bytes = new Uint8Array(readFileSync(path));
    assert.equal(bytes[0], 62);
    assert.equal((bytes[1]! << 8) | bytes[2]!, bytes.length, 'one block, the whole file');
    assert.throws(() => new Cat062FileWriter(join(dir, 'no', 'such', 'dir.ast'), { sac: 1, sic: 2 }), (e: unknown) => e instanceof SkyError && e.code === 'SKY_FILE_UNWRITABLE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
