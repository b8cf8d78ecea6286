import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkyError, ErrorCounter } from '../core/errors.ts';
import { splitBlocks, readPlotFile, newCaptureStats, type DataBlock, type FramingStats } from './index.ts';

const VECTORS = new URL('../../test/vectors/ingest/', import.meta.url);
const cat048 = new Uint8Array(readFileSync(new URL('cat048.raw', VECTORS)));
const cat034 = new Uint8Array(readFileSync(new URL('cat034.raw', VECTORS)));

/** A framing-valid block: CAT, LEN (big-endian, whole block), record bytes. */
function block(cat: number, records: readonly number[]): Uint8Array {
  const len = 3 + records.length;
  return Uint8Array.from([cat, len >> 8, len & 0xff, ...records]);
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function collect(buf: Uint8Array, base = 0, stats?: FramingStats): { blocks: DataBlock[]; errors: SkyError[] } {
  const errors: SkyError[] = [];
  const blocks = [...splitBlocks(buf, 'mem.ast', base, null, (e) => errors.push(e), stats ? { stats } : {})];
  return { blocks, errors };
}

/** Ten CAT048-ish blocks of different sizes (records are filler: framing only). */
function tenBlocks(): Uint8Array[] {
  return Array.from({ length: 10 }, (_, k) => block(k % 3 === 2 ? 34 : 48, Array.from({ length: 5 + 7 * k }, (_, j) => (k * 31 + j * 7) & 0x7f)));
}

test('real vectors laid end to end come back as the same blocks at their offsets', () => {
  // cat048.raw = 1 block of 48 bytes (LEN 0x0030), cat034.raw = 1 block of 16 bytes (LEN 0x0010).
  const buf = concat(cat048, cat034, cat048);
  const { blocks, errors } = collect(buf, 1000);
  assert.deepEqual(errors, []);
  assert.deepEqual(blocks.map((b) => [b.bytes[0], b.bytes.length, b.offset]), [[48, 48, 1000], [34, 16, 1048], [48, 48, 1064]]);
  assert.deepEqual([...blocks[1]!.bytes], [...cat034]);
  // Views, not copies: the block shares the caller's memory.
  assert.equal(blocks[2]!.bytes.buffer, buf.buffer);
  assert.equal(blocks[0]!.source, 'mem.ast');
  assert.equal(blocks[0]!.receivedS, null);
});

test('a truncated last block is reported at its offset and the others are kept', () => {
  const parts = tenBlocks();
  const whole = concat(...parts);
  const lastStart = whole.length - parts[9]!.length;
  const cut = whole.subarray(0, whole.length - 10);
  const stats: FramingStats = { blocks: 0, skippedBytes: 0 };
  const { blocks, errors } = collect(cut, 0, stats);
  assert.equal(blocks.length, 9);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'SKY_ASTERIX_TRUNCATED');
  assert.equal(errors[0]!.offset, lastStart);
  assert.equal(errors[0]!.file, 'mem.ast');
  assert.equal(errors[0]!.toLine(),
    `SKY_ASTERIX_TRUNCATED: data block at byte ${lastStart} of mem.ast declares ${parts[9]!.length} bytes, ${parts[9]!.length - 10} remain; dropped`);
  assert.deepEqual(stats, { blocks: 9, skippedBytes: parts[9]!.length - 10 });
});

test('two stray bytes after the last block are reported as a cut header', () => {
  const { blocks, errors } = collect(concat(cat048, Uint8Array.of(0x30, 0x00)));
  assert.equal(blocks.length, 1);
  assert.equal(errors[0]!.code, 'SKY_ASTERIX_TRUNCATED');
  assert.equal(errors[0]!.offset, 48);
});

for (const [name, badLen] of [['LEN 1 (below the header)', 1], ['LEN 0xFFFF (past the end)', 0xffff]] as const) {
  test(`a corrupted ${name} in the middle: error at its offset, following blocks recovered`, () => {
    const parts = tenBlocks();
    // Block 4 hides a fake CAT048 header whose successor is not a block: the
    // successor rule must refuse it, so the skip ends exactly at block 5.
    parts[4] = block(48, [0x80, 0x30, 0x00, 0x06, 0x11, 0x22, 0x33, 0x99, 0x55, 0x00, 0x01, 0x02]);
    const buf = concat(...parts);
    const at4 = parts.slice(0, 4).reduce((a, p) => a + p.length, 0);
    buf[at4 + 1] = badLen >> 8;
    buf[at4 + 2] = badLen & 0xff;
    const counter = new ErrorCounter();
    const errors: SkyError[] = [];
    const blocks = [...splitBlocks(buf, 'mem.ast', 0, null, (e) => { errors.push(e); counter.add(e.code, e.toLine()); })];
    assert.equal(blocks.length, 9, 'blocks 0-3 and 5-9 recovered');
    assert.deepEqual(blocks.map((b) => b.offset), [0, 1, 2, 3, 5, 6, 7, 8, 9].map((k) => parts.slice(0, k).reduce((a, p) => a + p.length, 0)));
    assert.equal(errors.length, 1);
    assert.equal(counter.count('SKY_ASTERIX_BAD_LENGTH'), 1);
    assert.equal(errors[0]!.offset, at4);
    assert.match(errors[0]!.message, new RegExp(`^data block at byte ${at4} of mem.ast declares .*; skipped ${parts[4]!.length} bytes to the next plausible block at byte ${at4 + parts[4]!.length}$`));
  });
}

