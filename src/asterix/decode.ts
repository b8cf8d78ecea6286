// Decoding whole data blocks: the typed form the pipeline uses
// (decodeBlock) and the spec-named items form of `skyfuse decode`
// (decodeBlockItems). Neither throws; see framing.ts for the error rules.

import { SkyError } from '../core/errors.ts';
import { dataError } from './errors.ts';
import { categoryDef, cat021, cat034, cat048 } from './categories.ts';
import { type Cursor, decodeRecord } from './engine.ts';
import { readFrame, reportStructural, walkRecords } from './framing.ts';
import { type Cat048Report, cat048FromScan } from './cat048.ts';
import { type Cat034Message, cat034FromScan } from './cat034.ts';
import { type Cat021Report, cat021FromScan } from './cat021.ts';

export type DecodedReport =
  | { cat: 48; offset: number; report: Cat048Report }
  | { cat: 34; offset: number; report: Cat034Message }
  | { cat: 21; offset: number; report: Cat021Report };

/**
 * Decode one framed data block (first byte CAT). offset = the block's byte
 * offset in its file, for error messages. Never throws: every problem goes to
 * onError with a SkyError whose offset is the byte where it was found;
 * decoding resumes at the next record if the record length is still
 * knowable, else stops this block. Categories other than 48, 34 and 21 give
 * one SKY_ASTERIX_UNKNOWN_CATEGORY error and the block is skipped.
 */
export function decodeBlock(block: Uint8Array, offset: number, onReport: (r: DecodedReport) => void, onError: (e: SkyError) => void): void {
  const frame = readFrame(block, offset, onError);
  if (frame === null) return;
  switch (frame.cat) {
    case 48:
      walkRecords(cat048, block, frame, offset, onError, (starts, pos) => {
        const r = cat048FromScan(block, starts, pos, offset);
        if (r instanceof SkyError) onError(r);
        else onReport({ cat: 48, offset: offset + pos, report: r });
      });
      return;
    case 34:
      walkRecords(cat034, block, frame, offset, onError, (starts, pos) => {
        const r = cat034FromScan(block, starts, pos, offset);
        if (r instanceof SkyError) onError(r);
        else onReport({ cat: 34, offset: offset + pos, report: r });
      });
      return;
    case 21:
      walkRecords(cat021, block, frame, offset, onError, (starts, pos) => {
        const r = cat021FromScan(block, starts, pos, offset);
        if (r instanceof SkyError) onError(r);
        else onReport({ cat: 21, offset: offset + pos, report: r });
      });
      return;
    default:
      onError(
        dataError(
          'SKY_ASTERIX_UNKNOWN_CATEGORY',
          `data block at byte ${offset} is CAT${String(frame.cat).padStart(3, '0')}; plots are read from CAT048, CAT034 and CAT021 only; block skipped`,
          { offset },
        ),
      );
  }
}

/** For `skyfuse decode`: every record of a framed block as {cat, offset, items} with spec item names and spec units. */
export function decodeBlockItems(
  block: Uint8Array,
  offset: number,
  onRecord: (r: { cat: number; offset: number; items: Record<string, unknown> }) => void,
  onError: (e: SkyError) => void,
): void {
  const frame = readFrame(block, offset, onError);
  if (frame === null) return;
  const def = categoryDef(frame.cat);
  if (def === undefined) {
    onError(
      dataError(
        'SKY_ASTERIX_UNKNOWN_CATEGORY',
        `data block at byte ${offset} is CAT${String(frame.cat).padStart(3, '0')}, which this decoder has no spec for (it knows 021, 034, 048, 062, 065); block skipped`,
        { offset },
      ),
    );
    return;
  }
  const cur: Cursor = { buf: block, pos: 3, end: frame.end, base: offset };
  while (cur.pos < frame.end) {
    const pos = cur.pos;
    let items: Record<string, unknown>;
    try {
      items = decodeRecord(def, cur);
    } catch (e) {
      reportStructural(e, frame, onError);
      return;
    }
    onRecord({ cat: frame.cat, offset: offset + pos, items });
  }
}
