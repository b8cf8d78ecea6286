// Plot files: pick the reader by magic number, not by name, because
// recordings are renamed freely (.raw, .bin, .asterix) on their way here.

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { SkyError } from '../core/errors.ts';
import { splitBlocks, type DataBlock } from './blocks.ts';
import { captureFormat, newCaptureStats, readCapture, type CaptureStats } from './capture.ts';

/**
 * The whole file in memory (readFileSync: up to 2 GiB, plenty for recordings
 * of a few hundred MB); blocks are views into it, never copies.
 * Missing file -> SKY_FILE_NOT_FOUND; other read failures (a directory, no
 * permission, too large) -> SKY_FILE_UNREADABLE. Both are thrown at once,
 * before any block is read, because nothing useful can follow.
 */
function load(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new SkyError('SKY_FILE_NOT_FOUND', `${path} does not exist; check the path`, { file: path });
    }
    throw new SkyError('SKY_FILE_UNREADABLE', `${path} cannot be read (${code ?? String(err)})`, { file: path });
  }
}

/** Does the file look like a capture? A magic number alone is not enough for
 * pcapng: 0a 0d 0d 0a is also a CAT010 block header, so pcapng also needs its
 * byte-order magic, unless the name says it is a capture. */
function isCapture(buf: Uint8Array, path: string): boolean {
  const format = captureFormat(buf);
  if (format === null) return false;
  const ext = extname(path).toLowerCase();
  if (ext === '.pcap' || ext === '.pcapng' || ext === '.cap') return true;
  if (format === 'pcapng') {
    const bom = buf.length >= 12 ? ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0 : 0;
    return bom === 0x1a2b3c4d || bom === 0x4d3c2b1a;
  }
  // pcap magics start with CAT 161, 212 or 77, none of which carries plots.
  return true;
}

/**
 * Detect by magic number (pcap a1b2c3d4/d4c3b2a1/a1b23c4d/4d3cb2a1, pcapng
 * 0a0d0d0a), else .ast. Reads the whole file. Missing file -> SkyError
 * SKY_FILE_NOT_FOUND naming the path (thrown by this call, not by iteration).
 * Pass `stats` to see what was skipped (for .ast only blocks and skippedBytes
 * move).
 */
export function readPlotFile(path: string, onError: (e: SkyError) => void, stats: CaptureStats = newCaptureStats()): Iterable<DataBlock> {
  const buf = load(path);
  if (isCapture(buf, path)) return readCapture(buf, path, onError, stats);
  return splitBlocks(buf, path, 0, null, onError, { stats });
}