test('re-synchronisation lands on categories already seen in the buffer (CAT062, CAT065)', () => {
  const parts = [block(62, [1, 2, 3, 4]), block(65, [9, 9]), block(62, [5, 6, 7, 8, 9]), block(62, [10, 11]), block(65, [12, 13, 14])];
  const buf = concat(...parts);
  const at = (k: number): number => parts.slice(0, k).reduce((a, p) => a + p.length, 0);
  buf[at(2) + 2] = 0; // block 2: LEN 0
  const { blocks, errors } = collect(buf);
  // Neither category is a plot category, but both were seen well-formed before the bad LEN.
  assert.deepEqual(blocks.map((b) => [b.bytes[0], b.offset]), [[62, at(0)], [65, at(1)], [62, at(3)], [65, at(4)]]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'SKY_ASTERIX_BAD_LENGTH');
  assert.match(errors[0]!.message, new RegExp(`skipped ${parts[2]!.length} bytes to the next plausible block at byte ${at(3)}$`));
  // Without that history CAT062/065 blocks are not trusted: everything after the bad LEN is skipped.
  const { blocks: lone, errors: loneErrors } = collect(buf.subarray(at(2)));
  assert.deepEqual(lone, []);
  assert.match(loneErrors[0]!.message, /no plausible block follows/);
});

test('garbage with no plausible block after it is skipped to the end and counted', () => {
  const garbage = Uint8Array.from([0x00, 0x00, 0x01, 0xfe, 0x30, 0x00, 0x02, 0x99]);
  const stats: FramingStats = { blocks: 0, skippedBytes: 0 };
  const { blocks, errors } = collect(concat(cat034, garbage), 0, stats);
  assert.equal(blocks.length, 1);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.toLine(), 'SKY_ASTERIX_BAD_LENGTH: data block at byte 16 of mem.ast declares LEN 1 (less than its own 3-byte header); no plausible block follows; skipped the last 8 bytes');
  assert.equal(stats.skippedBytes, 8);
});

test('live datagrams: offsets are -1 and errors point into the datagram', () => {
  const errors: SkyError[] = [];
  const buf = concat(cat048, Uint8Array.of(0x30, 0x00, 0x40, 1, 2));
  const blocks = [...splitBlocks(buf, 'udp:127.0.0.1:8600', -1, 1714564800.25, (e) => errors.push(e))];
  assert.deepEqual(blocks.map((b) => [b.offset, b.receivedS, b.source]), [[-1, 1714564800.25, 'udp:127.0.0.1:8600']]);
  assert.equal(errors[0]!.offset, 48);
  assert.equal(errors[0]!.file, undefined);
  assert.equal(errors[0]!.message, 'data block at byte 48 of a datagram from udp:127.0.0.1:8600 declares 64 bytes, 5 remain; dropped');
});

test('readPlotFile reads .ast (and .raw) files by content; a missing file throws SKY_FILE_NOT_FOUND', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skyfuse-ingest-'));
  const path = join(dir, 'two.ast');
  writeFileSync(path, concat(cat034, cat048));
  const errors: SkyError[] = [];
  const stats = newCaptureStats();
  const blocks = [...readPlotFile(path, (e) => errors.push(e), stats)];
  assert.deepEqual(blocks.map((b) => [b.bytes[0], b.offset, b.source, b.receivedS]), [[34, 0, path, null], [48, 16, path, null]]);
  assert.equal(stats.blocks, 2);
  assert.deepEqual(errors, []);
  const raw = [...readPlotFile(new URL('cat048.raw', VECTORS).pathname, () => assert.fail('no error expected'))];
  assert.equal(raw.length, 1);
  assert.equal(raw[0]!.bytes.length, 48);

  const missing = join(dir, 'nope.ast');
  assert.throws(() => readPlotFile(missing, () => {}), (e: unknown) =>
    e instanceof SkyError && e.code === 'SKY_FILE_NOT_FOUND' && e.message.includes(missing) && e.file === missing);
  assert.throws(() => readPlotFile(dir, () => {}), (e: unknown) => e instanceof SkyError && e.code === 'SKY_FILE_UNREADABLE');
  rmSync(dir, { recursive: true, force: true });
});

test('property: any sequence of well-formed blocks splits back into exactly those blocks', async () => {
  const fc = (await import('fast-check')).default;
  const arbBlock = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 0, maxLength: 300 }))
    .map(([cat, rec]) => block(cat, [...rec]));
  fc.assert(fc.property(fc.array(arbBlock, { maxLength: 30 }), fc.integer({ min: 0, max: 1e9 }), (parts, base) => {
    const { blocks, errors } = collect(concat(...parts), base);
    assert.deepEqual(errors, []);
    assert.deepEqual(blocks.map((b) => [...b.bytes]), parts.map((p) => [...p]));
    let o = base;
    blocks.forEach((b, i) => { assert.equal(b.offset, o); o += parts[i]!.length; });
  }));
});
