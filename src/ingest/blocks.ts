// ASTERIX data block framing (EUROCONTROL ASTERIX Part 1, section 4: a data
// block is CAT (1 octet), LEN (2 octets, big-endian, counting the whole
// block), then records). This file cuts a byte buffer into blocks and never
// looks inside records: validating records is the decoder's job.

import { SkyError } from '../core/errors.ts';

export interface DataBlock {
  /** Exactly one data block, starting with CAT (a view into the source buffer, not a copy). */
  readonly bytes: Uint8Array;
  /** Byte offset of the block in its file (for pcap: in the capture file); -1 for live UDP. */
  readonly offset: number;
  /** File path, or `udp:127.0.0.1:8600` style for live feeds. */
  readonly source: string;
  /** Capture timestamp (pcap) or arrival time (UDP), seconds since epoch; null for .ast. */
  readonly receivedS: number | null;
}

/**
 * Categories that may start a block when re-synchronising after a bad LEN:
 * those of the plot contract (shared/contracts/README.md section 3: CAT048
 * monoradar, CAT034 radar service, CAT021 ADS-B). Categories already seen in
 * well-formed blocks of the same buffer are added, so a CAT062 recording
 * also recovers. Normal framing accepts every category.
 */
export const RESYNC_CATEGORIES: ReadonlySet<number> = new Set([21, 34, 48]);

/** Mutable counters a caller may pass in to see what framing dropped. */
export interface FramingStats {
  blocks: number;
  /** Bytes not delivered in any block (skipped while re-synchronising, or a cut last block). */
  skippedBytes: number;
}

export interface SplitOptions {
  /** Categories a re-synchronisation may land on (default RESYNC_CATEGORIES plus those seen). */
  readonly resyncCategories?: ReadonlySet<number>;
  readonly stats?: FramingStats;
}

const HEADER_BYTES = 3;
// A block must hold at least one record, and a record at least one FSPEC
// octet; LEN = 3 is legal framing (an empty block) but never a plausible
// landing point for re-synchronisation.
const MIN_PLAUSIBLE_LEN = 4;

function lenAt(buf: Uint8Array, i: number): number {
  return ((buf[i + 1] ?? 0) << 8) | (buf[i + 2] ?? 0);
}

/**
 * A block that a re-synchronisation may trust: expected CAT, LEN within the
 * buffer, and followed either by the exact end of the buffer or by another
 * block with an expected CAT whose LEN also fits. Requiring the successor's
 * CAT too matters in big files, where almost any LEN "fits": without it a
 * lone byte equal to 48 would be enough to land on.
 */
function isCat(c: number | undefined, cats: ReadonlySet<number>, extraCats: ReadonlySet<number>): boolean {
  return c !== undefined && (cats.has(c) || extraCats.has(c));
}

function plausibleAt(buf: Uint8Array, i: number, cats: ReadonlySet<number>, extraCats: ReadonlySet<number>): boolean {
  if (i + HEADER_BYTES > buf.length || !isCat(buf[i], cats, extraCats)) return false;
  const len = lenAt(buf, i);
  if (len < MIN_PLAUSIBLE_LEN || i + len > buf.length) return false;
  const next = i + len;
  if (next === buf.length) return true;
  if (next + HEADER_BYTES > buf.length || !isCat(buf[next], cats, extraCats)) return false;
  const nextLen = lenAt(buf, next);
  return nextLen >= MIN_PLAUSIBLE_LEN && next + nextLen <= buf.length;
}

/** Categories of the clean chain of blocks in [0, end): computed only once an error happens. */
function categoriesBefore(buf: Uint8Array, end: number): Set<number> {
  const cats = new Set<number>();
  for (let i = 0; i < end; i += lenAt(buf, i)) cats.add(buf[i]!);
  return cats;
}

// Error helpers live outside the generator: the hot path must not build
// closures or strings per datagram.
function where(source: string, baseOffset: number, i: number): string {
  return baseOffset < 0 ? `data block at byte ${i} of a datagram from ${source}` : `data block at byte ${baseOffset + i} of ${source}`;
}

function report(onError: (e: SkyError) => void, code: 'SKY_ASTERIX_TRUNCATED' | 'SKY_ASTERIX_BAD_LENGTH', source: string, baseOffset: number, i: number, message: string): void {
  onError(new SkyError(code, message, baseOffset < 0 ? { offset: i } : { file: source, offset: baseOffset + i }));
}

/**
 * .ast framing: blocks end to end. A bad LEN (< 3, or past the end) gives a
 * coded error with the byte offset; reading resumes at the next plausible
 * block (scan forward for a byte that starts a well-formed block whose CAT is
 * one of the expected categories and whose successor is also well-formed or
 * is the end), counting what was skipped.
 *
 * `baseOffset` is the position of `buf[0]` in the file; pass -1 for a live
 * datagram, in which case blocks carry offset -1 and errors point into the
 * datagram. A LEN that is wrong but still fits inside the buffer cannot be
 * seen here: the block is yielded as declared and the decoder finds its
 * records malformed.
 */
export function* splitBlocks(
  buf: Uint8Array,
  source: string,
  baseOffset: number,
  receivedS: number | null,
  onError: (e: SkyError) => void,
  opts: SplitOptions = {},
): Generator<DataBlock> {
  const live = baseOffset < 0;
  const expected = opts.resyncCategories ?? RESYNC_CATEGORIES;
  const stats = opts.stats;
  let seen: Set<number> | null = null; // filled from the first error on

  let i = 0;
  while (i < buf.length) {
    const remain = buf.length - i;
    if (remain < HEADER_BYTES) {
      report(onError, 'SKY_ASTERIX_TRUNCATED', source, baseOffset, i, `${where(source, baseOffset, i)} has only ${remain} byte(s), a block header needs 3; dropped`);
      if (stats) stats.skippedBytes += remain;
      return;
    }
    const len = lenAt(buf, i);
    if (len >= HEADER_BYTES && len <= remain) {
      seen?.add(buf[i]!);
      if (stats) stats.blocks++;
      yield {
        bytes: buf.subarray(i, i + len),
        offset: live ? -1 : baseOffset + i,
        source,
        receivedS,
      };
      i += len;
      continue;
    }

    // Bad LEN: find where trustworthy framing starts again.
    seen ??= categoriesBefore(buf, i);
    let next = i + 1;
    while (next < buf.length && !plausibleAt(buf, next, expected, seen)) next++;
    const found = next < buf.length;
    const skipped = next - i;
    if (stats) stats.skippedBytes += skipped;
    if (len > remain && !found) {
      // Nothing trustworthy after it: the buffer ends inside this block.
      report(onError, 'SKY_ASTERIX_TRUNCATED', source, baseOffset, i, `${where(source, baseOffset, i)} declares ${len} bytes, ${remain} remain; dropped`);
      return;
    }
    const problem = len < HEADER_BYTES ? `declares LEN ${len} (less than its own 3-byte header)` : `declares ${len} bytes, ${remain} remain`;
    const outcome = found
      ? `skipped ${skipped} bytes to the next plausible block at byte ${live ? next : baseOffset + next}`
      : `no plausible block follows; skipped the last ${skipped} bytes`;
    report(onError, 'SKY_ASTERIX_BAD_LENGTH', source, baseOffset, i, `${where(source, baseOffset, i)} ${problem}; ${outcome}`);
    i = next;
  }
}
