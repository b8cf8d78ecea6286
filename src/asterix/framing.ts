// Data block framing: CAT (1 octet), LEN (2 octets big-endian, counting the
// 3 header octets), then records back to back. Decoding here never throws:
// problems go to onError with the byte offset in the file where they were
// found, and a record whose end is still known never stops the others.

import { SkyError } from '../core/errors.ts';
import { dataError } from './errors.ts';
import type { CategoryDef } from './spec.ts';
import { categoryDef } from './categories.ts';
import { ByteWriter, type Cursor, type Items, encodeRecord, isPastEnd, scanRecord } from './engine.ts';
import { type RecordPlan, compilePlan, walkRecord } from './plan.ts';

/** LEN is 16 bits: no data block is longer. */
export const MAX_BLOCK_BYTES = 65535;

export interface BlockFrame {
  readonly cat: number;
  /** End of the usable bytes: LEN, or fewer when the block is truncated. */
  readonly end: number;
  readonly truncated: boolean;
}

/** Reads and checks the header; reports and returns null when no record can be read. */
export function readFrame(block: Uint8Array, offset: number, onError: (e: SkyError) => void): BlockFrame | null {
  if (block.length < 3) {
    onError(
      dataError('SKY_ASTERIX_TRUNCATED', `data block at byte ${offset} has ${block.length} bytes, fewer than its 3-byte header`, {
        offset,
      }),
    );
    return null;
  }
  const cat = block[0]!;
  const len = (block[1]! << 8) | block[2]!;
  if (len < 3) {
    onError(
      dataError('SKY_ASTERIX_BAD_LENGTH', `data block at byte ${offset} declares ${len} bytes, less than its own 3-byte header`, {
        offset,
      }),
    );
    return null;
  }
  if (len > block.length) {
    onError(
      dataError(
        'SKY_ASTERIX_TRUNCATED',
        `data block at byte ${offset} declares ${len} bytes, ${block.length} remain; the complete records in it are still decoded`,
        { offset },
      ),
    );
    return { cat, end: block.length, truncated: true };
  }
  return { cat, end: len, truncated: false };
}

const plans = new WeakMap<CategoryDef, RecordPlan>();

function planOf(def: CategoryDef): RecordPlan {
  let p = plans.get(def);
  if (p === undefined) {
    p = compilePlan(def);
    plans.set(def, p);
  }
  return p;
}

/**
 * Calls visit for every record of the block whose structure reads cleanly,
 * with the byte positions of its items (starts[frn index], -1 if absent).
 * Stops at the first record whose length cannot be known. Records are walked
 * by the compiled plan (plan.ts, no allocation); a record it finds malformed
 * is walked again by the engine, which says exactly what is wrong and where.
 */
export function walkRecords(
  def: CategoryDef,
  block: Uint8Array,
  frame: BlockFrame,
  offset: number,
  onError: (e: SkyError) => void,
  visit: (starts: Int32Array, recordPos: number) => void,
): void {
  const plan = planOf(def);
  const starts = new Int32Array(def.uap.length);
  const end = frame.end;
  let pos = 3;
  while (pos < end) {
    const next = walkRecord(plan, block, pos, end, starts);
    if (next >= 0) {
      visit(starts, pos);
      pos = next;
      continue;
    }
    const cur: Cursor = { buf: block, pos, end, base: offset };
    try {
      scanRecord(def, cur, starts);
    } catch (e) {
      reportStructural(e, frame, onError);
      return;
    }
    // The engine read a record the plan refused: a bug in plan.ts, but the engine's reading stands.
    visit(starts, pos);
    pos = cur.pos;
  }
}

/** A structural error ends the block; past-end errors in a block already reported truncated are not reported twice. */
export function reportStructural(e: unknown, frame: BlockFrame, onError: (e: SkyError) => void): void {
  if (e instanceof SkyError) {
    if (!(frame.truncated && isPastEnd(e))) onError(e);
    return;
  }
  // A bug in this codec must not stop the pipeline either; it still surfaces with its message.
  onError(new SkyError('SKY_ASTERIX_INTERNAL', `decoder failure: ${e instanceof Error ? e.message : String(e)}`));
}

/** One data block holding the given records. Throws SKY_ASTERIX_BLOCK_TOO_LONG past 65535 bytes. */
export function encodeBlock(def: CategoryDef, records: readonly Items[]): Uint8Array {
  const w = new ByteWriter(64 + records.length * 48);
  w.reserve(3);
  for (const r of records) encodeRecord(def, r, w);
  if (w.len > MAX_BLOCK_BYTES) {
    throw new SkyError(
      'SKY_ASTERIX_BLOCK_TOO_LONG',
      `${records.length} CAT${String(def.cat).padStart(3, '0')} records need ${w.len} bytes, more than the 65535 a data block holds; split them (encodeCat048Blocks does)`,
    );
  }
  w.buf[0] = def.cat;
  w.buf[1] = w.len >>> 8;
  w.buf[2] = w.len & 0xff;
  return w.result();
}

/** One data block of spec-named records of any known category (e.g. CAT062 for the tracker's --out-cat062). */
export function encodeItemsBlock(cat: number, records: readonly Items[]): Uint8Array {
  const def = categoryDef(cat);
  if (def === undefined) throw new SkyError('SKY_ASTERIX_UNKNOWN_CATEGORY', `CAT${String(cat).padStart(3, '0')} has no spec table here (known: 021, 034, 048, 062, 065)`);
  return encodeBlock(def, records);
}

/** Records split into as few data blocks as fit maxBytes each (default 65535; 1472 keeps each block in one Ethernet UDP datagram). */
export function encodeBlocks(def: CategoryDef, records: readonly Items[], maxBytes = MAX_BLOCK_BYTES): Uint8Array[] {
  if (!(maxBytes >= 4 && maxBytes <= MAX_BLOCK_BYTES)) throw new SkyError('SKY_ASTERIX_BAD_VALUE', `maxBytes ${maxBytes} must be in 4..65535`);
  const blocks: Uint8Array[] = [];
  const w = new ByteWriter(Math.min(maxBytes, 4096));
  const close = (): void => {
    w.buf[0] = def.cat;
    w.buf[1] = w.len >>> 8;
    w.buf[2] = w.len & 0xff;
    blocks.push(w.result());
    w.len = 0;
  };
  w.reserve(3);
  let inBlock = 0;
  for (const r of records) {
    const before = w.len;
    encodeRecord(def, r, w);
    if (w.len > maxBytes) {
      const rec = w.buf.slice(before, w.len);
      if (inBlock === 0 || rec.length + 3 > maxBytes) {
        throw new SkyError('SKY_ASTERIX_BLOCK_TOO_LONG', `one CAT${String(def.cat).padStart(3, '0')} record of ${rec.length} bytes does not fit a ${maxBytes}-byte block`);
      }
      w.len = before;
      close();
      w.reserve(3);
      w.bytes(rec);
      inBlock = 0;
    }
    inBlock++;
  }
  if (inBlock > 0) close();
  return blocks;
}
